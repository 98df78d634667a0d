data "awsecs_vpc" "default" {
  default = true
}

resource "awsecs_lb_target_group" "example" {
  name                 = "web"
  port                 = 80
  protocol             = "HTTP"
  vpc_id               = data.awsecs_vpc.default.id
  deregistration_delay = "30"

  health_check {
    path    = "/healthz"
    matcher = "200-299"
  }
}
