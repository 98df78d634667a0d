//! `awsecs_ecs_capacity_provider`: schema, plan-time checks, and the state ↔ API mapping.

use std::sync::Arc;

use aws_sdk_ecs::types::{
    AutoScalingGroupProvider, AutoScalingGroupProviderUpdate, CapacityProvider, ManagedDraining,
    ManagedScaling, ManagedScalingStatus, ManagedTerminationProtection,
};

use super::cluster_support::cluster_name_validator;
use crate::aws::{region_attribute, tag_lists, tags, AwsClients};
use crate::framework::schema::Validator;
use crate::framework::{
    validators, AttrPath, Attribute, Block, Diagnostics, NestedBlock, Schema, Value,
};

const ENABLED_DISABLED: &[&str] = &["ENABLED", "DISABLED"];

/// Capacity provider names: up to 255 letters, digits, hyphens and underscores, not starting with
/// the reserved prefixes `aws`, `ecs` or `fargate` (ECS CreateCapacityProvider rules).
pub fn check_name(name: &str) -> Result<(), String> {
    let n = name.chars().count();
    if !(1..=255).contains(&n) {
        return Err(format!(
            "must be between 1 and 255 characters long, got {n}"
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
    {
        return Err(format!(
            "{name:?} contains {c:?}; only letters, digits, hyphens (-) and underscores (_) are allowed"
        ));
    }
    let lower = name.to_ascii_lowercase();
    if let Some(p) = ["aws", "ecs", "fargate"]
        .iter()
        .find(|p| lower.starts_with(*p))
    {
        return Err(format!(
            "{name:?} starts with {p:?}; ECS reserves the prefixes \"aws\", \"ecs\" and \"fargate\""
        ));
    }
    Ok(())
}

fn name_validator() -> Validator {
    Arc::new(|v, path, diags| {
        if let Some(Err(msg)) = v.as_str().map(check_name) {
            diags.invalid(path.clone(), msg);
        }
    })
}

pub fn schema() -> Schema {
    let int = |n: &str, lo: i64, hi: i64| {
        Attribute::number(n)
            .optional_computed()
            .validate(validators::int_between(lo, hi))
    };
    let managed_scaling = Block::new()
        .attr(
            int("instance_warmup_period", 0, 10_000)
                .desc("Seconds a new instance takes before it counts toward the scaling metric."),
        )
        .attr(
            int("maximum_scaling_step_size", 1, 10_000)
                .desc("Most instances added or removed at once."),
        )
        .attr(
            int("minimum_scaling_step_size", 1, 10_000)
                .desc("Fewest instances added or removed at once."),
        )
        .attr(
            Attribute::string("status")
                .desc("Whether ECS manages the group's desired capacity: `ENABLED` or `DISABLED`.")
                .optional_computed()
                .validate(validators::one_of(ENABLED_DISABLED)),
        )
        .attr(
            int("target_capacity", 1, 100)
                .desc("Target utilization of the group in percent; 100 leaves no spare instances."),
        );
    let provider = Block::new()
        .attr(
            Attribute::string("auto_scaling_group_arn").desc("ARN of the Auto Scaling group.")
                .required()
                .force_new()
                .validate(validators::arn()),
        )
        .attr(
            Attribute::string("managed_draining").desc("Whether ECS drains tasks from instances before the group terminates them: `ENABLED` or `DISABLED`.")
                .optional_computed()
                .validate(validators::one_of(ENABLED_DISABLED)),
        )
        .attr(
            Attribute::string("managed_termination_protection").desc("Whether ECS protects instances running tasks from scale in: `ENABLED` or `DISABLED` (needs `protect_from_scale_in` on the group).")
                .optional_computed()
                .validate(validators::one_of(ENABLED_DISABLED)),
        )
        .block(NestedBlock::list("managed_scaling", managed_scaling).desc("ECS managed scaling of the group.").max(1));
    let [tags, tags_all] = tags::attributes();
    Schema::new(
        Block::new()
            .attr(Attribute::string("arn").desc("ARN of the capacity provider.").computed())
            .attr(
                Attribute::string("cluster")
                    .optional()
                    .force_new()
                    .validate(cluster_name_validator())
                    .desc("Only for ECS Managed Instances providers (not supported by this provider yet)."),
            )
            .attr(Attribute::string("id").desc("ARN of the capacity provider.").optional_computed())
            .attr(
                Attribute::string("name").desc("Name of the capacity provider.")
                    .required()
                    .force_new()
                    .validate(name_validator()),
            )
            .attr(region_attribute())
            .attr(tags)
            .attr(tags_all)
            .block(NestedBlock::list("auto_scaling_group_provider", provider).desc("The Auto Scaling group the capacity provider scales.").max(1)),
    ).desc("Manages an ECS capacity provider backed by an EC2 Auto Scaling group.")
}

/// Checks the schema cannot express: the provider kind, and step sizes that contradict.
pub fn validate(config: &Value, diags: &mut Diagnostics) {
    let asg = config.get("auto_scaling_group_provider");
    if asg.is_known() && asg.elements().is_empty() {
        diags.invalid(
            AttrPath::attr("auto_scaling_group_provider"),
            "an auto_scaling_group_provider block is required (managed_instances_provider is not supported by this provider yet)",
        );
    }
    if !config.get("cluster").is_null() {
        diags.invalid(
            AttrPath::attr("cluster"),
            "cluster applies only to ECS Managed Instances capacity providers; remove it for an auto_scaling_group_provider",
        );
    }
    for (i, p) in asg.elements().iter().enumerate() {
        for (j, m) in p.get("managed_scaling").elements().iter().enumerate() {
            if let (Some(lo), Some(hi)) = (
                m.i64("minimum_scaling_step_size"),
                m.i64("maximum_scaling_step_size"),
            ) {
                if lo > hi {
                    diags.invalid(
                        AttrPath::attr("auto_scaling_group_provider")
                            .index(i)
                            .then("managed_scaling")
                            .index(j)
                            .then("minimum_scaling_step_size"),
                        format!("minimum_scaling_step_size ({lo}) must not exceed maximum_scaling_step_size ({hi})"),
                    );
                }
            }
        }
    }
}

fn i32_of(v: &Value, k: &str) -> Option<i32> {
    v.i64(k).and_then(|n| i32::try_from(n).ok())
}

fn managed_scaling_of(provider: &Value) -> Option<ManagedScaling> {
    let m = provider.block("managed_scaling")?;
    Some(
        ManagedScaling::builder()
            .set_status(m.str("status").map(ManagedScalingStatus::from))
            .set_target_capacity(i32_of(m, "target_capacity"))
            .set_minimum_scaling_step_size(i32_of(m, "minimum_scaling_step_size"))
            .set_maximum_scaling_step_size(i32_of(m, "maximum_scaling_step_size"))
            .set_instance_warmup_period(i32_of(m, "instance_warmup_period"))
            .build(),
    )
}

/// The Auto Scaling group provider to create, from the plan.
pub fn provider_of(planned: &Value) -> Option<AutoScalingGroupProvider> {
    let p = planned.block("auto_scaling_group_provider")?;
    AutoScalingGroupProvider::builder()
        .auto_scaling_group_arn(p.str("auto_scaling_group_arn")?)
        .set_managed_scaling(managed_scaling_of(p))
        .set_managed_termination_protection(
            p.str("managed_termination_protection")
                .map(ManagedTerminationProtection::from),
        )
        .set_managed_draining(p.str("managed_draining").map(ManagedDraining::from))
        .build()
        .ok()
}

/// The in-place changes UpdateCapacityProvider takes.
pub fn provider_update_of(planned: &Value) -> Option<AutoScalingGroupProviderUpdate> {
    let p = planned.block("auto_scaling_group_provider")?;
    Some(
        AutoScalingGroupProviderUpdate::builder()
            .set_managed_scaling(managed_scaling_of(p))
            .set_managed_termination_protection(
                p.str("managed_termination_protection")
                    .map(ManagedTerminationProtection::from),
            )
            .set_managed_draining(p.str("managed_draining").map(ManagedDraining::from))
            .build(),
    )
}

/// The provider as state. `managed_scaling` is a block the twin marks optional+computed; as
/// Terraform lets no provider plan blocks the configuration leaves out, it is read back when the
/// reference has it (or on import, where there is no reference yet).
pub fn read_state(
    cp: &CapacityProvider,
    reference: &Value,
    clients: &AwsClients,
    region: &str,
) -> Value {
    let arn = cp.capacity_provider_arn().unwrap_or_default();
    let r_provider = reference.block("auto_scaling_group_provider");
    let want_scaling = r_provider.is_none_or(|p| !p.get("managed_scaling").elements().is_empty());
    let provider = cp.auto_scaling_group_provider().map(|p| {
        let scaling = p.managed_scaling().filter(|_| want_scaling).map(|m| {
            let n = |v: Option<i32>| Value::opt_int(v.map(i64::from));
            Value::object([
                ("instance_warmup_period", n(m.instance_warmup_period())),
                (
                    "maximum_scaling_step_size",
                    n(m.maximum_scaling_step_size()),
                ),
                (
                    "minimum_scaling_step_size",
                    n(m.minimum_scaling_step_size()),
                ),
                ("status", Value::opt_string(m.status().map(|s| s.as_str()))),
                ("target_capacity", n(m.target_capacity())),
            ])
        });
        Value::object([
            (
                "auto_scaling_group_arn",
                Value::from(p.auto_scaling_group_arn()),
            ),
            (
                "managed_draining",
                Value::opt_string(p.managed_draining().map(|d| d.as_str())),
            ),
            (
                "managed_termination_protection",
                Value::opt_string(p.managed_termination_protection().map(|t| t.as_str())),
            ),
            (
                "managed_scaling",
                Value::List(scaling.into_iter().collect()),
            ),
        ])
    });
    let (tags, tags_all) = tags::split_read(
        &tag_lists::from_ecs(cp.tags()),
        clients.default_tags(),
        reference.get("tags"),
    );
    Value::object([
        ("arn", Value::from(arn)),
        ("cluster", Value::opt_string(cp.cluster())),
        ("id", Value::from(arn)),
        ("name", Value::opt_string(cp.name())),
        ("region", Value::from(region)),
        ("tags", tags),
        ("tags_all", tags_all),
        (
            "auto_scaling_group_provider",
            Value::List(provider.into_iter().collect()),
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::plan::validate_object;

    fn cfg(scaling: Vec<(&str, Value)>) -> Value {
        schema().block.conform(Value::object([
            ("name", Value::from("web")),
            (
                "auto_scaling_group_provider",
                Value::List(vec![Value::object([
                    ("auto_scaling_group_arn", Value::from("arn:aws:autoscaling:us-east-1:1:autoScalingGroup:x:autoScalingGroupName/g")),
                    ("managed_scaling", Value::List(vec![Value::object(scaling)])),
                ])]),
            ),
        ]))
    }

    fn paths(c: &Value) -> Vec<String> {
        let mut d = Diagnostics::new();
        validate_object(&schema().block, c, &AttrPath::root(), &mut d);
        validate(c, &mut d);
        d.0.iter()
            .map(|x| x.path.as_ref().map(|p| p.to_string()).unwrap_or_default())
            .collect()
    }

    #[test]
    fn managed_scaling_bounds_are_checked_with_paths() {
        let at = "auto_scaling_group_provider[0].managed_scaling[0]";
        assert_eq!(
            paths(&cfg(vec![("target_capacity", Value::int(0))])),
            [format!("{at}.target_capacity")]
        );
        assert_eq!(
            paths(&cfg(vec![("instance_warmup_period", Value::int(10_001))])),
            [format!("{at}.instance_warmup_period")]
        );
        assert_eq!(
            paths(&cfg(vec![
                ("minimum_scaling_step_size", Value::int(5)),
                ("maximum_scaling_step_size", Value::int(2))
            ])),
            [format!("{at}.minimum_scaling_step_size")]
        );
        assert_eq!(
            paths(&cfg(vec![("status", Value::from("ON"))])),
            [format!("{at}.status")]
        );
        assert!(paths(&cfg(vec![("target_capacity", Value::int(100))])).is_empty());
    }

    #[test]
    fn provider_kind_and_names_are_checked() {
        let b = schema().block;
        let c = b.conform(Value::object([
            ("name", Value::from("web")),
            ("cluster", Value::from("c")),
        ]));
        assert_eq!(paths(&c), ["auto_scaling_group_provider", "cluster"]);
        for bad in ["ecs-web", "AWS_x", "fargate1", "a b", ""] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
        assert_eq!(check_name("web-capacity_1"), Ok(()));
    }

    #[test]
    fn the_request_carries_only_what_is_set() {
        let p = provider_of(&cfg(vec![
            ("status", "ENABLED".into()),
            ("target_capacity", Value::int(80)),
        ]))
        .unwrap();
        let m = p.managed_scaling().unwrap();
        assert_eq!(
            (m.target_capacity(), m.minimum_scaling_step_size()),
            (Some(80), None)
        );
        assert_eq!(p.managed_termination_protection(), None);
    }
}
