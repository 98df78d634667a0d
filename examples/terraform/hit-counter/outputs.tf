output "cluster_name" {
  value = module.capacity.cluster_name
}

output "browse" {
  description = "Each page view increments the counter kept in redis."
  value       = module.alb.url
}

output "alb_dns_name" {
  value = module.alb.dns_name
}

output "logs" {
  value = "aws logs tail ${awsecs_cloudwatch_log_group.containers.name} --region ${var.region} --follow"
}
