//! ECR repositories through terraform, verified through the ECR API.

use serde_json::Value;

use crate::support::*;

fn ecr() -> aws_sdk_ecr::Client {
    aws_sdk_ecr::Client::new(&aws())
}

fn repo_exists(name: &str) -> bool {
    block_on(ecr().describe_repositories().repository_names(name).send()).is_ok()
}

#[test]
fn ecr_repository_lifecycle() {
    let name = unique_name("repo").replace("tf-acc-", "tf-acc/");
    Lifecycle {
        config: config(&format!(
            r#"
resource "awsecs_ecr_repository" "r" {{
  name                 = "{name}"
  image_tag_mutability = "IMMUTABLE"
  force_delete         = true
  image_scanning_configuration {{
    scan_on_push = true
  }}
  tags = {{ app = "dks" }}
}}
output "url" {{
  value = awsecs_ecr_repository.r.repository_url
}}
"#
        )),
        address: "awsecs_ecr_repository.r",
        import_id: &|s: &Value| s["name"].as_str().unwrap().to_string(),
        exists: &|s: &Value| repo_exists(s["name"].as_str().unwrap()),
        delete_out_of_band: Some(&|s: &Value| {
            block_on(
                ecr()
                    .delete_repository()
                    .repository_name(s["name"].as_str().unwrap())
                    .force(true)
                    .send(),
            )
            .expect("DeleteRepository");
        }),
        import_ignore: &["force_delete"],
    }
    .run();
}

#[test]
fn invalid_repository_name_fails_at_plan_with_the_path() {
    let tf = Workdir::new(&config(
        r#"
resource "awsecs_ecr_repository" "r" {
  name = "Not_Valid!"
}
"#,
    ));
    let err = tf.assert_no_mutating_calls(|| tf.fail_plan());
    assert!(err.contains("name"), "{err}");
    assert!(err.contains("Not_Valid!"), "{err}");
}

#[test]
fn caller_identity_and_region_data_sources() {
    let tf = Workdir::new(&config(
        r#"
data "awsecs_caller_identity" "me" {}
data "awsecs_region" "here" {}
output "account" {
  value = data.awsecs_caller_identity.me.account_id
}
output "region" {
  value = data.awsecs_region.here.region
}
"#,
    ));
    tf.assert_no_mutating_calls(|| tf.apply());
    let out = tf.outputs();
    if !real_aws() {
        assert_eq!(out["account"], "123456789012");
        assert_eq!(out["region"], "us-east-1");
    }
    assert!(out["account"].as_str().is_some_and(|a| a.len() == 12));
}
