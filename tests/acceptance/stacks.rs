//! The three example stacks, end to end: init, validate, apply, re-plan with no changes, destroy,
//! then an inventory of the region through the AWS API that must find nothing the stack created.

use crate::support::*;

/// A stack name unique to this run that passes the stacks' name validation (<= 16 chars).
pub(crate) fn stack_name(prefix: &str) -> String {
    let id = unique_name("x");
    format!("{prefix}-{}", &id[id.len() - 6..])
}

#[track_caller]
fn cycle(stack: &str, prefix: &str) {
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
    cycle("ec2-capacity", "cap");
}

#[test]
fn dks_stack_applies_replans_empty_and_destroys_clean() {
    cycle("dks", "dks");
}

#[test]
fn hit_counter_stack_applies_replans_empty_and_destroys_clean() {
    cycle("hit-counter", "hc");
}

#[test]
fn sockshop_stack_applies_replans_empty_and_destroys_clean() {
    cycle("sockshop", "ss");
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
