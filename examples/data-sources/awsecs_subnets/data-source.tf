data "awsecs_vpc" "default" {
  default = true
}

data "awsecs_subnets" "default" {
  filter {
    name   = "vpc-id"
    values = [data.awsecs_vpc.default.id]
  }
}

output "subnet_ids" {
  value = data.awsecs_subnets.default.ids
}
