//! `awsecs_autoscaling_group`: schema, plan-time validation and plan adjustments (pure functions;
//! the API calls are in `group.rs` and `group_wait.rs`).

use crate::aws::{names, region_attribute};
use crate::framework::{
    validators, AttrPath, Attribute, Block, Diagnostic, Diagnostics, NestedBlock, Schema, Value,
};

/// The tag ECS puts on an Auto Scaling group when a capacity provider uses it. It is ignored on
/// read unless the configuration declares it (a `tag` block), so attaching a capacity provider
/// never turns into a perpetual "remove AmazonECSManaged" diff (hashicorp/aws issue #12582).
pub const ECS_MANAGED_TAG: &str = "AmazonECSManaged";

const NAME_MAX: usize = 255;

pub fn schema() -> Schema {
    let launch_template = Block::new()
        .attr(
            Attribute::string("id")
                .desc("ID of the launch template.")
                .optional_computed()
                .conflicts_with(&["name"])
                .validate(validators::length(1, 255)),
        )
        .attr(
            Attribute::string("name")
                .desc("Name of the launch template.")
                .optional_computed()
                .conflicts_with(&["id"])
                .validate(validators::length(3, 128)),
        )
        .attr(
            Attribute::string("version")
                .desc("Template version: a number, `$Latest` or `$Default` (the default).")
                .optional_computed()
                .validate(validators::length(1, 255)),
        );
    let tag = Block::new()
        .attr(Attribute::string("key").desc("Tag key.").required())
        .attr(
            Attribute::bool("propagate_at_launch")
                .desc("Whether instances launched by the group get this tag.")
                .required(),
        )
        .attr(Attribute::string("value").desc("Tag value.").required());
    let int = Attribute::number;
    Schema::new(
        Block::new()
            .attr(Attribute::string("arn").desc("ARN of the Auto Scaling group.").computed())
            .attr(Attribute::string_set("availability_zones").desc("Availability Zones to launch in, for groups in the default VPC without subnets.").optional_computed().conflicts_with(&["vpc_zone_identifier"]))
            .attr(Attribute::bool("capacity_rebalance").desc("Whether Capacity Rebalancing replaces Spot Instances at elevated interruption risk.").optional())
            .attr(Attribute::string("context").desc("Reserved context string passed to AWS.").optional())
            .attr(int("default_cooldown").desc("Seconds after a scaling activity before another can start.").optional_computed())
            .attr(int("default_instance_warmup").desc("Seconds a new instance needs before it counts in metrics.").optional())
            .attr(int("desired_capacity").optional_computed().desc("Number of instances that should run; leave unset when ECS managed scaling owns it."))
            .attr(Attribute::string("desired_capacity_type").desc("Unit of the desired capacity: `units`, `vcpu` or `memory-mib`.").optional().validate(validators::one_of(&["units", "vcpu", "memory-mib"])))
            .attr(Attribute::string_set("enabled_metrics").desc("Group metrics to publish to CloudWatch, e.g. `GroupInServiceInstances`.").optional())
            .attr(Attribute::bool("force_delete").default(false).client_side().desc("Delete without draining: instances are terminated with the group (read from state at destroy)."))
            .attr(Attribute::bool("force_delete_warm_pool").desc("Delete the warm pool without waiting for its instances to terminate.").default(false).client_side())
            .attr(int("health_check_grace_period").desc("Seconds after launch before health checks count.").default(300))
            .attr(Attribute::string("health_check_type").desc("Health check type: `EC2` or `ELB`.").optional_computed())
            .attr(Attribute::string("id").desc("Name of the Auto Scaling group.").optional_computed())
            .attr(Attribute::bool("ignore_failed_scaling_activities").desc("Do not fail the apply when a scaling activity fails while waiting for capacity.").default(false).client_side())
            .attr(Attribute::string("launch_configuration").desc("Name of a launch configuration to use instead of a launch template.").optional())
            .attr(Attribute::string_set("load_balancers").desc("Names of Classic Load Balancers to register instances with.").optional_computed())
            .attr(int("max_instance_lifetime").desc("Seconds an instance may run before it is replaced (0 or 86400 to 31536000).").optional())
            .attr(int("max_size").desc("Maximum number of instances.").required())
            .attr(Attribute::string("metrics_granularity").desc("Granularity of the enabled metrics; only `1Minute` exists.").default("1Minute"))
            .attr(int("min_elb_capacity").desc("Wait on create until this many instances are healthy in the load balancers.").optional().client_side())
            .attr(int("min_size").desc("Minimum number of instances.").required())
            .attr(Attribute::string("name").desc("Name of the group; generated when neither this nor `name_prefix` is set.").optional_computed().force_new().conflicts_with(&["name_prefix"]).validate(validators::length(0, NAME_MAX)))
            .attr(Attribute::string("name_prefix").desc("Creates a unique name starting with this prefix.").optional_computed().force_new().conflicts_with(&["name"]).validate(validators::length(0, NAME_MAX - names::UNIQUE_SUFFIX_LEN)))
            .attr(Attribute::string("placement_group").desc("Name of the placement group to launch instances into.").optional())
            .attr(int("predicted_capacity").desc("Capacity predicted by predictive scaling.").computed())
            .attr(Attribute::bool("protect_from_scale_in").default(false).desc("New instances start protected from scale in; required for ECS managed termination protection."))
            .attr(region_attribute())
            .attr(Attribute::string("service_linked_role_arn").desc("ARN of the service-linked role the group uses to call other services.").optional_computed())
            .attr(Attribute::string_set("suspended_processes").desc("Scaling processes to suspend, e.g. `AZRebalance` or `ReplaceUnhealthy`.").optional())
            .attr(Attribute::string_set("target_group_arns").desc("ARNs of load balancer target groups to register instances with.").optional_computed())
            .attr(Attribute::string_list("termination_policies").desc("Order of policies deciding which instances terminate first on scale in.").optional())
            .attr(Attribute::string_set("vpc_zone_identifier").desc("IDs of the subnets to launch instances in.").optional_computed().conflicts_with(&["availability_zones"]))
            .attr(Attribute::string("wait_for_capacity_timeout").default("10m").client_side().validate(validators::duration()).desc("How long create and size changes wait for healthy instances; \"0\" disables the wait."))
            .attr(int("wait_for_elb_capacity").desc("Wait on create and size changes until this many instances are healthy in the load balancers.").optional().client_side())
            .attr(int("warm_pool_size").desc("Current size of the warm pool.").computed())
            .block(NestedBlock::list("launch_template", launch_template).desc("The launch template instances start from.").max(1))
            .block(NestedBlock::set("tag", tag).desc("A tag on the group, optionally copied to its instances."))
            .timeouts(&["update", "delete"]),
    ).desc("Manages an EC2 Auto Scaling group, e.g. the instances of an ECS capacity provider.")
}

fn known_int(config: &Value, name: &str) -> Option<i64> {
    config.get(name).as_i64()
}

/// Cross-attribute checks: sizes, and where instances come from. Unknown values are skipped (they
/// are checked again when the plan is final).
pub fn validate(config: &Value, diags: &mut Diagnostics) {
    validate_sizes(config, diags);
    validate_launch_source(config, diags);
}

/// min_size <= desired_capacity <= max_size, for the values known so far.
pub fn validate_sizes(config: &Value, diags: &mut Diagnostics) {
    let (min, max, desired) = (
        known_int(config, "min_size"),
        known_int(config, "max_size"),
        known_int(config, "desired_capacity"),
    );
    if let (Some(min), Some(max)) = (min, max) {
        if min > max {
            diags.invalid(
                AttrPath::attr("min_size"),
                format!("min_size ({min}) must be less than or equal to max_size ({max})"),
            );
        }
    }
    for (name, v) in [
        ("min_size", min),
        ("max_size", max),
        ("desired_capacity", desired),
    ] {
        if v.is_some_and(|n| n < 0) {
            diags.invalid(AttrPath::attr(name), format!("{name} must not be negative"));
        }
    }
    if let Some(d) = desired {
        let below = min.is_some_and(|m| d < m);
        let above = max.is_some_and(|m| d > m);
        if below || above {
            let range = match (min, max) {
                (Some(a), Some(b)) => format!("[min_size {a}, max_size {b}]"),
                (Some(a), None) => format!("at least min_size ({a})"),
                (None, Some(b)) => format!("at most max_size ({b})"),
                (None, None) => String::new(),
            };
            diags.invalid(
                AttrPath::attr("desired_capacity"),
                format!("desired_capacity ({d}) must be within {range}"),
            );
        }
    }
}

fn validate_launch_source(config: &Value, diags: &mut Diagnostics) {
    let lt = config.get("launch_template");
    let lc = config.get("launch_configuration");
    if lt.is_known() && lc.is_known() {
        let has_lt = !lt.elements().is_empty();
        let has_lc = !lc.is_null();
        if has_lt == has_lc {
            let detail = if has_lt {
                "launch_configuration and launch_template both set; set exactly one of them"
            } else {
                "one of launch_template or launch_configuration must be set (mixed_instances_policy is not supported by this provider)"
            };
            diags.push(
                Diagnostic::error("Invalid combination of arguments", detail)
                    .at(AttrPath::attr("launch_template")),
            );
        }
    }
    for (i, e) in lt.elements().iter().enumerate() {
        let (id, name) = (e.get("id"), e.get("name"));
        if id.is_null() && name.is_null() {
            diags.invalid(
                AttrPath::attr("launch_template").index(i),
                "set the launch template's id or its name",
            );
        }
    }
}

/// Plan adjustments beyond the schema rules, for values AWS changes as a side effect. `prior` is
/// null on create.
pub fn adjust_plan(prior: &Value, config: &Value, planned: &mut Value) {
    if prior.is_null() {
        return;
    }
    // desired_capacity left to ECS/AWS: a new min/max clamps it. The update sends that exact value,
    // so the plan shows what will happen instead of a wrong "no change".
    if config.get("desired_capacity").is_null() {
        let (min, max) = (planned.get("min_size"), planned.get("max_size"));
        let moved =
            !min.equivalent(prior.get("min_size")) || !max.equivalent(prior.get("max_size"));
        if moved {
            let new = match (min.as_i64(), max.as_i64(), prior.i64("desired_capacity")) {
                (Some(lo), Some(hi), Some(d)) => Value::int(d.max(lo).min(hi)),
                _ => Value::Unknown,
            };
            planned.set("desired_capacity", new);
        }
    }
    // Subnets decide the zones and the other way round: a change to one recomputes the other.
    for (set, derived) in [
        ("vpc_zone_identifier", "availability_zones"),
        ("availability_zones", "vpc_zone_identifier"),
    ] {
        let c = config.get(set);
        if config.get(derived).is_null() && !c.is_null() && !c.equivalent(prior.get(set)) {
            planned.set(derived, Value::Unknown);
        }
    }
    // Switching the launch template by name recomputes its id, and the other way round.
    let (Some(cfg), Some(old)) = (
        config.block("launch_template"),
        prior.block("launch_template"),
    ) else {
        return;
    };
    let mut lt = match planned.block("launch_template") {
        Some(v) => v.clone(),
        None => return,
    };
    for (key, other) in [("name", "id"), ("id", "name")] {
        let c = cfg.get(key);
        if !c.is_null() && cfg.get(other).is_null() && !c.equivalent(old.get(key)) {
            lt.set(other, Value::Unknown);
        }
    }
    planned.set("launch_template", Value::List(vec![lt]));
}

/// One `tag` block.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct GroupTag {
    pub key: String,
    pub value: String,
    pub propagate_at_launch: bool,
}

impl GroupTag {
    pub fn to_value(&self) -> Value {
        Value::object([
            ("key", Value::from(self.key.as_str())),
            ("propagate_at_launch", Value::Bool(self.propagate_at_launch)),
            ("value", Value::from(self.value.as_str())),
        ])
    }
}

/// The `tag` blocks of a plan or state.
pub fn tags_of(v: &Value) -> Vec<GroupTag> {
    let mut out: Vec<GroupTag> = v
        .get("tag")
        .elements()
        .iter()
        .filter_map(|t| {
            Some(GroupTag {
                key: t.str("key")?.to_string(),
                value: t.str("value")?.to_string(),
                propagate_at_launch: t.bool("propagate_at_launch").unwrap_or(false),
            })
        })
        .collect();
    out.sort();
    out
}

/// The `tag` set to record from what AWS reports: everything, except the ECS-managed tag when the
/// reference (prior state or plan) does not declare it.
pub fn read_tags(api: Vec<GroupTag>, reference: &Value) -> Value {
    let declared = tags_of(reference).iter().any(|t| t.key == ECS_MANAGED_TAG);
    let mut kept: Vec<GroupTag> = api
        .into_iter()
        .filter(|t| declared || t.key != ECS_MANAGED_TAG)
        .collect();
    kept.sort();
    Value::Set(kept.iter().map(GroupTag::to_value).collect())
}

/// What a tag update must do: tags to create or overwrite, and keys to delete.
pub fn tag_changes(old: &[GroupTag], new: &[GroupTag]) -> (Vec<GroupTag>, Vec<String>) {
    let upsert = new.iter().filter(|t| !old.contains(t)).cloned().collect();
    let remove = old
        .iter()
        .filter(|o| !new.iter().any(|n| n.key == o.key))
        .map(|o| o.key.clone())
        .collect();
    (upsert, remove)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::plan::validate_object;

    fn cfg(pairs: Vec<(&str, Value)>) -> Value {
        schema().block.conform(Value::object(pairs))
    }

    fn lt(pairs: Vec<(&str, Value)>) -> Value {
        Value::List(vec![Value::object(pairs)])
    }

    fn errors_at(config: &Value) -> Vec<(String, String)> {
        let mut d = Diagnostics::new();
        validate_object(&schema().block, config, &AttrPath::root(), &mut d);
        validate(config, &mut d);
        d.0.iter()
            .map(|x| {
                (
                    x.path.as_ref().map(|p| p.to_string()).unwrap_or_default(),
                    x.detail.clone(),
                )
            })
            .collect()
    }

    #[test]
    fn schema_matches_the_twin() {
        let s = schema();
        let a = |n: &str| s.block.attribute(n).unwrap().clone();
        assert!(a("min_size").required && a("max_size").required);
        assert!(a("desired_capacity").optional && a("desired_capacity").computed);
        assert_eq!(
            a("health_check_grace_period").default,
            Some(Value::int(300))
        );
        assert_eq!(
            a("metrics_granularity").default,
            Some(Value::from("1Minute"))
        );
        assert_eq!(
            a("wait_for_capacity_timeout").default,
            Some(Value::from("10m"))
        );
        assert_eq!(a("protect_from_scale_in").default, Some(Value::Bool(false)));
        assert!(a("name").force_new && a("name_prefix").force_new);
        assert!(a("force_delete").client_side && a("wait_for_capacity_timeout").client_side);
        assert_eq!(
            a("termination_policies").ty,
            crate::framework::Type::list(crate::framework::Type::String)
        );
        let blocks: Vec<&str> = s.block.blocks.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(blocks, ["launch_template", "tag", "timeouts"]);
        assert_eq!(s.block.nested("launch_template").unwrap().max_items, 1);
    }

    #[test]
    fn sizes_are_checked_at_plan_time_with_paths() {
        let base = |extra: Vec<(&str, Value)>| {
            let mut p = vec![("launch_template", lt(vec![("id", "lt-1".into())]))];
            p.extend(extra);
            cfg(p)
        };
        let e = errors_at(&base(vec![("min_size", 3.into()), ("max_size", 1.into())]));
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].0, "min_size");
        assert!(
            e[0].1.contains("min_size (3)") && e[0].1.contains("max_size (1)"),
            "{e:?}"
        );

        let e = errors_at(&base(vec![
            ("min_size", 1.into()),
            ("max_size", 2.into()),
            ("desired_capacity", 5.into()),
        ]));
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].0, "desired_capacity");
        assert!(e[0].1.contains("[min_size 1, max_size 2]"), "{e:?}");

        // Unknown sizes are not judged yet.
        let e = errors_at(&base(vec![
            ("min_size", Value::Unknown),
            ("max_size", 2.into()),
            ("desired_capacity", 1.into()),
        ]));
        assert!(e.is_empty(), "{e:?}");
    }

    #[test]
    fn launch_source_must_be_exactly_one_and_named_once() {
        let sizes = || vec![("min_size", Value::int(0)), ("max_size", Value::int(1))];
        let mut p = sizes();
        p.push((
            "launch_template",
            lt(vec![("id", "lt-1".into()), ("name", "web".into())]),
        ));
        let e = errors_at(&cfg(p));
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].0, "launch_template[0].id");

        let e = errors_at(&cfg(sizes()));
        assert_eq!(e[0].0, "launch_template", "{e:?}");

        let mut p = sizes();
        p.push(("launch_template", lt(vec![("version", "1".into())])));
        let e = errors_at(&cfg(p));
        assert_eq!(e[0].0, "launch_template[0]", "{e:?}");

        let mut p = sizes();
        p.push(("launch_template", lt(vec![("name", "web".into())])));
        p.push(("launch_configuration", "lc".into()));
        assert_eq!(errors_at(&cfg(p))[0].0, "launch_template");
    }

    #[test]
    fn new_bounds_clamp_an_unmanaged_desired_capacity() {
        let prior = cfg(vec![
            ("min_size", 1.into()),
            ("max_size", 4.into()),
            ("desired_capacity", 3.into()),
        ]);
        let config = cfg(vec![("min_size", 1.into()), ("max_size", 2.into())]);
        let mut planned = prior.clone();
        planned.set("max_size", 2.into());
        adjust_plan(&prior, &config, &mut planned);
        assert_eq!(planned.get("desired_capacity"), &Value::int(2));

        // Configured desired capacity is the user's: untouched.
        let config = cfg(vec![
            ("min_size", 1.into()),
            ("max_size", 2.into()),
            ("desired_capacity", 3.into()),
        ]);
        let mut planned = prior.clone();
        planned.set("max_size", 2.into());
        adjust_plan(&prior, &config, &mut planned);
        assert_eq!(planned.get("desired_capacity"), &Value::int(3));
    }

    #[test]
    fn changed_subnets_or_template_name_recompute_the_derived_values() {
        let prior = cfg(vec![
            ("vpc_zone_identifier", Value::string_set(["subnet-a"])),
            ("availability_zones", Value::string_set(["us-east-1a"])),
            (
                "launch_template",
                lt(vec![
                    ("id", "lt-1".into()),
                    ("name", "one".into()),
                    ("version", Value::Null),
                ]),
            ),
        ]);
        let config = cfg(vec![
            ("vpc_zone_identifier", Value::string_set(["subnet-b"])),
            ("launch_template", lt(vec![("name", "two".into())])),
        ]);
        let mut planned = prior.clone();
        adjust_plan(&prior, &config, &mut planned);
        assert_eq!(planned.get("availability_zones"), &Value::Unknown);
        assert_eq!(
            planned.get("launch_template").elements()[0].get("id"),
            &Value::Unknown
        );
    }

    #[test]
    fn the_ecs_managed_tag_is_hidden_unless_declared() {
        let api = vec![
            GroupTag {
                key: "app".into(),
                value: "x".into(),
                propagate_at_launch: true,
            },
            GroupTag {
                key: ECS_MANAGED_TAG.into(),
                value: "".into(),
                propagate_at_launch: true,
            },
        ];
        let read = read_tags(api.clone(), &Value::Null);
        assert_eq!(read.elements().len(), 1);
        let declared = cfg(vec![("tag", Value::Set(vec![api[1].to_value()]))]);
        assert_eq!(read_tags(api, &declared).elements().len(), 2);
    }

    #[test]
    fn tag_changes_upsert_and_remove_by_key() {
        let t = |k: &str, v: &str, p: bool| GroupTag {
            key: k.into(),
            value: v.into(),
            propagate_at_launch: p,
        };
        let (up, rm) = tag_changes(
            &[t("a", "1", true), t("b", "2", false), t("c", "3", true)],
            &[t("a", "1", true), t("b", "2", true), t("d", "4", false)],
        );
        assert_eq!(up, vec![t("b", "2", true), t("d", "4", false)]);
        assert_eq!(rm, vec!["c".to_string()]);
    }
}
