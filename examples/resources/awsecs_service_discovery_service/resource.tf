data "awsecs_vpc" "default" {
  default = true
}

resource "awsecs_service_discovery_private_dns_namespace" "app" {
  name = "app.internal"
  vpc  = data.awsecs_vpc.default.id
}

resource "awsecs_service_discovery_service" "example" {
  name = "web"

  dns_config {
    namespace_id   = awsecs_service_discovery_private_dns_namespace.app.id
    routing_policy = "MULTIVALUE"

    dns_records {
      type = "A"
      ttl  = 10
    }
  }

  health_check_custom_config {
    failure_threshold = 1
  }
}
