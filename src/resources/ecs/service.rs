//! `awsecs_ecs_service`, the twin of `aws_ecs_service`. ID: the service ARN. Import ID:
//! `cluster-name/service-name`.
//!
//! Design choices (see the module docs of `service_schema` and `service_wait` for the rest):
//! - Requests carry the service's structures as ECS JSON built from the same mapping the read
//!   uses (`service_schema`); the SDK sends, signs and retries.
//! - A `capacity_provider_strategy` change (including launch type ↔ capacity providers) is an
//!   in-place update, and the provider sets `forceNewDeployment` itself because ECS does not
//!   redeploy for a strategy change alone (hashicorp/aws 6.x instead refuses the plan unless
//!   `force_new_deployment = true`; pain point #12). Only a change between two launch types
//!   replaces the service.
//! - Behind target groups (`service_lb`): the plan checks an existing group's target type against
//!   the task definition's network mode, and a destroy waits for the drain only as long as the
//!   groups' deregistration delay requires (plus stop timeout and slack), not a fixed 20 minutes.
//! - When a DescribeServices answer omits an optional structure (deployment configuration,
//!   placement, execute command, grace period, Service Connect, ...), the prior value is kept:
//!   absence is not a change.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use serde_json::Value as J;

use super::service_schema::schema;
use super::service_state::{create_members, state_from, update_members};
use super::service_wait::{self as wait, wait_diag};
use super::{service_lb, service_task_definition};
use crate::aws::ecs_json::{self, CaptureBody};
use crate::aws::retry::{self, PROPAGATION_TIMEOUT};
use crate::aws::{errors, names, plan_region, tags, AwsClients};
use crate::framework::resource::timeout;
use crate::framework::validators;
use crate::framework::{
    ApplyError, ApplyResult, AttrPath, Ctx, Diagnostic, Diagnostics, Plan, PlanRequest, Resource,
    Schema, Value,
};

pub const TYPE: &str = "awsecs_ecs_service";
const KIND: &str = "ECS Service";
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20 * 60);

pub struct EcsService;

/// IAM and load balancer propagation errors CreateService/UpdateService may see right after the
/// role, target group or cluster was created (hashicorp/aws `retryServiceCreate`, plus the ECS
/// infrastructure role message of #38538).
fn is_propagation<E: aws_smithy_types::error::metadata::ProvideErrorMetadata>(e: &E) -> bool {
    const MESSAGES: &[&str] = &[
        "verify that the ECS service role being passed has the proper permissions",
        "does not have an associated load balancer",
        "Unable to assume the service linked role",
        "ECS was unable to assume the configured ECS Infrastructure Role",
        "Unable to assume role and validate the listeners",
    ];
    errors::has_code(e, "ClusterNotFoundException")
        || MESSAGES
            .iter()
            .any(|m| errors::code_and_message_contains(e, "InvalidParameterException", m))
}

/// The cluster to address the service in: the state's, else the one in a long service ARN.
pub(super) fn cluster_of(v: &Value) -> Option<String> {
    if let Some(c) = v.str("cluster").filter(|c| !c.is_empty()) {
        return Some(c.to_string());
    }
    let arn = v.str("arn").or_else(|| v.str("id"))?;
    let parts: Vec<&str> = arn.split_once(":service/")?.1.split('/').collect();
    (parts.len() == 2).then(|| parts[0].to_string())
}

fn service_ref(v: &Value) -> Option<String> {
    [v.str("arn"), v.str("id"), v.str("name")]
        .into_iter()
        .flatten()
        .find(|s| !s.is_empty())
        .map(str::to_string)
}

/// True when the inputs of [`check_task_definition`] are those the prior state already passed
/// with: a task definition revision is immutable, so re-reading it on every no-change plan would
/// be one needless DescribeTaskDefinition per service per refresh.
fn checked_inputs_unchanged(prior: &Value, planned: &Value) -> bool {
    [
        "task_definition",
        "network_configuration",
        "service_connect_configuration",
    ]
    .iter()
    .all(|k| prior.get(k).is_known() && prior.get(k).equivalent(planned.get(k)))
}

/// Plan-time checks against the task definition the service will run (a read, never a write):
/// awsvpc needs network_configuration and other modes refuse it; existing target groups must have
/// the target type the network mode registers; Service Connect port names must exist in the
/// containers' port mappings.
async fn check_task_definition(ctx: &Ctx<AwsClients>, config: &Value, diags: &mut Diagnostics) {
    let Some(td) = config.get("task_definition").as_str() else {
        return;
    };
    // Only a pinned revision is checked: a bare family may be re-registered by this very apply
    // (its new revision is not readable yet), and a revision being replaced has an unknown ARN.
    if super::service_schema::task_definition_ref(td).1.is_none() {
        return;
    }
    let nc = config.get("network_configuration");
    let sc = config.get("service_connect_configuration");
    if !nc.is_known() || !sc.is_known() {
        return;
    }
    let Some(facts) = service_task_definition::facts(ctx, config, td).await else {
        return; // not resolvable now (e.g. not registered yet): ECS will judge at apply
    };
    let mode = facts.network_mode.as_str();
    let names = &facts.port_names;
    let has_nc = !nc.elements().is_empty();
    if mode == "awsvpc" && !has_nc {
        diags.invalid(AttrPath::attr("network_configuration"), format!("task definition {td} uses network_mode \"awsvpc\": set a network_configuration block with subnets (and security_groups)"));
    } else if mode != "awsvpc" && has_nc {
        diags.invalid(AttrPath::attr("network_configuration"), format!("task definition {td} uses network_mode {mode:?}; network_configuration is only valid with \"awsvpc\""));
    }
    service_lb::check_target_types(ctx, config, mode, diags).await;
    for (k, svc) in sc
        .elements()
        .first()
        .map(|c| c.get("service").elements())
        .unwrap_or(&[])
        .iter()
        .enumerate()
    {
        if let Some(p) = svc.get("port_name").as_str() {
            if !names.iter().any(|n| n == p) {
                let listed = if names.is_empty() {
                    "none: name a port mapping (\"name\": ...) in container_definitions".to_string()
                } else {
                    names.join(", ")
                };
                diags.invalid(
                    AttrPath::attr("service_connect_configuration").index(0).then("service").index(k).then("port_name"),
                    format!("port name {p:?} is not a named port mapping of task definition {td} (named ports: {listed})"),
                );
            }
        }
    }
}

async fn read_fresh(
    ctx: &Ctx<AwsClients>,
    reference: &Value,
    service: &str,
    cluster: Option<&str>,
) -> Result<Value, Diagnostic> {
    let set = ctx.client.regional(reference);
    let svc = wait::describe_raw(set.ecs(), cluster, service)
        .await
        .map_err(|e| errors::aws_diag(&format!("reading {KIND}"), service, &e))?;
    let Some(svc) = svc else {
        return Err(Diagnostic::error(
            format!("reading {KIND} ({service})"),
            "the service was not found right after it was written",
        ));
    };
    Ok(state_from(&svc, reference, &ctx.client, set.region()))
}

/// Waits for a deleted service to become INACTIVE. Only a drain that outlasts the first look
/// reads the target groups, whose deregistration delays bound the whole wait (see
/// `service_lb::drain_budget`); the wait then runs for what is left of that budget.
async fn drain_wait(
    ctx: &Ctx<AwsClients>,
    ecs: &aws_sdk_ecs::Client,
    cluster: Option<&str>,
    service: &str,
    prior: &Value,
) -> Result<(), Diagnostics> {
    let user_timeout = prior
        .get("timeouts")
        .str("delete")
        .and_then(validators::parse_duration);
    let started = std::time::Instant::now();
    let look = wait::first_look(user_timeout);
    let e = match wait::inactive(&ctx.stop, ecs, cluster, service, look).await {
        Ok(()) => return Ok(()),
        Err(e) => e,
    };
    let whole_budget_spent = user_timeout.is_some_and(|t| t <= look);
    if !matches!(e, retry::RetryError::TimedOut { .. }) || whole_budget_spent {
        return Err(drain_diag(e, service, &[]));
    }
    let delays = service_lb::deregistration_delays(ctx, prior).await;
    let budget = service_lb::drain_budget(&delays, user_timeout, DEFAULT_TIMEOUT);
    let rest = budget
        .saturating_sub(started.elapsed())
        .max(Duration::from_secs(1));
    match wait::inactive(&ctx.stop, ecs, cluster, service, rest).await {
        Ok(()) => Ok(()),
        Err(e) => Err(drain_diag(e, service, &delays)),
    }
}

fn drain_diag(e: wait::WaitError, service: &str, delays: &[u64]) -> Diagnostics {
    let timed_out = matches!(e, retry::RetryError::TimedOut { .. });
    let mut d = wait_diag(e, &format!("deleting {KIND}"), service);
    if let (true, Some(max)) = (timed_out, delays.iter().max()) {
        d.detail.push_str(&format!(
            "\n\nThe service's target groups deregister a task within {max}s, yet ECS has not stopped its tasks: see the service's events (aws ecs describe-services). ECS has accepted the delete; running destroy again resumes the wait."
        ));
    }
    d.into()
}

#[async_trait]
impl Resource<AwsClients> for EcsService {
    fn type_name(&self) -> &'static str {
        TYPE
    }

    fn schema(&self) -> Schema {
        schema()
    }

    /// hashicorp/aws stores `aws_ecs_service` at schema version 1, with a computed
    /// `deployment_configuration` (which we omit) that reads as a rolling deployment by default.
    /// What hashicorp/aws stores for an unset value, where our read keeps null: ECS's `NONE`
    /// for "no tag propagation" (its diff suppression hides it) and the SDK's `0` for an unset
    /// grace period. Kept, they would plan a change for a configuration that leaves them out.
    fn adapt_twin_state(&self, _: i64, state: &mut serde_json::Value, _: &mut Diagnostics) {
        if state.get("propagate_tags").is_some_and(|p| p == "NONE") {
            state["propagate_tags"] = serde_json::Value::Null;
        }
        if state
            .get("health_check_grace_period_seconds")
            .is_some_and(|g| g == 0)
        {
            state["health_check_grace_period_seconds"] = serde_json::Value::Null;
        }
    }

    fn twin_state(&self) -> crate::framework::TwinState {
        crate::framework::TwinState {
            schema_version: 1,
            defaults: vec![
                ("deployment_configuration.strategy", "ROLLING".into()),
                ("deployment_configuration.bake_time_in_minutes", "0".into()),
            ],
        }
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        let lt = config.get("launch_type");
        let cps = config.get("capacity_provider_strategy");
        if lt.as_str().is_some() && cps.is_known() && !cps.elements().is_empty() {
            diags.invalid(AttrPath::attr("launch_type"), "conflicts with capacity_provider_strategy: a service runs either on a launch type or on capacity providers; remove one of them");
        }
    }

    async fn modify_plan(
        &self,
        ctx: &Ctx<AwsClients>,
        req: &PlanRequest<'_>,
        plan: &mut Plan,
        diags: &mut Diagnostics,
    ) {
        plan_region(&ctx.client, req.config, plan);
        tags::plan_tags_all(ctx.client.default_tags(), req.config, plan);
        if req.is_create() || !checked_inputs_unchanged(req.prior, &plan.state) {
            check_task_definition(ctx, req.config, diags).await;
        }
        if req.is_create() {
            return;
        }
        let (prior, state) = (req.prior, &mut plan.state);
        let cps_changed = !prior
            .get("capacity_provider_strategy")
            .equivalent(state.get("capacity_provider_strategy"));
        let planned_cps_empty = state
            .get("capacity_provider_strategy")
            .elements()
            .is_empty();
        let prior_cps_empty = prior
            .get("capacity_provider_strategy")
            .elements()
            .is_empty();
        match (prior.str("launch_type"), req.config.get("launch_type")) {
            // Between two launch types ECS cannot move a service: replace it.
            (Some(old), Value::String(new))
                if old != new && prior_cps_empty && planned_cps_empty =>
            {
                plan.requires_replace.push(AttrPath::attr("launch_type"));
            }
            // Moving onto capacity providers: ECS decides what launchType it reports.
            (_, Value::Null) if cps_changed && !planned_cps_empty => {
                state.set("launch_type", Value::Unknown)
            }
            _ => {}
        }
        // Triggers redeploy only with force_new_deployment; otherwise their change is dropped.
        if state.bool("force_new_deployment") != Some(true) && !prior.get("triggers").is_null() {
            state.set("triggers", prior.get("triggers").clone());
        }
    }

    async fn create(&self, ctx: &Ctx<AwsClients>, planned: &Value) -> ApplyResult {
        let name = planned.str("name").unwrap_or_default().to_string();
        let cluster = planned.str("cluster").map(str::to_string);
        let set = ctx.client.regional(planned);
        let ecs = set.ecs();
        let members = create_members(planned);
        let budget = timeout(planned, "create", DEFAULT_TIMEOUT);
        let capture = CaptureBody::new();
        let started = SystemTime::now();
        // One idempotency token per create, the same for every attempt: when a reply is lost
        // and the SDK retries, ECS answers with the service the first attempt created.
        let token = names::unique_id("terraform-");
        retry::retry_when(
            &ctx.stop,
            "creating the service",
            PROPAGATION_TIMEOUT + Duration::from_secs(120),
            is_propagation,
            || {
                ecs.create_service()
                    .service_name(&name)
                    .set_cluster(cluster.clone())
                    .client_token(&token)
                    .customize()
                    .mutate_request(ecs_json::replace_members(members.clone()))
                    .interceptor(capture.clone())
                    .send()
            },
        )
        .await
        .map_err(|e| e.diag(&format!("creating {KIND}"), &name))?;
        let created = capture
            .json()
            .and_then(|r| r.get("service").cloned())
            .unwrap_or(J::Null);
        let arn = created
            .get("serviceArn")
            .and_then(J::as_str)
            .unwrap_or_default()
            .to_string();
        let cluster = cluster.or_else(|| {
            created
                .get("clusterArn")
                .and_then(J::as_str)
                .map(str::to_string)
        });
        // From here on the service exists: every failure returns it as (tainted) state.
        let partial = if created.is_object() {
            state_from(&created, planned, &ctx.client, set.region())
        } else {
            let mut p = planned.clone();
            p.set("arn", Value::from(arn.as_str()));
            p.set("id", Value::from(arn.as_str()));
            p
        };
        let svc_ref = if arn.is_empty() {
            name.clone()
        } else {
            arn.clone()
        };
        let waited = if planned.bool("wait_for_steady_state") == Some(true) {
            wait::stable(
                &ctx.stop,
                ecs,
                cluster.as_deref(),
                &svc_ref,
                started,
                budget,
            )
            .await
            .map(|()| None)
        } else {
            wait::active(&ctx.stop, ecs, cluster.as_deref(), &svc_ref, budget)
                .await
                .map(Some)
        };
        match waited {
            Err(e) => Err(ApplyError::with_state(
                wait_diag(e, &format!("creating {KIND}"), &name),
                partial,
            )),
            // The ACTIVE answer is a full describe: the state comes from it.
            Ok(Some(svc)) => Ok(state_from(&svc, planned, &ctx.client, set.region())),
            Ok(None) => read_fresh(ctx, planned, &svc_ref, cluster.as_deref())
                .await
                .map_err(|d| ApplyError::with_state(d, partial)),
        }
    }

    async fn read(
        &self,
        ctx: &Ctx<AwsClients>,
        state: &Value,
    ) -> Result<Option<Value>, Diagnostics> {
        let Some(service) = service_ref(state) else {
            return Err(Diagnostic::error(
                format!("Invalid {KIND} state"),
                "the state has no service ARN or name",
            )
            .into());
        };
        let set = ctx.client.regional(state);
        let cluster = cluster_of(state);
        let svc = match wait::describe_raw(set.ecs(), cluster.as_deref(), &service).await {
            Ok(s) => s,
            Err(e) if errors::is_not_found(&e) => None,
            Err(e) => return Err(errors::aws_diag(&format!("reading {KIND}"), &service, &e).into()),
        };
        match svc {
            Some(svc) if svc.get("status").and_then(J::as_str) != Some("INACTIVE") => {
                Ok(Some(state_from(&svc, state, &ctx.client, set.region())))
            }
            _ => {
                log_warn!(
                    "ECS Service not found or INACTIVE, removing from state",
                    "service" = service
                );
                Ok(None)
            }
        }
    }

    async fn update(&self, ctx: &Ctx<AwsClients>, prior: &Value, planned: &Value) -> ApplyResult {
        let arn = service_ref(prior).unwrap_or_default();
        let cluster = cluster_of(prior);
        let set = ctx.client.regional(prior);
        let ecs = set.ecs();
        let members = update_members(prior, planned);
        if !members.is_empty() {
            let started = SystemTime::now();
            let budget = timeout(planned, "update", DEFAULT_TIMEOUT);
            retry::retry_when(
                &ctx.stop,
                "updating the service",
                PROPAGATION_TIMEOUT + Duration::from_secs(120),
                is_propagation,
                || {
                    ecs.update_service()
                        .service(&arn)
                        .set_cluster(cluster.clone())
                        .customize()
                        .mutate_request(ecs_json::replace_members(members.clone()))
                        .send()
                },
            )
            .await
            .map_err(|e| e.diag(&format!("updating {KIND}"), &arn))?;
            let waited = if planned.bool("wait_for_steady_state") == Some(true) {
                wait::stable(&ctx.stop, ecs, cluster.as_deref(), &arn, started, budget).await
            } else {
                wait::active(&ctx.stop, ecs, cluster.as_deref(), &arn, budget)
                    .await
                    .map(|_| ())
            };
            if let Err(e) = waited {
                // The update happened: report the service as it is now, then the failure.
                let now = read_fresh(ctx, planned, &arn, cluster.as_deref())
                    .await
                    .unwrap_or_else(|_| planned.clone());
                return Err(ApplyError::with_state(
                    wait_diag(e, &format!("updating {KIND}"), &arn),
                    now,
                ));
            }
        }
        if !prior.get("tags_all").equivalent(planned.get("tags_all")) {
            let diff = tags::diff(
                &prior.string_pairs("tags_all"),
                &tags::from_planned(planned),
            );
            if !diff.remove.is_empty() {
                ecs.untag_resource()
                    .resource_arn(&arn)
                    .set_tag_keys(Some(diff.remove.clone()))
                    .send()
                    .await
                    .map_err(|e| {
                        errors::aws_diag_at(
                            &format!("untagging {KIND}"),
                            &arn,
                            &e,
                            AttrPath::attr("tags"),
                        )
                    })?;
            }
            if !diff.upsert.is_empty() {
                ecs.tag_resource()
                    .resource_arn(&arn)
                    .set_tags(Some(ecs_json::to_ecs_tags(&diff.upsert)))
                    .send()
                    .await
                    .map_err(|e| {
                        errors::aws_diag_at(
                            &format!("tagging {KIND}"),
                            &arn,
                            &e,
                            AttrPath::attr("tags"),
                        )
                    })?;
            }
        }
        Ok(read_fresh(ctx, planned, &arn, cluster.as_deref()).await?)
    }

    async fn delete(&self, ctx: &Ctx<AwsClients>, prior: &Value) -> Result<(), Diagnostics> {
        let Some(service) = service_ref(prior) else {
            return Ok(());
        };
        let cluster = cluster_of(prior);
        let set = ctx.client.regional(prior);
        let ecs = set.ecs();
        let force = prior.bool("force_delete").unwrap_or(false);
        let budget = timeout(prior, "delete", DEFAULT_TIMEOUT);
        // Optimistic: no describe first. The state says whether the service is a DAEMON; a
        // service an earlier destroy already deleted (DRAINING, or INACTIVE) answers
        // ServiceNotActiveException to both calls below, and the drain wait then resumes.
        let daemon = prior.str("scheduling_strategy") == Some("DAEMON");
        if !force && !daemon {
            match ecs
                .update_service()
                .service(&service)
                .set_cluster(cluster.clone())
                .desired_count(0)
                .send()
                .await
            {
                Ok(_) => {}
                Err(e) if errors::is_not_found(&e) => return Ok(()),
                // Already deleted (INACTIVE) or being deleted (DRAINING): nothing to scale.
                Err(e) if errors::has_code(&e, "ServiceNotActiveException") => {}
                Err(e) => {
                    return Err(errors::aws_diag(
                        &format!("scaling {KIND} to 0 before deleting it"),
                        &service,
                        &e,
                    )
                    .into())
                }
            }
        }
        let retryable = |e: &aws_sdk_ecs::error::SdkError<
            aws_sdk_ecs::operation::delete_service::DeleteServiceError,
        >| {
            errors::code_and_message_contains(
                e,
                "InvalidParameterException",
                "cannot be stopped while deployments are active",
            ) || errors::code_and_message_contains(
                e,
                "DependencyViolation",
                "has a dependent object",
            ) || errors::has_code(e, "DependencyViolation")
        };
        let deleted =
            retry::retry_when(&ctx.stop, "deleting the service", budget, retryable, || {
                ecs.delete_service()
                    .service(&service)
                    .set_cluster(cluster.clone())
                    .force(force)
                    .send()
            })
            .await;
        match deleted {
            // No task left to stop: ECS answers with the service INACTIVE already.
            Ok(out) if out.service().and_then(|s| s.status()) == Some("INACTIVE") => return Ok(()),
            Ok(_) => {}
            Err(e) if e.error().is_some_and(errors::is_not_found) => return Ok(()),
            // Deleted already (INACTIVE): the wait below sees it at once.
            Err(e)
                if e.error()
                    .is_some_and(|e| errors::has_code(e, "ServiceNotActiveException")) => {}
            Err(e) => return Err(e.diag(&format!("deleting {KIND}"), &service).into()),
        }
        drain_wait(ctx, ecs, cluster.as_deref(), &service, prior).await
    }

    async fn import(&self, ctx: &Ctx<AwsClients>, id: &str) -> Result<Value, Diagnostics> {
        let (id, region) = crate::aws::split_import_region(id.trim());
        let Some((cluster, name)) = id
            .split_once('/')
            .filter(|(c, n)| !c.is_empty() && !n.is_empty() && !n.contains('/'))
        else {
            return Err(Diagnostic::error(
                "Invalid import ID",
                format!("expected cluster-name/service-name, got {id:?}"),
            )
            .into());
        };
        Ok(Value::object([
            ("name", Value::from(name)),
            ("cluster", Value::from(cluster)),
            ("region", Value::from(region.unwrap_or(ctx.client.region()))),
        ]))
    }
}

pub fn resource() -> Arc<dyn Resource<AwsClients>> {
    Arc::new(EcsService)
}
