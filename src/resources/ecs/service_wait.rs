//! Waiting for an ECS service: ACTIVE after create/update, steady state when
//! `wait_for_steady_state` (following the deployment the operation started, and failing with
//! ECS's own reason when it fails or the circuit breaker rolls it back, hashicorp/aws #19519),
//! and INACTIVE after delete. Every wait is bounded by the resource's timeout and ends on Stop.

use std::time::{Duration, SystemTime};

use aws_sdk_ecs::types::{CreatedAt, ServiceDeploymentStatus};
use serde_json::Value as J;

use crate::aws::ecs_json::CaptureBody;
use crate::aws::errors;
use crate::aws::retry::{self, Poll, RetryError, WaitPolicy};
use crate::framework::{Diagnostic, StopToken};

/// What one look at a service says about the deployment being followed.
#[derive(Debug, PartialEq)]
pub enum Outcome {
    Done,
    Pending(String),
    Failed(String),
}

/// Decides from a DescribeServices `services[]` entry. `ours` is the deployment id being
/// followed; the first call records the PRIMARY deployment at that moment.
pub fn steady_state(service: &J, ours: &mut Option<String>) -> Outcome {
    let status = service.get("status").and_then(J::as_str).unwrap_or("");
    if status == "INACTIVE" {
        return Outcome::Failed("the service became INACTIVE".into());
    }
    let deployments: &[J] = service
        .get("deployments")
        .and_then(J::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let field = |d: &J, k: &str| d.get(k).and_then(J::as_str).unwrap_or("").to_string();
    let count = |d: &J, k: &str| d.get(k).and_then(J::as_i64).unwrap_or(0);
    let Some(primary) = deployments.iter().find(|d| field(d, "status") == "PRIMARY") else {
        return Outcome::Pending("no PRIMARY deployment yet".into());
    };
    let id = ours.get_or_insert_with(|| field(primary, "id")).clone();
    let Some(mine) = deployments.iter().find(|d| field(d, "id") == id) else {
        return Outcome::Failed(format!(
            "deployment {id} is gone: ECS replaced it (a circuit-breaker rollback?); the service now runs {} ({})",
            field(primary, "taskDefinition"),
            field(primary, "rolloutStateReason")
        ));
    };
    let rollout = field(mine, "rolloutState");
    let reason = field(mine, "rolloutStateReason");
    if rollout == "FAILED" {
        return Outcome::Failed(format!("deployment {id} FAILED: {reason}"));
    }
    if field(mine, "status") != "PRIMARY" {
        return Outcome::Failed(format!(
            "deployment {id} is no longer PRIMARY: the service now runs {} ({})",
            field(primary, "taskDefinition"),
            field(primary, "rolloutStateReason")
        ));
    }
    let (running, desired) = (count(mine, "runningCount"), count(mine, "desiredCount"));
    let settled = deployments.len() == 1 && running == desired;
    match rollout.as_str() {
        "COMPLETED" if settled => Outcome::Done,
        // Non-ECS deployment controllers report no rollout state: one deployment at its count.
        "" if settled => Outcome::Done,
        _ => Outcome::Pending(format!(
            "{} {running}/{desired} running, {} deployments",
            if rollout.is_empty() {
                "deployment"
            } else {
                &rollout
            },
            deployments.len()
        )),
    }
}

/// What ListServiceDeployments says of the newest deployment since `since`.
fn deployment_status(status: &ServiceDeploymentStatus, reason: Option<&str>) -> Outcome {
    let reason = reason.unwrap_or("no reason given");
    match status {
        ServiceDeploymentStatus::Successful => Outcome::Done,
        ServiceDeploymentStatus::Stopped
        | ServiceDeploymentStatus::RollbackSuccessful
        | ServiceDeploymentStatus::RollbackFailed
        | ServiceDeploymentStatus::RollbackRequested
        | ServiceDeploymentStatus::RollbackInProgress => {
            Outcome::Failed(format!("service deployment {}: {reason}", status.as_str()))
        }
        other => Outcome::Pending(other.as_str().to_string()),
    }
}

/// One DescribeServices call, raw. Ok(None) when ECS lists the service as missing.
pub async fn describe_raw(
    ecs: &aws_sdk_ecs::Client,
    cluster: Option<&str>,
    service: &str,
) -> Result<
    Option<J>,
    aws_sdk_ecs::error::SdkError<aws_sdk_ecs::operation::describe_services::DescribeServicesError>,
> {
    let capture = CaptureBody::new();
    ecs.describe_services()
        .set_cluster(cluster.map(str::to_string))
        .services(service)
        .include(aws_sdk_ecs::types::ServiceField::Tags)
        .customize()
        .interceptor(capture.clone())
        .send()
        .await?;
    Ok(capture.json().and_then(|r| {
        r.get("services")
            .and_then(J::as_array)
            .and_then(|a| a.first().cloned())
    }))
}

pub type WaitError = RetryError<Diagnostic>;

fn describe_diag(e: &impl errors::Describe, service: &str) -> Diagnostic {
    errors::aws_diag("reading ECS Service", service, e)
}

/// Waits until the service is ACTIVE; returns that describe answer (tags included), so a caller
/// needs no second DescribeServices to build its state.
pub async fn active(
    stop: &StopToken,
    ecs: &aws_sdk_ecs::Client,
    cluster: Option<&str>,
    service: &str,
    budget: Duration,
) -> Result<J, WaitError> {
    retry::wait_until(
        stop,
        "waiting for the service to become ACTIVE",
        WaitPolicy::new(budget),
        || async {
            match describe_raw(ecs, cluster, service).await {
                Ok(Some(s)) if s.get("status").and_then(J::as_str) == Some("ACTIVE") => {
                    Ok(Poll::Ready(s))
                }
                Ok(Some(s)) => Ok(Poll::Pending(
                    s.get("status")
                        .and_then(J::as_str)
                        .unwrap_or("?")
                        .to_string(),
                )),
                Ok(None) => Ok(Poll::Pending("not found".into())),
                Err(e) if errors::is_not_found(&e) => Ok(Poll::Pending("not found".into())),
                Err(e) => Err(describe_diag(&e, service)),
            }
        },
    )
    .await
}

/// Waits for the deployment started at `since` to reach steady state. Uses
/// ListServiceDeployments (its status and reason) where ECS offers it and falls back to the
/// service's deployments and rollout state where it does not (older endpoints, emulators, or no
/// permission for it).
pub async fn stable(
    stop: &StopToken,
    ecs: &aws_sdk_ecs::Client,
    cluster: Option<&str>,
    service: &str,
    since: SystemTime,
    budget: Duration,
) -> Result<(), WaitError> {
    let use_deployments_api = std::sync::atomic::AtomicBool::new(true);
    let ours = std::sync::Mutex::new(None::<String>);
    let after = aws_smithy_types::DateTime::from(
        since.checked_sub(Duration::from_secs(5)).unwrap_or(since),
    );
    let policy = WaitPolicy::new(budget).consecutive(1);
    retry::wait_until(stop, "waiting for the service to reach steady state", policy, || async {
        let svc = match describe_raw(ecs, cluster, service).await {
            Ok(Some(s)) => s,
            Ok(None) => return Ok(Poll::Pending("not found".into())),
            Err(e) => return Err(describe_diag(&e, service)),
        };
        let fallback = {
            let mut g = ours.lock().unwrap_or_else(|e| e.into_inner());
            steady_state(&svc, &mut g)
        };
        let controller = svc.get("deploymentController").and_then(|c| c.get("type")).and_then(J::as_str).unwrap_or("ECS");
        let mut outcome = fallback;
        if controller == "ECS" && use_deployments_api.load(std::sync::atomic::Ordering::Relaxed) {
            let listed = ecs
                .list_service_deployments()
                .service(service)
                .set_cluster(cluster.map(str::to_string))
                .created_at(CreatedAt::builder().after(after).build())
                .customize()
                // An optional refinement: a failing endpoint must not hold the wait in the
                // SDK's retry loop (max_retries can mean minutes): one failure switches this wait
                // to the service's rollout state.
                .config_override(
                    aws_sdk_ecs::config::Builder::default()
                        .retry_config(aws_sdk_ecs::config::retry::RetryConfig::standard().with_max_attempts(2)),
                )
                .send()
                .await;
            match listed {
                Ok(out) => {
                    let newest = out.service_deployments().iter().max_by_key(|d| d.created_at().map(|t| t.as_nanos()).unwrap_or(0));
                    if let Some(status) = newest.and_then(|d| d.status().map(|s| (s, d.status_reason()))) {
                        outcome = match deployment_status(status.0, status.1) {
                            // The service-level rollout state still has to agree (tasks counted).
                            Outcome::Done => match outcome {
                                Outcome::Failed(f) => Outcome::Failed(f),
                                _ => Outcome::Done,
                            },
                            other => other,
                        };
                    }
                }
                Err(e) => {
                    log_info!("ListServiceDeployments unavailable; following the service's rollout state", "error" = errors::describe(&e));
                    use_deployments_api.store(false, std::sync::atomic::Ordering::Relaxed);
                }
            }
        }
        match outcome {
            Outcome::Done => Ok(Poll::Ready(())),
            Outcome::Pending(s) => Ok(Poll::Pending(s)),
            Outcome::Failed(reason) => Err(Diagnostic::error(format!("waiting for ECS Service ({service}) to reach steady state"), reason)),
        }
    })
    .await
}

/// How long a deleted service is watched before its target groups' deregistration delays are
/// read to bound the rest of the wait: a service with no tasks left goes INACTIVE at once.
const FIRST_LOOK: Duration = Duration::from_secs(15);

/// The first, short part of the drain wait; never longer than a `timeouts.delete` the user set.
pub fn first_look(user_timeout: Option<Duration>) -> Duration {
    user_timeout.map_or(FIRST_LOOK, |t| t.min(FIRST_LOOK))
}

/// Waits until the service is INACTIVE or gone.
pub async fn inactive(
    stop: &StopToken,
    ecs: &aws_sdk_ecs::Client,
    cluster: Option<&str>,
    service: &str,
    budget: Duration,
) -> Result<(), WaitError> {
    retry::wait_until(
        stop,
        "waiting for the service to become INACTIVE",
        WaitPolicy::new(budget),
        || async {
            match describe_raw(ecs, cluster, service).await {
                Ok(None) => Ok(Poll::Ready(())),
                Ok(Some(s)) if s.get("status").and_then(J::as_str) == Some("INACTIVE") => {
                    Ok(Poll::Ready(()))
                }
                Ok(Some(s)) => Ok(Poll::Pending(
                    s.get("status")
                        .and_then(J::as_str)
                        .unwrap_or("?")
                        .to_string(),
                )),
                Err(e) if errors::is_not_found(&e) => Ok(Poll::Ready(())),
                Err(e) => Err(describe_diag(&e, service)),
            }
        },
    )
    .await
}

/// The diagnostic for a wait outcome.
pub fn wait_diag(e: WaitError, operation: &str, service: &str) -> Diagnostic {
    match e {
        RetryError::Failed(d) => d,
        other => other.diag_with(operation, service, |d| d.detail.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_look_is_short_and_within_the_users_timeout() {
        assert_eq!(first_look(None), FIRST_LOOK);
        let long = Duration::from_secs(600);
        assert_eq!(first_look(Some(long)), FIRST_LOOK);
        let short = Duration::from_secs(5);
        assert_eq!(first_look(Some(short)), short);
    }
    use serde_json::json;

    fn dep(id: &str, status: &str, rollout: &str, running: i64, desired: i64) -> J {
        json!({"id": id, "status": status, "rolloutState": rollout, "rolloutStateReason": format!("{id} {rollout}"),
               "runningCount": running, "desiredCount": desired, "taskDefinition": format!("td-{id}")})
    }

    #[test]
    fn follows_the_deployment_it_started_with() {
        let mut ours = None;
        let svc = json!({"status": "ACTIVE", "deployments": [dep("new", "PRIMARY", "IN_PROGRESS", 1, 2), dep("old", "ACTIVE", "COMPLETED", 2, 2)]});
        assert!(matches!(steady_state(&svc, &mut ours), Outcome::Pending(_)));
        assert_eq!(ours.as_deref(), Some("new"));
        let done =
            json!({"status": "ACTIVE", "deployments": [dep("new", "PRIMARY", "COMPLETED", 2, 2)]});
        assert_eq!(steady_state(&done, &mut ours), Outcome::Done);
    }

    #[test]
    fn failures_and_rollbacks_fail_with_the_reason() {
        let mut ours = Some("new".to_string());
        let failed =
            json!({"status": "ACTIVE", "deployments": [dep("new", "PRIMARY", "FAILED", 0, 2)]});
        match steady_state(&failed, &mut ours) {
            Outcome::Failed(r) => assert!(r.contains("new FAILED"), "{r}"),
            o => panic!("{o:?}"),
        }
        // The circuit breaker rolled back: a rollback deployment is PRIMARY and completes.
        let rolled = json!({"status": "ACTIVE", "deployments": [dep("rollback", "PRIMARY", "COMPLETED", 2, 2)]});
        match steady_state(&rolled, &mut ours) {
            Outcome::Failed(r) => assert!(r.contains("td-rollback"), "{r}"),
            o => panic!("{o:?}"),
        }
        let superseded = json!({"status": "ACTIVE", "deployments": [dep("later", "PRIMARY", "IN_PROGRESS", 0, 2), dep("new", "ACTIVE", "IN_PROGRESS", 1, 2)]});
        assert!(matches!(
            steady_state(&superseded, &mut ours),
            Outcome::Failed(_)
        ));
        assert!(matches!(
            steady_state(&json!({"status": "INACTIVE"}), &mut ours),
            Outcome::Failed(_)
        ));
    }

    #[test]
    fn controllers_without_rollout_state_wait_for_one_settled_deployment() {
        let mut ours = None;
        let two = json!({"status": "ACTIVE", "deployments": [dep("a", "PRIMARY", "", 2, 2), dep("b", "ACTIVE", "", 1, 1)]});
        assert!(matches!(steady_state(&two, &mut ours), Outcome::Pending(_)));
        let one = json!({"status": "ACTIVE", "deployments": [dep("a", "PRIMARY", "", 2, 2)]});
        assert_eq!(steady_state(&one, &mut ours), Outcome::Done);
    }

    #[test]
    fn service_deployment_statuses_map_to_outcomes() {
        assert_eq!(
            deployment_status(&ServiceDeploymentStatus::Successful, None),
            Outcome::Done
        );
        match deployment_status(
            &ServiceDeploymentStatus::RollbackSuccessful,
            Some("tasks failed health checks"),
        ) {
            Outcome::Failed(r) => assert!(
                r.contains("ROLLBACK_SUCCESSFUL") && r.contains("health checks"),
                "{r}"
            ),
            o => panic!("{o:?}"),
        }
        assert!(matches!(
            deployment_status(&ServiceDeploymentStatus::InProgress, None),
            Outcome::Pending(_)
        ));
    }
}
