//! IAM resources (global: no `region` argument) and the finders they share.

pub mod checks;
pub mod instance_profile;
pub mod managed_policy;
pub mod policy_document;
pub mod role;
pub mod role_policy;
pub mod role_policy_attachment;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use aws_sdk_iam::error::SdkError;
use aws_sdk_iam::operation::list_attached_role_policies::ListAttachedRolePoliciesError;
use aws_sdk_iam::Client;

use crate::aws::retry::{self, PROPAGATION_TIMEOUT};
use crate::aws::{errors, AwsClients};
use crate::framework::{AttrPath, Ctx, Diagnostic, Value};

/// The ARNs of the managed policies attached to a role.
pub async fn attached_policy_arns(
    iam: &Client,
    role: &str,
) -> Result<Vec<String>, SdkError<ListAttachedRolePoliciesError>> {
    let items = iam
        .list_attached_role_policies()
        .role_name(role)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await?;
    Ok(items
        .iter()
        .filter_map(|p| p.policy_arn().map(str::to_string))
        .collect())
}

/// IAM timestamps as hashicorp/aws writes them (RFC 3339, whole seconds).
pub fn rfc3339(t: &aws_smithy_types::DateTime) -> Value {
    let whole = aws_smithy_types::DateTime::from_secs(t.secs());
    Value::opt_string(
        whole
            .fmt(aws_smithy_types::date_time::Format::DateTime)
            .ok(),
    )
}

/// IAM error codes worth retrying while a change propagates.
pub fn is_concurrent_modification<E: aws_smithy_types::error::metadata::ProvideErrorMetadata>(
    e: &E,
) -> bool {
    errors::has_code(e, "ConcurrentModification")
}

/// Puts inline policies (name → document) on a role.
pub async fn put_inline(
    iam: &Client,
    role: &str,
    policies: &BTreeMap<String, String>,
) -> Result<(), Diagnostic> {
    for (pn, doc) in policies {
        iam.put_role_policy()
            .role_name(role)
            .policy_name(pn)
            .policy_document(doc)
            .send()
            .await
            .map_err(|e| {
                errors::aws_diag_at(
                    "putting inline policy of IAM Role",
                    &format!("{role}/{pn}"),
                    &e,
                    AttrPath::attr("inline_policy"),
                )
            })?;
    }
    Ok(())
}

/// Attaches managed policies, retrying concurrent modifications.
pub async fn attach(ctx: &Ctx<AwsClients>, role: &str, arns: &[String]) -> Result<(), Diagnostic> {
    let iam = ctx.client.iam();
    for arn in arns {
        retry::retry_when(
            &ctx.stop,
            "attaching a policy during a concurrent IAM change",
            PROPAGATION_TIMEOUT,
            is_concurrent_modification,
            || {
                iam.attach_role_policy()
                    .role_name(role)
                    .policy_arn(arn)
                    .send()
            },
        )
        .await
        .map_err(|e| {
            e.diag("attaching policy to IAM Role", &format!("{role}/{arn}"))
                .at(AttrPath::attr("managed_policy_arns"))
        })?;
    }
    Ok(())
}

/// Detaches managed policies; already detached is fine.
pub async fn detach(ctx: &Ctx<AwsClients>, role: &str, arns: &[String]) -> Result<(), Diagnostic> {
    let iam = ctx.client.iam();
    for arn in arns {
        let r = retry::retry_when(
            &ctx.stop,
            "detaching a policy during a concurrent IAM change",
            PROPAGATION_TIMEOUT,
            is_concurrent_modification,
            || {
                iam.detach_role_policy()
                    .role_name(role)
                    .policy_arn(arn)
                    .send()
            },
        )
        .await;
        match r {
            Ok(_) => {}
            Err(e) if e.error().is_some_and(errors::is_not_found) => {}
            Err(e) => {
                return Err(e.diag("detaching policy from IAM Role", &format!("{role}/{arn}")))
            }
        }
    }
    Ok(())
}

/// Deletes inline policies; already gone is fine.
pub async fn delete_inline(iam: &Client, role: &str, names: &[String]) -> Result<(), Diagnostic> {
    for pn in names {
        match iam
            .delete_role_policy()
            .role_name(role)
            .policy_name(pn)
            .send()
            .await
        {
            Ok(_) => {}
            Err(e) if errors::is_not_found(&e) => {}
            Err(e) => {
                return Err(errors::aws_diag(
                    "deleting inline policy of IAM Role",
                    &format!("{role}/{pn}"),
                    &e,
                ))
            }
        }
    }
    Ok(())
}

/// What an optimistic delete's error code leads to. The role and the instance profile delete
/// first with what the state knows; IAM answers DeleteConflict while something the state does
/// not know still hangs on the entity, and only then is the entity read and repaired.
#[derive(Debug, PartialEq, Eq)]
pub enum FirstDelete {
    /// Already deleted (a retried or repeated destroy).
    Gone,
    /// DeleteConflict: list what still hangs on the entity, remove it, delete again.
    Repair,
    Fail,
}

pub fn after_first_delete(code: Option<&str>) -> FirstDelete {
    match code {
        Some("DeleteConflict") => FirstDelete::Repair,
        Some(c) if errors::is_not_found_code(c) => FirstDelete::Gone,
        _ => FirstDelete::Fail,
    }
}
