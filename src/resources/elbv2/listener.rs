//! `awsecs_lb_listener`, the twin of `aws_lb_listener` (HTTP and HTTPS listeners of application
//! load balancers). ID and import ID: the ARN.
//!
//! Create and update return only once every target group the default action forwards to lists
//! the load balancer, so an ECS service created right after can register with it.
//! CreateListener is retried while a just-created certificate is not visible yet.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_elasticloadbalancingv2::error::SdkError;
use aws_sdk_elasticloadbalancingv2::operation::describe_listeners::DescribeListenersError;
use aws_sdk_elasticloadbalancingv2::types::{Certificate, Listener, ProtocolEnum};
use aws_sdk_elasticloadbalancingv2::Client;

use super::actions;
use crate::aws::retry::{self, PROPAGATION_TIMEOUT};
use crate::aws::{errors, region_attribute, tags, AwsClients};
use crate::framework::resource::timeout;
use crate::framework::schema::Validator;
use crate::framework::{
    validators, ApplyError, ApplyResult, AttrPath, Attribute, Block, Ctx, Diagnostic, Diagnostics,
    NestedBlock, Plan, PlanRequest, Resource, Schema, Value,
};

pub const TYPE: &str = "awsecs_lb_listener";
const KIND: &str = "ELBv2 Listener";
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5 * 60);
const EXAMPLE_ARN: &str = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2";

pub struct ListenerResource;

pub fn schema() -> Schema {
    let [tags, tags_all] = tags::attributes();
    Schema::new(
        Block::new()
            .attr(
                Attribute::string("arn")
                    .desc("ARN of the listener.")
                    .computed(),
            )
            .attr(
                Attribute::string("certificate_arn")
                    .desc("ARN of the default TLS certificate, for `HTTPS` listeners.")
                    .optional()
                    .validate(validators::arn()),
            )
            .attr(
                Attribute::string("id")
                    .desc("ARN of the listener.")
                    .optional_computed(),
            )
            .attr(
                Attribute::string("load_balancer_arn")
                    .desc("ARN of the load balancer.")
                    .required()
                    .force_new()
                    .validate(validators::arn()),
            )
            .attr(
                Attribute::number("port")
                    .desc("Port the listener accepts connections on.")
                    .optional()
                    .validate(validators::int_between(1, 65535)),
            )
            .attr(
                Attribute::string("protocol")
                    .desc("Protocol of the listener: `HTTP` or `HTTPS`.")
                    .optional_computed()
                    .validate(protocol_validator()),
            )
            .attr(region_attribute())
            .attr(
                Attribute::string("ssl_policy")
                    .desc("Name of the TLS policy, for `HTTPS` listeners.")
                    .optional_computed(),
            )
            .attr(tags)
            .attr(tags_all)
            .block(
                NestedBlock::list("default_action", actions::block())
                    .desc("What the listener does with requests no rule matches.")
                    .min(1),
            )
            .timeouts(&["create", "update"]),
    )
    .desc("Manages a listener of a load balancer.")
}

fn protocol_validator() -> Validator {
    Arc::new(|v, path, diags| {
        let Some(s) = v.as_str() else { return };
        if !matches!(s, "HTTP" | "HTTPS") {
            diags.invalid(
                path.clone(),
                format!("expected \"HTTP\" or \"HTTPS\" (application load balancer listeners), got {s:?}"),
            );
        }
    })
}

fn validate_config(config: &Value, diags: &mut Diagnostics) {
    if config.get("port").is_null() {
        diags.push(
            Diagnostic::error(
                "Missing required argument",
                "port is required for application load balancer listeners (1-65535)",
            )
            .at(AttrPath::attr("port")),
        );
    }
    let protocol = config.get("protocol");
    let https = protocol.as_str() == Some("HTTPS");
    let http = protocol.is_null() || protocol.as_str() == Some("HTTP");
    if https && config.get("certificate_arn").is_null() {
        diags.invalid(
            AttrPath::attr("certificate_arn"),
            "an HTTPS listener needs certificate_arn (the default server certificate)",
        );
    }
    if http {
        for k in ["certificate_arn", "ssl_policy"] {
            if !config.get(k).is_null() {
                diags.invalid(
                    AttrPath::attr(k),
                    format!("{k} only applies to HTTPS listeners; set protocol = \"HTTPS\" or remove it"),
                );
            }
        }
    }
    actions::validate(
        config.get("default_action"),
        &AttrPath::attr("default_action"),
        diags,
    );
}

async fn find(
    elb: &Client,
    arn: &str,
) -> Result<Option<Listener>, SdkError<DescribeListenersError>> {
    match elb.describe_listeners().listener_arns(arn).send().await {
        Ok(out) => Ok(out
            .listeners()
            .iter()
            .find(|l| l.listener_arn() == Some(arn))
            .cloned()),
        Err(e) if errors::is_not_found(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The state of a listener from a refresh: its tags are read by its ARN.
async fn read_state(
    ctx: &Ctx<AwsClients>,
    elb: &Client,
    l: &Listener,
    prior: &Value,
    region: &str,
) -> Result<Value, Diagnostic> {
    let arn = l.listener_arn().unwrap_or_default();
    let tags = super::read_tags(elb, &ctx.client, arn, prior, KIND).await?;
    Ok(build_state(l, tags, prior, region))
}

/// The state from a described (or just created) listener and its `(tags, tags_all)`.
fn build_state(
    l: &Listener,
    (tags, tags_all): (Value, Value),
    prior: &Value,
    region: &str,
) -> Value {
    let arn = l.listener_arn().unwrap_or_default();
    let certificate = l
        .certificates()
        .iter()
        .find(|c| c.is_default() != Some(false))
        .and_then(|c| c.certificate_arn());
    Value::object([
        ("arn", Value::from(arn)),
        ("certificate_arn", Value::opt_string(certificate)),
        ("id", Value::from(arn)),
        (
            "load_balancer_arn",
            Value::opt_string(l.load_balancer_arn()),
        ),
        ("port", super::int_or(l.port(), prior.get("port"))),
        (
            "protocol",
            Value::opt_string(l.protocol().map(|p| p.as_str())),
        ),
        ("region", Value::from(region)),
        ("ssl_policy", Value::opt_string(l.ssl_policy())),
        ("tags", tags),
        ("tags_all", tags_all),
        (
            "default_action",
            actions::flatten(l.default_actions(), prior.get("default_action")),
        ),
        ("timeouts", prior.get("timeouts").clone()),
    ])
}

async fn read_fresh(
    ctx: &Ctx<AwsClients>,
    reference: &Value,
    arn: &str,
) -> Result<Value, Diagnostic> {
    let set = ctx.client.regional(reference);
    let elb = set.elbv2();
    let l = retry::retry_when(
        &ctx.stop,
        "reading the listener",
        PROPAGATION_TIMEOUT,
        errors::is_not_found,
        || async {
            let out = elb.describe_listeners().listener_arns(arn).send().await?;
            out.listeners().first().cloned().ok_or_else(|| {
                SdkError::construction_failure("DescribeListeners returned no listener")
            })
        },
    )
    .await
    .map_err(|e| e.diag(&format!("reading {KIND}"), arn))?;
    read_state(ctx, elb, &l, reference, set.region()).await
}

fn certificates(planned: &Value) -> Option<Vec<Certificate>> {
    planned
        .str("certificate_arn")
        .map(|c| vec![Certificate::builder().certificate_arn(c).build()])
}

/// Waits for the target groups of `planned`'s default action to list the load balancer.
async fn wait_associated(
    ctx: &Ctx<AwsClients>,
    elb: &Client,
    planned: &Value,
    budget: Duration,
) -> Result<(), Diagnostic> {
    let lb = planned.str("load_balancer_arn").unwrap_or_default();
    let tgs = actions::target_group_arns(planned.get("default_action"));
    super::wait_for_association(ctx, elb, lb, &tgs, budget)
        .await
        .map_err(|e| e.diag(&format!("waiting for {KIND} target groups"), lb))
}

#[async_trait]
impl Resource<AwsClients> for ListenerResource {
    fn type_name(&self) -> &'static str {
        TYPE
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        validate_config(config, diags);
    }

    async fn modify_plan(
        &self,
        ctx: &Ctx<AwsClients>,
        req: &PlanRequest<'_>,
        plan: &mut Plan,
        _diags: &mut Diagnostics,
    ) {
        super::plan_common(ctx, req, plan);
        // An unset protocol is HTTP for application load balancers (what create sends).
        if req.config.get("protocol").is_null() {
            plan.state.set("protocol", Value::from("HTTP"));
        }
        // A protocol change picks (or drops) AWS's default TLS policy: known after apply.
        let protocol_changed = !req.is_create()
            && !req
                .prior
                .get("protocol")
                .equivalent(plan.state.get("protocol"));
        if protocol_changed && req.config.get("ssl_policy").is_null() {
            plan.state.set("ssl_policy", Value::Unknown);
        }
        let mut actions_planned = plan.state.get("default_action").clone();
        actions::plan_orders(&mut actions_planned, req.config.get("default_action"));
        plan.state.set("default_action", actions_planned);
    }

    async fn create(&self, ctx: &Ctx<AwsClients>, planned: &Value) -> ApplyResult {
        let lb = planned
            .str("load_balancer_arn")
            .unwrap_or_default()
            .to_string();
        let set = ctx.client.regional(planned);
        let elb = set.elbv2();
        let out = retry::retry_when(
            &ctx.stop,
            "creating the listener while its certificate propagates",
            PROPAGATION_TIMEOUT,
            |e| errors::has_code(e, "CertificateNotFound"),
            // CreateListener is idempotent (same load balancer, port and settings -> the existing
            // listener), so a retry after a lost reply answers with the lost attempt's listener.
            || {
                elb.create_listener()
                    .load_balancer_arn(&lb)
                    .set_port(planned.i64("port").map(|p| p as i32))
                    .protocol(ProtocolEnum::from(
                        planned.str("protocol").unwrap_or("HTTP"),
                    ))
                    .set_ssl_policy(planned.str("ssl_policy").map(str::to_string))
                    .set_certificates(certificates(planned))
                    .set_default_actions(Some(actions::expand(planned.get("default_action"))))
                    .set_tags(super::create_tags(planned))
                    .send()
            },
        )
        .await
        .map_err(|e| e.diag(&format!("creating {KIND}"), &lb))?;
        let Some((listener, arn)) = out
            .listeners()
            .first()
            .and_then(|l| Some((l, l.listener_arn()?.to_string())))
        else {
            return Err(Diagnostic::error(
                format!("creating {KIND} ({lb})"),
                "CreateListener returned no listener ARN",
            )
            .into());
        };
        let mut partial = planned.clone();
        partial.set("id", Value::from(arn.as_str()));
        partial.set("arn", Value::from(arn.as_str()));
        let fail = |d: Diagnostic| ApplyError::with_state(d, partial.clone());
        wait_associated(
            ctx,
            elb,
            planned,
            timeout(planned, "create", DEFAULT_TIMEOUT),
        )
        .await
        .map_err(fail)?;
        // CreateListener answers with the listener (port, protocol, TLS policy, certificates,
        // default actions); the tags are those sent with it (applied or the create fails).
        let tags = tags::split_read(
            &tags::from_planned(planned),
            ctx.client.default_tags(),
            planned.get("tags"),
        );
        Ok(build_state(listener, tags, planned, set.region()))
    }

    async fn read(
        &self,
        ctx: &Ctx<AwsClients>,
        state: &Value,
    ) -> Result<Option<Value>, Diagnostics> {
        let arn = super::required_arn(state, KIND)?;
        let set = ctx.client.regional(state);
        let l = find(set.elbv2(), arn)
            .await
            .map_err(|e| errors::aws_diag(&format!("reading {KIND}"), arn, &e))?;
        let Some(l) = l else {
            log_warn!("ELBv2 Listener not found, removing from state", "arn" = arn);
            return Ok(None);
        };
        Ok(Some(
            read_state(ctx, set.elbv2(), &l, state, set.region()).await?,
        ))
    }

    async fn update(&self, ctx: &Ctx<AwsClients>, prior: &Value, planned: &Value) -> ApplyResult {
        let arn = super::state_arn(prior).unwrap_or_default().to_string();
        let set = ctx.client.regional(prior);
        let elb = set.elbv2();
        let changed = |k: &str| !prior.get(k).equivalent(planned.get(k));
        if [
            "port",
            "protocol",
            "ssl_policy",
            "certificate_arn",
            "default_action",
        ]
        .iter()
        .any(|k| changed(k))
        {
            let mut req = elb
                .modify_listener()
                .listener_arn(&arn)
                .set_port(planned.i64("port").map(|p| p as i32))
                .set_protocol(planned.str("protocol").map(ProtocolEnum::from))
                .set_default_actions(Some(actions::expand(planned.get("default_action"))));
            if planned.str("protocol") == Some("HTTPS") {
                req = req
                    .set_ssl_policy(planned.str("ssl_policy").map(str::to_string))
                    .set_certificates(certificates(planned));
            }
            req.send()
                .await
                .map_err(|e| errors::aws_diag(&format!("updating {KIND}"), &arn, &e))?;
            wait_associated(
                ctx,
                elb,
                planned,
                timeout(planned, "update", DEFAULT_TIMEOUT),
            )
            .await?;
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
            .delete_listener()
            .listener_arn(arn)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if errors::is_not_found(&e) => Ok(()),
            Err(e) => Err(errors::aws_diag(&format!("deleting {KIND}"), arn, &e).into()),
        }
    }

    async fn import(&self, _ctx: &Ctx<AwsClients>, id: &str) -> Result<Value, Diagnostics> {
        super::import_stub(id, "listener/", EXAMPLE_ARN)
    }
}

pub fn resource() -> Arc<dyn Resource<AwsClients>> {
    Arc::new(ListenerResource)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::plan::validate_object;

    const TG: &str =
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef";
    const LB: &str =
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188";

    fn check(pairs: Vec<(&str, Value)>) -> Diagnostics {
        let b = schema().block;
        let mut all = vec![
            ("load_balancer_arn", Value::from(LB)),
            (
                "default_action",
                Value::List(vec![Value::object([
                    ("type", Value::from("forward")),
                    ("target_group_arn", Value::from(TG)),
                ])]),
            ),
        ];
        all.extend(pairs);
        let cfg = b.conform(Value::object(all));
        let mut d = Diagnostics::new();
        validate_object(&b, &cfg, &AttrPath::root(), &mut d);
        validate_config(&cfg, &mut d);
        d
    }

    #[test]
    fn plan_time_checks() {
        assert!(check(vec![("port", Value::int(80))]).is_empty());
        let d = check(vec![("port", Value::int(70000))]);
        assert_eq!(d.0.len(), 1, "{d}");
        assert_eq!(d.0[0].path, Some(AttrPath::attr("port")));
        assert!(d.0[0].detail.contains("between 1 and 65535"), "{d}");
        let d = check(vec![]);
        assert_eq!(d.0[0].path, Some(AttrPath::attr("port")), "{d}");
        let d = check(vec![
            ("port", Value::int(443)),
            ("protocol", "HTTPS".into()),
        ]);
        assert_eq!(d.0[0].path, Some(AttrPath::attr("certificate_arn")), "{d}");
        let d = check(vec![("port", Value::int(80)), ("protocol", "TCP".into())]);
        assert_eq!(d.0[0].path, Some(AttrPath::attr("protocol")), "{d}");
    }
}
