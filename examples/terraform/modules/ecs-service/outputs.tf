output "service_name" {
  value = awsecs_ecs_service.this.name
}

output "task_definition_arn" {
  value = awsecs_ecs_task_definition.this.arn
}

output "url" {
  description = "How other services reach this one through Service Connect."
  value       = var.container_port == null ? null : "http://${var.name}:${var.container_port}"
}
