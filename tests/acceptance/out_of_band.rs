//! Out-of-band modifications (issue 7): objects changed behind Terraform's back between steps
//! are detected by the next plan (as in-place updates) and repaired by apply; then the plan is
//! empty again. (Deleted-behind-the-back is covered for every resource by `Lifecycle`.)

use crate::support::*;

#[test]
fn out_of_band_changes_are_planned_and_repaired() {
    let (role, group, sg) = (
        unique_name("oob"),
        format!("/ecs/{}", unique_name("oob")),
        unique_name("oob"),
    );
    let tf = Workdir::new(&config(&format!(
        r#"
resource "awsecs_iam_role" "r" {{
  name        = "{role}"
  description = "managed by terraform"
  assume_role_policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = "sts:AssumeRole", Principal = {{ Service = "ecs-tasks.amazonaws.com" }} }}]
  }})
}}

resource "awsecs_cloudwatch_log_group" "g" {{
  name              = "{group}"
  retention_in_days = 14
}}

resource "awsecs_security_group" "sg" {{
  name = "{sg}"
  ingress {{
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = ["10.0.0.0/8"]
  }}
}}
"#
    )));
    tf.apply();
    let sg_id = tf.state_show("awsecs_security_group.sg")["id"]
        .as_str()
        .expect("security group id")
        .to_string();

    let cfg = aws();
    let iam = aws_sdk_iam::Client::new(&cfg);
    let logs = aws_sdk_cloudwatchlogs::Client::new(&cfg);
    let ec2 = aws_sdk_ec2::Client::new(&cfg);
    let tcp = |port: i32, cidr: &str| {
        aws_sdk_ec2::types::IpPermission::builder()
            .ip_protocol("tcp")
            .from_port(port)
            .to_port(port)
            .ip_ranges(aws_sdk_ec2::types::IpRange::builder().cidr_ip(cidr).build())
            .build()
    };
    block_on(async {
        iam.update_role()
            .role_name(&role)
            .description("changed by hand")
            .send()
            .await
            .expect("UpdateRole");
        logs.put_retention_policy()
            .log_group_name(&group)
            .retention_in_days(1)
            .send()
            .await
            .expect("PutRetentionPolicy");
        ec2.revoke_security_group_ingress()
            .group_id(&sg_id)
            .ip_permissions(tcp(443, "10.0.0.0/8"))
            .send()
            .await
            .expect("RevokeSecurityGroupIngress");
        ec2.authorize_security_group_ingress()
            .group_id(&sg_id)
            .ip_permissions(tcp(22, "0.0.0.0/0"))
            .send()
            .await
            .expect("AuthorizeSecurityGroupIngress");
    });

    let plan = tf.assert_changes();
    for addr in [
        "awsecs_iam_role.r",
        "awsecs_cloudwatch_log_group.g",
        "awsecs_security_group.sg",
    ] {
        assert!(
            plan.stdout
                .contains(&format!("{addr} will be updated in-place")),
            "{addr}: the out-of-band change is not planned as an in-place update\n{plan}"
        );
    }
    assert!(
        plan.stdout
            .contains("\"changed by hand\" -> \"managed by terraform\"")
            && plan.stdout.contains("1 -> 14"),
        "the plan shows the drift\n{plan}"
    );
    tf.apply();

    block_on(async {
        let r = iam
            .get_role()
            .role_name(&role)
            .send()
            .await
            .expect("GetRole");
        assert_eq!(
            r.role().and_then(|r| r.description()),
            Some("managed by terraform")
        );
        let g = logs
            .describe_log_groups()
            .log_group_name_prefix(&group)
            .send()
            .await
            .expect("DescribeLogGroups");
        assert_eq!(
            g.log_groups().first().and_then(|g| g.retention_in_days()),
            Some(14)
        );
        let sgs = ec2
            .describe_security_groups()
            .group_ids(&sg_id)
            .send()
            .await
            .expect("DescribeSecurityGroups");
        let ports: Vec<(Option<i32>, Vec<&str>)> = sgs
            .security_groups()
            .iter()
            .flat_map(|g| g.ip_permissions())
            .map(|p| {
                (
                    p.from_port(),
                    p.ip_ranges().iter().filter_map(|r| r.cidr_ip()).collect(),
                )
            })
            .collect();
        assert_eq!(
            ports,
            vec![(Some(443), vec!["10.0.0.0/8"])],
            "apply restores exactly the configured ingress"
        );
    });
    tf.assert_no_mutating_calls(|| tf.assert_no_changes());
    tf.destroy();
}
