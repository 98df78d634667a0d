//! The schema of `awsecs_lb_target_group`, its plan-time checks (health check ranges and
//! consistency, target type vs protocol, stickiness vs protocol), and the table of arguments
//! stored as target group attributes.

use std::sync::Arc;

use super::lb_schema::Kind;
use crate::aws::{region_attribute, tags};
use crate::framework::schema::Validator;
use crate::framework::{
    validators, AttrPath, Attribute, Block, Diagnostic, Diagnostics, NestedBlock, Schema, Value,
};

pub const PROTOCOLS: &[&str] = &["HTTP", "HTTPS", "TCP", "TLS", "UDP", "TCP_UDP", "GENEVE"];
const HTTP_LIKE: &[&str] = &["HTTP", "HTTPS"];
const TCP_LIKE: &[&str] = &["TCP", "TLS", "UDP", "TCP_UDP"];

/// One argument stored as a target group attribute, and the target types it applies to.
pub struct TgAttr {
    pub name: &'static str,
    pub key: &'static str,
    pub kind: Kind,
    pub lambda: bool,
}

const fn tg(name: &'static str, key: &'static str, kind: Kind, lambda: bool) -> TgAttr {
    TgAttr {
        name,
        key,
        kind,
        lambda,
    }
}

/// Attributes for `instance`/`ip` target groups (`lambda: false`) or `lambda` ones (`true`).
pub const ATTRS: &[TgAttr] = &[
    tg(
        "connection_termination",
        "deregistration_delay.connection_termination.enabled",
        Kind::Bool,
        false,
    ),
    tg(
        "deregistration_delay",
        "deregistration_delay.timeout_seconds",
        Kind::Str,
        false,
    ),
    tg(
        "lambda_multi_value_headers_enabled",
        "lambda.multi_value_headers.enabled",
        Kind::Bool,
        true,
    ),
    tg(
        "load_balancing_algorithm_type",
        "load_balancing.algorithm.type",
        Kind::Str,
        false,
    ),
    tg(
        "load_balancing_anomaly_mitigation",
        "load_balancing.algorithm.anomaly_mitigation",
        Kind::Str,
        false,
    ),
    tg(
        "load_balancing_cross_zone_enabled",
        "load_balancing.cross_zone.enabled",
        Kind::Str,
        false,
    ),
    tg(
        "preserve_client_ip",
        "preserve_client_ip.enabled",
        Kind::Str,
        false,
    ),
    tg(
        "proxy_protocol_v2",
        "proxy_protocol_v2.enabled",
        Kind::Bool,
        false,
    ),
    tg(
        "slow_start",
        "slow_start.duration_seconds",
        Kind::Int,
        false,
    ),
];

impl TgAttr {
    pub fn applies_to(&self, target_type: &str) -> bool {
        match target_type {
            "lambda" => self.lambda,
            "instance" | "ip" => !self.lambda,
            _ => false,
        }
    }

    /// The API spelling; on create (`create`) only values that differ from AWS's "off"
    /// (true, positive, non-empty) are sent, as hashicorp/aws does.
    pub fn to_api(&self, v: &Value, create: bool) -> Option<String> {
        let s = match (self.kind, v) {
            (Kind::Bool, Value::Bool(b)) if *b || !create => b.to_string(),
            (Kind::Int, Value::Number(_)) => {
                let n = v.as_i64()?;
                if create && n <= 0 {
                    return None;
                }
                n.to_string()
            }
            (Kind::Str, Value::String(s)) if !s.is_empty() || !create => s.clone(),
            _ => return None,
        };
        Some(s)
    }
}

fn upper_eq(a: &Value, b: &Value) -> bool {
    matches!((a.as_str(), b.as_str()), (Some(x), Some(y)) if x.eq_ignore_ascii_case(y))
}

/// `one_of` that accepts any letter case (AWS upper-cases these).
fn one_of_any_case(allowed: &'static [&'static str]) -> Validator {
    Arc::new(move |v, path, diags| {
        let Some(s) = v.as_str() else { return };
        if !allowed.iter().any(|a| a.eq_ignore_ascii_case(s)) {
            diags.invalid(
                path.clone(),
                format!("expected one of {}, got {s:?}", quoted(allowed)),
            );
        }
    })
}

fn quoted(items: &[&str]) -> String {
    items
        .iter()
        .map(|s| format!("{s:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A whole number in a string (hashicorp/aws keeps `deregistration_delay` as a string).
fn int_string(min: i64, max: i64) -> Validator {
    Arc::new(move |v, path, diags| {
        let Some(s) = v.as_str() else { return };
        if !s.parse::<i64>().is_ok_and(|n| (min..=max).contains(&n)) {
            diags.invalid(
                path.clone(),
                format!("must be a whole number between {min} and {max}, got {s:?}"),
            );
        }
    })
}

fn health_check_port() -> Validator {
    Arc::new(|v, path, diags| {
        let Some(s) = v.as_str() else { return };
        if s != "traffic-port" && !s.parse::<u16>().is_ok_and(|p| p >= 1) {
            diags.invalid(
                path.clone(),
                format!("must be \"traffic-port\" or a port number between 1 and 65535, got {s:?}"),
            );
        }
    })
}

fn slow_start() -> Validator {
    Arc::new(|v, path, diags| {
        let Some(n) = v.as_f64() else { return };
        if !(n == 0.0 || (30.0..=900.0).contains(&n)) || n.fract() != 0.0 {
            diags.invalid(
                path.clone(),
                format!("must be 0 (off) or between 30 and 900 seconds, got {n}"),
            );
        }
    })
}

fn matcher() -> Validator {
    Arc::new(|v, path, diags| {
        let Some(s) = v.as_str() else { return };
        let ok = !s.is_empty()
            && s.split(',').all(|part| {
                let mut r = part.splitn(2, '-');
                r.all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            });
        if !ok {
            diags.invalid(
                path.clone(),
                format!("must be status codes like \"200\", \"200,202\" or \"200-299\", got {s:?}"),
            );
        }
    })
}

fn health_check_path() -> Validator {
    Arc::new(|v, path, diags| {
        let Some(s) = v.as_str() else { return };
        if !s.starts_with('/') || s.len() > 1024 {
            diags.invalid(
                path.clone(),
                format!("must start with \"/\" and be at most 1024 characters long, got {s:?}"),
            );
        }
    })
}

pub fn schema() -> Schema {
    let health = Block::new()
        .attr(
            Attribute::bool("enabled")
                .desc("Whether health checks are enabled.")
                .default(true),
        )
        .attr(
            Attribute::number("healthy_threshold")
                .desc("Consecutive successes before a target is healthy.")
                .default(3)
                .validate(validators::int_between(2, 10)),
        )
        .attr(
            Attribute::number("interval")
                .desc("Seconds between health checks.")
                .default(30)
                .validate(validators::int_between(5, 300)),
        )
        .attr(
            Attribute::string("matcher")
                .desc("HTTP codes meaning healthy, e.g. `200` or `200-299`.")
                .optional_computed()
                .validate(matcher()),
        )
        .attr(
            Attribute::string("path")
                .desc("Path of the health check request.")
                .optional_computed()
                .validate(health_check_path()),
        )
        .attr(
            Attribute::string("port")
                .desc("Port of the health check; `traffic-port` uses each target's port.")
                .default("traffic-port")
                .validate(health_check_port()),
        )
        .attr(
            Attribute::string("protocol")
                .desc("Protocol of the health check.")
                .default("HTTP")
                .equivalent_when(upper_eq)
                .validate(one_of_any_case(&["HTTP", "HTTPS", "TCP"])),
        )
        .attr(
            Attribute::number("timeout")
                .desc("Seconds without a response before a check fails.")
                .optional_computed()
                .validate(validators::int_between(2, 120)),
        )
        .attr(
            Attribute::number("unhealthy_threshold")
                .desc("Consecutive failures before a target is unhealthy.")
                .default(3)
                .validate(validators::int_between(2, 10)),
        );
    let stickiness = Block::new()
        .attr(
            Attribute::number("cookie_duration")
                .desc("Seconds a client sticks to a target (1 to 604800).")
                .default(86400)
                .validate(validators::int_between(0, 604_800)),
        )
        .attr(
            Attribute::string("cookie_name")
                .desc("Name of the application cookie, for `app_cookie` stickiness.")
                .optional(),
        )
        .attr(
            Attribute::bool("enabled")
                .desc("Whether stickiness is enabled.")
                .default(true),
        )
        .attr(
            Attribute::string("type")
                .desc("Stickiness type: `lb_cookie` or `app_cookie`.")
                .required()
                .validate(validators::one_of(&[
                    "lb_cookie",
                    "app_cookie",
                    "source_ip",
                    "source_ip_dest_ip",
                    "source_ip_dest_ip_proto",
                ])),
        );
    let [tags, tags_all] = tags::attributes();
    Schema::new(
        Block::new()
            .attr(Attribute::string("arn").desc("ARN of the target group.").computed())
            .attr(Attribute::string("arn_suffix").desc("Last part of the ARN, as used in CloudWatch metrics.").computed())
            .attr(Attribute::bool("connection_termination").desc("Whether connections are closed at the end of the deregistration delay (NLB).").optional_computed())
            .attr(
                Attribute::string("deregistration_delay").desc("Seconds to let in-flight requests finish before a target is deregistered.")
                    .default("300")
                    .validate(int_string(0, 3600)),
            )
            .attr(Attribute::string("id").desc("ARN of the target group.").optional_computed())
            .attr(
                Attribute::string("ip_address_type").desc("`ipv4` or `ipv6`, for `ip` targets.")
                    .optional_computed()
                    .force_new()
                    .validate(validators::one_of(&["ipv4", "ipv6"])),
            )
            .attr(Attribute::bool("lambda_multi_value_headers_enabled").desc("Whether multi-value headers are passed to Lambda targets.").default(false))
            .attr(Attribute::string_set("load_balancer_arns").desc("ARNs of the load balancers that use the target group.").computed())
            .attr(
                Attribute::string("load_balancing_algorithm_type").desc("`round_robin`, `least_outstanding_requests` or `weighted_random`.")
                    .optional_computed()
                    .validate(validators::one_of(&[
                        "round_robin",
                        "least_outstanding_requests",
                        "weighted_random",
                    ])),
            )
            .attr(
                Attribute::string("load_balancing_anomaly_mitigation").desc("Whether anomaly mitigation is on (`weighted_random` only).")
                    .optional_computed()
                    .validate(validators::one_of(&["on", "off"])),
            )
            .attr(
                Attribute::string("load_balancing_cross_zone_enabled").desc("`true`, `false` or `use_load_balancer_configuration`.")
                    .optional_computed()
                    .validate(validators::one_of(&[
                        "true",
                        "false",
                        "use_load_balancer_configuration",
                    ])),
            )
            .attr(
                Attribute::string("name").desc("Name of the target group; generated when neither this nor `name_prefix` is set.")
                    .optional_computed()
                    .force_new()
                    .conflicts_with(&["name_prefix"])
                    .validate(super::name_validator("a target group name", 32, false)),
            )
            .attr(
                Attribute::string("name_prefix").desc("Creates a unique name starting with this prefix.")
                    .optional_computed()
                    .force_new()
                    .conflicts_with(&["name"])
                    .validate(super::name_validator("a target group name prefix", 6, true)),
            )
            .attr(
                Attribute::number("port").desc("Port targets receive traffic on, unless registered with another.")
                    .optional()
                    .force_new()
                    .validate(validators::int_between(1, 65535)),
            )
            .attr(
                Attribute::string("preserve_client_ip").desc("Whether client IPs are preserved (NLB).")
                    .optional_computed()
                    .validate(validators::one_of(&["true", "false"])),
            )
            .attr(
                Attribute::string("protocol").desc("Protocol to targets, e.g. `HTTP` or `HTTPS`.")
                    .optional()
                    .force_new()
                    .validate(validators::one_of(PROTOCOLS)),
            )
            .attr(
                Attribute::string("protocol_version").desc("`HTTP1`, `HTTP2` or `GRPC`.")
                    .optional_computed()
                    .force_new()
                    .equivalent_when(upper_eq)
                    .validate(one_of_any_case(&["GRPC", "HTTP1", "HTTP2"])),
            )
            .attr(Attribute::bool("proxy_protocol_v2").desc("Whether Proxy Protocol v2 is enabled (NLB).").default(false))
            .attr(region_attribute())
            .attr(
                Attribute::number("slow_start").desc("Seconds a new target ramps up its share of traffic (0 disables).")
                    .default(0)
                    .validate(slow_start()),
            )
            .attr(tags)
            .attr(tags_all)
            .attr(
                Attribute::string("target_type").desc("Target type: `instance`, `ip`, `lambda` or `alb`.")
                    .default("instance")
                    .force_new()
                    .validate(validators::one_of(&["instance", "ip", "lambda", "alb"])),
            )
            .attr(Attribute::string("vpc_id").desc("ID of the VPC of the targets.").optional().force_new())
            .block(NestedBlock::list("health_check", health).desc("Health checks of the targets.").max(1))
            .block(NestedBlock::list("stickiness", stickiness).desc("Session stickiness.").max(1)),
    ).desc("Manages a load balancer target group.")
}

fn upper(v: &Value) -> Option<String> {
    v.as_str().map(str::to_ascii_uppercase)
}

/// Cross-attribute checks; every message names the attribute and what is allowed.
pub fn validate(config: &Value, diags: &mut Diagnostics) {
    let target_type = match config.get("target_type") {
        Value::Null => "instance",
        v => match v.as_str() {
            Some(s) => s,
            None => return, // unknown: checked again at apply
        },
    };
    let protocol = upper(config.get("protocol"));
    if target_type == "lambda" {
        for attr in ["port", "protocol", "protocol_version", "vpc_id"] {
            if !config.get(attr).is_null() {
                diags.invalid(
                    AttrPath::attr(attr),
                    format!("{attr} cannot be set for target groups with target_type = \"lambda\""),
                );
            }
        }
    } else {
        for attr in ["port", "protocol", "vpc_id"] {
            if config.get(attr).is_null() {
                diags.push(
                    Diagnostic::error(
                        "Missing required argument",
                        format!("{attr} is required for target groups with target_type = {target_type:?}"),
                    )
                    .at(AttrPath::attr(attr)),
                );
            }
        }
    }
    if target_type == "alb" && protocol.as_deref().is_some_and(|p| p != "TCP") {
        diags.invalid(
            AttrPath::attr("protocol"),
            "target groups with target_type = \"alb\" (an ALB behind an NLB) use protocol = \"TCP\"",
        );
    }
    let http = protocol.as_deref().is_some_and(|p| HTTP_LIKE.contains(&p));
    if !config.get("protocol_version").is_null() && protocol.is_some() && !http {
        diags.invalid(
            AttrPath::attr("protocol_version"),
            "protocol_version only applies to HTTP and HTTPS target groups",
        );
    }
    if let Some(hc) = config.block("health_check") {
        validate_health_check(hc, protocol.as_deref(), diags);
    }
    if let Some(s) = config.block("stickiness") {
        validate_stickiness(s, protocol.as_deref(), diags);
    }
}

fn validate_health_check(hc: &Value, protocol: Option<&str>, diags: &mut Diagnostics) {
    let at = |k: &str| AttrPath::attr("health_check").index(0).then(k);
    let hc_protocol = match hc.get("protocol") {
        Value::Null => Some("HTTP".to_string()),
        v => upper(v),
    };
    let interval = match hc.get("interval") {
        Value::Null => Some(30),
        v => v.as_i64(),
    };
    // Out-of-range values already have their own error; comparing them would only add noise.
    let interval = interval.filter(|i| (5..=300).contains(i));
    let timeout = hc.get("timeout").as_i64().filter(|t| (2..=120).contains(t));
    if let (Some(t), Some(i), Some(p)) = (timeout, interval, hc_protocol.as_deref()) {
        if HTTP_LIKE.contains(&p) && t >= i {
            diags.invalid(
                at("timeout"),
                format!("the health check timeout ({t}s) must be smaller than the interval ({i}s) for {p} health checks"),
            );
        } else if t > i {
            diags.invalid(
                at("timeout"),
                format!("the health check timeout ({t}s) must not exceed the interval ({i}s)"),
            );
        }
    }
    if hc_protocol.as_deref() == Some("TCP") {
        for k in ["path", "matcher"] {
            if !hc.get(k).is_null() {
                diags.invalid(
                    at(k),
                    format!("health_check.{k} cannot be set when health_check.protocol is \"TCP\""),
                );
            }
        }
        if protocol.is_some_and(|p| HTTP_LIKE.contains(&p)) {
            diags.invalid(
                at("protocol"),
                "TCP health checks are not supported for HTTP and HTTPS target groups; use \"HTTP\" or \"HTTPS\"",
            );
        }
    }
}

fn validate_stickiness(s: &Value, protocol: Option<&str>, diags: &mut Diagnostics) {
    let at = |k: &str| AttrPath::attr("stickiness").index(0).then(k);
    let (Some(ty), Some(p)) = (s.get("type").as_str(), protocol) else {
        return;
    };
    let allowed: &[&str] = match ty {
        "lb_cookie" | "app_cookie" => HTTP_LIKE,
        "source_ip" => TCP_LIKE,
        _ => &["GENEVE"],
    };
    if !allowed.contains(&p) {
        diags.invalid(
            at("type"),
            format!(
                "stickiness type {ty:?} needs protocol {}, this target group uses {p:?}",
                quoted(allowed)
            ),
        );
    }
    if ty == "app_cookie" && s.get("cookie_name").is_null() {
        diags.invalid(
            at("cookie_name"),
            "stickiness type \"app_cookie\" needs cookie_name (the application's cookie)",
        );
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

    fn http(extra: Vec<(&'static str, Value)>) -> Vec<(&'static str, Value)> {
        let mut v = vec![
            ("port", Value::int(80)),
            ("protocol", "HTTP".into()),
            ("vpc_id", "vpc-1".into()),
        ];
        v.extend(extra);
        v
    }

    fn hc(pairs: Vec<(&str, Value)>) -> Value {
        Value::List(vec![Value::object(pairs)])
    }

    fn hc_path(k: &str) -> Option<AttrPath> {
        Some(AttrPath::attr("health_check").index(0).then(k))
    }

    #[test]
    fn health_check_ranges_and_consistency() {
        assert!(check(http(vec![])).is_empty());
        let d = check(http(vec![(
            "health_check",
            hc(vec![("interval", Value::int(1))]),
        )]));
        assert_eq!(d.0.len(), 1, "{d}");
        assert_eq!(d.0[0].path, hc_path("interval"));
        assert!(d.0[0].detail.contains("between 5 and 300"), "{d}");
        let d = check(http(vec![(
            "health_check",
            hc(vec![
                ("interval", Value::int(10)),
                ("timeout", Value::int(10)),
            ]),
        )]));
        assert_eq!(d.0[0].path, hc_path("timeout"), "{d}");
        assert!(d.0[0].detail.contains("smaller than the interval"), "{d}");
        // The default interval (30) counts when only the timeout is set.
        let d = check(http(vec![(
            "health_check",
            hc(vec![("timeout", Value::int(40))]),
        )]));
        assert_eq!(d.0[0].path, hc_path("timeout"), "{d}");
        let d = check(http(vec![(
            "health_check",
            hc(vec![("protocol", "TCP".into())]),
        )]));
        assert_eq!(d.0[0].path, hc_path("protocol"), "{d}");
        let d = check(http(vec![(
            "health_check",
            hc(vec![("port", "70000".into())]),
        )]));
        assert_eq!(d.0[0].path, hc_path("port"), "{d}");
        let d = check(http(vec![(
            "health_check",
            hc(vec![("matcher", "2xx".into())]),
        )]));
        assert_eq!(d.0[0].path, hc_path("matcher"), "{d}");
    }

    #[test]
    fn target_type_decides_what_is_required() {
        let d = check(vec![
            ("target_type", "lambda".into()),
            ("port", Value::int(80)),
        ]);
        assert_eq!(d.0[0].path, Some(AttrPath::attr("port")), "{d}");
        let d = check(vec![("target_type", "ip".into())]);
        assert_eq!(d.0.len(), 3, "port, protocol and vpc_id: {d}");
        let d = check(vec![
            ("target_type", "alb".into()),
            ("port", Value::int(80)),
            ("protocol", "HTTP".into()),
            ("vpc_id", "vpc-1".into()),
        ]);
        assert_eq!(d.0[0].path, Some(AttrPath::attr("protocol")), "{d}");
        let d = check(http(vec![("port", Value::int(0))]));
        assert_eq!(d.0[0].path, Some(AttrPath::attr("port")), "{d}");
    }

    #[test]
    fn other_attribute_ranges() {
        let d = check(http(vec![("deregistration_delay", "3601".into())]));
        assert_eq!(
            d.0[0].path,
            Some(AttrPath::attr("deregistration_delay")),
            "{d}"
        );
        let d = check(http(vec![("slow_start", Value::int(10))]));
        assert_eq!(d.0[0].path, Some(AttrPath::attr("slow_start")), "{d}");
        let sticky = Value::List(vec![Value::object([("type", "source_ip".into())])]);
        let d = check(http(vec![("stickiness", sticky)]));
        assert_eq!(
            d.0[0].path,
            Some(AttrPath::attr("stickiness").index(0).then("type")),
            "{d}"
        );
        let d = check(http(vec![("name", "a_b".into())]));
        assert_eq!(d.0[0].path, Some(AttrPath::attr("name")), "{d}");
    }

    #[test]
    fn attributes_are_sent_like_hashicorp_aws() {
        let slow = ATTRS.iter().find(|a| a.name == "slow_start").unwrap();
        assert_eq!(slow.to_api(&Value::int(0), true), None);
        assert_eq!(slow.to_api(&Value::int(0), false).as_deref(), Some("0"));
        let pp = ATTRS
            .iter()
            .find(|a| a.name == "proxy_protocol_v2")
            .unwrap();
        assert_eq!(pp.to_api(&Value::Bool(false), true), None);
        assert!(pp.applies_to("ip") && !pp.applies_to("lambda") && !pp.applies_to("alb"));
        for a in ATTRS {
            assert!(schema().block.attribute(a.name).is_some(), "{}", a.name);
        }
    }
}
