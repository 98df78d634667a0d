//! `awsecs_ecs_task_definition`, the twin of `aws_ecs_task_definition`. ID: the family. Import
//! ID: the full task definition ARN (`arn:aws:ecs:REGION:ACCOUNT:task-definition/FAMILY:REV`).
//!
//! Revisions are immutable, so every API-facing argument forces a new revision (a replacement)
//! and update only retags. `container_definitions` travels as the user's JSON (see
//! `aws::ecs_json`) and is compared through its canonical form (`aws::container_definitions`):
//! plan, refresh and apply keep the user's spelling whenever ECS's answer means the same, so
//! reformatting, reordering or omitting AWS defaults never plans a replacement. Only after an
//! import, when there is no user spelling, does state hold the canonical JSON.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use aws_sdk_ecs::types::{Compatibility, IpcMode, NetworkMode, PidMode, TaskDefinitionField};
use serde_json::{Map, Value as J};

use super::task_definition_schema::{blocks_from_json, blocks_to_json, schema};
use crate::aws::container_definitions::{self as cdefs, TaskContext};
use crate::aws::ecs_json::{self, CaptureBody};
use crate::aws::retry::{self, PROPAGATION_TIMEOUT};
use crate::aws::{errors, plan_region, tags, AwsClients};
use crate::framework::{
    ApplyError, ApplyResult, AttrPath, Ctx, Diagnostic, Diagnostics, Plan, PlanRequest, Resource,
    Schema, Value,
};

pub const TYPE: &str = "awsecs_ecs_task_definition";
const KIND: &str = "ECS Task Definition";

pub struct TaskDefinition;

/// Errors that mean "this revision does not exist" (ECS answers ClientException for them).
fn is_gone<E: aws_smithy_types::error::metadata::ProvideErrorMetadata>(e: &E) -> bool {
    errors::is_not_found(e)
        || errors::code_and_message_contains(
            e,
            "ClientException",
            "Unable to describe task definition",
        )
        || errors::code_and_message_contains(e, "ClientException", "does not exist")
        || errors::code_and_message_contains(e, "ClientException", "Revision is missing")
}

/// `arn:...:task-definition/FAMILY:REV` → (family, revision).
pub fn parse_arn(arn: &str) -> Option<(&str, i64)> {
    if !crate::framework::validators::is_arn(arn) {
        return None;
    }
    let rest = arn.split_once(":task-definition/")?.1;
    let (family, rev) = rest.rsplit_once(':')?;
    let rev = rev.parse().ok()?;
    (!family.is_empty()).then_some((family, rev))
}

fn arn_region(arn: &str) -> Option<&str> {
    arn.split(':').nth(3).filter(|r| !r.is_empty())
}

/// Validation of the containers against the rest of the task; only when every input is known.
pub fn check_containers(config: &Value, diags: &mut Diagnostics) {
    let doc = config.get("container_definitions");
    let compat = config.get("requires_compatibilities");
    let (cpu, memory, mode) = (
        config.get("cpu"),
        config.get("memory"),
        config.get("network_mode"),
    );
    if !doc.is_known()
        || !compat.is_wholly_known()
        || !cpu.is_known()
        || !memory.is_known()
        || !mode.is_known()
    {
        return;
    }
    let Some(doc) = doc.as_str() else { return };
    let compat = config.strings("requires_compatibilities");
    cdefs::validate(
        doc,
        &TaskContext {
            network_mode: mode.as_str(),
            requires_compatibilities: &compat,
            task_cpu: cpu.as_str(),
            task_memory: memory.as_str(),
        },
        diags,
    );
}

/// Fargate runs tasks only in awsvpc mode (ECS refuses the registration otherwise).
pub fn check_fargate_network(config: &Value, diags: &mut Diagnostics) {
    let (compat, mode) = (
        config.get("requires_compatibilities"),
        config.get("network_mode"),
    );
    if !compat.is_wholly_known() || !mode.is_known() {
        return;
    }
    let fargate = config
        .strings("requires_compatibilities")
        .iter()
        .any(|c| c == "FARGATE");
    if fargate && mode.as_str() != Some("awsvpc") {
        let got = mode
            .as_str()
            .map(|m| format!("{m:?}"))
            .unwrap_or_else(|| "unset".into());
        diags.invalid(
            AttrPath::attr("network_mode"),
            format!("FARGATE tasks need network_mode = \"awsvpc\" (got {got})"),
        );
    }
}

/// The state for a described task definition (`response` is DescribeTaskDefinition's raw JSON).
/// `reference` is the prior state or the plan: its `container_definitions` spelling is kept when
/// ECS's answer is equivalent under the task's network mode.
fn state_from(response: &J, reference: &Value, region: &str) -> Value {
    let td = response.get("taskDefinition").cloned().unwrap_or(J::Null);
    let str_of = |k: &str| Value::opt_string(td.get(k).and_then(J::as_str));
    let arn = td
        .get("taskDefinitionArn")
        .and_then(J::as_str)
        .unwrap_or_default()
        .to_string();
    let family = td.get("family").and_then(J::as_str).unwrap_or_default();
    let network_mode = td.get("networkMode").and_then(J::as_str);
    let aws_defs = ecs_json::raw_container_definitions(response).unwrap_or(J::Array(vec![]));
    let aws_text = aws_defs.to_string();
    let container_definitions = match reference.str("container_definitions") {
        Some(mine) if cdefs::equivalent(mine, &aws_text, network_mode) => Value::from(mine),
        _ => Value::opt_string(cdefs::canonical_string(&aws_text, network_mode)),
    };
    let compat: Vec<String> = td
        .get("requiresCompatibilities")
        .and_then(J::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| c.as_str().map(str::to_string))
        .collect();
    let (tags, tags_all) = (
        reference.get("tags").clone(),
        reference.get("tags_all").clone(),
    );
    let mut out = Value::object([
        ("arn", Value::from(arn.as_str())),
        (
            "arn_without_revision",
            Value::from(arn.rsplit_once(':').map(|(a, _)| a).unwrap_or(&arn)),
        ),
        ("container_definitions", container_definitions),
        ("cpu", str_of("cpu")),
        (
            "enable_fault_injection",
            Value::Bool(
                td.get("enableFaultInjection")
                    .and_then(J::as_bool)
                    .unwrap_or(false),
            ),
        ),
        ("execution_role_arn", str_of("executionRoleArn")),
        ("family", Value::from(family)),
        ("id", Value::from(family)),
        ("ipc_mode", str_of("ipcMode")),
        ("memory", str_of("memory")),
        ("network_mode", str_of("networkMode")),
        ("pid_mode", str_of("pidMode")),
        ("region", Value::from(region)),
        (
            "requires_compatibilities",
            if compat.is_empty() {
                Value::Null
            } else {
                Value::string_set(compat)
            },
        ),
        (
            "revision",
            Value::opt_int(td.get("revision").and_then(J::as_i64)),
        ),
        ("skip_destroy", reference.get("skip_destroy").clone()),
        ("tags", tags),
        ("tags_all", tags_all),
        ("task_role_arn", str_of("taskRoleArn")),
        ("track_latest", reference.get("track_latest").clone()),
    ]);
    for (k, v) in blocks_from_json(&td, reference) {
        out.set(k, v);
    }
    out
}

/// Describes a revision (ARN or family) with its tags, keeping the raw answer.
async fn describe(
    ctx: &Ctx<AwsClients>,
    obj: &Value,
    which: &str,
) -> Result<Option<J>, Diagnostic> {
    let set = ctx.client.regional(obj);
    let capture = CaptureBody::new();
    let res = set
        .ecs()
        .describe_task_definition()
        .task_definition(which)
        .include(TaskDefinitionField::Tags)
        .customize()
        .interceptor(capture.clone())
        .send()
        .await;
    match res {
        Ok(_) => Ok(capture.json()),
        Err(e) if is_gone(&e) => Ok(None),
        Err(e) => Err(errors::aws_diag(&format!("reading {KIND}"), which, &e)),
    }
}

/// Completes a state from a describe answer: tags split against default_tags.
fn with_tags(mut state: Value, response: &J, clients: &AwsClients, reference: &Value) -> Value {
    let all = ecs_json::tags_from_json(response.get("tags"));
    let (t, a) = tags::split_read(&all, clients.default_tags(), reference.get("tags"));
    state.set("tags", t);
    state.set("tags_all", a);
    state
}

/// RegisterTaskDefinition has no client token: when an attempt went unanswered and the SDK
/// retried, the lost attempt may have registered a revision of its own, left ACTIVE and unknown
/// to Terraform. Such revisions sit just below ours, were registered since this create began and
/// hold exactly our definition; deregister them (newest first, stopping at the first revision
/// that does not match, so a user's own earlier revisions are never touched).
async fn deregister_lost_revisions(
    ctx: &Ctx<AwsClients>,
    planned: &Value,
    ours: &J,
    started: SystemTime,
) -> Result<(), Diagnostic> {
    let def = |r: &J| r.get("taskDefinition").cloned().unwrap_or(J::Null);
    let ours_def = def(ours);
    let (Some(family), Some(revision)) = (
        ours_def.get("family").and_then(J::as_str),
        ours_def.get("revision").and_then(J::as_i64),
    ) else {
        return Ok(());
    };
    // Registration times come from AWS's clock: allow for skew against ours.
    let since = started
        .checked_sub(Duration::from_secs(60))
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0.0, |d| d.as_secs_f64());
    let set = ctx.client.regional(planned);
    let ecs = set.ecs();
    for lower in (1..revision).rev() {
        let which = format!("{family}:{lower}");
        let Some(candidate) = describe(ctx, planned, &which).await? else {
            break;
        };
        let cand_def = def(&candidate);
        let registered = cand_def
            .get("registeredAt")
            .and_then(J::as_f64)
            .unwrap_or(0.0);
        let same =
            same_definition(&cand_def, &ours_def) && candidate.get("tags") == ours.get("tags");
        if !is_active(&candidate) || registered < since || !same {
            break;
        }
        let Some(arn) = cand_def.get("taskDefinitionArn").and_then(J::as_str) else {
            break;
        };
        log_warn!(
            "a lost RegisterTaskDefinition reply left an extra revision; deregistering it",
            "arn" = arn
        );
        ecs.deregister_task_definition()
            .task_definition(arn)
            .send()
            .await
            .map_err(|e| errors::aws_diag(&format!("deregistering {KIND}"), arn, &e))?;
    }
    Ok(())
}

/// Two described task definitions hold the same definition: everything but the revision's own
/// identity and bookkeeping is equal.
fn same_definition(a: &J, b: &J) -> bool {
    const BOOKKEEPING: [&str; 6] = [
        "taskDefinitionArn",
        "revision",
        "registeredAt",
        "registeredBy",
        "deregisteredAt",
        "status",
    ];
    let strip = |j: &J| -> Map<String, J> {
        j.as_object()
            .map(|m| {
                m.iter()
                    .filter(|(k, _)| !BOOKKEEPING.contains(&k.as_str()))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            })
            .unwrap_or_default()
    };
    strip(a) == strip(b)
}

fn is_active(response: &J) -> bool {
    let status = response
        .get("taskDefinition")
        .and_then(|t| t.get("status"))
        .and_then(J::as_str)
        .unwrap_or("ACTIVE");
    !matches!(status, "INACTIVE" | "DELETE_IN_PROGRESS")
}

/// Reads a just-registered revision back with its tags, for an answer that lacked them; a
/// failure keeps the registered revision in state (`state`) as partial.
async fn read_back(
    ctx: &Ctx<AwsClients>,
    planned: &Value,
    arn: &str,
    state: Value,
) -> Result<J, ApplyError> {
    let described = retry::retry_when(
        &ctx.stop,
        "reading the new task definition",
        PROPAGATION_TIMEOUT,
        |e: &Option<Diagnostic>| e.is_none(),
        || async {
            match describe(ctx, planned, arn).await {
                Ok(Some(j)) => Ok(j),
                Ok(None) => Err(None),
                Err(d) => Err(Some(d)),
            }
        },
    )
    .await;
    match described {
        Ok(j) => Ok(j),
        Err(e) => {
            let detail = match e.error() {
                Some(Some(d)) => d.detail.clone(),
                _ => "the new revision was not found".to_string(),
            };
            Err(ApplyError::with_state(
                Diagnostic::error(format!("reading {KIND} ({arn})"), detail),
                state,
            ))
        }
    }
}

#[async_trait]
impl Resource<AwsClients> for TaskDefinition {
    fn type_name(&self) -> &'static str {
        TYPE
    }

    fn schema(&self) -> Schema {
        schema()
    }

    /// hashicorp/aws stores `aws_ecs_task_definition` at schema version 1.
    fn twin_state(&self) -> crate::framework::TwinState {
        crate::framework::TwinState {
            schema_version: 1,
            ..Default::default()
        }
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        check_containers(config, diags);
        check_fargate_network(config, diags);
    }

    async fn modify_plan(
        &self,
        ctx: &Ctx<AwsClients>,
        req: &PlanRequest<'_>,
        plan: &mut Plan,
        _diags: &mut Diagnostics,
    ) {
        plan_region(&ctx.client, req.config, plan);
        tags::plan_tags_all(ctx.client.default_tags(), req.config, plan);
        if req.is_create() {
            return;
        }
        // The awsvpc hostPort rule needs the network mode, which a plain attribute comparison
        // does not see: an equivalent document under the task's mode keeps the prior spelling.
        let mode = match plan.state.get("network_mode") {
            Value::String(m) => Some(m.clone()),
            _ => req.prior.str("network_mode").map(str::to_string),
        };
        if let (Some(new), Some(old)) = (
            req.config.str("container_definitions"),
            req.prior.str("container_definitions"),
        ) {
            if new != old && cdefs::equivalent(new, old, mode.as_deref()) {
                plan.state.set("container_definitions", Value::from(old));
            }
        }
    }

    async fn create(&self, ctx: &Ctx<AwsClients>, planned: &Value) -> ApplyResult {
        let family = planned.str("family").unwrap_or_default().to_string();
        let doc = planned.str("container_definitions").unwrap_or("[]");
        let defs = ecs_json::container_definitions_for_request(doc).map_err(|e| {
            Diagnostic::error(format!("creating {KIND} ({family})"), e)
                .at(AttrPath::attr("container_definitions"))
        })?;
        let mut members: Map<String, J> = blocks_to_json(planned);
        members.insert("containerDefinitions".into(), defs);
        let all_tags = tags::from_planned(planned);
        let set = ctx.client.regional(planned);
        let compat: Vec<Compatibility> = planned
            .strings("requires_compatibilities")
            .iter()
            .map(|c| Compatibility::from(c.as_str()))
            .collect();
        let ecs = set.ecs();
        let capture = CaptureBody::new();
        let unanswered = retry::UnansweredAttempts::new();
        let started = SystemTime::now();
        let send = || {
            let capture = capture.clone();
            let unanswered = unanswered.clone();
            let members = members.clone();
            ecs.register_task_definition()
                .family(&family)
                .set_cpu(planned.str("cpu").map(str::to_string))
                .set_memory(planned.str("memory").map(str::to_string))
                .set_execution_role_arn(planned.str("execution_role_arn").map(str::to_string))
                .set_task_role_arn(planned.str("task_role_arn").map(str::to_string))
                .set_network_mode(planned.str("network_mode").map(NetworkMode::from))
                .set_ipc_mode(planned.str("ipc_mode").map(IpcMode::from))
                .set_pid_mode(planned.str("pid_mode").map(PidMode::from))
                .set_enable_fault_injection(planned.bool("enable_fault_injection"))
                .set_requires_compatibilities((!compat.is_empty()).then(|| compat.clone()))
                .set_tags((!all_tags.is_empty()).then(|| ecs_json::to_ecs_tags(&all_tags)))
                .customize()
                .mutate_request(ecs_json::replace_members(members))
                .interceptor(capture)
                .interceptor(unanswered)
                .send()
        };
        // A just-created execution or task role may not be assumable yet (IAM propagation).
        retry::retry_when(
            &ctx.stop,
            "registering the task definition",
            PROPAGATION_TIMEOUT,
            |e| errors::code_and_message_contains(e, "ClientException", "Role is not valid"),
            send,
        )
        .await
        .map_err(|e| e.diag(&format!("creating {KIND}"), &family))?;
        let Some(response) = capture.json() else {
            return Err(Diagnostic::error(
                format!("creating {KIND} ({family})"),
                "ECS answered RegisterTaskDefinition without a body",
            )
            .into());
        };
        super::service_task_definition::remember(&response);
        let region = set.region().to_string();
        let state = state_from(&response, planned, &region);
        let Some(arn) = state
            .str("arn")
            .filter(|a| !a.is_empty())
            .map(str::to_string)
        else {
            return Err(Diagnostic::error(
                format!("creating {KIND} ({family})"),
                "ECS did not return the new revision's ARN",
            )
            .into());
        };
        // RegisterTaskDefinition answers with the revision and its `tags` (documented output):
        // no read-back then. Only an answer without them (and tags to show) is read back.
        let answered_whole = response.get("tags").is_some() || all_tags.is_empty();
        let response = if answered_whole {
            response
        } else {
            read_back(ctx, planned, &arn, state).await?
        };
        // A lost reply (the SDK retried an attempt that AWS had answered) leaves an extra revision.
        if unanswered.any() {
            if let Err(d) = deregister_lost_revisions(ctx, planned, &response, started).await {
                return Err(ApplyError::with_state(
                    d,
                    with_tags(
                        state_from(&response, planned, &region),
                        &response,
                        &ctx.client,
                        planned,
                    ),
                ));
            }
        }
        let state = state_from(&response, planned, &region);
        Ok(with_tags(state, &response, &ctx.client, planned))
    }

    async fn read(
        &self,
        ctx: &Ctx<AwsClients>,
        state: &Value,
    ) -> Result<Option<Value>, Diagnostics> {
        let track = state.bool("track_latest").unwrap_or(false);
        let which = match (
            track,
            state.str("arn"),
            state.str("family").or_else(|| state.str("id")),
        ) {
            (true, _, Some(f)) => f.to_string(),
            (_, Some(a), _) if !a.is_empty() => a.to_string(),
            (_, _, Some(f)) => f.to_string(),
            _ => {
                return Err(Diagnostic::error(
                    format!("Invalid {KIND} state"),
                    "the state has neither an ARN nor a family",
                )
                .into())
            }
        };
        let Some(response) = describe(ctx, state, &which).await? else {
            log_warn!(
                "ECS Task Definition not found, removing from state",
                "id" = which
            );
            return Ok(None);
        };
        if !is_active(&response) {
            log_warn!(
                "ECS Task Definition is INACTIVE, removing from state",
                "id" = which
            );
            return Ok(None);
        }
        let region = ctx.client.regional(state).region().to_string();
        let new = state_from(&response, state, &region);
        Ok(Some(with_tags(new, &response, &ctx.client, state)))
    }

    async fn update(&self, ctx: &Ctx<AwsClients>, prior: &Value, planned: &Value) -> ApplyResult {
        let arn = prior.str("arn").unwrap_or_default().to_string();
        let set = ctx.client.regional(prior);
        let ecs = set.ecs();
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
        let Some(response) = describe(ctx, prior, &arn).await? else {
            return Err(Diagnostic::error(
                format!("updating {KIND} ({arn})"),
                "the revision disappeared during the update",
            )
            .into());
        };
        let new = state_from(&response, planned, set.region());
        Ok(with_tags(new, &response, &ctx.client, planned))
    }

    async fn delete(&self, ctx: &Ctx<AwsClients>, prior: &Value) -> Result<(), Diagnostics> {
        if prior.bool("skip_destroy").unwrap_or(false) {
            log_info!(
                "skip_destroy is set: leaving the revision ACTIVE",
                "arn" = prior.str("arn").unwrap_or_default()
            );
            return Ok(());
        }
        let Some(arn) = prior.str("arn").filter(|a| !a.is_empty()) else {
            return Ok(());
        };
        let set = ctx.client.regional(prior);
        match set
            .ecs()
            .deregister_task_definition()
            .task_definition(arn)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e)
                if is_gone(&e)
                    || errors::code_and_message_contains(
                        &e,
                        "ClientException",
                        "in the process of being deleted",
                    ) =>
            {
                Ok(())
            }
            Err(e) => Err(errors::aws_diag(&format!("deleting {KIND}"), arn, &e).into()),
        }
    }

    async fn import(&self, _ctx: &Ctx<AwsClients>, id: &str) -> Result<Value, Diagnostics> {
        let id = id.trim();
        let Some((family, _rev)) = parse_arn(id) else {
            return Err(Diagnostic::error(
                "Invalid import ID",
                format!("expected a task definition ARN such as arn:aws:ecs:us-east-1:123456789012:task-definition/web:3, got {id:?}"),
            )
            .into());
        };
        Ok(Value::object([
            ("id", Value::from(family)),
            ("family", Value::from(family)),
            ("arn", Value::from(id)),
            ("region", Value::opt_string(arn_region(id))),
        ]))
    }
}

pub fn resource() -> Arc<dyn Resource<AwsClients>> {
    Arc::new(TaskDefinition)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn arns_parse_into_family_and_revision() {
        assert_eq!(
            parse_arn("arn:aws:ecs:us-east-1:123456789012:task-definition/web:3"),
            Some(("web", 3))
        );
        assert_eq!(
            parse_arn("arn:aws:ecs:us-east-1:123456789012:task-definition/web"),
            None
        );
        assert_eq!(parse_arn("web:3"), None);
        assert_eq!(
            arn_region("arn:aws:ecs:eu-west-1:1:task-definition/w:1"),
            Some("eu-west-1")
        );
    }

    fn response(defs: J, mode: &str) -> J {
        json!({"taskDefinition": {
            "taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/web:4",
            "family": "web", "revision": 4, "status": "ACTIVE", "networkMode": mode,
            "containerDefinitions": defs, "volumes": [], "placementConstraints": []
        }})
    }

    #[test]
    fn read_keeps_the_users_spelling_when_equivalent_and_canonical_otherwise() {
        let user = r#"[{"name":"db","image":"postgres","memory":512,"portMappings":[{"containerPort":5432}]}]"#;
        let aws = json!([{"name":"db","image":"postgres","memory":512,"cpu":0,"essential":true,
            "portMappings":[{"containerPort":5432,"hostPort":5432,"protocol":"tcp"}],"environment":[],"mountPoints":[]}]);
        let reference = schema().block.conform(Value::object([(
            "container_definitions",
            Value::from(user),
        )]));
        let s = state_from(&response(aws.clone(), "awsvpc"), &reference, "us-east-1");
        assert_eq!(s.str("container_definitions"), Some(user));
        assert_eq!(
            s.str("arn_without_revision"),
            Some("arn:aws:ecs:us-east-1:123456789012:task-definition/web")
        );
        assert_eq!(s.i64("revision"), Some(4));
        // In bridge mode hostPort 5432 is a real difference: the state shows AWS's document.
        let s = state_from(&response(aws.clone(), "bridge"), &reference, "us-east-1");
        assert_ne!(s.str("container_definitions"), Some(user));
        // Import: no user spelling, canonical JSON.
        let s = state_from(&response(aws, "awsvpc"), &Value::Null, "us-east-1");
        let canon = s.str("container_definitions").unwrap();
        assert!(
            !canon.contains("\"cpu\"") && !canon.contains("protocol"),
            "{canon}"
        );
    }

    #[test]
    fn containers_are_validated_only_when_known() {
        let b = schema().block;
        let mut d = Diagnostics::new();
        check_containers(
            &b.conform(Value::object([(
                "container_definitions",
                Value::from(r#"[{"name":"a"}]"#),
            )])),
            &mut d,
        );
        assert!(d.has_errors());
        assert_eq!(d.0[0].path, Some(AttrPath::attr("container_definitions")));
        let mut d = Diagnostics::new();
        check_containers(
            &b.conform(Value::object([("container_definitions", Value::Unknown)])),
            &mut d,
        );
        check_containers(
            &b.conform(Value::object([
                (
                    "container_definitions",
                    Value::from(r#"[{"name":"a","image":"x"}]"#),
                ),
                ("memory", Value::Unknown),
            ])),
            &mut d,
        );
        assert!(d.is_empty(), "{d}");
    }
}
