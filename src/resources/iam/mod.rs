//! IAM resources (global: no `region` argument) and the finders they share.

pub mod role;
pub mod role_policy_attachment;

#[cfg(test)]
mod tests;

use aws_sdk_iam::error::SdkError;
use aws_sdk_iam::operation::list_attached_role_policies::ListAttachedRolePoliciesError;
use aws_sdk_iam::Client;

use crate::aws::errors;
use crate::framework::Value;

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
