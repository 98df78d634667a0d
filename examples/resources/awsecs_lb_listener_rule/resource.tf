variable "listener_arn" {
  type = string
}

variable "api_target_group_arn" {
  type = string
}

resource "awsecs_lb_listener_rule" "example" {
  listener_arn = var.listener_arn
  priority     = 10

  action {
    type             = "forward"
    target_group_arn = var.api_target_group_arn
  }

  condition {
    path_pattern {
      values = ["/api/*"]
    }
  }
}
