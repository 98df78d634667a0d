output "cluster_name" {
  value = module.capacity.cluster_name
}

output "browse" {
  description = "The shop's front door (edge-router) on port 80 of any container instance running it."
  value       = "http://<public IP of a container instance>/  (list them: aws ec2 describe-instances --region ${var.region} --filters Name=tag:aws:autoscaling:groupName,Values=${module.capacity.autoscaling_group_name} --query 'Reservations[].Instances[].PublicIpAddress' --output text)"
}

output "services" {
  description = "Service Connect URLs the services use to reach each other."
  value       = { for k, m in module.service : k => m.url }
}

output "logs" {
  value = "aws logs tail ${awsecs_cloudwatch_log_group.containers.name} --region ${var.region} --follow"
}
