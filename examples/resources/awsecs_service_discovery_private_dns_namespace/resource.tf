data "awsecs_vpc" "default" {
  default = true
}

resource "awsecs_service_discovery_private_dns_namespace" "example" {
  name        = "app.internal"
  description = "Service names of the app"
  vpc         = data.awsecs_vpc.default.id
}
