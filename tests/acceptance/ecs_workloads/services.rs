//! ECS services through terraform, on a cluster made with the SDK.

use serde_json::Value;

use super::*;

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
                .set_capacity_providers(
                    (!capacity_providers.is_empty())
                        .then(|| capacity_providers.iter().map(|s| s.to_string()).collect()),
                )
                .send(),
        )
        .expect("CreateCluster");
        let arn = out
            .cluster()
            .and_then(|c| c.cluster_arn())
            .expect("cluster ARN")
            .to_string();
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
    let subnet = block_on(
        ec2.create_subnet()
            .vpc_id(&vpc_id)
            .cidr_block("10.42.1.0/24")
            .send(),
    )
    .expect("CreateSubnet");
    let sg = block_on(
        ec2.create_security_group()
            .vpc_id(&vpc_id)
            .group_name(unique_name("sg"))
            .description("acc")
            .send(),
    )
    .expect("CreateSecurityGroup");
    (
        subnet
            .subnet()
            .and_then(|s| s.subnet_id())
            .unwrap()
            .to_string(),
        sg.group_id().unwrap().to_string(),
    )
}

fn service_json(cluster: &str, arn: &str) -> Option<aws_sdk_ecs::types::Service> {
    block_on(
        ecs()
            .describe_services()
            .cluster(cluster)
            .services(arn)
            .send(),
    )
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
            block_on(
                ecs()
                    .delete_service()
                    .cluster(&c)
                    .service(s(st, "arn"))
                    .force(true)
                    .send(),
            )
            .expect("DeleteService");
        }),
        import_ignore: &[],
    }
    .run();
}

#[test]
fn ecs_service_image_change_updates_in_place() {
    let cluster = Cluster::new("svcimg", &[]);
    let (name, family, role) = (
        unique_name("svcimg"),
        unique_name("svcimgtd"),
        unique_name("svcimgexec"),
    );
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
    assert!(
        plan.stdout
            .contains("awsecs_ecs_task_definition.t must be replaced"),
        "{plan}"
    );
    assert!(
        plan.stdout
            .contains("awsecs_ecs_service.s will be updated in-place"),
        "{plan}"
    );
    tf.apply();
    let after = tf.state_show("awsecs_ecs_service.s");
    let new_td = s(&tf.state_show("awsecs_ecs_task_definition.t"), "arn").to_string();
    assert_ne!(new_td, old_td);
    assert_eq!(
        s(&after, "arn"),
        s(&before, "arn"),
        "the service is updated, not replaced"
    );
    let svc = service_json(&cluster.arn, s(&after, "arn")).expect("service");
    assert_eq!(
        svc.task_definition(),
        Some(new_td.as_str()),
        "ECS runs the new revision"
    );
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
    let ns = block_on(
        aws_sdk_servicediscovery::Client::new(&aws())
            .create_http_namespace()
            .name(unique_name("ns"))
            .send(),
    )
    .expect("CreateHttpNamespace");
    let op = ns.operation_id().unwrap_or_default().to_string();
    let sd = aws_sdk_servicediscovery::Client::new(&aws());
    let ns_id = block_on(sd.get_operation().operation_id(&op).send())
        .ok()
        .and_then(|o| {
            o.operation().and_then(|o| o.targets()).and_then(|t| {
                t.get(&aws_sdk_servicediscovery::types::OperationTargetType::Namespace)
                    .cloned()
            })
        })
        .expect("namespace id");
    let ns_arn = block_on(sd.get_namespace().id(&ns_id).send())
        .ok()
        .and_then(|n| n.namespace().and_then(|n| n.arn()).map(str::to_string))
        .expect("namespace ARN");
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
  service_connect_configuration {{
    enabled   = true
    namespace = "{ns_arn}"
    service {{
      port_name = "http"
      client_alias {{
        port = 8080
      }}
    }}
  }}
}}
"#,
        cluster = cluster.name,
    );
    let tf = Workdir::new(&config(&body));
    tf.apply();
    tf.assert_no_mutating_calls(|| tf.assert_no_changes());
    let st = tf.state_show("awsecs_ecs_service.s");
    assert_eq!(
        st["ordered_placement_strategy"][0]["field"], "host",
        "the user's spelling stays"
    );
    // A real change is planned as an in-place update.
    tf.set_config(&config(&body.replace("= 150", "= 180")));
    let plan = tf.assert_changes();
    assert!(
        plan.stdout.contains("updated in-place") && plan.stdout.contains("150 -> 180"),
        "{plan}"
    );
    tf.apply();
    tf.assert_no_changes();
    tf.destroy();
}

#[test]
fn ecs_service_wait_for_steady_state() {
    // With nothing to run (desired_count = 0) a deployment completes at once, on AWS and moto.
    let cluster = Cluster::new("svcwait", &[]);
    let (name, family, role) = (
        unique_name("svcwait"),
        unique_name("svcwaittd"),
        unique_name("svcwaitexec"),
    );
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
    let fargate =
        "capacity_provider_strategy {\n    capacity_provider = \"FARGATE\"\n    weight = 1\n  }";
    let spot = "capacity_provider_strategy {\n    capacity_provider = \"FARGATE_SPOT\"\n    weight = 1\n  }";
    let tf = Workdir::new(&body(fargate));
    tf.apply();
    tf.assert_no_mutating_calls(|| tf.assert_no_changes());
    let before = tf.state_show("awsecs_ecs_service.s");
    let deployment = |arn: &str| {
        service_json(&cluster.name, arn).and_then(|s| {
            s.deployments()
                .first()
                .and_then(|d| d.id().map(str::to_string))
        })
    };
    let first_deployment = deployment(s(&before, "arn"));
    tf.set_config(&body(spot));
    let plan = tf.assert_changes();
    assert!(
        plan.stdout
            .contains("awsecs_ecs_service.s will be updated in-place"),
        "{plan}"
    );
    assert!(!plan.stdout.contains("must be replaced"), "{plan}");
    tf.apply();
    let after = tf.state_show("awsecs_ecs_service.s");
    assert_eq!(s(&after, "arn"), s(&before, "arn"));
    assert_eq!(
        after["capacity_provider_strategy"][0]["capacity_provider"],
        "FARGATE_SPOT"
    );
    assert_ne!(
        deployment(s(&after, "arn")),
        first_deployment,
        "a strategy change starts a new deployment"
    );
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
            .port_mappings(
                aws_sdk_ecs::types::PortMapping::builder()
                    .container_port(8080)
                    .name("http")
                    .build(),
            )
            .build();
        let out = block_on(
            ecs()
                .register_task_definition()
                .family(family)
                .network_mode(mode)
                .container_definitions(c)
                .send(),
        )
        .expect("RegisterTaskDefinition");
        out.task_definition()
            .and_then(|t| t.task_definition_arn())
            .unwrap()
            .to_string()
    };
    let vpc_td = register(
        &unique_name("valvpc"),
        aws_sdk_ecs::types::NetworkMode::Awsvpc,
    );
    let bridge_td = register(
        &unique_name("valbr"),
        aws_sdk_ecs::types::NetworkMode::Bridge,
    );
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
    assert!(
        err.contains("conflicts with capacity_provider_strategy"),
        "{err}"
    );
    assert!(
        err.contains("launch_type     = \"EC2\""),
        "the conflict points at launch_type\n{err}"
    );
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
        (
            "nonet",
            "uses network_mode \"awsvpc\": set a network_configuration block",
            "task_definition",
        ),
        (
            "bridgenet",
            "network_configuration is only valid with \"awsvpc\"",
            "network_configuration {",
        ),
        (
            "ports",
            "port name \"grpc\" is not a named port mapping",
            "port_name = \"grpc\"",
        ),
    ];
    for (label, text, _line) in expect {
        assert!(flat.contains(text), "{label}: expected {text:?} in\n{err}");
        assert!(
            err.contains(&format!("awsecs_ecs_service.{label},")),
            "{label}\n{err}"
        );
    }
    assert!(
        err.contains("port_name = \"grpc\""),
        "the port error points at port_name\n{err}"
    );
    assert!(flat.contains("(named ports: http)"), "{err}");
}

#[test]
fn ecs_service_steady_state_timeout_keeps_the_service_tainted() {
    // moto never starts tasks, so a service with desired_count = 1 never reaches steady state:
    // the create times out with the last state, and the created service stays in state
    // (tainted) instead of being orphaned.
    let cluster = Cluster::new("svcto", &[]);
    let (name, family, role) = (
        unique_name("svcto"),
        unique_name("svctotd"),
        unique_name("svctoexec"),
    );
    let body = format!(
        r#"{role}{task}
resource "awsecs_ecs_service" "s" {{
  name                  = "{name}"
  cluster               = "{cluster}"
  task_definition       = awsecs_ecs_task_definition.t.arn
  desired_count         = 1
  wait_for_steady_state = true
  timeouts {{
    create = "3s"
  }}
}}
"#,
        role = execution_role(&role),
        task = bridge_task(&family, "nginx:1.27"),
        cluster = cluster.name,
    );
    if real_aws() {
        return; // on AWS the tasks may well start in time; this checks the emulator-only path
    }
    let tf = Workdir::new(&config(&body));
    let err = tf.fail_apply();
    let flat = err.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("gave up waiting for the service to reach steady state"),
        "{err}"
    );
    assert!(
        flat.contains("0/1 running"),
        "the last state is reported\n{err}"
    );
    let state = tf.state_json();
    let resources = state["values"]["root_module"]["resources"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let svc = resources
        .iter()
        .find(|r| r["address"] == "awsecs_ecs_service.s")
        .unwrap_or_else(|| panic!("the created service is kept in state: {state}"));
    assert_eq!(
        svc["tainted"], true,
        "a create that failed after creating is tainted: {svc}"
    );
    let arn = tf.state_show("awsecs_ecs_service.s")["arn"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(service_active(&cluster.name, &arn));
    let plan = tf.assert_changes();
    assert!(
        plan.stdout.contains("is tainted, so must be replaced"),
        "{plan}"
    );
    tf.destroy();
    assert!(
        !service_active(&cluster.name, &arn),
        "destroy removed the tainted service"
    );
}
