//! ECS task definitions and services through terraform, verified through the ECS API. The cluster
//! is made with the SDK here (the cluster resource is tested on its own).

use serde_json::Value;

use crate::support::*;

mod services;

fn ecs() -> aws_sdk_ecs::Client {
    aws_sdk_ecs::Client::new(&aws())
}

/// The status of a task definition revision (ACTIVE / INACTIVE), None when unknown to ECS.
fn td_status(arn: &str) -> Option<String> {
    block_on(ecs().describe_task_definition().task_definition(arn).send())
        .ok()
        .and_then(|o| {
            o.task_definition()
                .and_then(|t| t.status())
                .map(|s| s.as_str().to_string())
        })
}

fn td_active(arn: &str) -> bool {
    td_status(arn).as_deref() == Some("ACTIVE")
}

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v[k].as_str()
        .unwrap_or_else(|| panic!("{k} missing in {v}"))
}

/// An execution role for the tasks (awsecs_iam_role) named `name`.
fn execution_role(name: &str) -> String {
    format!(
        r#"
resource "awsecs_iam_role" "exec" {{
  name = "{name}"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = "sts:AssumeRole", Principal = {{ Service = "ecs-tasks.amazonaws.com" }} }}]
  }})
}}
"#
    )
}

#[test]
fn ecs_task_definition_lifecycle() {
    let family = unique_name("td");
    // jsonencode writes keys sorted and compact, which is also the canonical spelling an import
    // stores, so created and imported states can be compared attribute by attribute.
    let body = format!(
        r#"{role}
resource "awsecs_ecs_task_definition" "t" {{
  family             = "{family}"
  execution_role_arn = awsecs_iam_role.exec.arn
  network_mode       = "bridge"
  requires_compatibilities = ["EC2"]
  container_definitions = jsonencode([{{
    environment  = [{{ name = "A", value = "1" }}, {{ name = "B", value = "2" }}]
    essential    = true
    image        = "nginx:1.27"
    memory       = 128
    name         = "web"
    portMappings = [{{ containerPort = 80, hostPort = 8080 }}]
  }}])
  volume {{
    name      = "data"
    host_path = "/srv/data"
  }}
  tags = {{ app = "dks" }}
}}
"#,
        role = execution_role(&unique_name("tdexec"))
    );
    Lifecycle {
        config: config(&body),
        address: "awsecs_ecs_task_definition.t",
        import_id: &|st: &Value| s(st, "arn").to_string(),
        exists: &|st: &Value| td_active(s(st, "arn")),
        delete_out_of_band: Some(&|st: &Value| {
            block_on(
                ecs()
                    .deregister_task_definition()
                    .task_definition(s(st, "arn"))
                    .send(),
            )
            .expect("DeregisterTaskDefinition");
        }),
        import_ignore: &[],
    }
    .run();
}

#[test]
fn ecs_task_definition_equivalent_spellings_plan_empty() {
    let family = unique_name("tdeq");
    let first = format!(
        r#"
resource "awsecs_ecs_task_definition" "t" {{
  family       = "{family}"
  network_mode = "awsvpc"
  container_definitions = <<-JSON
    [{{"name": "db", "image": "postgres:16.4-alpine", "memoryReservation": 256,
       "portMappings": [{{"containerPort": 5432, "name": "db-port"}}],
       "environment": [{{"name": "PGPORT", "value": "5432"}}, {{"name": "DB_NAME", "value": "dks_db"}}]}},
     {{"image": "busybox", "name": "sidecar", "memory": 64, "essential": false,
       "healthCheck": {{"command": ["CMD-SHELL", "true"]}}}}]
  JSON
}}
"#
    );
    // Same task: other key and container order, AWS defaults spelled out (cpu 0, essential,
    // protocol tcp, awsvpc hostPort = containerPort, health-check timings), environment re-sorted,
    // empty lists and a null environment value that ECS drops.
    let second = format!(
        r#"
resource "awsecs_ecs_task_definition" "t" {{
  family       = "{family}"
  network_mode = "awsvpc"
  container_definitions = jsonencode([
    {{
      name = "sidecar", image = "busybox", memory = 64, essential = false, cpu = 0, mountPoints = []
      healthCheck = {{ command = ["CMD-SHELL", "true"], interval = 30, timeout = 5, retries = 3 }}
    }},
    {{
      essential = true, cpu = 0, name = "db", image = "postgres:16.4-alpine", memoryReservation = 256
      environment = [{{ name = "DB_NAME", value = "dks_db" }}, {{ name = "PGPORT", value = "5432" }}, {{ name = "UNSET", value = null }}]
      portMappings = [{{ name = "db-port", containerPort = 5432, hostPort = 5432, protocol = "tcp" }}]
      volumesFrom = []
    }},
  ])
}}
"#
    );
    let tf = Workdir::new(&config(&first));
    tf.apply();
    tf.assert_no_mutating_calls(|| tf.assert_no_changes());
    tf.set_config(&config(&second));
    tf.assert_no_mutating_calls(|| tf.assert_no_changes());
    // A real change is still a change (a new revision).
    tf.set_config(&config(&second.replace("busybox", "busybox:1.36")));
    let plan = tf.assert_changes();
    assert!(plan.stdout.contains("must be replaced"), "{plan}");
    tf.destroy();
}

#[test]
fn ecs_task_definition_image_unknown_at_plan() {
    let name = unique_name("tdimg");
    let body = format!(
        r#"
resource "awsecs_ecr_repository" "app" {{
  name         = "{name}"
  force_delete = true
}}
resource "awsecs_ecs_task_definition" "t" {{
  family = "{name}"
  container_definitions = jsonencode([{{
    name   = "app"
    image  = "${{awsecs_ecr_repository.app.repository_url}}:v1"
    memory = 128
  }}])
}}
"#
    );
    let tf = Workdir::new(&config(&body));
    tf.apply();
    let st = tf.state_show("awsecs_ecs_task_definition.t");
    let url = tf.state_show("awsecs_ecr_repository.app")["repository_url"].clone();
    assert!(
        s(&st, "container_definitions").contains(url.as_str().unwrap()),
        "{st}"
    );
    tf.assert_no_mutating_calls(|| tf.assert_no_changes());
    tf.destroy();
}

#[test]
fn ecs_task_definition_skip_destroy_keeps_old_revision() {
    let family = unique_name("tdskip");
    let body = |image: &str| {
        config(&format!(
            r#"
resource "awsecs_ecs_task_definition" "t" {{
  family       = "{family}"
  skip_destroy = true
  container_definitions = jsonencode([{{ name = "app", image = "{image}", memory = 64 }}])
}}
"#
        ))
    };
    let tf = Workdir::new(&body("nginx:1.26"));
    tf.apply();
    let first = s(&tf.state_show("awsecs_ecs_task_definition.t"), "arn").to_string();
    tf.set_config(&body("nginx:1.27"));
    tf.apply();
    let second = tf.state_show("awsecs_ecs_task_definition.t");
    assert_ne!(
        s(&second, "arn"),
        first,
        "an image change registers a new revision"
    );
    assert_eq!(second["revision"], 2);
    assert!(
        td_active(&first),
        "skip_destroy: the replaced revision stays ACTIVE"
    );
    tf.destroy();
    assert!(
        td_active(s(&second, "arn")),
        "skip_destroy: destroy leaves the revision ACTIVE"
    );
}

#[test]
fn ecs_task_definition_validation_fails_at_plan_with_paths() {
    let td = |label: &str, extra: &str, defs: &str| {
        format!(
            "resource \"awsecs_ecs_task_definition\" \"{label}\" {{\n  family = \"{label}\"\n{extra}\n  container_definitions = <<-JSON\n    {defs}\n  JSON\n}}\n"
        )
    };
    let cases: &[(&str, &str, &str, &str)] = &[
        ("badjson", "", r#"[{"name": "a", "image": "x", "memory": 1"#, "invalid JSON"),
        ("noimage", "", r#"[{"name": "web", "memory": 64}]"#, r#"container \"web\" (index 0) has no \"image\""#),
        ("noessential", "", r#"[{"name": "a", "image": "x", "memory": 64, "essential": false}]"#, "no container is essential"),
        ("nomemory", "  requires_compatibilities = [\"EC2\"]", r#"[{"name": "a", "image": "x"}]"#, r#"neither \"memory\" nor \"memoryReservation\""#),
        ("dependson", "", r#"[{"name": "api", "image": "x", "memory": 64, "dependsOn": [{"containerName": "db", "condition": "HEALTHY"}]}]"#, r#"dependsOn \"db\""#),
        (
            "dupports",
            "",
            r#"[{"name": "a", "image": "x", "memory": 64, "portMappings": [{"containerPort": 80, "name": "http"}]}, {"name": "b", "image": "x", "memory": 64, "portMappings": [{"containerPort": 81, "name": "http"}]}]"#,
            r#"port mapping name \"http\" is used more than once"#,
        ),
        (
            "fargate",
            "  requires_compatibilities = [\"FARGATE\"]\n  network_mode = \"awsvpc\"\n  cpu = \"256\"\n  memory = \"4096\"",
            r#"[{"name": "a", "image": "x"}]"#,
            "FARGATE cpu 256 allows memory 512..2048 MiB",
        ),
        (
            "fargatenet",
            "  requires_compatibilities = [\"FARGATE\"]\n  cpu = \"256\"\n  memory = \"512\"",
            r#"[{"name": "a", "image": "x"}]"#,
            r#"FARGATE tasks need network_mode = \"awsvpc\" (got unset)"#,
        ),
    ];
    let body: String = cases.iter().map(|(l, e, d, _)| td(l, e, d)).collect();
    let tf = Workdir::new(&config(&body));
    let err = tf.assert_no_mutating_calls(|| tf.fail_plan());
    let flat = err.split_whitespace().collect::<Vec<_>>().join(" ");
    for (label, _, _, text) in cases {
        let text = text.replace("\\\"", "\"");
        assert!(flat.contains(&text), "{label}: expected {text:?} in\n{err}");
        assert!(
            err.contains(&format!("awsecs_ecs_task_definition.{label},")),
            "{label}: the diagnostic names the resource\n{err}"
        );
    }
    // Paths: the container checks point at container_definitions, the Fargate size at memory.
    assert!(err.contains("container_definitions = <<-JSON"), "{err}");
    assert!(err.contains("memory = \"4096\""), "{err}");
}

#[test]
fn ecs_task_definition_track_latest_follows_new_revisions() {
    // CI/CD registers revisions outside Terraform (hashicorp/aws #632): with track_latest the
    // resource follows the family's latest ACTIVE revision instead of planning to replace it.
    let family = unique_name("tdlatest");
    let tf = Workdir::new(&config(&format!(
        r#"
resource "awsecs_ecs_task_definition" "t" {{
  family       = "{family}"
  track_latest = true
  container_definitions = jsonencode([{{ name = "app", image = "nginx:1.27", memory = 64 }}])
}}
"#
    )));
    tf.apply();
    let first = s(&tf.state_show("awsecs_ecs_task_definition.t"), "arn").to_string();
    let c = aws_sdk_ecs::types::ContainerDefinition::builder()
        .name("app")
        .image("nginx:1.27")
        .memory(64)
        .build();
    let out = block_on(
        ecs()
            .register_task_definition()
            .family(&family)
            .container_definitions(c)
            .send(),
    )
    .expect("RegisterTaskDefinition");
    let second = out
        .task_definition()
        .and_then(|t| t.task_definition_arn())
        .unwrap()
        .to_string();
    tf.assert_no_mutating_calls(|| tf.assert_no_changes());
    tf.cmd(&["apply", "-refresh-only", "-auto-approve", "-no-color"])
        .success();
    let st = tf.state_show("awsecs_ecs_task_definition.t");
    assert_eq!(s(&st, "arn"), second, "state follows the latest revision");
    assert_ne!(first, second);
    tf.destroy();
    assert!(
        !td_active(&second),
        "destroy deregisters the tracked revision"
    );
}
