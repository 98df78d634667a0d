"""The floor: the API calls each resource type truly needs, per operation, against AWS's documented API.

Each chain is the sequence of calls (in order, each waiting on the previous) that no correct
implementation can avoid:
  create  - the create call(s) plus the reads needed to learn computed attributes the create
            response does not return;
  read    - a refresh: the fewest reads that fill every attribute of the schema;
  delete  - the delete call(s) plus what AWS requires first (detach, deregister, drain).
Waits that AWS imposes (e.g. an ECS service draining) cost 0 on the local AWS and are not counted.
The comment on each entry says why each call is needed. Names are "service:Operation" with the
signing service name as the proxy sees it.
"""

# Every configured provider learns the account ID once (ARNs, awsecs_caller_identity); hashicorp/aws
# does the same unless skip_requesting_account_id.
CONFIGURE = ["sts:GetCallerIdentity"]

P = tuple  # a group of calls with no order between them: made concurrently, one round trip

FLOORS = {
    # --- data sources (read only) ---
    "awsecs_region": {"read": []},  # from the provider configuration, no call
    "awsecs_caller_identity": {"read": []},  # the Configure call already answered it
    "awsecs_iam_policy_document": {"read": []},  # pure rendering
    # main_route_table_id and the three enable_* attributes are not in DescribeVpcs; all four
    # need the VPC ID found by the first call, none needs another.
    "awsecs_vpc": {"read": ["ec2:DescribeVpcs", P(["ec2:DescribeRouteTables"] + ["ec2:DescribeVpcAttribute"] * 3)]},
    "awsecs_subnets": {"read": ["ec2:DescribeSubnets"]},
    "awsecs_ssm_parameter": {"read": ["ssm:GetParameter"]},
    # --- IAM ---
    "awsecs_iam_role": {
        "create": ["iam:CreateRole"],  # returns the role (arn, unique_id, create_date); tags sent with it
        # managed_policy_arns is computed and not in GetRole (inline policies are only read when
        # the state manages them: see role.rs).
        "read": [P(["iam:GetRole", "iam:ListAttachedRolePolicies"])],
        # Its instance profiles and policy attachments are other resources, destroyed first: one
        # DeleteRole. Only its DeleteConflict answer (something attached out of band) needs the
        # lists that repair it (role.rs).
        "delete": ["iam:DeleteRole"],
    },
    "awsecs_iam_role_policy_attachment": {
        "create": ["iam:AttachRolePolicy"],
        "read": ["iam:ListAttachedRolePolicies"],  # there is no GetRolePolicyAttachment
        "delete": ["iam:DetachRolePolicy"],
    },
    "awsecs_iam_instance_profile": {
        # No single call creates a profile with its role. One read confirms IAM shows the role
        # (its consumers, launch template and group, retry AWS's propagation error themselves).
        "create": ["iam:CreateInstanceProfile", "iam:AddRoleToInstanceProfile", "iam:GetInstanceProfile"],
        "read": ["iam:GetInstanceProfile"],  # includes the role and tags
        "delete": ["iam:RemoveRoleFromInstanceProfile", "iam:DeleteInstanceProfile"],  # role from state
    },
    # --- EC2 ---
    "awsecs_security_group": {
        # CreateSecurityGroup returns the ID and ARN; the default allow-all egress rule AWS adds
        # is removed (hashicorp/aws semantics) with one revoke.
        "create": ["ec2:CreateSecurityGroup", "ec2:RevokeSecurityGroupEgress"],
        "read": ["ec2:DescribeSecurityGroups"],
        "delete": ["ec2:DeleteSecurityGroup"],
    },
    "awsecs_vpc_security_group_ingress_rule": {
        "create": ["ec2:AuthorizeSecurityGroupIngress"],  # returns the rule with its ID and ARN
        "read": ["ec2:DescribeSecurityGroupRules"],
        "delete": ["ec2:RevokeSecurityGroupIngress"],
    },
    "awsecs_vpc_security_group_egress_rule": {
        "create": ["ec2:AuthorizeSecurityGroupEgress"],
        "read": ["ec2:DescribeSecurityGroupRules"],
        "delete": ["ec2:RevokeSecurityGroupEgress"],
    },
    "awsecs_launch_template": {
        # The response has id, version numbers and tags; the data is what was sent.
        "create": ["ec2:CreateLaunchTemplate"],
        # Version numbers and tags / the version's data: two independent reads by ID.
        "read": [P(["ec2:DescribeLaunchTemplates", "ec2:DescribeLaunchTemplateVersions"])],
        "delete": ["ec2:DeleteLaunchTemplate"],
    },
    # --- Auto Scaling ---
    "awsecs_autoscaling_group": {
        # CreateAutoScalingGroup returns nothing: one describe for the ARN and AWS's defaults.
        # wait_for_capacity_timeout = 0 in the stacks: no capacity wait.
        "create": ["autoscaling:CreateAutoScalingGroup", "autoscaling:DescribeAutoScalingGroups"],
        "read": ["autoscaling:DescribeAutoScalingGroups"],
        # Drain: find the (scale-in protected) instances, clear protection and scale to 0 together,
        # delete, then one describe to see it gone (AWS deletes asynchronously).
        "delete": ["autoscaling:DescribeAutoScalingGroups",
                   P(["autoscaling:SetInstanceProtection", "autoscaling:UpdateAutoScalingGroup"]),
                   "autoscaling:DeleteAutoScalingGroup", "autoscaling:DescribeAutoScalingGroups"],
    },
    # --- ECS ---
    "awsecs_ecs_cluster": {
        "create": ["ecs:CreateCluster"],  # returns the cluster (settings, status ACTIVE, tags)
        "read": ["ecs:DescribeClusters"],  # include TAGS, SETTINGS, CONFIGURATIONS in one call
        "delete": ["ecs:DeleteCluster"],  # returns the cluster INACTIVE
    },
    "awsecs_ecs_capacity_provider": {
        "create": ["ecs:CreateCapacityProvider"],  # returns the capacity provider
        "read": ["ecs:DescribeCapacityProviders"],
        # Deletion is asynchronous (DELETE_IN_PROGRESS): one describe to see it gone. A provider a
        # cluster still uses ends DELETE_FAILED; only then are the clusters listed, to name them.
        "delete": ["ecs:DeleteCapacityProvider", "ecs:DescribeCapacityProviders"],
    },
    "awsecs_ecs_cluster_capacity_providers": {
        "create": ["ecs:PutClusterCapacityProviders"],  # returns the cluster
        "read": ["ecs:DescribeClusters"],
        "delete": ["ecs:PutClusterCapacityProviders"],
    },
    "awsecs_ecs_task_definition": {
        "create": ["ecs:RegisterTaskDefinition"],  # returns the revision and tags
        "read": ["ecs:DescribeTaskDefinition"],  # include TAGS
        "delete": ["ecs:DeregisterTaskDefinition"],
    },
    "awsecs_ecs_service": {
        # CreateService returns the service; the steady-state wait needs one describe at least.
        "create": ["ecs:CreateService", "ecs:DescribeServices"],
        "read": ["ecs:DescribeServices"],  # include TAGS
        # Scale to 0 (force_delete = false), delete. DeleteService answers the service: INACTIVE
        # when no task is left (the local AWS: at once) ends it; DRAINING is AWS's drain, a wait.
        "delete": ["ecs:UpdateService", "ecs:DeleteService"],
    },
    # --- ECR / Logs / Cloud Map ---
    "awsecs_ecr_repository": {
        "create": ["ecr:CreateRepository"],  # returns the repository; tags go with it
        "read": [P(["ecr:DescribeRepositories", "ecr:ListTagsForResource"])],  # tags are not in describe
        "delete": ["ecr:DeleteRepository"],  # force = true deletes the images with it
    },
    "awsecs_cloudwatch_log_group": {
        # CreateLogGroup takes no retention; the ARN has a documented form (no describe needed).
        "create": ["logs:CreateLogGroup", "logs:PutRetentionPolicy"],
        "read": [P(["logs:DescribeLogGroups", "logs:ListTagsForResource"])],
        "delete": ["logs:DeleteLogGroup"],
    },
    "awsecs_service_discovery_http_namespace": {
        # Asynchronous: create returns an operation ID; GetOperation reports it done with the
        # namespace ID (moto: at once); the ARN and http_name follow from ID and name.
        "create": ["servicediscovery:CreateHttpNamespace", "servicediscovery:GetOperation"],
        "read": [P(["servicediscovery:GetNamespace", "servicediscovery:ListTagsForResource"])],
        "delete": ["servicediscovery:DeleteNamespace", "servicediscovery:GetOperation"],
    },
    # --- Elastic Load Balancing v2 (signing service "elasticloadbalancing") ---
    "awsecs_lb": {
        # Attributes (idle timeout, deletion protection, ...) cannot be sent with the create; AWS
        # provisions asynchronously, so at least one describe sees it active.
        "create": ["elasticloadbalancing:CreateLoadBalancer",
                   "elasticloadbalancing:ModifyLoadBalancerAttributes",
                   "elasticloadbalancing:DescribeLoadBalancers"],
        # The ARN is in state: the load balancer, its attributes and its tags are three reads by it.
        "read": [P(["elasticloadbalancing:DescribeLoadBalancers",
                    "elasticloadbalancing:DescribeLoadBalancerAttributes",
                    "elasticloadbalancing:DescribeTags"])],
        # Deletion is asynchronous: one describe sees it gone, and one look at its network
        # interfaces, which hold the security groups until AWS releases them.
        "delete": ["elasticloadbalancing:DeleteLoadBalancer",
                   "elasticloadbalancing:DescribeLoadBalancers",
                   "ec2:DescribeNetworkInterfaces"],
    },
    "awsecs_lb_target_group": {
        # deregistration_delay and stickiness are attributes, not create parameters.
        "create": ["elasticloadbalancing:CreateTargetGroup",
                   "elasticloadbalancing:ModifyTargetGroupAttributes"],
        "read": [P(["elasticloadbalancing:DescribeTargetGroups",
                    "elasticloadbalancing:DescribeTargetGroupAttributes",
                    "elasticloadbalancing:DescribeTags"])],
        "delete": ["elasticloadbalancing:DeleteTargetGroup"],
    },
    "awsecs_lb_listener": {
        "create": ["elasticloadbalancing:CreateListener"],  # returns the listener and its actions
        "read": [P(["elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeTags"])],
        "delete": ["elasticloadbalancing:DeleteListener"],
    },
}


def chain(rtype, kind):
    """The floor chain of one operation; a type without an entry is an error, never a free pass."""
    if rtype not in FLOORS:
        raise SystemExit(f"bench: no floor for {rtype} in bench/floors.py: add its create/read/delete chains")
    return FLOORS[rtype].get(kind, [])


def calls(rtype, kind):
    """Every call of the floor chain, flattened (for counting)."""
    out = []
    for step in chain(rtype, kind):
        out.extend(step if isinstance(step, tuple) else [step])
    return out


def depth(rtype, kind):
    """Round trips of the floor chain: a concurrent group costs one."""
    return len(chain(rtype, kind))
