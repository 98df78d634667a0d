//! ECS task definitions and services through terraform, verified through the ECS API. The cluster
//! is made with the SDK here (the cluster resource is tested on its own).

use serde_json::Value;

use crate::support::*;

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

// ---- services --------------------------------------------------------------------------------

/// A cluster made with the SDK (optionally with capacity providers); deleted when dropped.
struct Cluster {
    name: String,
    arn: String,
}

impl Cluster {
    fn new(prefix: &str, capacity_providers: &[&str]) -> Cluster {
        let name = unique_name(prefix);
        let out = block_on(
            ecs()
                .create_cluster()
                .cluster_name(&name)
                .set_capacity_providers((!capacity_providers.is_empty()).then(|| capacity_providers.iter().map(|s| s.to_string()).collect()))
                .send(),
        )
        .expect("CreateCluster");
        let arn = out.cluster().and_then(|c| c.cluster_arn()).expect("cluster ARN").to_string();
        Cluster { name, arn }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = block_on(ecs().delete_cluster().cluster(&self.arn).send());
    }
}

/// A VPC with one subnet and one security group (moto's awsvpc path needs security groups).
fn network() -> (String, String) {
    let ec2 = aws_sdk_ec2::Client::new(&aws());
    let vpc = block_on(ec2.create_vpc().cidr_block("10.42.0.0/16").send()).expect("CreateVpc");
    let vpc_id = vpc.vpc().and_then(|v| v.vpc_id()).unwrap().to_string();
    let subnet = block_on(ec2.create_subnet().vpc_id(&vpc_id).cidr_block("10.42.1.0/24").send()).expect("CreateSubnet");
    let sg = block_on(ec2.create_security_group().vpc_id(&vpc_id).group_name(unique_name("sg")).description("acc").send()).expect("CreateSecurityGroup");
    (subnet.subnet().and_then(|s| s.subnet_id()).unwrap().to_string(), sg.group_id().unwrap().to_string())
}

fn service_json(cluster: &str, arn: &str) -> Option<aws_sdk_ecs::types::Service> {
    block_on(ecs().describe_services().cluster(cluster).services(arn).send())
        .ok()
        .and_then(|o| o.services().first().cloned())
}

fn service_active(cluster: &str, arn: &str) -> bool {
    service_json(cluster, arn).is_some_and(|s| s.status() == Some("ACTIVE"))
}

fn bridge_task(family: &str, image: &str) -> String {
    format!(
        r#"
resource "awsecs_ecs_task_definition" "t" {{
  family             = "{family}"
  execution_role_arn = awsecs_iam_role.exec.arn
  container_definitions = jsonencode([{{
    name = "web", image = "{image}", memory = 128, essential = true
    portMappings = [{{ containerPort = 80, hostPort = 0 }}]
  }}])
}}
"#
    )
}

#[test]
fn ecs_service_lifecycle() {
    let cluster = Cluster::new("svc", &[]);
    let name = unique_name("svc");
    let body = format!(
        r#"{role}{task}
resource "awsecs_ecs_service" "s" {{
  name            = "{name}"
  cluster         = "{cluster}"
  task_definition = awsecs_ecs_task_definition.t.arn
  desired_count   = 1
  launch_type     = "EC2"
  propagate_tags  = "SERVICE"
  tags            = {{ app = "dks" }}
}}
"#,
        role = execution_role(&unique_name("svcexec")),
        task = bridge_task(&unique_name("svctd"), "nginx:1.27"),
        cluster = cluster.name,
    );
    let c = cluster.name.clone();
    Lifecycle {
        config: config(&body),
        address: "awsecs_ecs_service.s",
        import_id: &|st: &Value| format!("{}/{}", s(st, "cluster"), s(st, "name")),
        exists: &|st: &Value| service_active(&c, s(st, "arn")),
        delete_out_of_band: Some(&|st: &Value| {
            block_on(ecs().delete_service().cluster(&c).service(s(st, "arn")).force(true).send()).expect("DeleteService");
        }),
        import_ignore: &[],
    }
    .run();
}

#[test]
fn ecs_service_image_change_updates_in_place() {
    let cluster = Cluster::new("svcimg", &[]);
    let (name, family, role) = (unique_name("svcimg"), unique_name("svcimgtd"), unique_name("svcimgexec"));
    let body = |image: &str| {
        config(&format!(
            r#"{role}{task}
resource "awsecs_ecs_service" "s" {{
  name            = "{name}"
  cluster         = "{cluster}"
  task_definition = awsecs_ecs_task_definition.t.arn
  desired_count   = 1
}}
"#,
            role = execution_role(&role),
            task = bridge_task(&family, image),
            cluster = cluster.arn,
        ))
    };
    let tf = Workdir::new(&body("nginx:1.26"));
    tf.apply();
    let before = tf.state_show("awsecs_ecs_service.s");
    let old_td = s(&tf.state_show("awsecs_ecs_task_definition.t"), "arn").to_string();
    tf.set_config(&body("nginx:1.27"));
    let plan = tf.assert_changes();
    assert!(plan.stdout.contains("awsecs_ecs_task_definition.t must be replaced"), "{plan}");
    assert!(plan.stdout.contains("awsecs_ecs_service.s will be updated in-place"), "{plan}");
    tf.apply();
    let after = tf.state_show("awsecs_ecs_service.s");
    let new_td = s(&tf.state_show("awsecs_ecs_task_definition.t"), "arn").to_string();
    assert_ne!(new_td, old_td);
    assert_eq!(s(&after, "arn"), s(&before, "arn"), "the service is updated, not replaced");
    let svc = service_json(&cluster.arn, s(&after, "arn")).expect("service");
    assert_eq!(svc.task_definition(), Some(new_td.as_str()), "ECS runs the new revision");
    assert!(!td_active(&old_td), "the replaced revision is deregistered");
    tf.assert_no_mutating_calls(|| tf.assert_no_changes());
    tf.destroy();
}

#[test]
fn ecs_service_omitted_structures_plan_empty() {
    // moto's DescribeServices leaves out deployment configuration, placement strategy, execute
    // command and Service Connect: what the API does not report must not become a diff.
    let cluster = Cluster::new("svcomit", &[]);
    let (subnet, sg) = network();
    let ns = block_on(aws_sdk_servicediscovery::Client::new(&aws()).create_http_namespace().name(unique_name("ns")).send()).expect("CreateHttpNamespace");
    let _ = ns;
    let (name, family) = (unique_name("svcomit"), unique_name("svcomittd"));
    let body = format!(
        r#"
resource "awsecs_ecs_task_definition" "t" {{
  family       = "{family}"
  network_mode = "awsvpc"
  container_definitions = jsonencode([{{
    name = "api", image = "nginx", memory = 128
    portMappings = [{{ containerPort = 8080, name = "http" }}]
  }}])
}}
resource "awsecs_ecs_service" "s" {{
  name                               = "{name}"
  cluster                            = "{cluster}"
  task_definition                    = awsecs_ecs_task_definition.t.arn
  desired_count                      = 2
  deployment_maximum_percent         = 150
  deployment_minimum_healthy_percent = 50
  enable_execute_command             = true
  deployment_circuit_breaker {{
    enable   = true
    rollback = true
  }}
  ordered_placement_strategy {{
    type  = "spread"
    field = "host"
  }}
  placement_constraints {{
    type = "distinctInstance"
  }}
  network_configuration {{
    subnets         = ["{subnet}"]
    security_groups = ["{sg}"]
  }}
}}
"#,
        cluster = cluster.name,
    );
    let tf = Workdir::new(&config(&body));
    tf.apply();
    tf.assert_no_mutating_calls(|| tf.assert_no_changes());
    let st = tf.state_show("awsecs_ecs_service.s");
    assert_eq!(st["ordered_placement_strategy"][0]["field"], "host", "the user's spelling stays");
    // A real change is planned as an in-place update.
    tf.set_config(&config(&body.replace("= 150", "= 180")));
    let plan = tf.assert_changes();
    assert!(plan.stdout.contains("updated in-place") && plan.stdout.contains("150 -> 180"), "{plan}");
    tf.apply();
    tf.assert_no_changes();
    tf.destroy();
}

#[test]
fn ecs_service_wait_for_steady_state() {
    // With nothing to run (desired_count = 0) a deployment completes at once, on AWS and moto.
    let cluster = Cluster::new("svcwait", &[]);
    let (name, family, role) = (unique_name("svcwait"), unique_name("svcwaittd"), unique_name("svcwaitexec"));
    let body = |image: &str| {
        config(&format!(
            r#"{role}{task}
resource "awsecs_ecs_service" "s" {{
  name                  = "{name}"
  cluster               = "{cluster}"
  task_definition       = awsecs_ecs_task_definition.t.arn
  desired_count         = 0
  wait_for_steady_state = true
  timeouts {{
    create = "2m"
    update = "2m"
  }}
}}
"#,
            role = execution_role(&role),
            task = bridge_task(&family, image),
            cluster = cluster.name,
        ))
    };
    let tf = Workdir::new(&body("nginx:1.26"));
    tf.apply();
    tf.set_config(&body("nginx:1.27"));
    tf.apply();
    tf.assert_no_changes();
    tf.destroy();
}

#[test]
fn ecs_service_capacity_provider_change_is_in_place() {
    let cluster = Cluster::new("svccp", &["FARGATE", "FARGATE_SPOT"]);
    let (subnet, sg) = network();
    let (name, family) = (unique_name("svccp"), unique_name("svccptd"));
    let body = |strategy: &str| {
        config(&format!(
            r#"
resource "awsecs_ecs_task_definition" "t" {{
  family                   = "{family}"
  network_mode             = "awsvpc"
  requires_compatibilities = ["FARGATE"]
  cpu                      = "256"
  memory                   = "512"
  container_definitions    = jsonencode([{{ name = "app", image = "nginx" }}])
}}
resource "awsecs_ecs_service" "s" {{
  name            = "{name}"
  cluster         = "{cluster}"
  task_definition = awsecs_ecs_task_definition.t.arn
  desired_count   = 1
  {strategy}
  network_configuration {{
    subnets         = ["{subnet}"]
    security_groups = ["{sg}"]
  }}
}}
"#,
            cluster = cluster.name,
        ))
    };
    let fargate = "capacity_provider_strategy {\n    capacity_provider = \"FARGATE\"\n    weight = 1\n  }";
    let spot = "capacity_provider_strategy {\n    capacity_provider = \"FARGATE_SPOT\"\n    weight = 1\n  }";
    let tf = Workdir::new(&body(fargate));
    tf.apply();
    tf.assert_no_mutating_calls(|| tf.assert_no_changes());
    let before = tf.state_show("awsecs_ecs_service.s");
    let deployment = |arn: &str| service_json(&cluster.name, arn).and_then(|s| s.deployments().first().and_then(|d| d.id().map(str::to_string)));
    let first_deployment = deployment(s(&before, "arn"));
    tf.set_config(&body(spot));
    let plan = tf.assert_changes();
    assert!(plan.stdout.contains("awsecs_ecs_service.s will be updated in-place"), "{plan}");
    assert!(!plan.stdout.contains("must be replaced"), "{plan}");
    tf.apply();
    let after = tf.state_show("awsecs_ecs_service.s");
    assert_eq!(s(&after, "arn"), s(&before, "arn"));
    assert_eq!(after["capacity_provider_strategy"][0]["capacity_provider"], "FARGATE_SPOT");
    assert_ne!(deployment(s(&after, "arn")), first_deployment, "a strategy change starts a new deployment");
    tf.assert_no_changes();
    tf.destroy();
}

#[test]
fn ecs_service_validation_fails_at_plan_with_paths() {
    // Task definitions that already exist, so the plan can read them.
    let register = |family: &str, mode: aws_sdk_ecs::types::NetworkMode| {
        let c = aws_sdk_ecs::types::ContainerDefinition::builder()
            .name("api")
            .image("nginx")
            .memory(128)
            .port_mappings(aws_sdk_ecs::types::PortMapping::builder().container_port(8080).name("http").build())
            .build();
        let out = block_on(ecs().register_task_definition().family(family).network_mode(mode).container_definitions(c).send()).expect("RegisterTaskDefinition");
        out.task_definition().and_then(|t| t.task_definition_arn()).unwrap().to_string()
    };
    let vpc_td = register(&unique_name("valvpc"), aws_sdk_ecs::types::NetworkMode::Awsvpc);
    let bridge_td = register(&unique_name("valbr"), aws_sdk_ecs::types::NetworkMode::Bridge);
    // Caught at validate, before any plan.
    let conflict = Workdir::new(&config(&format!(
        r#"
resource "awsecs_ecs_service" "both" {{
  name            = "both"
  launch_type     = "EC2"
  task_definition = "{bridge_td}"
  capacity_provider_strategy {{
    capacity_provider = "FARGATE"
  }}
}}
"#
    )));
    let err = conflict.assert_no_mutating_calls(|| conflict.fail_plan());
    assert!(err.contains("conflicts with capacity_provider_strategy"), "{err}");
    assert!(err.contains("launch_type     = \"EC2\""), "the conflict points at launch_type\n{err}");
    // Caught at plan, reading the task definitions (reads only).
    let body = format!(
        r#"
resource "awsecs_ecs_service" "nonet" {{
  name            = "nonet"
  task_definition = "{vpc_td}"
}}
resource "awsecs_ecs_service" "bridgenet" {{
  name            = "bridgenet"
  task_definition = "{bridge_td}"
  network_configuration {{
    subnets = ["subnet-12345678"]
  }}
}}
resource "awsecs_ecs_service" "ports" {{
  name            = "ports"
  task_definition = "{bridge_td}"
  service_connect_configuration {{
    enabled = true
    service {{
      port_name = "grpc"
    }}
  }}
}}
"#
    );
    let tf = Workdir::new(&config(&body));
    let err = tf.assert_no_mutating_calls(|| tf.fail_plan());
    let flat = err.split_whitespace().collect::<Vec<_>>().join(" ");
    let expect = [
        ("nonet", "uses network_mode \"awsvpc\": set a network_configuration block", "task_definition"),
        ("bridgenet", "network_configuration is only valid with \"awsvpc\"", "network_configuration {"),
        ("ports", "port name \"grpc\" is not a named port mapping", "port_name = \"grpc\""),
    ];
    for (label, text, _line) in expect {
        assert!(flat.contains(text), "{label}: expected {text:?} in\n{err}");
        assert!(err.contains(&format!("awsecs_ecs_service.{label},")), "{label}\n{err}");
    }
    assert!(err.contains("port_name = \"grpc\""), "the port error points at port_name\n{err}");
    assert!(flat.contains("(named ports: http)"), "{err}");
}
