data "awsecs_region" "current" {}

output "region" {
  value = data.awsecs_region.current.region
}
