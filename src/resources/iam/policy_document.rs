//! Data source `awsecs_iam_policy_document`: builds an IAM policy JSON document from HCL blocks,
//! merging `source_policy_documents` and `override_policy_documents` by statement `Sid`.
//! Pure local computation: no API call. Output is stable: canonical key order, set values
//! sorted, single values written as plain strings (as hashicorp/aws writes them).

use std::collections::BTreeMap;

use async_trait::async_trait;
use serde_json::Value as J;

use crate::framework::validators::{json, one_of};
use crate::framework::{
    AttrPath, Attribute, Block, Ctx, DataSource, Diagnostics, NestedBlock, Schema, Value,
};

pub struct PolicyDocument;

fn principals_block(name: &str) -> NestedBlock {
    NestedBlock::set(
        name,
        Block::new()
            .attr(
                Attribute::string_set("identifiers")
                    .desc("Principal identifiers, e.g. account ARNs or service names.")
                    .required(),
            )
            .attr(
                Attribute::string("type")
                    .desc("Principal type: `AWS`, `Service`, `Federated` or `*`.")
                    .required(),
            ),
    )
}

#[async_trait]
impl<C: Send + Sync + 'static> DataSource<C> for PolicyDocument {
    fn type_name(&self) -> &'static str {
        "awsecs_iam_policy_document"
    }

    fn schema(&self) -> Schema {
        let statement = Block::new()
            .attr(
                Attribute::string_set("actions")
                    .desc("Actions the statement covers, e.g. `s3:GetObject`.")
                    .optional(),
            )
            .attr(
                Attribute::string_set("not_actions")
                    .desc("Actions the statement does not cover.")
                    .optional(),
            )
            .attr(
                Attribute::string_set("resources")
                    .desc("ARNs of the resources the statement covers.")
                    .optional(),
            )
            .attr(
                Attribute::string_set("not_resources")
                    .desc("ARNs of the resources the statement does not cover.")
                    .optional(),
            )
            .attr(
                Attribute::string("effect")
                    .desc("`Allow` or `Deny`.")
                    .default("Allow")
                    .validate(one_of(&["Allow", "Deny"])),
            )
            .attr(Attribute::string("sid").desc("Statement ID.").optional())
            .block(principals_block("principals").desc("Principals the statement applies to."))
            .block(
                principals_block("not_principals")
                    .desc("Principals the statement does not apply to."),
            )
            .block(
                NestedBlock::set(
                    "condition",
                    Block::new()
                        .attr(
                            Attribute::string("test")
                                .desc("Condition operator, e.g. `StringEquals`.")
                                .required(),
                        )
                        .attr(
                            Attribute::string("variable")
                                .desc("Context key, e.g. `aws:SourceArn`.")
                                .required(),
                        )
                        .attr(
                            Attribute::string_list("values")
                                .desc("Values to compare with; any one may match.")
                                .required(),
                        ),
                )
                .desc("A condition the statement needs; all must hold."),
            );
        let empty_only = std::sync::Arc::new(|v: &Value, p: &AttrPath, d: &mut Diagnostics| {
            if v.as_str().is_some_and(|s| !s.is_empty()) {
                d.invalid(p.clone(), "no longer supported: use source_policy_documents / override_policy_documents instead");
            }
        });
        Schema::new(
            Block::new()
                .attr(Attribute::string("id").desc("Hash of the JSON document.").computed())
                .attr(Attribute::string("json").desc("The policy document, pretty-printed JSON.").computed())
                .attr(Attribute::string("minified_json").desc("The policy document, compact JSON.").computed())
                .attr(Attribute::string("policy_id").desc("ID of the policy document.").optional())
                .attr(
                    Attribute::string("version").desc("Policy language version; `2012-10-17` or `2008-10-17`.")
                        .default("2012-10-17")
                        .validate(one_of(&["2008-10-17", "2012-10-17"])),
                )
                .attr(
                    Attribute::string_list("source_policy_documents").desc("JSON policies merged in first; statements with the same sid here are replaced.")
                        .optional()
                        .validate(json("an IAM policy document")),
                )
                .attr(
                    Attribute::string_list("override_policy_documents").desc("JSON policies merged last; their statements replace those with the same sid.")
                        .optional()
                        .validate(json("an IAM policy document")),
                )
                .attr(
                    Attribute::string("source_json").desc("Deprecated single-document form of `source_policy_documents`.")
                        .optional()
                        .deprecated("source_json is deprecated; use source_policy_documents.")
                        .validate(empty_only.clone()),
                )
                .attr(
                    Attribute::string("override_json").desc("Deprecated single-document form of `override_policy_documents`.")
                        .optional()
                        .deprecated("override_json is deprecated; use override_policy_documents.")
                        .validate(empty_only),
                )
                .block(NestedBlock::list("statement", statement).desc("A statement of the policy.")),
        ).desc("Builds an IAM policy document in JSON from HCL statements.")
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        for (i, s) in config.get("statement").elements().iter().enumerate() {
            for block in ["principals", "not_principals"] {
                for (j, p) in s.get(block).elements().iter().enumerate() {
                    if p.str("type").is_some_and(|t| t.is_empty()) {
                        diags.invalid(
                            AttrPath::attr("statement")
                                .index(i)
                                .then(block)
                                .index(j)
                                .then("type"),
                            "must not be empty (e.g. \"AWS\", \"Service\", \"Federated\" or \"*\")",
                        );
                    }
                }
            }
        }
    }

    async fn read(&self, _ctx: &Ctx<C>, config: &Value) -> Result<Value, Diagnostics> {
        let doc = build(config)?;
        let pretty = write_json(&doc, true);
        let minified = write_json(&doc, false);
        let mut out = config.clone();
        out.set("id", Value::from(fnv1a(&minified).to_string()));
        out.set("json", Value::from(pretty));
        out.set("minified_json", Value::from(minified));
        if out.get("version").is_null() {
            out.set("version", Value::from("2012-10-17"));
        }
        Ok(out)
    }
}

/// Builds the document as JSON (statement order: sources, then this document's, with overrides
/// replacing statements that share a Sid).
pub fn build(config: &Value) -> Result<J, Diagnostics> {
    let mut d = Diagnostics::new();
    let mut statements: Vec<J> = Vec::new();
    let sid_of = |s: &J| {
        s.get("Sid")
            .and_then(J::as_str)
            .filter(|x| !x.is_empty())
            .map(str::to_string)
    };

    for (i, src) in config
        .get("source_policy_documents")
        .elements()
        .iter()
        .enumerate()
    {
        let path = AttrPath::attr("source_policy_documents").index(i);
        for st in parse_statements(src.as_str().unwrap_or("{}"), &path, &mut d) {
            if let Some(sid) = sid_of(&st) {
                if statements
                    .iter()
                    .any(|s| sid_of(s).as_deref() == Some(&sid))
                {
                    d.invalid(path.clone(), format!("duplicate statement Sid {sid:?}: statements in source_policy_documents must have unique Sids"));
                    continue;
                }
            }
            statements.push(st);
        }
    }
    let mut own_sids = Vec::new();
    for (i, s) in config.get("statement").elements().iter().enumerate() {
        let st = statement(s);
        if let Some(sid) = sid_of(&st) {
            if own_sids.contains(&sid) {
                d.invalid(
                    AttrPath::attr("statement").index(i).then("sid"),
                    format!("duplicate Sid {sid:?}: each statement needs a unique Sid"),
                );
                continue;
            }
            own_sids.push(sid);
        }
        upsert(&mut statements, st, sid_of);
    }
    for (i, ov) in config
        .get("override_policy_documents")
        .elements()
        .iter()
        .enumerate()
    {
        let path = AttrPath::attr("override_policy_documents").index(i);
        for st in parse_statements(ov.as_str().unwrap_or("{}"), &path, &mut d) {
            upsert(&mut statements, st, sid_of);
        }
    }
    d.clone().into_result()?;

    let mut doc = serde_json::Map::new();
    doc.insert(
        "Version".into(),
        J::from(config.str("version").unwrap_or("2012-10-17")),
    );
    if let Some(id) = config.str("policy_id") {
        doc.insert("Id".into(), J::from(id));
    }
    doc.insert("Statement".into(), J::Array(statements));
    Ok(J::Object(doc))
}

/// Replaces the statement with the same Sid, or appends.
fn upsert(statements: &mut Vec<J>, st: J, sid_of: impl Fn(&J) -> Option<String>) {
    if let Some(sid) = sid_of(&st) {
        if let Some(slot) = statements
            .iter_mut()
            .find(|s| sid_of(s).as_deref() == Some(&sid))
        {
            *slot = st;
            return;
        }
    }
    statements.push(st);
}

fn parse_statements(doc: &str, path: &AttrPath, d: &mut Diagnostics) -> Vec<J> {
    match serde_json::from_str::<J>(doc) {
        Ok(J::Object(m)) => match m.get("Statement") {
            Some(J::Array(a)) => a.clone(),
            Some(o @ J::Object(_)) => vec![o.clone()],
            None => vec![],
            Some(_) => {
                d.invalid(
                    path.clone(),
                    "\"Statement\" must be an object or an array of objects",
                );
                vec![]
            }
        },
        Ok(_) => {
            d.invalid(path.clone(), "must be a JSON object with a \"Statement\"");
            vec![]
        }
        Err(e) => {
            d.invalid(
                path.clone(),
                format!("must be an IAM policy document in valid JSON: {e}"),
            );
            vec![]
        }
    }
}

/// One value or a reverse-sorted list, as hashicorp/aws writes set-valued fields.
fn string_or_list(mut items: Vec<String>) -> J {
    if items.len() == 1 {
        return J::from(items.remove(0));
    }
    items.sort();
    items.dedup();
    items.reverse();
    J::from(items)
}

fn principals(v: &Value) -> Option<J> {
    let blocks = v.elements();
    if blocks.is_empty() {
        return None;
    }
    let mut by_type: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for p in blocks {
        let t = p.str("type").unwrap_or_default().to_string();
        by_type
            .entry(t)
            .or_default()
            .extend(p.strings("identifiers"));
    }
    if by_type.len() == 1 && by_type.contains_key("*") {
        return Some(J::from("*"));
    }
    Some(J::Object(
        by_type
            .into_iter()
            .map(|(k, ids)| (k, string_or_list(ids)))
            .collect(),
    ))
}

fn statement(s: &Value) -> J {
    let mut m = serde_json::Map::new();
    if let Some(sid) = s.str("sid").filter(|x| !x.is_empty()) {
        m.insert("Sid".into(), J::from(sid));
    }
    m.insert("Effect".into(), J::from(s.str("effect").unwrap_or("Allow")));
    for (attr, key) in [
        ("actions", "Action"),
        ("not_actions", "NotAction"),
        ("resources", "Resource"),
        ("not_resources", "NotResource"),
    ] {
        let items = s.strings(attr);
        if !items.is_empty() {
            m.insert(key.into(), string_or_list(items));
        }
    }
    if let Some(p) = principals(s.get("principals")) {
        m.insert("Principal".into(), p);
    }
    if let Some(p) = principals(s.get("not_principals")) {
        m.insert("NotPrincipal".into(), p);
    }
    let mut conditions: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    for c in s.get("condition").elements() {
        let values = c.strings("values");
        conditions
            .entry(c.str("test").unwrap_or_default().to_string())
            .or_default()
            .entry(c.str("variable").unwrap_or_default().to_string())
            .or_default()
            .extend(values);
    }
    if !conditions.is_empty() {
        let c = conditions
            .into_iter()
            .map(|(test, vars)| {
                let vars = vars
                    .into_iter()
                    .map(|(k, mut vals)| {
                        (
                            k,
                            if vals.len() == 1 {
                                J::from(vals.remove(0))
                            } else {
                                J::from(vals)
                            },
                        )
                    })
                    .collect();
                (test, J::Object(vars))
            })
            .collect();
        m.insert("Condition".into(), J::Object(c));
    }
    J::Object(m)
}

/// Canonical key order for policy documents; other keys follow alphabetically.
const KEY_ORDER: &[&str] = &[
    "Version",
    "Id",
    "Statement",
    "Sid",
    "Effect",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Principal",
    "NotPrincipal",
    "Condition",
];

fn key_rank(k: &str) -> (usize, &str) {
    (
        KEY_ORDER
            .iter()
            .position(|x| *x == k)
            .unwrap_or(KEY_ORDER.len()),
        k,
    )
}

/// Writes JSON with policy keys in canonical order (pretty: two-space indent, like hashicorp/aws).
pub fn write_json(v: &J, pretty: bool) -> String {
    let mut out = String::new();
    write_value(&mut out, v, pretty, 0);
    out
}

fn write_value(out: &mut String, v: &J, pretty: bool, depth: usize) {
    let nl = |out: &mut String, depth: usize| {
        if pretty {
            out.push('\n');
            out.push_str(&"  ".repeat(depth));
        }
    };
    match v {
        J::Object(m) if !m.is_empty() => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort_by(|a, b| key_rank(a).cmp(&key_rank(b)));
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                nl(out, depth + 1);
                out.push_str(&J::from(k.as_str()).to_string());
                out.push_str(if pretty { ": " } else { ":" });
                write_value(out, &m[k.as_str()], pretty, depth + 1);
            }
            nl(out, depth);
            out.push('}');
        }
        J::Array(a) if !a.is_empty() => {
            out.push('[');
            for (i, e) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                nl(out, depth + 1);
                write_value(out, e, pretty, depth + 1);
            }
            nl(out, depth);
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// A stable short hash for the `id` attribute.
fn fnv1a(s: &str) -> u32 {
    s.bytes().fold(0x811c9dc5u32, |h, b| {
        (h ^ b as u32).wrapping_mul(0x01000193)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(statements: Vec<Value>, extra: &[(&str, Value)]) -> Value {
        let schema = <PolicyDocument as DataSource<()>>::schema(&PolicyDocument);
        let mut pairs: Vec<(&str, Value)> = vec![("statement", Value::List(statements))];
        pairs.extend(extra.iter().cloned());
        let mut v = schema.block.conform(Value::object(pairs));
        schema.block.fill_defaults(&mut v);
        v
    }

    fn stmt(pairs: &[(&str, Value)]) -> Value {
        let schema = <PolicyDocument as DataSource<()>>::schema(&PolicyDocument);
        let mut v = schema
            .block
            .nested("statement")
            .unwrap()
            .block
            .conform(Value::object(pairs.iter().cloned()));
        schema
            .block
            .nested("statement")
            .unwrap()
            .block
            .fill_defaults(&mut v);
        v
    }

    fn principal(t: &str, ids: &[&str]) -> Value {
        Value::Set(vec![Value::object([
            ("type", Value::from(t)),
            ("identifiers", Value::string_set(ids.iter().copied())),
        ])])
    }

    #[test]
    fn assume_role_document_is_canonical() {
        let c = cfg(
            vec![stmt(&[
                ("actions", Value::string_set(["sts:AssumeRole"])),
                (
                    "principals",
                    principal("Service", &["ecs-tasks.amazonaws.com"]),
                ),
            ])],
            &[],
        );
        let doc = build(&c).unwrap();
        assert_eq!(
            write_json(&doc, false),
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"Service":"ecs-tasks.amazonaws.com"}}]}"#
        );
        let pretty = write_json(&doc, true);
        assert!(
            pretty.starts_with("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": ["),
            "{pretty}"
        );
    }

    #[test]
    fn sets_are_reverse_sorted_and_wildcard_principal_is_a_star() {
        let c = cfg(
            vec![stmt(&[
                ("actions", Value::string_set(["ecr:A", "ecr:C", "ecr:B"])),
                ("principals", principal("*", &["*"])),
            ])],
            &[],
        );
        let s = write_json(&build(&c).unwrap(), false);
        assert!(s.contains(r#""Action":["ecr:C","ecr:B","ecr:A"]"#), "{s}");
        assert!(s.contains(r#""Principal":"*""#), "{s}");
    }

    #[test]
    fn conditions_group_by_test() {
        let cond = |t: &str, var: &str, vals: &[&str]| {
            Value::object([
                ("test", Value::from(t)),
                ("variable", Value::from(var)),
                ("values", Value::string_list(vals.iter().copied())),
            ])
        };
        let c = cfg(
            vec![stmt(&[
                ("actions", Value::string_set(["s3:Get"])),
                (
                    "condition",
                    Value::Set(vec![
                        cond("StringEquals", "a", &["1"]),
                        cond("StringEquals", "b", &["2", "3"]),
                    ]),
                ),
            ])],
            &[],
        );
        let s = write_json(&build(&c).unwrap(), false);
        assert!(
            s.contains(r#""Condition":{"StringEquals":{"a":"1","b":["2","3"]}}"#),
            "{s}"
        );
    }

    #[test]
    fn overrides_replace_by_sid_and_sources_come_first() {
        let source = r#"{"Statement":[{"Sid":"A","Effect":"Allow","Action":"a:1","Resource":"*"},{"Sid":"B","Effect":"Allow","Action":"b:1","Resource":"*"}]}"#;
        let over = r#"{"Statement":{"Sid":"B","Effect":"Deny","Action":"b:2","Resource":"*"}}"#;
        let c = cfg(
            vec![stmt(&[
                ("sid", "C".into()),
                ("actions", Value::string_set(["c:1"])),
            ])],
            &[
                ("source_policy_documents", Value::string_list([source])),
                ("override_policy_documents", Value::string_list([over])),
            ],
        );
        let doc = build(&c).unwrap();
        let sids: Vec<&str> = doc["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["Sid"].as_str().unwrap())
            .collect();
        assert_eq!(sids, ["A", "B", "C"]);
        assert_eq!(doc["Statement"][1]["Effect"], "Deny");
    }

    #[test]
    fn duplicate_sids_are_diagnostics_with_paths() {
        let c = cfg(
            vec![stmt(&[("sid", "X".into())]), stmt(&[("sid", "X".into())])],
            &[],
        );
        let d = build(&c).unwrap_err();
        assert_eq!(
            d.0[0].path,
            Some(AttrPath::attr("statement").index(1).then("sid"))
        );
        let bad = cfg(
            vec![],
            &[("source_policy_documents", Value::string_list(["[1]"]))],
        );
        assert_eq!(
            build(&bad).unwrap_err().0[0].path,
            Some(AttrPath::attr("source_policy_documents").index(0))
        );
    }
}
