//! `awsecs_ecr_repository_policy`, the twin of `aws_ecr_repository_policy`: the resource policy
//! of a repository. ID and import ID: the repository name (`name@region` imports into another
//! region). Create and update are both `SetRepositoryPolicy`, retried while a principal named
//! in the policy propagates through IAM ("Principal not found").

use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_ecr::error::SdkError;
use aws_sdk_ecr::operation::get_repository_policy::{
    GetRepositoryPolicyError, GetRepositoryPolicyOutput,
};
use aws_sdk_ecr::Client;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use super::lifecycle_policy::{import_repository_id, repository_attribute};
use crate::aws::retry::{self, PROPAGATION_TIMEOUT};
use crate::aws::{errors, plan_region, policy, region_attribute, AwsClients};
use crate::framework::{
    ApplyError, ApplyResult, AttrPath, Attribute, Block, Ctx, Diagnostic, Diagnostics, Plan,
    PlanRequest, Resource, Schema, Value,
};

pub const TYPE: &str = "awsecs_ecr_repository_policy";
const KIND: &str = "ECR Repository Policy";

pub struct RepositoryPolicy;

pub fn schema() -> Schema {
    let mut doc = Attribute::string("policy")
        .required()
        .equivalent_when(policy::equivalent_values)
        .desc("The repository policy document (JSON).");
    for v in policy::validators() {
        doc = doc.validate(v);
    }
    Schema::new(
        Block::new()
            .attr(
                Attribute::string("id")
                    .desc("Name of the repository.")
                    .optional_computed(),
            )
            .attr(doc)
            .attr(region_attribute())
            .attr(
                Attribute::string("registry_id")
                    .desc("ID of the registry (account) of the repository.")
                    .computed(),
            )
            .attr(repository_attribute()),
    )
    .desc("Manages the access policy of an ECR repository.")
}

fn is_gone(code: Option<&str>) -> bool {
    matches!(
        code,
        Some("RepositoryPolicyNotFoundException" | "RepositoryNotFoundException")
    )
}

/// IAM has not propagated a principal named in the policy yet.
fn is_principal_propagating<E: ProvideErrorMetadata>(e: &E) -> bool {
    errors::code_and_message_contains(e, "InvalidParameterException", "Principal not found")
}

async fn find(
    ecr: &Client,
    repo: &str,
    registry: Option<&str>,
) -> Result<Option<GetRepositoryPolicyOutput>, SdkError<GetRepositoryPolicyError>> {
    match ecr
        .get_repository_policy()
        .repository_name(repo)
        .set_registry_id(registry.map(str::to_string))
        .send()
        .await
    {
        Ok(out) => Ok(Some(out)),
        Err(e) if is_gone(errors::error_code(&e)) || errors::is_not_found(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

fn state_of(out: &GetRepositoryPolicyOutput, region: &str) -> Value {
    let repo = out.repository_name().unwrap_or_default();
    Value::object([
        ("id", Value::from(repo)),
        ("policy", Value::opt_string(out.policy_text())),
        ("region", Value::from(region)),
        ("registry_id", Value::opt_string(out.registry_id())),
        ("repository", Value::from(repo)),
    ])
}

fn repo_of(v: &Value) -> Option<&str> {
    v.str("id").or_else(|| v.str("repository"))
}

/// Sets the policy.
async fn put(ctx: &Ctx<AwsClients>, planned: &Value, repo: &str) -> Result<(), Diagnostic> {
    let set = ctx.client.regional(planned);
    let ecr = set.ecr();
    let doc = planned.str("policy").unwrap_or_default();
    retry::retry_when(
        &ctx.stop,
        "setting the policy while IAM propagates its principals",
        PROPAGATION_TIMEOUT,
        is_principal_propagating,
        // SetRepositoryPolicy overwrites: a retry after a lost reply writes the same policy again.
        || {
            ecr.set_repository_policy()
                .repository_name(repo)
                .policy_text(doc)
                .send()
        },
    )
    .await
    .map_err(|e| {
        let d = e.diag(&format!("setting {KIND}"), repo);
        match e.error().and_then(errors::error_code) {
            Some("RepositoryNotFoundException") => d.at(AttrPath::attr("repository")),
            Some("InvalidParameterException") => d.at(AttrPath::attr("policy")),
            _ => d,
        }
    })?;
    Ok(())
}

/// Reads the policy right after a write, retrying "not found" briefly.
async fn read_fresh(
    ctx: &Ctx<AwsClients>,
    planned: &Value,
    repo: &str,
) -> Result<Value, Diagnostic> {
    let set = ctx.client.regional(planned);
    let ecr = set.ecr();
    let out = retry::retry_when(
        &ctx.stop,
        "reading the new repository policy",
        PROPAGATION_TIMEOUT,
        |e: &SdkError<GetRepositoryPolicyError>| is_gone(errors::error_code(e)),
        || ecr.get_repository_policy().repository_name(repo).send(),
    )
    .await
    .map_err(|e| e.diag(&format!("reading {KIND}"), repo))?;
    Ok(state_of(&out, set.region()))
}

#[async_trait]
impl Resource<AwsClients> for RepositoryPolicy {
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
    }

    async fn create(&self, ctx: &Ctx<AwsClients>, planned: &Value) -> ApplyResult {
        let repo = planned.str("repository").unwrap_or_default().to_string();
        put(ctx, planned, &repo).await?;
        // The policy is set: a failed read-back must still leave it in state.
        let mut partial = planned.clone();
        partial.set("id", Value::from(repo.as_str()));
        read_fresh(ctx, planned, &repo)
            .await
            .map_err(|d| ApplyError::with_state(d, partial))
    }

    async fn read(
        &self,
        ctx: &Ctx<AwsClients>,
        state: &Value,
    ) -> Result<Option<Value>, Diagnostics> {
        let Some(repo) = repo_of(state) else {
            return Err(Diagnostic::error(
                format!("Invalid {KIND} state"),
                "the state has no repository name (id)",
            )
            .into());
        };
        let set = ctx.client.regional(state);
        let found = find(set.ecr(), repo, state.str("registry_id"))
            .await
            .map_err(|e| errors::aws_diag(&format!("reading {KIND}"), repo, &e))?;
        match found {
            Some(out) => Ok(Some(state_of(&out, set.region()))),
            None => {
                log_warn!(
                    "ECR Repository Policy not found, removing from state",
                    "repository" = repo
                );
                Ok(None)
            }
        }
    }

    async fn update(&self, ctx: &Ctx<AwsClients>, prior: &Value, planned: &Value) -> ApplyResult {
        let repo = repo_of(prior).unwrap_or_default().to_string();
        put(ctx, planned, &repo).await?;
        Ok(read_fresh(ctx, planned, &repo).await?)
    }

    async fn delete(&self, ctx: &Ctx<AwsClients>, prior: &Value) -> Result<(), Diagnostics> {
        let Some(repo) = repo_of(prior) else {
            return Ok(());
        };
        let set = ctx.client.regional(prior);
        match set
            .ecr()
            .delete_repository_policy()
            .repository_name(repo)
            .set_registry_id(prior.str("registry_id").map(str::to_string))
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if is_gone(errors::error_code(&e)) || errors::is_not_found(&e) => Ok(()),
            Err(e) => Err(errors::aws_diag(&format!("deleting {KIND}"), repo, &e).into()),
        }
    }

    async fn import(&self, ctx: &Ctx<AwsClients>, id: &str) -> Result<Value, Diagnostics> {
        import_repository_id(ctx, id)
    }
}

pub fn resource() -> Arc<dyn Resource<AwsClients>> {
    Arc::new(RepositoryPolicy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_matches_the_twin() {
        let s = schema();
        let names: Vec<&str> = s.block.attributes.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(
            names,
            ["id", "policy", "region", "registry_id", "repository"]
        );
        let a = |n: &str| s.block.attribute(n).unwrap().clone();
        assert!(
            a("policy").required && !a("policy").force_new && a("policy").equivalence.is_some()
        );
        assert!(a("repository").force_new);
        assert!(a("registry_id").computed && !a("registry_id").optional);
    }
}
