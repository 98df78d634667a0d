# An internet-facing Application Load Balancer in front of one bridge-mode ECS service: the ALB and
# its security group (port 80 from allowed_cidr), an instance-type target group that ECS fills with
# each task's dynamic host port, an HTTP listener on port 80 forwarding to it, and the rule that
# lets the ALB reach the container instances on the ephemeral port range Docker picks host ports from.

locals {
  # Docker's default ephemeral range on ECS-optimized AMIs: where hostPort 0 lands.
  ephemeral_ports = { from = 32768, to = 65535 }
}

resource "awsecs_security_group" "alb" {
  name_prefix = "${var.name}-alb-"
  description = "Load balancer of ${var.name}"
  vpc_id      = var.vpc_id
}

resource "awsecs_vpc_security_group_ingress_rule" "http" {
  security_group_id = awsecs_security_group.alb.id
  description       = "Browsers"
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
  cidr_ipv4         = var.allowed_cidr
}

resource "awsecs_vpc_security_group_egress_rule" "to_instances" {
  security_group_id            = awsecs_security_group.alb.id
  description                  = "Traffic and health checks to the tasks' dynamic host ports"
  ip_protocol                  = "tcp"
  from_port                    = local.ephemeral_ports.from
  to_port                      = local.ephemeral_ports.to
  referenced_security_group_id = var.instance_security_group_id
}

resource "awsecs_vpc_security_group_ingress_rule" "instances_from_alb" {
  security_group_id            = var.instance_security_group_id
  description                  = "Dynamic host ports from the load balancer of ${var.name}"
  ip_protocol                  = "tcp"
  from_port                    = local.ephemeral_ports.from
  to_port                      = local.ephemeral_ports.to
  referenced_security_group_id = awsecs_security_group.alb.id
}

resource "awsecs_lb" "this" {
  name               = var.name
  load_balancer_type = "application"
  internal           = false
  subnets            = var.subnet_ids
  security_groups    = [awsecs_security_group.alb.id]
}

resource "awsecs_lb_target_group" "this" {
  name        = "${var.name}-web"
  vpc_id      = var.vpc_id
  target_type = "instance"
  protocol    = "HTTP"
  # Only the default: ECS registers each task with its own dynamic host port.
  port = var.container_port
  # AWS's default is 300 s, which every deployment and every destroy of the service waits through.
  deregistration_delay = tostring(var.deregistration_delay)

  health_check {
    path                = var.health_check_path
    matcher             = var.health_check_matcher
    protocol            = "HTTP"
    port                = "traffic-port"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }

  # For apps that keep sessions in a task's memory: a browser keeps talking to the same task.
  dynamic "stickiness" {
    for_each = var.sticky_sessions ? [1] : []
    content {
      type            = "lb_cookie"
      cookie_duration = 86400
    }
  }
}

resource "awsecs_lb_listener" "http" {
  load_balancer_arn = awsecs_lb.this.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type             = "forward"
    target_group_arn = awsecs_lb_target_group.this.arn
  }
}
