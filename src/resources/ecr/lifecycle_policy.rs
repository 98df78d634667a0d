//! `awsecs_ecr_lifecycle_policy`, the twin of `aws_ecr_lifecycle_policy`. ID and import ID: the
//! repository name (`name@region` imports into another region). No update: a new policy
//! replaces the resource, as in hashicorp/aws.
//!
//! The policy is validated at plan time (structure, priorities, tag lists) and compared
//! semantically ([`crate::aws::ecr_lifecycle`]): rules in another order, reordered tag lists or
//! reformatted JSON re-plan empty.

use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_ecr::error::SdkError;
use aws_sdk_ecr::operation::get_lifecycle_policy::{
    GetLifecyclePolicyError, GetLifecyclePolicyOutput,
};
use aws_sdk_ecr::Client;

use super::repository::check_name;
use crate::aws::retry::{self, PROPAGATION_TIMEOUT};
use crate::aws::{
    ecr_lifecycle, errors, plan_region, region_attribute, split_import_region, AwsClients,
};
use crate::framework::{
    ApplyError, ApplyResult, AttrPath, Attribute, Block, Ctx, Diagnostic, Diagnostics, Plan,
    PlanRequest, Resource, Schema, Value,
};

pub const TYPE: &str = "awsecs_ecr_lifecycle_policy";
const KIND: &str = "ECR Lifecycle Policy";

pub struct LifecyclePolicy;

/// A repository name attribute validated like `awsecs_ecr_repository.name`.
pub fn repository_attribute() -> Attribute {
    Attribute::string("repository")
        .required()
        .force_new()
        .validate(Arc::new(|v, path, diags| {
            if let Some(Err(msg)) = v.as_str().map(check_name) {
                diags.invalid(path.clone(), msg);
            }
        }))
        .desc("Name of the repository.")
}

pub fn schema() -> Schema {
    Schema::new(
        Block::new()
            .attr(
                Attribute::string("id")
                    .desc("Name of the repository.")
                    .optional_computed(),
            )
            .attr(
                Attribute::string("policy")
                    .required()
                    .force_new()
                    .validate(ecr_lifecycle::validator())
                    .equivalent_when(ecr_lifecycle::equivalent_values)
                    .desc("The lifecycle policy document (JSON)."),
            )
            .attr(region_attribute())
            .attr(
                Attribute::string("registry_id")
                    .desc("ID of the registry (account) of the repository.")
                    .computed(),
            )
            .attr(repository_attribute()),
    )
    .desc("Manages the lifecycle policy of an ECR repository (which images expire).")
}

fn is_gone(code: Option<&str>) -> bool {
    matches!(
        code,
        Some("LifecyclePolicyNotFoundException" | "RepositoryNotFoundException")
    )
}

async fn find(
    ecr: &Client,
    repo: &str,
    registry: Option<&str>,
) -> Result<Option<GetLifecyclePolicyOutput>, SdkError<GetLifecyclePolicyError>> {
    match ecr
        .get_lifecycle_policy()
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

fn state_of(out: &GetLifecyclePolicyOutput, region: &str) -> Value {
    let repo = out.repository_name().unwrap_or_default();
    Value::object([
        ("id", Value::from(repo)),
        ("policy", Value::opt_string(out.lifecycle_policy_text())),
        ("region", Value::from(region)),
        ("registry_id", Value::opt_string(out.registry_id())),
        ("repository", Value::from(repo)),
    ])
}

fn repo_of(v: &Value) -> Option<&str> {
    v.str("id").or_else(|| v.str("repository"))
}

#[async_trait]
impl Resource<AwsClients> for LifecyclePolicy {
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
        let set = ctx.client.regional(planned);
        let ecr = set.ecr();
        // PutLifecyclePolicy overwrites: a retry after a lost reply writes the same policy again.
        ecr.put_lifecycle_policy()
            .repository_name(&repo)
            .lifecycle_policy_text(planned.str("policy").unwrap_or_default())
            .send()
            .await
            .map_err(|e| {
                let d = errors::aws_diag(&format!("creating {KIND}"), &repo, &e);
                match errors::error_code(&e) {
                    Some("RepositoryNotFoundException") => d.at(AttrPath::attr("repository")),
                    Some("InvalidParameterException") => d.at(AttrPath::attr("policy")),
                    _ => d,
                }
            })?;
        let mut partial = planned.clone();
        partial.set("id", Value::from(repo.as_str()));
        // Read back, retrying "not found" while the new policy propagates.
        let out = retry::retry_when(
            &ctx.stop,
            "reading the new lifecycle policy",
            PROPAGATION_TIMEOUT,
            |e: &SdkError<GetLifecyclePolicyError>| is_gone(errors::error_code(e)),
            || ecr.get_lifecycle_policy().repository_name(&repo).send(),
        )
        .await
        .map_err(|e| ApplyError::with_state(e.diag(&format!("reading {KIND}"), &repo), partial))?;
        Ok(state_of(&out, set.region()))
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
                    "ECR Lifecycle Policy not found, removing from state",
                    "repository" = repo
                );
                Ok(None)
            }
        }
    }

    async fn update(
        &self,
        _ctx: &Ctx<AwsClients>,
        _prior: &Value,
        _planned: &Value,
    ) -> ApplyResult {
        Err(Diagnostic::error(
            "Unexpected update",
            format!("{TYPE} has no updatable arguments; every change replaces it. This is a provider bug."),
        )
        .into())
    }

    async fn delete(&self, ctx: &Ctx<AwsClients>, prior: &Value) -> Result<(), Diagnostics> {
        let Some(repo) = repo_of(prior) else {
            return Ok(());
        };
        let set = ctx.client.regional(prior);
        match set
            .ecr()
            .delete_lifecycle_policy()
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

/// Import IDs of the repository-scoped ECR resources: `name` or `name@region`.
pub fn import_repository_id(ctx: &Ctx<AwsClients>, id: &str) -> Result<Value, Diagnostics> {
    let (name, region) = split_import_region(id.trim());
    if let Err(msg) = check_name(name) {
        return Err(Diagnostic::error(
            "Invalid import ID",
            format!("expected an ECR repository name (optionally name@region): {msg}"),
        )
        .into());
    }
    Ok(Value::object([
        ("id", Value::from(name)),
        ("repository", Value::from(name)),
        ("region", Value::from(region.unwrap_or(ctx.client.region()))),
    ]))
}

pub fn resource() -> Arc<dyn Resource<AwsClients>> {
    Arc::new(LifecyclePolicy)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::plan::validate_object;

    #[test]
    fn schema_matches_the_twin() {
        let s = schema();
        let names: Vec<&str> = s.block.attributes.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(
            names,
            ["id", "policy", "region", "registry_id", "repository"]
        );
        let a = |n: &str| s.block.attribute(n).unwrap().clone();
        assert!(a("policy").force_new && a("policy").required && a("policy").equivalence.is_some());
        assert!(a("repository").force_new && a("repository").required);
    }

    #[test]
    fn invalid_policy_is_reported_at_plan_with_the_inner_path() {
        let b = schema().block;
        let cfg = b.conform(Value::object([
            ("repository", Value::from("app")),
            ("policy", Value::from(r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":0},"action":{"type":"expire"}}]}"#)),
        ]));
        let mut d = Diagnostics::new();
        validate_object(&b, &cfg, &AttrPath::root(), &mut d);
        assert_eq!(d.0.len(), 1, "{d}");
        assert_eq!(d.0[0].path, Some(AttrPath::attr("policy")));
        assert!(
            d.0[0].detail.contains("rules[0].selection.countNumber"),
            "{d}"
        );
    }

    #[tokio::test]
    async fn import_ids_are_repository_names() {
        let ctx = crate::resources::testing::offline_ctx();
        let v = import_repository_id(&ctx, "team/app@eu-west-1").unwrap();
        assert_eq!(
            (v.str("repository"), v.str("region")),
            (Some("team/app"), Some("eu-west-1"))
        );
        assert!(import_repository_id(&ctx, "Team/App").is_err());
    }
}
