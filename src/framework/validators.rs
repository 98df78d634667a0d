//! Reusable attribute validators. Each runs only on known, non-null values, so configurations
//! with values unknown until apply validate cleanly and are checked again at apply-time plan.

use std::sync::Arc;
use std::time::Duration;

use super::diag::{AttrPath, Diagnostics};
use super::schema::Validator;
use super::value::Value;

fn on_str(f: impl Fn(&str, &AttrPath, &mut Diagnostics) + Send + Sync + 'static) -> Validator {
    Arc::new(move |v, p, d| {
        if let Some(s) = v.as_str() {
            f(s, p, d)
        }
    })
}

/// A string whose length (in characters) is within [min, max].
pub fn length(min: usize, max: usize) -> Validator {
    on_str(move |s, p, d| {
        let n = s.chars().count();
        if n < min || n > max {
            d.invalid(p.clone(), format!("must be between {min} and {max} characters long, got {n}"));
        }
    })
}

/// One of a fixed set of strings.
pub fn one_of(allowed: &'static [&'static str]) -> Validator {
    on_str(move |s, p, d| {
        if !allowed.contains(&s) {
            d.invalid(p.clone(), format!("expected one of {}, got {s:?}", quote_list(allowed)));
        }
    })
}

/// Every character satisfies `ok`; `what` names the allowed set in the message.
pub fn chars(what: &'static str, ok: fn(char) -> bool) -> Validator {
    on_str(move |s, p, d| {
        if let Some(c) = s.chars().find(|c| !ok(*c)) {
            d.invalid(p.clone(), format!("{s:?} contains {c:?}; only {what} are allowed"));
        }
    })
}

/// A number within [min, max].
pub fn int_between(min: i64, max: i64) -> Validator {
    Arc::new(move |v, p, d| {
        if let Some(x) = v.as_f64() {
            if x.fract() != 0.0 || x < min as f64 || x > max as f64 {
                d.invalid(p.clone(), format!("must be a whole number between {min} and {max}, got {}", fmt_num(x)));
            }
        }
    })
}

/// One of a fixed set of whole numbers.
pub fn int_one_of(allowed: &'static [i64]) -> Validator {
    Arc::new(move |v, p, d| {
        if let Some(x) = v.as_f64() {
            if !allowed.iter().any(|a| *a as f64 == x) {
                let list: Vec<String> = allowed.iter().map(|a| a.to_string()).collect();
                d.invalid(p.clone(), format!("must be one of {}, got {}", list.join(", "), fmt_num(x)));
            }
        }
    })
}

/// A JSON document; `what` says what kind (e.g. "an IAM policy document").
pub fn json(what: &'static str) -> Validator {
    on_str(move |s, p, d| {
        if let Err(e) = serde_json::from_str::<serde_json::Value>(s) {
            d.invalid(p.clone(), format!("must be {what} in valid JSON: {e}"));
        }
    })
}

/// An ARN: `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`.
pub fn arn() -> Validator {
    on_str(|s, p, d| {
        if !is_arn(s) {
            d.invalid(p.clone(), format!("{s:?} is not an ARN (expected arn:partition:service:region:account:resource)"));
        }
    })
}

pub fn is_arn(s: &str) -> bool {
    let parts: Vec<&str> = s.splitn(6, ':').collect();
    parts.len() == 6 && parts[0] == "arn" && !parts[1].is_empty() && !parts[2].is_empty() && !parts[5].is_empty()
}

/// A Go-style duration such as "30s", "20m" or "1h30m".
pub fn duration() -> Validator {
    on_str(|s, p, d| {
        if parse_duration(s).is_none() {
            d.invalid(p.clone(), format!("{s:?} is not a duration; use a number with a unit, e.g. \"30s\", \"20m\", \"1h30m\""));
        }
    })
}

/// Parses Go's duration syntax (h, m, s, ms; fractional parts allowed). "0" is zero.
pub fn parse_duration(s: &str) -> Option<Duration> {
    if s == "0" {
        return Some(Duration::ZERO);
    }
    let mut rest = s;
    let mut total = 0f64;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let num_end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        if num_end == 0 {
            return None;
        }
        let n: f64 = rest[..num_end].parse().ok()?;
        rest = &rest[num_end..];
        let unit_end = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let unit = match &rest[..unit_end] {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 0.001,
            _ => return None,
        };
        rest = &rest[unit_end..];
        total += n * unit;
    }
    Some(Duration::from_secs_f64(total))
}

fn quote_list(items: &[&str]) -> String {
    items.iter().map(|s| format!("{s:?}")).collect::<Vec<_>>().join(", ")
}

fn fmt_num(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// Runs a validator outside a schema (for resource-level checks).
pub fn check(v: &Validator, value: &Value, path: AttrPath, diags: &mut Diagnostics) {
    if value.is_known() && !value.is_null() {
        v(value, &path, diags)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(v: Validator, value: Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        check(&v, &value, AttrPath::attr("x"), &mut d);
        d
    }

    #[test]
    fn durations_parse_like_go() {
        assert_eq!(parse_duration("20m"), Some(Duration::from_secs(1200)));
        assert_eq!(parse_duration("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_duration("1.5s"), Some(Duration::from_millis(1500)));
        assert_eq!(parse_duration("0"), Some(Duration::ZERO));
        assert_eq!(parse_duration("20"), None);
        assert_eq!(parse_duration("m"), None);
        assert_eq!(parse_duration(""), None);
        assert_eq!(parse_duration("5 m"), None);
    }

    #[test]
    fn validators_report_path_and_allowed_values() {
        let d = run(one_of(&["A", "B"]), Value::from("C"));
        assert!(d.has_errors());
        assert_eq!(d.0[0].path, Some(AttrPath::attr("x")));
        assert!(d.0[0].detail.contains(r#""A", "B""#), "{}", d.0[0].detail);
        assert!(!run(one_of(&["A"]), Value::from("A")).has_errors());
        assert!(run(int_between(1, 100), Value::int(0)).has_errors());
        assert!(!run(int_between(1, 100), Value::int(100)).has_errors());
        assert!(run(length(1, 3), Value::from("abcd")).has_errors());
        assert!(run(json("a policy"), Value::from("{")).has_errors());
        assert!(!run(json("a policy"), Value::from("{}")).has_errors());
        assert!(run(arn(), Value::from("role/x")).has_errors());
        assert!(!run(arn(), Value::from("arn:aws:iam::123456789012:policy/x")).has_errors());
    }

    #[test]
    fn unknown_and_null_are_not_validated() {
        assert!(!run(one_of(&["A"]), Value::Unknown).has_errors());
        assert!(!run(one_of(&["A"]), Value::Null).has_errors());
    }
}
