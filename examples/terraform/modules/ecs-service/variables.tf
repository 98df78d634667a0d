variable "name" {
  description = "Service, task family and container name; also its Service Connect DNS name (what other containers call it)."
  type        = string
}

variable "family_prefix" {
  description = "Prefix of the task definition family (families are account-wide; names inside the cluster are not)."
  type        = string
  default     = ""
}

variable "cluster_arn" {
  type = string
}

variable "capacity_provider" {
  description = "EC2 capacity provider the tasks run on."
  type        = string
}

variable "namespace_arn" {
  description = "Cloud Map namespace for Service Connect."
  type        = string
}

variable "image" {
  type = string
}

variable "container_port" {
  description = "Port the container listens on (null for a client-only service)."
  type        = number
  default     = null
}

variable "host_port" {
  description = "Fixed host port (one task per instance); 0 for a dynamic port Docker picks from the ephemeral range (what a load balancer's target group expects)."
  type        = number
  default     = 0
  validation {
    condition     = var.host_port >= 0 && var.host_port <= 65535
    error_message = "The host port must be between 0 (dynamic) and 65535."
  }
}

variable "load_balancer" {
  description = "Put the tasks behind a target group of target_type \"instance\" (with a dynamic host_port): { target_group_arn }, or null. Pass an ARN that depends on the group's listener (modules/alb's output does): ECS refuses a target group with no load balancer."
  type = object({
    target_group_arn = string
  })
  default = null
}

variable "health_check_grace_period_seconds" {
  description = "With a load balancer: seconds ECS ignores failing ALB health checks of a new task while it boots."
  type        = number
  default     = 60
  validation {
    condition     = var.health_check_grace_period_seconds >= 0 && var.health_check_grace_period_seconds <= 2147483647
    error_message = "The grace period cannot be negative."
  }
}

variable "expose" {
  description = "Offer the container port to other services under var.name via Service Connect."
  type        = bool
  default     = true
}

variable "memory" {
  description = "Hard memory limit of the container (MiB)."
  type        = number
}

variable "memory_reservation" {
  description = "Soft memory reservation (MiB) used for placement."
  type        = number
}

variable "cpu" {
  description = "CPU units reserved for the container (1024 = one vCPU)."
  type        = number
  default     = 0
}

variable "environment" {
  type    = map(string)
  default = {}
}

variable "command" {
  type    = list(string)
  default = null
}

variable "entry_point" {
  type    = list(string)
  default = null
}

variable "host_volumes" {
  description = "Host paths mounted into the container: { name = { host_path, container_path, read_only } }."
  type = map(object({
    host_path      = string
    container_path = string
    read_only      = bool
  }))
  default = {}
}

variable "health_check" {
  description = "Container health check command (CMD-SHELL form), or null."
  type        = string
  default     = null
}

variable "desired_count" {
  type    = number
  default = 1
  validation {
    condition     = var.desired_count >= 0
    error_message = "The desired count cannot be negative."
  }
}

variable "log_group_name" {
  description = "CloudWatch log group the container logs to (stream prefix = var.name)."
  type        = string
}

variable "region" {
  type = string
}
