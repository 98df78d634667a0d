//! EC2 `Describe*` filters the way hashicorp/aws data sources take them: a repeatable
//! `filter { name = "...", values = [...] }` block (its `customFiltersSchema`), plus filters built
//! from plain arguments (`cidr_block = ...`) and from a `tags` map (`tag:KEY = VALUE`).

use aws_sdk_ec2::types::Filter;

use crate::framework::{Attribute, Block, NestedBlock, Value};

/// The `filter` block: a set of `{ name, values }`, both required.
pub fn block() -> NestedBlock {
    NestedBlock::set(
        "filter",
        Block::new()
            .attr(
                Attribute::string("name")
                    .required()
                    .desc("Name of the EC2 filter, e.g. \"vpc-id\" or \"tag:Name\"."),
            )
            .attr(
                Attribute::string_set("values")
                    .required()
                    .desc("Values to match; any one matching is enough."),
            ),
    )
    .desc("A filter on the underlying EC2 Describe call; every filter must match.")
}

fn filter(name: &str, values: Vec<String>) -> Filter {
    Filter::builder()
        .name(name)
        .set_values(Some(values))
        .build()
}

/// The filters of the `filter` blocks in a configuration.
pub fn from_blocks(config: &Value) -> Vec<Filter> {
    config
        .get("filter")
        .elements()
        .iter()
        .filter_map(|f| {
            let name = f.str("name")?;
            Some(filter(name, f.strings("values")))
        })
        .collect()
}

/// One single-value filter per argument that is set (`[("cidr", Some("10.0.0.0/16"))]`).
pub fn from_attributes(pairs: &[(&str, Option<String>)]) -> Vec<Filter> {
    pairs
        .iter()
        .filter_map(|(name, v)| v.as_ref().map(|v| filter(name, vec![v.clone()])))
        .collect()
}

/// `tag:KEY = VALUE` filters for a `tags` map argument.
pub fn from_tags(tags: &Value) -> Vec<Filter> {
    tags.entries()
        .filter_map(|(k, v)| {
            v.as_str()
                .map(|v| filter(&format!("tag:{k}"), vec![v.into()]))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_come_from_blocks_attributes_and_tags() {
        let cfg = Value::object([(
            "filter",
            Value::Set(vec![Value::object([
                ("name", Value::from("vpc-id")),
                ("values", Value::string_set(["vpc-1", "vpc-2"])),
            ])]),
        )]);
        let f = from_blocks(&cfg);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].name(), Some("vpc-id"));
        assert_eq!(f[0].values(), ["vpc-1", "vpc-2"]);

        let f = from_attributes(&[("state", Some("available".into())), ("cidr", None)]);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].name(), Some("state"));

        let f = from_tags(&Value::string_map([("Name", "main")]));
        assert_eq!(f[0].name(), Some("tag:Name"));
        assert_eq!(f[0].values(), ["main"]);
        assert!(from_tags(&Value::Null).is_empty());
    }
}
