//! An ECS service behind ELBv2 target groups: the plan-time check that the target group's
//! `target_type` fits the task definition's network mode, and how long a destroy may wait for the
//! service to drain (its target groups' deregistration delay, not a fixed long timeout).

use std::time::Duration;

use crate::aws::AwsClients;
use crate::framework::{AttrPath, Ctx, Diagnostics, Value};
use crate::resources::elbv2;

/// How long ECS may take to stop a task after its deregistration delay: the largest container
/// `stopTimeout` ECS allows (SIGTERM to SIGKILL).
const MAX_STOP_TIMEOUT: Duration = Duration::from_secs(120);
/// For ECS to notice a finished deregistration, stop the task and mark the service INACTIVE.
const DRAIN_SLACK: Duration = Duration::from_secs(120);

/// Why a target group of `target_type` cannot take tasks of `network_mode`, if it cannot.
/// ECS registers awsvpc tasks by their ENI's IP and bridge/host tasks by their instance.
pub fn target_type_conflict(network_mode: &str, target_type: &str) -> Option<String> {
    match (network_mode, target_type) {
        ("awsvpc", "instance") => Some(
            "tasks with network_mode \"awsvpc\" have their own IP address: ECS registers them in a target group of target_type \"ip\", not \"instance\"".into(),
        ),
        ("bridge" | "host", "ip") => Some(format!(
            "tasks with network_mode {network_mode:?} are reached through their container instance: ECS registers them in a target group of target_type \"instance\", not \"ip\""
        )),
        (_, "lambda" | "alb") => Some(format!(
            "ECS cannot register tasks in a target group of target_type {target_type:?}"
        )),
        _ => None,
    }
}

/// Checks each `load_balancer` whose target group already exists (a read, never a write). A
/// target group created by this same apply has an unknown ARN and is judged by ECS at apply.
pub async fn check_target_types(
    ctx: &Ctx<AwsClients>,
    config: &Value,
    network_mode: &str,
    diags: &mut Diagnostics,
) {
    let lbs = config.get("load_balancer");
    if !lbs.is_known() {
        return;
    }
    let set = ctx.client.regional(config);
    for lb in lbs.elements() {
        let Some(arn) = lb.get("target_group_arn").as_str() else {
            continue;
        };
        // A group this process created (the apply-time re-plan of a service whose group was
        // created by the same apply) is known; others are read.
        let tt = match elbv2::known_target_type(arn) {
            Some(tt) => tt,
            None => {
                let Ok(out) = set
                    .elbv2()
                    .describe_target_groups()
                    .target_group_arns(arn)
                    .send()
                    .await
                else {
                    continue; // not readable now: ECS will judge at apply
                };
                let Some(tt) = out.target_groups().first().and_then(|tg| tg.target_type()) else {
                    continue;
                };
                tt.as_str().to_string()
            }
        };
        // A set element has no path Terraform can point at: the message names the argument.
        if let Some(why) = target_type_conflict(network_mode, &tt) {
            diags.invalid(
                AttrPath::attr("load_balancer"),
                format!("load_balancer.target_group_arn {arn}: {why}"),
            );
        }
    }
}

/// The deregistration delays (seconds) of the service's target groups, as ELBv2 reports them;
/// groups that cannot be read are left out.
pub async fn deregistration_delays(ctx: &Ctx<AwsClients>, prior: &Value) -> Vec<u64> {
    let set = ctx.client.regional(prior);
    let mut delays = Vec::new();
    for lb in prior.get("load_balancer").elements() {
        let Some(arn) = lb.get("target_group_arn").as_str() else {
            continue;
        };
        let Ok(out) = set
            .elbv2()
            .describe_target_group_attributes()
            .target_group_arn(arn)
            .send()
            .await
        else {
            continue;
        };
        if let Some(d) = out
            .attributes()
            .iter()
            .find(|a| a.key() == Some("deregistration_delay.timeout_seconds"))
            .and_then(|a| a.value())
            .and_then(|v| v.parse().ok())
        {
            delays.push(d);
        }
    }
    delays
}

/// How long a destroy waits for the service to become INACTIVE once ECS accepted the delete.
/// Behind target groups ECS first waits out the longest deregistration delay, then stops the
/// tasks: that plus the stop timeout and some slack is all a drain needs. A `timeouts.delete`
/// the user set wins; without target groups (or with unreadable ones) the default applies.
pub fn drain_budget(delays: &[u64], user_timeout: Option<Duration>, default: Duration) -> Duration {
    if let Some(t) = user_timeout {
        return t;
    }
    match delays.iter().max() {
        Some(&d) => (Duration::from_secs(d) + MAX_STOP_TIMEOUT + DRAIN_SLACK).min(default),
        None => default,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_types_must_fit_the_network_mode() {
        let cases = [
            ("awsvpc", "ip", false),
            ("awsvpc", "instance", true),
            ("bridge", "instance", false),
            ("bridge", "ip", true),
            ("host", "instance", false),
            ("host", "ip", true),
            ("bridge", "lambda", true),
            ("awsvpc", "alb", true),
        ];
        for (mode, tt, conflict) in cases {
            let got = target_type_conflict(mode, tt);
            assert_eq!(got.is_some(), conflict, "{mode} + {tt}: {got:?}");
            if let Some(why) = got {
                assert!(why.contains(tt), "{why}");
            }
        }
    }

    #[test]
    fn the_drain_wait_follows_the_longest_deregistration_delay() {
        let default = Duration::from_secs(20 * 60);
        // 30 s delay: 30 + 120 stop + 120 slack.
        assert_eq!(drain_budget(&[30], None, default), Duration::from_secs(270));
        assert_eq!(
            drain_budget(&[5, 300, 0], None, default),
            Duration::from_secs(540)
        );
        assert_eq!(drain_budget(&[0], None, default), Duration::from_secs(240));
        // Never longer than the resource's default, however long the delay.
        assert_eq!(drain_budget(&[3600], None, default), default);
        // No target group: nothing to derive a bound from.
        assert_eq!(drain_budget(&[], None, default), default);
        // The user's timeouts.delete is the user's choice.
        let user = Some(Duration::from_secs(60));
        assert_eq!(drain_budget(&[300], user, default), Duration::from_secs(60));
    }
}
