//! Small pieces the EC2 resources share: hashicorp/aws's "nullable bool" strings, IP protocol
//! spellings, and read helpers that keep "not set" apart from a zero value.
//!
//! Why the read helpers: EC2 omits what was never set, while Terraform distinguishes `null` from
//! `""`, `false`, `0` and `[]`. A value the API does not report reads back as whatever "empty" the
//! prior state held (so `key_name = ""` stays `""` and an unset one stays null), never as an
//! invented zero that would show up as a diff.

use std::sync::Arc;

use crate::framework::schema::Validator;
use crate::framework::{Attribute, Value};

/// Go's `strconv.ParseBool` spellings, which hashicorp/aws's nullable bools accept.
pub fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// A nullable bool (hashicorp/aws `TypeNullableBool`): a string, `""` meaning "not set".
pub fn nullable_bool(name: &str) -> Attribute {
    Attribute::string(name)
        .optional()
        .validate(nullable_bool_validator())
        .equivalent_when(nullable_bool_equivalent)
}

fn nullable_bool_validator() -> Validator {
    Arc::new(|v, path, diags| {
        if let Some(s) = v.as_str() {
            if !s.is_empty() && parse_bool(s).is_none() {
                diags.invalid(
                    path.clone(),
                    format!("{s:?} is not a boolean: use \"true\", \"false\" or \"\" (not set)"),
                );
            }
        }
    })
}

/// `"1"` means the same as `"true"`.
pub fn nullable_bool_equivalent(a: &Value, b: &Value) -> bool {
    match (a.as_str(), b.as_str()) {
        (Some(x), Some(y)) => {
            x.is_empty() && y.is_empty()
                || parse_bool(x).is_some() && parse_bool(x) == parse_bool(y)
        }
        _ => false,
    }
}

/// The value to send for a nullable bool (None when unset or `""`).
pub fn nullable_bool_value(v: &Value) -> Option<bool> {
    v.as_str().and_then(parse_bool)
}

/// A nullable bool read from the API.
pub fn read_nullable_bool(api: Option<bool>, prior: &Value) -> Value {
    match api {
        Some(b) => Value::from(if b { "true" } else { "false" }),
        None => keep_empty(prior, |p| p.as_str() == Some("")),
    }
}

/// An optional string read from the API (`""` from the API counts as unset).
pub fn read_str(api: Option<&str>, prior: &Value) -> Value {
    match api {
        Some(s) if !s.is_empty() => Value::from(s),
        _ => keep_empty(prior, |p| p.as_str() == Some("")),
    }
}

/// An optional number read from the API.
pub fn read_int(api: Option<i64>, prior: &Value) -> Value {
    match api {
        Some(n) => Value::int(n),
        None => keep_empty(prior, |p| p.as_i64() == Some(0)),
    }
}

/// An optional (non-computed) bool read from the API: `false` reads as the prior `false` or null,
/// since hashicorp/aws sends only `true` and AWS reports the rest as absent.
pub fn read_bool(api: Option<bool>, prior: &Value) -> Value {
    match api {
        Some(true) => Value::Bool(true),
        _ => keep_empty(prior, |p| p.as_bool() == Some(false)),
    }
}

/// An optional set of strings read from the API: empty reads as the prior empty set or null.
pub fn read_string_set(api: &[String], prior: &Value) -> Value {
    if api.is_empty() {
        keep_empty(
            prior,
            |p| matches!(p, Value::Set(v) | Value::List(v) if v.is_empty()),
        )
    } else {
        Value::string_set(api.iter().cloned())
    }
}

fn keep_empty(prior: &Value, is_empty: impl Fn(&Value) -> bool) -> Value {
    if is_empty(prior) {
        prior.clone()
    } else {
        Value::Null
    }
}

/// The protocols EC2 names (`-1` is "all"); anything else is a protocol number 0-255.
pub const PROTOCOL_NAMES: &[&str] = &["-1", "tcp", "udp", "icmp", "icmpv6"];

/// The spelling EC2 reports for a protocol: names for 6/17/1/58, `-1` for "all", lowercase.
pub fn canonical_protocol(p: &str) -> String {
    match p.to_ascii_lowercase().as_str() {
        "6" | "tcp" => "tcp".into(),
        "17" | "udp" => "udp".into(),
        "1" | "icmp" => "icmp".into(),
        "58" | "icmpv6" => "icmpv6".into(),
        "all" | "-1" => "-1".into(),
        other => other.to_string(),
    }
}

/// `"6"` means the same as `"tcp"`.
pub fn protocol_equivalent(a: &Value, b: &Value) -> bool {
    match (a.as_str(), b.as_str()) {
        (Some(x), Some(y)) => canonical_protocol(x) == canonical_protocol(y),
        _ => false,
    }
}

/// Why a protocol is not one EC2 accepts, if it is not.
pub fn check_protocol(p: &str) -> Result<(), String> {
    let c = canonical_protocol(p);
    if PROTOCOL_NAMES.contains(&c.as_str()) && c != "-1" || p == "-1" {
        return Ok(());
    }
    match p.parse::<u16>() {
        Ok(n) if n <= 255 && !p.starts_with('+') => Ok(()),
        _ => Err(format!(
            "{p:?} is not an IP protocol: use \"-1\" (all), \"tcp\", \"udp\", \"icmp\", \"icmpv6\" or a protocol number from 0 to 255"
        )),
    }
}

/// Whether EC2 honours port ranges for a protocol (it ignores them for all others).
pub fn protocol_has_ports(p: &str) -> bool {
    matches!(
        canonical_protocol(p).as_str(),
        "tcp" | "udp" | "icmp" | "icmpv6"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nullable_bools_accept_go_spellings() {
        assert_eq!(parse_bool("1"), Some(true));
        assert_eq!(parse_bool("False"), Some(false));
        assert_eq!(parse_bool("yes"), None);
        assert!(nullable_bool_equivalent(&"1".into(), &"true".into()));
        assert!(!nullable_bool_equivalent(&"1".into(), &"false".into()));
        assert!(!nullable_bool_equivalent(&"".into(), &"false".into()));
        assert_eq!(
            read_nullable_bool(Some(true), &Value::Null),
            Value::from("true")
        );
        assert_eq!(read_nullable_bool(None, &Value::from("")), Value::from(""));
        assert_eq!(read_nullable_bool(None, &Value::from("true")), Value::Null);
    }

    #[test]
    fn reads_keep_the_prior_kind_of_empty() {
        assert_eq!(read_str(None, &Value::from("")), Value::from(""));
        assert_eq!(read_str(Some(""), &Value::Null), Value::Null);
        assert_eq!(read_int(None, &Value::int(0)), Value::int(0));
        assert_eq!(read_int(Some(3), &Value::Null), Value::int(3));
        assert_eq!(read_bool(Some(false), &Value::Null), Value::Null);
        assert_eq!(read_bool(None, &Value::Bool(false)), Value::Bool(false));
        assert_eq!(
            read_string_set(&[], &Value::Set(vec![])),
            Value::Set(vec![])
        );
        assert_eq!(read_string_set(&[], &Value::Null), Value::Null);
    }

    #[test]
    fn protocols_have_one_canonical_spelling() {
        assert!(protocol_equivalent(&"6".into(), &"TCP".into()));
        assert!(protocol_equivalent(&"all".into(), &"-1".into()));
        assert!(!protocol_equivalent(&"udp".into(), &"tcp".into()));
        for ok in ["-1", "tcp", "UDP", "icmp", "icmpv6", "50", "0", "255"] {
            assert_eq!(check_protocol(ok), Ok(()), "{ok}");
        }
        for bad in ["all", "256", "-2", "http", "", "+6"] {
            assert!(check_protocol(bad).is_err(), "{bad}");
        }
        assert!(protocol_has_ports("6") && !protocol_has_ports("-1") && !protocol_has_ports("50"));
    }
}
