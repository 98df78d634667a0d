//! Ctrl-C during apply (issue 7): SIGINT to terraform's process group at several points of an
//! apply of a small multi-resource stack. Afterwards everything that exists in the account is in
//! state, a second apply converges, and destroy leaves nothing. One trial interrupts the
//! service's steady-state wait, which Stop must cancel (the create reports the interruption).

use std::time::{Duration, Instant};

use crate::support::*;

/// The names of one trial's objects.
struct Names {
    role: String,
    group: String,
    cluster: String,
    family: String,
    service: String,
}

impl Names {
    fn new() -> Names {
        Names {
            role: unique_name("intr"),
            group: format!("/ecs/{}", unique_name("intr")),
            cluster: unique_name("intr"),
            family: unique_name("intr"),
            service: unique_name("intr"),
        }
    }
}

/// A role, a log group, a cluster, a task definition and a service that waits for steady state;
/// with `desired_count = 1` the wait never ends on moto (no tasks start), with 0 it ends at once.
fn stack(n: &Names, desired_count: u32) -> String {
    config(&format!(
        r#"
resource "awsecs_iam_role" "exec" {{
  name = "{role}"
  assume_role_policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = "sts:AssumeRole", Principal = {{ Service = "ecs-tasks.amazonaws.com" }} }}]
  }})
}}

resource "awsecs_cloudwatch_log_group" "logs" {{
  name              = "{group}"
  retention_in_days = 7
}}

resource "awsecs_ecs_cluster" "c" {{
  name = "{cluster}"
}}

resource "awsecs_ecs_task_definition" "t" {{
  family             = "{family}"
  execution_role_arn = awsecs_iam_role.exec.arn
  container_definitions = jsonencode([{{
    name      = "web"
    image     = "nginx:1.27"
    memory    = 128
    essential = true
    logConfiguration = {{
      logDriver = "awslogs"
      options = {{
        awslogs-group         = awsecs_cloudwatch_log_group.logs.name
        awslogs-region        = "us-east-1"
        awslogs-stream-prefix = "web"
      }}
    }}
  }}])
}}

resource "awsecs_ecs_service" "s" {{
  name                  = "{service}"
  cluster               = awsecs_ecs_cluster.c.arn
  task_definition       = awsecs_ecs_task_definition.t.arn
  desired_count         = {desired_count}
  wait_for_steady_state = true
  timeouts {{
    create = "30m"
    update = "30m"
  }}
}}
"#,
        role = n.role,
        group = n.group,
        cluster = n.cluster,
        family = n.family,
        service = n.service,
    ))
}

/// What of the trial exists in the account, as `(state address, exists)`, asked of the API.
fn account(n: &Names) -> Vec<(&'static str, bool)> {
    let cfg = aws();
    block_on(async {
        let iam = aws_sdk_iam::Client::new(&cfg);
        let logs = aws_sdk_cloudwatchlogs::Client::new(&cfg);
        let ecs = aws_sdk_ecs::Client::new(&cfg);
        let role = iam.get_role().role_name(&n.role).send().await.is_ok();
        let group = logs
            .describe_log_groups()
            .log_group_name_prefix(&n.group)
            .send()
            .await
            .expect("DescribeLogGroups")
            .log_groups()
            .iter()
            .any(|g| g.log_group_name() == Some(n.group.as_str()));
        let cluster = ecs
            .describe_clusters()
            .clusters(&n.cluster)
            .send()
            .await
            .expect("DescribeClusters")
            .clusters()
            .iter()
            .any(|c| c.status() == Some("ACTIVE"));
        let task = !ecs
            .list_task_definitions()
            .family_prefix(&n.family)
            .status(aws_sdk_ecs::types::TaskDefinitionStatus::Active)
            .send()
            .await
            .expect("ListTaskDefinitions")
            .task_definition_arns()
            .is_empty();
        let service = cluster
            && ecs
                .describe_services()
                .cluster(&n.cluster)
                .services(&n.service)
                .send()
                .await
                .expect("DescribeServices")
                .services()
                .iter()
                .any(|s| s.status() == Some("ACTIVE"));
        vec![
            ("awsecs_iam_role.exec", role),
            ("awsecs_cloudwatch_log_group.logs", group),
            ("awsecs_ecs_cluster.c", cluster),
            ("awsecs_ecs_task_definition.t", task),
            ("awsecs_ecs_service.s", service),
        ]
    })
}

/// After an interrupted apply: what exists is in state, apply converges, destroy removes all.
#[track_caller]
fn check_recovery(tf: &Workdir, n: &Names, interrupted: &TfOutput) {
    let in_state = tf.state_addresses();
    let orphans: Vec<&str> = account(n)
        .into_iter()
        .filter(|(addr, exists)| *exists && !in_state.iter().any(|a| a == addr))
        .map(|(addr, _)| addr)
        .collect();
    assert!(
        orphans.is_empty(),
        "exist in the account but not in state after the interrupt: {orphans:?} (state: {in_state:?})\n{interrupted}"
    );
    let raw = format!("{}{}", interrupted.stdout, interrupted.stderr_raw);
    assert!(
        !raw.contains("panicked at") && !raw.contains("plugin exited"),
        "the provider crashed\n{interrupted}"
    );
    tf.set_config(&stack(n, 0));
    tf.apply();
    tf.assert_no_changes();
    tf.destroy();
    let left: Vec<&str> = account(n)
        .into_iter()
        .filter(|(_, exists)| *exists)
        .map(|(a, _)| a)
        .collect();
    assert!(left.is_empty(), "destroy left {left:?}");
}

fn apply_cmd(tf: &Workdir) -> TfRun<'_> {
    tf.cmd(&["apply", "-auto-approve", "-input=false", "-no-color"])
}

/// Polls `ready` (every 100ms, at most 5 minutes), then sleeps `extra`: a trigger for
/// [`TfRun::run_interrupted`] that lands at a point of the apply, not at a guessed time.
fn once(ready: impl Fn() -> bool, extra: Duration) {
    let deadline = Instant::now() + Duration::from_secs(300);
    while Instant::now() < deadline && !ready() {
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(extra);
}

/// SIGINT into an apply of the quick (desired_count = 0) stack once `ready` says so (plus
/// `extra`), then the recovery checks.
#[track_caller]
fn interrupt_once(
    what: &str,
    ready: impl Fn(&Names) -> bool + Send + 'static,
    extra: Duration,
    hold: Option<&str>,
) {
    let n = Names::new();
    let tf = Workdir::new(&stack(&n, 0));
    // A held call (the local AWS only) keeps the apply at that point however fast the rest is:
    // the interrupt lands while it is in flight, not after the apply has ended.
    if let (Some(op), Some(proxy)) = (hold, tf.proxy()) {
        let always = FaultRates {
            spike: 1.0,
            ..FaultRates::default()
        };
        proxy.set_faults(Some(
            FaultPlan::new(1, FaultRates::default())
                .with_override(op, always)
                .with_spikes(Duration::from_secs(2), Duration::from_secs(3)),
        ));
    }
    let names = n.clone_names();
    let out = apply_cmd(&tf).run_interrupted(move || once(|| ready(&names), extra));
    eprintln!(
        "interrupt {what} (+{extra:?}): exit {}, in state: {:?}",
        out.code,
        tf.state_addresses()
    );
    let shown = format!("{}{}", out.stdout, out.stderr);
    assert!(
        shown.contains("Interrupt received"),
        "terraform did not see the interrupt (did the apply end first?)\n{out}"
    );
    check_recovery(&tf, &n, &out);
}

impl Names {
    fn clone_names(&self) -> Names {
        Names {
            role: self.role.clone(),
            group: self.group.clone(),
            cluster: self.cluster.clone(),
            family: self.family.clone(),
            service: self.service.clone(),
        }
    }
}

fn exists(n: &Names, addr: &str) -> bool {
    account(n).into_iter().any(|(a, e)| a == addr && e)
}

/// A delay in `[0, max_ms)` ms from `AWSECS_INTERRUPT_SEED` (default 1) and the trial number.
fn jittered(trial: u64, max_ms: u64) -> Duration {
    let seed: u64 = std::env::var("AWSECS_INTERRUPT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let mut z = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(trial);
    z = (z ^ (z >> 31)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    Duration::from_millis((z ^ (z >> 29)) % max_ms)
}

#[test]
fn interrupt_once_the_first_resources_exist_leaves_nothing_untracked() {
    interrupt_once(
        "after the role exists",
        |n| exists(n, "awsecs_iam_role.exec"),
        jittered(1, 200),
        Some("ecs:RegisterTaskDefinition"),
    );
}

#[test]
fn interrupt_mid_apply_leaves_nothing_untracked() {
    interrupt_once(
        "after the task definition exists",
        |n| exists(n, "awsecs_ecs_task_definition.t"),
        jittered(2, 300),
        Some("ecs:CreateService"),
    );
}

#[test]
fn interrupt_during_the_steady_state_wait_stops_it_and_keeps_the_service() {
    let n = Names::new();
    let tf = Workdir::new(&stack(&n, 1));
    let (cluster, service) = (n.cluster.clone(), n.service.clone());
    // Interrupt once the service exists: its create is then in the steady-state wait.
    let out = apply_cmd(&tf).run_interrupted(move || {
        let ecs = aws_sdk_ecs::Client::new(&aws());
        let deadline = Instant::now() + Duration::from_secs(300);
        while Instant::now() < deadline {
            let found = block_on(
                ecs.describe_services()
                    .cluster(&cluster)
                    .services(&service)
                    .send(),
            )
            .is_ok_and(|o| o.services().iter().any(|s| s.status() == Some("ACTIVE")));
            if found {
                std::thread::sleep(Duration::from_secs(1));
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    });
    assert_ne!(out.code, 0, "the interrupted apply succeeded\n{out}");
    let flat = out.stderr.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("interrupted while waiting")
            && flat.contains("Terraform asked the provider to stop"),
        "Stop did not end the steady-state wait with its diagnostic\n{out}"
    );
    assert!(
        tf.state_addresses()
            .iter()
            .any(|a| a == "awsecs_ecs_service.s"),
        "the created service is kept in state\n{out}"
    );
    check_recovery(&tf, &n, &out);
}
