//! Cloud Map's asynchronous operations. Creating, updating or deleting a namespace (and updating a
//! service or deregistering an instance) returns an operation ID; the change is done only when
//! `GetOperation` says SUCCESS, and a FAIL carries AWS's own ErrorCode/ErrorMessage (for example
//! `CANNOT_CREATE_HOSTED_ZONE` when the VPC already has an overlapping private zone), which is what
//! the user must see.

use std::time::Duration;

use aws_sdk_servicediscovery::error::SdkError;
use aws_sdk_servicediscovery::operation::get_operation::GetOperationError;
use aws_sdk_servicediscovery::types::{Operation, OperationStatus, OperationTargetType};
use aws_sdk_servicediscovery::Client;

use crate::aws::errors;
use crate::aws::retry::{self, Poll, RetryError, WaitPolicy};
use crate::framework::{Diagnostic, StopToken};

/// hashicorp/aws waits 5 minutes for every Cloud Map operation (not configurable there either).
pub const OPERATION_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// Why an operation did not reach SUCCESS.
#[derive(Debug)]
pub enum OpError {
    /// GetOperation itself failed.
    Api(Box<SdkError<GetOperationError>>),
    /// The operation ended in FAIL.
    Failed {
        id: String,
        code: String,
        message: String,
    },
}

impl OpError {
    pub fn describe(&self) -> String {
        match self {
            OpError::Api(e) => errors::describe(e.as_ref()),
            OpError::Failed { id, code, message } => {
                format!("Cloud Map operation {id} failed: {code}: {message}")
            }
        }
    }
}

/// What one GetOperation answer means for the waiter.
pub fn classify(op: &Operation) -> Result<Poll<Operation>, OpError> {
    match op.status() {
        Some(OperationStatus::Success) => Ok(Poll::Ready(op.clone())),
        Some(OperationStatus::Fail) => Err(OpError::Failed {
            id: op.id().unwrap_or("?").to_string(),
            code: op.error_code().unwrap_or("UNKNOWN").to_string(),
            message: op
                .error_message()
                .unwrap_or("(no error message)")
                .to_string(),
        }),
        Some(other) => Ok(Poll::Pending(other.as_str().to_string())),
        None => Ok(Poll::Pending("no status yet".into())),
    }
}

/// Polls the operation until SUCCESS (bounded by [`OPERATION_TIMEOUT`], with backoff, honouring
/// Stop). A just-issued operation that GetOperation does not know yet counts as pending.
pub async fn wait(
    stop: &StopToken,
    sd: &Client,
    operation_id: &str,
) -> Result<Operation, RetryError<OpError>> {
    retry::wait_until(
        stop,
        "waiting for the Cloud Map operation to succeed",
        WaitPolicy::new(OPERATION_TIMEOUT),
        || async {
            match sd.get_operation().operation_id(operation_id).send().await {
                Ok(out) => match out.operation() {
                    Some(op) => classify(op),
                    None => Ok(Poll::Pending("no operation in the response".into())),
                },
                Err(e) if errors::has_code(&e, "OperationNotFound") => {
                    Ok(Poll::Pending("not visible yet".into()))
                }
                Err(e) => Err(OpError::Api(Box::new(e))),
            }
        },
    )
    .await
}

/// The diagnostic for a failed wait, phrased like every other AWS failure.
pub fn diag(err: &RetryError<OpError>, operation: &str, resource: &str) -> Diagnostic {
    err.diag_with(operation, resource, OpError::describe)
}

/// The ID an operation targets (e.g. the new namespace's), if it names one.
pub fn target(op: &Operation, ty: OperationTargetType) -> Option<String> {
    op.targets().and_then(|t| t.get(&ty)).cloned()
}

/// One look at an operation's target, used after a wait was cut short (timeout or Stop) so a
/// namespace that AWS is still creating is tracked instead of orphaned.
pub async fn peek_target(
    sd: &Client,
    operation_id: &str,
    ty: OperationTargetType,
) -> Option<String> {
    let out = sd
        .get_operation()
        .operation_id(operation_id)
        .send()
        .await
        .ok()?;
    target(out.operation()?, ty)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(status: Option<OperationStatus>) -> Operation {
        Operation::builder()
            .id("op-1")
            .set_status(status)
            .error_code("CANNOT_CREATE_HOSTED_ZONE")
            .error_message("ConflictingDomainExists")
            .targets(OperationTargetType::Namespace, "ns-123")
            .build()
    }

    #[test]
    fn success_is_ready_and_names_its_target() {
        match classify(&op(Some(OperationStatus::Success))) {
            Ok(Poll::Ready(o)) => assert_eq!(
                target(&o, OperationTargetType::Namespace).as_deref(),
                Some("ns-123")
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn submitted_and_pending_keep_waiting() {
        for s in [OperationStatus::Submitted, OperationStatus::Pending] {
            let want = s.as_str().to_string();
            assert!(matches!(classify(&op(Some(s))), Ok(Poll::Pending(p)) if p == want));
        }
        assert!(matches!(classify(&op(None)), Ok(Poll::Pending(_))));
    }

    #[test]
    fn fail_surfaces_aws_code_and_message() {
        let err = classify(&op(Some(OperationStatus::Fail))).unwrap_err();
        let d = diag(
            &RetryError::Failed(err),
            "creating Service Discovery Private DNS Namespace",
            "internal",
        );
        assert_eq!(
            d.summary,
            "creating Service Discovery Private DNS Namespace (internal)"
        );
        assert_eq!(
            d.detail,
            "Cloud Map operation op-1 failed: CANNOT_CREATE_HOSTED_ZONE: ConflictingDomainExists"
        );
    }
}
