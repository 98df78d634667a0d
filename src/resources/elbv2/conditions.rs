//! Listener rule conditions (`condition` blocks of `awsecs_lb_listener_rule`): schema, plan-time
//! checks and conversion to and from the ELBv2 API. Each condition block holds exactly one of
//! `host_header`, `http_header`, `http_request_method`, `path_pattern`, `query_string`, `source_ip`.

use std::sync::Arc;

use aws_sdk_elasticloadbalancingv2::types::{
    HostHeaderConditionConfig, HttpHeaderConditionConfig, HttpRequestMethodConditionConfig,
    PathPatternConditionConfig, QueryStringConditionConfig, QueryStringKeyValuePair, RuleCondition,
    SourceIpConditionConfig,
};

use crate::framework::schema::Validator;
use crate::framework::{validators, AttrPath, Attribute, Block, Diagnostics, NestedBlock, Value};

/// Block name and API field of every condition kind.
const KINDS: &[(&str, &str)] = &[
    ("host_header", "host-header"),
    ("http_header", "http-header"),
    ("http_request_method", "http-request-method"),
    ("path_pattern", "path-pattern"),
    ("query_string", "query-string"),
    ("source_ip", "source-ip"),
];

fn values(v: Validator) -> Attribute {
    Attribute::string_set("values")
        .desc("Patterns to match; any one is enough.")
        .required()
        .validate(v)
}

/// The schema of one `condition` element.
pub fn block() -> Block {
    let host = Block::new().attr(values(validators::length(1, 128)));
    let header = Block::new()
        .attr(
            Attribute::string("http_header_name")
                .desc("Name of the HTTP header.")
                .required()
                .validate(validators::length(1, 40)),
        )
        .attr(values(validators::length(1, 128)));
    let method = Block::new().attr(values(validators::chars(
        "upper-case letters, '-' and '_'",
        |c| c.is_ascii_uppercase() || c == '-' || c == '_',
    )));
    let path = Block::new().attr(values(validators::length(1, 128)));
    let query = Block::new()
        .attr(
            Attribute::string("key")
                .desc("Query string key; omit to match any key.")
                .optional()
                .validate(validators::length(1, 128)),
        )
        .attr(
            Attribute::string("value")
                .desc("Query string value pattern.")
                .required()
                .validate(validators::length(1, 128)),
        );
    let source = Block::new().attr(values(cidr()));
    Block::new()
        .block(
            NestedBlock::list("host_header", host)
                .desc("Match the Host header.")
                .max(1),
        )
        .block(
            NestedBlock::list("http_header", header)
                .desc("Match an HTTP header.")
                .max(1),
        )
        .block(
            NestedBlock::list("http_request_method", method)
                .desc("Match the HTTP method.")
                .max(1),
        )
        .block(
            NestedBlock::list("path_pattern", path)
                .desc("Match the request path.")
                .max(1),
        )
        .block(NestedBlock::set("query_string", query).desc("Match query string key/value pairs."))
        .block(
            NestedBlock::list("source_ip", source)
                .desc("Match the client's source IP CIDR.")
                .max(1),
        )
}

/// An IPv4 or IPv6 CIDR block such as `10.0.0.0/8`.
fn cidr() -> Validator {
    Arc::new(|v, path, diags| {
        let Some(s) = v.as_str() else { return };
        let ok = s.split_once('/').is_some_and(|(ip, bits)| {
            match (ip.parse::<std::net::IpAddr>(), bits.parse::<u8>()) {
                (Ok(std::net::IpAddr::V4(_)), Ok(b)) => b <= 32,
                (Ok(std::net::IpAddr::V6(_)), Ok(b)) => b <= 128,
                _ => false,
            }
        });
        if !ok {
            diags.invalid(
                path.clone(),
                format!("{s:?} is not a CIDR block (e.g. \"10.0.0.0/8\" or \"2001:db8::/32\")"),
            );
        }
    })
}

/// Every condition sets exactly one kind.
pub fn validate(conditions: &Value, path: &AttrPath, diags: &mut Diagnostics) {
    for (i, c) in conditions.elements().iter().enumerate() {
        if KINDS.iter().any(|(b, _)| c.get(b).is_unknown()) {
            continue;
        }
        let set: Vec<&str> = KINDS
            .iter()
            .filter(|(b, _)| !c.get(b).elements().is_empty())
            .map(|(b, _)| *b)
            .collect();
        if set.len() != 1 {
            let got = if set.is_empty() {
                "none".to_string()
            } else {
                set.join(", ")
            };
            diags.invalid(
                path.index(i),
                format!("each condition block sets exactly one of host_header, http_header, http_request_method, path_pattern, query_string or source_ip; this one sets {got}"),
            );
        }
    }
}

/// The planned conditions as API conditions.
pub fn expand(conditions: &Value) -> Vec<RuleCondition> {
    conditions
        .elements()
        .iter()
        .filter_map(|c| {
            let b = RuleCondition::builder();
            let vals = |block: &str| c.block(block).map(|x| x.strings("values"));
            if let Some(v) = vals("host_header") {
                return Some(
                    b.field("host-header")
                        .host_header_config(
                            HostHeaderConditionConfig::builder()
                                .set_values(Some(v))
                                .build(),
                        )
                        .build(),
                );
            }
            if let Some(v) = vals("path_pattern") {
                return Some(
                    b.field("path-pattern")
                        .path_pattern_config(
                            PathPatternConditionConfig::builder()
                                .set_values(Some(v))
                                .build(),
                        )
                        .build(),
                );
            }
            if let Some(h) = c.block("http_header") {
                return Some(
                    b.field("http-header")
                        .http_header_config(
                            HttpHeaderConditionConfig::builder()
                                .set_http_header_name(h.str("http_header_name").map(str::to_string))
                                .set_values(Some(h.strings("values")))
                                .build(),
                        )
                        .build(),
                );
            }
            if let Some(v) = vals("http_request_method") {
                return Some(
                    b.field("http-request-method")
                        .http_request_method_config(
                            HttpRequestMethodConditionConfig::builder()
                                .set_values(Some(v))
                                .build(),
                        )
                        .build(),
                );
            }
            if let Some(v) = vals("source_ip") {
                return Some(
                    b.field("source-ip")
                        .source_ip_config(
                            SourceIpConditionConfig::builder()
                                .set_values(Some(v))
                                .build(),
                        )
                        .build(),
                );
            }
            let pairs: Vec<QueryStringKeyValuePair> = c
                .get("query_string")
                .elements()
                .iter()
                .map(|q| {
                    QueryStringKeyValuePair::builder()
                        .set_key(q.str("key").map(str::to_string))
                        .set_value(q.str("value").map(str::to_string))
                        .build()
                })
                .collect();
            (!pairs.is_empty()).then(|| {
                b.field("query-string")
                    .query_string_config(
                        QueryStringConditionConfig::builder()
                            .set_values(Some(pairs))
                            .build(),
                    )
                    .build()
            })
        })
        .collect()
}

/// API conditions → the state's `condition` set.
pub fn flatten(api: &[RuleCondition]) -> Value {
    Value::Set(api.iter().filter_map(flatten_one).collect())
}

fn flatten_one(c: &RuleCondition) -> Option<Value> {
    let field = c.field()?;
    let (block, _) = KINDS.iter().find(|(_, f)| *f == field)?;
    // The *Config structures are authoritative; `Values` is the legacy form of host/path.
    let pick = |cfg: Option<&[String]>| -> Vec<String> {
        cfg.filter(|v| !v.is_empty()).unwrap_or(c.values()).to_vec()
    };
    let one = |v: Value| Value::List(vec![v]);
    let inner = match *block {
        "host_header" => one(Value::object([(
            "values",
            Value::string_set(pick(c.host_header_config().map(|h| h.values()))),
        )])),
        "path_pattern" => one(Value::object([(
            "values",
            Value::string_set(pick(c.path_pattern_config().map(|h| h.values()))),
        )])),
        "http_header" => {
            let h = c.http_header_config()?;
            one(Value::object([
                ("http_header_name", Value::opt_string(h.http_header_name())),
                ("values", Value::string_set(h.values().to_vec())),
            ]))
        }
        "http_request_method" => one(Value::object([(
            "values",
            Value::string_set(c.http_request_method_config()?.values().to_vec()),
        )])),
        "source_ip" => one(Value::object([(
            "values",
            Value::string_set(c.source_ip_config()?.values().to_vec()),
        )])),
        _ => Value::Set(
            c.query_string_config()?
                .values()
                .iter()
                .map(|q| {
                    Value::object([
                        ("key", Value::opt_string(q.key())),
                        ("value", Value::opt_string(q.value())),
                    ])
                })
                .collect(),
        ),
    };
    let mut out = block_template();
    out.set(block, inner);
    Some(out)
}

fn block_template() -> Value {
    Value::object(KINDS.iter().map(|(b, _)| {
        let empty = if *b == "query_string" {
            Value::Set(vec![])
        } else {
            Value::List(vec![])
        };
        (*b, empty)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cond(block: &str, inner: Value) -> Value {
        let mut c = block_template();
        c.set(block, inner);
        c
    }

    #[test]
    fn conditions_round_trip() {
        let set = Value::Set(vec![
            cond(
                "host_header",
                Value::List(vec![Value::object([(
                    "values",
                    Value::string_set(["a.example.com"]),
                )])]),
            ),
            cond(
                "path_pattern",
                Value::List(vec![Value::object([(
                    "values",
                    Value::string_set(["/api/*", "/v2/*"]),
                )])]),
            ),
            cond(
                "http_header",
                Value::List(vec![Value::object([
                    ("http_header_name", "X-Env".into()),
                    ("values", Value::string_set(["blue"])),
                ])]),
            ),
            cond(
                "query_string",
                Value::Set(vec![Value::object([
                    ("key", Value::Null),
                    ("value", "x".into()),
                ])]),
            ),
        ]);
        let back = flatten(&expand(&set));
        assert!(back.equivalent(&set), "{back:?}");
    }

    #[test]
    fn legacy_values_are_read_too() {
        let api = RuleCondition::builder()
            .field("path-pattern")
            .values("/old/*")
            .build();
        let v = flatten(&[api]);
        assert_eq!(
            v.elements()[0].get("path_pattern").elements()[0].strings("values"),
            vec!["/old/*".to_string()]
        );
    }

    #[test]
    fn exactly_one_kind_per_condition() {
        let mut d = Diagnostics::new();
        let both = cond(
            "host_header",
            Value::List(vec![Value::object([("values", Value::string_set(["a"]))])]),
        );
        let mut both = both;
        both.set(
            "path_pattern",
            Value::List(vec![Value::object([("values", Value::string_set(["/"]))])]),
        );
        validate(
            &Value::Set(vec![both, block_template()]),
            &AttrPath::attr("condition"),
            &mut d,
        );
        assert_eq!(d.0.len(), 2, "{d}");
        assert!(d.0[0].detail.contains("host_header, path_pattern"), "{d}");
        assert!(d.0[1].detail.contains("sets none"), "{d}");
    }

    #[test]
    fn source_ip_values_are_cidrs() {
        let mut d = Diagnostics::new();
        validators::check(
            &cidr(),
            &Value::from("10.0.0.0/8"),
            AttrPath::attr("v"),
            &mut d,
        );
        validators::check(&cidr(), &Value::from("::/0"), AttrPath::attr("v"), &mut d);
        assert!(d.is_empty(), "{d}");
        validators::check(
            &cidr(),
            &Value::from("10.0.0.0"),
            AttrPath::attr("v"),
            &mut d,
        );
        validators::check(
            &cidr(),
            &Value::from("10.0.0.0/33"),
            AttrPath::attr("v"),
            &mut d,
        );
        assert_eq!(d.0.len(), 2);
    }
}
