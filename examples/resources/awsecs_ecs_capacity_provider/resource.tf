variable "autoscaling_group_arn" {
  type        = string
  description = "ARN of the Auto Scaling group whose instances join the cluster."
}

resource "awsecs_ecs_capacity_provider" "example" {
  name = "ec2"

  auto_scaling_group_provider {
    auto_scaling_group_arn         = var.autoscaling_group_arn
    managed_termination_protection = "ENABLED"

    managed_scaling {
      status          = "ENABLED"
      target_capacity = 100
    }
  }
}
