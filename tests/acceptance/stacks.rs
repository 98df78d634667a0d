//! The three example stacks, end to end: init, validate, apply, re-plan with no changes, destroy,
//! then an inventory of the region through the AWS API that must find nothing the stack created.

use crate::support::*;

/// A stack name unique to this run that passes the stacks' name validation (<= 16 chars).
pub(crate) fn stack_name(prefix: &str) -> String {
    let id = unique_name("x");
    format!("{prefix}-{}", &id[id.len() - 6..])
}

/// The stacks declare `required_version = ">= 0.15"`: the oldest supported client must accept
/// them and their modules (no `optional()` object attributes, output `depends_on`, ...).
#[test]
fn stacks_validate_with_terraform_0_15() {
    for stack in ["dks", "hit-counter", "sockshop"] {
        let tf = Workdir::from_example(stack).with_terraform(terraform_0_15());
        // `get` installs the local modules; 0.15's init would also look the dev-override
        // provider up in the registry.
        tf.cmd(&["get", "-no-color"]).success();
        tf.cmd(&["validate", "-no-color"]).success();
    }
}

/// The inventory must see what a failed destroy would leave: an ALB with its listener and a
/// target group named after the stack.
#[test]
fn inventory_finds_a_leftover_load_balancer_listener_and_target_group() {
    use aws_sdk_elasticloadbalancingv2::types::{Action, ActionTypeEnum, ProtocolEnum};
    let name = stack_name("inv");
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(&aws());
    let ec2 = aws_sdk_ec2::Client::new(&aws());
    let subnets: Vec<String> = block_on(ec2.describe_subnets().send())
        .expect("DescribeSubnets")
        .subnets()
        .iter()
        .filter(|s| s.default_for_az() == Some(true))
        .filter_map(|s| s.subnet_id().map(str::to_string))
        .take(2)
        .collect();
    let vpc = block_on(ec2.describe_subnets().subnet_ids(&subnets[0]).send())
        .expect("DescribeSubnets")
        .subnets()[0]
        .vpc_id()
        .expect("VPC")
        .to_string();
    let lb = block_on(
        elb.create_load_balancer()
            .name(&name)
            .set_subnets(Some(subnets))
            .send(),
    )
    .expect("CreateLoadBalancer");
    let lb_arn = lb.load_balancers()[0]
        .load_balancer_arn()
        .unwrap()
        .to_string();
    let tg = block_on(
        elb.create_target_group()
            .name(format!("{name}-web"))
            .protocol(ProtocolEnum::Http)
            .port(80)
            .vpc_id(vpc)
            .send(),
    )
    .expect("CreateTargetGroup");
    let tg_arn = tg.target_groups()[0]
        .target_group_arn()
        .unwrap()
        .to_string();
    let forward = Action::builder()
        .r#type(ActionTypeEnum::Forward)
        .target_group_arn(&tg_arn)
        .build();
    let listener = block_on(
        elb.create_listener()
            .load_balancer_arn(&lb_arn)
            .port(80)
            .protocol(ProtocolEnum::Http)
            .default_actions(forward)
            .send(),
    )
    .expect("CreateListener");
    let listener_arn = listener.listeners()[0].listener_arn().unwrap().to_string();
    let left = inventory(&name);
    // Listener first: a target group a listener forwards to cannot be deleted.
    block_on(elb.delete_listener().listener_arn(&listener_arn).send()).expect("DeleteListener");
    block_on(elb.delete_target_group().target_group_arn(&tg_arn).send()).expect("DeleteTG");
    block_on(elb.delete_load_balancer().load_balancer_arn(&lb_arn).send()).expect("DeleteLB");
    for what in ["load balancer", "listener", "target group"] {
        assert!(
            left.iter().any(|l| l.starts_with(what)),
            "{what} missing in {left:?}"
        );
    }
    assert!(inventory(&name).is_empty(), "{:?}", inventory(&name));
}

/// The service users browse, behind the stack's load balancer: its name and container port.
struct Web {
    service: &'static str,
    port: i32,
}

/// Applies `stack`, checks it runs `services` ECS services (and its ALB when `web` is given),
/// re-plans empty, destroys, and checks that nothing is left.
#[track_caller]
fn cycle(stack: &str, prefix: &str, services: usize, web: Option<Web>) {
    let name = stack_name(prefix);
    let tf = Workdir::from_example(stack);
    tf.write_file("terraform.tfvars", &format!("name = \"{name}\"\n"));
    tf.init();
    tf.cmd(&["validate", "-no-color"]).success();
    tf.apply();
    tf.assert_no_mutating_calls(|| tf.assert_no_changes());
    let outputs = tf.outputs();
    assert_eq!(outputs["cluster_name"], name.as_str(), "outputs: {outputs}");
    assert!(
        outputs["browse"]
            .as_str()
            .is_some_and(|b| b.contains("http://")),
        "outputs: {outputs}"
    );
    let ecs = aws_sdk_ecs::Client::new(&aws());
    let running = block_on(ecs.list_services().cluster(&name).max_results(100).send())
        .expect("ListServices")
        .service_arns()
        .len();
    assert_eq!(running, services, "{stack}: ECS services in cluster {name}");
    if let Some(web) = web {
        check_alb(&name, &web, &outputs);
    }
    tf.destroy();
    let left = inventory(&name);
    assert!(
        left.is_empty(),
        "{stack}: destroy left these behind:\n  {}",
        left.join("\n  ")
    );
}

#[test]
fn ec2_capacity_example_applies_replans_empty_and_destroys_clean() {
    cycle("ec2-capacity", "cap", 0, None);
}

#[test]
fn dks_stack_applies_replans_empty_and_destroys_clean() {
    cycle(
        "dks",
        "dks",
        3,
        Some(Web {
            service: "dks-ui",
            port: 3000,
        }),
    );
}

#[test]
fn hit_counter_stack_applies_replans_empty_and_destroys_clean() {
    cycle(
        "hit-counter",
        "hc",
        2,
        Some(Web {
            service: "hit-counter",
            port: 5000,
        }),
    );
}

#[test]
fn sockshop_stack_applies_replans_empty_and_destroys_clean() {
    cycle(
        "sockshop",
        "ss",
        // The 14 compose services (user-sim, the optional load generator, is left out).
        14,
        Some(Web {
            service: "edge-router",
            port: 80,
        }),
    );
}

/// Through the API: the stack's ALB (the one `browse` points at) listens on port 80 and forwards to
/// an instance-type target group, and the web service's loadBalancers entry names that group.
fn check_alb(name: &str, web: &Web, outputs: &serde_json::Value) {
    use aws_sdk_elasticloadbalancingv2::types::TargetTypeEnum;
    let cfg = aws();
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(&cfg);
    let ecs = aws_sdk_ecs::Client::new(&cfg);
    block_on(async {
        let lbs = elb
            .describe_load_balancers()
            .names(name)
            .send()
            .await
            .expect("DescribeLoadBalancers");
        let lb = lbs.load_balancers().first().expect("the stack's ALB");
        let dns = lb.dns_name().expect("DNS name");
        assert_eq!(outputs["browse"], format!("http://{dns}/"), "{outputs}");
        assert_eq!(outputs["alb_dns_name"], dns, "{outputs}");
        let listeners = elb
            .describe_listeners()
            .set_load_balancer_arn(lb.load_balancer_arn().map(str::to_string))
            .send()
            .await
            .expect("DescribeListeners");
        let http = listeners
            .listeners()
            .iter()
            .find(|l| l.port() == Some(80))
            .expect("a listener on port 80");
        let tg_arn = http
            .default_actions()
            .first()
            .and_then(|a| a.target_group_arn())
            .expect("the listener forwards to a target group");
        let tgs = elb
            .describe_target_groups()
            .target_group_arns(tg_arn)
            .send()
            .await
            .expect("DescribeTargetGroups");
        let tg = tgs.target_groups().first().expect("the target group");
        assert_eq!(tg.target_type(), Some(&TargetTypeEnum::Instance));
        let services = ecs
            .describe_services()
            .cluster(name)
            .services(web.service)
            .send()
            .await
            .expect("DescribeServices");
        let svc = services.services().first().expect("the web service");
        let entries = svc.load_balancers();
        assert_eq!(entries.len(), 1, "{entries:?}");
        assert_eq!(entries[0].target_group_arn(), Some(tg_arn));
        assert_eq!(entries[0].container_name(), Some(web.service));
        assert_eq!(entries[0].container_port(), Some(web.port));
    });
}

/// Everything in the region whose name says it belongs to stack `name`.
pub(crate) fn inventory(name: &str) -> Vec<String> {
    let cfg = aws();
    let mine = |s: Option<&str>| {
        s.is_some_and(|s| s.starts_with(name) || s.starts_with(&format!("/ecs/{name}")))
    };
    let mut left = Vec::new();
    block_on(async {
        let iam = aws_sdk_iam::Client::new(&cfg);
        for r in iam.list_roles().send().await.expect("ListRoles").roles() {
            if mine(Some(r.role_name())) {
                left.push(format!("IAM role {}", r.role_name()));
            }
        }
        for p in iam
            .list_instance_profiles()
            .send()
            .await
            .expect("ListInstanceProfiles")
            .instance_profiles()
        {
            if mine(Some(p.instance_profile_name())) {
                left.push(format!("instance profile {}", p.instance_profile_name()));
            }
        }
        let local = aws_sdk_iam::types::PolicyScopeType::Local;
        for p in iam
            .list_policies()
            .scope(local)
            .send()
            .await
            .expect("ListPolicies")
            .policies()
        {
            if mine(p.policy_name()) {
                left.push(format!("IAM policy {:?}", p.policy_name()));
            }
        }
        let ecr = aws_sdk_ecr::Client::new(&cfg);
        for r in ecr
            .describe_repositories()
            .send()
            .await
            .expect("DescribeRepositories")
            .repositories()
        {
            if mine(r.repository_name()) {
                left.push(format!("ECR repository {:?}", r.repository_name()));
            }
        }
        let ec2 = aws_sdk_ec2::Client::new(&cfg);
        for lt in ec2
            .describe_launch_templates()
            .send()
            .await
            .expect("DescribeLaunchTemplates")
            .launch_templates()
        {
            if mine(lt.launch_template_name()) {
                left.push(format!("launch template {:?}", lt.launch_template_name()));
            }
        }
        for sg in ec2
            .describe_security_groups()
            .send()
            .await
            .expect("DescribeSecurityGroups")
            .security_groups()
        {
            if mine(sg.group_name()) {
                left.push(format!(
                    "security group {:?} {:?}",
                    sg.group_name(),
                    sg.group_id()
                ));
            }
        }
        let elb = aws_sdk_elasticloadbalancingv2::Client::new(&cfg);
        for lb in elb
            .describe_load_balancers()
            .send()
            .await
            .expect("DescribeLoadBalancers")
            .load_balancers()
        {
            if !mine(lb.load_balancer_name()) {
                continue;
            }
            left.push(format!("load balancer {:?}", lb.load_balancer_name()));
            let listeners = elb
                .describe_listeners()
                .set_load_balancer_arn(lb.load_balancer_arn().map(str::to_string))
                .send()
                .await
                .expect("DescribeListeners");
            for l in listeners.listeners() {
                left.push(format!(
                    "listener {:?} port {:?}",
                    l.listener_arn(),
                    l.port()
                ));
            }
        }
        for tg in elb
            .describe_target_groups()
            .send()
            .await
            .expect("DescribeTargetGroups")
            .target_groups()
        {
            if mine(tg.target_group_name()) {
                left.push(format!("target group {:?}", tg.target_group_name()));
            }
        }
        let asg = aws_sdk_autoscaling::Client::new(&cfg);
        for g in asg
            .describe_auto_scaling_groups()
            .send()
            .await
            .expect("DescribeAutoScalingGroups")
            .auto_scaling_groups()
        {
            if mine(g.auto_scaling_group_name()) {
                left.push(format!(
                    "Auto Scaling group {:?}",
                    g.auto_scaling_group_name()
                ));
            }
        }
        let ecs = aws_sdk_ecs::Client::new(&cfg);
        let arns = ecs
            .list_clusters()
            .send()
            .await
            .expect("ListClusters")
            .cluster_arns()
            .to_vec();
        if !arns.is_empty() {
            let out = ecs
                .describe_clusters()
                .set_clusters(Some(arns))
                .send()
                .await
                .expect("DescribeClusters");
            for c in out.clusters() {
                if c.cluster_name() == Some(name) && c.status() == Some("ACTIVE") {
                    left.push(format!("ECS cluster {name}"));
                }
            }
        }
        // Named lookup: DescribeCapacityProviders without names is not something to rely on.
        let cp = format!("{name}-ec2");
        if let Ok(out) = ecs
            .describe_capacity_providers()
            .capacity_providers(&cp)
            .send()
            .await
        {
            for p in out.capacity_providers() {
                if p.status().is_some_and(|s| s.as_str() == "ACTIVE") {
                    left.push(format!("capacity provider {cp}"));
                }
            }
        }
        let families = ecs
            .list_task_definitions()
            .family_prefix(name)
            .status(aws_sdk_ecs::types::TaskDefinitionStatus::Active)
            .send()
            .await
            .expect("ListTaskDefinitions");
        for td in families.task_definition_arns() {
            left.push(format!("ACTIVE task definition {td}"));
        }
        let sd = aws_sdk_servicediscovery::Client::new(&cfg);
        for ns in sd
            .list_namespaces()
            .send()
            .await
            .expect("ListNamespaces")
            .namespaces()
        {
            if ns.name() == Some(name) {
                left.push(format!("Cloud Map namespace {name} {:?}", ns.id()));
            }
        }
        let logs = aws_sdk_cloudwatchlogs::Client::new(&cfg);
        let groups = logs
            .describe_log_groups()
            .log_group_name_prefix(format!("/ecs/{name}"))
            .send()
            .await
            .expect("DescribeLogGroups");
        for g in groups.log_groups() {
            left.push(format!("log group {:?}", g.log_group_name()));
        }
    });
    left
}
