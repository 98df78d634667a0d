output "cluster_name" {
  description = "The ECS cluster."
  value       = awsecs_ecs_cluster.this.name
}

output "cluster_arn" {
  value = awsecs_ecs_cluster.this.arn
}

output "capacity_provider_name" {
  description = "Use it in services' capacity_provider_strategy (depend on the cluster association)."
  # Read through the association, so services using it wait until the cluster knows the provider.
  value = tolist(awsecs_ecs_cluster_capacity_providers.this.capacity_providers)[0]
}

output "autoscaling_group_name" {
  value = awsecs_autoscaling_group.this.name
}

output "security_group_id" {
  description = "Security group of the container instances."
  value       = awsecs_security_group.instances.id
}

output "vpc_id" {
  value = data.awsecs_vpc.default.id
}

output "subnet_ids" {
  value = data.awsecs_subnets.public.ids
}

output "instance_role_name" {
  value = awsecs_iam_role.instance.name
}
