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
    name: String,
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
        let name = unique_name("lt");
        let out = block_on(
            ec2()
                .create_launch_template()
                .launch_template_name(&name)
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
        LaunchTemplate { id, name }
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
fn autoscaling_group_switches_launch_template_by_name_in_place() {
    let (first, second) = (LaunchTemplate::new(), LaunchTemplate::new());
    let name = unique_name("asglt");
    let subnet = default_subnet();
    let sizes = "min_size = 1\n  max_size = 1";
    let tf = Workdir::new(&group_config(&name, &first.id, &subnet, sizes, ""));
    tf.apply();
    let by_name = group_config(&name, &first.id, &subnet, sizes, "").replace(
        &format!("id = \"{}\"", first.id),
        &format!("name = \"{}\"", second.name),
    );
    tf.set_config(&by_name);
    let plan = tf.assert_changes();
    assert!(plan.stdout.contains("updated in-place"), "{plan}");
    tf.apply();
    let lt = group(&name)
        .and_then(|g| g.launch_template().cloned())
        .expect("launch template");
    assert_eq!(lt.launch_template_id(), Some(second.id.as_str()));
    assert_eq!(
        tf.state_show("awsecs_autoscaling_group.g")["launch_template"][0]["id"],
        second.id.as_str()
    );
    tf.assert_no_changes();
    tf.destroy();
}

#[test]
fn autoscaling_group_arguments_are_checked_at_plan_time() {
    let (lt, subnet) = ("lt-0123456789abcdef0", "subnet-12345678");
    let both_ids = format!("id = \"{lt}\"\n    name = \"web\"");
    // (sizes, launch_template body, the source line terraform shows for the path, the message)
    let cases = [
        (
            "min_size = 3\n  max_size = 1",
            None,
            "min_size = 3",
            "min_size (3) must be less than or equal to max_size (1)",
        ),
        (
            "min_size = 1\n  max_size = 2\n  desired_capacity = 5",
            None,
            "desired_capacity = 5",
            "desired_capacity (5) must be within [min_size 1, max_size 2]",
        ),
        (
            "min_size = 1\n  max_size = 2",
            Some(both_ids.as_str()),
            "id = \"lt-0123456789abcdef0\"",
            "conflicts with launch_template[0].name",
        ),
    ];
    for (sizes, template, line, text) in cases {
        let mut body = group_config(&unique_name("asgbad"), lt, subnet, sizes, "");
        if let Some(t) = template {
            body = body.replace(&format!("id = \"{lt}\""), t);
        }
        let tf = Workdir::new(&body);
        let err = tf.assert_no_mutating_calls(|| tf.fail_plan());
        assert!(err.contains(text), "{err}");
        assert!(
            points_at(&err, line),
            "the diagnostic must point at `{line}`:\n{err}"
        );
    }
}

fn ecs() -> aws_sdk_ecs::Client {
    aws_sdk_ecs::Client::new(&aws())
}

/// The cluster as ECS reports it, unless it is gone (missing or INACTIVE).
fn cluster(name: &str) -> Option<aws_sdk_ecs::types::Cluster> {
    let out = block_on(
        ecs()
            .describe_clusters()
            .clusters(name)
            .include(aws_sdk_ecs::types::ClusterField::Settings)
            .send(),
    )
    .expect("DescribeClusters");
    out.clusters()
        .iter()
        .find(|c| c.status() != Some("INACTIVE"))
        .cloned()
}

/// The capacity provider, unless it is gone. Always names it: DescribeCapacityProviders without
/// names lists everything (and moto cannot answer that).
fn provider(name: &str) -> Option<aws_sdk_ecs::types::CapacityProvider> {
    let out = block_on(
        ecs()
            .describe_capacity_providers()
            .capacity_providers(name)
            .send(),
    )
    .expect("DescribeCapacityProviders");
    out.capacity_providers()
        .iter()
        .find(|p| p.status().map(|s| s.as_str()) != Some("INACTIVE"))
        .cloned()
}

fn cluster_config(name: &str, insights: &str) -> String {
    config(&format!(
        r#"
resource "awsecs_ecs_cluster" "c" {{
  name = "{name}"
  setting {{
    name  = "containerInsights"
    value = "{insights}"
  }}
  configuration {{
    execute_command_configuration {{
      logging = "OVERRIDE"
      log_configuration {{
        cloud_watch_log_group_name = "/ecs/{name}/exec"
      }}
    }}
  }}
  tags = {{ team = "capacity" }}
}}
"#
    ))
}

#[test]
fn ecs_cluster_lifecycle() {
    let name = unique_name("cluster");
    Lifecycle {
        config: cluster_config(&name, "enabled"),
        address: "awsecs_ecs_cluster.c",
        // As in hashicorp/aws: imported by name, stored by ARN.
        import_id: &|s: &Value| s["name"].as_str().unwrap().to_string(),
        exists: &|s: &Value| cluster(s["name"].as_str().unwrap()).is_some(),
        delete_out_of_band: Some(&|s: &Value| {
            block_on(
                ecs()
                    .delete_cluster()
                    .cluster(s["arn"].as_str().unwrap())
                    .send(),
            )
            .expect("DeleteCluster");
        }),
        import_ignore: &[],
    }
    .run();
}

#[test]
fn ecs_cluster_settings_update_in_place() {
    let name = unique_name("clusterupd");
    let tf = Workdir::new(&cluster_config(&name, "enabled"));
    tf.apply();
    let arn = tf.state_show("awsecs_ecs_cluster.c")["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        arn.starts_with("arn:") && arn.ends_with(&format!("cluster/{name}")),
        "{arn}"
    );
    tf.set_config(&cluster_config(&name, "disabled"));
    let plan = tf.assert_changes();
    assert!(plan.stdout.contains("updated in-place"), "{plan}");
    tf.apply();
    let c = cluster(&name).expect("cluster");
    let insights: Vec<(&str, &str)> = c
        .settings()
        .iter()
        .filter_map(|s| Some((s.name()?.as_str(), s.value()?)))
        .collect();
    assert_eq!(insights, [("containerInsights", "disabled")]);
    assert_eq!(
        tf.state_show("awsecs_ecs_cluster.c")["id"],
        arn.as_str(),
        "not replaced"
    );
    tf.assert_no_changes();
    tf.destroy();
    assert!(cluster(&name).is_none());
}

#[test]
fn ecs_cluster_unknown_setting_name_fails_at_plan() {
    let tf = Workdir::new(&config(
        r#"
resource "awsecs_ecs_cluster" "c" {
  name = "tf-acc-badsetting"
  setting {
    name  = "containerInsight"
    value = "enabled"
  }
}
"#,
    ));
    let err = tf.assert_no_mutating_calls(|| tf.fail_plan());
    assert!(
        err.contains(r#"expected one of "containerInsights", got "containerInsight""#),
        "{err}"
    );
    assert!(points_at(&err, r#"name  = "containerInsight""#), "{err}");
}

/// An Auto Scaling group with protected instances, a capacity provider with managed termination
/// protection on it, a cluster, and the association: the ECS-on-EC2 capacity stack.
fn capacity_stack(names: &StackNames, lt: &str, subnet: &str, target_capacity: u32) -> String {
    let StackNames {
        cluster,
        group,
        provider,
    } = names;
    config(&format!(
        r#"
resource "awsecs_autoscaling_group" "g" {{
  name                  = "{group}"
  min_size              = 1
  max_size              = 3
  desired_capacity      = 2
  protect_from_scale_in = true
  vpc_zone_identifier   = ["{subnet}"]
  launch_template {{
    id = "{lt}"
  }}
}}

resource "awsecs_ecs_cluster" "c" {{
  name = "{cluster}"
}}

resource "awsecs_ecs_capacity_provider" "cp" {{
  name = "{provider}"
  auto_scaling_group_provider {{
    auto_scaling_group_arn         = awsecs_autoscaling_group.g.arn
    managed_termination_protection = "ENABLED"
    managed_scaling {{
      status          = "ENABLED"
      target_capacity = {target_capacity}
    }}
  }}
  tags = {{ team = "capacity" }}
}}

resource "awsecs_ecs_cluster_capacity_providers" "a" {{
  cluster_name       = awsecs_ecs_cluster.c.name
  capacity_providers = [awsecs_ecs_capacity_provider.cp.name]
  default_capacity_provider_strategy {{
    capacity_provider = awsecs_ecs_capacity_provider.cp.name
    weight            = 1
    base              = 1
  }}
}}
"#
    ))
}

struct StackNames {
    cluster: String,
    group: String,
    provider: String,
}

impl StackNames {
    fn new(tag: &str) -> StackNames {
        StackNames {
            cluster: unique_name(&format!("{tag}c")),
            group: unique_name(&format!("{tag}g")),
            provider: unique_name(&format!("{tag}p")),
        }
    }
}

#[test]
fn ecs_capacity_provider_lifecycle() {
    let lt = LaunchTemplate::new();
    let names = StackNames::new("cpl");
    let cluster_name = names.cluster.clone();
    Lifecycle {
        config: capacity_stack(&names, &lt.id, &default_subnet(), 80),
        address: "awsecs_ecs_capacity_provider.cp",
        import_id: &|s: &Value| s["arn"].as_str().unwrap().to_string(),
        exists: &|s: &Value| provider(s["name"].as_str().unwrap()).is_some(),
        // Out of band the provider can only go once the association does (as in AWS).
        delete_out_of_band: Some(&|s: &Value| {
            let name = s["name"].as_str().unwrap();
            block_on(
                ecs()
                    .put_cluster_capacity_providers()
                    .cluster(&cluster_name)
                    .set_capacity_providers(Some(vec![]))
                    .set_default_capacity_provider_strategy(Some(vec![]))
                    .send(),
            )
            .expect("PutClusterCapacityProviders");
            block_on(
                ecs()
                    .delete_capacity_provider()
                    .capacity_provider(name)
                    .send(),
            )
            .expect("DeleteCapacityProvider");
        }),
        import_ignore: &[],
    }
    .run();
}

#[test]
fn ecs_capacity_provider_managed_scaling_updates_in_place() {
    let lt = LaunchTemplate::new();
    let names = StackNames::new("cpu");
    let subnet = default_subnet();
    let tf = Workdir::new(&capacity_stack(&names, &lt.id, &subnet, 80));
    tf.apply();
    let arn = tf.state_show("awsecs_ecs_capacity_provider.cp")["arn"].clone();
    tf.set_config(&capacity_stack(&names, &lt.id, &subnet, 60));
    let plan = tf.assert_changes();
    assert!(
        plan.stdout
            .contains("awsecs_ecs_capacity_provider.cp will be updated in-place")
            && plan.stdout.contains("80 -> 60"),
        "{plan}"
    );
    tf.apply();
    let p = provider(&names.provider).expect("provider");
    let scaling = p
        .auto_scaling_group_provider()
        .and_then(|a| a.managed_scaling())
        .unwrap();
    assert_eq!(scaling.target_capacity(), Some(60));
    assert_eq!(
        tf.state_show("awsecs_ecs_capacity_provider.cp")["arn"],
        arn,
        "not replaced"
    );
    tf.assert_no_changes();
    tf.destroy();
}

#[test]
fn ecs_capacity_provider_target_capacity_zero_fails_at_plan() {
    let tf = Workdir::new(&config(
        r#"
resource "awsecs_ecs_capacity_provider" "cp" {
  name = "tf-acc-zero"
  auto_scaling_group_provider {
    auto_scaling_group_arn = "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:00000000-0000-0000-0000-000000000000:autoScalingGroupName/g"
    managed_scaling {
      target_capacity = 0
    }
  }
}
"#,
    ));
    let err = tf.assert_no_mutating_calls(|| tf.fail_plan());
    assert!(
        err.contains("must be a whole number between 1 and 100, got 0"),
        "{err}"
    );
    assert!(points_at(&err, "target_capacity = 0"), "{err}");
}

#[test]
fn ecs_cluster_capacity_providers_lifecycle() {
    let lt = LaunchTemplate::new();
    let names = StackNames::new("ccp");
    let cluster_name = names.cluster.clone();
    let provider_name = names.provider.clone();
    let associated = move |c: &str| -> bool {
        cluster(c).is_some_and(|c| c.capacity_providers().iter().any(|p| p == &provider_name))
    };
    Lifecycle {
        config: capacity_stack(&names, &lt.id, &default_subnet(), 100),
        address: "awsecs_ecs_cluster_capacity_providers.a",
        import_id: &|s: &Value| s["cluster_name"].as_str().unwrap().to_string(),
        exists: &|s: &Value| associated(s["cluster_name"].as_str().unwrap()),
        // The association lives in the cluster: deleting the cluster deletes it.
        delete_out_of_band: Some(&|_: &Value| {
            block_on(ecs().delete_cluster().cluster(&cluster_name).send()).expect("DeleteCluster");
        }),
        import_ignore: &[],
    }
    .run();
}

/// hashicorp/aws #18849, #5277: instances protected by ECS managed termination protection kept
/// the group (and the destroy) hanging. One destroy must remove everything.
#[test]
fn ecs_capacity_stack_destroys_in_one_pass() {
    let lt = LaunchTemplate::new();
    let names = StackNames::new("one");
    let tf = Workdir::new(&capacity_stack(&names, &lt.id, &default_subnet(), 100));
    tf.apply();
    let g = group(&names.group).expect("group");
    let instances: Vec<String> = g
        .instances()
        .iter()
        .filter_map(|i| i.instance_id().map(str::to_string))
        .collect();
    assert_eq!(instances.len(), 2);
    assert!(
        g.instances()
            .iter()
            .all(|i| i.protected_from_scale_in() == Some(true)),
        "instances start protected from scale in"
    );
    if !real_aws() {
        // ECS tagged the group when the capacity provider took it over (moto_compat does this).
        assert!(g.tags().iter().any(|t| t.key() == Some("AmazonECSManaged")));
    }
    // ... and that tag is not a diff for a group that does not declare it.
    tf.assert_no_changes();

    tf.destroy();
    assert!(tf.state_addresses().is_empty());
    assert!(group(&names.group).is_none(), "group deleted");
    assert!(
        provider(&names.provider).is_none(),
        "capacity provider deleted"
    );
    assert!(cluster(&names.cluster).is_none(), "cluster deleted");
    let out = block_on(
        ec2()
            .describe_instances()
            .set_instance_ids(Some(instances))
            .send(),
    )
    .expect("DescribeInstances");
    for r in out.reservations() {
        for i in r.instances() {
            let state = i
                .state()
                .and_then(|s| s.name())
                .map(|n| n.as_str().to_string());
            assert!(
                matches!(state.as_deref(), Some("terminated" | "shutting-down")),
                "instance {:?} is {state:?}",
                i.instance_id()
            );
        }
    }
}

/// hashicorp/aws #14393, #29152: replacing a capacity provider that a cluster still uses waited 20
/// minutes for a delete that could not happen. Here the delete fails at once and says why.
#[test]
fn ecs_capacity_provider_delete_fails_fast_while_associated() {
    let lt = LaunchTemplate::new();
    let names = StackNames::new("ff");
    let subnet = default_subnet();
    let tf = Workdir::new(&capacity_stack(&names, &lt.id, &subnet, 100));
    tf.apply();
    // Renaming replaces the provider; Terraform deletes the old one before the association moves.
    let renamed = StackNames {
        cluster: names.cluster.clone(),
        group: names.group.clone(),
        provider: unique_name("ffp2"),
    };
    tf.set_config(&capacity_stack(&renamed, &lt.id, &subnet, 100));
    // Terraform wraps diagnostics to its terminal width.
    let err = tf
        .fail_apply()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        err.contains(&format!(
            "deleting ECS Capacity Provider ({})",
            names.provider
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "still associated with ECS cluster(s) \"{}\"",
            names.cluster
        )),
        "the error names the cluster:\n{err}"
    );
    assert!(
        err.contains("awsecs_ecs_cluster_capacity_providers"),
        "{err}"
    );
    assert!(err.contains("create_before_destroy"), "{err}");
    assert!(provider(&names.provider).is_some(), "nothing was deleted");
    tf.destroy();
    assert!(provider(&names.provider).is_none());
    assert!(group(&names.group).is_none());
}
