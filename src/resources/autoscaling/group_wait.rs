//! The Auto Scaling group's long operations: waiting for capacity after create/resize, and the
//! destroy sequence (warm pool, drain with scale-in protection cleared, delete, wait gone). Every
//! wait is bounded, backs off and ends on Stop.

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_autoscaling::types::{AutoScalingGroup, LifecycleState, ScalingActivityStatusCode};
use aws_sdk_autoscaling::Client;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use tokio::time::Instant;

use crate::aws::errors;
use crate::aws::retry::{self, Poll, WaitPolicy};
use crate::aws::AwsClients;
use crate::framework::{Ctx, Diagnostic};

const KIND: &str = "Auto Scaling Group";
/// SetInstanceProtection takes at most 50 instances per call.
const PROTECTION_BATCH: usize = 50;

/// The group does not exist (Auto Scaling reports this as a generic ValidationError).
pub fn is_group_not_found<E: ProvideErrorMetadata>(e: &E) -> bool {
    errors::has_code(e, "ValidationError") && e.message().is_some_and(|m| m.contains("not found"))
}

/// A just-created instance profile that EC2 does not see yet (hashicorp/aws PR #5633, #40088).
pub fn is_instance_profile_propagation<E: ProvideErrorMetadata>(e: &E) -> bool {
    errors::code_and_message_contains(e, "ValidationError", "Invalid IAM Instance Profile")
}

/// Another scaling activity holds the group; retry until it ends.
pub fn is_busy<E: ProvideErrorMetadata>(e: &E) -> bool {
    [
        "ResourceInUse",
        "ScalingActivityInProgress",
        "ResourceContention",
    ]
    .iter()
    .any(|c| errors::has_code(e, c))
}

pub async fn find(asg: &Client, name: &str) -> Result<Option<AutoScalingGroup>, String> {
    match asg
        .describe_auto_scaling_groups()
        .auto_scaling_group_names(name)
        .send()
        .await
    {
        Ok(out) => Ok(out
            .auto_scaling_groups()
            .iter()
            .find(|g| g.auto_scaling_group_name() == Some(name))
            .cloned()),
        Err(e) if is_group_not_found(&e) => Ok(None),
        Err(e) => Err(errors::describe(&e)),
    }
}

/// How much healthy capacity a create or resize waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CapacityTarget {
    pub asg: i64,
    pub elb: i64,
    /// Updates wait for exactly the target (a scale-in too); creates for at least it.
    pub exact: bool,
}

impl CapacityTarget {
    pub fn satisfied(&self, have_asg: i64, have_elb: i64) -> Result<(), String> {
        let ok = |want: i64, have: i64| {
            if self.exact {
                want <= 0 || have == want
            } else {
                have >= want
            }
        };
        if !ok(self.asg, have_asg) {
            return Err(format!(
                "{have_asg} healthy instances in the group, waiting for {}",
                self.asg
            ));
        }
        if !ok(self.elb, have_elb) {
            return Err(format!(
                "{have_elb} instances healthy in every target group, waiting for {}",
                self.elb
            ));
        }
        Ok(())
    }
}

/// Healthy InService capacity (weighted), and how much of it is healthy in every target group
/// (`elb_health` maps target group → instance id → state; classic load balancers are not checked).
pub fn count_capacity(
    group: &AutoScalingGroup,
    elb_health: &[BTreeMap<String, String>],
) -> (i64, i64) {
    let (mut in_asg, mut in_all) = (0, 0);
    for i in group.instances() {
        let Some(id) = i.instance_id().filter(|s| !s.is_empty()) else {
            continue;
        };
        let healthy = i
            .health_status()
            .is_some_and(|h| h.eq_ignore_ascii_case("Healthy"));
        if !healthy || i.lifecycle_state() != Some(&LifecycleState::InService) {
            continue;
        }
        let inc = i
            .weighted_capacity()
            .and_then(|w| w.parse::<i64>().ok())
            .unwrap_or(1);
        in_asg += inc;
        if elb_health
            .iter()
            .all(|tg| tg.get(id).is_some_and(|s| s == "healthy"))
        {
            in_all += inc;
        }
    }
    (in_asg, in_all)
}

async fn target_health(
    ctx: &Ctx<AwsClients>,
    region: &str,
    group: &AutoScalingGroup,
) -> Result<Vec<BTreeMap<String, String>>, String> {
    let elb = ctx.client.in_region(Some(region));
    let mut out = Vec::new();
    for arn in group.target_group_arns() {
        let health = elb
            .elbv2()
            .describe_target_health()
            .target_group_arn(arn)
            .send()
            .await
            .map_err(|e| errors::describe(&e))?;
        out.push(
            health
                .target_health_descriptions()
                .iter()
                .filter_map(|d| {
                    let id = d.target()?.id()?.to_string();
                    let state = d.target_health()?.state()?.as_str().to_string();
                    Some((id, state))
                })
                .collect(),
        );
    }
    Ok(out)
}

/// A scaling activity started by this operation that failed for good (not the instance-profile
/// propagation failure, which Auto Scaling retries by itself).
async fn failed_activity(
    asg: &Client,
    name: &str,
    since: aws_smithy_types::DateTime,
) -> Result<Option<String>, String> {
    let out = asg
        .describe_scaling_activities()
        .auto_scaling_group_name(name)
        .send()
        .await
        .map_err(|e| errors::describe(&e))?;
    Ok(out.activities().iter().find_map(|a| {
        let started = a.start_time().is_some_and(|t| t.secs() >= since.secs());
        let failed = a.status_code() == Some(&ScalingActivityStatusCode::Failed)
            && a.progress() == Some(100);
        let msg = a.status_message().unwrap_or_default();
        (started && failed && !msg.contains("Invalid IAM Instance Profile")).then(|| {
            format!(
                "scaling activity {} failed: {msg}",
                a.activity_id().unwrap_or("?")
            )
        })
    }))
}

/// Waits until the group has the target's healthy capacity (hashicorp/aws
/// `waitGroupCapacitySatisfied`), failing early on a failed scaling activity.
#[allow(clippy::too_many_arguments)]
pub async fn wait_for_capacity(
    ctx: &Ctx<AwsClients>,
    region: &str,
    name: &str,
    target: CapacityTarget,
    budget: Duration,
    ignore_failed_activities: bool,
    since: aws_smithy_types::DateTime,
    operation: &str,
) -> Result<(), Diagnostic> {
    let set = ctx.client.in_region(Some(region));
    let asg = set.autoscaling();
    retry::wait_until(
        &ctx.stop,
        "waiting for the group's capacity",
        WaitPolicy::new(budget),
        || async {
            if !ignore_failed_activities {
                if let Some(msg) = failed_activity(asg, name, since).await? {
                    return Err(format!(
                        "{msg} (set ignore_failed_scaling_activities = true to keep waiting)"
                    ));
                }
            }
            let Some(group) = find(asg, name).await? else {
                return Err("the group disappeared while waiting for capacity".to_string());
            };
            let health = if target.elb > 0 && !group.target_group_arns().is_empty() {
                target_health(ctx, region, &group).await?
            } else {
                Vec::new()
            };
            let (have_asg, have_elb) = count_capacity(&group, &health);
            Ok(match target.satisfied(have_asg, have_elb) {
                Ok(()) => Poll::Ready(()),
                Err(state) => Poll::Pending(state),
            })
        },
    )
    .await
    .map_err(|e| {
        let mut d = e.diag_with(operation, name, |s| s.clone());
        if matches!(e, retry::RetryError::TimedOut { .. }) {
            d.detail.push_str(
                ". Raise wait_for_capacity_timeout, or set it to \"0\" to skip this wait.",
            );
        }
        d
    })
}

/// Time left until `deadline` (zero when past).
fn left(deadline: Instant) -> Duration {
    deadline.saturating_duration_since(Instant::now())
}

/// Clears scale-in protection on the given instances, 50 per call. Instances that already left the
/// group are not an error.
async fn unprotect(asg: &Client, name: &str, ids: &[String]) -> Result<(), String> {
    for chunk in ids.chunks(PROTECTION_BATCH) {
        let r = asg
            .set_instance_protection()
            .auto_scaling_group_name(name)
            .set_instance_ids(Some(chunk.to_vec()))
            .protected_from_scale_in(false)
            .send()
            .await;
        match r {
            Ok(_) => {}
            Err(e)
                if errors::has_code(&e, "ValidationError")
                    && e.message().is_some_and(|m| m.contains("The instance")) => {}
            Err(e) if is_group_not_found(&e) => return Ok(()),
            Err(e) => return Err(errors::describe(&e)),
        }
    }
    Ok(())
}

fn protected_ids(group: &AutoScalingGroup) -> Vec<String> {
    group
        .instances()
        .iter()
        .filter(|i| i.protected_from_scale_in() == Some(true))
        .filter_map(|i| i.instance_id().map(str::to_string))
        .collect()
}

/// Scales the group to zero and clears scale-in protection (ECS managed termination protection
/// sets it) on its instances, both at once: Auto Scaling terminates the unprotected excess in
/// whichever order the two land.
async fn scale_in(
    ctx: &Ctx<AwsClients>,
    asg: &Client,
    name: &str,
    group: &AutoScalingGroup,
    deadline: Instant,
) -> Result<(), Diagnostic> {
    let op = format!("deleting {KIND}");
    let to_zero = retry::retry_when(
        &ctx.stop,
        "setting the group's capacity to 0",
        left(deadline),
        is_busy,
        || {
            asg.update_auto_scaling_group()
                .auto_scaling_group_name(name)
                .min_size(0)
                .max_size(0)
                .desired_capacity(0)
                .send()
        },
    );
    let ids = protected_ids(group);
    let (scaled, unprotected) = tokio::join!(to_zero, unprotect(asg, name, &ids));
    match scaled {
        Ok(_) => {}
        Err(e) if e.error().is_some_and(is_group_not_found) => return Ok(()),
        Err(e) => return Err(e.diag(&op, name)),
    }
    unprotected.map_err(|m| {
        Diagnostic::error(
            errors::summary(&op, name),
            format!("clearing scale-in protection: {m}"),
        )
    })
}

/// Waits until the group's instances are gone, clearing scale-in protection again on every poll
/// so a protection re-applied meanwhile cannot stall the destroy.
async fn wait_drained(
    ctx: &Ctx<AwsClients>,
    asg: &Client,
    name: &str,
    deadline: Instant,
) -> Result<(), Diagnostic> {
    let op = format!("deleting {KIND}");
    retry::wait_until(
        &ctx.stop,
        "waiting for the group's instances to terminate",
        WaitPolicy::new(left(deadline)),
        || async {
            let Some(g) = find(asg, name).await? else {
                return Ok(Poll::Ready(()));
            };
            let n = g.instances().len();
            if n == 0 {
                return Ok(Poll::Ready(()));
            }
            let again = protected_ids(&g);
            unprotect(asg, name, &again).await?;
            Ok(Poll::Pending(format!(
                "{n} instances remaining ({} protected from scale in)",
                again.len()
            )))
        },
    )
    .await
    .map_err(|e: retry::RetryError<String>| e.diag_with(&op, name, |s| s.clone()))
}

/// After the first DeleteAutoScalingGroup: whether to watch the drain before deleting again. The
/// delete is the first look at the drain (AWS answers ResourceInUse while instances remain), so
/// a group whose instances are already gone costs no describe.
fn watch_drain_after<E: ProvideErrorMetadata>(e: &E, scaled_in: bool, had_instances: bool) -> bool {
    scaled_in && had_instances && is_busy(e)
}

/// Deletes the warm pool, if the group has one, and waits until it is gone.
async fn delete_warm_pool(
    ctx: &Ctx<AwsClients>,
    asg: &Client,
    name: &str,
    force: bool,
    deadline: Instant,
) -> Result<(), Diagnostic> {
    let op = format!("deleting {KIND} warm pool");
    let r = retry::retry_when(
        &ctx.stop,
        "deleting the warm pool",
        left(deadline),
        is_busy,
        || {
            asg.delete_warm_pool()
                .auto_scaling_group_name(name)
                .force_delete(force)
                .send()
        },
    )
    .await;
    match r {
        Ok(_) => {}
        Err(e)
            if e.error()
                .is_some_and(|x| is_group_not_found(x) || errors::is_not_found(x)) =>
        {
            return Ok(())
        }
        Err(e) => return Err(e.diag(&op, name)),
    }
    retry::wait_until(
        &ctx.stop,
        "waiting for the warm pool to be deleted",
        WaitPolicy::new(left(deadline)),
        || async {
            match asg
                .describe_warm_pool()
                .auto_scaling_group_name(name)
                .send()
                .await
            {
                Ok(out) if out.warm_pool_configuration().is_some() => Ok(Poll::Pending(format!(
                    "{} instances in the warm pool",
                    out.instances().len()
                ))),
                Ok(_) => Ok(Poll::Ready(())),
                Err(e) if is_group_not_found(&e) => Ok(Poll::Ready(())),
                Err(e) => Err(errors::describe(&e)),
            }
        },
    )
    .await
    .map_err(|e: retry::RetryError<String>| e.diag_with(&op, name, |s| s.clone()))
}

/// The whole destroy: warm pool, scale in (unless `force_delete`), delete (watching the drain and
/// retrying while instances or scaling activities remain), and wait until the group is gone, all
/// within `budget`.
pub async fn delete_group(
    ctx: &Ctx<AwsClients>,
    asg: &Client,
    name: &str,
    force_delete: bool,
    force_delete_warm_pool: bool,
    budget: Duration,
) -> Result<(), Diagnostic> {
    let op = format!("deleting {KIND}");
    let deadline = Instant::now() + budget;
    let group = find(asg, name)
        .await
        .map_err(|m| Diagnostic::error(errors::summary(&op, name), m))?;
    let Some(group) = group else {
        return Ok(());
    };
    if group.warm_pool_configuration().is_some() {
        delete_warm_pool(
            ctx,
            asg,
            name,
            force_delete || force_delete_warm_pool,
            deadline,
        )
        .await?;
    }
    if !force_delete {
        scale_in(ctx, asg, name, &group, deadline).await?;
    }
    let delete = || {
        asg.delete_auto_scaling_group()
            .auto_scaling_group_name(name)
            .force_delete(force_delete)
            .send()
    };
    match delete().await {
        Ok(_) => {}
        Err(e) if is_group_not_found(&e) => return Ok(()),
        Err(e) if is_busy(&e) => {
            if watch_drain_after(&e, !force_delete, !group.instances().is_empty()) {
                wait_drained(ctx, asg, name, deadline).await?;
            }
            let r = retry::retry_when(
                &ctx.stop,
                "deleting the group while its scaling activities finish",
                left(deadline),
                is_busy,
                delete,
            )
            .await;
            match r {
                Ok(_) => {}
                Err(e) if e.error().is_some_and(is_group_not_found) => return Ok(()),
                Err(e) => return Err(e.diag(&op, name)),
            }
        }
        Err(e) => return Err(errors::aws_diag(&op, name, &e)),
    }
    retry::wait_until(
        &ctx.stop,
        "waiting for the group to be deleted",
        WaitPolicy::new(left(deadline).max(Duration::from_secs(1))),
        || async {
            Ok(match find(asg, name).await? {
                None => Poll::Ready(()),
                Some(g) => Poll::Pending(g.status().unwrap_or("exists").to_string()),
            })
        },
    )
    .await
    .map_err(|e: retry::RetryError<String>| e.diag_with(&op, name, |s| s.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_autoscaling::types::Instance;

    fn instance(id: &str, state: LifecycleState, health: &str) -> Instance {
        Instance::builder()
            .instance_id(id)
            .lifecycle_state(state)
            .health_status(health)
            .availability_zone("us-east-1a")
            .protected_from_scale_in(false)
            .build()
    }

    #[test]
    fn capacity_counts_healthy_in_service_instances() {
        let group = AutoScalingGroup::builder()
            .auto_scaling_group_name("g")
            .instances(instance("i-1", LifecycleState::InService, "Healthy"))
            .instances(instance("i-2", LifecycleState::Pending, "Healthy"))
            .instances(instance("i-3", LifecycleState::InService, "Unhealthy"))
            .instances(instance("i-4", LifecycleState::InService, "HEALTHY"))
            .build();
        assert_eq!(count_capacity(&group, &[]), (2, 2));
        let tg: BTreeMap<String, String> = [("i-1".to_string(), "healthy".to_string())].into();
        assert_eq!(count_capacity(&group, &[tg]), (2, 1));
    }

    #[test]
    fn only_a_busy_delete_of_a_drained_group_with_instances_watches_the_drain() {
        use aws_smithy_types::error::ErrorMetadata;
        let e = |code: &str| ErrorMetadata::builder().code(code).build();
        assert!(watch_drain_after(&e("ResourceInUse"), true, true));
        assert!(watch_drain_after(
            &e("ScalingActivityInProgress"),
            true,
            true
        ));
        // force_delete: AWS terminates the instances with the group; no drain to watch.
        assert!(!watch_drain_after(&e("ResourceInUse"), false, true));
        // No instances at the start: only scaling activities to outlast, by retrying.
        assert!(!watch_drain_after(&e("ResourceInUse"), true, false));
        assert!(!watch_drain_after(&e("AccessDenied"), true, true));
    }

    #[test]
    fn errors_are_classified_by_code_and_message() {
        use aws_smithy_types::error::ErrorMetadata;
        let e = |code: &str, msg: &str| ErrorMetadata::builder().code(code).message(msg).build();
        assert!(is_instance_profile_propagation(&e(
            "ValidationError",
            "Invalid IAM Instance Profile name"
        )));
        assert!(!is_instance_profile_propagation(&e(
            "ValidationError",
            "Max bigger than min"
        )));
        assert!(is_group_not_found(&e(
            "ValidationError",
            "AutoScalingGroup name not found - AutoScalingGroup 'x' not found"
        )));
        assert!(!is_group_not_found(&e(
            "ValidationError",
            "Invalid IAM Instance Profile"
        )));
        assert!(is_busy(&e("ScalingActivityInProgress", "")) && is_busy(&e("ResourceInUse", "")));
        assert!(!is_busy(&e("AccessDenied", "")));
    }

    #[test]
    fn creates_wait_for_at_least_updates_for_exactly() {
        let create = CapacityTarget {
            asg: 2,
            elb: 0,
            exact: false,
        };
        assert!(create.satisfied(1, 0).is_err());
        assert!(create.satisfied(3, 0).is_ok());
        let update = CapacityTarget {
            asg: 2,
            elb: 0,
            exact: true,
        };
        assert!(update.satisfied(3, 0).is_err());
        assert!(update.satisfied(2, 0).is_ok());
        let elb = CapacityTarget {
            asg: 1,
            elb: 1,
            exact: false,
        };
        let err = elb.satisfied(1, 0).unwrap_err();
        assert!(err.contains("target group"), "{err}");
    }
}
