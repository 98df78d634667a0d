//! ELBv2: application load balancers, target groups, listeners and listener rules through
//! terraform, verified through the ELBv2 API. The network is the account's default VPC, looked
//! up with the SDK and passed to the configuration as literal IDs.

use aws_sdk_ec2::types::Filter;
use aws_sdk_elasticloadbalancingv2::types::{Action, ActionTypeEnum};
use serde_json::Value;

use crate::support::*;

fn elb() -> aws_sdk_elasticloadbalancingv2::Client {
    aws_sdk_elasticloadbalancingv2::Client::new(&aws())
}

fn ec2() -> aws_sdk_ec2::Client {
    aws_sdk_ec2::Client::new(&aws())
}

/// The default VPC, two of its subnets in different Availability Zones, its default security group.
pub(crate) struct Net {
    pub(crate) vpc: String,
    pub(crate) subnets: [String; 2],
    pub(crate) sg: String,
}

pub(crate) fn default_network() -> Net {
    let ec2 = ec2();
    let filter = |k: &str, v: &str| Filter::builder().name(k).values(v).build();
    let vpcs = block_on(
        ec2.describe_vpcs()
            .filters(filter("is-default", "true"))
            .send(),
    )
    .expect("DescribeVpcs");
    let vpc = vpcs
        .vpcs()
        .first()
        .and_then(|v| v.vpc_id())
        .expect("the account has a default VPC")
        .to_string();
    let subnets = block_on(
        ec2.describe_subnets()
            .filters(filter("vpc-id", &vpc))
            .send(),
    )
    .expect("DescribeSubnets");
    let mut picked: Vec<(String, String)> = Vec::new();
    for s in subnets.subnets() {
        let (Some(id), Some(az)) = (s.subnet_id(), s.availability_zone()) else {
            continue;
        };
        if !picked.iter().any(|(_, a)| a == az) {
            picked.push((id.to_string(), az.to_string()));
        }
    }
    assert!(
        picked.len() >= 2,
        "the default VPC needs subnets in two AZs"
    );
    let sgs = block_on(
        ec2.describe_security_groups()
            .filters(filter("vpc-id", &vpc))
            .filters(filter("group-name", "default"))
            .send(),
    )
    .expect("DescribeSecurityGroups");
    let sg = sgs
        .security_groups()
        .first()
        .and_then(|g| g.group_id())
        .expect("the default VPC has a default security group")
        .to_string();
    Net {
        vpc,
        subnets: [picked[0].0.clone(), picked[1].0.clone()],
        sg,
    }
}

fn lb_hcl(name: &str, net: &Net, extra: &str) -> String {
    let [s0, s1] = &net.subnets;
    format!(
        r#"
resource "awsecs_lb" "lb" {{
  name            = "{name}"
  subnets         = ["{s0}", "{s1}"]
  security_groups = ["{sg}"]
  {extra}
}}
"#,
        sg = net.sg
    )
}

fn tg_hcl(label: &str, name: &str, vpc: &str, health_path: &str) -> String {
    format!(
        r#"
resource "awsecs_lb_target_group" "{label}" {{
  name                 = "{name}"
  port                 = 8080
  protocol             = "HTTP"
  target_type          = "ip"
  vpc_id               = "{vpc}"
  deregistration_delay = 30
  health_check {{
    path     = "{health_path}"
    matcher  = "200-299"
    interval = 15
    timeout  = 5
  }}
}}
"#
    )
}

fn arn(s: &Value) -> String {
    s["arn"].as_str().expect("arn in state").to_string()
}

fn lb_exists(arn: &str) -> bool {
    block_on(
        elb()
            .describe_load_balancers()
            .load_balancer_arns(arn)
            .send(),
    )
    .map(|o| !o.load_balancers().is_empty())
    .unwrap_or(false)
}

fn tg_exists(arn: &str) -> bool {
    block_on(elb().describe_target_groups().target_group_arns(arn).send())
        .map(|o| !o.target_groups().is_empty())
        .unwrap_or(false)
}

fn listener_exists(arn: &str) -> bool {
    block_on(elb().describe_listeners().listener_arns(arn).send())
        .map(|o| !o.listeners().is_empty())
        .unwrap_or(false)
}

fn rule_exists(arn: &str) -> bool {
    block_on(elb().describe_rules().rule_arns(arn).send())
        .map(|o| !o.rules().is_empty())
        .unwrap_or(false)
}

/// The load balancers a target group reports (what ECS checks before registering a service).
fn associated_lbs(tg_arn: &str) -> Vec<String> {
    let out = block_on(
        elb()
            .describe_target_groups()
            .target_group_arns(tg_arn)
            .send(),
    )
    .expect("DescribeTargetGroups");
    out.target_groups()
        .first()
        .map(|t| t.load_balancer_arns().to_vec())
        .unwrap_or_default()
}

#[test]
fn lb_lifecycle() {
    let net = default_network();
    let name = unique_name("lb");
    Lifecycle {
        config: config(&lb_hcl(
            &name,
            &net,
            r#"idle_timeout = 30
  tags = { app = "dks" }"#,
        )),
        address: "awsecs_lb.lb",
        import_id: &|s: &Value| arn(s),
        exists: &|s: &Value| lb_exists(&arn(s)),
        delete_out_of_band: Some(&|s: &Value| {
            block_on(
                elb()
                    .delete_load_balancer()
                    .load_balancer_arn(arn(s))
                    .send(),
            )
            .expect("DeleteLoadBalancer");
        }),
        import_ignore: &[],
    }
    .run();
}

#[test]
fn lb_target_group_lifecycle() {
    let net = default_network();
    let name = unique_name("tg");
    let mut hcl = tg_hcl("tg", &name, &net.vpc, "/health");
    hcl = hcl.replace(
        "  deregistration_delay = 30\n",
        "  deregistration_delay = 30\n  stickiness {\n    type            = \"lb_cookie\"\n    cookie_duration = 600\n  }\n  tags = { app = \"dks\" }\n",
    );
    Lifecycle {
        config: config(&hcl),
        address: "awsecs_lb_target_group.tg",
        import_id: &|s: &Value| arn(s),
        exists: &|s: &Value| tg_exists(&arn(s)),
        delete_out_of_band: Some(&|s: &Value| {
            block_on(elb().delete_target_group().target_group_arn(arn(s)).send())
                .expect("DeleteTargetGroup");
        }),
        import_ignore: &[],
    }
    .run();
}

#[test]
fn lb_listener_lifecycle() {
    let net = default_network();
    let (lb, tg) = (unique_name("lsn"), unique_name("lsntg"));
    let body = format!(
        r#"{lb}{tg}
resource "awsecs_lb_listener" "l" {{
  load_balancer_arn = awsecs_lb.lb.arn
  port              = 80
  default_action {{
    type             = "forward"
    target_group_arn = awsecs_lb_target_group.tg.arn
  }}
}}
"#,
        lb = lb_hcl(&lb, &net, ""),
        tg = tg_hcl("tg", &tg, &net.vpc, "/"),
    );
    Lifecycle {
        config: config(&body),
        address: "awsecs_lb_listener.l",
        import_id: &|s: &Value| arn(s),
        exists: &|s: &Value| listener_exists(&arn(s)),
        delete_out_of_band: Some(&|s: &Value| {
            block_on(elb().delete_listener().listener_arn(arn(s)).send()).expect("DeleteListener");
        }),
        import_ignore: &[],
    }
    .run();
}

#[test]
fn lb_listener_rule_lifecycle() {
    let net = default_network();
    let (lb, tg) = (unique_name("rule"), unique_name("ruletg"));
    let body = format!(
        r#"{lb}{tg}
resource "awsecs_lb_listener" "l" {{
  load_balancer_arn = awsecs_lb.lb.arn
  port              = 80
  protocol          = "HTTP"
  default_action {{
    type = "fixed-response"
    fixed_response {{
      content_type = "text/plain"
      message_body = "no route"
      status_code  = "404"
    }}
  }}
}}
resource "awsecs_lb_listener_rule" "r" {{
  listener_arn = awsecs_lb_listener.l.arn
  priority     = 10
  action {{
    type             = "forward"
    target_group_arn = awsecs_lb_target_group.tg.arn
  }}
  condition {{
    host_header {{
      values = ["api.example.com"]
    }}
  }}
  condition {{
    path_pattern {{
      values = ["/v1/*", "/v2/*"]
    }}
  }}
  tags = {{ app = "dks" }}
}}
"#,
        lb = lb_hcl(&lb, &net, ""),
        tg = tg_hcl("tg", &tg, &net.vpc, "/"),
    );
    Lifecycle {
        config: config(&body),
        address: "awsecs_lb_listener_rule.r",
        import_id: &|s: &Value| arn(s),
        exists: &|s: &Value| rule_exists(&arn(s)),
        delete_out_of_band: Some(&|s: &Value| {
            block_on(elb().delete_rule().rule_arn(arn(s)).send()).expect("DeleteRule");
        }),
        import_ignore: &[],
    }
    .run();
}

/// The whole stack in one configuration, for the update steps.
fn stack(
    net: &Net,
    names: &[String; 3],
    idle: u32,
    health_path: &str,
    default_action: &str,
) -> String {
    config(&format!(
        "{}{}{}\nresource \"awsecs_lb_listener\" \"l\" {{\n  load_balancer_arn = awsecs_lb.lb.arn\n  port = 80\n{default_action}\n}}\n",
        lb_hcl(&names[0], net, &format!("idle_timeout = {idle}")),
        tg_hcl("a", &names[1], &net.vpc, health_path),
        tg_hcl("b", &names[2], &net.vpc, "/"),
    ))
}

fn forward_to(label: &str) -> String {
    format!("  default_action {{\n    type = \"forward\"\n    target_group_arn = awsecs_lb_target_group.{label}.arn\n  }}")
}

const FIXED_404: &str = "  default_action {\n    type = \"fixed-response\"\n    fixed_response {\n      content_type = \"text/plain\"\n      status_code  = \"404\"\n    }\n  }";

#[test]
fn lb_stack_updates_in_place() {
    let net = default_network();
    let names = [unique_name("upd"), unique_name("upda"), unique_name("updb")];
    let tf = Workdir::new(&stack(&net, &names, 60, "/", &forward_to("a")));
    tf.apply();
    let (lb, tg_a, tg_b, listener) = (
        arn(&tf.state_show("awsecs_lb.lb")),
        arn(&tf.state_show("awsecs_lb_target_group.a")),
        arn(&tf.state_show("awsecs_lb_target_group.b")),
        arn(&tf.state_show("awsecs_lb_listener.l")),
    );
    // The listener's apply returned only once the target group reports the load balancer.
    assert!(
        associated_lbs(&tg_a).contains(&lb),
        "target group a is not associated with {lb}"
    );

    tf.set_config(&stack(&net, &names, 120, "/healthz", FIXED_404));
    let plan = tf.assert_changes();
    assert!(
        plan.stdout.contains("0 to add, 3 to change, 0 to destroy"),
        "idle_timeout, health_check.path and the default action change in place:\n{plan}"
    );
    tf.apply();
    let attrs = block_on(
        elb()
            .describe_load_balancer_attributes()
            .load_balancer_arn(&lb)
            .send(),
    )
    .expect("DescribeLoadBalancerAttributes");
    let idle = attrs
        .attributes()
        .iter()
        .find(|a| a.key() == Some("idle_timeout.timeout_seconds"))
        .and_then(|a| a.value());
    assert_eq!(idle, Some("120"));
    let tg = block_on(
        elb()
            .describe_target_groups()
            .target_group_arns(&tg_a)
            .send(),
    )
    .unwrap();
    assert_eq!(tg.target_groups()[0].health_check_path(), Some("/healthz"));
    let l = block_on(elb().describe_listeners().listener_arns(&listener).send()).unwrap();
    let action: &Action = &l.listeners()[0].default_actions()[0];
    assert_eq!(action.r#type(), Some(&ActionTypeEnum::FixedResponse));
    assert_eq!(
        arn(&tf.state_show("awsecs_lb_listener.l")),
        listener,
        "updated, not replaced"
    );
    assert!(
        !associated_lbs(&tg_a).contains(&lb),
        "target group a no longer receives traffic"
    );
    tf.assert_no_mutating_calls(|| tf.assert_no_changes());

    // Forwarding to another target group: apply returns once that one is associated too.
    tf.set_config(&stack(&net, &names, 120, "/healthz", &forward_to("b")));
    tf.apply();
    assert!(
        associated_lbs(&tg_b).contains(&lb),
        "target group b is not associated with {lb}"
    );
    tf.assert_no_changes();
    tf.destroy();
    assert!(!lb_exists(&lb) && !tg_exists(&tg_a) && !tg_exists(&tg_b));
}

#[test]
fn lb_with_deletion_protection_refuses_destroy_until_disabled() {
    let net = default_network();
    let name = unique_name("prot");
    let tf = Workdir::new(&config(&lb_hcl(
        &name,
        &net,
        "enable_deletion_protection = true",
    )));
    tf.apply();
    let lb = arn(&tf.state_show("awsecs_lb.lb"));
    let err = tf.assert_no_mutating_calls(|| {
        tf.cmd(&["destroy", "-auto-approve", "-input=false", "-no-color"])
            .failure()
            .stderr
    });
    assert!(err.contains("deletion protection is enabled"), "{err}");
    assert!(err.contains("enable_deletion_protection = false"), "{err}");
    assert!(
        lb_exists(&lb),
        "the protected load balancer must still exist"
    );

    tf.set_config(&config(&lb_hcl(
        &name,
        &net,
        "enable_deletion_protection = false",
    )));
    tf.apply();
    tf.destroy();
    assert!(!lb_exists(&lb));
}

#[test]
fn target_group_destroy_waits_for_a_listener_deleted_in_parallel() {
    let net = default_network();
    let tg_name = unique_name("inuse");
    let tf = Workdir::new(&config(&tg_hcl("tg", &tg_name, &net.vpc, "/")));
    tf.apply();
    let tg = arn(&tf.state_show("awsecs_lb_target_group.tg"));
    // A listener terraform does not know about still forwards to the target group.
    let lb_out = block_on(
        elb()
            .create_load_balancer()
            .name(unique_name("inuselb"))
            .set_subnets(Some(net.subnets.to_vec()))
            .send(),
    )
    .expect("CreateLoadBalancer");
    let lb = lb_out.load_balancers()[0]
        .load_balancer_arn()
        .unwrap()
        .to_string();
    let listener = block_on(
        elb()
            .create_listener()
            .load_balancer_arn(&lb)
            .port(80)
            .protocol(aws_sdk_elasticloadbalancingv2::types::ProtocolEnum::Http)
            .default_actions(
                Action::builder()
                    .r#type(ActionTypeEnum::Forward)
                    .target_group_arn(&tg)
                    .build(),
            )
            .send(),
    )
    .expect("CreateListener");
    let listener = listener.listeners()[0].listener_arn().unwrap().to_string();

    let deletes = |calls: &[AwsRequest]| {
        calls
            .iter()
            .filter(|c| c.operation() == "DeleteTargetGroup")
            .count()
    };
    std::thread::scope(|s| {
        // Delete the listener once terraform's first DeleteTargetGroup was refused (or, against
        // real AWS where nothing is recorded, right away).
        s.spawn(|| {
            for _ in 0..1200 {
                match tf.requests() {
                    Some(calls) if deletes(&calls) == 0 => {
                        std::thread::sleep(std::time::Duration::from_millis(100))
                    }
                    _ => break,
                }
            }
            block_on(elb().delete_listener().listener_arn(&listener).send())
                .expect("DeleteListener");
        });
        tf.destroy();
    });
    assert!(!tg_exists(&tg));
    if let Some(calls) = tf.requests() {
        assert!(
            deletes(&calls) >= 2,
            "the first DeleteTargetGroup meets ResourceInUse and is retried: {calls:?}"
        );
    }
    block_on(elb().delete_load_balancer().load_balancer_arn(&lb).send())
        .expect("DeleteLoadBalancer");
}

#[test]
fn health_check_interval_out_of_range_fails_at_plan() {
    let hcl = tg_hcl("tg", &unique_name("bad"), "vpc-12345678", "/").replace(
        "    interval = 15\n    timeout  = 5\n",
        "    interval = 1\n",
    );
    let tf = Workdir::new(&config(&hcl));
    let err = tf.assert_no_mutating_calls(|| tf.fail_plan());
    assert!(err.contains("Invalid attribute value"), "{err}");
    assert!(
        err.contains("interval = 1"),
        "the diagnostic points at the attribute:\n{err}"
    );
    assert!(err.contains("between 5 and 300, got 1"), "{err}");
}

#[test]
fn health_check_timeout_not_below_interval_fails_at_plan() {
    let hcl = tg_hcl("tg", &unique_name("bad"), "vpc-12345678", "/").replace(
        "    interval = 15\n    timeout  = 5\n",
        "    interval = 10\n    timeout  = 10\n",
    );
    let tf = Workdir::new(&config(&hcl));
    let err = tf.assert_no_mutating_calls(|| tf.fail_plan());
    assert!(
        err.contains("timeout  = 10"),
        "the diagnostic points at timeout:\n{err}"
    );
    assert!(
        err.contains("must be smaller than the interval (10s)"),
        "{err}"
    );
}

#[test]
fn listener_port_out_of_range_fails_at_plan() {
    let tf = Workdir::new(&config(
        r#"
resource "awsecs_lb_listener" "l" {
  load_balancer_arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188"
  port              = 70000
  default_action {
    type             = "forward"
    target_group_arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef"
  }
}
"#,
    ));
    let err = tf.assert_no_mutating_calls(|| tf.fail_plan());
    assert!(
        err.contains("port              = 70000"),
        "the diagnostic points at port:\n{err}"
    );
    assert!(err.contains("between 1 and 65535, got 70000"), "{err}");
}

#[test]
fn listener_action_without_its_block_and_network_lb_fail_at_plan() {
    let tf = Workdir::new(&config(
        r#"
resource "awsecs_lb" "nlb" {
  name               = "x"
  load_balancer_type = "network"
  subnets            = ["subnet-1", "subnet-2"]
}
resource "awsecs_lb_listener" "l" {
  load_balancer_arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188"
  port              = 80
  default_action {
    type = "redirect"
  }
}
"#,
    ));
    let err = tf.assert_no_mutating_calls(|| tf.fail_plan());
    assert!(
        err.contains("a redirect action needs a redirect block"),
        "{err}"
    );
    assert!(
        err.contains("\"network\" load balancers are not supported"),
        "{err}"
    );
}
