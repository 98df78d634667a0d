output "cluster_name" {
  value = module.capacity.cluster_name
}

output "browse" {
  description = "Each page view increments the counter kept in redis."
  value       = "http://<public IP of a container instance>/  (list them: aws ec2 describe-instances --region ${var.region} --filters Name=tag:aws:autoscaling:groupName,Values=${module.capacity.autoscaling_group_name} --query 'Reservations[].Instances[].PublicIpAddress' --output text)"
}

output "logs" {
  value = "aws logs tail ${awsecs_cloudwatch_log_group.containers.name} --region ${var.region} --follow"
}
