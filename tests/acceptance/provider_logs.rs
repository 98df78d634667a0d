//! Provider logs as Terraform users see them (TF_LOG / TF_LOG_PROVIDER with TF_LOG_PATH): each AWS
//! call at debug with its service, operation, duration, attempts and request ID — and no secret at
//! any level: not the static keys, the ECR token, an SSM SecureString or a sensitive variable.

use crate::support::*;

/// Terraform's log file after running `args` with the given log variables.
fn logged_run(tf: &Workdir, args: &[&str], log_env: &[(&str, &str)]) -> (TfOutput, String) {
    let level = log_env
        .iter()
        .map(|(_, v)| *v)
        .collect::<Vec<_>>()
        .join("-");
    let path = tf.path().join(format!("tf-{}-{level}.log", args[0]));
    let path_s = path.to_string_lossy().into_owned();
    let mut cmd = tf.cmd(args).env("TF_LOG_PATH", &path_s);
    for (k, v) in log_env {
        cmd = cmd.env(k, v);
    }
    let out = cmd.success();
    let log = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path_s}: {e}"));
    (out, log)
}

/// Whether a log line has the field `k=v` (Terraform prints a provider's fields in any order).
fn has(line: &str, field: &str) -> bool {
    line.split_whitespace().any(|t| t == field)
}

/// The provider's "AWS call" lines (Terraform writes them as `... [DEBUG] provider...: AWS call: k=v ...`).
fn call_lines(log: &str) -> Vec<&str> {
    log.lines()
        .filter(|l| l.contains("provider.terraform-provider-awsecs") && l.contains("AWS call:"))
        .collect()
}

#[test]
fn aws_calls_are_logged_at_debug_and_secrets_never() {
    let access_key = "AKIAAWSECSLOGTEST0001";
    let secret_key = "awsecs-log-test-secret-key-Zq81xV";
    let note = format!("sensitive-note-{}", unique_name("n"));
    let ssm_secret = format!("ssm-secret-{}", unique_name("v"));
    let param = format!("/{}", unique_name("logs"));
    let ssm = aws_sdk_ssm::Client::new(&aws());
    block_on(
        ssm.put_parameter()
            .name(&param)
            .value(&ssm_secret)
            .r#type(aws_sdk_ssm::types::ParameterType::SecureString)
            .send(),
    )
    .expect("PutParameter");

    // Static keys in the provider block (moto accepts any); against a real account the
    // environment's credentials are used instead.
    let keys = if real_aws() {
        String::new()
    } else {
        format!("access_key = \"{access_key}\"\n  secret_key = \"{secret_key}\"")
    };
    let role = unique_name("logs");
    let tf = Workdir::new(&format!(
        r#"terraform {{
  required_providers {{
    awsecs = {{ source = "awsecs/awsecs" }}
  }}
}}

provider "awsecs" {{
  {keys}
}}

variable "note" {{
  type      = string
  sensitive = true
  default   = "{note}"
}}

data "awsecs_ssm_parameter" "p" {{
  name = "{param}"
}}

data "awsecs_ecr_authorization_token" "t" {{}}

resource "awsecs_iam_role" "r" {{
  name               = "{role}"
  description        = var.note
  assume_role_policy = jsonencode({{ Version = "2012-10-17", Statement = [{{ Effect = "Allow", Action = "sts:AssumeRole", Principal = {{ Service = "ecs-tasks.amazonaws.com" }} }}] }})
  tags               = {{ digest = sha256(data.awsecs_ssm_parameter.p.value) }}
}}
"#
    ));
    let (_, log) = logged_run(
        &tf,
        &["apply", "-auto-approve", "-input=false", "-no-color"],
        &[("TF_LOG", "TRACE")],
    );
    let token = tf.state_show("data.awsecs_ecr_authorization_token.t");
    let ecr_token = token["authorization_token"]
        .as_str()
        .expect("token")
        .to_string();
    let ecr_password = token["password"].as_str().expect("password").to_string();
    assert_eq!(
        tf.state_show("data.awsecs_ssm_parameter.p")["value"],
        ssm_secret.as_str(),
        "the provider did read the secret it must not log"
    );

    let calls = call_lines(&log);
    let create_role = calls
        .iter()
        .find(|l| has(l, "service=IAM") && has(l, "operation=CreateRole"))
        .unwrap_or_else(|| panic!("a CreateRole call line in the log; call lines: {calls:#?}"));
    assert!(create_role.contains("[DEBUG]"), "{create_role}");
    for field in [
        "region=us-east-1",
        "attempts=1",
        "retries=0",
        "outcome=ok",
        "http_status=200",
    ] {
        assert!(has(create_role, field), "{field} in {create_role}");
    }
    for key in ["duration_ms=", "request_id="] {
        assert!(
            create_role
                .split_whitespace()
                .any(|t| t.starts_with(key) && t.len() > key.len()),
            "{key}... in {create_role}"
        );
    }
    for (service, op) in [
        ("SSM", "GetParameter"),
        ("ECR", "GetAuthorizationToken"),
        ("STS", "GetCallerIdentity"),
    ] {
        assert!(
            calls.iter().any(
                |l| has(l, &format!("service={service}")) && has(l, &format!("operation={op}"))
            ),
            "{service} {op} is logged; call lines: {calls:#?}"
        );
    }
    // Retries and attempts appear at trace, one line per attempt.
    assert!(log.contains("AWS call attempt:"), "attempt lines at TRACE");

    let secrets = [
        ("access_key", access_key),
        ("secret_key", secret_key),
        ("sensitive variable", note.as_str()),
        ("SSM SecureString", ssm_secret.as_str()),
        ("ECR authorization token", ecr_token.as_str()),
        ("ECR password", ecr_password.as_str()),
    ];
    for (what, secret) in secrets {
        if real_aws() && what.ends_with("_key") {
            continue; // not configured against a real account
        }
        if let Some(line) = log.lines().find(|l| l.contains(secret)) {
            panic!("the {what} appears in the TRACE log:\n{line}");
        }
    }

    // TF_LOG_PROVIDER alone sets the provider's level: DEBUG has the call lines but not the
    // per-attempt TRACE lines; INFO has neither.
    let (_, debug_log) = logged_run(
        &tf,
        &["plan", "-input=false", "-no-color"],
        &[("TF_LOG_PROVIDER", "DEBUG")],
    );
    assert!(
        call_lines(&debug_log)
            .iter()
            .any(|l| has(l, "operation=GetRole") && l.contains("[DEBUG]")),
        "the refresh's GetRole at DEBUG:\n{debug_log}"
    );
    assert!(
        !debug_log.contains("AWS call attempt:"),
        "no TRACE lines at DEBUG"
    );
    let (_, info_log) = logged_run(
        &tf,
        &["plan", "-input=false", "-no-color"],
        &[("TF_LOG_PROVIDER", "INFO")],
    );
    assert!(
        call_lines(&info_log).is_empty(),
        "no AWS call lines at INFO:\n{info_log}"
    );

    tf.destroy();
    block_on(ssm.delete_parameter().name(&param).send()).expect("DeleteParameter");
}
