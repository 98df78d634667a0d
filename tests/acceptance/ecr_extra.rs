//! ECR lifecycle and repository policies and the ECR data sources through terraform, verified
//! through the ECR API.

use serde_json::Value;

use crate::support::*;

fn ecr() -> aws_sdk_ecr::Client {
    aws_sdk_ecr::Client::new(&aws())
}

fn s<'a>(state: &'a Value, key: &str) -> &'a str {
    state[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} missing in {state}"))
}

fn repo_name(prefix: &str) -> String {
    unique_name(prefix).replace("tf-acc-", "tf-acc/")
}

fn repository(name: &str) -> String {
    format!(
        r#"
resource "awsecs_ecr_repository" "r" {{
  name         = "{name}"
  force_delete = true
}}
"#
    )
}

fn lifecycle_text(repo: &str) -> Option<String> {
    block_on(ecr().get_lifecycle_policy().repository_name(repo).send())
        .ok()
        .and_then(|o| o.lifecycle_policy_text().map(str::to_string))
}

fn repository_policy_text(repo: &str) -> Option<String> {
    block_on(ecr().get_repository_policy().repository_name(repo).send())
        .ok()
        .and_then(|o| o.policy_text().map(str::to_string))
}

/// Two rules as a heredoc, in the given order, with the tag prefixes in the given order.
fn lifecycle_policy(rules_reversed: bool, prefixes: &[&str], keep: u32) -> String {
    let prefixes: Vec<String> = prefixes.iter().map(|p| format!("\"{p}\"")).collect();
    let untagged = r#"{ "rulePriority": 1, "description": "expire untagged",
        "selection": { "tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 14 },
        "action": { "type": "expire" } }"#;
    let tagged = format!(
        r#"{{ "action": {{ "type": "expire" }}, "rulePriority": 2,
        "selection": {{ "countNumber": {keep}, "countType": "imageCountMoreThan", "tagPrefixList": [{}], "tagStatus": "tagged" }} }}"#,
        prefixes.join(", ")
    );
    let rules = if rules_reversed {
        format!("{tagged},\n      {untagged}")
    } else {
        format!("{untagged},\n      {tagged}")
    };
    format!("<<-JSON\n    {{ \"rules\": [\n      {rules}\n    ] }}\n  JSON")
}

fn lifecycle_config(repo: &str, policy: &str) -> String {
    config(&format!(
        r#"{}
resource "awsecs_ecr_lifecycle_policy" "p" {{
  repository = awsecs_ecr_repository.r.name
  policy     = {policy}
}}
"#,
        repository(repo)
    ))
}

#[test]
fn ecr_lifecycle_policy_lifecycle() {
    let name = repo_name("lcp");
    Lifecycle {
        config: lifecycle_config(&name, &lifecycle_policy(false, &["v", "release"], 30)),
        address: "awsecs_ecr_lifecycle_policy.p",
        import_id: &|st: &Value| s(st, "repository").to_string(),
        exists: &|st: &Value| lifecycle_text(s(st, "repository")).is_some(),
        delete_out_of_band: Some(&|st: &Value| {
            block_on(
                ecr()
                    .delete_lifecycle_policy()
                    .repository_name(s(st, "repository"))
                    .send(),
            )
            .expect("DeleteLifecyclePolicy");
        }),
        import_ignore: &[],
    }
    .run();
}

#[test]
fn ecr_lifecycle_policy_reordered_replans_empty_and_changes_replace() {
    let name = repo_name("lcpord");
    let tf = Workdir::new(&lifecycle_config(
        &name,
        &lifecycle_policy(false, &["v", "release"], 30),
    ));
    tf.apply();
    let st = tf.state_show("awsecs_ecr_lifecycle_policy.p");
    assert_eq!(s(&st, "id"), name);
    assert_eq!(s(&st, "registry_id").len(), 12);

    // Rules in the other order, tag prefixes reordered, another layout, an empty list added:
    // the same policy, so nothing to do and nothing written.
    let reordered = lifecycle_policy(true, &["release", "v"], 30).replace(
        "\"countUnit\": \"days\"",
        "\"countUnit\": \"days\", \"tagPatternList\": []",
    );
    tf.set_config(&lifecycle_config(&name, &reordered));
    tf.assert_no_mutating_calls(|| tf.assert_no_changes());

    // A real change replaces the policy (there is no update), and the new one is in ECR.
    tf.set_config(&lifecycle_config(
        &name,
        &lifecycle_policy(false, &["v", "release"], 10),
    ));
    let plan = tf.assert_changes();
    assert!(plan.stdout.contains("must be replaced"), "{plan}");
    tf.apply();
    let text = lifecycle_text(&name).expect("policy exists");
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["rules"][1]["selection"]["countNumber"], 10, "{text}");
    tf.assert_no_changes();
    tf.destroy();
}

fn pull_policy(actions: &[&str]) -> String {
    let list: Vec<String> = actions.iter().map(|a| format!("\"{a}\"")).collect();
    format!(
        r#"jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{
      Sid       = "pull"
      Effect    = "Allow"
      Principal = {{ AWS = "arn:aws:iam::123456789012:root" }}
      Action    = [{}]
    }}]
  }})"#,
        list.join(", ")
    )
}

fn repository_policy_config(repo: &str, actions: &[&str]) -> String {
    config(&format!(
        r#"{}
resource "awsecs_ecr_repository_policy" "p" {{
  repository = awsecs_ecr_repository.r.name
  policy     = {}
}}
"#,
        repository(repo),
        pull_policy(actions)
    ))
}

#[test]
fn ecr_repository_policy_lifecycle() {
    let name = repo_name("rpol");
    Lifecycle {
        config: repository_policy_config(
            &name,
            &["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        ),
        address: "awsecs_ecr_repository_policy.p",
        import_id: &|st: &Value| s(st, "repository").to_string(),
        exists: &|st: &Value| repository_policy_text(s(st, "repository")).is_some(),
        delete_out_of_band: Some(&|st: &Value| {
            block_on(
                ecr()
                    .delete_repository_policy()
                    .repository_name(s(st, "repository"))
                    .send(),
            )
            .expect("DeleteRepositoryPolicy");
        }),
        import_ignore: &[],
    }
    .run();
}

#[test]
fn ecr_repository_policy_updates_in_place() {
    let name = repo_name("rpolupd");
    let tf = Workdir::new(&repository_policy_config(&name, &["ecr:BatchGetImage"]));
    tf.apply();
    // Reordered, duplicated actions: the same policy.
    tf.set_config(&repository_policy_config(
        &name,
        &["ecr:BatchGetImage", "ecr:BatchGetImage"],
    ));
    tf.assert_no_mutating_calls(|| tf.assert_no_changes());

    tf.set_config(&repository_policy_config(
        &name,
        &["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
    ));
    let plan = tf.assert_changes();
    assert!(
        plan.stdout.contains("updated in-place") && !plan.stdout.contains("must be replaced"),
        "{plan}"
    );
    tf.apply();
    let text = repository_policy_text(&name).expect("policy exists");
    assert!(text.contains("ecr:GetDownloadUrlForLayer"), "{text}");
    tf.assert_no_changes();
    tf.destroy();
    assert!(repository_policy_text(&name).is_none());
}

#[test]
fn invalid_ecr_policies_fail_at_plan_without_api_writes() {
    let zero_priority = r#"{"rules":[{"rulePriority":0,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}"#;
    let tagged_without_prefixes = r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"tagged","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}"#;
    let cases: Vec<(String, &[&str])> = vec![
        (
            format!(
                "resource \"awsecs_ecr_lifecycle_policy\" \"p\" {{\n  repository = \"app\"\n  policy = jsonencode({zero_priority})\n}}"
            ),
            &["policy = jsonencode(", "rules[0].rulePriority", "at least 1"],
        ),
        (
            format!(
                "resource \"awsecs_ecr_lifecycle_policy\" \"p\" {{\n  repository = \"app\"\n  policy = jsonencode({tagged_without_prefixes})\n}}"
            ),
            &["policy = jsonencode(", "rules[0].selection", "tagPrefixList or tagPatternList"],
        ),
        (
            "resource \"awsecs_ecr_lifecycle_policy\" \"p\" {\n  repository = \"app\"\n  policy = \"{ rules\"\n}".into(),
            &["policy = \"{ rules\"", "valid JSON"],
        ),
        (
            "resource \"awsecs_ecr_repository_policy\" \"p\" {\n  repository = \"app\"\n  policy = \"not json\"\n}".into(),
            &["policy = \"not json\"", "valid JSON"],
        ),
        (
            "resource \"awsecs_ecr_repository_policy\" \"p\" {\n  repository = \"App\"\n  policy = \"{}\"\n}".into(),
            &["repository = \"App\"", "not a valid repository name"],
        ),
    ];
    for (body, texts) in cases {
        let tf = Workdir::new(&config(&body));
        let err = tf.assert_no_mutating_calls(|| tf.fail_plan());
        for t in texts {
            assert!(err.contains(t), "expected {t:?}:\n{err}");
        }
    }
}

const TOKEN_DATA: &str = r#"
data "awsecs_ecr_authorization_token" "t" {}
output "user" {
  value = data.awsecs_ecr_authorization_token.t.user_name
}
output "endpoint" {
  value = data.awsecs_ecr_authorization_token.t.proxy_endpoint
}
output "expires" {
  value = data.awsecs_ecr_authorization_token.t.expires_at
}
"#;

#[test]
fn ecr_authorization_token_data_source() {
    // The password is sensitive: an output that does not say so is refused by terraform.
    let leaky = Workdir::new(&config(&format!(
        "{TOKEN_DATA}\noutput \"password\" {{\n  value = data.awsecs_ecr_authorization_token.t.password\n}}\n"
    )));
    let err = leaky.assert_no_mutating_calls(|| leaky.fail_plan());
    assert!(err.contains("Output refers to sensitive values"), "{err}");

    let tf = Workdir::new(&config(&format!(
        "{TOKEN_DATA}\noutput \"password\" {{\n  value     = data.awsecs_ecr_authorization_token.t.password\n  sensitive = true\n}}\noutput \"token\" {{\n  value     = data.awsecs_ecr_authorization_token.t.authorization_token\n  sensitive = true\n}}\n"
    )));
    let plan =
        tf.assert_no_mutating_calls(|| tf.cmd(&["plan", "-input=false", "-no-color"]).success());
    assert!(
        plan.stdout.contains("password = (sensitive value)"),
        "the plan must redact the password:\n{plan}"
    );
    tf.assert_no_mutating_calls(|| tf.apply());
    let shown = tf.cmd(&["output", "-no-color"]).success();
    assert!(shown.stdout.contains("password = <sensitive>"), "{shown}");
    assert!(shown.stdout.contains("token = <sensitive>"), "{shown}");

    let out = tf.outputs();
    assert_eq!(out["user"], "AWS");
    assert!(
        out["endpoint"].as_str().unwrap().starts_with("https://"),
        "{out}"
    );
    assert!(out["expires"].as_str().unwrap().ends_with('Z'), "{out}");
    let password = out["password"].as_str().unwrap();
    assert!(!password.is_empty());
    // The token is base64 of user_name:password.
    use base64::Engine as _;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(out["token"].as_str().unwrap())
        .unwrap();
    assert_eq!(
        String::from_utf8(decoded).unwrap(),
        format!("AWS:{password}")
    );
}

#[test]
fn ecr_repository_data_source() {
    let name = repo_name("repods");
    let resource = format!(
        r#"
resource "awsecs_ecr_repository" "r" {{
  name                 = "{name}"
  image_tag_mutability = "MUTABLE"
  force_delete         = true
  image_scanning_configuration {{
    scan_on_push = true
  }}
  tags = {{ app = "acc" }}
}}
"#
    );
    let tf = Workdir::new(&config(&resource));
    tf.apply();
    // An image pushed outside terraform, tagged twice.
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 2,
                   "digest": format!("sha256:{}", "b".repeat(64))},
        "layers": []
    })
    .to_string();
    for tag in ["v1", "latest"] {
        block_on(
            ecr()
                .put_image()
                .repository_name(&name)
                .image_manifest(&manifest)
                .image_tag(tag)
                .send(),
        )
        .expect("PutImage");
    }
    tf.set_config(&config(&format!(
        r#"{resource}
data "awsecs_ecr_repository" "d" {{
  name = awsecs_ecr_repository.r.name
}}
output "repo" {{
  value = data.awsecs_ecr_repository.d
}}
"#
    )));
    tf.assert_no_mutating_calls(|| tf.apply());
    let out = tf.outputs();
    let d = &out["repo"];
    let r = tf.state_show("awsecs_ecr_repository.r");
    assert_eq!(d["repository_url"], r["repository_url"]);
    assert_eq!(d["arn"], r["arn"]);
    assert_eq!(d["registry_id"], r["registry_id"]);
    assert_eq!(d["image_tag_mutability"], "MUTABLE");
    assert_eq!(d["image_scanning_configuration"][0]["scan_on_push"], true);
    assert_eq!(
        d["encryption_configuration"][0]["encryption_type"],
        "AES256"
    );
    assert_eq!(d["tags"]["app"], "acc");
    let mut latest: Vec<&str> = d["most_recent_image_tags"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    latest.sort();
    assert_eq!(latest, ["latest", "v1"], "{d}");
    tf.destroy();

    // A repository that does not exist: an error pointing at `name`.
    let missing = Workdir::new(&config(
        "data \"awsecs_ecr_repository\" \"d\" {\n  name = \"tf-acc/does-not-exist\"\n}\n",
    ));
    let err = missing.assert_no_mutating_calls(|| missing.fail_plan());
    assert!(
        err.contains("no repository named \"tf-acc/does-not-exist\""),
        "{err}"
    );
    assert!(err.contains("name = \"tf-acc/does-not-exist\""), "{err}");
}
