//! Resource tags as hashicorp/aws models them: `tags` is what the configuration sets, `tags_all`
//! is everything on the object, i.e. the provider's `default_tags` merged with `tags` (resource
//! tags win). Resources send `tags_all` to AWS and split what they read back into the two.

use std::collections::BTreeMap;

use crate::framework::{Attribute, Plan, Value};

pub type Tags = BTreeMap<String, String>;

/// The `tags` (optional) and `tags_all` (optional + computed) attributes.
pub fn attributes() -> [Attribute; 2] {
    [
        Attribute::string_map("tags")
            .optional()
            .desc("Tags for this resource; merged over the provider's default_tags."),
        Attribute::string_map("tags_all")
            .optional_computed()
            .desc("All tags on the resource, including the provider's default_tags."),
    ]
}

/// `tags_all` for a configuration: `default_tags ∪ tags`, resource tags winning. Unknown when the
/// configured tags (or the provider's default tags) are not known yet; a single unknown tag
/// value stays an unknown element.
pub fn merged(default_tags: Option<&Tags>, config_tags: &Value) -> Value {
    let Some(defaults) = default_tags else {
        return Value::Unknown;
    };
    if config_tags.is_unknown() {
        return Value::Unknown;
    }
    let mut out: BTreeMap<String, Value> = defaults
        .iter()
        .map(|(k, v)| (k.clone(), Value::string(v.clone())))
        .collect();
    for (k, v) in config_tags.entries() {
        if v.is_null() {
            continue; // a null tag value means "no such tag" in hashicorp/aws
        }
        out.insert(k.clone(), v.clone());
    }
    Value::Map(out)
}

/// Plan hook: sets the planned `tags_all` from the configuration's `tags`.
pub fn plan_tags_all(default_tags: Option<&Tags>, config: &Value, plan: &mut Plan) {
    let all = merged(default_tags, config.get("tags"));
    plan.state.set("tags_all", all);
}

/// The tags to send to AWS on create/update: the planned `tags_all` (known at apply).
pub fn from_planned(planned: &Value) -> Tags {
    planned.string_pairs("tags_all")
}

/// Splits the tags read from AWS into `(tags, tags_all)`. A tag coming only from `default_tags`
/// (same key and value) is left out of `tags`, unless the prior state had it in `tags` (the
/// configuration also sets it). An empty `tags` is null unless the prior state had an empty map,
/// so "no tags" never shows as a diff between `{}` and null.
pub fn split_read(all: &Tags, default_tags: Option<&Tags>, prior_tags: &Value) -> (Value, Value) {
    let empty = Tags::new();
    let defaults = default_tags.unwrap_or(&empty);
    let prior_has = |k: &str| prior_tags.entries().any(|(pk, _)| pk == k);
    let own: BTreeMap<String, Value> = all
        .iter()
        .filter(|(k, v)| defaults.get(*k) != Some(*v) || prior_has(k))
        .map(|(k, v)| (k.clone(), Value::string(v.clone())))
        .collect();
    let tags = if own.is_empty() && !matches!(prior_tags, Value::Map(_)) {
        Value::Null
    } else {
        Value::Map(own)
    };
    (tags, Value::string_map(all.clone()))
}

/// What an update must change: tags to set (new or changed values) and keys to remove.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct TagDiff {
    pub upsert: Tags,
    pub remove: Vec<String>,
}

pub fn diff(old: &Tags, new: &Tags) -> TagDiff {
    TagDiff {
        upsert: new
            .iter()
            .filter(|(k, v)| old.get(*k) != Some(*v))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        remove: old
            .keys()
            .filter(|k| !new.contains_key(*k))
            .cloned()
            .collect(),
    }
}

/// IAM's tag list ↔ map.
pub fn to_iam(tags: &Tags) -> Vec<aws_sdk_iam::types::Tag> {
    tags.iter()
        .filter_map(|(k, v)| {
            aws_sdk_iam::types::Tag::builder()
                .key(k)
                .value(v)
                .build()
                .ok()
        })
        .collect()
}

pub fn from_iam(tags: &[aws_sdk_iam::types::Tag]) -> Tags {
    tags.iter()
        .map(|t| (t.key().to_string(), t.value().to_string()))
        .collect()
}

/// ECR's tag list ↔ map.
pub fn to_ecr(tags: &Tags) -> Vec<aws_sdk_ecr::types::Tag> {
    tags.iter()
        .filter_map(|(k, v)| {
            aws_sdk_ecr::types::Tag::builder()
                .key(k)
                .value(v)
                .build()
                .ok()
        })
        .collect()
}

pub fn from_ecr(tags: &[aws_sdk_ecr::types::Tag]) -> Tags {
    tags.iter()
        .map(|t| (t.key().to_string(), t.value().to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> Tags {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn merge_lets_resource_tags_win() {
        let defaults = tags(&[("env", "prod"), ("team", "a")]);
        let cases: &[(&str, Value, Value)] = &[
            ("no tags", Value::Null, Value::string_map(defaults.clone())),
            (
                "override",
                Value::string_map([("team", "b"), ("app", "x")]),
                Value::string_map([("env", "prod"), ("team", "b"), ("app", "x")]),
            ),
            ("unknown map", Value::Unknown, Value::Unknown),
            (
                "null value dropped",
                Value::Map([("k".to_string(), Value::Null)].into()),
                Value::string_map(defaults.clone()),
            ),
        ];
        for (name, cfg, want) in cases {
            assert_eq!(&merged(Some(&defaults), cfg), want, "{name}");
        }
        let partly = Value::Map([("a".to_string(), Value::Unknown)].into());
        let m = merged(Some(&Tags::new()), &partly);
        assert_eq!(m, partly, "an unknown tag value stays an unknown element");
        assert_eq!(
            merged(None, &Value::Null),
            Value::Unknown,
            "unknown default tags"
        );
        assert_eq!(
            merged(Some(&Tags::new()), &Value::Null),
            Value::Map(BTreeMap::new()),
            "no tags at all is an empty map"
        );
    }

    #[test]
    fn read_split_hides_default_only_tags() {
        let defaults = tags(&[("env", "prod")]);
        let all = tags(&[("env", "prod"), ("app", "x")]);
        let (t, a) = split_read(&all, Some(&defaults), &Value::Null);
        assert_eq!(t, Value::string_map([("app", "x")]));
        assert_eq!(a, Value::string_map(all.clone()));
        // The config also sets env=prod: keep it in tags.
        let (t, _) = split_read(
            &all,
            Some(&defaults),
            &Value::string_map([("env", "prod"), ("app", "x")]),
        );
        assert_eq!(t, Value::string_map(all.clone()));
        // A default tag overridden out of band is the resource's own now.
        let (t, _) = split_read(&tags(&[("env", "dev")]), Some(&defaults), &Value::Null);
        assert_eq!(t, Value::string_map([("env", "dev")]));
        // Nothing of its own: null, or {} when the prior state said {}.
        assert_eq!(
            split_read(&defaults, Some(&defaults), &Value::Null).0,
            Value::Null
        );
        assert_eq!(
            split_read(&Tags::new(), None, &Value::Map(BTreeMap::new())).0,
            Value::Map(BTreeMap::new())
        );
    }

    #[test]
    fn diff_lists_upserts_and_removals() {
        let d = diff(
            &tags(&[("a", "1"), ("b", "2"), ("c", "3")]),
            &tags(&[("a", "1"), ("b", "9"), ("d", "4")]),
        );
        assert_eq!(d.upsert, tags(&[("b", "9"), ("d", "4")]));
        assert_eq!(d.remove, vec!["c".to_string()]);
        assert_eq!(
            diff(&tags(&[("a", "1")]), &tags(&[("a", "1")])),
            TagDiff::default()
        );
    }

    #[test]
    fn sdk_tag_lists_round_trip() {
        let t = tags(&[("a", "1"), ("b", "")]);
        assert_eq!(from_iam(&to_iam(&t)), t);
        assert_eq!(from_ecr(&to_ecr(&t)), t);
    }
}
