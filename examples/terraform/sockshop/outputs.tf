output "cluster_name" {
  value = module.capacity.cluster_name
}

output "browse" {
  description = "The shop's front door: edge-router (to front-end) behind the load balancer."
  value       = module.alb.url
}

output "alb_dns_name" {
  value = module.alb.dns_name
}

output "services" {
  description = "Service Connect URLs the services use to reach each other."
  value       = { for k, m in module.service : k => m.url }
}

output "logs" {
  value = "aws logs tail ${awsecs_cloudwatch_log_group.containers.name} --region ${var.region} --follow"
}
