//! ECS services behind an Application Load Balancer: the target group, listener and service made
//! in one apply (bridge + "instance" targets, awsvpc + "ip" targets), verified through the ECS and
//! ELBv2 APIs; and the plan-time check that a target group's type fits the task's network mode.

use serde_json::Value;

use crate::elbv2::{default_network, Net};
use crate::support::*;

fn ecs() -> aws_sdk_ecs::Client {
    aws_sdk_ecs::Client::new(&aws())
}

fn elb() -> aws_sdk_elasticloadbalancingv2::Client {
    aws_sdk_elasticloadbalancingv2::Client::new(&aws())
}

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v[k].as_str()
        .unwrap_or_else(|| panic!("{k} missing in {v}"))
}

/// A cluster made with the SDK; deleted when dropped.
struct Cluster(String);

impl Cluster {
    fn new(prefix: &str) -> Cluster {
        let name = unique_name(prefix);
        block_on(ecs().create_cluster().cluster_name(&name).send()).expect("CreateCluster");
        Cluster(name)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = block_on(ecs().delete_cluster().cluster(&self.0).send());
    }
}

/// The ALB, a target group of `target_type`, a listener on port 80 forwarding to it, a task
/// definition of `network_mode` and a service behind the group, all in one configuration. The
/// service names only the target group, so terraform creates it in parallel with the listener:
/// AWS's "target group does not have an associated load balancer" answer is retried by the
/// provider's create, as it must be.
fn stack(net: &Net, cluster: &str, network_mode: &str, target_type: &str) -> (String, String) {
    let [s0, s1] = &net.subnets;
    let (lb, tg, family, svc) = (
        unique_name("albsvc"),
        unique_name("albsvctg"),
        unique_name("albsvctd"),
        unique_name("albsvc"),
    );
    let host_port = if network_mode == "awsvpc" { 80 } else { 0 };
    let network_configuration = if network_mode == "awsvpc" {
        format!(
            "network_configuration {{\n    subnets         = [\"{s0}\", \"{s1}\"]\n    security_groups = [\"{}\"]\n  }}",
            net.sg
        )
    } else {
        String::new()
    };
    let body = format!(
        r#"
resource "awsecs_lb" "lb" {{
  name            = "{lb}"
  subnets         = ["{s0}", "{s1}"]
  security_groups = ["{sg}"]
}}
resource "awsecs_lb_target_group" "tg" {{
  name                 = "{tg}"
  port                 = 80
  protocol             = "HTTP"
  target_type          = "{target_type}"
  vpc_id               = "{vpc}"
  deregistration_delay = 5
  health_check {{
    path    = "/"
    matcher = "200-399"
  }}
}}
resource "awsecs_lb_listener" "http" {{
  load_balancer_arn = awsecs_lb.lb.arn
  port              = 80
  protocol          = "HTTP"
  default_action {{
    type             = "forward"
    target_group_arn = awsecs_lb_target_group.tg.arn
  }}
}}
resource "awsecs_ecs_task_definition" "t" {{
  family       = "{family}"
  network_mode = "{network_mode}"
  container_definitions = jsonencode([{{
    name = "web", image = "nginx:1.27", memory = 128, essential = true
    portMappings = [{{ containerPort = 80, hostPort = {host_port} }}]
  }}])
}}
resource "awsecs_ecs_service" "s" {{
  name                              = "{svc}"
  cluster                           = "{cluster}"
  task_definition                   = awsecs_ecs_task_definition.t.arn
  desired_count                     = 1
  launch_type                       = "EC2"
  health_check_grace_period_seconds = 30
  load_balancer {{
    target_group_arn = awsecs_lb_target_group.tg.arn
    container_name   = "web"
    container_port   = 80
  }}
  {network_configuration}
}}
"#,
        sg = net.sg,
        vpc = net.vpc,
    );
    (config(&body), svc)
}

fn service(cluster: &str, name: &str) -> Option<aws_sdk_ecs::types::Service> {
    block_on(
        ecs()
            .describe_services()
            .cluster(cluster)
            .services(name)
            .send(),
    )
    .ok()
    .and_then(|o| o.services().first().cloned())
    .filter(|s| s.status() != Some("INACTIVE"))
}

fn exists<T, E>(r: Result<T, E>, found: impl Fn(&T) -> bool) -> bool {
    r.ok().is_some_and(|o| found(&o))
}

/// Apply, empty re-plan, the service's loadBalancers entry names the new target group, destroy,
/// and neither the service nor the ELBv2 resources are left.
fn service_behind_a_new_target_group(network_mode: &str, target_type: &str) {
    let cluster = Cluster::new("albsvc");
    let net = default_network();
    let (main_tf, name) = stack(&net, &cluster.0, network_mode, target_type);
    let tf = Workdir::new(&main_tf);
    tf.apply();
    tf.assert_no_mutating_calls(|| tf.assert_no_changes());
    let tg = tf.state_show("awsecs_lb_target_group.tg");
    let lb = tf.state_show("awsecs_lb.lb");
    let (tg_arn, lb_arn) = (s(&tg, "arn").to_string(), s(&lb, "arn").to_string());
    let svc = service(&cluster.0, &name).expect("the service exists");
    let entries = svc.load_balancers();
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0].target_group_arn(), Some(tg_arn.as_str()));
    assert_eq!(entries[0].container_name(), Some("web"));
    assert_eq!(entries[0].container_port(), Some(80));
    let state = tf.state_show("awsecs_ecs_service.s");
    assert_eq!(
        state["load_balancer"][0]["target_group_arn"],
        tg_arn.as_str()
    );
    let associated = block_on(
        elb()
            .describe_target_groups()
            .target_group_arns(&tg_arn)
            .send(),
    )
    .expect("DescribeTargetGroups");
    assert_eq!(
        associated.target_groups()[0].load_balancer_arns(),
        std::slice::from_ref(&lb_arn),
        "the listener associates the group with the ALB"
    );
    tf.destroy();
    assert!(service(&cluster.0, &name).is_none(), "service left");
    assert!(
        !exists(
            block_on(
                elb()
                    .describe_target_groups()
                    .target_group_arns(&tg_arn)
                    .send()
            ),
            |o| !o.target_groups().is_empty()
        ),
        "target group left"
    );
    assert!(
        !exists(
            block_on(
                elb()
                    .describe_load_balancers()
                    .load_balancer_arns(&lb_arn)
                    .send()
            ),
            |o| !o.load_balancers().is_empty()
        ),
        "load balancer left"
    );
}

#[test]
fn bridge_service_behind_an_instance_target_group_created_in_the_same_apply() {
    service_behind_a_new_target_group("bridge", "instance");
}

#[test]
fn awsvpc_service_behind_an_ip_target_group_created_in_the_same_apply() {
    service_behind_a_new_target_group("awsvpc", "ip");
}

/// A target group made with the SDK in the default VPC; deleted when dropped.
struct TargetGroup(String);

impl TargetGroup {
    fn new(vpc: &str, target_type: aws_sdk_elasticloadbalancingv2::types::TargetTypeEnum) -> Self {
        let out = block_on(
            elb()
                .create_target_group()
                .name(unique_name("albmis"))
                .protocol(aws_sdk_elasticloadbalancingv2::types::ProtocolEnum::Http)
                .port(80)
                .vpc_id(vpc)
                .target_type(target_type)
                .send(),
        )
        .expect("CreateTargetGroup");
        let arn = out.target_groups()[0]
            .target_group_arn()
            .expect("ARN")
            .to_string();
        TargetGroup(arn)
    }
}

impl Drop for TargetGroup {
    fn drop(&mut self) {
        let _ = block_on(elb().delete_target_group().target_group_arn(&self.0).send());
    }
}

/// A task definition revision registered with the SDK (a pinned ARN is what the plan can read).
fn registered_task(network_mode: aws_sdk_ecs::types::NetworkMode) -> String {
    use aws_sdk_ecs::types::{ContainerDefinition, PortMapping};
    let out = block_on(
        ecs()
            .register_task_definition()
            .family(unique_name("albmistd"))
            .network_mode(network_mode)
            .container_definitions(
                ContainerDefinition::builder()
                    .name("web")
                    .image("nginx")
                    .memory(128)
                    .port_mappings(PortMapping::builder().container_port(80).build())
                    .build(),
            )
            .send(),
    )
    .expect("RegisterTaskDefinition");
    out.task_definition()
        .and_then(|t| t.task_definition_arn())
        .expect("ARN")
        .to_string()
}

#[test]
fn target_type_that_does_not_fit_the_network_mode_fails_at_plan() {
    use aws_sdk_ecs::types::NetworkMode;
    use aws_sdk_elasticloadbalancingv2::types::TargetTypeEnum;
    let net = default_network();
    let instance_tg = TargetGroup::new(&net.vpc, TargetTypeEnum::Instance);
    let ip_tg = TargetGroup::new(&net.vpc, TargetTypeEnum::Ip);
    let (awsvpc_td, bridge_td) = (
        registered_task(NetworkMode::Awsvpc),
        registered_task(NetworkMode::Bridge),
    );
    let [s0, _] = &net.subnets;
    let body = format!(
        r#"
resource "awsecs_ecs_service" "awsvpc" {{
  name            = "awsvpc"
  cluster         = "default"
  task_definition = "{awsvpc_td}"
  desired_count   = 1
  load_balancer {{
    target_group_arn = "{instance}"
    container_name   = "web"
    container_port   = 80
  }}
  network_configuration {{
    subnets         = ["{s0}"]
    security_groups = ["{sg}"]
  }}
}}
resource "awsecs_ecs_service" "bridge" {{
  name            = "bridge"
  cluster         = "default"
  task_definition = "{bridge_td}"
  desired_count   = 1
  load_balancer {{
    target_group_arn = "{ip}"
    container_name   = "web"
    container_port   = 80
  }}
}}
"#,
        instance = instance_tg.0,
        ip = ip_tg.0,
        sg = net.sg,
    );
    let tf = Workdir::new(&config(&body));
    let err = tf.assert_no_mutating_calls(|| tf.fail_plan());
    let err = err.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        err.contains("with awsecs_ecs_service.awsvpc")
            && err.contains(&format!("load_balancer.target_group_arn {}", instance_tg.0))
            && err.contains("network_mode \"awsvpc\"")
            && err.contains("target_type \"ip\", not \"instance\""),
        "{err}"
    );
    assert!(
        err.contains("with awsecs_ecs_service.bridge")
            && err.contains(&format!("load_balancer.target_group_arn {}", ip_tg.0))
            && err.contains("target_type \"instance\", not \"ip\""),
        "{err}"
    );
    for td in [awsvpc_td, bridge_td] {
        let _ = block_on(
            ecs()
                .deregister_task_definition()
                .task_definition(td)
                .send(),
        );
    }
}

/// The task definition and target group are created by the same apply, so their ARNs are
/// unknown at plan and the service's checks run when terraform re-plans it during apply: they
/// must still stop the mismatches (awsvpc without network_configuration, an "instance" group
/// for awsvpc tasks) at their attributes, before CreateService, and from what the creates
/// answered (a revision and a group's target type never change): no read of either.
#[test]
fn mismatches_with_a_task_definition_and_target_group_of_the_same_apply_stop_before_create() {
    let cluster = Cluster::new("albmis");
    let net = default_network();
    let (tg, family, svc) = (
        unique_name("albmistg"),
        unique_name("albmistd"),
        unique_name("albmis"),
    );
    let body = format!(
        r#"
resource "awsecs_lb_target_group" "tg" {{
  name        = "{tg}"
  port        = 80
  protocol    = "HTTP"
  target_type = "instance"
  vpc_id      = "{vpc}"
}}
resource "awsecs_ecs_task_definition" "t" {{
  family       = "{family}"
  network_mode = "awsvpc"
  container_definitions = jsonencode([{{
    name = "web", image = "nginx:1.27", memory = 128, essential = true
    portMappings = [{{ containerPort = 80 }}]
  }}])
}}
resource "awsecs_ecs_service" "s" {{
  name            = "{svc}"
  cluster         = "{cluster}"
  task_definition = awsecs_ecs_task_definition.t.arn
  desired_count   = 1
  launch_type     = "EC2"
  load_balancer {{
    target_group_arn = awsecs_lb_target_group.tg.arn
    container_name   = "web"
    container_port   = 80
  }}
}}
"#,
        vpc = net.vpc,
        cluster = cluster.0,
    );
    let tf = Workdir::new(&config(&body));
    let (err, calls) = tf.record(|| tf.fail_apply());
    let calls: Vec<String> = calls.iter().map(|c| c.to_string()).collect();
    for op in [
        "CreateService",
        "DescribeTaskDefinition",
        "DescribeTargetGroups",
    ] {
        assert!(!calls.iter().any(|c| c.ends_with(op)), "{op} in {calls:?}");
    }
    let err = err.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        err.contains("with awsecs_ecs_service.s")
            && err.contains("network_configuration")
            && err.contains("uses network_mode \"awsvpc\": set a network_configuration block"),
        "{err}"
    );
    assert!(
        err.contains("load_balancer.target_group_arn")
            && err.contains("target_type \"ip\", not \"instance\""),
        "{err}"
    );
    assert!(
        service(&cluster.0, &svc).is_none(),
        "no service was created"
    );
    // destroy plans the configuration first, where the service would fail again.
    let without_service = &body[..body.find("resource \"awsecs_ecs_service\"").unwrap()];
    tf.set_config(&config(without_service));
    tf.destroy();
}
