//! EC2 security groups and their rules through terraform, verified through the EC2 API: inline
//! rule sets, the separate ingress/egress rule resources, in-place rule updates and the delete
//! retry while something still uses a group.

use serde_json::Value;

use crate::ec2::{ec2, s};
use crate::support::*;

fn group(id: &str) -> Option<aws_sdk_ec2::types::SecurityGroup> {
    block_on(ec2().describe_security_groups().group_ids(id).send())
        .ok()
        .and_then(|o| o.security_groups().first().cloned())
}

fn rule(id: &str) -> Option<aws_sdk_ec2::types::SecurityGroupRule> {
    block_on(
        ec2()
            .describe_security_group_rules()
            .security_group_rule_ids(id)
            .send(),
    )
    .ok()
    .and_then(|o| o.security_group_rules().first().cloned())
}

#[test]
fn security_group_with_inline_rules_lifecycle() {
    let name = unique_name("sg");
    Lifecycle {
        config: config(&format!(
            r#"
data "awsecs_vpc" "default" {{
  default = true
}}
resource "awsecs_security_group" "sg" {{
  name        = "{name}"
  description = "ECS instances"
  vpc_id      = data.awsecs_vpc.default.id
  ingress {{
    protocol    = "tcp"
    from_port   = 80
    to_port     = 80
    cidr_blocks = ["0.0.0.0/0"]
    description = "http"
  }}
  ingress {{
    protocol  = "udp"
    from_port = 6783
    to_port   = 6784
    self      = true
  }}
  egress {{
    protocol         = "-1"
    from_port        = 0
    to_port          = 0
    cidr_blocks      = ["0.0.0.0/0"]
    ipv6_cidr_blocks = ["::/0"]
  }}
  revoke_rules_on_delete = true
  tags = {{ Name = "{name}" }}
}}
"#
        )),
        address: "awsecs_security_group.sg",
        import_id: &|st: &Value| s(st, "id").to_string(),
        exists: &|st: &Value| {
            let Some(g) = group(s(st, "id")) else {
                return false;
            };
            // The inline rules really are on the group.
            assert_eq!(g.ip_permissions().len(), 2, "{g:?}");
            assert_eq!(g.ip_permissions_egress().len(), 1, "{g:?}");
            true
        },
        delete_out_of_band: Some(&|st: &Value| {
            block_on(ec2().delete_security_group().group_id(s(st, "id")).send())
                .expect("DeleteSecurityGroup");
        }),
        import_ignore: &["revoke_rules_on_delete"],
    }
    .run();
}

/// A group in a configured VPC without inline rules is the create path with no describe: its state
/// must still equal what a read and an import return, and AWS's default egress must be gone.
fn group_without_rules_lifecycle(vpc_id: &str, prefix: &str) {
    let name = unique_name(prefix);
    Lifecycle {
        config: config(&format!(
            r#"
resource "awsecs_security_group" "sg" {{
  name        = "{name}"
  description = "no inline rules"
  vpc_id      = "{vpc_id}"
  tags        = {{ Name = "{name}" }}
}}
"#
        )),
        address: "awsecs_security_group.sg",
        import_id: &|st: &Value| s(st, "id").to_string(),
        exists: &|st: &Value| {
            let Some(g) = group(s(st, "id")) else {
                return false;
            };
            assert_eq!(s(st, "vpc_id"), vpc_id);
            assert!(
                g.ip_permissions_egress().is_empty(),
                "both default egress rules are revoked: {g:?}"
            );
            true
        },
        delete_out_of_band: Some(&|st: &Value| {
            block_on(ec2().delete_security_group().group_id(s(st, "id")).send())
                .expect("DeleteSecurityGroup");
        }),
        import_ignore: &["revoke_rules_on_delete"],
    }
    .run();
}

#[test]
fn security_group_in_a_vpc_without_ipv6_loses_the_default_egress() {
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
    .expect("DescribeVpcs");
    let vpc = vpcs.vpcs()[0].vpc_id().unwrap().to_string();
    group_without_rules_lifecycle(&vpc, "sg4");
}

#[test]
fn security_group_in_an_ipv6_vpc_loses_both_default_egress_rules() {
    let out = block_on(
        ec2()
            .create_vpc()
            .cidr_block("10.77.0.0/16")
            .amazon_provided_ipv6_cidr_block(true)
            .send(),
    )
    .expect("CreateVpc");
    let vpc = out.vpc().and_then(|v| v.vpc_id()).unwrap().to_string();
    group_without_rules_lifecycle(&vpc, "sg6");
    block_on(ec2().delete_vpc().vpc_id(&vpc).send()).expect("DeleteVpc");
}

#[test]
fn security_group_with_rule_resources_has_only_the_managed_egress() {
    let name = unique_name("sgr");
    let tf = Workdir::new(&config(&format!(
        r#"
resource "awsecs_security_group" "sg" {{
  name = "{name}"
}}
resource "awsecs_vpc_security_group_ingress_rule" "http" {{
  security_group_id = awsecs_security_group.sg.id
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
  cidr_ipv4         = "0.0.0.0/0"
}}
resource "awsecs_vpc_security_group_egress_rule" "all" {{
  security_group_id = awsecs_security_group.sg.id
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
}}
"#
    )));
    tf.apply();
    // The separate rules do not show up as drift of the group's (unset) inline rules.
    tf.assert_no_mutating_calls(|| tf.assert_no_changes());
    let id = s(&tf.state_show("awsecs_security_group.sg"), "id").to_string();
    let g = group(&id).expect("group exists");
    assert_eq!(g.ip_permissions().len(), 1, "{g:?}");
    assert_eq!(
        g.ip_permissions_egress().len(),
        1,
        "AWS's default egress is replaced by the managed one: {g:?}"
    );
    assert_eq!(g.description(), Some("Managed by Terraform"));
    tf.destroy();
    assert!(group(&id).is_none());
}

fn rule_config(name: &str, kind: &str, body: &str) -> String {
    config(&format!(
        r#"
resource "awsecs_security_group" "sg" {{
  name = "{name}"
}}
resource "awsecs_security_group" "peer" {{
  name = "{name}-peer"
}}
resource "awsecs_vpc_security_group_{kind}_rule" "r" {{
  security_group_id = awsecs_security_group.sg.id
{body}
}}
"#
    ))
}

fn rule_lifecycle(kind: &str, body: &str) {
    let name = unique_name(&format!("sg{kind}"));
    let address = format!("awsecs_vpc_security_group_{kind}_rule.r");
    let tf = Lifecycle {
        config: rule_config(&name, kind, body),
        address: &address,
        import_id: &|st: &Value| s(st, "id").to_string(),
        exists: &|st: &Value| rule(s(st, "id")).is_some(),
        delete_out_of_band: Some(&|st: &Value| {
            let (g, r) = (s(st, "security_group_id"), s(st, "id"));
            if kind == "ingress" {
                block_on(
                    ec2()
                        .revoke_security_group_ingress()
                        .group_id(g)
                        .security_group_rule_ids(r)
                        .send(),
                )
                .expect("RevokeSecurityGroupIngress");
            } else {
                block_on(
                    ec2()
                        .revoke_security_group_egress()
                        .group_id(g)
                        .security_group_rule_ids(r)
                        .send(),
                )
                .expect("RevokeSecurityGroupEgress");
            }
        }),
        import_ignore: &[],
    }
    .run();
    drop(tf);
}

#[test]
fn security_group_ingress_rule_lifecycle() {
    rule_lifecycle(
        "ingress",
        r#"  ip_protocol                  = "tcp"
  from_port                    = 8080
  to_port                      = 8090
  referenced_security_group_id = awsecs_security_group.peer.id
  description                  = "from peers"
  tags                         = { Name = "peers" }"#,
    );
}

#[test]
fn security_group_egress_rule_lifecycle() {
    rule_lifecycle(
        "egress",
        r#"  ip_protocol = "-1"
  cidr_ipv6   = "::/0""#,
    );
}

#[test]
fn security_group_rule_updates_in_place() {
    let name = unique_name("sgupd");
    let body = |port: u16, desc: &str| {
        format!(
            "  ip_protocol = \"6\"\n  from_port = {port}\n  to_port = {port}\n  cidr_ipv4 = \"10.0.0.0/8\"\n  description = \"{desc}\""
        )
    };
    let tf = Workdir::new(&rule_config(&name, "ingress", &body(22, "ssh")));
    tf.apply();
    // "6" is how the configuration says tcp; EC2 answers "tcp": not a diff.
    tf.assert_no_changes();
    let before = tf.state_show("awsecs_vpc_security_group_ingress_rule.r");
    tf.set_config(&rule_config(&name, "ingress", &body(2222, "ssh alt")));
    let plan = tf.assert_changes();
    assert!(plan.stdout.contains("updated in-place"), "{plan}");
    tf.apply();
    let after = tf.state_show("awsecs_vpc_security_group_ingress_rule.r");
    assert_eq!(after["id"], before["id"], "modified, not replaced");
    let r = rule(s(&after, "id")).expect("rule exists");
    assert_eq!((r.from_port(), r.to_port()), (Some(2222), Some(2222)));
    assert_eq!(r.description(), Some("ssh alt"));

    // Another kind of source cannot be modified in place.
    tf.set_config(&rule_config(
        &name,
        "ingress",
        "  ip_protocol = \"tcp\"\n  from_port = 22\n  to_port = 22\n  prefix_list_id = \"pl-12345678\"",
    ));
    let plan = tf.assert_changes();
    assert!(plan.stdout.contains("must be replaced"), "{plan}");
    tf.destroy();
}

#[test]
fn security_group_delete_waits_for_dependencies_and_names_them() {
    let name = unique_name("sgdep");
    let body = |timeout: &str| {
        config(&format!(
            r#"
resource "awsecs_security_group" "sg" {{
  name = "{name}"
  timeouts {{
    delete = "{timeout}"
  }}
}}
"#
        ))
    };
    let tf = Workdir::new(&body("2s"));
    tf.apply();
    let id = s(&tf.state_show("awsecs_security_group.sg"), "id").to_string();
    // Another group (not managed here) references it, as an ECS task's group might.
    let other = block_on(
        ec2()
            .create_security_group()
            .group_name(format!("{name}-holder"))
            .description("holds a reference")
            .send(),
    )
    .expect("CreateSecurityGroup")
    .group_id()
    .unwrap()
    .to_string();
    let authorized = block_on(
        ec2()
            .authorize_security_group_ingress()
            .group_id(&other)
            .ip_permissions(
                aws_sdk_ec2::types::IpPermission::builder()
                    .ip_protocol("-1")
                    .user_id_group_pairs(
                        aws_sdk_ec2::types::UserIdGroupPair::builder()
                            .group_id(&id)
                            .build(),
                    )
                    .build(),
            )
            .send(),
    )
    .expect("AuthorizeSecurityGroupIngress");
    let rule_id = authorized.security_group_rules()[0]
        .security_group_rule_id()
        .unwrap()
        .to_string();
    // And a network interface still uses it, like the ENI of a task that is stopping.
    let subnet = block_on(
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
    .expect("DescribeSubnets")
    .subnets()[0]
        .subnet_id()
        .unwrap()
        .to_string();
    let eni = block_on(
        ec2()
            .create_network_interface()
            .subnet_id(&subnet)
            .groups(&id)
            .description("task ENI")
            .send(),
    )
    .expect("CreateNetworkInterface")
    .network_interface()
    .and_then(|n| n.network_interface_id())
    .unwrap()
    .to_string();

    let err = tf
        .cmd(&["destroy", "-auto-approve", "-input=false", "-no-color"])
        .failure()
        .stderr;
    let flat = err.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("DependencyViolation"), "{err}");
    assert!(
        flat.contains("gave up retrying DependencyViolation") && flat.contains("after 2"),
        "the error says what it retried and for how long: {err}"
    );
    assert!(
        flat.contains(&format!("network interface {eni}")),
        "the error names the ENI {eni}: {err}"
    );
    assert!(
        flat.contains(&format!("security group {other}")),
        "the error names the dependent group {other}: {err}"
    );
    assert!(group(&id).is_some());

    // The dependency goes away while the delete is retrying: the destroy succeeds.
    tf.set_config(&body("5m"));
    tf.apply();
    let remover = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_secs(2));
        block_on(
            ec2()
                .delete_network_interface()
                .network_interface_id(&eni)
                .send(),
        )
        .expect("DeleteNetworkInterface");
        block_on(
            ec2()
                .revoke_security_group_ingress()
                .group_id(&other)
                .security_group_rule_ids(&rule_id)
                .send(),
        )
        .expect("RevokeSecurityGroupIngress");
        other
    });
    tf.destroy();
    let other = remover.join().expect("remover thread");
    assert!(group(&id).is_none());
    block_on(ec2().delete_security_group().group_id(&other).send()).expect("cleanup");
}
