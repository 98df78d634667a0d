//! Moving state from a twin type of another provider (MoveResourceState, `moved {}` across
//! providers): the generic mapping of the twin's stored JSON onto our schema.
//!
//! The twin's JSON is written with the twin's schema. We keep the attributes our schema has,
//! reshape nested blocks whose nesting differs (a list of at most one ⇄ a single object), fill
//! what the twin lacks with null (defaults and a refresh complete it), and drop the rest. A
//! dropped attribute that holds a real value gets a warning naming it: the next apply would
//! otherwise silently stop managing it.

use serde_json::{Map, Value as Json};

use super::diag::Diagnostics;
use super::schema::{Attribute, Block, NestedBlock, Nesting};
use super::value::Type;

/// Which other provider's resource types this provider can take state from.
#[derive(Clone, Debug)]
pub struct TwinProvider {
    /// Accepted source provider addresses, e.g. `registry.terraform.io/<namespace>/<name>`.
    pub addresses: Vec<&'static str>,
    /// The twin's type-name prefix; the twin of `<own_prefix>x` is `<twin_prefix>x`.
    pub twin_prefix: &'static str,
    pub own_prefix: &'static str,
}

impl TwinProvider {
    /// The twin type name of one of our types, if it has our prefix.
    pub fn twin_type(&self, own_type: &str) -> Option<String> {
        own_type
            .strip_prefix(self.own_prefix)
            .map(|rest| format!("{}{rest}", self.twin_prefix))
    }

    pub fn accepts_address(&self, address: &str) -> bool {
        self.addresses
            .iter()
            .any(|a| a.eq_ignore_ascii_case(address))
    }
}

/// How one resource takes its twin's state. `defaults` lists twin-only attributes (dotted
/// paths without indexes, e.g. `deployment_configuration.strategy`) with the value that means
/// "not used", beyond the generic empties (null, false, 0, "", [], {}).
#[derive(Clone, Debug, Default)]
pub struct TwinState {
    /// The schema version the twin's supported release writes.
    pub schema_version: i64,
    pub defaults: Vec<(&'static str, Json)>,
}

/// Maps a twin's state object onto `block`. Returns the mapped object and the dotted paths of
/// dropped attributes that held a non-default value.
pub fn map_twin_state(block: &Block, twin: &Json, info: &TwinState) -> (Json, Vec<String>) {
    let mut dropped = Vec::new();
    let out = map_object(block, twin, "", info, &mut dropped);
    (out, dropped)
}

/// Warnings for dropped attributes, one per attribute, naming the twin type and the path.
pub fn dropped_warnings(twin_type: &str, own_type: &str, dropped: &[String]) -> Diagnostics {
    let mut d = Diagnostics::new();
    for path in dropped {
        d.warn(
            "Attribute not supported, dropped in the move",
            format!(
                "{twin_type}.{path} is set in the moved state, but {own_type} does not support `{path}`. \
                 From now on Terraform no longer manages it: the remote object keeps its current setting until it is replaced. \
                 Remove the argument from the configuration, or keep this resource on the original provider."
            ),
        );
    }
    d
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

fn map_object(
    block: &Block,
    twin: &Json,
    prefix: &str,
    info: &TwinState,
    dropped: &mut Vec<String>,
) -> Json {
    let empty = Map::new();
    let src = twin.as_object().unwrap_or(&empty);
    let mut out = Map::new();
    for a in &block.attributes {
        let v = src.get(&a.name).cloned().unwrap_or(Json::Null);
        out.insert(a.name.clone(), unset_as_null(a, fit(v, &a.ty)));
    }
    for b in &block.blocks {
        let v = src.get(&b.name).cloned().unwrap_or(Json::Null);
        let mapped = map_nested(b, v, &join(prefix, &b.name), info, dropped);
        out.insert(b.name.clone(), mapped);
    }
    for (name, v) in src {
        if block.attribute(name).is_none() && block.nested(name).is_none() {
            set_leaves(&join(prefix, name), v, info, dropped);
        }
    }
    Json::Object(out)
}

/// One nested block: a list of at most one where we nest a single object becomes that object
/// (extra items are reported), a single object where we have a list becomes a list of one.
fn map_nested(
    b: &NestedBlock,
    v: Json,
    path: &str,
    info: &TwinState,
    dropped: &mut Vec<String>,
) -> Json {
    let items = |v: Json| match v {
        Json::Null => Vec::new(),
        Json::Array(items) => items,
        other => vec![other],
    };
    match b.nesting {
        Nesting::Single | Nesting::Group => {
            let mut it = items(v).into_iter();
            let first = it.next();
            if it.next().is_some() {
                dropped.push(format!("{path}[1:]"));
            }
            match first {
                Some(o) => map_object(&b.block, &o, path, info, dropped),
                None => Json::Null,
            }
        }
        Nesting::List | Nesting::Set => Json::Array(
            items(v)
                .iter()
                .map(|o| map_object(&b.block, o, path, info, dropped))
                .collect(),
        ),
        Nesting::Map => Json::Object(
            v.as_object()
                .into_iter()
                .flatten()
                .map(|(k, o)| (k.clone(), map_object(&b.block, o, path, info, dropped)))
                .collect(),
        ),
    }
}

/// The twin's SDK cannot tell unset from a zero value and stores `""`, `false`, `[]` or `{}`
/// for an unset argument. Where our plan rules make an unset argument null (optional, not
/// computed, no default), such a zero means null; kept, it would plan a change (or a
/// replacement for a force-new argument) against a configuration that leaves it out. Numbers
/// stay: `0` is as often configured (`desired_count = 0`) as left out.
fn unset_as_null(a: &Attribute, v: Json) -> Json {
    let plans_null_when_unset = a.optional && !a.computed && !a.required && a.default.is_none();
    let zero = match &v {
        Json::String(s) => s.is_empty(),
        Json::Bool(b) => !b,
        Json::Array(items) => items.is_empty(),
        Json::Object(m) => m.is_empty(),
        Json::Number(_) | Json::Null => false,
    };
    if plans_null_when_unset && zero {
        Json::Null
    } else {
        v
    }
}

/// Records the paths under a dropped value that are set, down to the leaves of nested blocks,
/// so a warning names `block.argument` rather than the whole block.
fn set_leaves(path: &str, v: &Json, info: &TwinState, out: &mut Vec<String>) {
    if is_unused(path, v, info) {
        return;
    }
    let before = out.len();
    match v {
        Json::Array(items) if items.iter().all(Json::is_object) => {
            for item in items {
                set_leaves(path, item, info, out);
            }
        }
        Json::Object(m) => {
            for (k, item) in m {
                set_leaves(&join(path, k), item, info, out);
            }
        }
        _ => out.push(path.to_string()),
    }
    if out.len() == before {
        out.push(path.to_string());
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut i = before;
    while i < out.len() {
        if seen.insert(out[i].clone()) {
            i += 1;
        } else {
            out.remove(i);
        }
    }
}

/// Whether a dropped value means "not used": a generic empty or the twin's declared default.
fn is_unused(path: &str, v: &Json, info: &TwinState) -> bool {
    if info.defaults.iter().any(|(p, d)| *p == path && d == v) {
        return true;
    }
    match v {
        Json::Null => true,
        Json::Bool(b) => !b,
        Json::Number(n) => n.as_f64() == Some(0.0),
        Json::String(s) => s.is_empty(),
        Json::Array(items) => items.iter().all(|i| is_unused(path, i, info)),
        Json::Object(m) => m.iter().all(|(k, i)| is_unused(&join(path, k), i, info)),
    }
}

/// Reshapes a value to an attribute type where the twin stores it differently: a one-element
/// list where we have an object, a bare value where we have a collection.
fn fit(v: Json, ty: &Type) -> Json {
    match (ty, v) {
        (_, Json::Null) => Json::Null,
        (Type::List(t) | Type::Set(t), Json::Array(items)) => {
            Json::Array(items.into_iter().map(|i| fit(i, t)).collect())
        }
        (Type::List(t) | Type::Set(t), other) => Json::Array(vec![fit(other, t)]),
        (Type::Map(t), Json::Object(m)) => {
            Json::Object(m.into_iter().map(|(k, i)| (k, fit(i, t))).collect())
        }
        (Type::Object(attrs), Json::Array(items)) => match items.into_iter().next() {
            Some(first) => fit(first, &Type::Object(attrs.clone())),
            None => Json::Null,
        },
        (Type::Object(attrs), Json::Object(mut m)) => Json::Object(
            attrs
                .iter()
                .map(|(k, t)| (k.clone(), fit(m.remove(k).unwrap_or(Json::Null), t)))
                .collect(),
        ),
        (_, other) => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn block() -> Block {
        Block::new()
            .attr(Attribute::string("id").computed())
            .attr(Attribute::string("name").required())
            .attr(Attribute::string_set("tags_list").optional())
            .block(NestedBlock::single(
                "config",
                Block::new().attr(Attribute::number("size").optional()),
            ))
            .block(NestedBlock::list(
                "rule",
                Block::new().attr(Attribute::string("kind").optional()),
            ))
            .timeouts(&["create"])
    }

    fn info() -> TwinState {
        TwinState {
            schema_version: 0,
            defaults: vec![("mode", json!("STANDARD")), ("config.unit", json!("GiB"))],
        }
    }

    #[test]
    fn keeps_ours_fills_missing_and_reshapes_blocks() {
        let twin = json!({
            "id": "x", "name": "x",
            "config": [{"size": 3, "unit": "GiB"}],
            "rule": {"kind": "a"},
            "timeouts": null,
        });
        let (out, dropped) = map_twin_state(&block(), &twin, &info());
        assert_eq!(
            out,
            json!({
                "id": "x", "name": "x", "tags_list": null,
                "config": {"size": 3},
                "rule": [{"kind": "a"}],
                "timeouts": null,
            })
        );
        assert!(dropped.is_empty(), "{dropped:?}");
    }

    #[test]
    fn zero_values_of_unset_optional_arguments_become_null() {
        let b = Block::new()
            .attr(Attribute::string("description").optional())
            .attr(Attribute::string("name").optional_computed())
            .attr(Attribute::number("count").optional())
            .attr(Attribute::bool("flag").default(false))
            .attr(Attribute::string_set("items").optional())
            .attr(Attribute::string("role").required());
        let twin = json!({"description": "", "name": "", "count": 0, "flag": false, "items": [], "role": ""});
        let (out, _) = map_twin_state(&b, &twin, &info());
        assert_eq!(
            out,
            json!({"description": null, "name": "", "count": 0, "flag": false, "items": null, "role": ""})
        );
        let set = json!({"description": "d", "count": 2, "items": ["a"]});
        let (out, _) = map_twin_state(&b, &set, &info());
        assert_eq!(out["description"], "d");
        assert_eq!(out["count"], 2);
        assert_eq!(out["items"], json!(["a"]));
    }

    #[test]
    fn empty_list_block_becomes_absent_single() {
        let twin = json!({"name": "x", "config": [], "rule": []});
        let (out, _) = map_twin_state(&block(), &twin, &info());
        assert_eq!(out["config"], Json::Null);
        assert_eq!(out["rule"], json!([]));
    }

    #[test]
    fn dropped_values_are_reported_unless_default_or_empty() {
        let twin = json!({
            "name": "x",
            "mode": "STANDARD", "exotic": "", "flag": false, "count": 0, "list": [], "map": {},
            "nested_empty": [{"a": null, "b": false}],
            "config": [{"size": 1, "unit": "MiB", "other": true}],
            "set_one": "on",
            "more": [{"enabled": true}],
        });
        let (_, mut dropped) = map_twin_state(&block(), &twin, &info());
        dropped.sort();
        assert_eq!(
            dropped,
            vec!["config.other", "config.unit", "more.enabled", "set_one"]
        );
        let d = dropped_warnings("aws_thing", "awsecs_thing", &dropped);
        assert_eq!(d.0.len(), 4);
        assert!(!d.has_errors());
        assert!(
            d.0[0].detail.contains("aws_thing.config.other"),
            "{:?}",
            d.0[0]
        );
    }

    #[test]
    fn more_than_one_item_for_a_single_block_is_reported() {
        let twin = json!({"name": "x", "config": [{"size": 1}, {"size": 2}]});
        let (out, dropped) = map_twin_state(&block(), &twin, &info());
        assert_eq!(out["config"], json!({"size": 1}));
        assert_eq!(dropped, vec!["config[1:]"]);
    }

    #[test]
    fn attribute_types_are_fitted() {
        let obj = Type::Object([("a".to_string(), Type::String)].into_iter().collect());
        assert_eq!(fit(json!([{"a": "x", "b": 1}]), &obj), json!({"a": "x"}));
        assert_eq!(fit(json!([]), &obj), Json::Null);
        assert_eq!(fit(json!("x"), &Type::set(Type::String)), json!(["x"]));
        assert_eq!(fit(json!(["x"]), &Type::list(Type::String)), json!(["x"]));
    }

    #[test]
    fn twin_type_names() {
        let t = TwinProvider {
            addresses: vec!["registry.terraform.io/acme/cloud"],
            twin_prefix: "cloud_",
            own_prefix: "mine_",
        };
        assert_eq!(t.twin_type("mine_role").as_deref(), Some("cloud_role"));
        assert_eq!(t.twin_type("other_role"), None);
        assert!(t.accepts_address("registry.terraform.io/acme/cloud"));
        assert!(!t.accepts_address("registry.terraform.io/acme/other"));
    }
}
