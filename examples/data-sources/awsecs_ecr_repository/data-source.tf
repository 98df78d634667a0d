data "awsecs_ecr_repository" "app" {
  name = "app"
}

output "repository_url" {
  value = data.awsecs_ecr_repository.app.repository_url
}
