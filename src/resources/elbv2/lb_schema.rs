//! The schema of `awsecs_lb`, its plan-time checks, and the table mapping arguments to load
//! balancer attributes (`ModifyLoadBalancerAttributes` keys).

use std::sync::Arc;

use crate::aws::{region_attribute, tags};
use crate::framework::schema::Validator;
use crate::framework::{
    validators, AttrPath, Attribute, Block, Diagnostics, NestedBlock, Schema, Value,
};

/// How an argument is spelled in the attribute API (every value travels as a string).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Bool,
    Int,
    Str,
}

/// One argument stored as a load balancer attribute.
pub struct LbAttr {
    pub name: &'static str,
    pub key: &'static str,
    pub kind: Kind,
}

const fn attr(name: &'static str, key: &'static str, kind: Kind) -> LbAttr {
    LbAttr { name, key, kind }
}

/// The application load balancer attributes this resource manages.
pub const ATTRS: &[LbAttr] = &[
    attr("client_keep_alive", "client_keep_alive.seconds", Kind::Int),
    attr(
        "desync_mitigation_mode",
        "routing.http.desync_mitigation_mode",
        Kind::Str,
    ),
    attr(
        "drop_invalid_header_fields",
        "routing.http.drop_invalid_header_fields.enabled",
        Kind::Bool,
    ),
    attr(
        "enable_cross_zone_load_balancing",
        "load_balancing.cross_zone.enabled",
        Kind::Bool,
    ),
    attr(
        "enable_deletion_protection",
        "deletion_protection.enabled",
        Kind::Bool,
    ),
    attr("enable_http2", "routing.http2.enabled", Kind::Bool),
    attr(
        "enable_tls_version_and_cipher_suite_headers",
        "routing.http.x_amzn_tls_version_and_cipher_suite.enabled",
        Kind::Bool,
    ),
    attr("enable_waf_fail_open", "waf.fail_open.enabled", Kind::Bool),
    attr(
        "enable_xff_client_port",
        "routing.http.xff_client_port.enabled",
        Kind::Bool,
    ),
    attr(
        "enable_zonal_shift",
        "zonal_shift.config.enabled",
        Kind::Bool,
    ),
    attr("idle_timeout", "idle_timeout.timeout_seconds", Kind::Int),
    attr(
        "preserve_host_header",
        "routing.http.preserve_host_header.enabled",
        Kind::Bool,
    ),
    attr(
        "xff_header_processing_mode",
        "routing.http.xff_header_processing.mode",
        Kind::Str,
    ),
];

pub const ACCESS_LOGS_ENABLED: &str = "access_logs.s3.enabled";
pub const ACCESS_LOGS_BUCKET: &str = "access_logs.s3.bucket";
pub const ACCESS_LOGS_PREFIX: &str = "access_logs.s3.prefix";

impl LbAttr {
    /// The API spelling of a known value; None for null or unknown.
    pub fn to_api(&self, v: &Value) -> Option<String> {
        match (self.kind, v) {
            (Kind::Bool, Value::Bool(b)) => Some(b.to_string()),
            (Kind::Int, Value::Number(_)) => v.as_i64().map(|n| n.to_string()),
            (Kind::Str, Value::String(s)) => Some(s.clone()),
            _ => None,
        }
    }
}

impl Kind {
    /// The state value of an API string; None when AWS sent something unreadable.
    pub fn parse(self, s: &str) -> Option<Value> {
        match self {
            Kind::Bool => s.parse::<bool>().ok().map(Value::Bool),
            Kind::Int => s.parse::<i64>().ok().map(Value::int),
            Kind::Str => Some(Value::from(s)),
        }
    }
}

pub fn schema() -> Schema {
    let access_logs = Block::new()
        .attr(
            Attribute::string("bucket")
                .desc("S3 bucket that receives the access logs.")
                .required(),
        )
        .attr(
            Attribute::bool("enabled")
                .desc("Whether access logs are written.")
                .default(false),
        )
        .attr(
            Attribute::string("prefix")
                .desc("Key prefix of the logs in the bucket.")
                .optional(),
        );
    let subnet_mapping = Block::new()
        .attr(
            Attribute::string("allocation_id")
                .desc("Elastic IP allocation ID (Network Load Balancers).")
                .optional(),
        )
        .attr(
            Attribute::string("ipv6_address")
                .desc("IPv6 address of the load balancer in this subnet.")
                .optional(),
        )
        .attr(
            Attribute::string("outpost_id")
                .desc("ID of the Outpost of the subnet.")
                .computed(),
        )
        .attr(
            Attribute::string("private_ipv4_address")
                .desc("Private IPv4 address of the load balancer in this subnet.")
                .optional(),
        )
        .attr(
            Attribute::string("subnet_id")
                .desc("ID of the subnet.")
                .required(),
        );
    let [tags, tags_all] = tags::attributes();
    Schema::new(
        Block::new()
            .attr(Attribute::string("arn").desc("ARN of the load balancer.").computed())
            .attr(Attribute::string("arn_suffix").desc("Last part of the ARN, as used in CloudWatch metrics.").computed())
            .attr(Attribute::number("client_keep_alive").desc("Seconds a client connection may stay open (60 to 604800).").default(3600).validate(validators::int_between(60, 604_800)))
            .attr(Attribute::string("desync_mitigation_mode").desc("How requests that may cause HTTP desync are handled: `monitor`, `defensive` or `strictest`.").default("defensive").validate(validators::one_of(&["monitor", "defensive", "strictest"])))
            .attr(Attribute::string("dns_name").desc("DNS name of the load balancer.").computed())
            .attr(Attribute::bool("drop_invalid_header_fields").desc("Whether headers with invalid names are removed.").default(false))
            .attr(Attribute::bool("enable_cross_zone_load_balancing").desc("Whether targets in every zone get traffic from every zone (always on for ALBs).").optional_computed())
            .attr(Attribute::bool("enable_deletion_protection").default(false).desc("While true, AWS refuses to delete the load balancer: set it to false and apply before destroying."))
            .attr(Attribute::bool("enable_http2").desc("Whether HTTP/2 is enabled.").default(true))
            .attr(Attribute::bool("enable_tls_version_and_cipher_suite_headers").desc("Whether TLS version and cipher headers are added to requests.").default(false))
            .attr(Attribute::bool("enable_waf_fail_open").desc("Whether requests pass when AWS WAF cannot be reached.").default(false))
            .attr(Attribute::bool("enable_xff_client_port").desc("Whether the client port is kept in the X-Forwarded-For header.").default(false))
            .attr(Attribute::bool("enable_zonal_shift").desc("Whether zonal shift is enabled.").default(false))
            .attr(Attribute::string("id").desc("ARN of the load balancer.").optional_computed())
            .attr(Attribute::number("idle_timeout").desc("Seconds a connection may be idle.").default(60).validate(validators::int_between(1, 4000)))
            .attr(Attribute::bool("internal").desc("Whether the load balancer is internal (no public addresses).").optional_computed().force_new())
            .attr(Attribute::string("ip_address_type").desc("`ipv4`, `dualstack` or `dualstack-without-public-ipv4`.").optional_computed().validate(validators::one_of(&["ipv4", "dualstack", "dualstack-without-public-ipv4"])))
            .attr(Attribute::string("load_balancer_type").desc("Type of load balancer; only `application`.").default("application").force_new().validate(type_validator()))
            .attr(
                Attribute::string("name").desc("Name of the load balancer; generated when neither this nor `name_prefix` is set.")
                    .optional_computed()
                    .force_new()
                    .conflicts_with(&["name_prefix"])
                    .validate(super::name_validator("a load balancer name", 32, false))
                    .validate(not_internal()),
            )
            .attr(
                Attribute::string("name_prefix").desc("Creates a unique name starting with this prefix.")
                    .optional_computed()
                    .force_new()
                    .conflicts_with(&["name"])
                    .validate(super::name_validator("a load balancer name prefix", 6, true)),
            )
            .attr(Attribute::bool("preserve_host_header").desc("Whether the Host header is passed to targets unchanged.").default(false))
            .attr(region_attribute())
            .attr(Attribute::string_set("security_groups").desc("IDs of the security groups of the load balancer.").optional_computed())
            .attr(Attribute::string_set("subnets").desc("IDs of the subnets (at least two Availability Zones).").optional_computed())
            .attr(tags)
            .attr(tags_all)
            .attr(Attribute::string("vpc_id").desc("ID of the VPC of the load balancer.").computed())
            .attr(Attribute::string("xff_header_processing_mode").desc("How the X-Forwarded-For header is handled: `append`, `preserve` or `remove`.").default("append").validate(validators::one_of(&["append", "preserve", "remove"])))
            .attr(Attribute::string("zone_id").desc("Route 53 hosted zone ID of the load balancer, for alias records.").computed())
            .block(NestedBlock::list("access_logs", access_logs).desc("Access logs written to S3.").max(1))
            .block(NestedBlock::set("subnet_mapping", subnet_mapping).desc("A subnet of the load balancer, with optional addresses."))
            .timeouts(&["create", "update", "delete"]),
    ).desc("Manages an Application Load Balancer.")
}

fn type_validator() -> Validator {
    Arc::new(|v, path, diags| {
        let Some(s) = v.as_str() else { return };
        if s != "application" {
            let why = if ["network", "gateway"].contains(&s) {
                format!("{s:?} load balancers are not supported by this provider yet; only \"application\" is")
            } else {
                format!("expected \"application\", got {s:?}")
            };
            diags.invalid(path.clone(), why);
        }
    })
}

fn not_internal() -> Validator {
    Arc::new(|v, path, diags| {
        if v.as_str().is_some_and(|s| s.starts_with("internal-")) {
            diags.invalid(
                path.clone(),
                "a load balancer name must not begin with \"internal-\" (AWS reserves it for internal load balancers' DNS names)",
            );
        }
    })
}

/// Cross-attribute checks.
pub fn validate(config: &Value, diags: &mut Diagnostics) {
    let subnets = config.get("subnets");
    let mappings = config.get("subnet_mapping");
    if subnets.is_known() && mappings.is_known() {
        let n_subnets = subnets.elements().len();
        let n_mappings = mappings.elements().len();
        if subnets.is_null() && n_mappings == 0 {
            diags.invalid(
                AttrPath::attr("subnets"),
                "an application load balancer needs subnets (or subnet_mapping blocks) in at least two Availability Zones",
            );
        } else if !subnets.is_null() && n_mappings > 0 {
            diags.invalid(
                AttrPath::attr("subnet_mapping"),
                "set subnets or subnet_mapping, not both",
            );
        } else {
            let (n, at) = if subnets.is_null() {
                (n_mappings, "subnet_mapping")
            } else {
                (n_subnets, "subnets")
            };
            if n < 2 {
                diags.invalid(
                    AttrPath::attr(at),
                    format!("an application load balancer needs subnets in at least two Availability Zones, got {n}"),
                );
            }
        }
    }
    for (i, m) in mappings.elements().iter().enumerate() {
        for nlb_only in ["allocation_id", "ipv6_address", "private_ipv4_address"] {
            if !m.get(nlb_only).is_null() {
                diags.invalid(
                    AttrPath::attr("subnet_mapping").index(i).then(nlb_only),
                    format!("{nlb_only} applies to network load balancers only; application load balancers get their addresses from AWS"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::plan::validate_object;

    fn check(pairs: Vec<(&str, Value)>) -> Diagnostics {
        let b = schema().block;
        let cfg = b.conform(Value::object(pairs));
        let mut d = Diagnostics::new();
        validate_object(&b, &cfg, &AttrPath::root(), &mut d);
        validate(&cfg, &mut d);
        d
    }

    fn two() -> Value {
        Value::string_set(["subnet-1", "subnet-2"])
    }

    #[test]
    fn attributes_round_trip_through_their_api_spelling() {
        for a in ATTRS {
            let v = match a.kind {
                Kind::Bool => Value::Bool(true),
                Kind::Int => Value::int(61),
                Kind::Str => Value::from("monitor"),
            };
            let s = a.to_api(&v).unwrap();
            assert_eq!(a.kind.parse(&s), Some(v), "{}", a.name);
            assert!(schema().block.attribute(a.name).is_some(), "{}", a.name);
        }
        assert_eq!(ATTRS[0].to_api(&Value::Unknown), None);
    }

    #[test]
    fn plan_time_checks_name_the_attribute() {
        assert!(check(vec![("subnets", two())]).is_empty());
        let d = check(vec![
            ("subnets", two()),
            ("load_balancer_type", "network".into()),
        ]);
        assert_eq!(
            d.0[0].path,
            Some(AttrPath::attr("load_balancer_type")),
            "{d}"
        );
        assert!(d.0[0].detail.contains("not supported"), "{d}");
        let d = check(vec![("subnets", two()), ("name", "internal-web".into())]);
        assert_eq!(d.0[0].path, Some(AttrPath::attr("name")), "{d}");
        let d = check(vec![("subnets", Value::string_set(["subnet-1"]))]);
        assert!(d.0[0].detail.contains("at least two"), "{d}");
        let d = check(vec![]);
        assert_eq!(d.0[0].path, Some(AttrPath::attr("subnets")), "{d}");
        let d = check(vec![("subnets", two()), ("idle_timeout", Value::int(0))]);
        assert_eq!(d.0[0].path, Some(AttrPath::attr("idle_timeout")), "{d}");
        let d = check(vec![("subnets", Value::Unknown)]);
        assert!(d.is_empty(), "unknown subnets are checked at apply: {d}");
    }
}
