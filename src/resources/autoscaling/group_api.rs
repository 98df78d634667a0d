//! `awsecs_autoscaling_group` ↔ the Auto Scaling API: the state a described group reads as, and
//! the request pieces built from a plan.

use aws_sdk_autoscaling::types::{AutoScalingGroup, LaunchTemplateSpecification, Tag};

use super::group_schema::{read_tags, GroupTag};
use crate::aws::names;
use crate::aws::readback::{int, list_or_null, optional, string_set_or_null};
use crate::framework::Value;

/// The group as state. `reference` is the prior state (read) or the plan (apply): it decides how
/// "unset" is spelled and carries the client-side arguments.
pub fn read_state(g: &AutoScalingGroup, reference: &Value, region: &str) -> Value {
    let name = g.auto_scaling_group_name().unwrap_or_default();
    let r = |k: &str| reference.get(k);
    let int_or_zero = |v: Option<i32>| Value::int(i64::from(v.unwrap_or(0)));

    let launch_template = match g.launch_template() {
        Some(lt) => Value::List(vec![Value::object([
            ("id", Value::opt_string(lt.launch_template_id())),
            ("name", Value::opt_string(lt.launch_template_name())),
            ("version", Value::opt_string(lt.version())),
        ])]),
        None => Value::List(vec![]),
    };
    let metrics: Vec<&str> = g
        .enabled_metrics()
        .iter()
        .filter_map(|m| m.metric())
        .collect();
    let granularity = match g.enabled_metrics().iter().find_map(|m| m.granularity()) {
        Some(gr) => Value::from(gr),
        None if r("metrics_granularity").as_str().is_some() => r("metrics_granularity").clone(),
        None => Value::from("1Minute"),
    };
    let suspended: Vec<&str> = g
        .suspended_processes()
        .iter()
        .filter_map(|p| p.process_name())
        .collect();
    // Auto Scaling reports its implicit ["Default"] policy; that is what "unset" means.
    let policies = g.termination_policies();
    let termination = if policies == ["Default"] && r("termination_policies").elements().is_empty()
    {
        match r("termination_policies") {
            Value::Unknown => Value::Null,
            known => known.clone(),
        }
    } else {
        list_or_null(
            policies.iter().map(|p| Value::from(p.as_str())).collect(),
            r("termination_policies"),
        )
    };
    let subnets: Vec<&str> = g
        .vpc_zone_identifier()
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let tags = g
        .tags()
        .iter()
        .filter_map(|t| {
            Some(GroupTag {
                key: t.key()?.to_string(),
                value: t.value().unwrap_or_default().to_string(),
                propagate_at_launch: t.propagate_at_launch().unwrap_or(false),
            })
        })
        .collect();

    Value::object([
        ("arn", Value::opt_string(g.auto_scaling_group_arn())),
        (
            "availability_zones",
            Value::string_set(g.availability_zones().iter().cloned()),
        ),
        (
            "capacity_rebalance",
            optional(
                g.capacity_rebalance().map(Value::Bool),
                r("capacity_rebalance"),
            ),
        ),
        (
            "context",
            optional(g.context().map(Value::from), r("context")),
        ),
        (
            "default_cooldown",
            Value::opt_int(g.default_cooldown().map(i64::from)),
        ),
        (
            "default_instance_warmup",
            optional(
                int(g.default_instance_warmup()),
                r("default_instance_warmup"),
            ),
        ),
        (
            "desired_capacity",
            Value::opt_int(g.desired_capacity().map(i64::from)),
        ),
        (
            "desired_capacity_type",
            optional(
                g.desired_capacity_type().map(Value::from),
                r("desired_capacity_type"),
            ),
        ),
        (
            "enabled_metrics",
            string_set_or_null(&metrics, r("enabled_metrics")),
        ),
        ("force_delete", r("force_delete").clone()),
        (
            "force_delete_warm_pool",
            r("force_delete_warm_pool").clone(),
        ),
        (
            "health_check_grace_period",
            Value::opt_int(g.health_check_grace_period().map(i64::from)),
        ),
        (
            "health_check_type",
            Value::opt_string(g.health_check_type()),
        ),
        ("id", Value::from(name)),
        (
            "ignore_failed_scaling_activities",
            r("ignore_failed_scaling_activities").clone(),
        ),
        (
            "launch_configuration",
            Value::opt_string(g.launch_configuration_name()),
        ),
        (
            "load_balancers",
            Value::string_set(g.load_balancer_names().iter().cloned()),
        ),
        (
            "max_instance_lifetime",
            optional(int(g.max_instance_lifetime()), r("max_instance_lifetime")),
        ),
        ("max_size", Value::opt_int(g.max_size().map(i64::from))),
        ("metrics_granularity", granularity),
        ("min_elb_capacity", r("min_elb_capacity").clone()),
        ("min_size", Value::opt_int(g.min_size().map(i64::from))),
        ("name", Value::from(name)),
        (
            "name_prefix",
            Value::opt_string(names::prefix_from_name(name)),
        ),
        (
            "placement_group",
            optional(g.placement_group().map(Value::from), r("placement_group")),
        ),
        ("predicted_capacity", int_or_zero(g.predicted_capacity())),
        (
            "protect_from_scale_in",
            Value::Bool(g.new_instances_protected_from_scale_in().unwrap_or(false)),
        ),
        ("region", Value::from(region)),
        (
            "service_linked_role_arn",
            Value::opt_string(g.service_linked_role_arn()),
        ),
        (
            "suspended_processes",
            string_set_or_null(&suspended, r("suspended_processes")),
        ),
        (
            "target_group_arns",
            Value::string_set(g.target_group_arns().iter().cloned()),
        ),
        ("termination_policies", termination),
        ("vpc_zone_identifier", Value::string_set(subnets)),
        (
            "wait_for_capacity_timeout",
            r("wait_for_capacity_timeout").clone(),
        ),
        ("wait_for_elb_capacity", r("wait_for_elb_capacity").clone()),
        ("warm_pool_size", int_or_zero(g.warm_pool_size())),
        ("launch_template", launch_template),
        ("tag", read_tags(tags, reference)),
        ("timeouts", r("timeouts").clone()),
    ])
}

/// The launch template to send: by id when the plan knows it, else by name; the version when set.
pub fn launch_template_spec(planned: &Value) -> Option<LaunchTemplateSpecification> {
    let lt = planned.block("launch_template")?;
    let b = LaunchTemplateSpecification::builder();
    let b = match (lt.str("id"), lt.str("name")) {
        (Some(id), _) => b.launch_template_id(id),
        (None, Some(name)) => b.launch_template_name(name),
        (None, None) => return None,
    };
    Some(b.set_version(lt.str("version").map(str::to_string)).build())
}

/// A `tag` block as an Auto Scaling tag on the group `name`.
pub fn to_api_tag(name: &str, t: &GroupTag) -> Tag {
    Tag::builder()
        .resource_id(name)
        .resource_type("auto-scaling-group")
        .key(&t.key)
        .value(&t.value)
        .propagate_at_launch(t.propagate_at_launch)
        .build()
}

/// `vpc_zone_identifier` as the API's comma-separated subnet list.
pub fn subnets_param(v: &Value) -> Option<String> {
    let mut s: Vec<String> = v.strings("vpc_zone_identifier");
    if s.is_empty() {
        return None;
    }
    s.sort();
    Some(s.join(","))
}

/// A known, non-null number as `i32` (the API's integer type).
pub fn i32_of(v: &Value, name: &str) -> Option<i32> {
    v.i64(name).and_then(|n| i32::try_from(n).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_autoscaling::types::{EnabledMetric, TagDescription};

    fn described() -> AutoScalingGroup {
        AutoScalingGroup::builder()
            .auto_scaling_group_name("web")
            .auto_scaling_group_arn(
                "arn:aws:autoscaling:us-east-1:1:autoScalingGroup:x:autoScalingGroupName/web",
            )
            .min_size(1)
            .max_size(3)
            .desired_capacity(2)
            .default_cooldown(300)
            .health_check_grace_period(300)
            .health_check_type("EC2")
            .availability_zones("us-east-1a")
            .vpc_zone_identifier("subnet-b,subnet-a")
            .termination_policies("Default")
            .capacity_rebalance(false)
            .enabled_metrics(
                EnabledMetric::builder()
                    .metric("GroupMinSize")
                    .granularity("1Minute")
                    .build(),
            )
            .tags(
                TagDescription::builder()
                    .key("AmazonECSManaged")
                    .value("")
                    .propagate_at_launch(true)
                    .build(),
            )
            .tags(
                TagDescription::builder()
                    .key("app")
                    .value("x")
                    .propagate_at_launch(true)
                    .build(),
            )
            .launch_template(
                LaunchTemplateSpecification::builder()
                    .launch_template_id("lt-1")
                    .launch_template_name("web")
                    .build(),
            )
            .build()
    }

    #[test]
    fn unset_arguments_read_as_null_not_as_api_zeroes() {
        let s = read_state(&described(), &Value::Null, "us-east-1");
        assert_eq!(
            s.get("termination_policies"),
            &Value::Null,
            "implicit Default policy"
        );
        assert_eq!(
            s.get("capacity_rebalance"),
            &Value::Null,
            "false when unset"
        );
        assert_eq!(s.get("max_instance_lifetime"), &Value::Null);
        assert_eq!(
            s.get("vpc_zone_identifier"),
            &Value::string_set(["subnet-b", "subnet-a"])
        );
        assert_eq!(
            s.get("enabled_metrics"),
            &Value::string_set(["GroupMinSize"])
        );
        assert_eq!(s.get("suspended_processes"), &Value::Null);
        assert_eq!(s.get("tag").elements().len(), 1, "ECS's tag is hidden");
        let lt = &s.get("launch_template").elements()[0];
        assert_eq!(
            (lt.str("id"), lt.str("name"), lt.get("version")),
            (Some("lt-1"), Some("web"), &Value::Null)
        );
        assert_eq!(s.i64("predicted_capacity"), Some(0));
        assert_eq!(s.str("name_prefix"), None);
    }

    #[test]
    fn configured_values_survive_the_read() {
        let reference = Value::object([
            ("termination_policies", Value::string_list(["Default"])),
            ("capacity_rebalance", Value::Bool(false)),
            ("metrics_granularity", "1Minute".into()),
        ]);
        let s = read_state(&described(), &reference, "us-east-1");
        assert_eq!(
            s.get("termination_policies"),
            &Value::string_list(["Default"])
        );
        assert_eq!(s.get("capacity_rebalance"), &Value::Bool(false));
    }

    #[test]
    fn requests_prefer_the_template_id() {
        let planned = Value::object([(
            "launch_template",
            Value::List(vec![Value::object([
                ("id", Value::Unknown),
                ("name", "web".into()),
                ("version", "$Latest".into()),
            ])]),
        )]);
        let spec = launch_template_spec(&planned).unwrap();
        assert_eq!(spec.launch_template_name(), Some("web"));
        assert_eq!(spec.launch_template_id(), None);
        assert_eq!(spec.version(), Some("$Latest"));
        let planned = Value::object([("vpc_zone_identifier", Value::string_set(["b", "a"]))]);
        assert_eq!(subnets_param(&planned).as_deref(), Some("a,b"));
    }
}
