//! IAM instance profiles, inline role policies and managed policies through terraform, verified
//! through the IAM API.

use serde_json::Value;

use crate::support::*;

fn iam() -> aws_sdk_iam::Client {
    aws_sdk_iam::Client::new(&aws())
}

fn s<'a>(state: &'a Value, key: &str) -> &'a str {
    state[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} missing in {state}"))
}

/// A role EC2 may assume, as HCL.
fn role(label: &str, name: &str) -> String {
    format!(
        r#"
resource "awsecs_iam_role" "{label}" {{
  name               = "{name}"
  assume_role_policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = "sts:AssumeRole", Principal = {{ Service = "ec2.amazonaws.com" }} }}]
  }})
}}
"#
    )
}

fn profile_roles(name: &str) -> Option<Vec<String>> {
    let out = block_on(
        iam()
            .get_instance_profile()
            .instance_profile_name(name)
            .send(),
    )
    .ok()?;
    Some(
        out.instance_profile()?
            .roles()
            .iter()
            .map(|r| r.role_name().to_string())
            .collect(),
    )
}

#[test]
fn iam_instance_profile_lifecycle() {
    let name = unique_name("ip");
    let role_name = unique_name("iprole");
    Lifecycle {
        config: config(&format!(
            r#"{}
resource "awsecs_iam_instance_profile" "p" {{
  name = "{name}"
  path = "/ecs/"
  role = awsecs_iam_role.a.name
  tags = {{ team = "acc" }}
}}
"#,
            role("a", &role_name)
        )),
        address: "awsecs_iam_instance_profile.p",
        import_id: &|st: &Value| s(st, "name").to_string(),
        exists: &|st: &Value| {
            // Exists with its role: the readiness wait is part of create.
            profile_roles(s(st, "name")).is_some_and(|r| r == [s(st, "role")])
        },
        delete_out_of_band: Some(&|st: &Value| {
            let (p, r) = (s(st, "name"), s(st, "role"));
            block_on(
                iam()
                    .remove_role_from_instance_profile()
                    .instance_profile_name(p)
                    .role_name(r)
                    .send(),
            )
            .expect("RemoveRoleFromInstanceProfile");
            block_on(
                iam()
                    .delete_instance_profile()
                    .instance_profile_name(p)
                    .send(),
            )
            .expect("DeleteInstanceProfile");
        }),
        import_ignore: &[],
    }
    .run();
}

#[test]
fn iam_instance_profile_role_swaps_in_place() {
    let (ra, rb) = (unique_name("ipra"), unique_name("iprb"));
    let with_role = |r: Option<&str>| {
        let role_line = r
            .map(|r| format!("role = awsecs_iam_role.{r}.name"))
            .unwrap_or_default();
        config(&format!(
            r#"{}{}
resource "awsecs_iam_instance_profile" "p" {{
  name_prefix = "tf-acc-ip-"
  {role_line}
}}
"#,
            role("a", &ra),
            role("b", &rb)
        ))
    };
    let tf = Workdir::new(&with_role(Some("a")));
    tf.apply();
    let st = tf.state_show("awsecs_iam_instance_profile.p");
    let profile = s(&st, "name").to_string();
    assert!(profile.starts_with("tf-acc-ip-"), "{profile}");
    assert_eq!(s(&st, "name_prefix"), "tf-acc-ip-");
    assert_eq!(profile_roles(&profile).unwrap(), vec![ra.as_str()]);

    // Swap the role: an in-place update, the profile (and its unique ID) stays.
    tf.set_config(&with_role(Some("b")));
    let plan = tf.assert_changes();
    assert!(
        plan.stdout.contains("updated in-place") && !plan.stdout.contains("must be replaced"),
        "{plan}"
    );
    tf.apply();
    let after = tf.state_show("awsecs_iam_instance_profile.p");
    assert_eq!(after["unique_id"], st["unique_id"]);
    assert_eq!(profile_roles(&profile).unwrap(), vec![rb.as_str()]);
    tf.assert_no_mutating_calls(|| tf.assert_no_changes());

    // Drop the role: removed in place.
    tf.set_config(&with_role(None));
    tf.apply();
    assert_eq!(profile_roles(&profile).unwrap(), Vec::<String>::new());
    tf.assert_no_changes();

    // A role attached out of band is drift: the plan removes it again.
    block_on(
        iam()
            .add_role_to_instance_profile()
            .instance_profile_name(&profile)
            .role_name(&ra)
            .send(),
    )
    .expect("AddRoleToInstanceProfile");
    let plan = tf.assert_changes();
    assert!(plan.stdout.contains("role"), "{plan}");
    tf.apply();
    assert_eq!(profile_roles(&profile).unwrap(), Vec::<String>::new());

    tf.destroy();
    assert!(profile_roles(&profile).is_none());
}

#[test]
fn iam_instance_profile_failed_role_add_keeps_the_profile_in_state() {
    let name = unique_name("ipfail");
    let missing = unique_name("nosuchrole");
    let tf = Workdir::new(&config(&format!(
        r#"
resource "awsecs_iam_instance_profile" "p" {{
  name = "{name}"
  role = "{missing}"
}}
"#
    )));
    // AWS retries this error for the IAM propagation window before giving up; moto answers it
    // as a plain not-found, which fails at once.
    let err = tf.fail_apply();
    assert!(
        err.contains(&format!("adding IAM Role ({missing})")),
        "{err}"
    );
    assert!(
        err.contains(&format!("role = \"{missing}\"")),
        "the error must point at role:\n{err}"
    );
    // The profile was created before the failure: terraform tracks it (tainted), never orphans it.
    assert!(profile_roles(&name).is_some(), "the profile exists in IAM");
    let st = tf.state_json();
    let tracked = st["values"]["root_module"]["resources"][0].clone();
    assert_eq!(tracked["address"], "awsecs_iam_instance_profile.p", "{st}");
    assert_eq!(tracked["values"]["name"], name.as_str());
    assert_eq!(
        tracked["values"]["role"],
        Value::Null,
        "the role was never added"
    );
    assert_eq!(tracked["tainted"], true, "{st}");
    tf.destroy();
    assert!(
        profile_roles(&name).is_none(),
        "destroy removed the partial profile"
    );
}

fn policy_doc(actions: &[&str]) -> String {
    let list: Vec<String> = actions.iter().map(|a| format!("\"{a}\"")).collect();
    format!(
        r#"jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = [{}], Resource = "*" }}]
  }})"#,
        list.join(", ")
    )
}

/// IAM returns policy documents percent-encoded (RFC 3986).
fn url_decoded(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (b[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn inline_policy(role: &str, name: &str) -> Option<String> {
    block_on(
        iam()
            .get_role_policy()
            .role_name(role)
            .policy_name(name)
            .send(),
    )
    .ok()
    .map(|o| url_decoded(o.policy_document()))
}

#[test]
fn iam_role_policy_lifecycle() {
    let role_name = unique_name("rprole");
    Lifecycle {
        config: config(&format!(
            r#"{}
resource "awsecs_iam_role_policy" "p" {{
  name   = "read-logs"
  role   = awsecs_iam_role.a.name
  # Reformatted relative to what IAM returns: must not be a diff.
  policy = <<-JSON
    {{ "Statement": [ {{ "Resource": "*", "Action": ["logs:GetLogEvents", "logs:DescribeLogStreams"],
         "Effect": "Allow" }} ], "Version": "2012-10-17" }}
  JSON
}}
"#,
            role("a", &role_name)
        )),
        address: "awsecs_iam_role_policy.p",
        import_id: &|st: &Value| format!("{}:{}", s(st, "role"), s(st, "name")),
        exists: &|st: &Value| inline_policy(s(st, "role"), s(st, "name")).is_some(),
        delete_out_of_band: Some(&|st: &Value| {
            block_on(
                iam()
                    .delete_role_policy()
                    .role_name(s(st, "role"))
                    .policy_name(s(st, "name"))
                    .send(),
            )
            .expect("DeleteRolePolicy");
        }),
        import_ignore: &[],
    }
    .run();
}

#[test]
fn iam_role_policy_updates_in_place() {
    let role_name = unique_name("rpupd");
    let cfg = |actions: &[&str]| {
        config(&format!(
            r#"{}
resource "awsecs_iam_role_policy" "p" {{
  name_prefix = "acc-"
  role        = awsecs_iam_role.a.name
  policy      = {}
}}
"#,
            role("a", &role_name),
            policy_doc(actions)
        ))
    };
    let tf = Workdir::new(&cfg(&["s3:GetObject"]));
    tf.apply();
    let st = tf.state_show("awsecs_iam_role_policy.p");
    let name = s(&st, "name").to_string();
    assert!(name.starts_with("acc-") && s(&st, "id") == format!("{role_name}:{name}"));

    // Same actions, other order and duplicates: the same policy, no change.
    tf.set_config(&cfg(&["s3:GetObject", "s3:GetObject"]));
    tf.assert_no_mutating_calls(|| tf.assert_no_changes());

    tf.set_config(&cfg(&["s3:GetObject", "s3:PutObject"]));
    let plan = tf.assert_changes();
    assert!(plan.stdout.contains("updated in-place"), "{plan}");
    tf.apply();
    let doc = inline_policy(&role_name, &name).expect("policy exists");
    assert!(doc.contains("s3:PutObject"), "{doc}");
    tf.assert_no_changes();
    tf.destroy();
    assert!(inline_policy(&role_name, &name).is_none());
}

fn policy_exists(arn: &str) -> bool {
    block_on(iam().get_policy().policy_arn(arn).send()).is_ok()
}

fn policy_versions(arn: &str) -> Vec<(String, bool)> {
    let out =
        block_on(iam().list_policy_versions().policy_arn(arn).send()).expect("ListPolicyVersions");
    out.versions()
        .iter()
        .map(|v| {
            (
                v.version_id().unwrap_or_default().to_string(),
                v.is_default_version(),
            )
        })
        .collect()
}

fn default_document(arn: &str) -> String {
    let p = block_on(iam().get_policy().policy_arn(arn).send()).expect("GetPolicy");
    let v = p
        .policy()
        .and_then(|p| p.default_version_id())
        .unwrap()
        .to_string();
    let out = block_on(
        iam()
            .get_policy_version()
            .policy_arn(arn)
            .version_id(v)
            .send(),
    )
    .expect("GetPolicyVersion");
    url_decoded(
        out.policy_version()
            .and_then(|v| v.document())
            .unwrap_or_default(),
    )
}

#[test]
fn iam_policy_lifecycle() {
    let name = unique_name("pol");
    Lifecycle {
        config: config(&format!(
            r#"
resource "awsecs_iam_policy" "p" {{
  name        = "{name}"
  path        = "/acc/"
  description = "acceptance test policy"
  policy      = {}
  tags        = {{ team = "acc" }}
}}
"#,
            policy_doc(&["ecr:GetAuthorizationToken"])
        )),
        address: "awsecs_iam_policy.p",
        import_id: &|st: &Value| s(st, "arn").to_string(),
        exists: &|st: &Value| policy_exists(s(st, "arn")),
        delete_out_of_band: Some(&|st: &Value| {
            block_on(iam().delete_policy().policy_arn(s(st, "arn")).send()).expect("DeletePolicy");
        }),
        import_ignore: &[],
    }
    .run();
}

#[test]
fn iam_policy_updates_create_versions_and_prune_the_oldest() {
    let name = unique_name("polver");
    let cfg = |n: usize, delay: Option<u32>| {
        let actions: Vec<String> = (0..=n).map(|i| format!("s3:Action{i}")).collect();
        let refs: Vec<&str> = actions.iter().map(String::as_str).collect();
        let delay = delay
            .map(|ms| format!("delay_after_policy_creation_in_ms = {ms}"))
            .unwrap_or_default();
        config(&format!(
            r#"
resource "awsecs_iam_policy" "p" {{
  name   = "{name}"
  policy = {}
  {delay}
}}
resource "awsecs_iam_role" "r" {{
  name               = "{name}"
  assume_role_policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = "sts:AssumeRole", Principal = {{ Service = "ecs-tasks.amazonaws.com" }} }}]
  }})
}}
resource "awsecs_iam_role_policy_attachment" "a" {{
  role       = awsecs_iam_role.r.name
  policy_arn = awsecs_iam_policy.p.arn
}}
"#,
            policy_doc(&refs)
        ))
    };
    let tf = Workdir::new(&cfg(0, None));
    tf.apply();
    let st = tf.state_show("awsecs_iam_policy.p");
    let arn = s(&st, "arn").to_string();
    assert_eq!(s(&st, "id"), arn);
    assert_eq!(policy_versions(&arn).len(), 1);

    // Seven policy changes: IAM allows five versions, so the oldest non-default ones go.
    for n in 1..=7 {
        // One update goes through the non-default version + delay + set-default path.
        let delay = (n == 6).then_some(50);
        tf.set_config(&cfg(n, delay));
        let plan = tf.assert_changes();
        assert!(
            plan.stdout.contains("updated in-place") && !plan.stdout.contains("must be replaced"),
            "{plan}"
        );
        tf.apply();
        let versions = policy_versions(&arn);
        assert_eq!(
            versions.len(),
            (n + 1).min(5),
            "after update {n}: {versions:?}"
        );
        assert_eq!(
            versions.iter().filter(|(_, d)| *d).count(),
            1,
            "{versions:?}"
        );
        let doc = default_document(&arn);
        assert!(doc.contains(&format!("s3:Action{n}")), "update {n}: {doc}");
        tf.assert_no_changes();
    }
    let st = tf.state_show("awsecs_iam_policy.p");
    assert_eq!(st["attachment_count"], 1);
    assert_eq!(s(&st, "arn"), arn, "updates never replace the policy");

    // Destroy deletes the four non-default versions, then the policy.
    tf.destroy();
    assert!(!policy_exists(&arn));
}

#[test]
fn iam_policy_reformatted_replans_empty() {
    let name = unique_name("polfmt");
    let body = |policy: &str| {
        config(&format!(
            "resource \"awsecs_iam_policy\" \"p\" {{\n  name_prefix = \"{name}-\"\n  policy = {policy}\n}}\n"
        ))
    };
    let tf = Workdir::new(&body(&policy_doc(&[
        "ec2:DescribeImages",
        "ec2:DescribeInstances",
    ])));
    tf.apply();
    let arn = s(&tf.state_show("awsecs_iam_policy.p"), "arn").to_string();
    tf.set_config(&body(
        r#"<<-JSON
    {
      "Statement": {"Resource": ["*"], "Effect": "Allow",
                    "Action": ["ec2:DescribeInstances", "ec2:DescribeImages"]},
      "Version": "2012-10-17"
    }
  JSON"#,
    ));
    tf.assert_no_mutating_calls(|| tf.assert_no_changes());
    assert_eq!(policy_versions(&arn).len(), 1);
    tf.destroy();
}

#[test]
fn invalid_iam_arguments_fail_at_plan_without_api_writes() {
    let cases: &[(&str, &str, &[&str])] = &[
        (
            r#"resource "awsecs_iam_policy" "p" {
  name   = "bad"
  policy = "{ not json"
}"#,
            "policy = \"{ not json\"",
            &["valid JSON"],
        ),
        (
            r#"resource "awsecs_iam_role_policy" "p" {
  role   = "some-role"
  policy = "[]"
}"#,
            "policy = \"[]\"",
            &["JSON array, not a JSON object"],
        ),
        (
            r#"resource "awsecs_iam_instance_profile" "p" {
  path = "ecs"
}"#,
            "path = \"ecs\"",
            &["must begin and end with '/'"],
        ),
        (
            r#"resource "awsecs_iam_policy" "p" {
  name        = "a"
  name_prefix = "b"
  policy      = "{}"
}"#,
            "name_prefix",
            &["conflicts with"],
        ),
    ];
    for (body, line, texts) in cases {
        let tf = Workdir::new(&config(body));
        let err = tf.assert_no_mutating_calls(|| tf.fail_plan());
        assert!(
            err.contains(line),
            "the diagnostic must point at {line}:\n{err}"
        );
        for t in *texts {
            assert!(err.contains(t), "expected {t:?}:\n{err}");
        }
    }
}
