//! Offline checks of the log group: schema against the twin, plan-time validation, import IDs.

use super::log_group::{self, LogGroupResource};
use crate::framework::plan::validate_object;
use crate::framework::{AttrPath, Diagnostics, Resource, Value};

fn check(pairs: Vec<(&str, Value)>) -> Diagnostics {
    let b = log_group::schema().block;
    let mut d = Diagnostics::new();
    validate_object(
        &b,
        &b.conform(Value::object(pairs)),
        &AttrPath::root(),
        &mut d,
    );
    d
}

#[test]
fn schema_matches_the_twin() {
    let s = log_group::schema();
    let names: Vec<&str> = s.block.attributes.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "arn",
            "deletion_protection_enabled",
            "id",
            "kms_key_id",
            "log_group_class",
            "name",
            "name_prefix",
            "region",
            "retention_in_days",
            "skip_destroy",
            "tags",
            "tags_all"
        ]
    );
    assert!(s.block.blocks.is_empty());
    let a = |n| s.block.attribute(n).unwrap();
    assert_eq!(a("retention_in_days").default, Some(Value::int(0)));
    assert!(a("skip_destroy").client_side);
    assert!(a("log_group_class").force_new && a("log_group_class").computed);
    assert!(a("name").force_new && a("name_prefix").force_new);
    assert!(!a("kms_key_id").force_new && !a("retention_in_days").force_new);
}

#[test]
fn retention_must_be_an_allowed_period() {
    for ok in [0, 1, 14, 3653] {
        assert!(
            check(vec![("retention_in_days", Value::int(ok))]).is_empty(),
            "{ok}"
        );
    }
    let d = check(vec![("retention_in_days", Value::int(2))]);
    assert_eq!(d.0.len(), 1, "{d}");
    assert_eq!(d.0[0].path, Some(AttrPath::attr("retention_in_days")));
    assert!(d.0[0].detail.contains("must be one of 0, 1, 3, 5"), "{d}");
    assert!(d.0[0].detail.contains("got 2"), "{d}");
}

#[test]
fn names_follow_cloudwatch_rules() {
    assert!(check(vec![("name", "/ecs/app#1_a.b-c".into())]).is_empty());
    let d = check(vec![("name", "bad name!".into())]);
    assert_eq!(d.0[0].path, Some(AttrPath::attr("name")), "{d}");
    assert!(d.0[0].detail.contains("' '"), "{d}");
    assert!(check(vec![("name", "a".repeat(513).into())]).has_errors());
    assert!(check(vec![("name", "a".repeat(512).into())]).is_empty());
    let d = check(vec![("name_prefix", "a".repeat(484).into())]);
    assert_eq!(d.0[0].path, Some(AttrPath::attr("name_prefix")), "{d}");
    let d = check(vec![("name", "a".into()), ("name_prefix", "b".into())]);
    assert!(d.0[0].detail.contains("conflicts with"), "{d}");
    let d = check(vec![("log_group_class", "COLD".into())]);
    assert_eq!(d.0[0].path, Some(AttrPath::attr("log_group_class")), "{d}");
}

#[test]
fn arns_lose_the_wildcard_suffix() {
    assert_eq!(
        log_group::trim_arn("arn:aws:logs:us-east-1:1:log-group:/a:*"),
        "arn:aws:logs:us-east-1:1:log-group:/a"
    );
    assert_eq!(log_group::trim_arn("arn:x"), "arn:x");
}

#[tokio::test]
async fn import_ids_are_names() {
    let ctx = crate::resources::testing::offline_ctx();
    let v = LogGroupResource
        .import(&ctx, "/ecs/app@eu-west-1")
        .await
        .unwrap();
    assert_eq!(
        (v.str("id"), v.str("name"), v.str("region")),
        (Some("/ecs/app"), Some("/ecs/app"), Some("eu-west-1"))
    );
    let e = LogGroupResource.import(&ctx, "bad name").await.unwrap_err();
    assert!(e.to_string().contains("Invalid import ID"), "{e}");
}
