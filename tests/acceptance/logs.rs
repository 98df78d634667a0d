//! CloudWatch log groups through terraform, verified through the CloudWatch Logs API.

use serde_json::Value;

use crate::support::*;

fn logs() -> aws_sdk_cloudwatchlogs::Client {
    aws_sdk_cloudwatchlogs::Client::new(&aws())
}

/// The log group with exactly this name, as AWS describes it.
fn find(name: &str) -> Option<aws_sdk_cloudwatchlogs::types::LogGroup> {
    let out = block_on(
        logs()
            .describe_log_groups()
            .log_group_name_prefix(name)
            .send(),
    )
    .expect("DescribeLogGroups");
    out.log_groups()
        .iter()
        .find(|g| g.log_group_name() == Some(name))
        .cloned()
}

fn group_config(name: &str, body: &str) -> String {
    config(&format!(
        r#"
resource "awsecs_cloudwatch_log_group" "g" {{
  name = "{name}"
  {body}
}}
"#
    ))
}

#[test]
fn log_group_lifecycle() {
    let name = format!("/ecs/{}", unique_name("lg"));
    Lifecycle {
        config: group_config(
            &name,
            r#"retention_in_days = 7
  log_group_class   = "INFREQUENT_ACCESS"
  tags              = { app = "dks" }"#,
        ),
        address: "awsecs_cloudwatch_log_group.g",
        import_id: &|s: &Value| s["name"].as_str().unwrap().to_string(),
        exists: &|s: &Value| {
            assert!(
                s["arn"].as_str().is_some_and(|a| !a.ends_with(":*")),
                "the ARN has no :* suffix: {s}"
            );
            find(s["name"].as_str().unwrap()).is_some()
        },
        delete_out_of_band: Some(&|s: &Value| {
            block_on(
                logs()
                    .delete_log_group()
                    .log_group_name(s["name"].as_str().unwrap())
                    .send(),
            )
            .expect("DeleteLogGroup");
        }),
        import_ignore: &[],
    }
    .run();
}

#[test]
fn log_group_retention_changes_in_place() {
    let name = format!("/ecs/{}", unique_name("ret"));
    let tf = Workdir::new(&group_config(&name, "retention_in_days = 7"));
    tf.apply();
    assert_eq!(find(&name).unwrap().retention_in_days(), Some(7));
    let arn = tf.state_show("awsecs_cloudwatch_log_group.g")["arn"].clone();

    tf.set_config(&group_config(&name, "retention_in_days = 30"));
    let plan = tf.assert_changes();
    assert!(plan.stdout.contains("updated in-place"), "{plan}");
    assert!(!plan.stdout.contains("must be replaced"), "{plan}");
    tf.apply();
    assert_eq!(find(&name).unwrap().retention_in_days(), Some(30));

    // Removing the argument means 0: never expire, i.e. no retention policy at all.
    tf.set_config(&group_config(&name, ""));
    tf.apply();
    assert_eq!(find(&name).unwrap().retention_in_days(), None);
    let state = tf.state_show("awsecs_cloudwatch_log_group.g");
    assert_eq!(state["retention_in_days"], 0);
    assert_eq!(state["arn"], arn, "never replaced");
    tf.assert_no_changes();

    // Drift made outside Terraform shows up and is put back.
    block_on(
        logs()
            .put_retention_policy()
            .log_group_name(&name)
            .retention_in_days(14)
            .send(),
    )
    .expect("PutRetentionPolicy");
    let plan = tf.assert_changes();
    assert!(plan.stdout.contains("retention_in_days"), "{plan}");
    tf.apply();
    assert_eq!(find(&name).unwrap().retention_in_days(), None);
    tf.destroy();
    assert!(find(&name).is_none());
}

#[test]
fn log_group_name_prefix_generates_a_name() {
    let prefix = format!("/ecs/{}-", unique_name("pfx"));
    let tf = Workdir::new(&config(&format!(
        r#"
resource "awsecs_cloudwatch_log_group" "g" {{
  name_prefix = "{prefix}"
}}
"#
    )));
    tf.apply();
    let s = tf.state_show("awsecs_cloudwatch_log_group.g");
    let name = s["name"].as_str().unwrap().to_string();
    assert!(
        name.starts_with(&prefix) && name.len() > prefix.len(),
        "{name}"
    );
    assert_eq!(s["name_prefix"], prefix.as_str());
    assert_eq!(s["id"], name.as_str());
    assert!(find(&name).is_some());
    tf.assert_no_mutating_calls(|| tf.assert_no_changes());
    tf.destroy();
    assert!(find(&name).is_none());
}

#[test]
fn log_group_skip_destroy_keeps_the_group() {
    let name = format!("/ecs/{}", unique_name("keep"));
    let tf = Workdir::new(&group_config(&name, "skip_destroy = true"));
    tf.apply();
    let (_, calls) = tf.record(|| tf.destroy());
    assert!(
        !calls.iter().any(|c| c.operation() == "DeleteLogGroup"),
        "skip_destroy must not delete: {calls:?}"
    );
    assert!(find(&name).is_some(), "the log group stays in AWS");
    assert!(tf.state_addresses().is_empty(), "but leaves the state");
    block_on(logs().delete_log_group().log_group_name(&name).send()).expect("DeleteLogGroup");
}

#[test]
fn invalid_log_group_arguments_fail_at_plan_with_the_path() {
    let tf = Workdir::new(&config(
        r#"
resource "awsecs_cloudwatch_log_group" "retention" {
  name              = "/ecs/ok"
  retention_in_days = 2
}
resource "awsecs_cloudwatch_log_group" "name" {
  name = "bad name!"
}
"#,
    ));
    let err = tf.assert_no_mutating_calls(|| tf.fail_plan());
    // Terraform wraps long diagnostics: compare with the whitespace collapsed.
    let err = err.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        err.contains("retention_in_days = 2"),
        "the path/line:\n{err}"
    );
    assert!(
        err.contains("must be one of 0, 1, 3, 5, 7, 14, 30") && err.contains("got 2"),
        "{err}"
    );
    assert!(
        err.contains("name = \"bad name!\""),
        "the path/line:\n{err}"
    );
    assert!(
        err.contains("only letters, digits, '_', '.', '/', '#' and '-' are allowed"),
        "{err}"
    );
    assert!(find("/ecs/ok").is_none());
}
