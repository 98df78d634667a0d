//! Turning API answers into state without inventing diffs. AWS says "unset" in several ways (an
//! omitted field, `false`, `0`, `""`, an empty list) where Terraform tells null from a zero value,
//! and a planned `null` that comes back as `[]` fails the apply ("inconsistent result"). These
//! helpers pick the spelling the reference (the prior state on read, the plan on apply) uses.

use crate::framework::Value;

/// A zero value: `false`, `0`, `""` or an empty collection.
pub fn is_zero(v: &Value) -> bool {
    match v {
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == 0.0,
        Value::String(s) => s.is_empty(),
        Value::List(v) | Value::Set(v) => v.is_empty(),
        Value::Map(m) => m.is_empty(),
        _ => false,
    }
}

/// An optional argument as the API reports it. `None` (the response omits the field) keeps the
/// reference's known value rather than inventing a diff; a zero value reads as null unless the
/// reference holds a value (then it is real drift, or the configured zero).
pub fn optional(api: Option<Value>, reference: &Value) -> Value {
    match api {
        None if reference.is_known() => reference.clone(),
        None => Value::Null,
        Some(v) if is_zero(&v) && (reference.is_null() || reference.is_unknown()) => Value::Null,
        Some(v) => v,
    }
}

/// A set attribute read from an API list: empty reads as null unless the reference holds a
/// collection (the configuration says `[]`, or the state has elements that are now gone).
pub fn set_or_null(items: Vec<Value>, reference: &Value) -> Value {
    if items.is_empty() && !matches!(reference, Value::Set(_) | Value::List(_)) {
        Value::Null
    } else {
        Value::Set(items)
    }
}

/// [`set_or_null`] for list attributes.
pub fn list_or_null(items: Vec<Value>, reference: &Value) -> Value {
    if items.is_empty() && !matches!(reference, Value::Set(_) | Value::List(_)) {
        Value::Null
    } else {
        Value::List(items)
    }
}

/// [`set_or_null`] for a set of strings.
pub fn string_set_or_null<S: AsRef<str>>(items: &[S], reference: &Value) -> Value {
    set_or_null(
        items
            .iter()
            .map(|s| Value::string(s.as_ref().to_string()))
            .collect(),
        reference,
    )
}

/// An `i32` API field as a number value.
pub fn int(v: Option<i32>) -> Option<Value> {
    v.map(|n| Value::int(i64::from(n)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn optional_keeps_null_for_zero_and_prior_for_omitted() {
        let cases: Vec<(&str, Option<Value>, Value, Value)> = vec![
            ("omitted keeps prior", None, Value::int(5), Value::int(5)),
            ("omitted, unknown plan", None, Value::Unknown, Value::Null),
            ("zero, unset", Some(Value::int(0)), Value::Null, Value::Null),
            ("false, unset", Some(false.into()), Value::Null, Value::Null),
            (
                "zero configured",
                Some(Value::int(0)),
                Value::int(0),
                Value::int(0),
            ),
            (
                "drift to zero",
                Some(Value::int(0)),
                Value::int(7),
                Value::int(0),
            ),
            ("value", Some("x".into()), Value::Null, "x".into()),
        ];
        for (name, api, reference, want) in cases {
            assert_eq!(optional(api, &reference), want, "{name}");
        }
    }

    #[test]
    fn empty_collections_follow_the_reference() {
        assert_eq!(set_or_null(vec![], &Value::Null), Value::Null);
        assert_eq!(set_or_null(vec![], &Value::Unknown), Value::Null);
        assert_eq!(set_or_null(vec![], &Value::Set(vec![])), Value::Set(vec![]));
        assert_eq!(
            string_set_or_null(&["a"], &Value::Null),
            Value::string_set(["a"])
        );
        assert_eq!(
            list_or_null(vec![], &Value::string_list(["Default"])),
            Value::List(vec![])
        );
    }
}
