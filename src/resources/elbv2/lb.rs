//! `awsecs_lb`, the twin of `aws_lb` for application load balancers. ID and import ID: the ARN.
//!
//! Create waits until the load balancer is `active`; delete waits until it is gone and then
//! until its network interfaces are released, so a security group or subnet destroyed right
//! after does not fail with DependencyViolation. With `enable_deletion_protection = true` a
//! destroy fails at once, before calling AWS, and says how to proceed.
//!
//! `access_logs` and `subnet_mapping` are optional blocks (Terraform does not allow computed
//! blocks): a read reports them when the state has them, or `access_logs` when AWS has logging
//! enabled. `subnets` is always reported.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_elasticloadbalancingv2::error::SdkError;
use aws_sdk_elasticloadbalancingv2::operation::describe_load_balancers::DescribeLoadBalancersError;
use aws_sdk_elasticloadbalancingv2::types::{
    IpAddressType, LoadBalancer, LoadBalancerAttribute, LoadBalancerSchemeEnum,
    LoadBalancerStateEnum, LoadBalancerTypeEnum, SubnetMapping,
};
use aws_sdk_elasticloadbalancingv2::Client;
use tokio::time::Instant;

use super::lb_schema::{self, ACCESS_LOGS_BUCKET, ACCESS_LOGS_ENABLED, ACCESS_LOGS_PREFIX, ATTRS};
use crate::aws::retry::{self, Backoff, Poll, WaitPolicy, PROPAGATION_TIMEOUT};
use crate::aws::{errors, names, tags, AwsClients};
use crate::framework::resource::timeout;
use crate::framework::{
    ApplyError, ApplyResult, AttrPath, Ctx, Diagnostic, Diagnostics, Plan, PlanRequest, Resource,
    Schema, Value,
};

pub const TYPE: &str = "awsecs_lb";
const KIND: &str = "ELBv2 Load Balancer";
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10 * 60);
const EXAMPLE_ARN: &str =
    "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188";

pub struct Lb;

type DescribeError = SdkError<DescribeLoadBalancersError>;

async fn find(elb: &Client, arn: &str) -> Result<Option<LoadBalancer>, DescribeError> {
    match elb
        .describe_load_balancers()
        .load_balancer_arns(arn)
        .send()
        .await
    {
        Ok(out) => Ok(out
            .load_balancers()
            .iter()
            .find(|lb| lb.load_balancer_arn() == Some(arn))
            .cloned()),
        Err(e) if errors::is_not_found(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Why waiting for `active` ended badly.
enum WaitError {
    Aws(Box<DescribeError>),
    Failed(String),
}

fn describe_wait_error(e: &WaitError) -> String {
    match e {
        WaitError::Aws(e) => errors::describe(e.as_ref()),
        WaitError::Failed(reason) => {
            format!("the load balancer entered state \"failed\": {reason}")
        }
    }
}

/// Poll schedule of [`wait_active`]: the first poll at once (a load balancer that is already
/// active costs one describe and no sleep), then 1 s doubling up to hashicorp/aws's 10 s
/// (`MinTimeout`) for the minutes AWS takes to provision one.
const ACTIVE_POLLS: Backoff = Backoff {
    initial: Duration::from_secs(1),
    factor: 2,
    max: Duration::from_secs(10),
};

/// Waits until the load balancer is `active` and returns it as that last describe saw it.
async fn wait_active(
    ctx: &Ctx<AwsClients>,
    elb: &Client,
    arn: &str,
    budget: Duration,
) -> Result<LoadBalancer, retry::RetryError<WaitError>> {
    retry::wait_until(
        &ctx.stop,
        "waiting for the load balancer to become active",
        WaitPolicy::new(budget).backoff(ACTIVE_POLLS),
        || async {
            let lb = find(elb, arn)
                .await
                .map_err(|e| WaitError::Aws(Box::new(e)))?;
            let Some((lb, state)) = lb.as_ref().and_then(|lb| Some((lb, lb.state()?))) else {
                return Ok(Poll::Pending("not visible yet".into()));
            };
            match state.code() {
                Some(LoadBalancerStateEnum::Active) => Ok(Poll::Ready(lb.clone())),
                Some(LoadBalancerStateEnum::Failed) => Err(WaitError::Failed(
                    state.reason().unwrap_or("no reason given").to_string(),
                )),
                other => Ok(Poll::Pending(
                    other.map(|c| c.as_str()).unwrap_or("unknown").to_string(),
                )),
            }
        },
    )
    .await
}

/// `app/NAME/ID`: the part of the ARN CloudWatch metrics and ENI descriptions use.
fn arn_suffix(arn: &str) -> Option<&str> {
    arn.split_once(":loadbalancer/").map(|(_, s)| s)
}

/// The state of a load balancer from a refresh: its attributes and tags are read by its ARN.
async fn read_state(
    ctx: &Ctx<AwsClients>,
    elb: &Client,
    lb: &LoadBalancer,
    prior: &Value,
    region: &str,
) -> Result<Value, Diagnostic> {
    let arn = lb.load_balancer_arn().unwrap_or_default();
    let out = elb
        .describe_load_balancer_attributes()
        .load_balancer_arn(arn)
        .send()
        .await
        .map_err(|e| errors::aws_diag(&format!("reading {KIND} attributes"), arn, &e))?;
    let (tags, tags_all) = super::read_tags(elb, &ctx.client, arn, prior, KIND).await?;
    Ok(build_state(
        lb,
        out.attributes(),
        (tags, tags_all),
        prior,
        region,
    ))
}

/// The state from a described load balancer, its attributes and its `(tags, tags_all)`.
fn build_state(
    lb: &LoadBalancer,
    attributes: &[LoadBalancerAttribute],
    (tags, tags_all): (Value, Value),
    prior: &Value,
    region: &str,
) -> Value {
    let arn = lb.load_balancer_arn().unwrap_or_default();
    let attrs: BTreeMap<&str, &str> = attributes
        .iter()
        .filter_map(|a| Some((a.key()?, a.value().unwrap_or(""))))
        .collect();
    let name = lb.load_balancer_name().unwrap_or_default();

    let mut state = Value::object([
        ("arn", Value::from(arn)),
        ("arn_suffix", Value::opt_string(arn_suffix(arn))),
        ("dns_name", Value::opt_string(lb.dns_name())),
        ("id", Value::from(arn)),
        (
            "internal",
            Value::Bool(lb.scheme() == Some(&LoadBalancerSchemeEnum::Internal)),
        ),
        (
            "ip_address_type",
            Value::opt_string(lb.ip_address_type().map(|t| t.as_str())),
        ),
        (
            "load_balancer_type",
            Value::opt_string(lb.r#type().map(|t| t.as_str())),
        ),
        ("name", Value::from(name)),
        (
            "name_prefix",
            Value::opt_string(names::prefix_from_name(name)),
        ),
        ("region", Value::from(region)),
        (
            "security_groups",
            Value::string_set(lb.security_groups().to_vec()),
        ),
        (
            "subnets",
            Value::string_set(
                lb.availability_zones()
                    .iter()
                    .filter_map(|az| az.subnet_id().map(str::to_string)),
            ),
        ),
        ("tags", tags),
        ("tags_all", tags_all),
        ("vpc_id", Value::opt_string(lb.vpc_id())),
        ("zone_id", Value::opt_string(lb.canonical_hosted_zone_id())),
        ("timeouts", prior.get("timeouts").clone()),
    ]);
    for a in ATTRS {
        let v = attrs
            .get(a.key)
            .and_then(|s| a.kind.parse(s))
            .unwrap_or_else(|| super::known_or_null(prior.get(a.name)));
        state.set(a.name, v);
    }
    state.set("access_logs", read_access_logs(&attrs, prior));
    state.set("subnet_mapping", read_subnet_mappings(lb, prior));
    state
}

fn read_access_logs(attrs: &BTreeMap<&str, &str>, prior: &Value) -> Value {
    let enabled = attrs.get(ACCESS_LOGS_ENABLED) == Some(&"true");
    let prior_block = prior.block("access_logs");
    if prior_block.is_none() && !enabled {
        return Value::List(vec![]);
    }
    let field = |key: &str, name: &str| {
        attrs
            .get(key)
            .filter(|s| !s.is_empty())
            .map(|s| Value::from(*s))
            .unwrap_or_else(|| {
                super::known_or_null(prior_block.map(|b| b.get(name)).unwrap_or(&Value::Null))
            })
    };
    Value::List(vec![Value::object([
        ("bucket", field(ACCESS_LOGS_BUCKET, "bucket")),
        ("enabled", Value::Bool(enabled)),
        ("prefix", field(ACCESS_LOGS_PREFIX, "prefix")),
    ])])
}

fn read_subnet_mappings(lb: &LoadBalancer, prior: &Value) -> Value {
    if prior.get("subnet_mapping").elements().is_empty() {
        return Value::Set(vec![]);
    }
    Value::Set(
        lb.availability_zones()
            .iter()
            .map(|az| {
                let addr = az.load_balancer_addresses().first();
                Value::object([
                    (
                        "allocation_id",
                        Value::opt_string(addr.and_then(|a| a.allocation_id())),
                    ),
                    (
                        "ipv6_address",
                        Value::opt_string(addr.and_then(|a| a.ipv6_address())),
                    ),
                    ("outpost_id", Value::opt_string(az.outpost_id())),
                    (
                        "private_ipv4_address",
                        Value::opt_string(addr.and_then(|a| a.private_ipv4_address())),
                    ),
                    ("subnet_id", Value::opt_string(az.subnet_id())),
                ])
            })
            .collect(),
    )
}

fn subnet_mappings(v: &Value) -> Vec<SubnetMapping> {
    v.get("subnet_mapping")
        .elements()
        .iter()
        .map(|m| {
            SubnetMapping::builder()
                .set_subnet_id(m.str("subnet_id").map(str::to_string))
                .set_allocation_id(m.str("allocation_id").map(str::to_string))
                .set_ipv6_address(m.str("ipv6_address").map(str::to_string))
                .set_private_ipv4_address(m.str("private_ipv4_address").map(str::to_string))
                .build()
        })
        .collect()
}

/// Attributes to send: every known managed value on create (`only_changed` = None), or those
/// that differ from `prior` on update.
fn attributes(planned: &Value, prior: Option<&Value>) -> Vec<LoadBalancerAttribute> {
    let changed = |k: &str| prior.is_none_or(|p| !p.get(k).equivalent(planned.get(k)));
    let kv = |k: &str, v: String| LoadBalancerAttribute::builder().key(k).value(v).build();
    let mut out: Vec<LoadBalancerAttribute> = ATTRS
        .iter()
        .filter(|a| changed(a.name))
        .filter_map(|a| a.to_api(planned.get(a.name)).map(|v| kv(a.key, v)))
        .collect();
    if changed("access_logs") {
        match planned.block("access_logs") {
            Some(logs) => {
                let enabled = logs.bool("enabled").unwrap_or(false);
                out.push(kv(ACCESS_LOGS_ENABLED, enabled.to_string()));
                if let Some(bucket) = logs.str("bucket") {
                    out.push(kv(ACCESS_LOGS_BUCKET, bucket.to_string()));
                }
                out.push(kv(
                    ACCESS_LOGS_PREFIX,
                    logs.str("prefix").unwrap_or("").to_string(),
                ));
            }
            None if prior.is_some() => out.push(kv(ACCESS_LOGS_ENABLED, "false".into())),
            None => {}
        }
    }
    out
}

/// Sends `attrs` (none: no call). The answer lists every attribute of the load balancer, not
/// only those sent (AWS API reference, ModifyLoadBalancerAttributes examples), so a create uses
/// it as the attributes' state.
async fn modify_attributes(
    elb: &Client,
    arn: &str,
    attrs: Vec<LoadBalancerAttribute>,
) -> Result<Option<Vec<LoadBalancerAttribute>>, Diagnostic> {
    if attrs.is_empty() {
        return Ok(None);
    }
    elb.modify_load_balancer_attributes()
        .load_balancer_arn(arn)
        .set_attributes(Some(attrs))
        .send()
        .await
        .map(|out| Some(out.attributes().to_vec()))
        .map_err(|e| errors::aws_diag(&format!("modifying {KIND} attributes"), arn, &e))
}

/// The attributes after a create: the modify's answer, else (nothing to modify) one describe.
async fn attributes_after_create(
    elb: &Client,
    arn: &str,
    attrs: Vec<LoadBalancerAttribute>,
) -> Result<Vec<LoadBalancerAttribute>, Diagnostic> {
    if let Some(all) = modify_attributes(elb, arn, attrs).await? {
        return Ok(all);
    }
    elb.describe_load_balancer_attributes()
        .load_balancer_arn(arn)
        .send()
        .await
        .map(|out| out.attributes().to_vec())
        .map_err(|e| errors::aws_diag(&format!("reading {KIND} attributes"), arn, &e))
}

/// Reads the load balancer right after a write, retrying "not found" briefly.
async fn read_fresh(
    ctx: &Ctx<AwsClients>,
    reference: &Value,
    arn: &str,
) -> Result<Value, Diagnostic> {
    let set = ctx.client.regional(reference);
    let elb = set.elbv2();
    let lb = retry::retry_when(
        &ctx.stop,
        "reading the load balancer",
        PROPAGATION_TIMEOUT,
        errors::is_not_found,
        || async {
            let out = elb
                .describe_load_balancers()
                .load_balancer_arns(arn)
                .send()
                .await?;
            out.load_balancers().first().cloned().ok_or_else(|| {
                SdkError::construction_failure("DescribeLoadBalancers returned no load balancer")
            })
        },
    )
    .await
    .map_err(|e| e.diag(&format!("reading {KIND}"), arn))?;
    read_state(ctx, elb, &lb, reference, set.region()).await
}

fn deletion_protected(arn: &str, detail: &str) -> Diagnostic {
    Diagnostic::error(
        format!("deleting {KIND} ({arn})"),
        format!("{detail}deletion protection is enabled on this load balancer. Set enable_deletion_protection = false and run terraform apply, then destroy it."),
    )
    .at(AttrPath::attr("enable_deletion_protection"))
}

#[async_trait]
impl Resource<AwsClients> for Lb {
    fn type_name(&self) -> &'static str {
        TYPE
    }

    fn schema(&self) -> Schema {
        lb_schema::schema()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        lb_schema::validate(config, diags);
    }

    async fn modify_plan(
        &self,
        ctx: &Ctx<AwsClients>,
        req: &PlanRequest<'_>,
        plan: &mut Plan,
        _diags: &mut Diagnostics,
    ) {
        super::plan_common(ctx, req, plan);
        // Subnets given as mappings: the `subnets` they amount to are known after apply.
        if !req.is_create()
            && req.config.get("subnets").is_null()
            && !req
                .prior
                .get("subnet_mapping")
                .equivalent(plan.state.get("subnet_mapping"))
        {
            plan.state.set("subnets", Value::Unknown);
        }
    }

    async fn create(&self, ctx: &Ctx<AwsClients>, planned: &Value) -> ApplyResult {
        let name = names::generate(
            planned.str("name"),
            Some(planned.str("name_prefix").unwrap_or("tf-lb-")),
        );
        let set = ctx.client.regional(planned);
        let elb = set.elbv2();
        // CreateLoadBalancer is idempotent (same name, same settings -> the existing one), so a
        // retry after a lost reply answers with the load balancer the lost attempt created.
        let mut req = elb
            .create_load_balancer()
            .name(&name)
            .r#type(LoadBalancerTypeEnum::Application)
            .set_tags(super::create_tags(planned));
        match planned.bool("internal") {
            Some(true) => req = req.scheme(LoadBalancerSchemeEnum::Internal),
            Some(false) => req = req.scheme(LoadBalancerSchemeEnum::InternetFacing),
            None => {}
        }
        if planned.get("security_groups").is_wholly_known()
            && !planned.get("security_groups").is_null()
        {
            req = req.set_security_groups(Some(planned.strings("security_groups")));
        }
        let mappings = subnet_mappings(planned);
        if mappings.is_empty() {
            req = req.set_subnets(Some(planned.strings("subnets")));
        } else {
            req = req.set_subnet_mappings(Some(mappings));
        }
        if let Some(t) = planned.str("ip_address_type") {
            req = req.ip_address_type(IpAddressType::from(t));
        }
        let out = req
            .send()
            .await
            .map_err(|e| errors::aws_diag(&format!("creating {KIND}"), &name, &e))?;
        let Some(arn) = out
            .load_balancers()
            .first()
            .and_then(|lb| lb.load_balancer_arn())
            .map(str::to_string)
        else {
            return Err(Diagnostic::error(
                format!("creating {KIND} ({name})"),
                "CreateLoadBalancer returned no load balancer ARN",
            )
            .into());
        };
        let mut partial = planned.clone();
        partial.set("id", Value::from(arn.as_str()));
        partial.set("arn", Value::from(arn.as_str()));
        partial.set("name", Value::from(name.as_str()));
        let fail = |d: Diagnostic| ApplyError::with_state(d, partial.clone());

        // The state comes from the answers: the modify's attributes, the active wait's last
        // describe and the tags sent with the create (CreateLoadBalancer applies them or fails).
        // The two calls stay in sequence (modify, then wait, as before): AWS's API reference
        // says nothing of running them concurrently, so they are not overlapped.
        let attrs = attributes_after_create(elb, &arn, attributes(planned, None))
            .await
            .map_err(fail)?;
        let budget = timeout(planned, "create", DEFAULT_TIMEOUT);
        let lb = wait_active(ctx, elb, &arn, budget).await.map_err(|e| {
            fail(e.diag_with(&format!("creating {KIND}"), &name, describe_wait_error))
        })?;
        let tags = tags::split_read(
            &tags::from_planned(planned),
            ctx.client.default_tags(),
            planned.get("tags"),
        );
        Ok(build_state(&lb, &attrs, tags, planned, set.region()))
    }

    async fn read(
        &self,
        ctx: &Ctx<AwsClients>,
        state: &Value,
    ) -> Result<Option<Value>, Diagnostics> {
        let arn = super::required_arn(state, KIND)?;
        let set = ctx.client.regional(state);
        let lb = find(set.elbv2(), arn)
            .await
            .map_err(|e| errors::aws_diag(&format!("reading {KIND}"), arn, &e))?;
        let Some(lb) = lb else {
            log_warn!(
                "ELBv2 Load Balancer not found, removing from state",
                "arn" = arn
            );
            return Ok(None);
        };
        Ok(Some(
            read_state(ctx, set.elbv2(), &lb, state, set.region()).await?,
        ))
    }

    async fn update(&self, ctx: &Ctx<AwsClients>, prior: &Value, planned: &Value) -> ApplyResult {
        let arn = super::state_arn(prior).unwrap_or_default().to_string();
        let set = ctx.client.regional(prior);
        let elb = set.elbv2();
        let changed = |k: &str| !prior.get(k).equivalent(planned.get(k));
        let op = |what: &str| format!("updating {KIND} {what}");

        if changed("security_groups") && planned.get("security_groups").is_wholly_known() {
            elb.set_security_groups()
                .load_balancer_arn(&arn)
                .set_security_groups(Some(planned.strings("security_groups")))
                .send()
                .await
                .map_err(|e| {
                    errors::aws_diag_at(
                        &op("security groups"),
                        &arn,
                        &e,
                        AttrPath::attr("security_groups"),
                    )
                })?;
        }
        let mappings = subnet_mappings(planned);
        if changed("subnet_mapping") && !mappings.is_empty() {
            elb.set_subnets()
                .load_balancer_arn(&arn)
                .set_subnet_mappings(Some(mappings))
                .send()
                .await
                .map_err(|e| {
                    errors::aws_diag_at(&op("subnets"), &arn, &e, AttrPath::attr("subnet_mapping"))
                })?;
        } else if changed("subnets") && planned.get("subnets").is_wholly_known() {
            elb.set_subnets()
                .load_balancer_arn(&arn)
                .set_subnets(Some(planned.strings("subnets")))
                .send()
                .await
                .map_err(|e| {
                    errors::aws_diag_at(&op("subnets"), &arn, &e, AttrPath::attr("subnets"))
                })?;
        }
        if changed("ip_address_type") {
            if let Some(t) = planned.str("ip_address_type") {
                elb.set_ip_address_type()
                    .load_balancer_arn(&arn)
                    .ip_address_type(IpAddressType::from(t))
                    .send()
                    .await
                    .map_err(|e| {
                        errors::aws_diag_at(
                            &op("IP address type"),
                            &arn,
                            &e,
                            AttrPath::attr("ip_address_type"),
                        )
                    })?;
            }
        }
        modify_attributes(elb, &arn, attributes(planned, Some(prior))).await?;
        super::update_tags(elb, &arn, prior, planned, KIND).await?;
        let budget = timeout(planned, "update", DEFAULT_TIMEOUT);
        wait_active(ctx, elb, &arn, budget)
            .await
            .map_err(|e| e.diag_with(&format!("updating {KIND}"), &arn, describe_wait_error))?;
        Ok(read_fresh(ctx, planned, &arn).await?)
    }

    async fn delete(&self, ctx: &Ctx<AwsClients>, prior: &Value) -> Result<(), Diagnostics> {
        let Some(arn) = super::state_arn(prior) else {
            return Ok(());
        };
        if prior.bool("enable_deletion_protection") == Some(true) {
            return Err(deletion_protected(arn, "").into());
        }
        let start = Instant::now();
        let budget = timeout(prior, "delete", DEFAULT_TIMEOUT);
        let set = ctx.client.regional(prior);
        let elb = set.elbv2();
        match elb
            .delete_load_balancer()
            .load_balancer_arn(arn)
            .send()
            .await
        {
            Ok(_) => {}
            Err(e) if errors::is_not_found(&e) => return Ok(()),
            Err(e) if errors::has_code(&e, "OperationNotPermitted") => {
                return Err(deletion_protected(arn, &format!("{}. ", errors::describe(&e))).into())
            }
            Err(e) => return Err(errors::aws_diag(&format!("deleting {KIND}"), arn, &e).into()),
        }
        retry::wait_until(
            &ctx.stop,
            "waiting for the load balancer to be deleted",
            WaitPolicy::new(budget),
            || async {
                Ok::<_, DescribeError>(match find(elb, arn).await? {
                    None => Poll::Ready(()),
                    Some(_) => Poll::Pending("exists".into()),
                })
            },
        )
        .await
        .map_err(|e| e.diag(&format!("deleting {KIND}"), arn))?;
        if let Some(suffix) = arn_suffix(arn) {
            let left = budget.saturating_sub(start.elapsed());
            wait_for_interfaces(ctx, set.ec2(), &format!("ELB {suffix}"), left).await;
        }
        Ok(())
    }

    async fn import(&self, _ctx: &Ctx<AwsClients>, id: &str) -> Result<Value, Diagnostics> {
        super::import_stub(id, "loadbalancer/app/", EXAMPLE_ARN)
    }
}

/// Waits (best effort, logged) until the network interfaces AWS created for the load balancer
/// are released: they outlive DeleteLoadBalancer by a few minutes and block deleting the
/// security groups and subnets they use.
async fn wait_for_interfaces(
    ctx: &Ctx<AwsClients>,
    ec2: &aws_sdk_ec2::Client,
    description: &str,
    budget: Duration,
) {
    let filter = aws_sdk_ec2::types::Filter::builder()
        .name("description")
        .values(description)
        .build();
    let out = retry::wait_until(
        &ctx.stop,
        "waiting for the load balancer's network interfaces to be released",
        WaitPolicy::new(budget),
        || async {
            let out = ec2
                .describe_network_interfaces()
                .filters(filter.clone())
                .send()
                .await?;
            let n = out.network_interfaces().len();
            Ok::<_, SdkError<_>>(if n == 0 {
                Poll::Ready(())
            } else {
                Poll::Pending(format!("{n} network interfaces remain"))
            })
        },
    )
    .await;
    if let Err(e) = out {
        log_warn!(
            "load balancer deleted; its network interfaces were not confirmed released",
            "description" = description,
            "error" = e
        );
    }
}

pub fn resource() -> Arc<dyn Resource<AwsClients>> {
    Arc::new(Lb)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_sends_every_known_attribute_and_update_only_changes() {
        let b = lb_schema::schema().block;
        let mut planned = b.conform(Value::object([("subnets", Value::string_set(["a", "b"]))]));
        b.fill_defaults(&mut planned);
        let all = attributes(&planned, None);
        let keys: Vec<&str> = all.iter().filter_map(|a| a.key()).collect();
        assert!(keys.contains(&"idle_timeout.timeout_seconds"), "{keys:?}");
        assert!(
            !keys.contains(&"load_balancing.cross_zone.enabled"),
            "unset O+C is not sent"
        );
        assert!(!keys.contains(&ACCESS_LOGS_ENABLED));

        let mut next = planned.clone();
        next.set("idle_timeout", Value::int(120));
        let changed = attributes(&next, Some(&planned));
        assert_eq!(changed.len(), 1);
        assert_eq!(changed[0].value(), Some("120"));

        let mut logs = planned.clone();
        logs.set(
            "access_logs",
            Value::List(vec![Value::object([
                ("bucket", "b".into()),
                ("enabled", true.into()),
                ("prefix", Value::Null),
            ])]),
        );
        assert_eq!(attributes(&logs, Some(&planned)).len(), 3);
        let off = attributes(&planned, Some(&logs));
        assert_eq!((off.len(), off[0].value()), (1, Some("false")));
    }

    #[test]
    fn arn_suffix_is_what_cloudwatch_uses() {
        assert_eq!(arn_suffix(EXAMPLE_ARN), Some("app/web/50dc6c495c0c9188"));
    }
}
