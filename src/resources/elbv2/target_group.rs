//! `awsecs_lb_target_group`, the twin of `aws_lb_target_group`. ID and import ID: the ARN.
//!
//! `health_check` and `stickiness` are optional blocks (Terraform does not allow computed
//! blocks). Without a `health_check` block AWS's defaults apply and the health check is left
//! alone; a read reports the block when the state has it, and always on import (every target
//! group has a health check). Without `stickiness`, stickiness is off; removing the block turns
//! it off, and a read reports the block when the state has it or stickiness is on.
//!
//! Destroying a target group that a listener or rule still uses (typically one being destroyed
//! in the same run) is retried for two minutes on ResourceInUse.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_elasticloadbalancingv2::error::SdkError;
use aws_sdk_elasticloadbalancingv2::operation::describe_target_groups::DescribeTargetGroupsError;
use aws_sdk_elasticloadbalancingv2::types::{
    Matcher, ProtocolEnum, TargetGroup, TargetGroupAttribute, TargetGroupIpAddressTypeEnum,
    TargetTypeEnum,
};
use aws_sdk_elasticloadbalancingv2::Client;

use super::target_group_schema::{self as tgs, ATTRS};
use crate::aws::retry::{self, PROPAGATION_TIMEOUT};
use crate::aws::{errors, names, tags, AwsClients};
use crate::framework::{
    ApplyError, ApplyResult, AttrPath, Ctx, Diagnostic, Diagnostics, Plan, PlanRequest, Resource,
    Schema, Value,
};

pub const TYPE: &str = "awsecs_lb_target_group";
const KIND: &str = "ELBv2 Target Group";
const IN_USE_TIMEOUT: Duration = Duration::from_secs(2 * 60);
const EXAMPLE_ARN: &str =
    "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef";

pub struct TargetGroupResource;

async fn find(
    elb: &Client,
    arn: &str,
) -> Result<Option<TargetGroup>, SdkError<DescribeTargetGroupsError>> {
    match elb
        .describe_target_groups()
        .target_group_arns(arn)
        .send()
        .await
    {
        Ok(out) => Ok(out
            .target_groups()
            .iter()
            .find(|tg| tg.target_group_arn() == Some(arn))
            .cloned()),
        Err(e) if errors::is_not_found(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The health check settings to send, from a planned `health_check` element.
struct HealthCheck {
    enabled: Option<bool>,
    interval: Option<i32>,
    timeout: Option<i32>,
    healthy: Option<i32>,
    unhealthy: Option<i32>,
    path: Option<String>,
    matcher: Option<Matcher>,
    port: Option<String>,
    protocol: Option<ProtocolEnum>,
}

fn expand_health_check(hc: &Value, planned: &Value) -> HealthCheck {
    let int = |k: &str| hc.i64(k).map(|n| n as i32);
    let protocol = hc.str("protocol").unwrap_or("HTTP").to_ascii_uppercase();
    let lambda = planned.str("target_type") == Some("lambda");
    let grpc = planned
        .str("protocol_version")
        .is_some_and(|v| v.eq_ignore_ascii_case("GRPC"));
    let http = protocol != "TCP";
    HealthCheck {
        enabled: hc.bool("enabled"),
        interval: int("interval"),
        timeout: int("timeout"),
        healthy: int("healthy_threshold"),
        unhealthy: int("unhealthy_threshold"),
        path: hc
            .str("path")
            .filter(|p| http && !p.is_empty())
            .map(str::to_string),
        matcher: hc.str("matcher").filter(|_| http).map(|m| {
            let b = Matcher::builder();
            if grpc { b.grpc_code(m) } else { b.http_code(m) }.build()
        }),
        port: hc.str("port").filter(|_| !lambda).map(str::to_string),
        protocol: (!lambda).then(|| ProtocolEnum::from(protocol.as_str())),
    }
}

fn flatten_health_check(tg: &TargetGroup, prior: &Value) -> Value {
    let keep = |k: &str| super::known_or_null(prior.get(k));
    let matcher = tg
        .matcher()
        .and_then(|m| m.http_code().or(m.grpc_code()))
        .map(Value::from)
        .unwrap_or_else(|| keep("matcher"));
    Value::object([
        (
            "enabled",
            tg.health_check_enabled()
                .map(Value::Bool)
                .unwrap_or_else(|| keep("enabled")),
        ),
        (
            "healthy_threshold",
            super::int_or(tg.healthy_threshold_count(), prior.get("healthy_threshold")),
        ),
        (
            "interval",
            super::int_or(tg.health_check_interval_seconds(), prior.get("interval")),
        ),
        ("matcher", matcher),
        (
            "path",
            tg.health_check_path()
                .map(Value::from)
                .unwrap_or_else(|| keep("path")),
        ),
        (
            "port",
            tg.health_check_port()
                .map(Value::from)
                .unwrap_or_else(|| keep("port")),
        ),
        (
            "protocol",
            tg.health_check_protocol()
                .map(|p| Value::from(p.as_str()))
                .unwrap_or_else(|| keep("protocol")),
        ),
        (
            "timeout",
            super::int_or(tg.health_check_timeout_seconds(), prior.get("timeout")),
        ),
        (
            "unhealthy_threshold",
            super::int_or(
                tg.unhealthy_threshold_count(),
                prior.get("unhealthy_threshold"),
            ),
        ),
    ])
}

fn kv(k: &str, v: impl Into<String>) -> TargetGroupAttribute {
    TargetGroupAttribute::builder().key(k).value(v).build()
}

fn stickiness_attributes(planned: &Value) -> Vec<TargetGroupAttribute> {
    let Some(s) = planned.block("stickiness") else {
        return vec![kv("stickiness.enabled", "false")];
    };
    let mut out = vec![kv(
        "stickiness.enabled",
        s.bool("enabled").unwrap_or(true).to_string(),
    )];
    let ty = s.str("type").unwrap_or("lb_cookie");
    out.push(kv("stickiness.type", ty));
    let duration = s.i64("cookie_duration").unwrap_or(86400).to_string();
    match ty {
        "lb_cookie" => out.push(kv("stickiness.lb_cookie.duration_seconds", duration)),
        "app_cookie" => {
            out.push(kv("stickiness.app_cookie.duration_seconds", duration));
            if let Some(name) = s.str("cookie_name") {
                out.push(kv("stickiness.app_cookie.cookie_name", name));
            }
        }
        _ => {}
    }
    out
}

fn read_stickiness(attrs: &BTreeMap<&str, &str>, prior: &Value) -> Value {
    let prior_block = prior.block("stickiness");
    let enabled = attrs.get("stickiness.enabled") == Some(&"true");
    if prior_block.is_none() && !enabled {
        return Value::List(vec![]);
    }
    let keep =
        |k: &str| super::known_or_null(prior_block.map(|p| p.get(k)).unwrap_or(&Value::Null));
    let ty = attrs
        .get("stickiness.type")
        .map(|s| Value::from(*s))
        .unwrap_or_else(|| keep("type"));
    let (duration_key, name_key) = match ty.as_str() {
        Some("app_cookie") => (
            "stickiness.app_cookie.duration_seconds",
            Some("stickiness.app_cookie.cookie_name"),
        ),
        _ => ("stickiness.lb_cookie.duration_seconds", None),
    };
    let duration = match ty.as_str() {
        Some("lb_cookie" | "app_cookie") => {
            attrs.get(duration_key).and_then(|s| s.parse::<i64>().ok())
        }
        _ => None,
    };
    Value::List(vec![Value::object([
        (
            "cookie_duration",
            duration
                .map(Value::int)
                .unwrap_or_else(|| keep("cookie_duration")),
        ),
        (
            "cookie_name",
            name_key
                .and_then(|k| attrs.get(k))
                .filter(|s| !s.is_empty())
                .map(|s| Value::from(*s))
                .unwrap_or_else(|| keep("cookie_name")),
        ),
        ("enabled", Value::Bool(enabled)),
        ("type", ty),
    ])])
}

/// `targetgroup/NAME/ID`: the part of the ARN CloudWatch metrics use.
fn arn_suffix(arn: &str) -> Option<&str> {
    arn.rsplit_once(':').map(|(_, s)| s)
}

/// The state of a target group from a refresh: its attributes and tags are read by its ARN.
async fn read_state(
    ctx: &Ctx<AwsClients>,
    elb: &Client,
    tg: &TargetGroup,
    prior: &Value,
    region: &str,
) -> Result<Value, Diagnostic> {
    let arn = tg.target_group_arn().unwrap_or_default();
    let out = elb
        .describe_target_group_attributes()
        .target_group_arn(arn)
        .send()
        .await
        .map_err(|e| errors::aws_diag(&format!("reading {KIND} attributes"), arn, &e))?;
    let tags = super::read_tags(elb, &ctx.client, arn, prior, KIND).await?;
    Ok(build_state(tg, out.attributes(), tags, prior, region))
}

/// The state from a described (or just created) target group, its attributes and its
/// `(tags, tags_all)`.
fn build_state(
    tg: &TargetGroup,
    attributes: &[TargetGroupAttribute],
    (tags, tags_all): (Value, Value),
    prior: &Value,
    region: &str,
) -> Value {
    let arn = tg.target_group_arn().unwrap_or_default();
    let attrs: BTreeMap<&str, &str> = attributes
        .iter()
        .filter_map(|a| Some((a.key()?, a.value().unwrap_or(""))))
        .collect();
    let name = tg.target_group_name().unwrap_or_default();
    let target_type = tg.target_type().map(|t| t.as_str()).unwrap_or("instance");
    super::remember_target_type(arn, target_type);
    let keep = |k: &str| super::known_or_null(prior.get(k));
    let prior_hc = prior.block("health_check");
    let health_check = if prior_hc.is_some() || super::is_import_stub(prior) {
        Value::List(vec![flatten_health_check(
            tg,
            prior_hc.unwrap_or(&Value::Null),
        )])
    } else {
        Value::List(vec![])
    };
    let stickiness = if target_type == "lambda" {
        keep("stickiness")
    } else {
        read_stickiness(&attrs, prior)
    };
    let mut state = Value::object([
        ("arn", Value::from(arn)),
        ("arn_suffix", Value::opt_string(arn_suffix(arn))),
        ("id", Value::from(arn)),
        (
            "ip_address_type",
            tg.ip_address_type()
                .map(|t| Value::from(t.as_str()))
                .unwrap_or_else(|| keep("ip_address_type")),
        ),
        (
            "load_balancer_arns",
            Value::string_set(tg.load_balancer_arns().to_vec()),
        ),
        ("name", Value::from(name)),
        (
            "name_prefix",
            Value::opt_string(names::prefix_from_name(name)),
        ),
        ("port", super::int_or(tg.port(), prior.get("port"))),
        (
            "protocol",
            tg.protocol()
                .map(|p| Value::from(p.as_str()))
                .unwrap_or_else(|| keep("protocol")),
        ),
        (
            "protocol_version",
            tg.protocol_version()
                .map(Value::from)
                .unwrap_or_else(|| keep("protocol_version")),
        ),
        ("region", Value::from(region)),
        ("tags", tags),
        ("tags_all", tags_all),
        ("target_type", Value::from(target_type)),
        (
            "vpc_id",
            tg.vpc_id()
                .map(Value::from)
                .unwrap_or_else(|| keep("vpc_id")),
        ),
        ("health_check", health_check),
        ("stickiness", stickiness),
    ]);
    for a in ATTRS {
        let v = attrs
            .get(a.key)
            .filter(|_| a.applies_to(target_type))
            .and_then(|s| a.kind.parse(s))
            .unwrap_or_else(|| keep(a.name));
        state.set(a.name, v);
    }
    state
}

async fn read_fresh(
    ctx: &Ctx<AwsClients>,
    reference: &Value,
    arn: &str,
) -> Result<Value, Diagnostic> {
    let set = ctx.client.regional(reference);
    let elb = set.elbv2();
    let tg = retry::retry_when(
        &ctx.stop,
        "reading the new target group",
        PROPAGATION_TIMEOUT,
        errors::is_not_found,
        || async {
            let out = elb
                .describe_target_groups()
                .target_group_arns(arn)
                .send()
                .await?;
            out.target_groups().first().cloned().ok_or_else(|| {
                SdkError::construction_failure("DescribeTargetGroups returned no target group")
            })
        },
    )
    .await
    .map_err(|e| e.diag(&format!("reading {KIND}"), arn))?;
    read_state(ctx, elb, &tg, reference, set.region()).await
}

/// Attributes to send on create (`prior` None) or the changed ones on update.
fn attributes(planned: &Value, prior: Option<&Value>) -> Vec<TargetGroupAttribute> {
    let target_type = planned.str("target_type").unwrap_or("instance");
    let changed = |k: &str| prior.is_none_or(|p| !p.get(k).equivalent(planned.get(k)));
    let mut out: Vec<TargetGroupAttribute> = Vec::new();
    if matches!(target_type, "instance" | "ip")
        && changed("stickiness")
        && (prior.is_some() || planned.block("stickiness").is_some())
    {
        out.extend(stickiness_attributes(planned));
    }
    for a in ATTRS
        .iter()
        .filter(|a| a.applies_to(target_type) && changed(a.name))
    {
        if let Some(v) = a.to_api(planned.get(a.name), prior.is_none()) {
            out.push(kv(a.key, v));
        }
    }
    out
}

/// Sends `attrs` (none: no call). The answer lists every attribute of the target group, not
/// only those sent (AWS API reference, ModifyTargetGroupAttributes example), so a create uses
/// it as the attributes' state.
async fn modify_attributes(
    elb: &Client,
    arn: &str,
    attrs: Vec<TargetGroupAttribute>,
) -> Result<Option<Vec<TargetGroupAttribute>>, Diagnostic> {
    if attrs.is_empty() {
        return Ok(None);
    }
    elb.modify_target_group_attributes()
        .target_group_arn(arn)
        .set_attributes(Some(attrs))
        .send()
        .await
        .map(|out| Some(out.attributes().to_vec()))
        .map_err(|e| errors::aws_diag(&format!("modifying {KIND} attributes"), arn, &e))
}

/// The attributes after a create: the modify's answer, else (nothing to modify: a lambda
/// group without settings) one describe, since AWS's defaults belong in the state.
async fn attributes_after_create(
    elb: &Client,
    arn: &str,
    attrs: Vec<TargetGroupAttribute>,
) -> Result<Vec<TargetGroupAttribute>, Diagnostic> {
    if let Some(all) = modify_attributes(elb, arn, attrs).await? {
        return Ok(all);
    }
    elb.describe_target_group_attributes()
        .target_group_arn(arn)
        .send()
        .await
        .map(|out| out.attributes().to_vec())
        .map_err(|e| errors::aws_diag(&format!("reading {KIND} attributes"), arn, &e))
}

#[async_trait]
impl Resource<AwsClients> for TargetGroupResource {
    fn type_name(&self) -> &'static str {
        TYPE
    }

    fn schema(&self) -> Schema {
        tgs::schema()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        tgs::validate(config, diags);
    }

    async fn modify_plan(
        &self,
        ctx: &Ctx<AwsClients>,
        req: &PlanRequest<'_>,
        plan: &mut Plan,
        _diags: &mut Diagnostics,
    ) {
        super::plan_common(ctx, req, plan);
    }

    async fn create(&self, ctx: &Ctx<AwsClients>, planned: &Value) -> ApplyResult {
        let name = names::generate(
            planned.str("name"),
            Some(planned.str("name_prefix").unwrap_or("tf-")),
        );
        let set = ctx.client.regional(planned);
        let elb = set.elbv2();
        let target_type = planned.str("target_type").unwrap_or("instance");
        // CreateTargetGroup is idempotent (same name, same settings -> the existing group), so a
        // retry after a lost reply answers with the group the lost attempt created.
        let mut req = elb
            .create_target_group()
            .name(&name)
            .target_type(TargetTypeEnum::from(target_type))
            .set_tags(super::create_tags(planned));
        if target_type != "lambda" {
            let protocol = planned.str("protocol").unwrap_or("HTTP");
            req = req
                .set_port(planned.i64("port").map(|p| p as i32))
                .protocol(ProtocolEnum::from(protocol))
                .set_vpc_id(planned.str("vpc_id").map(str::to_string));
            if matches!(protocol, "HTTP" | "HTTPS") {
                req = req.set_protocol_version(
                    planned.str("protocol_version").map(str::to_ascii_uppercase),
                );
            }
            if matches!(target_type, "instance" | "ip") {
                req = req.set_ip_address_type(
                    planned
                        .str("ip_address_type")
                        .map(TargetGroupIpAddressTypeEnum::from),
                );
            }
        }
        if let Some(hc) = planned.block("health_check") {
            let h = expand_health_check(hc, planned);
            req = req
                .set_health_check_enabled(h.enabled)
                .set_health_check_interval_seconds(h.interval)
                .set_health_check_timeout_seconds(h.timeout)
                .set_healthy_threshold_count(h.healthy)
                .set_unhealthy_threshold_count(h.unhealthy)
                .set_health_check_path(h.path)
                .set_matcher(h.matcher)
                .set_health_check_port(h.port)
                .set_health_check_protocol(h.protocol);
        }
        let out = req
            .send()
            .await
            .map_err(|e| errors::aws_diag(&format!("creating {KIND}"), &name, &e))?;
        let Some((tg, arn)) = out
            .target_groups()
            .first()
            .and_then(|tg| Some((tg, tg.target_group_arn()?.to_string())))
        else {
            return Err(Diagnostic::error(
                format!("creating {KIND} ({name})"),
                "CreateTargetGroup returned no target group ARN",
            )
            .into());
        };
        let mut partial = planned.clone();
        partial.set("id", Value::from(arn.as_str()));
        partial.set("arn", Value::from(arn.as_str()));
        partial.set("name", Value::from(name.as_str()));
        let fail = |d: Diagnostic| ApplyError::with_state(d, partial.clone());
        // The state comes from the answers: CreateTargetGroup's group (its settings and health
        // check; no load balancer uses a new group yet), the modify's attributes and the tags
        // sent with the create (applied or the create fails).
        let attrs = attributes_after_create(elb, &arn, attributes(planned, None))
            .await
            .map_err(fail)?;
        let tags = tags::split_read(
            &tags::from_planned(planned),
            ctx.client.default_tags(),
            planned.get("tags"),
        );
        Ok(build_state(tg, &attrs, tags, planned, set.region()))
    }

    async fn read(
        &self,
        ctx: &Ctx<AwsClients>,
        state: &Value,
    ) -> Result<Option<Value>, Diagnostics> {
        let arn = super::required_arn(state, KIND)?;
        let set = ctx.client.regional(state);
        let tg = find(set.elbv2(), arn)
            .await
            .map_err(|e| errors::aws_diag(&format!("reading {KIND}"), arn, &e))?;
        let Some(tg) = tg else {
            log_warn!(
                "ELBv2 Target Group not found, removing from state",
                "arn" = arn
            );
            return Ok(None);
        };
        Ok(Some(
            read_state(ctx, set.elbv2(), &tg, state, set.region()).await?,
        ))
    }

    async fn update(&self, ctx: &Ctx<AwsClients>, prior: &Value, planned: &Value) -> ApplyResult {
        let arn = super::state_arn(prior).unwrap_or_default().to_string();
        let set = ctx.client.regional(prior);
        let elb = set.elbv2();
        let hc_changed = !prior
            .get("health_check")
            .equivalent(planned.get("health_check"));
        if let (true, Some(hc)) = (hc_changed, planned.block("health_check")) {
            let h = expand_health_check(hc, planned);
            elb.modify_target_group()
                .target_group_arn(&arn)
                .set_health_check_enabled(h.enabled)
                .set_health_check_interval_seconds(h.interval)
                .set_health_check_timeout_seconds(h.timeout)
                .set_healthy_threshold_count(h.healthy)
                .set_unhealthy_threshold_count(h.unhealthy)
                .set_health_check_path(h.path)
                .set_matcher(h.matcher)
                .set_health_check_port(h.port)
                .set_health_check_protocol(h.protocol)
                .send()
                .await
                .map_err(|e| {
                    errors::aws_diag_at(
                        &format!("updating {KIND} health check"),
                        &arn,
                        &e,
                        AttrPath::attr("health_check"),
                    )
                })?;
        }
        modify_attributes(elb, &arn, attributes(planned, Some(prior))).await?;
        super::update_tags(elb, &arn, prior, planned, KIND).await?;
        Ok(read_fresh(ctx, planned, &arn).await?)
    }

    async fn delete(&self, ctx: &Ctx<AwsClients>, prior: &Value) -> Result<(), Diagnostics> {
        let Some(arn) = super::state_arn(prior) else {
            return Ok(());
        };
        let elb = ctx.client.regional(prior).elbv2().clone();
        let out = retry::retry_when(
            &ctx.stop,
            "deleting the target group while a listener or rule still uses it",
            IN_USE_TIMEOUT,
            |e| errors::has_code(e, "ResourceInUse"),
            || elb.delete_target_group().target_group_arn(arn).send(),
        )
        .await;
        match out {
            Ok(_) => Ok(()),
            Err(e) if e.error().is_some_and(errors::is_not_found) => Ok(()),
            Err(e) => {
                let mut d = e.diag(&format!("deleting {KIND}"), arn);
                if e.error()
                    .is_some_and(|x| errors::has_code(x, "ResourceInUse"))
                {
                    d.detail.push_str(". Remove it from the listeners, listener rules and ECS services that use it first.");
                }
                Err(d.into())
            }
        }
    }

    async fn import(&self, _ctx: &Ctx<AwsClients>, id: &str) -> Result<Value, Diagnostics> {
        super::import_stub(id, "targetgroup/", EXAMPLE_ARN)
    }
}

pub fn resource() -> Arc<dyn Resource<AwsClients>> {
    Arc::new(TargetGroupResource)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stickiness_round_trips_through_attributes() {
        let planned = Value::object([(
            "stickiness",
            Value::List(vec![Value::object([
                ("cookie_duration", Value::int(600)),
                ("cookie_name", "SESSION".into()),
                ("enabled", true.into()),
                ("type", "app_cookie".into()),
            ])]),
        )]);
        let sent = stickiness_attributes(&planned);
        let attrs: BTreeMap<&str, &str> = sent
            .iter()
            .filter_map(|a| Some((a.key()?, a.value()?)))
            .collect();
        let back = read_stickiness(&attrs, &planned);
        assert!(back.equivalent(planned.get("stickiness")), "{back:?}");
        let off = stickiness_attributes(&Value::object([("stickiness", Value::List(vec![]))]));
        assert_eq!(off.len(), 1);
        assert_eq!(off[0].value(), Some("false"));
        let none = read_stickiness(
            &BTreeMap::from([("stickiness.enabled", "false")]),
            &Value::Null,
        );
        assert_eq!(none, Value::List(vec![]));
    }

    #[test]
    fn tcp_health_checks_send_no_path_or_matcher() {
        let hc = Value::object([
            ("protocol", "tcp".into()),
            ("path", "/".into()),
            ("matcher", "200".into()),
            ("port", "traffic-port".into()),
        ]);
        let h = expand_health_check(&hc, &Value::object([("target_type", "ip".into())]));
        assert!(h.path.is_none() && h.matcher.is_none());
        assert_eq!(h.protocol, Some(ProtocolEnum::Tcp));
        let lambda = expand_health_check(&hc, &Value::object([("target_type", "lambda".into())]));
        assert!(lambda.port.is_none() && lambda.protocol.is_none());
    }

    #[test]
    fn create_sends_stickiness_only_when_configured() {
        let b = tgs::schema().block;
        let mut planned = b.conform(Value::object([("target_type", Value::from("ip"))]));
        b.fill_defaults(&mut planned);
        let keys: Vec<String> = attributes(&planned, None)
            .iter()
            .filter_map(|a| a.key().map(str::to_string))
            .collect();
        assert_eq!(keys, vec!["deregistration_delay.timeout_seconds"]);
        assert_eq!(
            arn_suffix(EXAMPLE_ARN),
            Some("targetgroup/web/0123456789abcdef")
        );
    }
}
