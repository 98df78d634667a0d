data "awsecs_vpc" "default" {
  default = true
}

resource "awsecs_security_group" "example" {
  name        = "app"
  description = "App instances"
  vpc_id      = data.awsecs_vpc.default.id
}
