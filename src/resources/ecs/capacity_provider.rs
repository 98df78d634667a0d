//! `awsecs_ecs_capacity_provider`, the twin of `aws_ecs_capacity_provider` (Auto Scaling group
//! providers; `managed_instances_provider` is not supported yet). ID: the ARN. Import ID: the ARN
//! (as in hashicorp/aws 6.x) or the name, optionally `@region`.
//!
//! Destroy never hangs on a provider a cluster still uses (hashicorp/aws #14393, #29152): ECS
//! refuses that delete with DELETE_FAILED (in its answer or a later read, the provider staying
//! ACTIVE; hashicorp/aws #48156), and the delete then fails at once naming the clusters, instead
//! of running out a 20-minute timer (#25176). The clusters are listed only on that refusal.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_ecs::types::{CapacityProvider, CapacityProviderField, CapacityProviderUpdateStatus};
use aws_sdk_ecs::Client;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use super::capacity_provider_schema::{
    check_name, provider_of, provider_update_of, read_state, schema, validate,
};
use super::cluster_support::{clusters_using_provider, is_update_in_progress};
use crate::aws::retry::{self, Poll, WaitPolicy};
use crate::aws::{errors, plan_region, split_import_region, tag_lists, tags, AwsClients};
use crate::framework::{
    ApplyResult, AttrPath, Ctx, Diagnostic, Diagnostics, Plan, PlanRequest, Resource, Schema, Value,
};

pub const TYPE: &str = "awsecs_ecs_capacity_provider";
const KIND: &str = "ECS Capacity Provider";
/// hashicorp/aws: 10 minutes for updates, 20 for the delete (both fixed, no timeouts block).
const UPDATE_WAIT: Duration = Duration::from_secs(10 * 60);
const DELETE_WAIT: Duration = Duration::from_secs(20 * 60);

pub struct EcsCapacityProvider;

/// The provider named by an ARN (`...:capacity-provider/NAME`) or a name.
fn name_of(id: &str) -> &str {
    if id.starts_with("arn:") {
        id.rsplit('/').next().unwrap_or(id)
    } else {
        id
    }
}

/// ECS's answer for a provider that does not exist (delete and update).
fn is_provider_gone<E: ProvideErrorMetadata>(e: &E) -> bool {
    errors::is_not_found(e)
        || errors::code_and_message_contains(e, "ClientException", "does not exist")
}

/// The provider, unless it does not exist or is INACTIVE (deleted). DescribeCapacityProviders
/// is always given the provider: without names it lists every provider (and some emulators fail).
async fn find(ecs: &Client, id: &str) -> Result<Option<CapacityProvider>, String> {
    let out = ecs
        .describe_capacity_providers()
        .capacity_providers(id)
        .include(CapacityProviderField::Tags)
        .send()
        .await;
    match out {
        Ok(out) => Ok(out
            .capacity_providers()
            .iter()
            .find(|p| p.status().map(|s| s.as_str()) != Some("INACTIVE"))
            .cloned()),
        Err(e) if is_provider_gone(&e) => Ok(None),
        Err(e) => Err(errors::describe(&e)),
    }
}

fn status_of(p: &CapacityProvider) -> String {
    let status = p.status().map(|s| s.as_str()).unwrap_or("unknown");
    match p.update_status() {
        Some(u) => format!("{status}/{}", u.as_str()),
        None => status.to_string(),
    }
}

/// Waits for UpdateCapacityProvider to finish; UPDATE_FAILED ends the wait with ECS's reason.
async fn wait_updated(
    ctx: &Ctx<AwsClients>,
    ecs: &Client,
    id: &str,
    op: &str,
) -> Result<CapacityProvider, Diagnostic> {
    retry::wait_until(
        &ctx.stop,
        "waiting for the capacity provider update",
        WaitPolicy::new(UPDATE_WAIT),
        || async {
            let Some(p) = find(ecs, id).await? else {
                return Err("the capacity provider disappeared during the update".to_string());
            };
            match p.update_status() {
                Some(CapacityProviderUpdateStatus::UpdateInProgress) => {
                    Ok(Poll::Pending(status_of(&p)))
                }
                Some(CapacityProviderUpdateStatus::UpdateFailed) => Err(format!(
                    "ECS reports UPDATE_FAILED: {}",
                    p.update_status_reason().unwrap_or("no reason given")
                )),
                _ => Ok(Poll::Ready(p)),
            }
        },
    )
    .await
    .map_err(|e: retry::RetryError<String>| e.diag_with(op, name_of(id), |s| s.clone()))
}

/// ECS's reason when it refused the delete (DELETE_FAILED; the provider stays ACTIVE).
fn delete_failure(p: &CapacityProvider) -> Option<String> {
    (p.update_status() == Some(&CapacityProviderUpdateStatus::DeleteFailed)).then(|| {
        p.update_status_reason()
            .unwrap_or("no reason given")
            .to_string()
    })
}

/// The error for a refused delete: the clusters that still use the provider and what to do, or
/// ECS's own reason when no cluster does (hashicorp/aws #14393, #29152).
async fn refused(ecs: &Client, name: &str, reason: &str) -> Diagnostic {
    let summary = errors::summary(&format!("deleting {KIND}"), name);
    let using = match clusters_using_provider(ecs, name).await {
        Ok(using) => using,
        Err(m) => {
            return Diagnostic::error(
                summary,
                format!("ECS reports DELETE_FAILED: {reason} (checking which clusters use the capacity provider: {m})"),
            )
        }
    };
    if using.is_empty() {
        return Diagnostic::error(summary, format!("ECS reports DELETE_FAILED: {reason}"));
    }
    let list = using
        .iter()
        .map(|c| format!("{c:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    Diagnostic::error(
        summary,
        format!(
            "the capacity provider is still associated with ECS cluster(s) {list}, so ECS keeps it ACTIVE. \
             Remove {name:?} from the capacity_providers (and default_capacity_provider_strategy) of those clusters' \
             awsecs_ecs_cluster_capacity_providers first and apply that; when replacing the provider, give it \
             lifecycle {{ create_before_destroy = true }} so the association moves to the new one before the old one is deleted."
        ),
    )
}

#[async_trait]
impl Resource<AwsClients> for EcsCapacityProvider {
    fn type_name(&self) -> &'static str {
        TYPE
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        validate(config, diags);
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
    }

    async fn create(&self, ctx: &Ctx<AwsClients>, planned: &Value) -> ApplyResult {
        let name = planned.str("name").unwrap_or_default();
        let set = ctx.client.regional(planned);
        let ecs = set.ecs();
        let op = format!("creating {KIND}");
        let all_tags = tags::from_planned(planned);
        let provider = provider_of(planned);
        let unanswered = retry::UnansweredAttempts::new();
        let sent = ecs
            .create_capacity_provider()
            .name(name)
            .set_auto_scaling_group_provider(provider.clone())
            .set_tags((!all_tags.is_empty()).then(|| tag_lists::to_ecs(&all_tags)))
            .customize()
            .interceptor(unanswered.clone())
            .send()
            .await;
        let at = AttrPath::attr("auto_scaling_group_provider");
        let created = match sent {
            Ok(out) => out.capacity_provider().cloned(),
            // A lost reply: the retry hears "already exists". The provider is the lost attempt's
            // when it is the one for our Auto Scaling group.
            Err(e)
                if unanswered.any()
                    && errors::code_and_message_contains(
                        &e,
                        "ClientException",
                        "already exists",
                    ) =>
            {
                let existing = find(ecs, name).await.ok().flatten().filter(|p| {
                    let asg = |g: Option<&aws_sdk_ecs::types::AutoScalingGroupProvider>| {
                        g.map(|g| g.auto_scaling_group_arn().to_string())
                    };
                    asg(p.auto_scaling_group_provider()) == asg(provider.as_ref())
                });
                if existing.is_none() {
                    return Err(errors::aws_diag_at(&op, name, &e, at).into());
                }
                log_warn!(
                    "an earlier attempt of this create went unanswered; adopting the capacity provider it created",
                    "name" = name
                );
                existing
            }
            Err(e) => return Err(errors::aws_diag_at(&op, name, &e, at).into()),
        };
        let arn = created
            .as_ref()
            .and_then(|p| p.capacity_provider_arn())
            .unwrap_or(name)
            .to_string();
        // The answer is the whole capacity provider, tags included (documented); only an answer
        // without the tags that were sent is read back (the answer stays the fallback).
        let complete = created
            .as_ref()
            .is_some_and(|p| all_tags.is_empty() || !p.tags().is_empty());
        let found = if complete {
            created
        } else {
            find(ecs, &arn).await.ok().flatten().or(created)
        };
        match found {
            Some(p) => Ok(read_state(&p, planned, &ctx.client, set.region())),
            None => Err(Diagnostic::error(
                errors::summary(&op, name),
                "ECS returned no capacity provider",
            )
            .into()),
        }
    }

    async fn read(
        &self,
        ctx: &Ctx<AwsClients>,
        state: &Value,
    ) -> Result<Option<Value>, Diagnostics> {
        let Some(id) = state
            .str("id")
            .or_else(|| state.str("arn"))
            .or_else(|| state.str("name"))
        else {
            return Err(Diagnostic::error(
                format!("Invalid {KIND} state"),
                "the state has no capacity provider ARN (id)",
            )
            .into());
        };
        let set = ctx.client.regional(state);
        let found = find(set.ecs(), id).await.map_err(|m| {
            Diagnostic::error(errors::summary(&format!("reading {KIND}"), name_of(id)), m)
        })?;
        let Some(p) = found else {
            log_warn!(
                "ECS Capacity Provider not found, removing from state",
                "id" = id
            );
            return Ok(None);
        };
        Ok(Some(read_state(&p, state, &ctx.client, set.region())))
    }

    async fn update(&self, ctx: &Ctx<AwsClients>, prior: &Value, planned: &Value) -> ApplyResult {
        let arn = prior
            .str("arn")
            .or_else(|| prior.str("id"))
            .unwrap_or_default()
            .to_string();
        let name = planned.str("name").unwrap_or(name_of(&arn)).to_string();
        let set = ctx.client.regional(prior);
        let ecs = set.ecs();
        let op = format!("updating {KIND}");
        let provider = "auto_scaling_group_provider";
        if !prior.get(provider).equivalent(planned.get(provider)) {
            let update = provider_update_of(planned);
            retry::retry_when(
                &ctx.stop,
                "updating the capacity provider while an earlier update finishes",
                UPDATE_WAIT,
                is_update_in_progress,
                || {
                    ecs.update_capacity_provider()
                        .name(&name)
                        .set_auto_scaling_group_provider(update.clone())
                        .send()
                },
            )
            .await
            .map_err(|e| e.diag(&op, &name).at(AttrPath::attr(provider)))?;
            wait_updated(ctx, ecs, &arn, &op).await?;
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
                            &name,
                            &e,
                            AttrPath::attr("tags"),
                        )
                    })?;
            }
            if !diff.upsert.is_empty() {
                ecs.tag_resource()
                    .resource_arn(&arn)
                    .set_tags(Some(tag_lists::to_ecs(&diff.upsert)))
                    .send()
                    .await
                    .map_err(|e| {
                        errors::aws_diag_at(
                            &format!("tagging {KIND}"),
                            &name,
                            &e,
                            AttrPath::attr("tags"),
                        )
                    })?;
            }
        }
        let p = find(ecs, &arn)
            .await
            .map_err(|m| Diagnostic::error(errors::summary(&op, &name), m))?
            .ok_or_else(|| {
                Diagnostic::error(
                    errors::summary(&op, &name),
                    "the capacity provider disappeared during the update",
                )
            })?;
        Ok(read_state(&p, planned, &ctx.client, set.region()))
    }

    async fn delete(&self, ctx: &Ctx<AwsClients>, prior: &Value) -> Result<(), Diagnostics> {
        let Some(arn) = prior.str("arn").or_else(|| prior.str("id")) else {
            return Ok(());
        };
        let name = prior.str("name").unwrap_or(name_of(arn));
        let set = ctx.client.regional(prior);
        let ecs = set.ecs();
        let op = format!("deleting {KIND}");

        // Optimistic: ECS refuses a provider a cluster still uses by answering (or, later, reading)
        // DELETE_FAILED with the provider left ACTIVE, so the clusters are listed only then, to
        // say which ones and what to do.
        let answer = match ecs
            .delete_capacity_provider()
            .capacity_provider(arn)
            .send()
            .await
        {
            Ok(out) => out.capacity_provider,
            Err(e) if is_provider_gone(&e) => return Ok(()),
            Err(e) => return Err(errors::aws_diag(&op, name, &e).into()),
        };
        if let Some(reason) = answer.as_ref().and_then(delete_failure) {
            return Err(refused(ecs, name, &reason).await.into());
        }
        let failed = retry::wait_until(
            &ctx.stop,
            "waiting for the capacity provider to be deleted",
            WaitPolicy::new(DELETE_WAIT),
            || async {
                Ok(match find(ecs, arn).await? {
                    None => Poll::Ready(None),
                    Some(p) => match delete_failure(&p) {
                        Some(reason) => Poll::Ready(Some(reason)),
                        None => Poll::Pending(status_of(&p)),
                    },
                })
            },
        )
        .await
        .map_err(|e: retry::RetryError<String>| e.diag_with(&op, name, |s| s.clone()))?;
        match failed {
            None => Ok(()),
            Some(reason) => Err(refused(ecs, name, &reason).await.into()),
        }
    }

    async fn import(&self, ctx: &Ctx<AwsClients>, id: &str) -> Result<Value, Diagnostics> {
        let (given, region) = split_import_region(id.trim());
        let name = name_of(given);
        let valid_arn = !given.starts_with("arn:") || given.contains(":capacity-provider/");
        if !valid_arn || check_name(name).is_err() {
            return Err(Diagnostic::error(
                "Invalid import ID",
                format!("expected an ECS capacity provider ARN (arn:aws:ecs:REGION:ACCOUNT:capacity-provider/NAME) or name, optionally with @region; got {id:?}"),
            )
            .into());
        }
        Ok(Value::object([
            ("id", Value::from(given)),
            ("name", Value::from(name)),
            ("region", Value::from(region.unwrap_or(ctx.client.region()))),
        ]))
    }
}

pub fn resource() -> Arc<dyn Resource<AwsClients>> {
    Arc::new(EcsCapacityProvider)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_delete_failed_is_a_refusal() {
        let with = |u: CapacityProviderUpdateStatus, reason: Option<&str>| {
            CapacityProvider::builder()
                .update_status(u)
                .set_update_status_reason(reason.map(str::to_string))
                .build()
        };
        let refused = with(
            CapacityProviderUpdateStatus::DeleteFailed,
            Some("associated with cluster: c"),
        );
        assert_eq!(
            delete_failure(&refused).as_deref(),
            Some("associated with cluster: c")
        );
        let no_reason = with(CapacityProviderUpdateStatus::DeleteFailed, None);
        assert_eq!(
            delete_failure(&no_reason).as_deref(),
            Some("no reason given")
        );
        for ok in [
            CapacityProviderUpdateStatus::DeleteInProgress,
            CapacityProviderUpdateStatus::DeleteComplete,
            CapacityProviderUpdateStatus::UpdateComplete,
        ] {
            assert_eq!(delete_failure(&with(ok.clone(), None)), None, "{ok:?}");
        }
        assert_eq!(delete_failure(&CapacityProvider::builder().build()), None);
    }

    #[tokio::test]
    async fn imports_take_an_arn_or_a_name() {
        let ctx = crate::resources::testing::offline_ctx();
        let arn = "arn:aws:ecs:us-east-1:123456789012:capacity-provider/web";
        let v = EcsCapacityProvider.import(&ctx, arn).await.unwrap();
        assert_eq!((v.str("id"), v.str("name")), (Some(arn), Some("web")));
        let v = EcsCapacityProvider
            .import(&ctx, "web@eu-west-1")
            .await
            .unwrap();
        assert_eq!(
            (v.str("id"), v.str("region")),
            (Some("web"), Some("eu-west-1"))
        );
        assert!(EcsCapacityProvider
            .import(&ctx, "arn:aws:ecs:us-east-1:1:cluster/web")
            .await
            .is_err());
        assert!(EcsCapacityProvider.import(&ctx, "not valid").await.is_err());
    }
}
