//! The plan rules, enforced once for every resource (see tfplugin5 "Rules Terraform enforces"):
//! configured values are planned as configured, unset computed values take their default or stay
//! unknown until apply (create) / keep their prior value (update), semantically equal values keep
//! the prior spelling, and changed force-new paths are reported for replacement.

use super::diag::{AttrPath, Diagnostics};
use super::schema::{Attribute, Block, NestedBlock, Nesting};
use super::value::Value;

/// Plans one object of `block`. `prior` is null on create.
pub fn plan_object(block: &Block, prior: &Value, proposed: &Value, config: &Value) -> Value {
    if proposed.is_null() || proposed.is_unknown() {
        return proposed.clone();
    }
    let mut out = proposed.clone();
    for a in &block.attributes {
        let planned = plan_attribute(a, prior, proposed.get(&a.name), config.get(&a.name));
        out.set(&a.name, planned);
    }
    for b in &block.blocks {
        let planned = plan_nested(
            b,
            prior.get(&b.name),
            proposed.get(&b.name),
            config.get(&b.name),
        );
        out.set(&b.name, planned);
    }
    out
}

fn plan_attribute(a: &Attribute, prior_obj: &Value, proposed: &Value, config: &Value) -> Value {
    let prior = prior_obj.get(&a.name);
    if a.computed && config.is_null() {
        if let Some(d) = &a.default {
            return d.clone();
        }
        if prior_obj.is_null() {
            return Value::Unknown;
        }
        return proposed.clone();
    }
    // A configured value that means the same as the prior one keeps the prior spelling, so a
    // reformatted JSON document or a reordered set is not a change.
    if !config.is_null() && !prior.is_null() && a.values_equivalent(config, prior) {
        return prior.clone();
    }
    proposed.clone()
}

fn plan_nested(b: &NestedBlock, prior: &Value, proposed: &Value, config: &Value) -> Value {
    match (b.nesting, proposed) {
        (_, Value::Unknown) | (_, Value::Null) => proposed.clone(),
        (Nesting::Single | Nesting::Group, _) => plan_object(&b.block, prior, proposed, config),
        (Nesting::List, Value::List(items)) => Value::List(
            items
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let pr = prior.elements().get(i).unwrap_or(&Value::Null);
                    let cf = config.elements().get(i).unwrap_or(&Value::Null);
                    plan_object(&b.block, pr, p, cf)
                })
                .collect(),
        ),
        (Nesting::Set, Value::Set(items)) => Value::Set(
            items
                .iter()
                .map(|p| {
                    // Set elements have no identity: pair each with the prior element that agrees on
                    // every configured attribute, so its computed parts carry over.
                    let cf = matching_config(&b.block, config, p);
                    let pr = prior
                        .elements()
                        .iter()
                        .find(|e| same_configured(&b.block, e, cf))
                        .unwrap_or(&Value::Null);
                    plan_object(&b.block, pr, p, cf)
                })
                .collect(),
        ),
        (Nesting::Map, Value::Map(items)) => Value::Map(
            items
                .iter()
                .map(|(k, p)| {
                    let pr = prior
                        .entries()
                        .find(|(pk, _)| *pk == k)
                        .map(|(_, v)| v)
                        .unwrap_or(&Value::Null);
                    let cf = config
                        .entries()
                        .find(|(ck, _)| *ck == k)
                        .map(|(_, v)| v)
                        .unwrap_or(&Value::Null);
                    (k.clone(), plan_object(&b.block, pr, p, cf))
                })
                .collect(),
        ),
        _ => proposed.clone(),
    }
}

fn matching_config<'a>(block: &Block, config: &'a Value, proposed_elem: &Value) -> &'a Value {
    config
        .elements()
        .iter()
        .find(|c| same_configured(block, proposed_elem, c))
        .unwrap_or(&Value::Null)
}

/// Two set elements agree on everything the configuration sets: attributes, and nested blocks
/// recursively (elements made only of blocks, like listener rule conditions, pair up correctly).
fn same_configured(block: &Block, elem: &Value, config: &Value) -> bool {
    if config.is_unknown() {
        return true;
    }
    if config.is_null() || elem.is_null() {
        return false;
    }
    let attrs_agree = block.attributes.iter().all(|a| {
        let c = config.get(&a.name);
        c.is_null() || c.is_unknown() || a.values_equivalent(elem.get(&a.name), c)
    });
    attrs_agree
        && block.blocks.iter().all(|b| {
            let (e, c) = (elem.get(&b.name), config.get(&b.name));
            match b.nesting {
                Nesting::Single | Nesting::Group => {
                    (c.is_null() && e.is_null()) || same_configured(&b.block, e, c)
                }
                Nesting::List | Nesting::Set => {
                    c.is_unknown()
                        || (c.elements().len() == e.elements().len()
                            && c.elements().iter().all(|ce| {
                                e.elements()
                                    .iter()
                                    .any(|ee| same_configured(&b.block, ee, ce))
                            }))
                }
                Nesting::Map => true,
            }
        })
}

/// Paths whose change forces replacement: force-new attributes and blocks that differ between
/// prior and planned (Terraform drops unchanged paths itself; sending only real changes keeps the
/// plan readable in logs).
pub fn replace_paths(block: &Block, prior: &Value, planned: &Value) -> Vec<AttrPath> {
    let mut out = Vec::new();
    collect_replace(block, prior, planned, &AttrPath::root(), &mut out);
    out
}

fn collect_replace(
    block: &Block,
    prior: &Value,
    planned: &Value,
    at: &AttrPath,
    out: &mut Vec<AttrPath>,
) {
    if prior.is_null() || planned.is_null() {
        return;
    }
    for a in &block.attributes {
        let (p, n) = (prior.get(&a.name), planned.get(&a.name));
        if a.force_new && !a.values_equivalent(p, n) {
            out.push(at.then(&a.name));
        }
    }
    for b in &block.blocks {
        let (p, n) = (prior.get(&b.name), planned.get(&b.name));
        let path = at.then(&b.name);
        if b.force_new {
            if !p.equivalent(n) {
                out.push(path);
            }
            continue;
        }
        match b.nesting {
            Nesting::Single | Nesting::Group => collect_replace(&b.block, p, n, &path, out),
            Nesting::List => {
                for (i, (pe, ne)) in p.elements().iter().zip(n.elements()).enumerate() {
                    collect_replace(&b.block, pe, ne, &path.index(i), out);
                }
                // A new or removed element of a block with force-new attributes replaces too.
                if p.elements().len() != n.elements().len() && has_force_new(&b.block) {
                    out.push(path);
                }
            }
            Nesting::Set => {
                if has_force_new(&b.block) && !p.equivalent(n) {
                    out.push(path);
                }
            }
            Nesting::Map => {}
        }
    }
}

fn has_force_new(block: &Block) -> bool {
    block.attributes.iter().any(|a| a.force_new)
        || block
            .blocks
            .iter()
            .any(|b| b.force_new || has_force_new(&b.block))
}

/// Runs schema-declared validation: validators on known values and conflicts between attributes.
pub fn validate_object(block: &Block, config: &Value, at: &AttrPath, diags: &mut Diagnostics) {
    if config.is_null() || config.is_unknown() {
        return;
    }
    for a in &block.attributes {
        let v = config.get(&a.name);
        let path = at.then(&a.name);
        if v.is_known() && !v.is_null() {
            for check in &a.validators {
                check_value(a, check, v, &path, diags);
            }
        }
        if !v.is_null() {
            for other in &a.conflicts_with {
                // Report each pair once, at the attribute declared first.
                let other_declared_first = block.attributes.iter().position(|x| x.name == *other)
                    < block.attributes.iter().position(|x| x.name == a.name);
                let reported_by_other = other_declared_first
                    && block
                        .attribute(other)
                        .is_some_and(|o| o.conflicts_with.contains(&a.name.as_str()));
                if !config.get(other).is_null() && !reported_by_other {
                    diags.push(
                        super::diag::Diagnostic::error(
                            "Conflicting configuration arguments",
                            format!(
                                "\"{}\": conflicts with {}; set only one of them",
                                path,
                                at.then(other)
                            ),
                        )
                        .at(path.clone()),
                    );
                }
            }
        }
        if let Some(msg) = &a.deprecation {
            if !v.is_null() {
                diags.push(
                    super::diag::Diagnostic::warning("Argument is deprecated", msg.clone())
                        .at(path),
                );
            }
        }
    }
    for b in &block.blocks {
        let v = config.get(&b.name);
        let path = at.then(&b.name);
        let present =
            !v.is_null() && !(matches!(v, Value::List(e) | Value::Set(e) if e.is_empty()));
        if let (Some(msg), true) = (&b.block.deprecation, present) {
            diags.push(
                super::diag::Diagnostic::warning("Block is deprecated", msg.clone())
                    .at(path.clone()),
            );
        }
        match b.nesting {
            Nesting::Single | Nesting::Group => validate_object(&b.block, v, &path, diags),
            Nesting::List | Nesting::Set => {
                for (i, e) in v.elements().iter().enumerate() {
                    validate_object(&b.block, e, &path.index(i), diags);
                }
            }
            Nesting::Map => {
                for (k, e) in v.entries() {
                    validate_object(&b.block, e, &path.key(k), diags);
                }
            }
        }
    }
}

/// Element-wise validation for collections of primitives (e.g. a set of ARNs).
fn check_value(
    a: &Attribute,
    check: &super::schema::Validator,
    v: &Value,
    path: &AttrPath,
    diags: &mut Diagnostics,
) {
    match v {
        Value::List(items) | Value::Set(items)
            if !matches!(
                a.ty,
                super::value::Type::String | super::value::Type::Number | super::value::Type::Bool
            ) =>
        {
            for (i, e) in items.iter().enumerate() {
                if e.is_known() && !e.is_null() {
                    check(e, &path.index(i), diags)
                }
            }
        }
        Value::Map(items) => {
            for (k, e) in items {
                if e.is_known() && !e.is_null() {
                    check(e, &path.key(k), diags)
                }
            }
        }
        _ => check(v, path, diags),
    }
}

/// After apply (reference = planned) or read (reference = prior): keeps the reference's spelling of
/// values that mean the same, and carries client-side attributes that the API never reports.
pub fn reconcile(block: &Block, reference: &Value, new: Value) -> Value {
    let mut out = block.conform(new);
    if reference.is_null() || reference.is_unknown() || out.is_null() {
        return out;
    }
    for a in &block.attributes {
        let r = reference.get(&a.name);
        if a.client_side {
            if r.is_known() {
                out.set(&a.name, r.clone());
            }
            continue;
        }
        if r.is_known() && !r.is_null() && a.values_equivalent(r, out.get(&a.name)) {
            out.set(&a.name, r.clone());
        }
    }
    for b in &block.blocks {
        let r = reference.get(&b.name);
        if b.client_side {
            if r.is_known() {
                out.set(&b.name, r.clone());
            }
            continue;
        }
        let n = out.get(&b.name).clone();
        let merged = match (b.nesting, &n) {
            (Nesting::Single | Nesting::Group, _) => reconcile(&b.block, r, n),
            (Nesting::List, Value::List(items)) if r.elements().len() == items.len() => {
                Value::List(
                    items
                        .iter()
                        .zip(r.elements())
                        .map(|(e, re)| reconcile(&b.block, re, e.clone()))
                        .collect(),
                )
            }
            (Nesting::Set, Value::Set(items)) => Value::Set(
                items
                    .iter()
                    .map(|e| {
                        let re = r
                            .elements()
                            .iter()
                            .find(|re| reconcile(&b.block, re, e.clone()).equivalent(re));
                        match re {
                            Some(re) => re.clone(),
                            None => e.clone(),
                        }
                    })
                    .collect(),
            ),
            _ => n,
        };
        out.set(&b.name, merged);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::schema::{Attribute, Block, NestedBlock};
    use crate::framework::value::Value;

    fn json_eq(a: &Value, b: &Value) -> bool {
        let p = |v: &Value| {
            v.as_str()
                .and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok())
        };
        p(a).is_some() && p(a) == p(b)
    }

    fn role() -> Block {
        Block::new()
            .attr(Attribute::string("name").required().force_new())
            .attr(Attribute::string("arn").computed())
            .attr(Attribute::string("path").default("/").force_new())
            .attr(
                Attribute::string("policy")
                    .required()
                    .equivalent_when(json_eq),
            )
            .attr(Attribute::string("description").optional())
            .attr(Attribute::bool("force").default(false).client_side())
            .block(NestedBlock::list(
                "rule",
                Block::new()
                    .attr(Attribute::string("id").computed())
                    .attr(Attribute::string("v").optional()),
            ))
    }

    fn obj(pairs: &[(&str, Value)]) -> Value {
        role().conform(Value::object(pairs.iter().cloned()))
    }

    #[test]
    fn create_marks_computed_unknown_and_fills_defaults() {
        let cfg = obj(&[("name", "r".into()), ("policy", "{}".into())]);
        let p = plan_object(&role().clone(), &Value::Null, &cfg, &cfg);
        assert_eq!(p.get("arn"), &Value::Unknown);
        assert_eq!(p.str("path"), Some("/"));
        assert_eq!(p.bool("force"), Some(false));
        assert_eq!(p.get("description"), &Value::Null);
        assert_eq!(p.str("name"), Some("r"));
    }

    #[test]
    fn update_keeps_prior_computed_and_prior_spelling_of_equal_json() {
        let prior = obj(&[
            ("name", "r".into()),
            ("arn", "arn:x".into()),
            ("path", "/".into()),
            ("policy", r#"{"a":1,"b":2}"#.into()),
            ("force", false.into()),
        ]);
        let cfg = obj(&[
            ("name", "r".into()),
            ("policy", r#"{ "b": 2, "a": 1 }"#.into()),
        ]);
        let mut proposed = cfg.clone();
        proposed.set("arn", "arn:x".into());
        let p = plan_object(&role(), &prior, &proposed, &cfg);
        assert_eq!(p, prior, "an equivalent policy must plan no change");
        assert!(replace_paths(&role(), &prior, &p).is_empty());
    }

    #[test]
    fn changed_force_new_attribute_requires_replace() {
        let prior = obj(&[
            ("name", "r".into()),
            ("arn", "arn:x".into()),
            ("path", "/".into()),
            ("policy", "{}".into()),
        ]);
        let cfg = obj(&[
            ("name", "r".into()),
            ("path", "/new/".into()),
            ("policy", "{}".into()),
        ]);
        let mut proposed = cfg.clone();
        proposed.set("arn", "arn:x".into());
        let p = plan_object(&role(), &prior, &proposed, &cfg);
        assert_eq!(
            replace_paths(&role(), &prior, &p),
            vec![AttrPath::attr("path")]
        );
    }

    #[test]
    fn removed_defaulted_attribute_plans_its_default() {
        let prior = obj(&[
            ("name", "r".into()),
            ("path", "/x/".into()),
            ("policy", "{}".into()),
        ]);
        let cfg = obj(&[("name", "r".into()), ("policy", "{}".into())]);
        let p = plan_object(&role(), &prior, &prior, &cfg);
        assert_eq!(p.str("path"), Some("/"));
    }

    #[test]
    fn new_list_element_gets_unknown_computed() {
        let prior = obj(&[
            ("name", "r".into()),
            ("policy", "{}".into()),
            (
                "rule",
                Value::List(vec![Value::object([("id", "1".into()), ("v", "a".into())])]),
            ),
        ]);
        let cfg = obj(&[
            ("name", "r".into()),
            ("policy", "{}".into()),
            (
                "rule",
                Value::List(vec![
                    Value::object([("id", Value::Null), ("v", "a".into())]),
                    Value::object([("id", Value::Null), ("v", "b".into())]),
                ]),
            ),
        ]);
        let mut proposed = cfg.clone();
        proposed.set(
            "rule",
            Value::List(vec![
                Value::object([("id", "1".into()), ("v", "a".into())]),
                Value::object([("id", Value::Null), ("v", "b".into())]),
            ]),
        );
        let p = plan_object(&role(), &prior, &proposed, &cfg);
        assert_eq!(p.get("rule").elements()[0].str("id"), Some("1"));
        assert_eq!(p.get("rule").elements()[1].get("id"), &Value::Unknown);
    }

    #[test]
    fn reconcile_keeps_reference_spelling_and_client_side_values() {
        let planned = obj(&[
            ("name", "r".into()),
            ("policy", r#"{"a": 1}"#.into()),
            ("force", true.into()),
        ]);
        let read = obj(&[
            ("name", "r".into()),
            ("policy", r#"{"a":1}"#.into()),
            ("arn", "arn:x".into()),
        ]);
        let out = reconcile(&role(), &planned, read);
        assert_eq!(out.str("policy"), Some(r#"{"a": 1}"#));
        assert_eq!(out.bool("force"), Some(true));
        assert_eq!(out.str("arn"), Some("arn:x"));
    }

    #[test]
    fn reconcile_reports_real_drift() {
        let prior = obj(&[("name", "r".into()), ("policy", r#"{"a": 1}"#.into())]);
        let read = obj(&[("name", "r".into()), ("policy", r#"{"a":2}"#.into())]);
        assert_eq!(
            reconcile(&role(), &prior, read).str("policy"),
            Some(r#"{"a":2}"#)
        );
    }

    #[test]
    fn set_elements_made_of_blocks_pair_with_their_own_config() {
        let cond = Block::new()
            .block(
                NestedBlock::list(
                    "path_pattern",
                    Block::new().attr(Attribute::string_set("values").optional()),
                )
                .max(1),
            )
            .block(
                NestedBlock::list(
                    "host_header",
                    Block::new().attr(Attribute::string_set("values").optional()),
                )
                .max(1),
            );
        let b = Block::new().block(NestedBlock::set("condition", cond.clone()));
        let path = |v: &str| {
            cond.conform(Value::object([(
                "path_pattern",
                Value::List(vec![Value::object([("values", Value::string_set([v]))])]),
            )]))
        };
        let host = |v: &str| {
            cond.conform(Value::object([(
                "host_header",
                Value::List(vec![Value::object([("values", Value::string_set([v]))])]),
            )]))
        };
        let config = b.conform(Value::object([(
            "condition",
            Value::Set(vec![path("/api/*"), host("x.example")]),
        )]));
        let planned = plan_object(&b, &Value::Null, &config, &config);
        assert!(
            planned.get("condition").equivalent(config.get("condition")),
            "{planned:?}"
        );
        assert!(same_configured(
            &cond,
            &host("x.example"),
            &host("x.example")
        ));
        assert!(!same_configured(&cond, &path("/api/*"), &host("x.example")));
    }

    #[test]
    fn validation_names_the_path_and_conflicts() {
        let b = Block::new()
            .attr(
                Attribute::string("name")
                    .optional()
                    .conflicts_with(&["name_prefix"])
                    .validate(crate::framework::validators::length(1, 3)),
            )
            .attr(
                Attribute::string("name_prefix")
                    .optional()
                    .conflicts_with(&["name"]),
            );
        let mut d = Diagnostics::new();
        validate_object(
            &b,
            &b.conform(Value::object([
                ("name", "abcd".into()),
                ("name_prefix", "x".into()),
            ])),
            &AttrPath::root(),
            &mut d,
        );
        assert_eq!(d.0.len(), 2, "{d}");
        assert!(d.0.iter().all(|x| x.path == Some(AttrPath::attr("name"))));
    }
}
