data "awsecs_ecr_authorization_token" "current" {}

output "registry" {
  value = data.awsecs_ecr_authorization_token.current.proxy_endpoint
}
