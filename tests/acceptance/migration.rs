//! Migration from hashicorp/aws with `moved {}` blocks (MoveResourceState).
//!
//! Each test creates real objects with this provider, then rewrites the state file into the form
//! hashicorp/aws 6.58 writes (provider address, `aws_X` types, twin schema versions, SDKv2-style
//! attributes from /work/shared/reference/hashicorp-aws-schemas-v6.58.txt), and plans a
//! configuration that moves every `aws_X` to `awsecs_X`. Terraform insists that a provider
//! named in state is installed, even though only the target provider converts the state, so a
//! copy of our binary named `terraform-provider-aws` stands in for hashicorp/aws (a
//! `dev_overrides` entry); it is never asked to manage anything.

use std::path::PathBuf;

use serde_json::{json, Value};

use crate::support::*;

/// A CLI config that also resolves hashicorp/aws, to the stand-in described above.
fn cli_config_with_stand_in_aws(tf: &Workdir) -> PathBuf {
    let ours = provider_binary();
    let stand_in_dir = tf.path().join("stand-in-aws");
    std::fs::create_dir_all(&stand_in_dir).expect("create the stand-in provider dir");
    std::fs::copy(&ours, stand_in_dir.join("terraform-provider-aws"))
        .expect("copy the provider binary as terraform-provider-aws");
    let path = tf.path().join("cli-with-aws.tfrc");
    let cli = format!(
        "provider_installation {{\n  dev_overrides {{\n    \"registry.terraform.io/awsecs/awsecs\" = {:?}\n    \"registry.terraform.io/hashicorp/aws\" = {:?}\n  }}\n  direct {{}}\n}}\n",
        ours.parent().unwrap().display().to_string(),
        stand_in_dir.display().to_string(),
    );
    std::fs::write(&path, cli).expect("write the CLI config");
    path
}

/// How hashicorp/aws 6.58 stores what our state holds for `ty`: its schema version, and the
/// values its SDK writes for arguments left unset (`""`, `false`, `{}`, ...) or only it has.
fn twin_form(ty: &str, attrs: &mut Value) -> i64 {
    let unset = |attrs: &mut Value, pairs: &[(&str, Value)]| {
        for (k, v) in pairs {
            if attrs.get(*k).is_none_or(Value::is_null) {
                attrs[*k] = v.clone();
            }
        }
    };
    match ty {
        "awsecs_iam_role" => {
            unset(
                attrs,
                &[
                    ("description", json!("")),
                    ("name_prefix", json!("")),
                    ("permissions_boundary", json!("")),
                    ("tags", json!({})),
                ],
            );
            // The SDK reports "no inline policies" as one empty element.
            attrs["inline_policy"] = json!([{"name": "", "policy": ""}]);
            // hashicorp/aws stores the policy in its own normalized spelling.
            let doc: Value =
                serde_json::from_str(attrs["assume_role_policy"].as_str().unwrap()).unwrap();
            attrs["assume_role_policy"] = json!(serde_json::to_string_pretty(&doc).unwrap());
            0
        }
        // hashicorp/aws IDs attachments with a prefixed unique ID, not `role/arn`.
        "awsecs_iam_role_policy_attachment" => {
            attrs["id"] = json!(format!(
                "{}-20260101000000000000000001",
                attrs["role"].as_str().unwrap()
            ));
            0
        }
        "awsecs_ecr_repository" => {
            attrs["encryption_configuration"] =
                json!([{"encryption_type": "AES256", "kms_key": ""}]);
            attrs["image_scanning_configuration"] = json!([{"scan_on_push": false}]);
            unset(attrs, &[("timeouts", Value::Null)]);
            0
        }
        "awsecs_cloudwatch_log_group" => {
            unset(
                attrs,
                &[
                    ("kms_key_id", json!("")),
                    ("name_prefix", json!("")),
                    ("skip_destroy", json!(false)),
                    ("deletion_protection_enabled", json!(false)),
                    ("tags", json!({})),
                ],
            );
            0
        }
        "awsecs_security_group" => {
            unset(
                attrs,
                &[
                    ("name_prefix", json!("")),
                    ("revoke_rules_on_delete", json!(false)),
                    ("tags", json!({})),
                ],
            );
            for dir in ["ingress", "egress"] {
                for rule in attrs[dir].as_array_mut().into_iter().flatten() {
                    unset(rule, &[("description", json!(""))]);
                }
            }
            1
        }
        "awsecs_ecs_cluster" => {
            attrs["setting"] = json!([{"name": "containerInsights", "value": "disabled"}]);
            unset(attrs, &[("tags", json!({}))]);
            0
        }
        "awsecs_ecs_task_definition" => {
            unset(
                attrs,
                &[
                    ("cpu", json!("")),
                    ("ipc_mode", json!("")),
                    ("pid_mode", json!("")),
                    ("task_role_arn", json!("")),
                    ("requires_compatibilities", json!([])),
                    ("tags", json!({})),
                ],
            );
            for v in attrs["volume"].as_array_mut().into_iter().flatten() {
                v["fsx_windows_file_server_volume_configuration"] = json!([]);
                v["s3files_volume_configuration"] = json!([]);
            }
            1
        }
        "awsecs_ecs_service" => {
            let obj = attrs.as_object_mut().unwrap();
            for (k, v) in [
                (
                    "deployment_configuration",
                    json!([{"bake_time_in_minutes": "", "canary_configuration": [],
                            "lifecycle_hook": [], "linear_configuration": [], "strategy": "ROLLING"}]),
                ),
                ("sigint_rollback", json!(false)),
                ("volume_configuration", json!([])),
                ("vpc_lattice_configurations", json!([])),
            ] {
                obj.insert(k.to_string(), v);
            }
            unset(
                attrs,
                &[
                    ("health_check_grace_period_seconds", json!(0)),
                    ("propagate_tags", json!("NONE")),
                    ("force_new_deployment", Value::Null),
                    ("tags", json!({})),
                ],
            );
            1
        }
        // The remaining twins store the same attribute names as ours; keep our form, at the
        // twin's schema version (1 for these two in hashicorp/aws 6.58).
        "awsecs_launch_template" | "awsecs_autoscaling_group" => 1,
        _ => 0,
    }
}

/// Rewrites the workdir's state as hashicorp/aws would have written it.
fn rewrite_state_as_hashicorp_aws(tf: &Workdir) {
    let path = tf.path().join("terraform.tfstate");
    let mut state: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    for r in state["resources"].as_array_mut().unwrap() {
        if r["mode"] != "managed" {
            continue;
        }
        let ty = r["type"].as_str().unwrap().to_string();
        r["type"] = json!(ty.replacen("awsecs_", "aws_", 1));
        r["provider"] = json!("provider[\"registry.terraform.io/hashicorp/aws\"]");
        for inst in r["instances"].as_array_mut().unwrap() {
            let version = twin_form(&ty, &mut inst["attributes"]);
            inst["schema_version"] = json!(version);
            inst.as_object_mut().unwrap().remove("private");
        }
    }
    state["serial"] = json!(state["serial"].as_i64().unwrap() + 1);
    std::fs::write(&path, serde_json::to_string_pretty(&state).unwrap()).unwrap();
}

fn moved_blocks(addresses: &[&str]) -> String {
    addresses
        .iter()
        .map(|a| {
            let from = a.replacen("awsecs_", "aws_", 1);
            format!("moved {{\n  from = {from}\n  to   = {a}\n}}\n")
        })
        .collect()
}

fn stack(n: &str) -> String {
    format!(
        r#"
data "awsecs_vpc" "default" {{
  default = true
}}
resource "awsecs_iam_role" "exec" {{
  name = "{n}-exec"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = "sts:AssumeRole", Principal = {{ Service = "ecs-tasks.amazonaws.com" }} }}]
  }})
}}
resource "awsecs_iam_role_policy_attachment" "exec" {{
  role       = awsecs_iam_role.exec.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}}
resource "awsecs_ecr_repository" "app" {{
  name         = "{n}-app"
  force_delete = true
}}
resource "awsecs_cloudwatch_log_group" "app" {{
  name              = "/ecs/{n}"
  retention_in_days = 7
}}
resource "awsecs_security_group" "app" {{
  name        = "{n}-app"
  description = "app instances"
  vpc_id      = data.awsecs_vpc.default.id
  ingress {{
    protocol    = "tcp"
    from_port   = 80
    to_port     = 80
    cidr_blocks = ["0.0.0.0/0"]
  }}
  egress {{
    protocol    = "-1"
    from_port   = 0
    to_port     = 0
    cidr_blocks = ["0.0.0.0/0"]
  }}
}}
resource "awsecs_ecs_cluster" "app" {{
  name = "{n}"
}}
resource "awsecs_ecs_task_definition" "app" {{
  family             = "{n}"
  execution_role_arn = awsecs_iam_role.exec.arn
  container_definitions = jsonencode([{{
    name = "web", image = "nginx:1.27", memory = 128, essential = true
    portMappings = [{{ containerPort = 80, hostPort = 0 }}]
    logConfiguration = {{
      logDriver = "awslogs"
      options = {{ awslogs-group = awsecs_cloudwatch_log_group.app.name, awslogs-region = "us-east-1", awslogs-stream-prefix = "web" }}
    }}
  }}])
}}
resource "awsecs_ecs_service" "app" {{
  name            = "{n}"
  cluster         = awsecs_ecs_cluster.app.id
  task_definition = awsecs_ecs_task_definition.app.arn
  desired_count   = 0
  launch_type     = "EC2"
}}
"#
    )
}

const STACK: &[&str] = &[
    "awsecs_iam_role.exec",
    "awsecs_iam_role_policy_attachment.exec",
    "awsecs_ecr_repository.app",
    "awsecs_cloudwatch_log_group.app",
    "awsecs_security_group.app",
    "awsecs_ecs_cluster.app",
    "awsecs_ecs_task_definition.app",
    "awsecs_ecs_service.app",
];

#[test]
fn migration_whole_stack_moves_from_hashicorp_aws_without_changes() {
    let n = unique_name("mv");
    let tf = Workdir::new(&config(&stack(&n)));
    tf.apply();
    let before: Vec<Value> = STACK.iter().map(|a| tf.state_show(a)).collect();

    rewrite_state_as_hashicorp_aws(&tf);
    tf.set_config(&config(&format!("{}\n{}", stack(&n), moved_blocks(STACK))));
    let cli = cli_config_with_stand_in_aws(&tf);
    let cli = cli.to_str().unwrap();

    let plan = tf
        .cmd(&["plan", "-no-color", "-input=false"])
        .env("TF_CLI_CONFIG_FILE", cli)
        .success();
    for a in STACK {
        let from = a.replacen("awsecs_", "aws_", 1);
        assert!(
            plan.stdout.contains(&format!("# {from} has moved to {a}")),
            "{a} not moved cleanly\n{plan}"
        );
    }
    assert!(
        plan.stdout
            .contains("Plan: 0 to add, 0 to change, 0 to destroy."),
        "the move must not change anything\n{plan}"
    );
    assert!(!plan.stdout.contains("must be replaced"), "{plan}");
    assert!(
        !plan.stderr.contains("Warning: Attribute not supported"),
        "{plan}"
    );

    let (_, calls) = tf.record(|| {
        tf.cmd(&["apply", "-auto-approve", "-no-color", "-input=false"])
            .env("TF_CLI_CONFIG_FILE", cli)
            .success()
    });
    let mutating: Vec<String> = calls
        .iter()
        .filter(|c| c.is_mutating())
        .map(|c| c.operation())
        .collect();
    assert!(mutating.is_empty(), "the move made AWS calls: {mutating:?}");

    // The state no longer mentions hashicorp/aws: the usual CLI config is enough from here on.
    tf.assert_no_changes();
    for (a, old) in STACK.iter().zip(&before) {
        let now = tf.state_show(a);
        assert_eq!(now["arn"], old["arn"], "{a} is the same object");
        assert_eq!(now["id"], old["id"], "{a}: id as our read reports it");
    }
    let role = &tf.state_show("awsecs_iam_role.exec");
    assert_eq!(role["unique_id"], before[0]["unique_id"]);
    let td = tf.state_show("awsecs_ecs_task_definition.app");
    assert_eq!(td["revision"], 1, "no new task definition revision");
    let ecs = aws_sdk_ecs::Client::new(&aws());
    let svc = block_on(ecs.describe_services().cluster(&n).services(&n).send()).unwrap();
    assert_eq!(svc.services()[0].status(), Some("ACTIVE"));
    tf.destroy();
}

#[test]
fn migration_refuses_a_move_from_another_type_before_any_api_call() {
    let n = unique_name("mvbad");
    let tf = Workdir::new(&config(&format!(
        r#"
resource "awsecs_cloudwatch_log_group" "g" {{
  name = "/mv/{n}"
}}
"#
    )));
    tf.apply();
    rewrite_state_as_hashicorp_aws(&tf);
    // Pretend the object in state was some other hashicorp/aws type.
    let path = tf.path().join("terraform.tfstate");
    let state = std::fs::read_to_string(&path).unwrap().replace(
        "\"aws_cloudwatch_log_group\"",
        "\"aws_cloudwatch_log_stream\"",
    );
    std::fs::write(&path, state).unwrap();
    tf.set_config(&config(&format!(
        r#"
resource "awsecs_cloudwatch_log_group" "g" {{
  name = "/mv/{n}"
}}
moved {{
  from = aws_cloudwatch_log_stream.g
  to   = awsecs_cloudwatch_log_group.g
}}
"#
    )));
    let cli = cli_config_with_stand_in_aws(&tf);
    let (out, calls) = tf.record(|| {
        tf.cmd(&["plan", "-no-color", "-input=false"])
            .env("TF_CLI_CONFIG_FILE", cli.to_str().unwrap())
            .failure()
    });
    assert!(out.stderr.contains("Unsupported move"), "{out}");
    assert!(
        out.stderr
            .contains("can only be moved from aws_cloudwatch_log_group"),
        "{out}"
    );
    let logs_calls: Vec<String> = calls
        .iter()
        .map(|c| c.operation())
        .filter(|op| !op.contains("GetCallerIdentity"))
        .collect();
    assert!(
        logs_calls.is_empty(),
        "no AWS call but Configure's before the refusal: {logs_calls:?}"
    );
    // Clean up the real object; the state cannot be destroyed through the refused move.
    let logs = aws_sdk_cloudwatchlogs::Client::new(&aws());
    block_on(
        logs.delete_log_group()
            .log_group_name(format!("/mv/{n}"))
            .send(),
    )
    .unwrap();
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn migration_warns_about_a_dropped_argument_that_was_set() {
    let n = unique_name("mvwarn");
    let body = format!(
        r#"
resource "awsecs_ecs_cluster" "app" {{
  name = "{n}"
}}
resource "awsecs_ecs_task_definition" "app" {{
  family = "{n}"
  container_definitions = jsonencode([{{ name = "web", image = "nginx:1.27", memory = 64, essential = true }}])
}}
resource "awsecs_ecs_service" "app" {{
  name            = "{n}"
  cluster         = awsecs_ecs_cluster.app.id
  task_definition = awsecs_ecs_task_definition.app.arn
  desired_count   = 0
  launch_type     = "EC2"
}}
"#
    );
    let tf = Workdir::new(&config(&body));
    tf.apply();
    rewrite_state_as_hashicorp_aws(&tf);
    // The old configuration had `sigint_rollback = true`, which awsecs does not support.
    let path = tf.path().join("terraform.tfstate");
    let state = std::fs::read_to_string(&path)
        .unwrap()
        .replace("\"sigint_rollback\": false", "\"sigint_rollback\": true");
    std::fs::write(&path, state).unwrap();
    let addresses = [
        "awsecs_ecs_cluster.app",
        "awsecs_ecs_task_definition.app",
        "awsecs_ecs_service.app",
    ];
    tf.set_config(&config(&format!("{body}\n{}", moved_blocks(&addresses))));
    let cli = cli_config_with_stand_in_aws(&tf);
    let plan = tf
        .cmd(&["plan", "-no-color", "-input=false"])
        .env("TF_CLI_CONFIG_FILE", cli.to_str().unwrap())
        .success();
    let all = format!("{}{}", plan.stdout, plan.stderr);
    assert!(
        all.contains("Warning: Attribute not supported, dropped in the move"),
        "{plan}"
    );
    assert!(
        all.contains("aws_ecs_service.sigint_rollback is set"),
        "{plan}"
    );
    assert_eq!(
        all.matches("Attribute not supported").count(),
        1,
        "only the set argument warns\n{plan}"
    );
    assert!(
        plan.stdout
            .contains("Plan: 0 to add, 0 to change, 0 to destroy."),
        "{plan}"
    );
    tf.cmd(&["apply", "-auto-approve", "-no-color", "-input=false"])
        .env("TF_CLI_CONFIG_FILE", cli.to_str().unwrap())
        .success();
    tf.assert_no_changes();
    tf.destroy();
}

/// `moved` blocks for every managed resource in state, modules included (as the guide's
/// generator writes them from `terraform state list`).
fn moved_blocks_from_state(tf: &Workdir) -> (String, usize) {
    let mut addresses: Vec<String> = tf
        .state_addresses()
        .into_iter()
        .filter(|a| !a.starts_with("data.") && !a.contains(".data."))
        .map(|a| match a.strip_suffix(']') {
            Some(rest) => rest[..rest.rfind('[').unwrap()].to_string(),
            None => a,
        })
        .collect();
    addresses.sort();
    addresses.dedup();
    let refs: Vec<&str> = addresses.iter().map(String::as_str).collect();
    (moved_blocks(&refs), addresses.len())
}

#[test]
fn migration_hit_counter_stack_with_modules_moves_in_one_plan() {
    let id = unique_name("x");
    let name = format!("mv-{}", &id[id.len() - 6..]);
    let tf = Workdir::from_example("hit-counter");
    tf.write_file("terraform.tfvars", &format!("name = \"{name}\"\n"));
    tf.init();
    tf.apply();
    let (moved, count) = moved_blocks_from_state(&tf);
    assert!(count >= 15, "{moved}");
    rewrite_state_as_hashicorp_aws(&tf);
    tf.write_file("moved.tf", &moved);
    // As the guide says: a spelled-out AWS default (this module's containerInsights =
    // disabled) would plan to add itself back after the move; it means the same as leaving
    // it out, so it goes before the move.
    let module = tf.path().join("../modules/ecs-ec2-capacity/main.tf");
    let src = std::fs::read_to_string(&module).unwrap();
    let default_setting =
        "  setting {\n    name  = \"containerInsights\"\n    value = \"disabled\"\n  }\n";
    assert!(src.contains(default_setting), "the module changed: {src}");
    std::fs::write(&module, src.replace(default_setting, "")).unwrap();
    let cli = cli_config_with_stand_in_aws(&tf);
    let cli = cli.to_str().unwrap();
    let plan = tf
        .cmd(&["plan", "-no-color", "-input=false"])
        .env("TF_CLI_CONFIG_FILE", cli)
        .success();
    assert_eq!(
        plan.stdout.matches(" has moved to ").count(),
        count,
        "every resource moves with no change\n{plan}"
    );
    assert!(
        plan.stdout
            .contains("Plan: 0 to add, 0 to change, 0 to destroy."),
        "{plan}"
    );
    tf.cmd(&["apply", "-auto-approve", "-no-color", "-input=false"])
        .env("TF_CLI_CONFIG_FILE", cli)
        .success();
    tf.assert_no_mutating_calls(|| tf.assert_no_changes());
    tf.destroy();
}

#[test]
fn migration_from_a_5x_state_without_region_fills_it_on_refresh() {
    let n = unique_name("mv5x");
    let body = format!(
        r#"
resource "awsecs_cloudwatch_log_group" "g" {{
  name = "/mv/{n}"
}}
resource "awsecs_ecs_cluster" "c" {{
  name = "{n}"
}}
"#
    );
    let tf = Workdir::new(&config(&body));
    tf.apply();
    rewrite_state_as_hashicorp_aws(&tf);
    // hashicorp/aws 5.x had no `region` argument: its states lack the attribute.
    let path = tf.path().join("terraform.tfstate");
    let mut state: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    for r in state["resources"].as_array_mut().unwrap() {
        for inst in r["instances"].as_array_mut().unwrap() {
            inst["attributes"].as_object_mut().unwrap().remove("region");
        }
    }
    std::fs::write(&path, serde_json::to_string_pretty(&state).unwrap()).unwrap();
    let addresses = ["awsecs_cloudwatch_log_group.g", "awsecs_ecs_cluster.c"];
    tf.set_config(&config(&format!("{body}\n{}", moved_blocks(&addresses))));
    let cli = cli_config_with_stand_in_aws(&tf);
    let plan = tf
        .cmd(&["plan", "-no-color", "-input=false"])
        .env("TF_CLI_CONFIG_FILE", cli.to_str().unwrap())
        .success();
    assert!(
        plan.stdout
            .contains("Plan: 0 to add, 0 to change, 0 to destroy."),
        "{plan}"
    );
    tf.cmd(&["apply", "-auto-approve", "-no-color", "-input=false"])
        .env("TF_CLI_CONFIG_FILE", cli.to_str().unwrap())
        .success();
    let region = tf.state_show("awsecs_ecs_cluster.c")["region"].clone();
    assert!(region.as_str().is_some_and(|r| !r.is_empty()), "{region}");
    tf.assert_no_changes();
    tf.destroy();
}
