//! Proves the harness itself works, independent of the provider: moto answers SDK calls, the
//! recording proxy classifies calls, and both terraform binaries run in a workdir with the
//! dev_overrides CLI config.

use crate::support::*;

/// A configuration that needs no provider at all.
const NO_PROVIDER: &str = r#"
variable "greeting" {
  type    = string
  default = "hello"
}

output "greeting" {
  value = var.greeting
}

output "numbers" {
  value = [1, 2, 3]
}
"#;

#[test]
fn moto_answers_sdk_calls() {
    let iam = aws_sdk_iam::Client::new(&aws());
    block_on(iam.list_roles().send()).expect("ListRoles");
    if real_aws() {
        return; // the account's roles are whatever they are
    }
    let name = unique_name("smoke");
    block_on(
        iam.create_role()
            .role_name(&name)
            .assume_role_policy_document(ASSUME_ECS_TASKS)
            .send(),
    )
    .expect("CreateRole");
    // Other tests share this moto and create/delete roles concurrently: look for ours, do not count.
    let all = block_on(
        iam.list_roles()
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>(),
    )
    .expect("ListRoles");
    assert!(all.iter().any(|r| r.role_name() == name));
    // MOTO_IAM_LOAD_MANAGED_POLICIES=true: AWS managed policies exist.
    let arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";
    let policy = block_on(iam.get_policy().policy_arn(arn).send())
        .expect("AWS managed policy loaded in moto");
    assert_eq!(
        policy.policy().and_then(|p| p.policy_name()),
        Some("AmazonECSTaskExecutionRolePolicy")
    );
}

const ASSUME_ECS_TASKS: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

#[test]
fn recording_proxy_records_operations() {
    if real_aws() {
        return; // no proxy against a real account
    }
    let tf = Workdir::new(NO_PROVIDER);
    let proxy_cfg = aws_at(tf.endpoint().expect("moto mode has a proxy"));
    let iam = aws_sdk_iam::Client::new(&proxy_cfg);
    let ecr = aws_sdk_ecr::Client::new(&proxy_cfg);
    let role = unique_name("proxy");

    // Reads only: the assertion passes and the calls are recorded in order.
    tf.assert_no_mutating_calls(|| {
        block_on(iam.list_roles().send()).expect("ListRoles");
        block_on(ecr.describe_repositories().send()).expect("DescribeRepositories");
    });
    // A query-protocol write and a JSON-protocol write are both caught.
    let ((), calls) = tf.record(|| {
        block_on(
            iam.create_role()
                .role_name(&role)
                .assume_role_policy_document(ASSUME_ECS_TASKS)
                .send(),
        )
        .expect("CreateRole");
        block_on(ecr.create_repository().repository_name(&role).send()).expect("CreateRepository");
        block_on(iam.get_role().role_name(&role).send()).expect("GetRole");
    });
    let seen: Vec<(String, bool)> = calls
        .iter()
        .map(|c| (c.to_string(), c.is_mutating()))
        .collect();
    assert_eq!(
        seen,
        vec![
            ("iam:CreateRole".to_string(), true),
            ("ecr:CreateRepository".to_string(), true),
            ("iam:GetRole".to_string(), false),
        ]
    );
    assert_eq!(tf.requests().expect("recorded").len(), 5);

    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        tf.assert_no_mutating_calls(|| {
            block_on(iam.delete_role().role_name(&role).send()).expect("DeleteRole");
        })
    }));
    let msg = caught.expect_err("a DeleteRole must fail assert_no_mutating_calls");
    let msg = msg.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(
        msg.contains("iam:DeleteRole"),
        "panic message names the call: {msg}"
    );
}

#[test]
fn terraform_runs_plan_apply_outputs_destroy() {
    let tf = Workdir::new(NO_PROVIDER);
    let version = tf.cmd(&["version"]).success();
    assert!(
        version.stdout.contains(" v1."),
        "unexpected version output\n{version}"
    );
    let validate = tf.cmd(&["validate", "-no-color"]).success();
    assert!(
        validate.stdout.contains("The configuration is valid"),
        "{validate}"
    );

    assert!(tf.plan_detailed().has_changes(), "outputs are new");
    tf.apply();
    assert_eq!(
        tf.outputs(),
        serde_json::json!({"greeting": "hello", "numbers": [1, 2, 3]})
    );
    assert_eq!(
        tf.state_json()["values"]["outputs"]["greeting"]["value"],
        "hello"
    );
    assert!(tf.state_addresses().is_empty());
    tf.assert_no_changes();

    tf.set_config(&NO_PROVIDER.replace("\"hello\"", "\"bye\""));
    let plan = tf.assert_changes();
    assert!(plan.stdout.contains("bye"), "{plan}");
    tf.destroy();
}

#[test]
fn init_installs_local_modules() {
    let tf = Workdir::new(
        "module \"m\" {\n  source = \"./m\"\n}\n\noutput \"y\" {\n  value = module.m.y\n}\n",
    );
    tf.write_file("m/main.tf", "output \"y\" {\n  value = 42\n}\n");
    tf.init();
    tf.apply();
    assert_eq!(tf.outputs()["y"], 42);
}

#[test]
fn fail_plan_returns_diagnostics() {
    let tf = Workdir::new("output \"x\" {\n  value = var.missing\n}\n");
    let stderr = tf.fail_plan();
    assert!(
        stderr.contains("Reference to undeclared input variable"),
        "stderr: {stderr}"
    );
}

#[test]
fn dev_overrides_point_at_the_built_provider() {
    // Needs no working provider: terraform announces the override before it starts the plugin.
    let tf = Workdir::new(&config(""));
    let out = tf.cmd(&["validate", "-no-color"]).run();
    let dir = provider_binary()
        .parent()
        .expect("provider dir")
        .display()
        .to_string();
    assert!(
        out.stdout
            .contains("Provider development overrides are in effect"),
        "{out}"
    );
    assert!(
        out.stdout.contains(&format!("awsecs/awsecs in {dir}")),
        "{out}"
    );
}

#[test]
fn terraform_0_15_runs_in_a_workdir() {
    let tf = Workdir::new(NO_PROVIDER).with_terraform(terraform_0_15());
    let version = tf.cmd(&["version"]).success();
    assert!(version.stdout.contains("0.15.0"), "{version}");
    tf.apply();
    assert_eq!(tf.outputs()["greeting"], "hello");
    // The per-run override: the default binary reads the same workdir.
    let v1 = tf
        .cmd(&["version"])
        .terraform(default_terraform())
        .success();
    assert!(v1.stdout.contains(" v1."), "{v1}");
}

#[test]
fn unique_names_differ_and_fit_aws_rules() {
    let a = unique_name("role");
    let b = unique_name("role");
    assert_ne!(a, b);
    assert!(
        a.starts_with("tf-acc-role-") && a.len() == "tf-acc-role-".len() + 10,
        "{a}"
    );
    assert!(
        a.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
        "{a}"
    );
}
