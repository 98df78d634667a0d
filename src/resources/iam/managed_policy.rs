//! `awsecs_iam_policy`, the twin of `aws_iam_policy`: a customer managed policy. ID and import
//! ID: the policy ARN.
//!
//! IAM keeps at most five versions of a policy. A policy change creates a new default version,
//! first deleting the oldest non-default one when five exist; destroy deletes the non-default
//! versions before the policy. With `delay_after_policy_creation_in_ms` the new version is
//! created as non-default, and made the default after that delay (hashicorp/aws 6.x: avoids a
//! window where STS sessions with the policy are rejected by servers that lack the version).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_iam::error::SdkError;
use aws_sdk_iam::operation::get_policy::GetPolicyError;
use aws_sdk_iam::types::{Policy, PolicyVersion};
use aws_sdk_iam::Client;

use super::checks::{iam_path, name_attributes, policy_document};
use super::is_concurrent_modification;
use crate::aws::retry::{self, PROPAGATION_TIMEOUT};
use crate::aws::{errors, names, policy, tags, AwsClients};
use crate::framework::{
    validators, ApplyError, ApplyResult, AttrPath, Attribute, Block, Ctx, Diagnostic, Diagnostics,
    Plan, PlanRequest, Resource, Schema, Value,
};

pub const TYPE: &str = "awsecs_iam_policy";
const KIND: &str = "IAM Policy";
const NAME_MAX: usize = 128;
/// IAM's limit on versions per managed policy.
pub const MAX_VERSIONS: usize = 5;

pub struct ManagedPolicy;

pub fn schema() -> Schema {
    let [name, name_prefix] = name_attributes(NAME_MAX);
    let [tags, tags_all] = tags::attributes();
    Schema::new(
        Block::new()
            .attr(Attribute::string("arn").desc("ARN of the policy.").computed())
            .attr(Attribute::number("attachment_count").desc("Number of roles, users and groups the policy is attached to.").computed())
            .attr(
                Attribute::number("delay_after_policy_creation_in_ms")
                    .optional()
                    .client_side()
                    .validate(validators::int_between(0, 3_600_000))
                    .desc("On update, wait this long between creating the new policy version and making it the default."),
            )
            .attr(
                Attribute::string("description").desc("Description of the policy.")
                    .optional()
                    .force_new()
                    .validate(validators::length(0, 1000)),
            )
            .attr(Attribute::string("id").desc("ARN of the policy.").optional_computed())
            .attr(name)
            .attr(name_prefix)
            .attr(
                Attribute::string("path").desc("Path of the policy.")
                    .default("/")
                    .force_new()
                    .validate(iam_path()),
            )
            .attr(
                policy_document("policy")
                    .required()
                    .desc("The policy document (JSON)."),
            )
            .attr(Attribute::string("policy_id").desc("Unique ID AWS assigned to the policy.").computed())
            .attr(tags)
            .attr(tags_all),
    ).desc("Manages a customer managed IAM policy.")
}

/// A customer managed policy ARN: `arn:PARTITION:iam::ACCOUNT:policy/[PATH/]NAME`.
pub fn check_arn(id: &str) -> Result<(), String> {
    let parts: Vec<&str> = id.splitn(6, ':').collect();
    let ok = validators::is_arn(id)
        && parts[2] == "iam"
        && parts[3].is_empty()
        && parts[5]
            .strip_prefix("policy/")
            .is_some_and(|n| !n.is_empty());
    if ok {
        Ok(())
    } else {
        Err(format!(
            "expected an IAM policy ARN (arn:aws:iam::123456789012:policy/NAME), got {id:?}"
        ))
    }
}

async fn find(iam: &Client, arn: &str) -> Result<Option<Policy>, SdkError<GetPolicyError>> {
    match iam.get_policy().policy_arn(arn).send().await {
        Ok(out) => Ok(out.policy),
        Err(e) if errors::is_not_found(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The policy and its default version's document, or None when either is gone.
async fn find_with_document(
    iam: &Client,
    arn: &str,
) -> Result<Option<(Policy, String)>, Diagnostic> {
    let Some(p) = find(iam, arn)
        .await
        .map_err(|e| errors::aws_diag(&format!("reading {KIND}"), arn, &e))?
    else {
        return Ok(None);
    };
    let version = p.default_version_id().unwrap_or("v1");
    match iam
        .get_policy_version()
        .policy_arn(arn)
        .version_id(version)
        .send()
        .await
    {
        Ok(out) => {
            let doc = out
                .policy_version()
                .and_then(|v| v.document())
                .map(policy::from_api)
                .unwrap_or_default();
            Ok(Some((p, doc)))
        }
        Err(e) if errors::is_not_found(&e) => Ok(None),
        Err(e) => Err(errors::aws_diag(
            &format!("reading {KIND} version {version}"),
            arn,
            &e,
        )),
    }
}

fn state_of(p: &Policy, doc: String, prior: &Value, clients: &AwsClients) -> Value {
    let name = p.policy_name().unwrap_or_default();
    let all = tags::from_iam(p.tags());
    let (tags, tags_all) = tags::split_read(&all, clients.default_tags(), prior.get("tags"));
    let arn = p.arn().unwrap_or_default();
    Value::object([
        ("arn", Value::from(arn)),
        (
            "attachment_count",
            Value::opt_int(p.attachment_count().map(i64::from)),
        ),
        (
            "delay_after_policy_creation_in_ms",
            prior.get("delay_after_policy_creation_in_ms").clone(),
        ),
        (
            "description",
            // IAM does not tell "" from no description; keep whichever the state has.
            match p.description().filter(|d| !d.is_empty()) {
                Some(d) => Value::from(d),
                None if prior.str("description") == Some("") => Value::from(""),
                None => Value::Null,
            },
        ),
        ("id", Value::from(arn)),
        ("name", Value::from(name)),
        (
            "name_prefix",
            Value::opt_string(names::prefix_from_name(name)),
        ),
        ("path", Value::opt_string(p.path())),
        ("policy", Value::from(doc)),
        ("policy_id", Value::opt_string(p.policy_id())),
        ("tags", tags),
        ("tags_all", tags_all),
    ])
}

/// Reads the policy right after a write, retrying "not found" while IAM propagates it.
fn create_diag<E: errors::Describe + aws_smithy_types::error::metadata::ProvideErrorMetadata>(
    name: &str,
    e: &E,
) -> Diagnostic {
    let d = errors::aws_diag(&format!("creating {KIND}"), name, e);
    match errors::error_code(e) {
        Some("MalformedPolicyDocument") => d.at(AttrPath::attr("policy")),
        Some("EntityAlreadyExists") => d.at(AttrPath::attr("name")),
        _ => d,
    }
}

async fn read_fresh(
    ctx: &Ctx<AwsClients>,
    arn: &str,
    reference: &Value,
) -> Result<Value, Diagnostic> {
    let iam = ctx.client.iam();
    let (p, doc) = retry::retry_when(
        &ctx.stop,
        "reading the new policy while IAM propagates it",
        PROPAGATION_TIMEOUT,
        |d: &Option<Diagnostic>| d.is_none(),
        || async {
            match find_with_document(iam, arn).await {
                Ok(Some(found)) => Ok(found),
                Ok(None) => Err(None),
                Err(d) => Err(Some(d)),
            }
        },
    )
    .await
    .map_err(|e| match e.error() {
        Some(Some(d)) => d.clone(),
        _ => e.diag_with(&format!("reading {KIND}"), arn, |_| "not found".into()),
    })?;
    Ok(state_of(&p, doc, reference, &ctx.client))
}

async fn versions(iam: &Client, arn: &str) -> Result<Vec<PolicyVersion>, Diagnostic> {
    iam.list_policy_versions()
        .policy_arn(arn)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| errors::aws_diag(&format!("listing {KIND} versions"), arn, &e))
}

/// The version to delete before creating one more: the oldest non-default version, when the
/// policy already has the maximum number of versions.
pub fn version_to_prune(versions: &[PolicyVersion]) -> Option<&str> {
    if versions.len() < MAX_VERSIONS {
        return None;
    }
    versions
        .iter()
        .filter(|v| !v.is_default_version())
        .min_by_key(|v| {
            let t = v.create_date();
            (
                t.map_or(i64::MIN, |t| t.secs()),
                t.map_or(0, |t| t.subsec_nanos()),
            )
        })
        .and_then(|v| v.version_id())
}

async fn delete_version(ctx: &Ctx<AwsClients>, arn: &str, version: &str) -> Result<(), Diagnostic> {
    let iam = ctx.client.iam();
    let r = retry::retry_when(
        &ctx.stop,
        "deleting a policy version during a concurrent IAM change",
        PROPAGATION_TIMEOUT,
        is_concurrent_modification,
        || {
            iam.delete_policy_version()
                .policy_arn(arn)
                .version_id(version)
                .send()
        },
    )
    .await;
    match r {
        Ok(_) => Ok(()),
        Err(e) if e.error().is_some_and(errors::is_not_found) => Ok(()),
        Err(e) => Err(e.diag(&format!("deleting {KIND} version {version}"), arn)),
    }
}

/// Makes `doc` the policy's default version, pruning first so IAM's version limit never blocks.
async fn new_default_version(
    ctx: &Ctx<AwsClients>,
    arn: &str,
    doc: &str,
    delay: Option<Duration>,
) -> Result<(), Diagnostic> {
    let iam = ctx.client.iam();
    let existing = versions(iam, arn).await?;
    if let Some(v) = version_to_prune(&existing) {
        delete_version(ctx, arn, v).await?;
    }
    let at_policy = |d: Diagnostic| d.at(AttrPath::attr("policy"));
    let created = iam
        .create_policy_version()
        .policy_arn(arn)
        .policy_document(doc)
        .set_as_default(delay.is_none())
        .send()
        .await
        .map_err(|e| at_policy(errors::aws_diag(&format!("updating {KIND}"), arn, &e)))?;
    let Some(delay) = delay else {
        return Ok(());
    };
    let version = created
        .policy_version()
        .and_then(|v| v.version_id())
        .unwrap_or_default()
        .to_string();
    if ctx.stop.sleep(delay).await.is_err() {
        return Err(Diagnostic::error(
            errors::summary(&format!("updating {KIND}"), arn),
            format!("interrupted before making version {version} the default: Terraform asked the provider to stop. Apply again to finish."),
        ));
    }
    iam.set_default_policy_version()
        .policy_arn(arn)
        .version_id(&version)
        .send()
        .await
        .map_err(|e| {
            errors::aws_diag(
                &format!("setting {KIND} default version {version}"),
                arn,
                &e,
            )
        })?;
    Ok(())
}

#[async_trait]
impl Resource<AwsClients> for ManagedPolicy {
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
        tags::plan_tags_all(ctx.client.default_tags(), req.config, plan);
    }

    async fn create(&self, ctx: &Ctx<AwsClients>, planned: &Value) -> ApplyResult {
        let iam = ctx.client.iam();
        let name = names::generate(planned.str("name"), planned.str("name_prefix"));
        let all_tags = tags::from_planned(planned);
        let path = planned.str("path").unwrap_or("/");
        let document = planned.str("policy").unwrap_or_default();
        let unanswered = retry::UnansweredAttempts::new();
        let created = iam
            .create_policy()
            .policy_name(&name)
            .path(path)
            .policy_document(document)
            .set_description(planned.str("description").map(str::to_string))
            .set_tags((!all_tags.is_empty()).then(|| tags::to_iam(&all_tags)))
            .customize()
            .interceptor(unanswered.clone())
            .send()
            .await;
        let account = ctx.client.account_id();
        let arn = match created {
            Ok(out) => out
                .policy()
                .and_then(|p| p.arn())
                .unwrap_or_default()
                .to_string(),
            // A lost reply: the policy the lost attempt created has the ARN that the account,
            // path and name determine; it is adopted below only if it holds our document.
            Err(e) if !account.is_empty() && unanswered.explains(&e, "EntityAlreadyExists") => {
                let partition = ctx.client.partition();
                let arn = format!("arn:{partition}:iam::{account}:policy{path}{name}");
                match find_with_document(iam, &arn).await? {
                    Some((_, doc)) if policy::equivalent(&doc, document) => arn,
                    _ => return Err(create_diag(&name, &e).into()),
                }
            }
            Err(e) => return Err(create_diag(&name, &e).into()),
        };
        let mut partial = planned.clone();
        partial.set("id", Value::from(arn.as_str()));
        partial.set("arn", Value::from(arn.as_str()));
        partial.set("name", Value::from(name.as_str()));
        read_fresh(ctx, &arn, planned)
            .await
            .map_err(|d| ApplyError::with_state(d, partial))
    }

    async fn read(
        &self,
        ctx: &Ctx<AwsClients>,
        state: &Value,
    ) -> Result<Option<Value>, Diagnostics> {
        let Some(arn) = state.str("id").or_else(|| state.str("arn")) else {
            return Err(Diagnostic::error(
                format!("Invalid {KIND} state"),
                "the state has no policy ARN (id)",
            )
            .into());
        };
        match find_with_document(ctx.client.iam(), arn).await? {
            Some((p, doc)) => Ok(Some(state_of(&p, doc, state, &ctx.client))),
            None => {
                log_warn!("IAM Policy not found, removing from state", "arn" = arn);
                Ok(None)
            }
        }
    }

    async fn update(&self, ctx: &Ctx<AwsClients>, prior: &Value, planned: &Value) -> ApplyResult {
        let iam = ctx.client.iam();
        let arn = prior
            .str("id")
            .or_else(|| prior.str("arn"))
            .unwrap_or_default()
            .to_string();
        let (old, new) = (
            prior.str("policy").unwrap_or_default(),
            planned.str("policy").unwrap_or_default(),
        );
        if !policy::equivalent(old, new) {
            let delay = planned
                .i64("delay_after_policy_creation_in_ms")
                .filter(|ms| *ms > 0)
                .map(|ms| Duration::from_millis(ms as u64));
            new_default_version(ctx, &arn, new, delay).await?;
        }
        if prior.get("tags_all") != planned.get("tags_all") {
            let diff = tags::diff(
                &prior.string_pairs("tags_all"),
                &tags::from_planned(planned),
            );
            if !diff.remove.is_empty() {
                iam.untag_policy()
                    .policy_arn(&arn)
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
                iam.tag_policy()
                    .policy_arn(&arn)
                    .set_tags(Some(tags::to_iam(&diff.upsert)))
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
        Ok(read_fresh(ctx, &arn, planned).await?)
    }

    async fn delete(&self, ctx: &Ctx<AwsClients>, prior: &Value) -> Result<(), Diagnostics> {
        let iam = ctx.client.iam();
        let Some(arn) = prior.str("id").or_else(|| prior.str("arn")) else {
            return Ok(());
        };
        // A policy with non-default versions cannot be deleted.
        let all = match iam
            .list_policy_versions()
            .policy_arn(arn)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
        {
            Ok(v) => v,
            Err(e) if errors::is_not_found(&e) => return Ok(()),
            Err(e) => {
                return Err(errors::aws_diag(&format!("listing {KIND} versions"), arn, &e).into())
            }
        };
        for v in all.iter().filter(|v| !v.is_default_version()) {
            if let Some(id) = v.version_id() {
                delete_version(ctx, arn, id).await?;
            }
        }
        // DeleteConflict: still attached. Detachments made earlier in the same apply may take a
        // moment to propagate, so retry briefly before reporting it.
        let r = retry::retry_when(
            &ctx.stop,
            "deleting the policy while detachments propagate",
            PROPAGATION_TIMEOUT,
            |e| errors::has_code(e, "DeleteConflict") || is_concurrent_modification(e),
            || iam.delete_policy().policy_arn(arn).send(),
        )
        .await;
        match r {
            Ok(_) => Ok(()),
            Err(e) if e.error().is_some_and(errors::is_not_found) => Ok(()),
            Err(e) => {
                let mut d = e.diag(&format!("deleting {KIND}"), arn);
                if e.error()
                    .is_some_and(|x| errors::has_code(x, "DeleteConflict"))
                {
                    d.detail.push_str(". The policy is still attached to a role, user or group outside this configuration: detach it first.");
                }
                Err(d.into())
            }
        }
    }

    async fn import(&self, _ctx: &Ctx<AwsClients>, id: &str) -> Result<Value, Diagnostics> {
        let arn = id.trim();
        check_arn(arn).map_err(|m| Diagnostic::error("Invalid import ID", m))?;
        Ok(Value::object([
            ("id", Value::from(arn)),
            ("arn", Value::from(arn)),
        ]))
    }
}

pub fn resource() -> Arc<dyn Resource<AwsClients>> {
    Arc::new(ManagedPolicy)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_smithy_types::DateTime;

    fn version(id: &str, secs: i64, default: bool) -> PolicyVersion {
        PolicyVersion::builder()
            .version_id(id)
            .is_default_version(default)
            .create_date(DateTime::from_secs(secs))
            .build()
    }

    #[test]
    fn prunes_the_oldest_non_default_version_only_at_the_limit() {
        let four: Vec<PolicyVersion> = (1..=4)
            .map(|i| version(&format!("v{i}"), i, i == 4))
            .collect();
        assert_eq!(version_to_prune(&four), None);
        // v1 is the default (rolled back to): the oldest non-default is v2.
        let five = vec![
            version("v1", 1, true),
            version("v3", 3, false),
            version("v2", 2, false),
            version("v5", 5, false),
            version("v4", 4, false),
        ];
        assert_eq!(version_to_prune(&five), Some("v2"));
        let only_default = vec![version("v9", 1, true); 5];
        assert_eq!(version_to_prune(&only_default), None);
    }

    #[test]
    fn policy_arns() {
        for ok in [
            "arn:aws:iam::123456789012:policy/p",
            "arn:aws-cn:iam::123456789012:policy/team/p",
        ] {
            assert_eq!(check_arn(ok), Ok(()), "{ok}");
        }
        for bad in [
            "p",
            "arn:aws:iam::123456789012:role/p",
            "arn:aws:iam::123456789012:policy/",
            "arn:aws:s3:::policy/p",
            "arn:aws:iam:us-east-1:123456789012:policy/p",
        ] {
            assert!(check_arn(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn schema_matches_the_twin() {
        let s = schema();
        let names: Vec<&str> = s.block.attributes.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "arn",
                "attachment_count",
                "delay_after_policy_creation_in_ms",
                "description",
                "id",
                "name",
                "name_prefix",
                "path",
                "policy",
                "policy_id",
                "tags",
                "tags_all"
            ]
        );
        let a = |n: &str| s.block.attribute(n).unwrap().clone();
        assert!(a("description").force_new && a("path").force_new && !a("policy").force_new);
        assert!(a("delay_after_policy_creation_in_ms").client_side);
        assert!(a("policy").equivalence.is_some());
    }
}
