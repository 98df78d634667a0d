data "awsecs_vpc" "default" {
  default = true
}

data "awsecs_subnets" "default" {
  filter {
    name   = "vpc-id"
    values = [data.awsecs_vpc.default.id]
  }
}

data "awsecs_ssm_parameter" "ecs_ami" {
  name = "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"
}

resource "awsecs_launch_template" "ecs" {
  name_prefix   = "ecs-"
  image_id      = data.awsecs_ssm_parameter.ecs_ami.insecure_value
  instance_type = "t3.small"
}

resource "awsecs_autoscaling_group" "example" {
  name                  = "ecs-capacity"
  min_size              = 0
  max_size              = 3
  vpc_zone_identifier   = data.awsecs_subnets.default.ids
  protect_from_scale_in = true

  launch_template {
    id      = awsecs_launch_template.ecs.id
    version = "$Latest"
  }

  # ECS managed scaling changes desired_capacity; let it.
  lifecycle {
    ignore_changes = [desired_capacity]
  }

  tag {
    key                 = "AmazonECSManaged"
    value               = "true"
    propagate_at_launch = true
  }
}
