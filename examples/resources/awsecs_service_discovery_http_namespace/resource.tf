resource "awsecs_service_discovery_http_namespace" "example" {
  name        = "app"
  description = "Service Connect namespace of the app"
}
