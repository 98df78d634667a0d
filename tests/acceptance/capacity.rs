//! EC2 capacity for ECS through terraform: Auto Scaling groups, clusters, capacity providers and
//! their association, verified through the Auto Scaling and ECS APIs. The launch template comes
//! from the EC2 API (created here) so these tests do not depend on another resource type.

use serde_json::Value;

use crate::support::*;

fn asg() -> aws_sdk_autoscaling::Client {
    aws_sdk_autoscaling::Client::new(&aws())
}

fn ec2() -> aws_sdk_ec2::Client {
    aws_sdk_ec2::Client::new(&aws())
}

/// A launch template for the test's groups (deleted when dropped), on the newest ECS-optimised
/// Amazon Linux 2023 image the EC2 API lists.
struct LaunchTemplate {
    id: String,
}

impl LaunchTemplate {
    fn new() -> LaunchTemplate {
        let images = block_on(
            ec2()
                .describe_images()
                .owners("amazon")
                .filters(
                    aws_sdk_ec2::types::Filter::builder()
                        .name("name")
                        .values("al2023-ami-ecs-hvm-*-x86_64")
                        .build(),
                )
                .send(),
        )
        .expect("DescribeImages");
        let image = images
            .images()
            .iter()
            .max_by_key(|i| i.name().unwrap_or_default().to_string())
            .and_then(|i| i.image_id())
            .expect("an ECS-optimised AMI")
            .to_string();
        let out = block_on(
            ec2()
                .create_launch_template()
                .launch_template_name(unique_name("lt"))
                .launch_template_data(
                    aws_sdk_ec2::types::RequestLaunchTemplateData::builder()
                        .image_id(image)
                        .instance_type(aws_sdk_ec2::types::InstanceType::T3Micro)
                        .build(),
                )
                .send(),
        )
        .expect("CreateLaunchTemplate");
        let id = out
            .launch_template()
            .and_then(|t| t.launch_template_id())
            .expect("launch template id")
            .to_string();
        LaunchTemplate { id }
    }
}

impl Drop for LaunchTemplate {
    fn drop(&mut self) {
        let _ = block_on(
            ec2()
                .delete_launch_template()
                .launch_template_id(&self.id)
                .send(),
        );
    }
}

/// A default subnet (every test region has a default VPC in moto; in a real account use one).
fn default_subnet() -> String {
    let out = block_on(
        ec2()
            .describe_subnets()
            .filters(
                aws_sdk_ec2::types::Filter::builder()
                    .name("default-for-az")
                    .values("true")
                    .build(),
            )
            .send(),
    )
    .expect("DescribeSubnets");
    let mut ids: Vec<String> = out
        .subnets()
        .iter()
        .filter_map(|s| s.subnet_id().map(str::to_string))
        .collect();
    ids.sort();
    ids.into_iter().next().expect("a default subnet")
}

fn group(name: &str) -> Option<aws_sdk_autoscaling::types::AutoScalingGroup> {
    block_on(
        asg()
            .describe_auto_scaling_groups()
            .auto_scaling_group_names(name)
            .send(),
    )
    .expect("DescribeAutoScalingGroups")
    .auto_scaling_groups()
    .first()
    .cloned()
}

fn instance_count(name: &str) -> usize {
    group(name).map(|g| g.instances().len()).unwrap_or(0)
}

/// Terraform shows the configuration line of a diagnostic's attribute path as `  14:   min_size = 3`.
fn points_at(diagnostics: &str, source_line: &str) -> bool {
    diagnostics.lines().any(|l| {
        l.split_once(':')
            .is_some_and(|(n, rest)| n.trim().parse::<u32>().is_ok() && rest.trim() == source_line)
    })
}

fn group_config(name: &str, lt: &str, subnet: &str, sizes: &str, extra: &str) -> String {
    config(&format!(
        r#"
resource "awsecs_autoscaling_group" "g" {{
  name                = "{name}"
  {sizes}
  vpc_zone_identifier = ["{subnet}"]
  launch_template {{
    id = "{lt}"
  }}
  tag {{
    key                 = "team"
    value               = "capacity"
    propagate_at_launch = true
  }}
  {extra}
}}
"#
    ))
}

#[test]
fn autoscaling_group_lifecycle() {
    let lt = LaunchTemplate::new();
    let name = unique_name("asg");
    let subnet = default_subnet();
    let tf = Lifecycle {
        config: group_config(
            &name,
            &lt.id,
            &subnet,
            "min_size = 1\n  max_size = 2\n  desired_capacity = 1",
            "health_check_grace_period = 120\n  termination_policies = [\"OldestInstance\"]",
        ),
        address: "awsecs_autoscaling_group.g",
        import_id: &|s: &Value| s["name"].as_str().unwrap().to_string(),
        exists: &|s: &Value| group(s["name"].as_str().unwrap()).is_some(),
        delete_out_of_band: Some(&|s: &Value| {
            block_on(
                asg()
                    .delete_auto_scaling_group()
                    .auto_scaling_group_name(s["name"].as_str().unwrap())
                    .force_delete(true)
                    .send(),
            )
            .expect("DeleteAutoScalingGroup");
        }),
        import_ignore: &[],
    }
    .run();
    drop(tf);
}

#[test]
fn autoscaling_group_resizes_in_place_and_clamps_unmanaged_capacity() {
    let lt = LaunchTemplate::new();
    let name = unique_name("asgsize");
    let subnet = default_subnet();
    let cfg = |sizes: &str| group_config(&name, &lt.id, &subnet, sizes, "");
    let tf = Workdir::new(&cfg("min_size = 1\n  max_size = 2\n  desired_capacity = 1"));
    tf.apply();
    assert_eq!(instance_count(&name), 1);

    tf.set_config(&cfg("min_size = 2\n  max_size = 4\n  desired_capacity = 3"));
    let plan = tf.assert_changes();
    assert!(plan.stdout.contains("updated in-place"), "{plan}");
    tf.apply();
    let g = group(&name).unwrap();
    assert_eq!(
        (g.min_size(), g.max_size(), g.desired_capacity()),
        (Some(2), Some(4), Some(3))
    );
    assert_eq!(instance_count(&name), 3);
    tf.assert_no_changes();

    // desired_capacity left to AWS: a lower max_size brings it down, and the plan says so.
    tf.set_config(&cfg("min_size = 1\n  max_size = 2"));
    let plan = tf.assert_changes();
    assert!(
        plan.stdout.contains("desired_capacity") && plan.stdout.contains("3 -> 2"),
        "{plan}"
    );
    tf.apply();
    assert_eq!(group(&name).unwrap().desired_capacity(), Some(2));
    assert_eq!(instance_count(&name), 2);
    tf.assert_no_changes();
    tf.destroy();
    assert!(group(&name).is_none());
}

#[test]
fn autoscaling_group_sizes_are_checked_at_plan_time() {
    // (sizes, the source line terraform shows for the attribute path, the message)
    let cases = [
        (
            "min_size = 3\n  max_size = 1",
            "min_size = 3",
            "min_size (3) must be less than or equal to max_size (1)",
        ),
        (
            "min_size = 1\n  max_size = 2\n  desired_capacity = 5",
            "desired_capacity = 5",
            "desired_capacity (5) must be within [min_size 1, max_size 2]",
        ),
    ];
    for (sizes, line, text) in cases {
        let name = unique_name("asgbad");
        let tf = Workdir::new(&group_config(
            &name,
            "lt-0123456789abcdef0",
            "subnet-12345678",
            sizes,
            "",
        ));
        let err = tf.assert_no_mutating_calls(|| tf.fail_plan());
        assert!(err.contains(text), "{err}");
        assert!(
            points_at(&err, line),
            "the diagnostic must point at `{line}`:\n{err}"
        );
    }
}
