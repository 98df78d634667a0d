data "awsecs_vpc" "default" {
  default = true
}

resource "awsecs_security_group" "app" {
  name   = "app"
  vpc_id = data.awsecs_vpc.default.id
}

resource "awsecs_vpc_security_group_egress_rule" "example" {
  security_group_id = awsecs_security_group.app.id
  description       = "All traffic out"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "-1"
}
