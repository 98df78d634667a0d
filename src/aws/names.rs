//! `name` / `name_prefix` as hashicorp/aws does them: a configured name is used as is, otherwise
//! the name is the prefix (default `terraform-`) plus a unique, time-ordered 26-character suffix,
//! and `name_prefix` is recovered from a name carrying such a suffix.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use crate::framework::schema::Validator;

/// Length of the generated suffix: 18 timestamp digits + 8 hex counter digits.
pub const UNIQUE_SUFFIX_LEN: usize = 26;
pub const DEFAULT_PREFIX: &str = "terraform-";

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// `prefix` + `YYYYMMDDhhmmss` + 4 digits of sub-second time + an 8-hex-digit process counter.
pub fn unique_id(prefix: &str) -> String {
    let now = aws_smithy_types::DateTime::from(std::time::SystemTime::now());
    let secs = aws_smithy_types::DateTime::from_secs(now.secs());
    let stamp: String = secs
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed).wrapping_add(1);
    format!(
        "{prefix}{stamp:0>14}{:04}{n:08x}",
        now.subsec_nanos() / 100_000
    )
}

/// The name to create: the configured one, or a generated one from the prefix.
pub fn generate(name: Option<&str>, prefix: Option<&str>) -> String {
    match (name, prefix) {
        (Some(n), _) if !n.is_empty() => n.to_string(),
        (_, Some(p)) => unique_id(p),
        _ => unique_id(DEFAULT_PREFIX),
    }
}

/// The prefix of a generated name, or None when the name has no unique suffix.
pub fn prefix_from_name(name: &str) -> Option<&str> {
    let cut = name.len().checked_sub(UNIQUE_SUFFIX_LEN)?;
    let (prefix, suffix) = (name.get(..cut)?, name.get(cut..)?);
    let (digits, hex) = suffix.split_at(18);
    let ok = digits.bytes().all(|b| b.is_ascii_digit())
        && hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    (ok && !prefix.is_empty()).then_some(prefix)
}

/// A resource name of at most `max` characters from `allowed` characters (IAM: letters, digits
/// and `+=,.@_-`).
pub fn validator(max: usize, what: &'static str, allowed: fn(char) -> bool) -> Validator {
    Arc::new(move |v, path, diags| {
        let Some(s) = v.as_str() else { return };
        let n = s.chars().count();
        if n == 0 || n > max {
            diags.invalid(
                path.clone(),
                format!("must be between 1 and {max} characters long, got {n}"),
            );
        } else if let Some(c) = s.chars().find(|c| !allowed(*c)) {
            diags.invalid(
                path.clone(),
                format!("{s:?} contains {c:?}; only {what} are allowed"),
            );
        }
    })
}

/// IAM user, role, group and policy name characters.
pub fn iam_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "+=,.@_-".contains(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::{validators, AttrPath, Diagnostics, Value};

    #[test]
    fn generated_names_are_unique_and_recoverable() {
        let a = generate(None, None);
        let b = generate(None, None);
        assert_ne!(a, b);
        assert!(
            a.starts_with("terraform-") && a.len() == "terraform-".len() + UNIQUE_SUFFIX_LEN,
            "{a}"
        );
        assert_eq!(prefix_from_name(&a), Some("terraform-"));
        let p = generate(None, Some("app-role-"));
        assert_eq!(prefix_from_name(&p), Some("app-role-"));
        assert_eq!(generate(Some("fixed"), Some("ignored-")), "fixed");
        // Generated names sort by creation time.
        assert!(a < b, "{a} < {b}");
    }

    #[test]
    fn prefix_needs_a_real_suffix() {
        let cases: &[(&str, Option<&str>)] = &[
            ("my-role", None),
            ("x20240102030405123400000001", Some("x")),
            ("x2024010203040512340000000g", None),
            ("20240102030405123400000001", None),
            ("x2024010203040512340000000A", None),
        ];
        for (name, want) in cases {
            assert_eq!(prefix_from_name(name), *want, "{name}");
        }
    }

    #[test]
    fn name_validator_checks_length_and_charset() {
        let v = validator(64, "letters, digits and +=,.@_-", iam_name_char);
        let run = |s: &str| {
            let mut d = Diagnostics::new();
            validators::check(&v, &Value::from(s), AttrPath::attr("name"), &mut d);
            d
        };
        assert!(run("ok.role+name=1,@_-").is_empty());
        assert!(run(&"a".repeat(65)).has_errors());
        assert!(run("has space").has_errors());
        assert!(run("slash/no").0[0].detail.contains("'/'"));
    }
}
