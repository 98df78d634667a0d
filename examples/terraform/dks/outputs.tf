output "cluster_name" {
  description = "The ECS cluster running the stack."
  value       = module.capacity.cluster_name
}

output "browse" {
  description = "Where the UI answers once its tasks pass the load balancer's health check."
  value       = module.alb.url
}

output "alb_dns_name" {
  value = module.alb.dns_name
}

output "ecr_repositories" {
  value = {
    dks-api = awsecs_ecr_repository.api.repository_url
    dks-ui  = awsecs_ecr_repository.ui.repository_url
  }
}

output "push_images" {
  description = "Build and push the application images (from checkouts of dks-api and dks-ui), then force a new deployment."
  value       = <<-EOT
    aws ecr get-login-password --region ${var.region} | docker login --username AWS --password-stdin ${data.awsecs_caller_identity.current.account_id}.dkr.ecr.${var.region}.amazonaws.com
    (cd dks-api && make build && docker build --platform linux/${var.architecture == "arm64" ? "arm64" : "amd64"} -t ${local.api_image} . && docker push ${local.api_image})
    (cd dks-ui && docker build --platform linux/${var.architecture == "arm64" ? "arm64" : "amd64"} -t ${local.ui_image} . && docker push ${local.ui_image})
    aws ecs update-service --region ${var.region} --cluster ${module.capacity.cluster_name} --service dks-api --force-new-deployment
    aws ecs update-service --region ${var.region} --cluster ${module.capacity.cluster_name} --service dks-ui --force-new-deployment
  EOT
}

output "logs" {
  description = "Follow the containers' logs."
  value       = "aws logs tail ${awsecs_cloudwatch_log_group.containers.name} --region ${var.region} --follow"
}
