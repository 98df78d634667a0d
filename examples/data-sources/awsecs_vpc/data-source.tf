data "awsecs_vpc" "default" {
  default = true
}

output "vpc_cidr" {
  value = data.awsecs_vpc.default.cidr_block
}
