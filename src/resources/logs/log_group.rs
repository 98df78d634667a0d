//! `awsecs_cloudwatch_log_group`, the twin of `aws_cloudwatch_log_group`. ID and import ID: the
//! log group name (`name@region` imports into another region).
//!
//! `retention_in_days = 0` means "never expire" (no retention policy). Log groups of the DELIVERY
//! class have a retention fixed by AWS, so their retention is neither sent nor compared, as in
//! hashicorp/aws. `skip_destroy` (read from state at destroy) leaves the group in AWS.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_cloudwatchlogs::error::SdkError;
use aws_sdk_cloudwatchlogs::operation::describe_log_groups::DescribeLogGroupsError;
use aws_sdk_cloudwatchlogs::types::{LogGroup, LogGroupClass};
use aws_sdk_cloudwatchlogs::Client;

use crate::aws::retry::{self, PROPAGATION_TIMEOUT};
use crate::aws::{
    errors, names, plan_region, region_attribute, split_import_region, tags, AwsClients,
};
use crate::framework::schema::Validator;
use crate::framework::{
    validators, ApplyError, ApplyResult, AttrPath, Attribute, Block, Ctx, Diagnostic, Diagnostics,
    Plan, PlanRequest, Resource, Schema, Value,
};

pub const TYPE: &str = "awsecs_cloudwatch_log_group";
const KIND: &str = "CloudWatch Logs Log Group";
pub const NAME_MAX: usize = 512;
/// hashicorp/aws `validLogGroupNamePrefix`.
pub const PREFIX_MAX: usize = 483;
/// The retention periods CloudWatch Logs accepts (0 = never expire).
pub const RETENTION_DAYS: &[i64] = &[
    0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];
const CLASSES: &[&str] = &["STANDARD", "INFREQUENT_ACCESS", "DELIVERY"];
const DELETE_RETRY: Duration = Duration::from_secs(60);

pub struct LogGroupResource;

/// Log group name characters: letters, digits, `_`, `.`, `/`, `#` and `-`.
pub fn name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_./#-".contains(c)
}

fn name_validator(max: usize) -> Validator {
    names::validator(
        max,
        "letters, digits, '_', '.', '/', '#' and '-'",
        name_char,
    )
}

pub fn schema() -> Schema {
    let [tags, tags_all] = tags::attributes();
    Schema::new(
        Block::new()
            .attr(Attribute::string("arn").desc("ARN of the log group (without the trailing `:*`).").computed())
            .attr(Attribute::bool("deletion_protection_enabled").desc("Whether AWS refuses to delete the log group.").optional_computed())
            .attr(Attribute::string("id").desc("Name of the log group.").optional_computed())
            .attr(Attribute::string("kms_key_id").desc("ARN of the KMS key that encrypts the logs.").optional())
            .attr(
                Attribute::string("log_group_class").desc("`STANDARD`, `INFREQUENT_ACCESS` or `DELIVERY`.")
                    .optional_computed()
                    .force_new()
                    .validate(validators::one_of(CLASSES)),
            )
            .attr(
                Attribute::string("name").desc("Name of the log group; generated when neither this nor `name_prefix` is set.")
                    .optional_computed()
                    .force_new()
                    .conflicts_with(&["name_prefix"])
                    .validate(name_validator(NAME_MAX)),
            )
            .attr(
                Attribute::string("name_prefix").desc("Creates a unique name starting with this prefix.")
                    .optional_computed()
                    .force_new()
                    .conflicts_with(&["name"])
                    .validate(name_validator(PREFIX_MAX)),
            )
            .attr(region_attribute())
            .attr(
                Attribute::number("retention_in_days")
                    .default(Value::int(0))
                    .validate(validators::int_one_of(RETENTION_DAYS))
                    .desc("Days to keep log events; 0 keeps them forever."),
            )
            .attr(
                Attribute::bool("skip_destroy")
                    .default(false)
                    .client_side()
                    .desc("On destroy, only forget the log group (read from state at destroy)."),
            )
            .attr(tags)
            .attr(tags_all),
    ).desc("Manages a CloudWatch Logs log group.")
}

fn is_delivery(v: &Value) -> bool {
    v.str("log_group_class") == Some("DELIVERY")
}

/// The log group with exactly this name (DescribeLogGroups matches by prefix).
async fn find(
    logs: &Client,
    name: &str,
) -> Result<Option<LogGroup>, SdkError<DescribeLogGroupsError>> {
    let mut next: Option<String> = None;
    loop {
        let out = logs
            .describe_log_groups()
            .log_group_name_prefix(name)
            .set_next_token(next.take())
            .send()
            .await?;
        if let Some(g) = out
            .log_groups()
            .iter()
            .find(|g| g.log_group_name() == Some(name))
        {
            return Ok(Some(g.clone()));
        }
        match out.next_token() {
            Some(t) if !t.is_empty() => next = Some(t.to_string()),
            _ => return Ok(None),
        }
    }
}

/// The log group ARN without the `:*` suffix DescribeLogGroups appends.
pub fn trim_arn(arn: &str) -> &str {
    arn.strip_suffix(":*").unwrap_or(arn)
}

async fn read_state(
    logs: &Client,
    clients: &AwsClients,
    g: &LogGroup,
    reference: &Value,
    region: &str,
) -> Result<Value, Diagnostic> {
    let name = g.log_group_name().unwrap_or_default();
    let arn = trim_arn(g.arn().or(g.log_group_arn()).unwrap_or_default());
    let listed = logs
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .map_err(|e| errors::aws_diag(&format!("listing tags for {KIND}"), name, &e))?;
    let all: tags::Tags = listed
        .tags()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    Ok(state_of(clients, g, &all, reference, region))
}

/// The state of group `g` with its tags `all`: one mapping for a read and for a create's
/// answer-as-state ([`created_state`]).
fn state_of(
    clients: &AwsClients,
    g: &LogGroup,
    all: &tags::Tags,
    reference: &Value,
    region: &str,
) -> Value {
    let name = g.log_group_name().unwrap_or_default();
    let arn = trim_arn(g.arn().or(g.log_group_arn()).unwrap_or_default());
    let (tags, tags_all) = tags::split_read(all, clients.default_tags(), reference.get("tags"));
    let known = |k: &str| Some(reference.get(k).clone()).filter(|v| v.is_known() && !v.is_null());
    // CreateLogGroup documents STANDARD as the class when none is given.
    let class = match g.log_group_class() {
        Some(c) => Value::from(c.as_str()),
        None => known("log_group_class").unwrap_or_else(|| Value::from("STANDARD")),
    };
    let retention = if class.as_str() == Some("DELIVERY") {
        known("retention_in_days").unwrap_or(Value::int(0))
    } else {
        Value::int(g.retention_in_days().map(i64::from).unwrap_or(0))
    };
    let protection = match g.deletion_protection_enabled() {
        Some(b) => Value::Bool(b),
        None => known("deletion_protection_enabled").unwrap_or(Value::Bool(false)),
    };
    Value::object([
        ("arn", Value::from(arn)),
        ("deletion_protection_enabled", protection),
        ("id", Value::from(name)),
        ("kms_key_id", Value::opt_string(g.kms_key_id())),
        ("log_group_class", class),
        ("name", Value::from(name)),
        (
            "name_prefix",
            Value::opt_string(names::prefix_from_name(name)),
        ),
        ("region", Value::from(region)),
        ("retention_in_days", retention),
        ("skip_destroy", reference.get("skip_destroy").clone()),
        ("tags", tags),
        ("tags_all", tags_all),
    ])
}

/// Reads the group right after a write, retrying "not found" briefly.
async fn read_fresh(
    ctx: &Ctx<AwsClients>,
    reference: &Value,
    name: &str,
) -> Result<Value, Diagnostic> {
    let set = ctx.client.regional(reference);
    let logs = set.logs();
    let g = retry::retry_when(
        &ctx.stop,
        "reading the log group",
        PROPAGATION_TIMEOUT,
        |e: &Option<SdkError<DescribeLogGroupsError>>| e.is_none(),
        || async {
            match find(logs, name).await {
                Ok(Some(g)) => Ok(g),
                Ok(None) => Err(None),
                Err(e) => Err(Some(e)),
            }
        },
    )
    .await
    .map_err(|e| {
        e.diag_with(&format!("reading {KIND}"), name, |e| match e {
            Some(e) => errors::describe(e),
            None => "the log group is not visible yet".into(),
        })
    })?;
    read_state(logs, &ctx.client, &g, reference, set.region()).await
}

/// The state of a group this apply just created, with no read-back: CreateLogGroup answers with
/// nothing, but every attribute is what was sent or AWS's documented default (class STANDARD,
/// no deletion protection), and the ARN has the documented form
/// `arn:PARTITION:logs:REGION:ACCOUNT:log-group:NAME` (stored, as hashicorp/aws does, without the
/// `:*` DescribeLogGroups appends). None (read instead) without a known account ID, or with a KMS
/// key, which AWS may report in another spelling than the one sent.
fn created_state(
    ctx: &Ctx<AwsClients>,
    planned: &Value,
    name: &str,
    region: &str,
) -> Option<Value> {
    let account = ctx.client.account_id();
    if account.is_empty() || !planned.get("kms_key_id").is_null() {
        return None;
    }
    let arn = format!(
        "arn:{}:logs:{region}:{account}:log-group:{name}",
        ctx.client.partition()
    );
    // Class and deletion protection left unset: the mapping takes the planned value, else AWS's
    // default, exactly as for a describe that omits them.
    let sent = LogGroup::builder()
        .log_group_name(name)
        .arn(arn)
        .set_retention_in_days(planned.i64("retention_in_days").map(|d| d as i32))
        .build();
    Some(state_of(
        &ctx.client,
        &sent,
        &tags::from_planned(planned),
        planned,
        region,
    ))
}

/// PutRetentionPolicy, retrying the IAM-propagation denial hashicorp/aws also retries.
async fn put_retention(
    ctx: &Ctx<AwsClients>,
    logs: &Client,
    name: &str,
    days: i64,
) -> Result<(), Diagnostic> {
    let days = i32::try_from(days).unwrap_or(i32::MAX);
    retry::retry_when(
        &ctx.stop,
        "setting the retention policy while IAM permissions propagate",
        PROPAGATION_TIMEOUT,
        |e| {
            errors::code_and_message_contains(
                e,
                "AccessDeniedException",
                "no identity-based policy allows the logs:PutRetentionPolicy action",
            )
        },
        || {
            logs.put_retention_policy()
                .log_group_name(name)
                .retention_in_days(days)
                .send()
        },
    )
    .await
    .map_err(|e| {
        e.diag(&format!("setting {KIND} retention policy"), name)
            .at(AttrPath::attr("retention_in_days"))
    })?;
    Ok(())
}

#[async_trait]
impl Resource<AwsClients> for LogGroupResource {
    fn type_name(&self) -> &'static str {
        TYPE
    }

    fn schema(&self) -> Schema {
        schema()
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
        // DELIVERY groups have an AWS-fixed retention: a configured value is not a change.
        if !req.is_create() && is_delivery(req.prior) && is_delivery(&plan.state) {
            plan.state.set(
                "retention_in_days",
                req.prior.get("retention_in_days").clone(),
            );
        }
    }

    async fn create(&self, ctx: &Ctx<AwsClients>, planned: &Value) -> ApplyResult {
        let name = names::generate(planned.str("name"), planned.str("name_prefix"));
        let set = ctx.client.regional(planned);
        let logs = set.logs();
        let all_tags: HashMap<String, String> = tags::from_planned(planned).into_iter().collect();
        let unanswered = retry::UnansweredAttempts::new();
        let created = logs
            .create_log_group()
            .log_group_name(&name)
            .set_kms_key_id(planned.str("kms_key_id").map(str::to_string))
            .set_log_group_class(planned.str("log_group_class").map(LogGroupClass::from))
            .set_deletion_protection_enabled(planned.bool("deletion_protection_enabled"))
            .set_tags((!all_tags.is_empty()).then_some(all_tags))
            .customize()
            .interceptor(unanswered.clone())
            .send()
            .await;
        match created {
            Err(e) if !unanswered.explains(&e, "ResourceAlreadyExistsException") => {
                return Err(errors::aws_diag(&format!("creating {KIND}"), &name, &e).into());
            }
            _ => {}
        }

        let mut partial = planned.clone();
        partial.set("id", Value::from(name.as_str()));
        partial.set("name", Value::from(name.as_str()));
        let days = planned.i64("retention_in_days").unwrap_or(0);
        if days != 0 && !is_delivery(planned) {
            put_retention(ctx, logs, &name, days)
                .await
                .map_err(|d| ApplyError::with_state(d, partial.clone()))?;
        }
        if created.is_ok() {
            if let Some(state) = created_state(ctx, planned, &name, set.region()) {
                return Ok(state);
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
            return Err(Diagnostic::error(
                format!("Invalid {KIND} state"),
                "the state has no log group name (id)",
            )
            .into());
        };
        let set = ctx.client.regional(state);
        let found = find(set.logs(), name)
            .await
            .map_err(|e| errors::aws_diag(&format!("reading {KIND}"), name, &e))?;
        let Some(g) = found else {
            log_warn!(
                "CloudWatch Logs Log Group not found, removing from state",
                "name" = name
            );
            return Ok(None);
        };
        Ok(Some(
            read_state(set.logs(), &ctx.client, &g, state, set.region()).await?,
        ))
    }

    async fn update(&self, ctx: &Ctx<AwsClients>, prior: &Value, planned: &Value) -> ApplyResult {
        let name = prior
            .str("id")
            .or_else(|| prior.str("name"))
            .unwrap_or_default()
            .to_string();
        let set = ctx.client.regional(prior);
        let logs = set.logs();
        let changed = |k: &str| !prior.get(k).equivalent(planned.get(k));
        let at = |k: &str| AttrPath::attr(k);

        if changed("retention_in_days") && !is_delivery(planned) {
            match planned.i64("retention_in_days").unwrap_or(0) {
                0 => {
                    logs.delete_retention_policy()
                        .log_group_name(&name)
                        .send()
                        .await
                        .map_err(|e| {
                            errors::aws_diag_at(
                                &format!("deleting {KIND} retention policy"),
                                &name,
                                &e,
                                at("retention_in_days"),
                            )
                        })?;
                }
                days => put_retention(ctx, logs, &name, days).await?,
            }
        }
        if changed("deletion_protection_enabled") {
            if let Some(on) = planned.bool("deletion_protection_enabled") {
                logs.put_log_group_deletion_protection()
                    .log_group_identifier(prior.str("arn").unwrap_or(&name))
                    .deletion_protection_enabled(on)
                    .send()
                    .await
                    .map_err(|e| {
                        errors::aws_diag_at(
                            &format!("updating {KIND} deletion protection"),
                            &name,
                            &e,
                            at("deletion_protection_enabled"),
                        )
                    })?;
            }
        }
        if changed("kms_key_id") {
            let what = format!("changing {KIND} KMS key");
            match planned.str("kms_key_id") {
                Some(key) => {
                    logs.associate_kms_key()
                        .log_group_name(&name)
                        .kms_key_id(key)
                        .send()
                        .await
                        .map_err(|e| errors::aws_diag_at(&what, &name, &e, at("kms_key_id")))?;
                }
                None => {
                    logs.disassociate_kms_key()
                        .log_group_name(&name)
                        .send()
                        .await
                        .map_err(|e| errors::aws_diag_at(&what, &name, &e, at("kms_key_id")))?;
                }
            }
        }
        if changed("tags_all") {
            let arn = prior.str("arn").unwrap_or_default();
            let diff = tags::diff(
                &prior.string_pairs("tags_all"),
                &tags::from_planned(planned),
            );
            if !diff.remove.is_empty() {
                logs.untag_resource()
                    .resource_arn(arn)
                    .set_tag_keys(Some(diff.remove.clone()))
                    .send()
                    .await
                    .map_err(|e| {
                        errors::aws_diag_at(&format!("untagging {KIND}"), &name, &e, at("tags"))
                    })?;
            }
            if !diff.upsert.is_empty() {
                logs.tag_resource()
                    .resource_arn(arn)
                    .set_tags(Some(diff.upsert.into_iter().collect()))
                    .send()
                    .await
                    .map_err(|e| {
                        errors::aws_diag_at(&format!("tagging {KIND}"), &name, &e, at("tags"))
                    })?;
            }
        }
        Ok(read_fresh(ctx, planned, &name).await?)
    }

    async fn delete(&self, ctx: &Ctx<AwsClients>, prior: &Value) -> Result<(), Diagnostics> {
        let Some(name) = prior.str("id").or_else(|| prior.str("name")) else {
            return Ok(());
        };
        if prior.bool("skip_destroy") == Some(true) {
            log_debug!(
                "retaining CloudWatch Logs Log Group (skip_destroy)",
                "name" = name
            );
            return Ok(());
        }
        let set = ctx.client.regional(prior);
        let logs = set.logs();
        let r = retry::retry_when(
            &ctx.stop,
            "deleting the log group while another operation on it finishes",
            DELETE_RETRY,
            |e| {
                errors::has_code(e, "OperationAbortedException")
                    && errors::error_message(e).is_some_and(|m| m.contains("try again"))
            },
            || logs.delete_log_group().log_group_name(name).send(),
        )
        .await;
        match r {
            Ok(_) => Ok(()),
            Err(retry::RetryError::Failed(e)) if errors::is_not_found(&e) => Ok(()),
            Err(e) => {
                let mut d = e.diag(&format!("deleting {KIND}"), name);
                if prior.bool("deletion_protection_enabled") == Some(true) {
                    d.detail.push_str(". The log group has deletion protection: set deletion_protection_enabled = false and apply it before destroying (or use skip_destroy to keep the group).");
                    d = d.at(AttrPath::attr("deletion_protection_enabled"));
                }
                Err(d.into())
            }
        }
    }

    async fn import(&self, ctx: &Ctx<AwsClients>, id: &str) -> Result<Value, Diagnostics> {
        let (name, region) = split_import_region(id.trim());
        let mut d = Diagnostics::new();
        validators::check(
            &name_validator(NAME_MAX),
            &Value::from(name),
            AttrPath::attr("name"),
            &mut d,
        );
        if d.has_errors() {
            return Err(Diagnostic::error(
                "Invalid import ID",
                format!(
                    "expected a log group name (optionally name@region): {}",
                    d.0[0].detail
                ),
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
    Arc::new(LogGroupResource)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::testing::{offline_ctx, ACCOUNT, REGION};

    fn planned(extra: Vec<(&str, Value)>) -> Value {
        let mut pairs = vec![
            ("name", Value::from("/ecs/app")),
            ("retention_in_days", Value::int(7)),
            ("deletion_protection_enabled", Value::Unknown),
            ("log_group_class", Value::Unknown),
            ("skip_destroy", Value::Bool(false)),
            ("tags", Value::string_map([("app", "dks")])),
            ("tags_all", Value::string_map([("app", "dks")])),
        ];
        pairs.extend(extra);
        schema().block.conform(Value::object(pairs))
    }

    #[test]
    fn a_created_group_has_the_documented_arn_and_aws_defaults() {
        let ctx = offline_ctx();
        let v = created_state(&ctx, &planned(vec![]), "/ecs/app", REGION).unwrap();
        assert_eq!(
            v.str("arn"),
            Some(format!("arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/ecs/app").as_str())
        );
        assert_eq!(v.str("log_group_class"), Some("STANDARD"));
        assert_eq!(v.bool("deletion_protection_enabled"), Some(false));
        assert_eq!(v.i64("retention_in_days"), Some(7));
        assert_eq!(v.get("tags"), &Value::string_map([("app", "dks")]));
        assert_eq!(v.str("id"), Some("/ecs/app"));
    }

    #[test]
    fn a_kms_key_is_read_back_rather_than_assumed() {
        let ctx = offline_ctx();
        let key = Value::from("arn:aws:kms:us-east-1:123456789012:key/k");
        let p = planned(vec![("kms_key_id", key)]);
        assert!(created_state(&ctx, &p, "/ecs/app", REGION).is_none());
    }
}
