//! `awsecs_iam_role_policy_attachment`, the twin of `aws_iam_role_policy_attachment`: one managed
//! policy attached to one role. ID and import ID: `role-name/policy-arn`. No update: both
//! arguments replace the attachment.

use std::sync::Arc;

use async_trait::async_trait;

use super::{attached_policy_arns, is_concurrent_modification};
use crate::aws::retry::{self, PROPAGATION_TIMEOUT};
use crate::aws::{errors, AwsClients};
use crate::framework::{
    validators, ApplyResult, AttrPath, Attribute, Block, Ctx, Diagnostic, Diagnostics, Resource,
    Schema, Value,
};

pub const TYPE: &str = "awsecs_iam_role_policy_attachment";
const KIND: &str = "IAM Role Policy Attachment";

pub struct RolePolicyAttachment;

pub fn schema() -> Schema {
    Schema::new(
        Block::new()
            .attr(
                Attribute::string("id")
                    .desc("`ROLE_NAME/POLICY_ARN`.")
                    .optional_computed(),
            )
            .attr(
                Attribute::string("policy_arn")
                    .required()
                    .force_new()
                    .validate(validators::arn())
                    .desc("ARN of the managed policy to attach."),
            )
            .attr(
                Attribute::string("role")
                    .required()
                    .force_new()
                    .desc("Name of the role."),
            ),
    )
    .desc("Attaches a managed IAM policy to a role.")
}

/// `role-name/policy-arn`. Role names cannot contain `/`, so the first `/` separates the parts.
pub fn format_id(role: &str, policy_arn: &str) -> String {
    format!("{role}/{policy_arn}")
}

pub fn parse_id(id: &str) -> Result<(&str, &str), Diagnostic> {
    match id.split_once('/') {
        Some((role, arn)) if !role.is_empty() && validators::is_arn(arn) => Ok((role, arn)),
        _ => Err(Diagnostic::error(
            "Invalid import ID",
            format!("unexpected format for ID ({id}), expected <role-name>/<policy_arn>"),
        )),
    }
}

fn parts(v: &Value) -> Option<(String, String)> {
    match (v.str("role"), v.str("policy_arn")) {
        (Some(r), Some(p)) => Some((r.to_string(), p.to_string())),
        _ => v
            .str("id")
            .and_then(|id| parse_id(id).ok())
            .map(|(r, p)| (r.to_string(), p.to_string())),
    }
}

fn state(role: &str, arn: &str) -> Value {
    Value::object([
        ("id", Value::from(format_id(role, arn))),
        ("policy_arn", Value::from(arn)),
        ("role", Value::from(role)),
    ])
}

#[async_trait]
impl Resource<AwsClients> for RolePolicyAttachment {
    fn type_name(&self) -> &'static str {
        TYPE
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn create(&self, ctx: &Ctx<AwsClients>, planned: &Value) -> ApplyResult {
        let (role, arn) = parts(planned).ok_or_else(|| {
            Diagnostic::error("Invalid plan", "role and policy_arn must be known")
        })?;
        let iam = ctx.client.iam();
        retry::retry_when(
            &ctx.stop,
            "attaching the policy during a concurrent IAM change",
            PROPAGATION_TIMEOUT,
            is_concurrent_modification,
            // AttachRolePolicy of an attached policy succeeds: a retry after a lost reply is harmless.
            || {
                iam.attach_role_policy()
                    .role_name(&role)
                    .policy_arn(&arn)
                    .send()
            },
        )
        .await
        .map_err(|e| {
            let d = e.diag(&format!("creating {KIND}"), &format_id(&role, &arn));
            match e.error().and_then(errors::error_code) {
                Some("NoSuchEntity")
                    if e.error()
                        .and_then(errors::error_message)
                        .is_some_and(|m| m.contains("role")) =>
                {
                    d.at(AttrPath::attr("role"))
                }
                Some("NoSuchEntity" | "InvalidInput") => d.at(AttrPath::attr("policy_arn")),
                _ => d,
            }
        })?;
        Ok(state(&role, &arn))
    }

    async fn read(
        &self,
        ctx: &Ctx<AwsClients>,
        current: &Value,
    ) -> Result<Option<Value>, Diagnostics> {
        let Some((role, arn)) = parts(current) else {
            return Err(Diagnostic::error(
                "Invalid state",
                format!("{TYPE} state has no role and policy_arn"),
            )
            .into());
        };
        match attached_policy_arns(ctx.client.iam(), &role).await {
            Ok(arns) if arns.contains(&arn) => Ok(Some(state(&role, &arn))),
            Ok(_) => {
                log_warn!(
                    "IAM Role Policy Attachment not found, removing from state",
                    "id" = format_id(&role, &arn)
                );
                Ok(None)
            }
            Err(e) if errors::is_not_found(&e) => Ok(None),
            Err(e) => {
                Err(
                    errors::aws_diag(&format!("reading {KIND}"), &format_id(&role, &arn), &e)
                        .into(),
                )
            }
        }
    }

    async fn update(
        &self,
        _ctx: &Ctx<AwsClients>,
        _prior: &Value,
        _planned: &Value,
    ) -> ApplyResult {
        Err(Diagnostic::error("Unexpected update", format!("{TYPE} has no updatable arguments; every change replaces it. This is a provider bug.")).into())
    }

    async fn delete(&self, ctx: &Ctx<AwsClients>, prior: &Value) -> Result<(), Diagnostics> {
        let Some((role, arn)) = parts(prior) else {
            return Ok(());
        };
        let iam = ctx.client.iam();
        let r = retry::retry_when(
            &ctx.stop,
            "detaching the policy during a concurrent IAM change",
            PROPAGATION_TIMEOUT,
            is_concurrent_modification,
            || {
                iam.detach_role_policy()
                    .role_name(&role)
                    .policy_arn(&arn)
                    .send()
            },
        )
        .await;
        match r {
            Ok(_) => Ok(()),
            Err(e) if e.error().is_some_and(errors::is_not_found) => Ok(()),
            Err(e) => Err(e
                .diag(&format!("deleting {KIND}"), &format_id(&role, &arn))
                .into()),
        }
    }

    async fn import(&self, _ctx: &Ctx<AwsClients>, id: &str) -> Result<Value, Diagnostics> {
        let (role, arn) = parse_id(id)?;
        Ok(state(role, arn))
    }
}

pub fn resource() -> Arc<dyn Resource<AwsClients>> {
    Arc::new(RolePolicyAttachment)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_bad_ids_are_rejected() {
        let arn = "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role";
        let id = format_id("ecs-instance", arn);
        assert_eq!(id, format!("ecs-instance/{arn}"));
        assert_eq!(parse_id(&id).unwrap(), ("ecs-instance", arn));
        for bad in [
            "ecs-instance",
            "/arn:aws:iam::aws:policy/x",
            "role/not-an-arn",
            "role-arn:aws:iam::aws:policy/x",
            "",
        ] {
            let e = parse_id(bad).unwrap_err();
            assert!(e.detail.contains("<role-name>/<policy_arn>"), "{bad}: {e}");
        }
    }

    #[test]
    fn every_argument_forces_replacement() {
        let s = schema();
        for a in ["role", "policy_arn"] {
            let attr = s.block.attribute(a).unwrap();
            assert!(attr.required && attr.force_new, "{a}");
        }
        assert!(s
            .block
            .attribute("id")
            .is_some_and(|a| a.optional && a.computed));
    }
}
