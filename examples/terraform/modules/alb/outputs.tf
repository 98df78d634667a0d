output "target_group_arn" {
  description = "For the ECS service's load_balancer block. Handed out only once the listener forwards to the group: ECS refuses a target group that has no load balancer yet."
  value       = awsecs_lb_target_group.this.arn
  depends_on  = [awsecs_lb_listener.http]
}

output "dns_name" {
  value = awsecs_lb.this.dns_name
}

output "url" {
  description = "Where users browse."
  value       = "http://${awsecs_lb.this.dns_name}/"
}

output "security_group_id" {
  value = awsecs_security_group.alb.id
}
