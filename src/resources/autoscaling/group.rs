//! `awsecs_autoscaling_group`, the twin of `aws_autoscaling_group`. ID and import ID: the group
//! name (`name@region` imports into another region).
//!
//! Destroy finishes in one pass even under ECS managed termination protection: the group is
//! scaled to zero, scale-in protection is cleared on its instances (and again whenever it
//! reappears while waiting), the group is deleted once empty, and every wait is bounded by the
//! `delete` timeout. ECS's `AmazonECSManaged` tag is ignored unless a `tag` block declares it.
//! Not supported (yet): mixed_instances_policy, instance_refresh, warm_pool, initial_lifecycle_hook,
//! traffic_source, instance_maintenance_policy, instance_lifecycle_policy,
//! capacity_reservation_specification, availability_zone_distribution.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_autoscaling::Client;

use super::group_api::{i32_of, launch_template_spec, read_state, subnets_param, to_api_tag};
use super::group_schema::{self, tag_changes, tags_of};
use super::group_wait::{self, CapacityTarget};
use crate::aws::retry::{self, Poll, WaitPolicy, PROPAGATION_TIMEOUT};
use crate::aws::{errors, names, plan_region, split_import_region, AwsClients};
use crate::framework::resource::timeout;
use crate::framework::{
    validators, ApplyError, ApplyResult, AttrPath, Ctx, Diagnostic, Diagnostics, Plan, PlanRequest,
    Resource, Schema, Value,
};

pub const TYPE: &str = "awsecs_autoscaling_group";
const KIND: &str = "Auto Scaling Group";
const UPDATE_TIMEOUT: Duration = Duration::from_secs(10 * 60);
const DELETE_TIMEOUT: Duration = Duration::from_secs(10 * 60);

pub struct AutoscalingGroup;

fn diag(op: &str, name: &str, detail: impl Into<String>) -> Diagnostic {
    Diagnostic::error(errors::summary(op, name), detail)
}

/// `wait_for_capacity_timeout`; None when "0" (the wait is disabled).
fn capacity_budget(v: &Value) -> Option<Duration> {
    let d = v
        .str("wait_for_capacity_timeout")
        .and_then(validators::parse_duration)
        .unwrap_or(Duration::from_secs(600));
    (!d.is_zero()).then_some(d)
}

fn int_of(v: &Value, name: &str) -> i64 {
    v.i64(name).unwrap_or(0)
}

/// Reads the group right after a write; a group that is not visible yet is waited for briefly.
async fn read_fresh(
    ctx: &Ctx<AwsClients>,
    reference: &Value,
    name: &str,
) -> Result<Value, Diagnostic> {
    let set = ctx.client.regional(reference);
    let asg = set.autoscaling();
    let group = retry::wait_until(
        &ctx.stop,
        "reading the group after writing it",
        WaitPolicy::new(PROPAGATION_TIMEOUT),
        || async {
            Ok(match group_wait::find(asg, name).await? {
                Some(g) => Poll::Ready(g),
                None => Poll::Pending("not found".into()),
            })
        },
    )
    .await
    .map_err(|e: retry::RetryError<String>| {
        e.diag_with(&format!("reading {KIND}"), name, |s| s.clone())
    })?;
    Ok(read_state(&group, reference, set.region()))
}

/// Calls run after CreateAutoScalingGroup for arguments it does not take.
async fn post_create(asg: &Client, name: &str, planned: &Value) -> Result<(), Diagnostic> {
    let suspended = planned.strings("suspended_processes");
    if !suspended.is_empty() {
        asg.suspend_processes()
            .auto_scaling_group_name(name)
            .set_scaling_processes(Some(suspended))
            .send()
            .await
            .map_err(|e| {
                errors::aws_diag_at(
                    &format!("suspending {KIND} processes"),
                    name,
                    &e,
                    AttrPath::attr("suspended_processes"),
                )
            })?;
    }
    let metrics = planned.strings("enabled_metrics");
    if !metrics.is_empty() {
        asg.enable_metrics_collection()
            .auto_scaling_group_name(name)
            .set_metrics(Some(metrics))
            .granularity(planned.str("metrics_granularity").unwrap_or("1Minute"))
            .send()
            .await
            .map_err(|e| {
                errors::aws_diag_at(
                    &format!("enabling {KIND} metrics"),
                    name,
                    &e,
                    AttrPath::attr("enabled_metrics"),
                )
            })?;
    }
    Ok(())
}

/// Added and removed elements of a string set between two states.
fn set_changes(prior: &Value, planned: &Value, key: &str) -> (Vec<String>, Vec<String>) {
    let (old, new) = (prior.strings(key), planned.strings(key));
    let added = new.iter().filter(|x| !old.contains(x)).cloned().collect();
    let removed = old.iter().filter(|x| !new.contains(x)).cloned().collect();
    (added, removed)
}

async fn update_group(
    asg: &Client,
    ctx: &Ctx<AwsClients>,
    prior: &Value,
    planned: &Value,
    name: &str,
) -> Result<(), Diagnostic> {
    // A value only known after apply is derived from another change (e.g. the zones of new
    // subnets): that change is what gets sent.
    let changed =
        |k: &str| !prior.get(k).equivalent(planned.get(k)) && planned.get(k).is_wholly_known();
    let mut req = asg
        .update_auto_scaling_group()
        .auto_scaling_group_name(name);
    let mut any = false;
    macro_rules! on_change {
        ($key:literal, $body:expr) => {
            if changed($key) {
                any = true;
                req = $body;
            }
        };
    }
    on_change!("min_size", req.set_min_size(i32_of(planned, "min_size")));
    on_change!("max_size", req.set_max_size(i32_of(planned, "max_size")));
    on_change!(
        "desired_capacity",
        req.set_desired_capacity(i32_of(planned, "desired_capacity"))
    );
    on_change!(
        "desired_capacity_type",
        req.set_desired_capacity_type(planned.str("desired_capacity_type").map(str::to_string))
    );
    on_change!(
        "default_cooldown",
        req.set_default_cooldown(i32_of(planned, "default_cooldown"))
    );
    on_change!(
        "default_instance_warmup",
        req.set_default_instance_warmup(i32_of(planned, "default_instance_warmup"))
    );
    on_change!(
        "health_check_type",
        req.set_health_check_type(planned.str("health_check_type").map(str::to_string))
    );
    on_change!(
        "health_check_grace_period",
        req.set_health_check_grace_period(i32_of(planned, "health_check_grace_period"))
    );
    // A template switched by name has an id known only after apply: send the name.
    if !prior
        .get("launch_template")
        .equivalent(planned.get("launch_template"))
    {
        any = true;
        req = req.set_launch_template(launch_template_spec(planned));
    }
    on_change!(
        "launch_configuration",
        req.set_launch_configuration_name(planned.str("launch_configuration").map(str::to_string))
    );
    on_change!(
        "vpc_zone_identifier",
        req.set_vpc_zone_identifier(subnets_param(planned))
    );
    on_change!(
        "availability_zones",
        req.set_availability_zones(Some(planned.strings("availability_zones")))
    );
    on_change!(
        "protect_from_scale_in",
        req.set_new_instances_protected_from_scale_in(planned.bool("protect_from_scale_in"))
    );
    on_change!(
        "capacity_rebalance",
        req.capacity_rebalance(planned.bool("capacity_rebalance").unwrap_or(false))
    );
    on_change!(
        "max_instance_lifetime",
        req.max_instance_lifetime(i32_of(planned, "max_instance_lifetime").unwrap_or(0))
    );
    on_change!(
        "service_linked_role_arn",
        req.set_service_linked_role_arn(planned.str("service_linked_role_arn").map(str::to_string))
    );
    on_change!(
        "placement_group",
        req.placement_group(planned.str("placement_group").unwrap_or_default())
    );
    on_change!(
        "context",
        req.context(planned.str("context").unwrap_or_default())
    );
    if changed("termination_policies") {
        any = true;
        // An empty list does not reset the policies; "Default" does.
        let p = planned.strings("termination_policies");
        req = req.set_termination_policies(Some(if p.is_empty() {
            vec!["Default".into()]
        } else {
            p
        }));
    }
    if any {
        let budget = timeout(planned, "update", UPDATE_TIMEOUT);
        retry::retry_when(
            &ctx.stop,
            "updating the group while a scaling activity finishes",
            budget,
            group_wait::is_busy,
            || req.clone().send(),
        )
        .await
        .map_err(|e| e.diag(&format!("updating {KIND}"), name))?;
    }
    Ok(())
}

async fn update_attachments(
    asg: &Client,
    prior: &Value,
    planned: &Value,
    name: &str,
) -> Result<(), Diagnostic> {
    let op = |what: &str| format!("updating {KIND} {what}");
    if planned.get("tag").is_wholly_known() {
        let (upsert, remove) = tag_changes(&tags_of(prior), &tags_of(planned));
        let path = AttrPath::attr("tag");
        if !remove.is_empty() {
            let keys = tags_of(prior)
                .into_iter()
                .filter(|t| remove.contains(&t.key));
            asg.delete_tags()
                .set_tags(Some(keys.map(|t| to_api_tag(name, &t)).collect()))
                .send()
                .await
                .map_err(|e| errors::aws_diag_at(&op("tags"), name, &e, path.clone()))?;
        }
        if !upsert.is_empty() {
            asg.create_or_update_tags()
                .set_tags(Some(upsert.iter().map(|t| to_api_tag(name, t)).collect()))
                .send()
                .await
                .map_err(|e| errors::aws_diag_at(&op("tags"), name, &e, path))?;
        }
    }
    if planned.get("target_group_arns").is_wholly_known() {
        let (add, del) = set_changes(prior, planned, "target_group_arns");
        let path = AttrPath::attr("target_group_arns");
        if !del.is_empty() {
            asg.detach_load_balancer_target_groups()
                .auto_scaling_group_name(name)
                .set_target_group_arns(Some(del))
                .send()
                .await
                .map_err(|e| errors::aws_diag_at(&op("target groups"), name, &e, path.clone()))?;
        }
        if !add.is_empty() {
            asg.attach_load_balancer_target_groups()
                .auto_scaling_group_name(name)
                .set_target_group_arns(Some(add))
                .send()
                .await
                .map_err(|e| errors::aws_diag_at(&op("target groups"), name, &e, path))?;
        }
    }
    if planned.get("load_balancers").is_wholly_known() {
        let (add, del) = set_changes(prior, planned, "load_balancers");
        let path = AttrPath::attr("load_balancers");
        if !del.is_empty() {
            asg.detach_load_balancers()
                .auto_scaling_group_name(name)
                .set_load_balancer_names(Some(del))
                .send()
                .await
                .map_err(|e| errors::aws_diag_at(&op("load balancers"), name, &e, path.clone()))?;
        }
        if !add.is_empty() {
            asg.attach_load_balancers()
                .auto_scaling_group_name(name)
                .set_load_balancer_names(Some(add))
                .send()
                .await
                .map_err(|e| errors::aws_diag_at(&op("load balancers"), name, &e, path))?;
        }
    }
    let (add, del) = set_changes(prior, planned, "suspended_processes");
    let path = AttrPath::attr("suspended_processes");
    if !del.is_empty() {
        asg.resume_processes()
            .auto_scaling_group_name(name)
            .set_scaling_processes(Some(del))
            .send()
            .await
            .map_err(|e| errors::aws_diag_at(&op("processes"), name, &e, path.clone()))?;
    }
    if !add.is_empty() {
        asg.suspend_processes()
            .auto_scaling_group_name(name)
            .set_scaling_processes(Some(add))
            .send()
            .await
            .map_err(|e| errors::aws_diag_at(&op("processes"), name, &e, path))?;
    }
    let (mut add, del) = set_changes(prior, planned, "enabled_metrics");
    let path = AttrPath::attr("enabled_metrics");
    if prior.get("metrics_granularity") != planned.get("metrics_granularity") {
        add = planned.strings("enabled_metrics");
    }
    if !del.is_empty() {
        asg.disable_metrics_collection()
            .auto_scaling_group_name(name)
            .set_metrics(Some(del))
            .send()
            .await
            .map_err(|e| errors::aws_diag_at(&op("metrics"), name, &e, path.clone()))?;
    }
    if !add.is_empty() {
        asg.enable_metrics_collection()
            .auto_scaling_group_name(name)
            .set_metrics(Some(add))
            .granularity(planned.str("metrics_granularity").unwrap_or("1Minute"))
            .send()
            .await
            .map_err(|e| errors::aws_diag_at(&op("metrics"), name, &e, path))?;
    }
    Ok(())
}

#[async_trait]
impl Resource<AwsClients> for AutoscalingGroup {
    fn type_name(&self) -> &'static str {
        TYPE
    }

    fn schema(&self) -> Schema {
        group_schema::schema()
    }

    /// hashicorp/aws stores `aws_autoscaling_group` at schema version 1.
    fn twin_state(&self) -> crate::framework::TwinState {
        crate::framework::TwinState {
            schema_version: 1,
            ..Default::default()
        }
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        group_schema::validate(config, diags);
    }

    async fn modify_plan(
        &self,
        ctx: &Ctx<AwsClients>,
        req: &PlanRequest<'_>,
        plan: &mut Plan,
        diags: &mut Diagnostics,
    ) {
        plan_region(&ctx.client, req.config, plan);
        group_schema::adjust_plan(req.prior, req.config, &mut plan.state);
        // Sizes may only become known now (e.g. from other resources): check them again.
        group_schema::validate_sizes(&plan.state, diags);
    }

    async fn create(&self, ctx: &Ctx<AwsClients>, planned: &Value) -> ApplyResult {
        let set = ctx.client.regional(planned);
        let asg = set.autoscaling();
        let name = names::generate(planned.str("name"), planned.str("name_prefix"));
        let op = format!("creating {KIND}");
        let tags: Vec<_> = tags_of(planned)
            .iter()
            .map(|t| to_api_tag(&name, t))
            .collect();
        let policies = planned.strings("termination_policies");
        let azs = planned.strings("availability_zones");
        let req = asg
            .create_auto_scaling_group()
            .auto_scaling_group_name(&name)
            .set_min_size(i32_of(planned, "min_size"))
            .set_max_size(i32_of(planned, "max_size"))
            .set_desired_capacity(i32_of(planned, "desired_capacity"))
            .set_desired_capacity_type(planned.str("desired_capacity_type").map(str::to_string))
            .set_launch_template(launch_template_spec(planned))
            .set_launch_configuration_name(planned.str("launch_configuration").map(str::to_string))
            .set_vpc_zone_identifier(subnets_param(planned))
            .set_availability_zones((!azs.is_empty()).then_some(azs))
            .set_new_instances_protected_from_scale_in(planned.bool("protect_from_scale_in"))
            .set_health_check_type(planned.str("health_check_type").map(str::to_string))
            .set_health_check_grace_period(i32_of(planned, "health_check_grace_period"))
            .set_default_cooldown(i32_of(planned, "default_cooldown"))
            .set_default_instance_warmup(i32_of(planned, "default_instance_warmup"))
            .set_capacity_rebalance(planned.bool("capacity_rebalance"))
            .set_max_instance_lifetime(i32_of(planned, "max_instance_lifetime"))
            .set_termination_policies((!policies.is_empty()).then_some(policies))
            .set_service_linked_role_arn(planned.str("service_linked_role_arn").map(str::to_string))
            .set_target_group_arns(
                Some(planned.strings("target_group_arns")).filter(|v| !v.is_empty()),
            )
            .set_load_balancer_names(
                Some(planned.strings("load_balancers")).filter(|v| !v.is_empty()),
            )
            .set_placement_group(planned.str("placement_group").map(str::to_string))
            .set_context(planned.str("context").map(str::to_string))
            .set_tags((!tags.is_empty()).then_some(tags));
        let started = aws_smithy_types::DateTime::from(std::time::SystemTime::now());
        let unanswered = retry::UnansweredAttempts::new();
        let created = retry::retry_when(
            &ctx.stop,
            "creating the group while a new instance profile propagates",
            PROPAGATION_TIMEOUT,
            group_wait::is_instance_profile_propagation,
            || {
                req.clone()
                    .customize()
                    .interceptor(unanswered.clone())
                    .send()
            },
        )
        .await;
        match created {
            Err(e)
                if !e
                    .error()
                    .is_some_and(|e| unanswered.explains(e, "AlreadyExists")) =>
            {
                return Err(e.diag(&op, &name).into());
            }
            _ => {}
        }

        // The group exists: from here on failures hand back its state (tainted), never orphan it.
        let mut partial = planned.clone();
        partial.set("id", Value::from(name.as_str()));
        partial.set("name", Value::from(name.as_str()));
        if let Err(d) = post_create(asg, &name, planned).await {
            return Err(ApplyError::with_state(d, partial));
        }
        if let Some(budget) = capacity_budget(planned) {
            let desired = int_of(planned, "desired_capacity");
            let want_elb = int_of(planned, "wait_for_elb_capacity");
            let target = CapacityTarget {
                asg: if desired > 0 {
                    desired
                } else {
                    int_of(planned, "min_size")
                },
                elb: if want_elb > 0 {
                    want_elb
                } else {
                    int_of(planned, "min_elb_capacity")
                },
                exact: false,
            };
            let ignore = planned
                .bool("ignore_failed_scaling_activities")
                .unwrap_or(false);
            if let Err(d) = group_wait::wait_for_capacity(
                ctx,
                set.region(),
                &name,
                target,
                budget,
                ignore,
                started,
                &op,
            )
            .await
            {
                return Err(ApplyError::with_state(d, partial));
            }
        }
        read_fresh(ctx, planned, &name)
            .await
            .map_err(|d| ApplyError::with_state(d, partial))
    }

    async fn read(
        &self,
        ctx: &Ctx<AwsClients>,
        state: &Value,
    ) -> Result<Option<Value>, Diagnostics> {
        let Some(name) = state.str("id").or_else(|| state.str("name")) else {
            return Err(diag(
                "reading Auto Scaling Group",
                "",
                "the state has no group name (id)",
            )
            .into());
        };
        let set = ctx.client.regional(state);
        let group = group_wait::find(set.autoscaling(), name)
            .await
            .map_err(|m| diag(&format!("reading {KIND}"), name, m))?;
        let Some(group) = group else {
            log_warn!(
                "Auto Scaling Group not found, removing from state",
                "name" = name
            );
            return Ok(None);
        };
        // A group being deleted is gone for Terraform's purposes.
        if group.status().is_some_and(|s| s.starts_with("Delete")) {
            return Ok(None);
        }
        Ok(Some(read_state(&group, state, set.region())))
    }

    async fn update(&self, ctx: &Ctx<AwsClients>, prior: &Value, planned: &Value) -> ApplyResult {
        let set = ctx.client.regional(prior);
        let asg = set.autoscaling();
        let name = prior
            .str("id")
            .or_else(|| prior.str("name"))
            .unwrap_or_default()
            .to_string();
        let started = aws_smithy_types::DateTime::from(std::time::SystemTime::now());
        update_group(asg, ctx, prior, planned, &name).await?;
        update_attachments(asg, prior, planned, &name).await?;
        let resized = ["min_size", "desired_capacity"]
            .iter()
            .any(|k| !prior.get(k).equivalent(planned.get(k)));
        if let (true, Some(budget)) = (resized, capacity_budget(planned)) {
            let target = CapacityTarget {
                asg: int_of(planned, "desired_capacity"),
                elb: int_of(planned, "wait_for_elb_capacity"),
                exact: true,
            };
            let ignore = planned
                .bool("ignore_failed_scaling_activities")
                .unwrap_or(false);
            group_wait::wait_for_capacity(
                ctx,
                set.region(),
                &name,
                target,
                budget,
                ignore,
                started,
                &format!("updating {KIND}"),
            )
            .await?;
        }
        Ok(read_fresh(ctx, planned, &name).await?)
    }

    async fn delete(&self, ctx: &Ctx<AwsClients>, prior: &Value) -> Result<(), Diagnostics> {
        let Some(name) = prior.str("id").or_else(|| prior.str("name")) else {
            return Ok(());
        };
        let set = ctx.client.regional(prior);
        let force = prior.bool("force_delete").unwrap_or(false);
        let force_pool = prior.bool("force_delete_warm_pool").unwrap_or(false);
        let budget = timeout(prior, "delete", DELETE_TIMEOUT);
        group_wait::delete_group(ctx, set.autoscaling(), name, force, force_pool, budget)
            .await
            .map_err(Diagnostics::from)
    }

    async fn import(&self, ctx: &Ctx<AwsClients>, id: &str) -> Result<Value, Diagnostics> {
        let (name, region) = split_import_region(id.trim());
        if name.is_empty() || name.chars().count() > 255 {
            return Err(Diagnostic::error(
                "Invalid import ID",
                format!("expected an Auto Scaling group name (optionally name@region), got {id:?}"),
            )
            .into());
        }
        Ok(Value::object([
            ("id", Value::from(name)),
            ("name", Value::from(name)),
            ("region", Value::from(region.unwrap_or(ctx.client.region()))),
        ]))
    }
}

pub fn resource() -> Arc<dyn Resource<AwsClients>> {
    Arc::new(AutoscalingGroup)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacity_wait_is_disabled_by_zero() {
        let v = |s: &str| Value::object([("wait_for_capacity_timeout", Value::from(s))]);
        assert_eq!(capacity_budget(&v("0")), None);
        assert_eq!(capacity_budget(&v("5m")), Some(Duration::from_secs(300)));
        assert_eq!(
            capacity_budget(&Value::Null),
            Some(Duration::from_secs(600))
        );
    }

    #[tokio::test]
    async fn import_ids_are_names_with_an_optional_region() {
        let ctx = crate::resources::testing::offline_ctx();
        let v = AutoscalingGroup
            .import(&ctx, "web@eu-west-1")
            .await
            .unwrap();
        assert_eq!(
            (v.str("id"), v.str("region")),
            (Some("web"), Some("eu-west-1"))
        );
        assert!(AutoscalingGroup.import(&ctx, " ").await.is_err());
    }
}
