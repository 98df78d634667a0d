//! IAM: roles and role policy attachments through terraform, verified through the IAM API.

use serde_json::Value;

use crate::support::*;

fn iam() -> aws_sdk_iam::Client {
    aws_sdk_iam::Client::new(&aws())
}

fn role_exists(name: &str) -> bool {
    block_on(iam().get_role().role_name(name).send()).is_ok()
}

fn role_config(name: &str) -> String {
    config(&format!(
        r#"
resource "awsecs_iam_role" "r" {{
  name = "{name}"
  # Whitespace and key order differ from what IAM returns: must not be a diff.
  assume_role_policy = <<-JSON
    {{ "Statement": [ {{ "Action": "sts:AssumeRole", "Effect": "Allow",
        "Principal": {{ "Service": ["ecs-tasks.amazonaws.com"] }} }} ],
      "Version": "2012-10-17" }}
  JSON
  max_session_duration = 7200
  tags = {{ team = "acc" }}
}}
"#
    ))
}

#[test]
fn iam_role_lifecycle() {
    let name = unique_name("role");
    Lifecycle {
        config: role_config(&name),
        address: "awsecs_iam_role.r",
        import_id: &|s: &Value| s["name"].as_str().unwrap().to_string(),
        exists: &|s: &Value| role_exists(s["name"].as_str().unwrap()),
        delete_out_of_band: Some(&|s: &Value| {
            block_on(
                iam()
                    .delete_role()
                    .role_name(s["name"].as_str().unwrap())
                    .send(),
            )
            .expect("DeleteRole");
        }),
        import_ignore: &["force_detach_policies"],
    }
    .run();
}

#[test]
fn iam_role_with_terraform_0_15() {
    let name = unique_name("role015");
    let tf = Workdir::new(&role_config(&name)).with_terraform(terraform_0_15());
    tf.apply();
    assert!(role_exists(&name));
    tf.assert_no_changes();
    tf.destroy();
    assert!(!role_exists(&name));
}

#[test]
fn iam_role_updates_in_place_and_detects_drift() {
    let name = unique_name("roleupd");
    let tf = Workdir::new(&role_config(&name));
    tf.apply();
    // Out-of-band change: terraform shows it and puts it back.
    block_on(
        iam()
            .update_role()
            .role_name(&name)
            .max_session_duration(3600)
            .send(),
    )
    .expect("UpdateRole");
    let plan = tf.assert_changes();
    assert!(
        plan.stdout.contains("max_session_duration") && plan.stdout.contains("updated in-place"),
        "{plan}"
    );
    tf.apply();
    let role = block_on(iam().get_role().role_name(&name).send()).unwrap();
    assert_eq!(role.role().unwrap().max_session_duration(), Some(7200));
    tf.destroy();
}

#[test]
fn iam_role_policy_attachment_lifecycle() {
    let name = unique_name("att");
    let policy = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";
    let attached = |role: &str| -> bool {
        block_on(iam().list_attached_role_policies().role_name(role).send())
            .map(|r| {
                r.attached_policies()
                    .iter()
                    .any(|p| p.policy_arn() == Some(policy))
            })
            .unwrap_or(false)
    };
    Lifecycle {
        config: config(&format!(
            r#"
data "awsecs_iam_policy_document" "assume" {{
  statement {{
    actions = ["sts:AssumeRole"]
    principals {{
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }}
  }}
}}
resource "awsecs_iam_role" "r" {{
  name               = "{name}"
  assume_role_policy = data.awsecs_iam_policy_document.assume.json
}}
resource "awsecs_iam_role_policy_attachment" "a" {{
  role       = awsecs_iam_role.r.name
  policy_arn = "{policy}"
}}
"#
        )),
        address: "awsecs_iam_role_policy_attachment.a",
        import_id: &|s: &Value| {
            format!(
                "{}/{}",
                s["role"].as_str().unwrap(),
                s["policy_arn"].as_str().unwrap()
            )
        },
        exists: &|s: &Value| attached(s["role"].as_str().unwrap()),
        delete_out_of_band: Some(&|s: &Value| {
            block_on(
                iam()
                    .detach_role_policy()
                    .role_name(s["role"].as_str().unwrap())
                    .policy_arn(policy)
                    .send(),
            )
            .expect("DetachRolePolicy");
        }),
        import_ignore: &[],
    }
    .run();
}

#[test]
fn malformed_assume_role_policy_fails_at_plan_without_api_writes() {
    let name = unique_name("badrole");
    let tf = Workdir::new(&config(&format!(
        r#"
resource "awsecs_iam_role" "r" {{
  name               = "{name}"
  assume_role_policy = "{{ not json"
}}
"#
    )));
    let err = tf.assert_no_mutating_calls(|| tf.fail_plan());
    assert!(
        err.contains("assume_role_policy"),
        "the diagnostic must name the attribute:\n{err}"
    );
    assert!(err.to_lowercase().contains("json"), "{err}");
    assert!(!role_exists(&name));
}
