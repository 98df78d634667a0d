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
//! - When a DescribeServices answer omits an optional structure (deployment configuration,
//!   placement, execute command, grace period, Service Connect, ...), the prior value is kept:
//!   absence is not a change.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use serde_json::{Map, Value as J};

use super::service_schema::{self as m, known, schema};
use super::service_wait::{self as wait, wait_diag};
use crate::aws::container_definitions as cdefs;
use crate::aws::ecs_json::{self, CaptureBody};
use crate::aws::retry::{self, PROPAGATION_TIMEOUT};
use crate::aws::{errors, plan_region, tags, AwsClients};
use crate::framework::resource::timeout;
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
fn cluster_of(v: &Value) -> Option<String> {
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

fn keep_or<T>(present: Option<T>, make: impl FnOnce(T) -> Value, reference: &Value) -> Value {
    match present {
        Some(x) => make(x),
        None => known(reference),
    }
}

/// The state for a DescribeServices `services[]` entry; `reference` is the prior state or plan.
fn state_from(svc: &J, reference: &Value, clients: &AwsClients, region: &str) -> Value {
    let r = |k: &str| reference.get(k);
    let arn = svc
        .get("serviceArn")
        .and_then(J::as_str)
        .unwrap_or_default();
    let arr = |k: &str| svc.get(k).and_then(J::as_array).filter(|a| !a.is_empty());
    let dc = svc.get("deploymentConfiguration").filter(|d| d.is_object());
    let block_ref = |k: &str| known(r(k));
    let breaker = match dc.and_then(|d| d.get("deploymentCircuitBreaker")) {
        Some(b) => {
            let (en, rb) = (
                b.get("enable").and_then(J::as_bool).unwrap_or(false),
                b.get("rollback").and_then(J::as_bool).unwrap_or(false),
            );
            // ECS reports a disabled breaker for every service; absent in config means that.
            if en || rb || !r("deployment_circuit_breaker").elements().is_empty() {
                Value::List(vec![Value::object([
                    ("enable", Value::Bool(en)),
                    ("rollback", Value::Bool(rb)),
                ])])
            } else {
                Value::List(vec![])
            }
        }
        None => block_ref("deployment_circuit_breaker"),
    };
    let alarms = match dc.and_then(|d| d.get("alarms")) {
        Some(a) => {
            let names: Vec<&str> = a
                .get("alarmNames")
                .and_then(J::as_array)
                .into_iter()
                .flatten()
                .filter_map(J::as_str)
                .collect();
            let (en, rb) = (
                a.get("enable").and_then(J::as_bool).unwrap_or(false),
                a.get("rollback").and_then(J::as_bool).unwrap_or(false),
            );
            if !names.is_empty() || en || rb || !r("alarms").elements().is_empty() {
                Value::List(vec![Value::object([
                    ("alarm_names", Value::string_set(names)),
                    ("enable", Value::Bool(en)),
                    ("rollback", Value::Bool(rb)),
                ])])
            } else {
                Value::List(vec![])
            }
        }
        None => block_ref("alarms"),
    };
    let controller = match svc
        .get("deploymentController")
        .and_then(|c| c.get("type"))
        .and_then(J::as_str)
    {
        Some(t) if t != "ECS" || !r("deployment_controller").elements().is_empty() => {
            Value::List(vec![Value::object([("type", Value::from(t))])])
        }
        Some(_) => Value::List(vec![]),
        None => block_ref("deployment_controller"),
    };
    let scheduling = svc
        .get("schedulingStrategy")
        .and_then(J::as_str)
        .unwrap_or("REPLICA");
    let desired = match svc.get("desiredCount").and_then(J::as_i64) {
        _ if scheduling == "DAEMON" => known(r("desired_count")),
        Some(0) if r("desired_count").is_null() || r("desired_count").is_unknown() => Value::Null,
        n => Value::opt_int(n),
    };
    let propagate = match svc.get("propagateTags").and_then(J::as_str) {
        Some("NONE") if !matches!(r("propagate_tags").as_str(), Some("NONE")) => Value::Null,
        p => Value::opt_string(p),
    };
    // Service Connect is reported on the deployments (the PRIMARY one is current).
    let primary = svc.get("deployments").and_then(J::as_array).and_then(|d| {
        d.iter()
            .find(|x| x.get("status").and_then(J::as_str) == Some("PRIMARY"))
    });
    let service_connect = match primary
        .and_then(|p| p.get("serviceConnectConfiguration"))
        .filter(|c| c.is_object())
    {
        Some(sc) => m::service_connect_from(sc, reference),
        None => block_ref("service_connect_configuration"),
    };
    let all_tags = ecs_json::tags_from_json(svc.get("tags"));
    let (tags_v, tags_all) = tags::split_read(&all_tags, clients.default_tags(), r("tags"));
    let nc = svc
        .get("networkConfiguration")
        .filter(|n| n.get("awsvpcConfiguration").is_some());
    let cps = match arr("capacityProviderStrategy") {
        Some(a) => m::capacity_provider_strategy_from(a),
        None => block_ref("capacity_provider_strategy"),
    };
    Value::object([
        ("arn", Value::from(arn)),
        (
            "availability_zone_rebalancing",
            keep_or(
                svc.get("availabilityZoneRebalancing").and_then(J::as_str),
                Value::from,
                r("availability_zone_rebalancing"),
            ),
        ),
        (
            "cluster",
            Value::opt_string(svc.get("clusterArn").and_then(J::as_str)),
        ),
        (
            "deployment_maximum_percent",
            keep_or(
                dc.and_then(|d| d.get("maximumPercent")).and_then(J::as_i64),
                Value::int,
                r("deployment_maximum_percent"),
            ),
        ),
        (
            "deployment_minimum_healthy_percent",
            keep_or(
                dc.and_then(|d| d.get("minimumHealthyPercent"))
                    .and_then(J::as_i64),
                Value::int,
                r("deployment_minimum_healthy_percent"),
            ),
        ),
        ("desired_count", desired),
        (
            "enable_ecs_managed_tags",
            keep_or(
                svc.get("enableECSManagedTags").and_then(J::as_bool),
                Value::Bool,
                r("enable_ecs_managed_tags"),
            ),
        ),
        (
            "enable_execute_command",
            keep_or(
                svc.get("enableExecuteCommand").and_then(J::as_bool),
                Value::Bool,
                r("enable_execute_command"),
            ),
        ),
        ("force_delete", r("force_delete").clone()),
        ("force_new_deployment", r("force_new_deployment").clone()),
        (
            "health_check_grace_period_seconds",
            keep_or(
                svc.get("healthCheckGracePeriodSeconds").and_then(J::as_i64),
                Value::int,
                r("health_check_grace_period_seconds"),
            ),
        ),
        (
            "iam_role",
            keep_or(
                svc.get("roleArn").and_then(J::as_str),
                Value::from,
                r("iam_role"),
            ),
        ),
        ("id", Value::from(arn)),
        (
            "launch_type",
            keep_or(
                svc.get("launchType").and_then(J::as_str),
                Value::from,
                r("launch_type"),
            ),
        ),
        (
            "name",
            Value::opt_string(svc.get("serviceName").and_then(J::as_str)),
        ),
        (
            "platform_version",
            keep_or(
                svc.get("platformVersion").and_then(J::as_str),
                Value::from,
                r("platform_version"),
            ),
        ),
        ("propagate_tags", propagate),
        ("region", Value::from(region)),
        ("scheduling_strategy", Value::from(scheduling)),
        ("tags", tags_v),
        ("tags_all", tags_all),
        (
            "task_definition",
            Value::opt_string(svc.get("taskDefinition").and_then(J::as_str)),
        ),
        ("triggers", known(r("triggers"))),
        ("wait_for_steady_state", r("wait_for_steady_state").clone()),
        ("alarms", alarms),
        ("capacity_provider_strategy", cps),
        ("deployment_circuit_breaker", breaker),
        ("deployment_controller", controller),
        (
            "load_balancer",
            match arr("loadBalancers") {
                Some(a) => m::load_balancers_from(a),
                None => Value::Set(vec![]),
            },
        ),
        ("network_configuration", m::network_configuration_from(nc)),
        (
            "ordered_placement_strategy",
            match svc.get("placementStrategy").and_then(J::as_array) {
                Some(a) => m::placement_strategy_from(a),
                None => block_ref("ordered_placement_strategy"),
            },
        ),
        (
            "placement_constraints",
            match svc.get("placementConstraints").and_then(J::as_array) {
                Some(a) => m::placement_constraints_from(a),
                None => block_ref("placement_constraints"),
            },
        ),
        ("service_connect_configuration", service_connect),
        (
            "service_registries",
            match arr("serviceRegistries") {
                Some(a) => m::service_registries_from(a),
                None => Value::List(vec![]),
            },
        ),
        ("timeouts", r("timeouts").clone()),
    ])
}

/// CreateService members (besides serviceName and cluster, which the SDK sets).
fn create_members(p: &Value) -> Map<String, J> {
    let mut out = Map::new();
    let mut put = |k: &str, v: Option<J>| {
        if let Some(v) = v {
            out.insert(k.to_string(), v);
        }
    };
    let js = |k: &str| p.str(k).map(J::from);
    let nonempty = |j: J| j.as_array().is_some_and(|a| !a.is_empty()).then_some(j);
    put("taskDefinition", js("task_definition"));
    if p.str("scheduling_strategy") != Some("DAEMON") {
        put(
            "desiredCount",
            Some(J::from(p.i64("desired_count").unwrap_or(0))),
        );
    }
    put("launchType", js("launch_type"));
    put(
        "capacityProviderStrategy",
        nonempty(m::capacity_provider_strategy_json(p)),
    );
    put("schedulingStrategy", js("scheduling_strategy"));
    put(
        "deploymentConfiguration",
        Some(m::deployment_configuration_json(p)),
    );
    put(
        "deploymentController",
        p.block("deployment_controller")
            .and_then(|c| c.str("type"))
            .map(|t| serde_json::json!({ "type": t })),
    );
    put("networkConfiguration", m::network_configuration_json(p));
    put("loadBalancers", nonempty(m::load_balancers_json(p)));
    put("serviceRegistries", nonempty(m::service_registries_json(p)));
    put("placementStrategy", nonempty(m::placement_strategy_json(p)));
    put(
        "placementConstraints",
        nonempty(m::placement_constraints_json(p)),
    );
    put(
        "healthCheckGracePeriodSeconds",
        p.i64("health_check_grace_period_seconds").map(J::from),
    );
    put(
        "enableExecuteCommand",
        p.bool("enable_execute_command").map(J::Bool),
    );
    put(
        "enableECSManagedTags",
        p.bool("enable_ecs_managed_tags").map(J::Bool),
    );
    put("propagateTags", js("propagate_tags"));
    put("platformVersion", js("platform_version"));
    put("role", js("iam_role"));
    put(
        "availabilityZoneRebalancing",
        js("availability_zone_rebalancing"),
    );
    put("serviceConnectConfiguration", m::service_connect_json(p));
    let all = tags::from_planned(p);
    if !all.is_empty() {
        put(
            "tags",
            Some(J::Array(
                all.iter()
                    .map(|(k, v)| serde_json::json!({"key": k, "value": v}))
                    .collect(),
            )),
        );
    }
    out
}

/// UpdateService members for what changed between `prior` and `planned` (empty: nothing to send).
pub fn update_members(prior: &Value, planned: &Value) -> Map<String, J> {
    let block = schema().block;
    let changed = |k: &str| match block.attribute(k) {
        Some(a) => {
            !a.values_equivalent(prior.get(k), planned.get(k))
                && !(prior.get(k).is_null() && planned.get(k).is_null())
        }
        None => !prior.get(k).equivalent(planned.get(k)),
    };
    let mut out = Map::new();
    let daemon = planned.str("scheduling_strategy") == Some("DAEMON");
    if changed("desired_count") && !daemon {
        out.insert(
            "desiredCount".into(),
            J::from(planned.i64("desired_count").unwrap_or(0)),
        );
    }
    if changed("task_definition") {
        if let Some(t) = planned.str("task_definition") {
            out.insert("taskDefinition".into(), J::from(t));
        }
    }
    if changed("capacity_provider_strategy") {
        // An empty list moves the service back to its launch type; ECS does not redeploy for a
        // strategy change alone, so the new capacity is used by a forced deployment.
        out.insert(
            "capacityProviderStrategy".into(),
            m::capacity_provider_strategy_json(planned),
        );
        out.insert("forceNewDeployment".into(), J::Bool(true));
    }
    if [
        "deployment_maximum_percent",
        "deployment_minimum_healthy_percent",
        "deployment_circuit_breaker",
        "alarms",
    ]
    .iter()
    .any(|k| changed(k))
    {
        out.insert(
            "deploymentConfiguration".into(),
            m::deployment_configuration_json(planned),
        );
    }
    if changed("deployment_controller") {
        let t = planned
            .block("deployment_controller")
            .and_then(|c| c.str("type"))
            .unwrap_or("ECS");
        out.insert(
            "deploymentController".into(),
            serde_json::json!({ "type": t }),
        );
    }
    if changed("network_configuration") {
        if let Some(n) = m::network_configuration_json(planned) {
            out.insert("networkConfiguration".into(), n);
        }
    }
    let lists: [(&str, &str, fn(&Value) -> J); 4] = [
        ("load_balancer", "loadBalancers", m::load_balancers_json),
        (
            "service_registries",
            "serviceRegistries",
            m::service_registries_json,
        ),
        (
            "ordered_placement_strategy",
            "placementStrategy",
            m::placement_strategy_json,
        ),
        (
            "placement_constraints",
            "placementConstraints",
            m::placement_constraints_json,
        ),
    ];
    for (attr, member, f) in lists {
        if changed(attr) {
            out.insert(member.into(), f(planned));
        }
    }
    if changed("health_check_grace_period_seconds") {
        out.insert(
            "healthCheckGracePeriodSeconds".into(),
            J::from(
                planned
                    .i64("health_check_grace_period_seconds")
                    .unwrap_or(0),
            ),
        );
    }
    for (attr, member) in [
        ("enable_execute_command", "enableExecuteCommand"),
        ("enable_ecs_managed_tags", "enableECSManagedTags"),
    ] {
        if changed(attr) {
            out.insert(member.into(), J::Bool(planned.bool(attr).unwrap_or(false)));
        }
    }
    for (attr, member) in [
        ("propagate_tags", "propagateTags"),
        ("platform_version", "platformVersion"),
        (
            "availability_zone_rebalancing",
            "availabilityZoneRebalancing",
        ),
    ] {
        if changed(attr) {
            let v = planned
                .str(attr)
                .unwrap_or(if attr == "propagate_tags" { "NONE" } else { "" });
            if !v.is_empty() {
                out.insert(member.into(), J::from(v));
            }
        }
    }
    if changed("service_connect_configuration") {
        let sc =
            m::service_connect_json(planned).unwrap_or(serde_json::json!({ "enabled": false }));
        out.insert("serviceConnectConfiguration".into(), sc);
    }
    let force = planned.bool("force_new_deployment") == Some(true);
    if force && (!out.is_empty() || changed("triggers")) {
        out.insert("forceNewDeployment".into(), J::Bool(true));
    }
    out
}

/// Plan-time checks against the task definition the service will run (a read, never a write):
/// awsvpc needs network_configuration and other modes refuse it; Service Connect port names must
/// exist in the containers' port mappings.
async fn check_task_definition(ctx: &Ctx<AwsClients>, config: &Value, diags: &mut Diagnostics) {
    let Some(td) = config.get("task_definition").as_str() else {
        return;
    };
    let nc = config.get("network_configuration");
    let sc = config.get("service_connect_configuration");
    if !nc.is_known() || !sc.is_known() {
        return;
    }
    let set = ctx.client.regional(config);
    let capture = CaptureBody::new();
    let res = set
        .ecs()
        .describe_task_definition()
        .task_definition(td)
        .customize()
        .interceptor(capture.clone())
        .send()
        .await;
    let Some(raw) = res.ok().and(capture.json()) else {
        return; // not resolvable now (e.g. not registered yet): ECS will judge at apply
    };
    let mode = raw
        .get("taskDefinition")
        .and_then(|t| t.get("networkMode"))
        .and_then(J::as_str)
        .unwrap_or("bridge");
    let has_nc = !nc.elements().is_empty();
    if mode == "awsvpc" && !has_nc {
        diags.invalid(AttrPath::attr("network_configuration"), format!("task definition {td} uses network_mode \"awsvpc\": set a network_configuration block with subnets (and security_groups)"));
    } else if mode != "awsvpc" && has_nc {
        diags.invalid(AttrPath::attr("network_configuration"), format!("task definition {td} uses network_mode {mode:?}; network_configuration is only valid with \"awsvpc\""));
    }
    let defs = ecs_json::raw_container_definitions(&raw)
        .unwrap_or(J::Null)
        .to_string();
    let names = cdefs::port_names(&defs);
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

#[async_trait]
impl Resource<AwsClients> for EcsService {
    fn type_name(&self) -> &'static str {
        TYPE
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        let lt = config.get("launch_type");
        let cps = config.get("capacity_provider_strategy");
        if !lt.is_null() && cps.is_known() && !cps.elements().is_empty() {
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
        check_task_definition(ctx, req.config, diags).await;
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
        if state.str("scheduling_strategy") == Some("DAEMON") {
            state.set("desired_count", prior.get("desired_count").clone());
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
        retry::retry_when(
            &ctx.stop,
            "creating the service",
            PROPAGATION_TIMEOUT + Duration::from_secs(120),
            is_propagation,
            || {
                ecs.create_service()
                    .service_name(&name)
                    .set_cluster(cluster.clone())
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
        } else {
            wait::active(&ctx.stop, ecs, cluster.as_deref(), &svc_ref, budget).await
        };
        if let Err(e) = waited {
            return Err(ApplyError::with_state(
                wait_diag(e, &format!("creating {KIND}"), &name),
                partial,
            ));
        }
        read_fresh(ctx, planned, &svc_ref, cluster.as_deref())
            .await
            .map_err(|d| ApplyError::with_state(d, partial))
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
                wait::active(&ctx.stop, ecs, cluster.as_deref(), &arn, budget).await
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
        let current = match wait::describe_raw(ecs, cluster.as_deref(), &service).await {
            Ok(Some(s)) => s,
            Ok(None) => return Ok(()),
            Err(e) if errors::is_not_found(&e) => return Ok(()),
            Err(e) => {
                return Err(errors::aws_diag(&format!("deleting {KIND}"), &service, &e).into())
            }
        };
        let status = current.get("status").and_then(J::as_str).unwrap_or("");
        if status == "INACTIVE" {
            return Ok(());
        }
        let daemon = current.get("schedulingStrategy").and_then(J::as_str) == Some("DAEMON");
        if !force && status != "DRAINING" && !daemon {
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
            Ok(_) => {}
            Err(e) if e.error().is_some_and(errors::is_not_found) => return Ok(()),
            Err(e) => return Err(e.diag(&format!("deleting {KIND}"), &service).into()),
        }
        wait::inactive(&ctx.stop, ecs, cluster.as_deref(), &service, budget)
            .await
            .map_err(|e| wait_diag(e, &format!("deleting {KIND}"), &service).into())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(pairs: Vec<(&str, Value)>) -> Value {
        let b = schema().block;
        let mut v = b.conform(Value::object(pairs));
        b.fill_defaults(&mut v);
        v
    }

    #[test]
    fn updates_send_only_what_changed_and_redeploy_on_strategy_changes() {
        let cp = |n: &str| {
            Value::Set(vec![Value::object([
                ("capacity_provider", Value::from(n)),
                ("weight", Value::int(1)),
                ("base", Value::Null),
            ])])
        };
        let prior = obj(vec![
            ("name", "s".into()),
            (
                "task_definition",
                "arn:aws:ecs:us-east-1:1:task-definition/web:3".into(),
            ),
            ("desired_count", Value::int(1)),
            ("capacity_provider_strategy", cp("a")),
        ]);
        let same = obj(vec![
            ("name", "s".into()),
            ("task_definition", "web:3".into()),
            ("desired_count", Value::int(1)),
            ("capacity_provider_strategy", cp("a")),
        ]);
        assert!(
            update_members(&prior, &same).is_empty(),
            "{:?}",
            update_members(&prior, &same)
        );
        let mut moved = same.clone();
        moved.set("capacity_provider_strategy", cp("b"));
        let u = update_members(&prior, &moved);
        assert_eq!(u["forceNewDeployment"], J::Bool(true));
        assert_eq!(u["capacityProviderStrategy"][0]["capacityProvider"], "b");
        let mut back = same.clone();
        back.set("capacity_provider_strategy", Value::Set(vec![]));
        back.set("launch_type", "EC2".into());
        assert_eq!(
            update_members(&prior, &back)["capacityProviderStrategy"],
            serde_json::json!([])
        );
        let mut image = same.clone();
        image.set(
            "task_definition",
            "arn:aws:ecs:us-east-1:1:task-definition/web:4".into(),
        );
        let u = update_members(&prior, &image);
        assert_eq!(u.keys().collect::<Vec<_>>(), vec!["taskDefinition"]);
    }

    #[test]
    fn omitted_structures_keep_the_prior_value() {
        let clients = crate::resources::testing::offline_ctx().client;
        let prior = obj(vec![
            ("name", "s".into()),
            ("deployment_maximum_percent", Value::int(150)),
            ("enable_execute_command", Value::Bool(true)),
            ("health_check_grace_period_seconds", Value::int(30)),
            (
                "ordered_placement_strategy",
                Value::List(vec![Value::object([
                    ("type", "spread".into()),
                    ("field", "host".into()),
                ])]),
            ),
        ]);
        let svc = serde_json::json!({"serviceArn": "arn:aws:ecs:us-east-1:1:service/c/s", "serviceName": "s", "clusterArn": "arn:aws:ecs:us-east-1:1:cluster/c",
            "status": "ACTIVE", "desiredCount": 0, "launchType": "EC2", "schedulingStrategy": "REPLICA", "propagateTags": "NONE", "networkConfiguration": {},
            "deploymentController": {"type": "ECS"}});
        let s = state_from(&svc, &prior, &clients, "us-east-1");
        assert_eq!(s.i64("deployment_maximum_percent"), Some(150));
        assert_eq!(s.bool("enable_execute_command"), Some(true));
        assert_eq!(s.i64("health_check_grace_period_seconds"), Some(30));
        assert_eq!(
            s.get("ordered_placement_strategy"),
            prior.get("ordered_placement_strategy")
        );
        assert_eq!(
            s.get("desired_count"),
            &Value::Null,
            "0 from ECS is an unset desired_count"
        );
        assert_eq!(
            s.get("propagate_tags"),
            &Value::Null,
            "NONE is the unset default"
        );
        assert!(s.get("deployment_controller").elements().is_empty());
        assert!(s.get("network_configuration").elements().is_empty());
        assert_eq!(
            cluster_of(&Value::object([(
                "arn",
                Value::from("arn:aws:ecs:us-east-1:1:service/c/s")
            )])),
            Some("c".into())
        );
    }
}
