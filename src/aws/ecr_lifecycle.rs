//! ECR lifecycle policy documents: plan-time validation and semantic equivalence, so a policy
//! whose rules are listed in another order, whose tag lists are reordered, or which is merely
//! reformatted never shows up as a diff (hashicorp/aws `equivalentLifecyclePolicyJSON`).
//!
//! Two documents are equivalent when their canonical forms are equal. The canonical form:
//! object keys sorted, whitespace gone, `rules` sorted by `rulePriority` (ECR evaluates rules by
//! priority, not by position), `tagPrefixList`/`tagPatternList` sorted, keys whose value is null
//! or an empty list dropped (ECR treats both as "not set"), and integral numbers written as
//! integers (`14.0` is `14`). Unlike hashicorp/aws, which decodes into a fixed struct and so
//! silently ignores unknown or misspelled keys, every key takes part in the comparison.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Map, Value as Json};

use crate::framework::schema::Validator;
use crate::framework::Value;

/// Selection keys that are sets of strings (their order carries no meaning).
const SET_KEYS: &[&str] = &["tagPrefixList", "tagPatternList"];
const TAG_STATUS: &[&str] = &["tagged", "untagged", "any"];

/// Whether two lifecycle policy texts mean the same. Unparseable text equals only itself.
pub fn equivalent(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    match (canonical_string(a), canonical_string(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// Schema equivalence hook (`Attribute::equivalent_when`).
pub fn equivalent_values(a: &Value, b: &Value) -> bool {
    match (a.as_str(), b.as_str()) {
        (Some(a), Some(b)) => equivalent(a, b),
        _ => false,
    }
}

/// The canonical form of a lifecycle policy, as compact JSON text.
pub fn canonical_string(s: &str) -> Result<String, serde_json::Error> {
    let v: Json = serde_json::from_str(s)?;
    Ok(canonical(&v).to_string())
}

/// The canonical form of a parsed lifecycle policy.
pub fn canonical(doc: &Json) -> Json {
    let mut out = normalize(doc, None);
    if let Some(Json::Array(rules)) = out.get_mut("rules") {
        // Stable sort: rules without a priority (invalid anyway) keep their relative order.
        rules.sort_by(|a, b| priority_key(a).total_cmp(&priority_key(b)));
    }
    out
}

fn priority_key(rule: &Json) -> f64 {
    rule.get("rulePriority")
        .and_then(Json::as_f64)
        .unwrap_or(f64::MIN)
}

/// Sorts keys, drops null and empty-list values, sorts the tag lists, writes whole numbers as
/// integers. `key` is the object key `v` sits under.
fn normalize(v: &Json, key: Option<&str>) -> Json {
    match v {
        Json::Object(m) => {
            let sorted: BTreeMap<&String, Json> = m
                .iter()
                .filter(|(_, v)| !is_unset(v))
                .map(|(k, v)| (k, normalize(v, Some(k))))
                .collect();
            let mut out = Map::new();
            for (k, v) in sorted {
                out.insert(k.clone(), v);
            }
            Json::Object(out)
        }
        Json::Array(items) => {
            let mut items: Vec<Json> = items.iter().map(|e| normalize(e, None)).collect();
            if key.is_some_and(|k| SET_KEYS.contains(&k)) {
                items.sort_by_key(|e| e.to_string());
            }
            Json::Array(items)
        }
        Json::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 9.0e15 => Json::from(f as i64),
            _ => v.clone(),
        },
        other => other.clone(),
    }
}

fn is_unset(v: &Json) -> bool {
    matches!(v, Json::Null) || matches!(v, Json::Array(a) if a.is_empty())
}

/// Checks a lifecycle policy text the way ECR will, so mistakes surface at plan time. The error
/// names the place inside the document (e.g. `rules[1].selection.countNumber`) and what is
/// allowed. Only long-standing, documented rules are enforced, so newer ECR features pass.
pub fn check(text: &str) -> Result<(), String> {
    let doc: Json = serde_json::from_str(text)
        .map_err(|e| format!("must be a lifecycle policy in valid JSON: {e}"))?;
    let Json::Object(top) = &doc else {
        return Err("must be a JSON object with a \"rules\" array".into());
    };
    let rules = match top.get("rules") {
        Some(Json::Array(r)) => r,
        Some(_) => return Err("\"rules\" must be an array of rule objects".into()),
        None => return Err("must have a \"rules\" array (at least one rule)".into()),
    };
    if rules.is_empty() {
        return Err("\"rules\" must contain at least one rule".into());
    }
    let mut seen: BTreeMap<i64, usize> = BTreeMap::new();
    for (i, rule) in rules.iter().enumerate() {
        let at = format!("rules[{i}]");
        let Json::Object(r) = rule else {
            return Err(format!("{at} must be an object"));
        };
        let priority = r
            .get("rulePriority")
            .and_then(whole_number)
            .filter(|p| *p >= 1)
            .ok_or_else(|| format!("{at}.rulePriority must be a whole number of at least 1"))?;
        if let Some(j) = seen.insert(priority, i) {
            return Err(format!(
                "{at}.rulePriority {priority} is also used by rules[{j}]; every rule needs its own priority"
            ));
        }
        check_selection(r.get("selection"), &format!("{at}.selection"))?;
        match r.get("action") {
            Some(Json::Object(a)) if a.get("type").is_some_and(Json::is_string) => {}
            _ => {
                return Err(format!(
                    "{at}.action must be an object with a \"type\" (e.g. \"expire\")"
                ))
            }
        }
    }
    Ok(())
}

fn check_selection(sel: Option<&Json>, at: &str) -> Result<(), String> {
    let Some(Json::Object(s)) = sel else {
        return Err(format!("{at} must be an object"));
    };
    let status = s.get("tagStatus").and_then(Json::as_str);
    match status {
        Some(t) if TAG_STATUS.contains(&t) => {}
        _ => {
            return Err(format!(
                "{at}.tagStatus must be one of \"tagged\", \"untagged\", \"any\""
            ))
        }
    }
    for key in SET_KEYS {
        if let Some(v) = s.get(*key) {
            let ok = matches!(v, Json::Array(items) if items.iter().all(Json::is_string));
            if !ok {
                return Err(format!("{at}.{key} must be a list of strings"));
            }
        }
    }
    let has_tags = SET_KEYS
        .iter()
        .any(|k| matches!(s.get(*k), Some(Json::Array(a)) if !a.is_empty()));
    if status == Some("tagged") && !has_tags {
        return Err(format!(
            "{at}: tagStatus \"tagged\" needs a non-empty tagPrefixList or tagPatternList"
        ));
    }
    let count_type = s.get("countType").and_then(Json::as_str).ok_or_else(|| {
        format!(
            "{at}.countType must be a string (e.g. \"imageCountMoreThan\", \"sinceImagePushed\")"
        )
    })?;
    // ECR: an age needs its unit, a count must not have one.
    match (count_type, s.get("countUnit")) {
        ("sinceImagePushed", None) => {
            return Err(format!(
                "{at}: countType \"sinceImagePushed\" needs a countUnit (\"days\")"
            ))
        }
        ("imageCountMoreThan", Some(_)) => {
            return Err(format!(
                "{at}.countUnit is only allowed with an age countType such as \"sinceImagePushed\", not \"imageCountMoreThan\""
            ))
        }
        _ => {}
    }
    let count = s.get("countNumber").and_then(whole_number);
    if count.is_none_or(|n| n < 1) {
        return Err(format!(
            "{at}.countNumber must be a whole number of at least 1"
        ));
    }
    Ok(())
}

fn whole_number(v: &Json) -> Option<i64> {
    v.as_i64().or_else(|| {
        v.as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
            .map(|f| f as i64)
    })
}

/// Validator for an attribute holding a lifecycle policy.
pub fn validator() -> Validator {
    Arc::new(|v, path, diags| {
        if let Some(Err(msg)) = v.as_str().map(check) {
            diags.invalid(path.clone(), format!("invalid ECR lifecycle policy: {msg}"));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::{validators, AttrPath, Diagnostics};

    const BASE: &str = r#"{"rules":[
        {"rulePriority":1,"description":"old-untagged","selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}},
        {"rulePriority":2,"selection":{"tagStatus":"tagged","tagPrefixList":["v","release"],"countType":"imageCountMoreThan","countNumber":30},"action":{"type":"expire"}}
    ]}"#;

    #[test]
    fn equivalent_spellings() {
        let reordered = r#"{"rules":[
            {"action":{"type":"expire"},"selection":{"countNumber":30,"countType":"imageCountMoreThan","tagPrefixList":["release","v"],"tagStatus":"tagged"},"rulePriority":2},
            {"selection":{"countNumber":14,"countUnit":"days","countType":"sinceImagePushed","tagStatus":"untagged"},"description":"old-untagged","rulePriority":1,"action":{"type":"expire"}}
        ]}"#;
        let cases: &[(&str, &str, &str)] = &[
            (
                "rules by priority, keys and tag lists reordered",
                BASE,
                reordered,
            ),
            ("whitespace only", BASE, &BASE.replace(['\n', ' '], "")),
            (
                "empty list is unset",
                r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}}]}"#,
                r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","tagPrefixList":[],"countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}}]}"#,
            ),
            (
                "null is unset",
                r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}}]}"#,
                r#"{"rules":[{"rulePriority":1,"description":null,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}}]}"#,
            ),
            (
                "float spelling of an integer",
                r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}}]}"#,
                r#"{"rules":[{"rulePriority":1.0,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":5.0},"action":{"type":"expire"}}]}"#,
            ),
            (
                "tag pattern list order",
                r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"tagged","tagPatternList":["prod*","*-rc"],"countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}}]}"#,
                r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"tagged","tagPatternList":["*-rc","prod*"],"countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}}]}"#,
            ),
        ];
        for (name, a, b) in cases {
            assert!(equivalent(a, b), "{name}: should be equivalent");
            assert!(equivalent(b, a), "{name}: should be symmetric");
        }
    }

    #[test]
    fn different_policies() {
        let cases: &[(&str, &str, &str)] = &[
            ("count changed", BASE, &BASE.replace("30", "31")),
            (
                "priority changed",
                BASE,
                &BASE.replace("\"rulePriority\":1", "\"rulePriority\":3"),
            ),
            ("tag prefix changed", BASE, &BASE.replace("\"v\"", "\"w\"")),
            (
                "description changed",
                BASE,
                &BASE.replace("old-untagged", "old"),
            ),
            (
                "unknown key is not ignored",
                BASE,
                &BASE.replace("\"countUnit\"", "\"countunit\""),
            ),
            (
                "one rule dropped",
                BASE,
                r#"{"rules":[{"rulePriority":1,"description":"old-untagged","selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}}]}"#,
            ),
            ("invalid json", "{", "{}"),
        ];
        for (name, a, b) in cases {
            assert!(!equivalent(a, b), "{name}: should differ");
        }
    }

    #[test]
    fn canonical_form_is_compact_sorted_and_ordered_by_priority() {
        let c = canonical_string(BASE).unwrap();
        assert!(c.starts_with(r#"{"rules":[{"action":{"type":"expire"},"description":"old-untagged","rulePriority":1,"#), "{c}");
        assert!(c.contains(r#""tagPrefixList":["release","v"]"#), "{c}");
        assert!(!c.contains(char::is_whitespace), "{c}");
    }

    #[test]
    fn validation_names_the_place_in_the_document() {
        let rule = |sel: &str| {
            format!(
                r#"{{"rules":[{{"rulePriority":1,"selection":{sel},"action":{{"type":"expire"}}}}]}}"#
            )
        };
        let any = r#"{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":1}"#;
        let cases: Vec<(String, Option<&str>)> = vec![
            (BASE.into(), None),
            (rule(any), None),
            ("{".into(), Some("valid JSON")),
            ("[]".into(), Some("JSON object")),
            ("{}".into(), Some("\"rules\" array")),
            (r#"{"rules":{}}"#.into(), Some("must be an array")),
            (r#"{"rules":[]}"#.into(), Some("at least one rule")),
            (
                r#"{"rules":[1]}"#.into(),
                Some("rules[0] must be an object"),
            ),
            (
                rule(any).replace("\"rulePriority\":1", "\"rulePriority\":0"),
                Some("rules[0].rulePriority"),
            ),
            (
                rule(any).replace("\"rulePriority\":1", "\"rulePriority\":\"1\""),
                Some("rules[0].rulePriority"),
            ),
            (
                BASE.replace("\"rulePriority\":2", "\"rulePriority\":1"),
                Some("rules[1].rulePriority 1 is also used by rules[0]"),
            ),
            (rule("null"), Some("rules[0].selection must be an object")),
            (
                rule(&any.replace("any", "all")),
                Some("rules[0].selection.tagStatus"),
            ),
            (
                rule(r#"{"tagStatus":"tagged","countType":"imageCountMoreThan","countNumber":1}"#),
                Some("tagPrefixList or tagPatternList"),
            ),
            (
                rule(
                    r#"{"tagStatus":"tagged","tagPrefixList":"v","countType":"imageCountMoreThan","countNumber":1}"#,
                ),
                Some("tagPrefixList must be a list"),
            ),
            (
                rule(r#"{"tagStatus":"any","countNumber":1}"#),
                Some("countType"),
            ),
            (
                rule(r#"{"tagStatus":"any","countType":"sinceImagePushed","countNumber":1}"#),
                Some("needs a countUnit"),
            ),
            (
                rule(
                    r#"{"tagStatus":"any","countType":"imageCountMoreThan","countUnit":"days","countNumber":1}"#,
                ),
                Some("rules[0].selection.countUnit is only allowed"),
            ),
            (
                rule(
                    r#"{"tagStatus":"any","countType":"sinceImagePulled","countUnit":"days","countNumber":1}"#,
                ),
                None,
            ),
            (
                rule(&any.replace("\"countNumber\":1", "\"countNumber\":0")),
                Some("rules[0].selection.countNumber"),
            ),
            (
                rule(any).replace(r#"{"type":"expire"}"#, "{}"),
                Some("rules[0].action"),
            ),
        ];
        for (doc, want) in cases {
            match (check(&doc), want) {
                (Ok(()), None) => {}
                (Err(e), Some(w)) => assert!(e.contains(w), "{doc}: {e}"),
                (got, want) => panic!("{doc}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn validator_reports_at_the_attribute() {
        let mut d = Diagnostics::new();
        validators::check(
            &validator(),
            &Value::from("{\"rules\": []}"),
            AttrPath::attr("policy"),
            &mut d,
        );
        assert_eq!(d.0.len(), 1, "{d}");
        assert_eq!(d.0[0].path, Some(AttrPath::attr("policy")));
        assert!(
            d.0[0].detail.contains("invalid ECR lifecycle policy"),
            "{d}"
        );
        assert!(equivalent_values(
            &Value::from(BASE),
            &Value::from(BASE.replace(' ', ""))
        ));
        assert!(!equivalent_values(&Value::from(BASE), &Value::Null));
    }
}
