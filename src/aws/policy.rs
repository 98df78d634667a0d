//! IAM policy documents: validation, URL-decoding of what IAM returns, and semantic equivalence,
//! so a reformatted or re-ordered policy (or IAM's own rewriting of it) never shows up as a diff.
//!
//! Two documents are equivalent when they grant the same thing: JSON key order and whitespace do
//! not matter; `Statement` may be one object or an array; `Action`/`NotAction`/`Resource`/
//! `NotResource`, principal and condition values may be a string or an array, in any order, with
//! duplicates; `"Principal": "*"` equals `{"AWS": "*"}`; an account ID principal equals its
//! `arn:...:iam::ID:root` form (IAM rewrites the former into the latter); an empty `Sid` equals
//! none; condition scalars compare as strings (IAM returns `true` as `"true"`).

use std::sync::Arc;

use serde_json::{Map, Value as Json};

use crate::framework::schema::Validator;
use crate::framework::{validators, Value};

/// Statement keys whose value is a string or a set of strings.
const LIST_KEYS: &[&str] = &["Action", "NotAction", "Resource", "NotResource"];
const PRINCIPAL_KEYS: &[&str] = &["Principal", "NotPrincipal"];

/// Validators for an attribute holding an IAM policy document: valid JSON, and a JSON *object*
/// (hashicorp/aws `ValidIAMPolicyJSON`: leading blanks, encoded strings and arrays are rejected).
pub fn validators() -> Vec<Validator> {
    vec![validators::json("an IAM policy document"), shape()]
}

fn shape() -> Validator {
    Arc::new(|v, path, diags| {
        let Some(s) = v.as_str() else { return };
        let problem = match s.chars().next() {
            None => Some("the policy is empty"),
            Some('{') => None,
            Some(' ' | '\t' | '\r' | '\n') => Some("leading space characters are not allowed"),
            Some('"') => Some("it is a JSON-encoded string, not a JSON object"),
            Some('[') => Some("it is a JSON array, not a JSON object"),
            Some(_) => None, // not JSON at all: the JSON validator already reported it
        };
        if let Some(p) = problem {
            diags.invalid(path.clone(), format!("invalid IAM policy document: {p}"));
        }
    })
}

/// Schema equivalence hook (`Attribute::equivalent_when`): both strings are equivalent policies.
pub fn equivalent_values(a: &Value, b: &Value) -> bool {
    match (a.as_str(), b.as_str()) {
        (Some(a), Some(b)) => equivalent(a, b),
        _ => false,
    }
}

/// Whether two policy documents (JSON text) mean the same. Unparseable text is only equal to
/// itself.
pub fn equivalent(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    match (canonical_string(a), canonical_string(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// The semantic normal form of a policy, as compact JSON text.
pub fn canonical_string(s: &str) -> Result<String, serde_json::Error> {
    let v: Json = serde_json::from_str(s)?;
    Ok(canonical(&v).to_string())
}

/// Policy documents as IAM returns them (RFC 3986 percent-encoded) → plain JSON. Text that is
/// not validly encoded is returned unchanged.
pub fn from_api(doc: &str) -> String {
    url_decode(doc).unwrap_or_else(|| doc.to_string())
}

/// Query-string unescaping (`%XX` → byte, `+` → space), as Go's `url.QueryUnescape`. None when a
/// `%` escape is malformed or the result is not UTF-8.
pub fn url_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes.get(i + 1..i + 3)?;
                let hex = std::str::from_utf8(hex).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

fn sorted(v: &Json) -> Json {
    match v {
        Json::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            Json::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), sorted(&m[k])))
                    .collect(),
            )
        }
        Json::Array(a) => Json::Array(a.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// The semantic normal form of a parsed policy document.
pub fn canonical(doc: &Json) -> Json {
    let Json::Object(top) = doc else {
        return sorted(doc);
    };
    let mut out = Map::new();
    for (k, v) in top {
        let v = if k == "Statement" {
            let statements: Vec<Json> = match v {
                Json::Array(items) => items.iter().map(canonical_statement).collect(),
                single => vec![canonical_statement(single)],
            };
            let mut statements = dedup_sorted(statements);
            statements.sort_by_key(|s| s.to_string());
            Json::Array(statements)
        } else {
            sorted(v)
        };
        out.insert(k.clone(), v);
    }
    sorted(&Json::Object(out))
}

fn canonical_statement(st: &Json) -> Json {
    let Json::Object(m) = st else {
        return sorted(st);
    };
    let mut out = Map::new();
    for (k, v) in m {
        let key = k.as_str();
        let v = if LIST_KEYS.contains(&key) {
            string_set(v)
        } else if PRINCIPAL_KEYS.contains(&key) {
            principal(v)
        } else if key == "Condition" {
            condition(v)
        } else if key == "Sid" && v.as_str() == Some("") {
            continue;
        } else {
            sorted(v)
        };
        out.insert(k.clone(), v);
    }
    Json::Object(out)
}

/// A string or array of scalars → a sorted, de-duplicated array of strings.
fn string_set(v: &Json) -> Json {
    let items: Vec<String> = match v {
        Json::Array(a) => a.iter().map(scalar_string).collect(),
        other => vec![scalar_string(other)],
    };
    let mut items: Vec<String> = items;
    items.sort();
    items.dedup();
    Json::Array(items.into_iter().map(Json::String).collect())
}

fn scalar_string(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        other => sorted(other).to_string(),
    }
}

fn principal(v: &Json) -> Json {
    match v {
        Json::String(s) if s == "*" => principal(&serde_json::json!({"AWS": "*"})),
        Json::Object(m) => {
            let mut out = Map::new();
            for (k, v) in m {
                let set = string_set(v);
                let set = if k == "AWS" {
                    account_roots_as_ids(set)
                } else {
                    set
                };
                out.insert(k.clone(), set);
            }
            Json::Object(out)
        }
        other => sorted(other),
    }
}

/// `arn:aws:iam::123456789012:root` and `123456789012` name the same principal.
fn account_roots_as_ids(set: Json) -> Json {
    let Json::Array(items) = set else { return set };
    let mut ids: Vec<String> = items
        .into_iter()
        .map(|v| {
            let s = v.as_str().unwrap_or_default().to_string();
            let parts: Vec<&str> = s.split(':').collect();
            if parts.len() == 6
                && parts[0] == "arn"
                && parts[2] == "iam"
                && parts[3].is_empty()
                && parts[5] == "root"
                && is_account_id(parts[4])
            {
                parts[4].to_string()
            } else {
                s
            }
        })
        .collect();
    ids.sort();
    ids.dedup();
    Json::Array(ids.into_iter().map(Json::String).collect())
}

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

fn condition(v: &Json) -> Json {
    let Json::Object(ops) = v else {
        return sorted(v);
    };
    let mut out = Map::new();
    for (op, keys) in ops {
        let keys = match keys {
            Json::Object(km) => Json::Object(
                km.iter()
                    .map(|(k, vals)| (k.clone(), string_set(vals)))
                    .collect(),
            ),
            other => sorted(other),
        };
        out.insert(op.clone(), keys);
    }
    Json::Object(out)
}

fn dedup_sorted(mut v: Vec<Json>) -> Vec<Json> {
    v.sort_by_key(|s| s.to_string());
    v.dedup();
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::{AttrPath, Diagnostics};

    const BASE: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

    #[test]
    fn equivalent_spellings() {
        let cases: &[(&str, &str, &str)] = &[
            ("whitespace and key order", BASE, "{\n  \"Statement\": [ {\"Action\": \"sts:AssumeRole\", \"Principal\": {\"Service\": \"ec2.amazonaws.com\"}, \"Effect\": \"Allow\"} ],\n  \"Version\": \"2012-10-17\"\n}"),
            ("statement object vs array", BASE, r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}}"#),
            ("action string vs one-element array", BASE, r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["ec2.amazonaws.com"]},"Action":["sts:AssumeRole"]}]}"#),
            ("action order and duplicates", r#"{"Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":"*"}]}"#, r#"{"Statement":[{"Effect":"Allow","Action":["s3:List*","s3:Get*","s3:List*"],"Resource":["*"]}]}"#),
            ("not-action and not-resource", r#"{"Statement":[{"Effect":"Deny","NotAction":["b","a"],"NotResource":"x"}]}"#, r#"{"Statement":[{"Effect":"Deny","NotAction":["a","b"],"NotResource":["x"]}]}"#),
            ("principal service order", r#"{"Statement":[{"Effect":"Allow","Principal":{"Service":["ecs.amazonaws.com","ec2.amazonaws.com"]},"Action":"sts:AssumeRole"}]}"#, r#"{"Statement":[{"Effect":"Allow","Principal":{"Service":["ec2.amazonaws.com","ecs.amazonaws.com"]},"Action":"sts:AssumeRole"}]}"#),
            ("star principal", r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject"}]}"#, r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject"}]}"#),
            ("account id vs root arn", r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole"}]}"#, r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}"#),
            ("statement order", r#"{"Statement":[{"Effect":"Allow","Action":"a","Resource":"*"},{"Effect":"Deny","Action":"b","Resource":"*"}]}"#, r#"{"Statement":[{"Effect":"Deny","Action":"b","Resource":"*"},{"Effect":"Allow","Action":"a","Resource":"*"}]}"#),
            ("empty sid", r#"{"Statement":[{"Sid":"","Effect":"Allow","Action":"a","Resource":"*"}]}"#, r#"{"Statement":[{"Effect":"Allow","Action":"a","Resource":"*"}]}"#),
            ("condition scalars", r#"{"Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":false}}}]}"#, r#"{"Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":["false"]}}}]}"#),
            ("condition value order", r#"{"Statement":[{"Effect":"Allow","Action":"a","Resource":"*","Condition":{"StringEquals":{"k":["2","1"]}}}]}"#, r#"{"Statement":[{"Effect":"Allow","Action":"a","Resource":"*","Condition":{"StringEquals":{"k":["1","2"]}}}]}"#),
        ];
        for (name, a, b) in cases {
            assert!(equivalent(a, b), "{name}: should be equivalent");
            assert!(equivalent(b, a), "{name}: should be symmetric");
            assert_eq!(
                canonical_string(a).unwrap(),
                canonical_string(b).unwrap(),
                "{name}"
            );
        }
    }

    #[test]
    fn different_policies() {
        let cases: &[(&str, &str, &str)] = &[
            (
                "different action",
                BASE,
                &BASE.replace("sts:AssumeRole", "sts:TagSession"),
            ),
            ("different effect", BASE, &BASE.replace("Allow", "Deny")),
            ("different service", BASE, &BASE.replace("ec2.", "ecs.")),
            (
                "missing version",
                BASE,
                &BASE.replace(r#""Version":"2012-10-17","#, ""),
            ),
            (
                "extra action",
                BASE,
                &BASE.replace(
                    r#""sts:AssumeRole""#,
                    r#"["sts:AssumeRole","sts:TagSession"]"#,
                ),
            ),
            (
                "action vs not-action",
                r#"{"Statement":[{"Effect":"Allow","Action":"a"}]}"#,
                r#"{"Statement":[{"Effect":"Allow","NotAction":"a"}]}"#,
            ),
            (
                "principal type",
                r#"{"Statement":[{"Principal":{"AWS":"x"}}]}"#,
                r#"{"Statement":[{"Principal":{"Service":"x"}}]}"#,
            ),
            (
                "other account",
                r#"{"Statement":[{"Principal":{"AWS":"123456789012"}}]}"#,
                r#"{"Statement":[{"Principal":{"AWS":"arn:aws:iam::210987654321:root"}}]}"#,
            ),
            (
                "one statement vs two",
                r#"{"Statement":[{"Effect":"Allow","Action":"a"}]}"#,
                r#"{"Statement":[{"Effect":"Allow","Action":"a"},{"Effect":"Allow","Action":"b"}]}"#,
            ),
            ("invalid json", "{", "{}"),
        ];
        for (name, a, b) in cases {
            assert!(!equivalent(a, b), "{name}: should differ");
        }
        assert!(
            equivalent("{", "{"),
            "identical text is equal even when unparseable"
        );
    }

    #[test]
    fn url_decoding_like_go_query_unescape() {
        let cases: &[(&str, Option<&str>)] = &[
            (
                "%7B%22Version%22%3A%222012-10-17%22%7D",
                Some(r#"{"Version":"2012-10-17"}"#),
            ),
            ("a+b%20c", Some("a b c")),
            ("plain", Some("plain")),
            ("%E2%80%9C", Some("“")),
            ("%zz", None),
            ("%4", None),
            ("%FF", None),
        ];
        for (input, want) in cases {
            assert_eq!(url_decode(input).as_deref(), *want, "{input}");
        }
        assert_eq!(from_api("%zz"), "%zz");
        assert!(equivalent(
            &from_api("%7B%22Statement%22%3A%5B%5D%7D"),
            r#"{ "Statement": [] }"#
        ));
    }

    #[test]
    fn canonical_form_sorts_keys_and_strips_space() {
        assert_eq!(
            canonical_string("{ \"b\": 1,\n \"a\": [ 2 ] }").unwrap(),
            r#"{"a":[2],"b":1}"#
        );
        assert!(canonical_string("{").is_err());
    }

    #[test]
    fn validation_reports_path_and_reason() {
        let cases: &[(&str, Option<&str>)] = &[
            (BASE, None),
            (" {}", Some("leading space")),
            ("\"{}\"", Some("JSON-encoded string")),
            ("[]", Some("JSON array")),
            ("{", Some("valid JSON")),
            ("nope", Some("valid JSON")),
        ];
        for (doc, want) in cases {
            let mut d = Diagnostics::new();
            for v in validators() {
                validators::check(
                    &v,
                    &Value::from(*doc),
                    AttrPath::attr("assume_role_policy"),
                    &mut d,
                );
            }
            match want {
                None => assert!(d.is_empty(), "{doc}: {d}"),
                Some(w) => {
                    assert_eq!(d.0.len(), 1, "{doc}: {d}");
                    assert!(d.0[0].detail.contains(w), "{doc}: {}", d.0[0].detail);
                    assert_eq!(d.0[0].path, Some(AttrPath::attr("assume_role_policy")));
                }
            }
        }
    }

    #[test]
    fn schema_hook_compares_strings_only() {
        assert!(equivalent_values(
            &Value::from(BASE),
            &Value::from(BASE.replace(",", ", "))
        ));
        assert!(!equivalent_values(&Value::from(BASE), &Value::Null));
    }
}
