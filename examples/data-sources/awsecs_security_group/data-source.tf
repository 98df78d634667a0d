data "awsecs_vpc" "default" {
  default = true
}

data "awsecs_security_group" "default" {
  vpc_id = data.awsecs_vpc.default.id
  name   = "default"
}

output "default_security_group_id" {
  value = data.awsecs_security_group.default.id
}
