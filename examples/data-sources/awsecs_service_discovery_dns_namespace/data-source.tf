data "awsecs_service_discovery_dns_namespace" "app" {
  name = "app.internal"
  type = "DNS_PRIVATE"
}

output "namespace_id" {
  value = data.awsecs_service_discovery_dns_namespace.app.id
}
