# EC2 capacity for ECS, on its own: the default VPC and its subnets, the ECS-optimized Amazon Linux
# 2023 AMI from SSM, an instance role and profile, a launch template whose user data joins the
# cluster, an Auto Scaling group, a capacity provider with managed scaling and termination
# protection, and the cluster association. The stacks use the same module.

variable "name" {
  description = "Cluster name and name prefix."
  type        = string
  default     = "ec2-capacity"
}

variable "region" {
  type    = string
  default = "us-east-1"
}

variable "architecture" {
  description = "x86_64 or arm64."
  type        = string
  default     = "x86_64"
}

variable "instance_type" {
  type    = string
  default = "t3.small"
}

variable "instance_count" {
  type    = number
  default = 1
}

module "capacity" {
  source = "../modules/ecs-ec2-capacity"

  name             = var.name
  architecture     = var.architecture
  instance_type    = var.instance_type
  desired_capacity = var.instance_count
  min_size         = 0
  max_size         = var.instance_count + 1
}

output "cluster_name" {
  value = module.capacity.cluster_name
}

output "capacity_provider_name" {
  value = module.capacity.capacity_provider_name
}

output "browse" {
  description = "Nothing to browse yet: run services on the cluster with the capacity provider."
  value       = "http://<no service yet> (cluster ${module.capacity.cluster_name}, capacity provider ${module.capacity.capacity_provider_name})"
}
