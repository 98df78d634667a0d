variable "load_balancer_arn" {
  type = string
}

variable "target_group_arn" {
  type = string
}

resource "awsecs_lb_listener" "example" {
  load_balancer_arn = var.load_balancer_arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type             = "forward"
    target_group_arn = var.target_group_arn
  }
}
