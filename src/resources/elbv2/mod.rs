//! Elastic Load Balancing v2 (application load balancers): `awsecs_lb`, `awsecs_lb_target_group`,
//! `awsecs_lb_listener` and `awsecs_lb_listener_rule`, the twins of hashicorp/aws's `aws_lb*`.
//! Every one is identified (and imported) by its ARN; the region comes from the ARN on import.
//!
//! This file holds what the four share: tags (ELBv2 tags every object by ARN through one API),
//! ARN helpers, import stubs, name validation and the "target group is associated with the load
//! balancer" waiter that listeners and rules run before they report success.

pub mod actions;
pub mod conditions;
pub mod lb;
mod lb_schema;
pub mod listener;
pub mod listener_rule;
pub mod target_group;
mod target_group_schema;

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_elasticloadbalancingv2::error::SdkError;
use aws_sdk_elasticloadbalancingv2::operation::describe_target_groups::DescribeTargetGroupsError;
use aws_sdk_elasticloadbalancingv2::types::Tag;
use aws_sdk_elasticloadbalancingv2::Client;

use crate::aws::arn_memo::ArnMemo;
use crate::aws::retry::{self, Poll, WaitPolicy};
use crate::aws::tags::{self, Tags};
use crate::aws::{errors, plan_region, AwsClients};
use crate::framework::schema::Validator;
use crate::framework::{AttrPath, Ctx, Diagnostic, Diagnostics, Plan, PlanRequest, Value};

/// The common plan hooks of every ELBv2 resource: `region` and `tags_all`.
pub(crate) fn plan_common(ctx: &Ctx<AwsClients>, req: &PlanRequest<'_>, plan: &mut Plan) {
    plan_region(&ctx.client, req.config, plan);
    tags::plan_tags_all(ctx.client.default_tags(), req.config, plan);
}

pub(crate) fn to_sdk_tags(tags: &Tags) -> Vec<Tag> {
    tags.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

/// Tags to send on create: the planned `tags_all`, or None when there are none.
pub(crate) fn create_tags(planned: &Value) -> Option<Vec<Tag>> {
    let all = tags::from_planned(planned);
    (!all.is_empty()).then(|| to_sdk_tags(&all))
}

/// `(tags, tags_all)` for the state, from the object's tags in AWS.
pub(crate) async fn read_tags(
    elb: &Client,
    clients: &AwsClients,
    arn: &str,
    prior: &Value,
    kind: &str,
) -> Result<(Value, Value), Diagnostic> {
    let out = elb
        .describe_tags()
        .resource_arns(arn)
        .send()
        .await
        .map_err(|e| errors::aws_diag(&format!("listing tags for {kind}"), arn, &e))?;
    let all: Tags = out
        .tag_descriptions()
        .iter()
        .filter(|d| d.resource_arn() == Some(arn))
        .flat_map(|d| d.tags())
        .filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or("").to_string())))
        .collect();
    Ok(tags::split_read(
        &all,
        clients.default_tags(),
        prior.get("tags"),
    ))
}

/// Applies a change of `tags_all` between prior and planned.
pub(crate) async fn update_tags(
    elb: &Client,
    arn: &str,
    prior: &Value,
    planned: &Value,
    kind: &str,
) -> Result<(), Diagnostic> {
    if prior.get("tags_all").equivalent(planned.get("tags_all")) {
        return Ok(());
    }
    let diff = tags::diff(
        &prior.string_pairs("tags_all"),
        &tags::from_planned(planned),
    );
    if !diff.remove.is_empty() {
        elb.remove_tags()
            .resource_arns(arn)
            .set_tag_keys(Some(diff.remove.clone()))
            .send()
            .await
            .map_err(|e| {
                errors::aws_diag_at(
                    &format!("untagging {kind}"),
                    arn,
                    &e,
                    AttrPath::attr("tags"),
                )
            })?;
    }
    if !diff.upsert.is_empty() {
        elb.add_tags()
            .resource_arns(arn)
            .set_tags(Some(to_sdk_tags(&diff.upsert)))
            .send()
            .await
            .map_err(|e| {
                errors::aws_diag_at(&format!("tagging {kind}"), arn, &e, AttrPath::attr("tags"))
            })?;
    }
    Ok(())
}

/// The parts of an ELBv2 ARN: `(partition, region, account, resource)`, when it is one.
pub(crate) fn split_arn(arn: &str) -> Option<(&str, &str, &str, &str)> {
    let mut it = arn.splitn(6, ':');
    let (scheme, partition, service) = (it.next()?, it.next()?, it.next()?);
    let (region, account, resource) = (it.next()?, it.next()?, it.next()?);
    (scheme == "arn" && !partition.is_empty() && service == "elasticloadbalancing")
        .then_some((partition, region, account, resource))
}

/// The load balancer ARN a listener ARN belongs to
/// (`...:listener/app/NAME/LB_ID/LISTENER_ID` -> `...:loadbalancer/app/NAME/LB_ID`).
pub(crate) fn lb_arn_of_listener(listener_arn: &str) -> Option<String> {
    let (head, rest) = listener_arn.split_once(":listener/")?;
    let (lb_path, _) = rest.rsplit_once('/')?;
    Some(format!("{head}:loadbalancer/{lb_path}"))
}

/// The listener ARN a rule ARN belongs to
/// (`...:listener-rule/app/NAME/LB_ID/LISTENER_ID/RULE_ID` -> `...:listener/app/NAME/LB_ID/LISTENER_ID`).
pub(crate) fn listener_arn_of_rule(rule_arn: &str) -> Option<String> {
    let (head, rest) = rule_arn.split_once(":listener-rule/")?;
    let (listener_path, _) = rest.rsplit_once('/')?;
    Some(format!("{head}:listener/{listener_path}"))
}

/// The import stub for an ARN-identified resource: `{id, arn, region}`, the region taken from
/// the ARN (hashicorp/aws 6.x ARN identity). `resource` is the ARN's resource-type prefix
/// (`loadbalancer/app/`, `targetgroup/`, ...) and `example` a sample shown when it is wrong.
pub(crate) fn import_stub(id: &str, resource: &str, example: &str) -> Result<Value, Diagnostics> {
    let id = id.trim();
    match split_arn(id) {
        Some((_, region, _, res)) if res.starts_with(resource) && !region.is_empty() => {
            Ok(Value::object([
                ("id", Value::from(id)),
                ("arn", Value::from(id)),
                ("region", Value::from(region)),
            ]))
        }
        _ => Err(Diagnostic::error(
            "Invalid import ID",
            format!("expected an ARN like {example}, got {id:?}"),
        )
        .into()),
    }
}

/// The ID of a state: `id`, else `arn` (both hold the ARN).
pub(crate) fn state_arn(state: &Value) -> Option<&str> {
    state
        .str("id")
        .or_else(|| state.str("arn"))
        .filter(|s| !s.is_empty())
}

/// The ARN a read needs, or the diagnostic for a state that lost it.
pub(crate) fn required_arn<'a>(state: &'a Value, kind: &str) -> Result<&'a str, Diagnostics> {
    state_arn(state).ok_or_else(|| {
        crate::framework::Diagnostic::error(
            format!("Invalid {kind} state"),
            "the state has no ARN (id)",
        )
        .into()
    })
}

/// True when `prior` is an import stub (only the ARN and region are known): reads then report
/// optional blocks whose presence would otherwise follow the prior state.
pub(crate) fn is_import_stub(prior: &Value) -> bool {
    prior.get("name").is_null() && prior.get("tags_all").is_null()
}

/// Load balancer and target group names: 1-32 letters, digits and hyphens, not starting or
/// ending with a hyphen. `what` names the object in messages.
pub(crate) fn name_validator(what: &'static str, max: usize, prefix: bool) -> Validator {
    Arc::new(move |v, path, diags| {
        let Some(s) = v.as_str() else { return };
        if let Err(msg) = check_name(s, max, prefix) {
            diags.invalid(path.clone(), format!("{what} {msg}"));
        }
    })
}

pub(crate) fn check_name(s: &str, max: usize, prefix: bool) -> Result<(), String> {
    let n = s.chars().count();
    if n == 0 || n > max {
        return Err(format!(
            "must be between 1 and {max} characters long, got {n} ({s:?})"
        ));
    }
    if let Some(c) = s
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
    {
        return Err(format!(
            "{s:?} contains {c:?}; only letters, digits and hyphens are allowed"
        ));
    }
    if s.starts_with('-') || (!prefix && s.ends_with('-')) {
        return Err(format!("{s:?} must not begin or end with a hyphen"));
    }
    Ok(())
}

/// Waits until every target group in `tg_arns` lists `lb_arn` among its load balancers. ECS
/// rejects a service whose target group "does not have an associated load balancer"; waiting
/// here means anything depending on the listener (or rule) can use the target group at once.
pub(crate) async fn wait_for_association(
    ctx: &Ctx<AwsClients>,
    elb: &Client,
    lb_arn: &str,
    tg_arns: &[String],
    budget: Duration,
) -> Result<(), retry::RetryError<SdkError<DescribeTargetGroupsError>>> {
    if tg_arns.is_empty() {
        return Ok(());
    }
    retry::wait_until(
        &ctx.stop,
        "waiting for the target groups to be associated with the load balancer",
        WaitPolicy::new(budget),
        || async {
            let out = elb
                .describe_target_groups()
                .set_target_group_arns(Some(tg_arns.to_vec()))
                .send()
                .await?;
            let missing: Vec<&str> = out
                .target_groups()
                .iter()
                .filter(|tg| !tg.load_balancer_arns().iter().any(|a| a == lb_arn))
                .filter_map(|tg| tg.target_group_arn())
                .collect();
            Ok(if missing.is_empty() {
                Poll::Ready(())
            } else {
                Poll::Pending(format!("not yet associated: {}", missing.join(", ")))
            })
        },
    )
    .await
}

/// Target types of the target groups this process created or read: a group's `target_type`
/// cannot change (changing it replaces the group, with a new ARN).
static TARGET_TYPES: ArnMemo<String> = ArnMemo::new();

pub(crate) fn remember_target_type(tg_arn: &str, target_type: &str) {
    TARGET_TYPES.remember(tg_arn, target_type.to_string());
}

/// The target type of a target group this process created or read, without a call.
pub(crate) fn known_target_type(tg_arn: &str) -> Option<String> {
    TARGET_TYPES.recall(tg_arn)
}

/// Reads an integer attribute value, keeping `fallback` when AWS does not report it.
pub(crate) fn int_or(v: Option<i32>, fallback: &Value) -> Value {
    v.map(|n| Value::int(n as i64))
        .unwrap_or_else(|| known_or_null(fallback))
}

/// A prior value for a read result, never unknown (unknowns must not survive an apply).
pub(crate) fn known_or_null(v: &Value) -> Value {
    if v.is_wholly_known() {
        v.clone()
    } else {
        Value::Null
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LB: &str =
        "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188";
    const LISTENER: &str = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2";
    const RULE: &str = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee";

    #[test]
    fn arns_lead_to_their_parents() {
        assert_eq!(lb_arn_of_listener(LISTENER).as_deref(), Some(LB));
        assert_eq!(listener_arn_of_rule(RULE).as_deref(), Some(LISTENER));
        assert_eq!(lb_arn_of_listener(LB), None);
        assert_eq!(split_arn(LB).map(|p| p.1), Some("eu-west-1"));
        assert_eq!(split_arn("arn:aws:ecs:us-east-1:1:cluster/x"), None);
    }

    #[test]
    fn import_ids_are_arns_of_the_right_kind() {
        let v = import_stub(LB, "loadbalancer/", "x").unwrap();
        assert_eq!(v.str("region"), Some("eu-west-1"));
        assert_eq!(v.str("arn"), Some(LB));
        assert!(import_stub(LISTENER, "loadbalancer/", "x").is_err());
        assert!(import_stub("web", "loadbalancer/", "x").is_err());
        assert!(is_import_stub(&v));
    }

    #[test]
    fn names_follow_elb_rules() {
        assert!(check_name("web-1", 32, false).is_ok());
        assert!(check_name("web-", 6, true).is_ok());
        for bad in ["", "-web", "web-", "a_b", &"a".repeat(33)] {
            assert!(check_name(bad, 32, false).is_err(), "{bad}");
        }
        assert!(check_name("abcdefg", 6, true).is_err());
    }
}
