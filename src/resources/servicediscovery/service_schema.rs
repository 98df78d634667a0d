//! `awsecs_service_discovery_service`: schema, plan-time checks and the conversions between its
//! blocks and Cloud Map's structures.
//!
//! Reading back: AWS fills `health_check_config.failure_threshold` (1) and `resource_path` ("/")
//! when they are left out, and always reports the deprecated custom `failure_threshold` as 1. Those
//! AWS-side defaults are reported as unset unless the state already had a value, so a
//! configuration that leaves them out never sees a diff (hashicorp/aws shows one).

use aws_sdk_servicediscovery::types::{
    DnsConfig, DnsConfigChange, DnsRecord, HealthCheckConfig, HealthCheckCustomConfig,
    HealthCheckType, RecordType, RoutingPolicy,
};

use crate::aws::{region_attribute, tags};
use crate::framework::{
    validators, AttrPath, Attribute, Block, Diagnostics, NestedBlock, Schema, Value,
};

pub const RECORD_TYPES: &[&str] = &["SRV", "A", "AAAA", "CNAME"];
pub const ROUTING_POLICIES: &[&str] = &["MULTIVALUE", "WEIGHTED"];
pub const HEALTH_CHECK_TYPES: &[&str] = &["HTTP", "HTTPS", "TCP"];
/// `ServiceTypeOption`: the only type a request may set; AWS reports DNS_HTTP/HTTP/DNS.
pub const SERVICE_TYPES: &[&str] = &["HTTP"];
const DEFAULT_FAILURE_THRESHOLD: i64 = 1;
const DEFAULT_RESOURCE_PATH: &str = "/";
pub const CUSTOM_THRESHOLD_DEPRECATION: &str = "failure_threshold is deprecated. The argument is no longer supported by AWS and the value is always set to 1. The attribute will be removed in a future major version.";

pub fn schema() -> Schema {
    let record = Block::new()
        .attr(
            Attribute::number("ttl")
                .desc("Seconds resolvers may cache the record.")
                .required()
                .validate(validators::int_between(0, 2_147_483_647)),
        )
        .attr(
            Attribute::string("type")
                .desc("Record type: `A`, `AAAA`, `SRV` or `CNAME`.")
                .required()
                .force_new()
                .validate(validators::one_of(RECORD_TYPES)),
        );
    let dns = Block::new()
        .block(
            NestedBlock::list("dns_records", record)
                .desc("A DNS record created for each instance.")
                .min(1),
        )
        .attr(
            Attribute::string("namespace_id")
                .desc("ID of the namespace.")
                .required()
                .force_new(),
        )
        .attr(
            Attribute::string("routing_policy")
                .desc("`MULTIVALUE` or `WEIGHTED`.")
                .default("MULTIVALUE")
                .force_new()
                .validate(validators::one_of(ROUTING_POLICIES)),
        );
    let health = Block::new()
        .attr(
            Attribute::number("failure_threshold")
                .desc("Route 53 health checks that must fail before the instance is unhealthy.")
                .optional()
                .validate(validators::int_between(1, 10)),
        )
        .attr(
            Attribute::string("resource_path")
                .desc("Path Route 53 requests for the health check.")
                .optional()
                .validate(validators::length(1, 255)),
        )
        .attr(
            Attribute::string("type")
                .desc("`HTTP`, `HTTPS` or `TCP`.")
                .optional()
                .force_new()
                .validate(validators::one_of(HEALTH_CHECK_TYPES)),
        );
    // AWS ignores the custom failure threshold (always 1), so changing it updates only the state;
    // adding or removing the block replaces the service (see `modify_plan`).
    let custom = Block::new().attr(
        Attribute::number("failure_threshold")
            .desc("Deprecated; AWS always uses 1.")
            .optional()
            .deprecated(CUSTOM_THRESHOLD_DEPRECATION),
    );
    let [tags, tags_all] = tags::attributes();
    Schema::new(
        Block::new()
            .attr(
                Attribute::string("arn")
                    .desc("ARN of the service.")
                    .computed(),
            )
            .attr(
                Attribute::string("description")
                    .desc("Description of the service.")
                    .optional(),
            )
            .attr(
                Attribute::bool("force_destroy")
                    .default(false)
                    .client_side()
                    .desc(
                        "On destroy, deregister every instance first (read from state at destroy).",
                    ),
            )
            .attr(
                Attribute::string("id")
                    .desc("ID of the service.")
                    .optional_computed(),
            )
            .attr(
                Attribute::string("name")
                    .desc("Name of the service.")
                    .required()
                    .force_new(),
            )
            .attr(
                Attribute::string("namespace_id")
                    .desc("ID of the namespace, for services without DNS (HTTP namespaces).")
                    .optional_computed()
                    .force_new(),
            )
            .attr(region_attribute())
            .attr(tags)
            .attr(tags_all)
            .attr(
                Attribute::string("type")
                    .desc("`HTTP` for a service discoverable by API only.")
                    .optional_computed()
                    .force_new()
                    .validate(validators::one_of(SERVICE_TYPES)),
            )
            .block(
                NestedBlock::list("dns_config", dns)
                    .desc("DNS records Cloud Map manages for instances.")
                    .max(1),
            )
            .block(
                NestedBlock::list("health_check_config", health)
                    .desc("Route 53 health checks (public DNS namespaces).")
                    .max(1),
            )
            .block(
                NestedBlock::list("health_check_custom_config", custom)
                    .desc("Health status reported by the registrant (e.g. ECS).")
                    .max(1),
            ),
    )
    .desc("Manages a Cloud Map service, which instances (e.g. ECS tasks) register in.")
}

/// Combinations AWS rejects, caught at plan with the attribute path.
pub fn validate(config: &Value, diags: &mut Diagnostics) {
    let health = config.get("health_check_config");
    let custom = config.get("health_check_custom_config");
    if !health.elements().is_empty() && !custom.elements().is_empty() {
        diags.invalid(
            AttrPath::attr("health_check_custom_config"),
            "a service has either health_check_config (Route 53 health checks) or health_check_custom_config (health reported by the caller, e.g. ECS), not both",
        );
    }
    if let Some(h) = health.elements().first() {
        let at = AttrPath::attr("health_check_config").index(0);
        let ty = h.get("type");
        if ty.is_null() {
            diags.invalid(
                at.then("type"),
                "AWS requires the health check type when health_check_config is set: one of \"HTTP\", \"HTTPS\", \"TCP\"",
            );
        }
        if ty.as_str() == Some("TCP") && !h.get("resource_path").is_null() {
            diags.invalid(
                at.then("resource_path"),
                "a TCP health check has no resource_path; remove it or use type \"HTTP\"/\"HTTPS\"",
            );
        }
    }
}

fn int(v: &Value, name: &str) -> Option<i64> {
    v.get(name).as_i64()
}

fn records(block: &Value) -> Vec<DnsRecord> {
    block
        .get("dns_records")
        .elements()
        .iter()
        .filter_map(|r| {
            DnsRecord::builder()
                .r#type(RecordType::from(r.str("type")?))
                .ttl(int(r, "ttl")?)
                .build()
                .ok()
        })
        .collect()
}

/// The namespace to create the service in. AWS deprecated `DnsConfig.NamespaceId` in favour of the
/// top-level `NamespaceId`, so the top level is always sent (from `dns_config` when only that
/// names it); `DnsConfig.NamespaceId` is still sent as well, as hashicorp/aws does.
pub fn namespace_id(planned: &Value) -> Option<String> {
    planned
        .str("namespace_id")
        .or_else(|| {
            planned
                .block("dns_config")
                .and_then(|b| b.str("namespace_id"))
        })
        .map(str::to_string)
}

/// `DnsConfig.NamespaceId` (deprecated by AWS, still reported by older services).
#[allow(deprecated)]
pub fn dns_namespace_id(c: Option<&DnsConfig>) -> Option<&str> {
    c.and_then(|c| c.namespace_id())
}

#[allow(deprecated)]
pub fn dns_config(planned: &Value) -> Option<DnsConfig> {
    let b = planned.block("dns_config")?;
    DnsConfig::builder()
        .set_namespace_id(b.str("namespace_id").map(str::to_string))
        .set_routing_policy(b.str("routing_policy").map(RoutingPolicy::from))
        .set_dns_records(Some(records(b)))
        .build()
        .ok()
}

pub fn dns_config_change(planned: &Value) -> Option<DnsConfigChange> {
    let b = planned.block("dns_config")?;
    DnsConfigChange::builder()
        .set_dns_records(Some(records(b)))
        .build()
        .ok()
}

pub fn health_check_config(planned: &Value) -> Option<HealthCheckConfig> {
    let b = planned.block("health_check_config")?;
    HealthCheckConfig::builder()
        .set_type(b.str("type").map(HealthCheckType::from))
        .set_resource_path(b.str("resource_path").map(str::to_string))
        .set_failure_threshold(int(b, "failure_threshold").and_then(|n| i32::try_from(n).ok()))
        .build()
        .ok()
}

/// The deprecated threshold is still passed through when configured (AWS ignores it).
#[allow(deprecated)]
pub fn health_check_custom_config(planned: &Value) -> Option<HealthCheckCustomConfig> {
    let b = planned.block("health_check_custom_config")?;
    Some(
        HealthCheckCustomConfig::builder()
            .set_failure_threshold(int(b, "failure_threshold").and_then(|n| i32::try_from(n).ok()))
            .build(),
    )
}

/// `dns_config` as read; a missing routing policy keeps the reference's (AWS's default is
/// MULTIVALUE, which is also the schema default); a missing (deprecated) DnsConfig.NamespaceId
/// is the service's top-level namespace.
pub fn flatten_dns(
    c: Option<&DnsConfig>,
    service_namespace: Option<&str>,
    reference: &Value,
) -> Value {
    let Some(c) = c else {
        return Value::List(vec![]);
    };
    let prior = reference.block("dns_config");
    let routing = match c.routing_policy() {
        Some(p) => Value::from(p.as_str()),
        None => prior
            .map(|p| p.get("routing_policy").clone())
            .filter(Value::is_known)
            .unwrap_or_else(|| Value::from("MULTIVALUE")),
    };
    let namespace = match dns_namespace_id(Some(c)).or(service_namespace) {
        Some(n) => Value::from(n),
        None => prior
            .map(|p| p.get("namespace_id").clone())
            .filter(Value::is_known)
            .unwrap_or(Value::Null),
    };
    let recs = c
        .dns_records()
        .iter()
        .map(|r| {
            Value::object([
                ("ttl", Value::int(r.ttl())),
                ("type", Value::from(r.r#type().as_str())),
            ])
        })
        .collect();
    Value::List(vec![Value::object([
        ("dns_records", Value::List(recs)),
        ("namespace_id", namespace),
        ("routing_policy", routing),
    ])])
}

/// An AWS-filled default is reported as unset when the reference did not set it.
fn unless_default(read: Value, default: Value, reference: &Value) -> Value {
    if read == default && (reference.is_null() || reference.is_unknown()) {
        Value::Null
    } else {
        read
    }
}

pub fn flatten_health(c: Option<&HealthCheckConfig>, reference: &Value) -> Value {
    let Some(c) = c else {
        return Value::List(vec![]);
    };
    let prior = reference
        .block("health_check_config")
        .unwrap_or(&Value::Null);
    Value::List(vec![Value::object([
        (
            "failure_threshold",
            unless_default(
                Value::opt_int(c.failure_threshold().map(i64::from)),
                Value::int(DEFAULT_FAILURE_THRESHOLD),
                prior.get("failure_threshold"),
            ),
        ),
        (
            "resource_path",
            unless_default(
                Value::opt_string(c.resource_path()),
                Value::from(DEFAULT_RESOURCE_PATH),
                prior.get("resource_path"),
            ),
        ),
        ("type", Value::from(c.r#type().as_str())),
    ])])
}

/// AWS ignores the custom failure threshold; the state keeps what the configuration said.
pub fn flatten_custom(c: Option<&HealthCheckCustomConfig>, reference: &Value) -> Value {
    if c.is_none() {
        return Value::List(vec![]);
    }
    let kept = reference
        .block("health_check_custom_config")
        .map(|b| b.get("failure_threshold").clone())
        .filter(Value::is_known)
        .unwrap_or(Value::Null);
    Value::List(vec![Value::object([("failure_threshold", kept)])])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::plan::validate_object;

    fn cfg(pairs: Vec<(&str, Value)>) -> Value {
        schema().block.conform(Value::object(pairs))
    }

    fn health(pairs: Vec<(&str, Value)>) -> Value {
        Value::List(vec![Value::object(pairs)])
    }

    #[test]
    fn aws_defaults_read_as_unset_unless_configured() {
        let aws = HealthCheckConfig::builder()
            .r#type(HealthCheckType::Http)
            .failure_threshold(1)
            .resource_path("/")
            .build()
            .unwrap();
        let unset = cfg(vec![(
            "health_check_config",
            health(vec![("type", "HTTP".into())]),
        )]);
        let v = flatten_health(Some(&aws), &unset);
        let b = &v.elements()[0];
        assert_eq!(b.get("failure_threshold"), &Value::Null);
        assert_eq!(b.get("resource_path"), &Value::Null);
        assert_eq!(b.str("type"), Some("HTTP"));

        let set = cfg(vec![(
            "health_check_config",
            health(vec![
                ("type", "HTTP".into()),
                ("failure_threshold", Value::int(1)),
                ("resource_path", "/".into()),
            ]),
        )]);
        let v = flatten_health(Some(&aws), &set);
        assert_eq!(v.elements()[0].i64("failure_threshold"), Some(1));
        assert_eq!(v.elements()[0].str("resource_path"), Some("/"));

        // A real non-default value always shows (drift is reported).
        let other = HealthCheckConfig::builder()
            .r#type(HealthCheckType::Http)
            .failure_threshold(3)
            .resource_path("/health")
            .build()
            .unwrap();
        let v = flatten_health(Some(&other), &unset);
        assert_eq!(v.elements()[0].i64("failure_threshold"), Some(3));
        assert_eq!(v.elements()[0].str("resource_path"), Some("/health"));
    }

    #[test]
    #[allow(deprecated)]
    fn custom_threshold_keeps_the_configured_value() {
        let aws = HealthCheckCustomConfig::builder()
            .failure_threshold(1)
            .build();
        let with = cfg(vec![(
            "health_check_custom_config",
            health(vec![("failure_threshold", Value::int(5))]),
        )]);
        let v = flatten_custom(Some(&aws), &with);
        assert_eq!(v.elements()[0].i64("failure_threshold"), Some(5));
        let imported = flatten_custom(Some(&aws), &Value::Null);
        assert_eq!(
            imported.elements()[0].get("failure_threshold"),
            &Value::Null
        );
        assert_eq!(flatten_custom(None, &with), Value::List(vec![]));
    }

    #[test]
    fn dns_config_round_trips() {
        let planned = cfg(vec![(
            "dns_config",
            Value::List(vec![Value::object([
                ("namespace_id", "ns-1".into()),
                ("routing_policy", "MULTIVALUE".into()),
                (
                    "dns_records",
                    Value::List(vec![Value::object([
                        ("ttl", Value::int(10)),
                        ("type", "A".into()),
                    ])]),
                ),
            ])]),
        )]);
        let c = dns_config(&planned).unwrap();
        let back = flatten_dns(Some(&c), None, &planned);
        assert!(back.equivalent(planned.get("dns_config")), "{back:?}");
        assert_eq!(dns_config_change(&planned).unwrap().dns_records().len(), 1);
    }

    #[test]
    fn plan_time_checks_name_the_path() {
        let b = schema().block;
        let mut d = Diagnostics::new();
        let bad = cfg(vec![
            ("name", "svc".into()),
            ("type", "DNS".into()),
            (
                "health_check_config",
                health(vec![("type", "TCP".into()), ("resource_path", "/x".into())]),
            ),
            ("health_check_custom_config", health(vec![])),
        ]);
        validate_object(&b, &bad, &AttrPath::root(), &mut d);
        validate(&bad, &mut d);
        let paths: Vec<String> =
            d.0.iter()
                .filter_map(|x| x.path.as_ref())
                .map(|p| p.to_string())
                .collect();
        assert!(paths.contains(&"type".to_string()), "{d}");
        assert!(paths.iter().any(|p| p.contains("resource_path")), "{d}");
        assert!(
            paths.contains(&"health_check_custom_config".to_string()),
            "{d}"
        );

        let mut d = Diagnostics::new();
        validate(
            &cfg(vec![(
                "health_check_config",
                health(vec![("failure_threshold", Value::int(2))]),
            )]),
            &mut d,
        );
        assert!(
            d.0[0].detail.contains("requires the health check type"),
            "{d}"
        );
    }
}
