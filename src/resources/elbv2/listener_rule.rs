//! `awsecs_lb_listener_rule`, the twin of `aws_lb_listener_rule`. ID and import ID: the ARN.
//!
//! Without `priority` the rule gets the listener's highest priority plus one (retried if a
//! concurrent create takes it). Create and update return only once the target groups the rule
//! forwards to list the load balancer.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_elasticloadbalancingv2::error::SdkError;
use aws_sdk_elasticloadbalancingv2::operation::create_rule::CreateRuleError;
use aws_sdk_elasticloadbalancingv2::operation::describe_rules::DescribeRulesError;
use aws_sdk_elasticloadbalancingv2::types::{Rule, RulePriorityPair};
use aws_sdk_elasticloadbalancingv2::Client;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;

use super::{actions, conditions};
use crate::aws::retry::{self, PROPAGATION_TIMEOUT};
use crate::aws::{errors, region_attribute, tags, AwsClients};
use crate::framework::{
    validators, ApplyError, ApplyResult, AttrPath, Attribute, Block, Ctx, Diagnostic, Diagnostics,
    NestedBlock, Plan, PlanRequest, Resource, Schema, Value,
};

pub const TYPE: &str = "awsecs_lb_listener_rule";
const KIND: &str = "ELBv2 Listener Rule";
/// Bounds the association wait and the search for a free priority (no timeouts block, as in
/// hashicorp/aws).
const WAIT: Duration = Duration::from_secs(5 * 60);
const EXAMPLE_ARN: &str = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee";

pub struct ListenerRule;

type CreateError = SdkError<CreateRuleError, HttpResponse>;

pub fn schema() -> Schema {
    let [tags, tags_all] = tags::attributes();
    Schema::new(
        Block::new()
            .attr(Attribute::string("arn").desc("ARN of the rule.").computed())
            .attr(Attribute::string("id").desc("ARN of the rule.").optional_computed())
            .attr(
                Attribute::string("listener_arn").desc("ARN of the listener.")
                    .required()
                    .force_new()
                    .validate(validators::arn()),
            )
            .attr(
                Attribute::number("priority").desc("Priority of the rule (1 to 50000), lowest first; the next free one when unset.")
                    .optional_computed()
                    .validate(validators::int_between(1, 50_000)),
            )
            .attr(region_attribute())
            .attr(tags)
            .attr(tags_all)
            .block(NestedBlock::list("action", actions::block()).desc("What the rule does with matching requests.").min(1))
            .block(NestedBlock::set("condition", conditions::block()).desc("A condition requests must meet; all must match.").min(1)),
    ).desc("Manages a rule of a load balancer listener.")
}

async fn find(elb: &Client, arn: &str) -> Result<Option<Rule>, SdkError<DescribeRulesError>> {
    match elb.describe_rules().rule_arns(arn).send().await {
        Ok(out) => Ok(out
            .rules()
            .iter()
            .find(|r| r.rule_arn() == Some(arn))
            .cloned()),
        Err(e) if errors::is_not_found(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

async fn read_state(
    ctx: &Ctx<AwsClients>,
    elb: &Client,
    rule: &Rule,
    prior: &Value,
    region: &str,
) -> Result<Value, Diagnostic> {
    let arn = rule.rule_arn().unwrap_or_default();
    if rule.is_default() == Some(true) {
        return Err(Diagnostic::error(
            format!("reading {KIND} ({arn})"),
            "this is the listener's default rule; manage it through the default_action of awsecs_lb_listener",
        ));
    }
    let priority = rule
        .priority()
        .and_then(|p| p.parse::<i64>().ok())
        .map(Value::int)
        .unwrap_or_else(|| super::known_or_null(prior.get("priority")));
    let listener = super::listener_arn_of_rule(arn)
        .map(Value::from)
        .unwrap_or_else(|| super::known_or_null(prior.get("listener_arn")));
    let (tags, tags_all) = super::read_tags(elb, &ctx.client, arn, prior, KIND).await?;
    Ok(Value::object([
        ("arn", Value::from(arn)),
        ("id", Value::from(arn)),
        ("listener_arn", listener),
        ("priority", priority),
        ("region", Value::from(region)),
        ("tags", tags),
        ("tags_all", tags_all),
        (
            "action",
            actions::flatten(rule.actions(), prior.get("action")),
        ),
        ("condition", conditions::flatten(rule.conditions())),
    ]))
}

async fn read_fresh(
    ctx: &Ctx<AwsClients>,
    reference: &Value,
    arn: &str,
) -> Result<Value, Diagnostic> {
    let set = ctx.client.regional(reference);
    let elb = set.elbv2();
    let rule = retry::retry_when(
        &ctx.stop,
        "reading the listener rule",
        PROPAGATION_TIMEOUT,
        errors::is_not_found,
        || async {
            let out = elb.describe_rules().rule_arns(arn).send().await?;
            out.rules()
                .first()
                .cloned()
                .ok_or_else(|| SdkError::construction_failure("DescribeRules returned no rule"))
        },
    )
    .await
    .map_err(|e| e.diag(&format!("reading {KIND}"), arn))?;
    read_state(ctx, elb, &rule, reference, set.region()).await
}

/// The listener's highest rule priority plus one.
async fn next_priority(elb: &Client, listener: &str) -> Result<i32, SdkError<DescribeRulesError>> {
    let mut highest = 0;
    let mut marker: Option<String> = None;
    loop {
        let out = elb
            .describe_rules()
            .listener_arn(listener)
            .set_marker(marker.clone())
            .send()
            .await?;
        for r in out.rules() {
            if let Some(p) = r.priority().and_then(|p| p.parse::<i32>().ok()) {
                highest = highest.max(p);
            }
        }
        match out.next_marker() {
            Some(m) if !m.is_empty() && Some(m) != marker.as_deref() => {
                marker = Some(m.to_string())
            }
            _ => return Ok(highest + 1),
        }
    }
}

async fn wait_associated(
    ctx: &Ctx<AwsClients>,
    elb: &Client,
    planned: &Value,
) -> Result<(), Diagnostic> {
    let listener = planned.str("listener_arn").unwrap_or_default();
    let Some(lb) = super::lb_arn_of_listener(listener) else {
        return Ok(());
    };
    let tgs = actions::target_group_arns(planned.get("action"));
    super::wait_for_association(ctx, elb, &lb, &tgs, WAIT)
        .await
        .map_err(|e| e.diag(&format!("waiting for {KIND} target groups"), &lb))
}

#[async_trait]
impl Resource<AwsClients> for ListenerRule {
    fn type_name(&self) -> &'static str {
        TYPE
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        actions::validate(config.get("action"), &AttrPath::attr("action"), diags);
        conditions::validate(config.get("condition"), &AttrPath::attr("condition"), diags);
    }

    async fn modify_plan(
        &self,
        ctx: &Ctx<AwsClients>,
        req: &PlanRequest<'_>,
        plan: &mut Plan,
        _diags: &mut Diagnostics,
    ) {
        super::plan_common(ctx, req, plan);
        let mut planned_actions = plan.state.get("action").clone();
        actions::plan_orders(&mut planned_actions, req.config.get("action"));
        plan.state.set("action", planned_actions);
        // Conditions have no computed parts: plan exactly what is configured. (Their elements
        // have only nested blocks, which the generic set-element matching cannot pair up.)
        let configured = req.config.get("condition");
        if configured.is_known() && !configured.is_null() {
            let planned = if configured.equivalent(req.prior.get("condition")) {
                req.prior.get("condition").clone()
            } else {
                configured.clone()
            };
            plan.state.set("condition", planned);
        }
    }

    async fn create(&self, ctx: &Ctx<AwsClients>, planned: &Value) -> ApplyResult {
        let listener = planned.str("listener_arn").unwrap_or_default().to_string();
        let set = ctx.client.regional(planned);
        let elb = set.elbv2();
        let fixed = planned.i64("priority").map(|p| p as i32);
        let out = retry::retry_when(
            &ctx.stop,
            "creating the rule while another create takes the same priority",
            WAIT,
            |e: &CreateError| fixed.is_none() && errors::has_code(e, "PriorityInUse"),
            || async {
                let priority = match fixed {
                    Some(p) => p,
                    None => next_priority(elb, &listener).await.map_err(|e| {
                        CreateError::construction_failure(format!(
                            "finding a free priority: {}",
                            errors::describe(&e)
                        ))
                    })?,
                };
                elb.create_rule()
                    .listener_arn(&listener)
                    .priority(priority)
                    .set_actions(Some(actions::expand(planned.get("action"))))
                    .set_conditions(Some(conditions::expand(planned.get("condition"))))
                    .set_tags(super::create_tags(planned))
                    .send()
                    .await
            },
        )
        .await
        .map_err(|e| e.diag(&format!("creating {KIND}"), &listener))?;
        let Some(arn) = out
            .rules()
            .first()
            .and_then(|r| r.rule_arn())
            .map(str::to_string)
        else {
            return Err(Diagnostic::error(
                format!("creating {KIND} ({listener})"),
                "CreateRule returned no rule ARN",
            )
            .into());
        };
        let mut partial = planned.clone();
        partial.set("id", Value::from(arn.as_str()));
        partial.set("arn", Value::from(arn.as_str()));
        let fail = |d: Diagnostic| ApplyError::with_state(d, partial.clone());
        wait_associated(ctx, elb, planned).await.map_err(fail)?;
        read_fresh(ctx, planned, &arn).await.map_err(fail)
    }

    async fn read(
        &self,
        ctx: &Ctx<AwsClients>,
        state: &Value,
    ) -> Result<Option<Value>, Diagnostics> {
        let arn = super::required_arn(state, KIND)?;
        let set = ctx.client.regional(state);
        let rule = find(set.elbv2(), arn)
            .await
            .map_err(|e| errors::aws_diag(&format!("reading {KIND}"), arn, &e))?;
        let Some(rule) = rule else {
            log_warn!(
                "ELBv2 Listener Rule not found, removing from state",
                "arn" = arn
            );
            return Ok(None);
        };
        Ok(Some(
            read_state(ctx, set.elbv2(), &rule, state, set.region()).await?,
        ))
    }

    async fn update(&self, ctx: &Ctx<AwsClients>, prior: &Value, planned: &Value) -> ApplyResult {
        let arn = super::state_arn(prior).unwrap_or_default().to_string();
        let set = ctx.client.regional(prior);
        let elb = set.elbv2();
        let changed = |k: &str| !prior.get(k).equivalent(planned.get(k));
        if let (true, Some(p)) = (changed("priority"), planned.i64("priority")) {
            elb.set_rule_priorities()
                .rule_priorities(
                    RulePriorityPair::builder()
                        .rule_arn(&arn)
                        .priority(p as i32)
                        .build(),
                )
                .send()
                .await
                .map_err(|e| {
                    errors::aws_diag_at(
                        &format!("updating {KIND} priority"),
                        &arn,
                        &e,
                        AttrPath::attr("priority"),
                    )
                })?;
        }
        if changed("action") || changed("condition") {
            elb.modify_rule()
                .rule_arn(&arn)
                .set_actions(Some(actions::expand(planned.get("action"))))
                .set_conditions(Some(conditions::expand(planned.get("condition"))))
                .send()
                .await
                .map_err(|e| errors::aws_diag(&format!("updating {KIND}"), &arn, &e))?;
            wait_associated(ctx, elb, planned).await?;
        }
        super::update_tags(elb, &arn, prior, planned, KIND).await?;
        Ok(read_fresh(ctx, planned, &arn).await?)
    }

    async fn delete(&self, ctx: &Ctx<AwsClients>, prior: &Value) -> Result<(), Diagnostics> {
        let Some(arn) = super::state_arn(prior) else {
            return Ok(());
        };
        match ctx
            .client
            .regional(prior)
            .elbv2()
            .delete_rule()
            .rule_arn(arn)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if errors::is_not_found(&e) => Ok(()),
            Err(e) => Err(errors::aws_diag(&format!("deleting {KIND}"), arn, &e).into()),
        }
    }

    async fn import(&self, _ctx: &Ctx<AwsClients>, id: &str) -> Result<Value, Diagnostics> {
        super::import_stub(id, "listener-rule/", EXAMPLE_ARN)
    }
}

pub fn resource() -> Arc<dyn Resource<AwsClients>> {
    Arc::new(ListenerRule)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::plan::validate_object;

    #[test]
    fn priority_range_and_condition_shape_are_checked_at_plan() {
        let b = schema().block;
        let cfg = b.conform(Value::object([
            (
                "listener_arn",
                Value::from("arn:aws:elasticloadbalancing:us-east-1:1:listener/app/a/b/c"),
            ),
            ("priority", Value::int(50_001)),
            (
                "action",
                Value::List(vec![Value::object([("type", Value::from("redirect"))])]),
            ),
            (
                "condition",
                Value::Set(vec![Value::object([("x", Value::Null)])]),
            ),
        ]));
        let mut d = Diagnostics::new();
        validate_object(&b, &cfg, &AttrPath::root(), &mut d);
        ListenerRule.validate(&cfg, &mut d);
        let paths: Vec<String> =
            d.0.iter()
                .filter_map(|x| x.path.as_ref().map(|p| p.to_string()))
                .collect();
        assert_eq!(paths, ["priority", "action[0]", "condition[0]"], "{d}");
    }
}
