# EC2 capacity for an ECS cluster: default VPC and subnets, the ECS-optimized Amazon Linux 2023 AMI,
# an instance role and profile, a launch template whose user data joins the cluster, an Auto Scaling
# group, a capacity provider with managed scaling and termination protection, and the cluster
# association. On-demand instances only (no Spot).

data "awsecs_vpc" "default" {
  default = true
}

data "awsecs_subnets" "public" {
  filter {
    name   = "vpc-id"
    values = [data.awsecs_vpc.default.id]
  }
  filter {
    name   = "default-for-az"
    values = ["true"]
  }
}

locals {
  ami_parameter = {
    x86_64 = "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"
    arm64  = "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id"
  }
}

data "awsecs_ssm_parameter" "ami" {
  name = local.ami_parameter[var.architecture]
}

data "awsecs_iam_policy_document" "ec2_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "awsecs_iam_role" "instance" {
  name_prefix        = "${var.name}-instance-"
  assume_role_policy = data.awsecs_iam_policy_document.ec2_assume.json
}

resource "awsecs_iam_role_policy_attachment" "instance_ecs" {
  role       = awsecs_iam_role.instance.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"
}

# Lets you open a shell on an instance with Session Manager instead of SSH keys.
resource "awsecs_iam_role_policy_attachment" "instance_ssm" {
  role       = awsecs_iam_role.instance.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
}

resource "awsecs_iam_instance_profile" "instance" {
  name_prefix = "${var.name}-instance-"
  role        = awsecs_iam_role.instance.name
}

resource "awsecs_security_group" "instances" {
  name_prefix = "${var.name}-instances-"
  description = "ECS container instances of ${var.name}"
  vpc_id      = data.awsecs_vpc.default.id
}

resource "awsecs_vpc_security_group_egress_rule" "all" {
  security_group_id = awsecs_security_group.instances.id
  description       = "Pull images, reach AWS APIs"
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
}

# Service Connect and dynamic host ports: instances talk to each other on any port.
resource "awsecs_vpc_security_group_ingress_rule" "between_instances" {
  security_group_id            = awsecs_security_group.instances.id
  description                  = "Container traffic between instances"
  ip_protocol                  = "-1"
  referenced_security_group_id = awsecs_security_group.instances.id
}

resource "awsecs_vpc_security_group_ingress_rule" "public" {
  for_each          = toset([for p in var.public_ports : tostring(p)])
  security_group_id = awsecs_security_group.instances.id
  description       = "Public port ${each.value}"
  ip_protocol       = "tcp"
  from_port         = tonumber(each.value)
  to_port           = tonumber(each.value)
  cidr_ipv4         = var.allowed_cidr
}

resource "awsecs_ecs_cluster" "this" {
  name = var.name

  setting {
    name  = "containerInsights"
    value = "disabled"
  }

  dynamic "service_connect_defaults" {
    for_each = var.service_connect_namespace_arn == null ? [] : [var.service_connect_namespace_arn]
    content {
      namespace = service_connect_defaults.value
    }
  }
}

resource "awsecs_launch_template" "this" {
  name_prefix            = "${var.name}-"
  description            = "ECS container instances of ${var.name}"
  image_id               = data.awsecs_ssm_parameter.ami.insecure_value
  instance_type          = var.instance_type
  update_default_version = true
  vpc_security_group_ids = [awsecs_security_group.instances.id]

  iam_instance_profile {
    arn = awsecs_iam_instance_profile.instance.arn
  }

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 2
  }

  user_data = base64encode(<<-EOT
    #!/bin/bash
    set -euo pipefail
    cat >>/etc/ecs/ecs.config <<'CONFIG'
    ECS_CLUSTER=${awsecs_ecs_cluster.this.name}
    ECS_ENABLE_CONTAINER_METADATA=true
    CONFIG
    ${var.extra_user_data}
  EOT
  )

  tag_specifications {
    resource_type = "instance"
    tags = {
      Name = "${var.name}-ecs"
    }
  }
}

resource "awsecs_autoscaling_group" "this" {
  name_prefix           = "${var.name}-"
  min_size              = var.min_size
  max_size              = var.max_size
  desired_capacity      = var.desired_capacity
  vpc_zone_identifier   = data.awsecs_subnets.public.ids
  protect_from_scale_in = true
  # Instances join and are judged by ECS, not by the group.
  wait_for_capacity_timeout = "0"

  launch_template {
    id      = awsecs_launch_template.this.id
    version = "$Latest"
  }

  tag {
    key                 = "AmazonECSManaged"
    value               = "true"
    propagate_at_launch = true
  }

  tag {
    key                 = "Name"
    value               = "${var.name}-ecs"
    propagate_at_launch = true
  }

  lifecycle {
    # ECS managed scaling owns the desired capacity once the capacity provider is attached.
    ignore_changes = [desired_capacity]
  }
}

resource "awsecs_ecs_capacity_provider" "this" {
  name = "${var.name}-ec2"

  auto_scaling_group_provider {
    auto_scaling_group_arn         = awsecs_autoscaling_group.this.arn
    managed_termination_protection = "ENABLED"

    managed_scaling {
      status                    = "ENABLED"
      target_capacity           = 100
      minimum_scaling_step_size = 1
      maximum_scaling_step_size = 2
    }
  }
}

resource "awsecs_ecs_cluster_capacity_providers" "this" {
  cluster_name       = awsecs_ecs_cluster.this.name
  capacity_providers = [awsecs_ecs_capacity_provider.this.name]

  default_capacity_provider_strategy {
    capacity_provider = awsecs_ecs_capacity_provider.this.name
    weight            = 1
    base              = 1
  }
}
