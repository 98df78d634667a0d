//! EC2: launch templates and the VPC / subnets / security group / SSM parameter lookups through
//! terraform, verified through the EC2 and SSM APIs, plus plan-time validation of the EC2 resources
//! (security groups and rules themselves: `ec2_security_groups.rs`).

use serde_json::Value;

use crate::support::*;

pub(crate) fn ec2() -> aws_sdk_ec2::Client {
    aws_sdk_ec2::Client::new(&aws())
}

pub(crate) fn s<'a>(state: &'a Value, k: &str) -> &'a str {
    state[k]
        .as_str()
        .unwrap_or_else(|| panic!("{k} is not a string in {state}"))
}

fn template_exists(id: &str) -> bool {
    block_on(
        ec2()
            .describe_launch_templates()
            .launch_template_ids(id)
            .send(),
    )
    .map(|o| !o.launch_templates().is_empty())
    .unwrap_or(false)
}

const AMI: &str = r#"
data "awsecs_ssm_parameter" "ami" {
  name = "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"
}
"#;

fn template_config(name: &str, instance_type: &str, tags: &str) -> String {
    config(&format!(
        r##"{AMI}
resource "awsecs_security_group" "instances" {{
  name = "{name}"
}}
resource "awsecs_launch_template" "t" {{
  name                   = "{name}"
  description            = "ECS hosts"
  image_id               = data.awsecs_ssm_parameter.ami.value
  instance_type          = "{instance_type}"
  user_data              = base64encode("#!/bin/bash\necho ECS_CLUSTER=acc >> /etc/ecs/ecs.config\n")
  ebs_optimized          = "true"
  update_default_version = true
  vpc_security_group_ids = [awsecs_security_group.instances.id]
  iam_instance_profile {{
    name = "{name}-profile"
  }}
  metadata_options {{
    http_tokens                 = "required"
    http_put_response_hop_limit = 2
  }}
  block_device_mappings {{
    device_name = "/dev/xvda"
    ebs {{
      volume_size           = 30
      volume_type           = "gp3"
      delete_on_termination = "true"
      encrypted             = "true"
    }}
  }}
  monitoring {{
    enabled = true
  }}
  tag_specifications {{
    resource_type = "instance"
    tags          = {{ Name = "ecs-host" }}
  }}
  tags = {tags}
}}
"##
    ))
}

#[test]
fn launch_template_lifecycle() {
    let name = unique_name("lt");
    Lifecycle {
        config: template_config(&name, "t3.micro", r#"{ team = "acc" }"#),
        address: "awsecs_launch_template.t",
        import_id: &|st: &Value| s(st, "id").to_string(),
        exists: &|st: &Value| template_exists(s(st, "id")),
        delete_out_of_band: Some(&|st: &Value| {
            block_on(
                ec2()
                    .delete_launch_template()
                    .launch_template_id(s(st, "id"))
                    .send(),
            )
            .expect("DeleteLaunchTemplate");
        }),
        // Never returned by EC2: a flag for future updates, like the twin's importStateVerifyIgnore.
        import_ignore: &["update_default_version"],
    }
    .run();
}

#[test]
fn launch_template_with_network_interfaces_lifecycle() {
    let name = unique_name("ltni");
    Lifecycle {
        config: config(&format!(
            r#"
resource "awsecs_security_group" "sg" {{
  name = "{name}"
}}
resource "awsecs_launch_template" "t" {{
  name_prefix   = "ltni-"
  instance_type = "t3.small"
  network_interfaces {{
    associate_public_ip_address = "true"
    delete_on_termination       = "true"
    device_index                = 0
    security_groups             = [awsecs_security_group.sg.id]
  }}
  credit_specification {{
    cpu_credits = "standard"
  }}
  placement {{
    availability_zone = "us-east-1a"
  }}
  disable_api_termination              = true
  instance_initiated_shutdown_behavior = "terminate"
}}
"#
        )),
        address: "awsecs_launch_template.t",
        import_id: &|st: &Value| s(st, "id").to_string(),
        exists: &|st: &Value| template_exists(s(st, "id")),
        delete_out_of_band: None, // covered by launch_template_lifecycle
        import_ignore: &[],
    }
    .run();
}

#[test]
fn launch_template_data_change_makes_a_new_default_version_and_tags_do_not() {
    let name = unique_name("ltver");
    let tf = Workdir::new(&template_config(&name, "t3.micro", r#"{ v = "1" }"#));
    tf.apply();
    let v1 = tf.state_show("awsecs_launch_template.t");
    assert_eq!(v1["latest_version"], 1);
    assert_eq!(v1["default_version"], 1);
    let id = s(&v1, "id").to_string();

    // A launch-data change: an in-place update that announces the new version.
    tf.set_config(&template_config(&name, "t3.large", r#"{ v = "1" }"#));
    let plan = tf.assert_changes();
    assert!(plan.stdout.contains("updated in-place"), "{plan}");
    assert!(!plan.stdout.contains("must be replaced"), "{plan}");
    assert!(
        plan.stdout.contains("latest_version") && plan.stdout.contains("(known after apply)"),
        "the plan must show latest_version as known after apply:\n{plan}"
    );
    tf.apply();
    let v2 = tf.state_show("awsecs_launch_template.t");
    assert_eq!(v2["id"], id.as_str(), "same template, new version");
    assert_eq!(v2["latest_version"], 2);
    assert_eq!(v2["default_version"], 2);
    assert_eq!(v2["instance_type"], "t3.large");
    let lt = block_on(
        ec2()
            .describe_launch_templates()
            .launch_template_ids(&id)
            .send(),
    )
    .unwrap();
    let lt = &lt.launch_templates()[0];
    assert_eq!(
        (lt.latest_version_number(), lt.default_version_number()),
        (Some(2), Some(2))
    );
    tf.assert_no_mutating_calls(|| tf.assert_no_changes());

    // Tags only: no new version, and the plan does not pretend there will be one.
    tf.set_config(&template_config(&name, "t3.large", r#"{ v = "2" }"#));
    let plan = tf.assert_changes();
    assert!(!plan.stdout.contains("latest_version"), "{plan}");
    let (_, calls) = tf.record(|| tf.apply());
    let ops: Vec<String> = calls.iter().map(|c| c.operation()).collect();
    assert!(
        !ops.iter()
            .any(|o| o == "CreateLaunchTemplateVersion" || o == "ModifyLaunchTemplate"),
        "a tag change must not create a version: {ops:?}"
    );
    let v3 = tf.state_show("awsecs_launch_template.t");
    assert_eq!(v3["latest_version"], 2);
    assert_eq!(v3["tags"]["v"], "2");
    tf.assert_no_changes();
    tf.destroy();
    assert!(!template_exists(&id));
}

#[test]
fn launch_template_default_version_stays_until_asked() {
    let name = unique_name("ltdef");
    let cfg = |image: &str, default: &str| {
        config(&format!(
            r#"
resource "awsecs_launch_template" "t" {{
  name     = "{name}"
  image_id = "{image}"
  {default}
}}
"#
        ))
    };
    let tf = Workdir::new(&cfg("ami-11111111", ""));
    tf.apply();
    // Without update_default_version a new version is created but the default stays.
    tf.set_config(&cfg("ami-22222222", ""));
    tf.apply();
    let st = tf.state_show("awsecs_launch_template.t");
    assert_eq!(
        (st["latest_version"].clone(), st["default_version"].clone()),
        (2.into(), 1.into())
    );
    tf.assert_no_changes();
    // Choosing the default explicitly is an in-place ModifyLaunchTemplate, no new version.
    tf.set_config(&cfg("ami-22222222", "default_version = 2"));
    let (_, calls) = tf.record(|| tf.apply());
    let ops: Vec<String> = calls.iter().map(|c| c.operation()).collect();
    assert!(ops.iter().any(|o| o == "ModifyLaunchTemplate"), "{ops:?}");
    assert!(
        !ops.iter().any(|o| o == "CreateLaunchTemplateVersion"),
        "{ops:?}"
    );
    let id = s(&tf.state_show("awsecs_launch_template.t"), "id").to_string();
    let lt = block_on(
        ec2()
            .describe_launch_templates()
            .launch_template_ids(&id)
            .send(),
    )
    .unwrap();
    assert_eq!(lt.launch_templates()[0].default_version_number(), Some(2));
    tf.assert_no_changes();
    tf.destroy();
}

#[test]
fn ec2_data_sources_find_vpc_subnets_group_and_ecs_amis() {
    let name = unique_name("sgdata");
    let tf = Workdir::new(&config(&format!(
        r#"
resource "awsecs_security_group" "sg" {{
  name = "{name}"
  tags = {{ Lookup = "{name}" }}
}}
data "awsecs_vpc" "default" {{
  default = true
}}
data "awsecs_subnets" "default" {{
  filter {{
    name   = "vpc-id"
    values = [data.awsecs_vpc.default.id]
  }}
}}
data "awsecs_security_group" "by_tag" {{
  vpc_id = data.awsecs_vpc.default.id
  tags   = {{ Lookup = awsecs_security_group.sg.tags["Lookup"] }}
}}
data "awsecs_ssm_parameter" "x86" {{
  name = "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"
}}
data "awsecs_ssm_parameter" "arm" {{
  name = "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id"
}}
output "vpc" {{ value = data.awsecs_vpc.default }}
output "subnets" {{ value = data.awsecs_subnets.default.ids }}
output "sg" {{ value = data.awsecs_security_group.by_tag }}
output "x86" {{
  value     = data.awsecs_ssm_parameter.x86.value
  sensitive = true
}}
output "arm" {{ value = data.awsecs_ssm_parameter.arm.insecure_value }}
output "arm_type" {{ value = data.awsecs_ssm_parameter.arm.type }}
"#
    )));
    tf.apply();
    let out = tf.outputs();
    let vpcs = block_on(
        ec2()
            .describe_vpcs()
            .filters(
                aws_sdk_ec2::types::Filter::builder()
                    .name("is-default")
                    .values("true")
                    .build(),
            )
            .send(),
    )
    .unwrap();
    let vpc = &vpcs.vpcs()[0];
    assert_eq!(out["vpc"]["id"], vpc.vpc_id().unwrap());
    assert_eq!(out["vpc"]["cidr_block"], vpc.cidr_block().unwrap());
    assert_eq!(out["vpc"]["default"], true);
    assert_eq!(out["vpc"]["enable_dns_support"], true);
    assert!(
        out["vpc"]["main_route_table_id"]
            .as_str()
            .is_some_and(|r| r.starts_with("rtb-")),
        "{}",
        out["vpc"]
    );
    assert!(out["vpc"]["arn"]
        .as_str()
        .is_some_and(|a| a.ends_with(&format!("vpc/{}", vpc.vpc_id().unwrap()))));
    let subnets = block_on(
        ec2()
            .describe_subnets()
            .filters(
                aws_sdk_ec2::types::Filter::builder()
                    .name("vpc-id")
                    .values(vpc.vpc_id().unwrap())
                    .build(),
            )
            .send(),
    )
    .unwrap();
    let mut want: Vec<&str> = subnets
        .subnets()
        .iter()
        .filter_map(|s| s.subnet_id())
        .collect();
    let mut got: Vec<&str> = out["subnets"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    want.sort();
    got.sort();
    assert_eq!(got, want);
    assert!(!got.is_empty());
    let sg = tf.state_show("awsecs_security_group.sg");
    assert_eq!(out["sg"]["id"], sg["id"]);
    assert_eq!(out["sg"]["arn"], sg["arn"]);
    assert_eq!(out["sg"]["description"], "Managed by Terraform");
    assert!(
        out["arm"].as_str().is_some_and(|a| a.starts_with("ami-")),
        "{out}"
    );
    assert_eq!(out["arm_type"], "String");
    let ssm = aws_sdk_ssm::Client::new(&aws());
    let p = block_on(
        ssm.get_parameter()
            .name("/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id")
            .send(),
    )
    .unwrap();
    assert_eq!(out["x86"], p.parameter().unwrap().value().unwrap());
    // Lookups only read.
    tf.assert_no_mutating_calls(|| tf.assert_no_changes());
    tf.destroy();
}

#[test]
fn lookup_without_a_unique_match_fails_clearly() {
    let tf = Workdir::new(&config(
        r#"
data "awsecs_security_group" "none" {
  name = "no-such-group-anywhere"
}
"#,
    ));
    let err = tf.assert_no_mutating_calls(|| tf.fail_plan());
    assert!(
        err.contains("no matching EC2 Security Group found"),
        "{err}"
    );
}

/// Plan-time validation: the diagnostic names the attribute and what is allowed, and nothing is
/// sent to AWS.
fn assert_plan_rejects(body: &str, must_contain: &[&str]) {
    let tf = Workdir::new(&config(body));
    let err = tf.assert_no_mutating_calls(|| tf.fail_plan());
    // Terraform wraps long lines; compare with whitespace collapsed.
    let flat = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
    for m in must_contain {
        assert!(flat(&err).contains(&flat(m)), "expected {m:?} in:\n{err}");
    }
}

#[test]
fn invalid_cidr_is_rejected_at_plan_with_its_path() {
    assert_plan_rejects(
        r#"
resource "awsecs_vpc_security_group_ingress_rule" "r" {
  security_group_id = "sg-12345678"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "10.0.0.1/8"
}
"#,
        // Terraform shows the attribute's line when the diagnostic carries its path.
        &[
            "cidr_ipv4         = \"10.0.0.1/8\"",
            "not a CIDR network address",
            "did you mean \"10.0.0.0/8\"",
        ],
    );
    assert_plan_rejects(
        r#"
resource "awsecs_security_group" "sg" {
  ingress {
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = ["300.0.0.0/8"]
  }
}
"#,
        &[
            "with awsecs_security_group.sg",
            "cidr_blocks = [\"300.0.0.0/8\"]",
            "is not an IPv4 address",
        ],
    );
}

#[test]
fn bad_port_ranges_are_rejected_at_plan() {
    assert_plan_rejects(
        r#"
resource "awsecs_vpc_security_group_ingress_rule" "r" {
  security_group_id = "sg-12345678"
  ip_protocol       = "tcp"
  from_port         = 8080
  to_port           = 80
  cidr_ipv4         = "0.0.0.0/0"
}
"#,
        &[
            "from_port         = 8080",
            "from_port (8080) must not be greater than to_port (80)",
        ],
    );
    assert_plan_rejects(
        r#"
resource "awsecs_vpc_security_group_egress_rule" "r" {
  security_group_id = "sg-12345678"
  ip_protocol       = "-1"
  from_port         = 0
  to_port           = 65535
  cidr_ipv4         = "0.0.0.0/0"
}
"#,
        &[
            "to_port           = 65535",
            "to_port must not be set for ip_protocol \"-1\"",
        ],
    );
    assert_plan_rejects(
        r#"
resource "awsecs_vpc_security_group_ingress_rule" "r" {
  security_group_id = "sg-12345678"
  ip_protocol       = "udp"
  from_port         = 0
  to_port           = 70000
  cidr_ipv4         = "0.0.0.0/0"
}
"#,
        &[
            "to_port           = 70000",
            "to_port must be a port from 0 to 65535",
        ],
    );
}

#[test]
fn instance_profile_arn_and_name_conflict_at_plan() {
    assert_plan_rejects(
        r#"
resource "awsecs_launch_template" "t" {
  name = "conflicting-profile"
  iam_instance_profile {
    arn  = "arn:aws:iam::123456789012:instance-profile/ecs"
    name = "ecs"
  }
}
"#,
        &[
            "iam_instance_profile[0].arn",
            "conflicts with iam_instance_profile[0].name",
        ],
    );
    assert_plan_rejects(
        r#"
resource "awsecs_launch_template" "t" {
  name = "bad-hop-limit"
  metadata_options {
    http_put_response_hop_limit = 65
  }
}
"#,
        &["http_put_response_hop_limit = 65", "between 1 and 64"],
    );
}

#[test]
fn conflicting_rule_sources_are_rejected_at_plan() {
    assert_plan_rejects(
        r#"
resource "awsecs_vpc_security_group_ingress_rule" "r" {
  security_group_id            = "sg-12345678"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  cidr_ipv4                    = "10.0.0.0/16"
  referenced_security_group_id = "sg-87654321"
}
"#,
        &[
            "Conflicting rule sources",
            "cidr_ipv4 and referenced_security_group_id",
            "referenced_security_group_id = \"sg-87654321\"",
        ],
    );
    assert_plan_rejects(
        r#"
resource "awsecs_vpc_security_group_ingress_rule" "r" {
  security_group_id = "sg-12345678"
  ip_protocol       = "tcp"
  from_port         = 5432
  to_port           = 5432
}
"#,
        &["Missing rule source"],
    );
}
