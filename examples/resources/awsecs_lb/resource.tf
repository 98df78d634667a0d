data "awsecs_vpc" "default" {
  default = true
}

data "awsecs_subnets" "default" {
  filter {
    name   = "vpc-id"
    values = [data.awsecs_vpc.default.id]
  }
}

resource "awsecs_security_group" "lb" {
  name   = "web-lb"
  vpc_id = data.awsecs_vpc.default.id
}

resource "awsecs_lb" "example" {
  name               = "web"
  load_balancer_type = "application"
  subnets            = data.awsecs_subnets.default.ids
  security_groups    = [awsecs_security_group.lb.id]
  idle_timeout       = 120
}
