//! `awsecs_iam_role_policy`, the twin of `aws_iam_role_policy`: one inline policy of a role.
//! ID and import ID: `role_name:policy_name`. Create and update are both `PutRolePolicy`; a
//! reformatted or re-ordered policy is not a change (semantic comparison).

use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_iam::error::SdkError;
use aws_sdk_iam::operation::get_role_policy::{GetRolePolicyError, GetRolePolicyOutput};
use aws_sdk_iam::Client;

use super::checks::{iam_name, name_attributes, policy_document};
use super::is_concurrent_modification;
use crate::aws::retry::{self, PROPAGATION_TIMEOUT};
use crate::aws::{errors, names, policy, AwsClients};
use crate::framework::{
    ApplyError, ApplyResult, AttrPath, Attribute, Block, Ctx, Diagnostic, Diagnostics, Resource,
    Schema, Value,
};

pub const TYPE: &str = "awsecs_iam_role_policy";
const KIND: &str = "IAM Role Policy";
const NAME_MAX: usize = 128;

pub struct RolePolicy;

pub fn schema() -> Schema {
    let [name, name_prefix] = name_attributes(NAME_MAX);
    Schema::new(
        Block::new()
            .attr(
                Attribute::string("id")
                    .desc("`ROLE_NAME:POLICY_NAME`.")
                    .optional_computed(),
            )
            .attr(name)
            .attr(name_prefix)
            .attr(
                policy_document("policy")
                    .required()
                    .desc("The inline policy document (JSON)."),
            )
            .attr(
                Attribute::string("role")
                    .required()
                    .force_new()
                    .validate(iam_name(64))
                    .desc("Name of the role the policy belongs to."),
            ),
    )
    .desc("Manages an inline policy of an IAM role.")
}

/// `role:name`. Role names cannot contain `:`, so the first `:` separates the parts.
pub fn format_id(role: &str, name: &str) -> String {
    format!("{role}:{name}")
}

pub fn parse_id(id: &str) -> Result<(&str, &str), Diagnostic> {
    match id.split_once(':') {
        Some((role, name)) if !role.is_empty() && !name.is_empty() && !name.contains(':') => {
            Ok((role, name))
        }
        _ => Err(Diagnostic::error(
            "Invalid import ID",
            format!("unexpected format for ID ({id}), expected <role-name>:<policy-name>"),
        )),
    }
}

fn parts(v: &Value) -> Option<(String, String)> {
    match (v.str("role"), v.str("name")) {
        (Some(r), Some(n)) => Some((r.to_string(), n.to_string())),
        _ => v
            .str("id")
            .and_then(|id| parse_id(id).ok())
            .map(|(r, n)| (r.to_string(), n.to_string())),
    }
}

async fn find(
    iam: &Client,
    role: &str,
    name: &str,
) -> Result<Option<GetRolePolicyOutput>, SdkError<GetRolePolicyError>> {
    match iam
        .get_role_policy()
        .role_name(role)
        .policy_name(name)
        .send()
        .await
    {
        Ok(out) => Ok(Some(out)),
        Err(e) if errors::is_not_found(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

fn state_of(out: &GetRolePolicyOutput) -> Value {
    let (role, name) = (out.role_name(), out.policy_name());
    Value::object([
        ("id", Value::from(format_id(role, name))),
        ("name", Value::from(name)),
        (
            "name_prefix",
            Value::opt_string(names::prefix_from_name(name)),
        ),
        (
            "policy",
            Value::from(policy::from_api(out.policy_document())),
        ),
        ("role", Value::from(role)),
    ])
}

async fn put(ctx: &Ctx<AwsClients>, role: &str, name: &str, doc: &str) -> Result<(), Diagnostic> {
    let iam = ctx.client.iam();
    retry::retry_when(
        &ctx.stop,
        "putting the policy during a concurrent IAM change",
        PROPAGATION_TIMEOUT,
        is_concurrent_modification,
        // PutRolePolicy overwrites: a retry after a lost reply just writes the same policy again.
        || {
            iam.put_role_policy()
                .role_name(role)
                .policy_name(name)
                .policy_document(doc)
                .send()
        },
    )
    .await
    .map(|_| ())
    .map_err(|e| {
        let d = e.diag(&format!("putting {KIND}"), &format_id(role, name));
        match e.error().and_then(errors::error_code) {
            Some("NoSuchEntity") => d.at(AttrPath::attr("role")),
            Some("MalformedPolicyDocument" | "LimitExceeded") => d.at(AttrPath::attr("policy")),
            _ => d,
        }
    })
}

/// Reads the policy right after a put, retrying "not found" while IAM propagates it.
async fn read_fresh(ctx: &Ctx<AwsClients>, role: &str, name: &str) -> Result<Value, Diagnostic> {
    let iam = ctx.client.iam();
    let out = retry::retry_when(
        &ctx.stop,
        "reading the new inline policy while IAM propagates it",
        PROPAGATION_TIMEOUT,
        errors::is_not_found,
        || {
            iam.get_role_policy()
                .role_name(role)
                .policy_name(name)
                .send()
        },
    )
    .await
    .map_err(|e| e.diag(&format!("reading {KIND}"), &format_id(role, name)))?;
    Ok(state_of(&out))
}

#[async_trait]
impl Resource<AwsClients> for RolePolicy {
    fn type_name(&self) -> &'static str {
        TYPE
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn create(&self, ctx: &Ctx<AwsClients>, planned: &Value) -> ApplyResult {
        let role = planned.str("role").unwrap_or_default().to_string();
        let name = names::generate(planned.str("name"), planned.str("name_prefix"));
        put(ctx, &role, &name, planned.str("policy").unwrap_or_default()).await?;
        let mut partial = planned.clone();
        partial.set("id", Value::from(format_id(&role, &name)));
        partial.set("name", Value::from(name.as_str()));
        read_fresh(ctx, &role, &name)
            .await
            .map_err(|d| ApplyError::with_state(d, partial))
    }

    async fn read(
        &self,
        ctx: &Ctx<AwsClients>,
        state: &Value,
    ) -> Result<Option<Value>, Diagnostics> {
        let Some((role, name)) = parts(state) else {
            return Err(Diagnostic::error(
                format!("Invalid {KIND} state"),
                "the state has no role and policy name",
            )
            .into());
        };
        let found = find(ctx.client.iam(), &role, &name).await.map_err(|e| {
            errors::aws_diag(&format!("reading {KIND}"), &format_id(&role, &name), &e)
        })?;
        match found {
            Some(out) => Ok(Some(state_of(&out))),
            None => {
                log_warn!(
                    "IAM Role Policy not found, removing from state",
                    "id" = format_id(&role, &name)
                );
                Ok(None)
            }
        }
    }

    async fn update(&self, ctx: &Ctx<AwsClients>, prior: &Value, planned: &Value) -> ApplyResult {
        let (role, name) = parts(prior).ok_or_else(|| {
            Diagnostic::error(format!("Invalid {KIND} state"), "no role and policy name")
        })?;
        let (old, new) = (
            prior.str("policy").unwrap_or_default(),
            planned.str("policy").unwrap_or_default(),
        );
        if !policy::equivalent(old, new) {
            put(ctx, &role, &name, new).await?;
        }
        Ok(read_fresh(ctx, &role, &name).await?)
    }

    async fn delete(&self, ctx: &Ctx<AwsClients>, prior: &Value) -> Result<(), Diagnostics> {
        let Some((role, name)) = parts(prior) else {
            return Ok(());
        };
        let iam = ctx.client.iam();
        let r = retry::retry_when(
            &ctx.stop,
            "deleting the policy during a concurrent IAM change",
            PROPAGATION_TIMEOUT,
            is_concurrent_modification,
            || {
                iam.delete_role_policy()
                    .role_name(&role)
                    .policy_name(&name)
                    .send()
            },
        )
        .await;
        match r {
            Ok(_) => Ok(()),
            Err(e) if e.error().is_some_and(errors::is_not_found) => Ok(()),
            Err(e) => Err(e
                .diag(&format!("deleting {KIND}"), &format_id(&role, &name))
                .into()),
        }
    }

    async fn import(&self, _ctx: &Ctx<AwsClients>, id: &str) -> Result<Value, Diagnostics> {
        let (role, name) = parse_id(id.trim())?;
        Ok(Value::object([
            ("id", Value::from(format_id(role, name))),
            ("name", Value::from(name)),
            ("role", Value::from(role)),
        ]))
    }
}

pub fn resource() -> Arc<dyn Resource<AwsClients>> {
    Arc::new(RolePolicy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_bad_ids_are_rejected() {
        assert_eq!(format_id("ecs-task", "s3-read"), "ecs-task:s3-read");
        assert_eq!(
            parse_id("ecs-task:s3-read").unwrap(),
            ("ecs-task", "s3-read")
        );
        for bad in ["ecs-task", ":p", "r:", "r:p:q", "", "r/p"] {
            let e = parse_id(bad).unwrap_err();
            assert!(e.detail.contains("<role-name>:<policy-name>"), "{bad}: {e}");
        }
    }

    #[test]
    fn schema_matches_the_twin() {
        let s = schema();
        let names: Vec<&str> = s.block.attributes.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["id", "name", "name_prefix", "policy", "role"]);
        let a = |n: &str| s.block.attribute(n).unwrap().clone();
        assert!(a("role").required && a("role").force_new);
        assert!(
            a("policy").required && !a("policy").force_new && a("policy").equivalence.is_some()
        );
        assert!(a("name").force_new && a("name").computed);
        assert_eq!(a("name_prefix").conflicts_with, vec!["name"]);
    }
}
