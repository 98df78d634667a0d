variable "name" {
  description = "Name prefix of every resource of the stack (also the ECS cluster name)."
  type        = string
  default     = "hit-counter"
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,15}$", var.name))
    error_message = "The name must start with a lowercase letter and use at most 16 lowercase letters, digits and hyphens."
  }
}

variable "region" {
  description = "AWS region."
  type        = string
  default     = "us-east-1"
}

variable "architecture" {
  description = "x86_64 or arm64 (the hit-counter image is built for x86_64)."
  type        = string
  default     = "x86_64"
  validation {
    condition     = contains(["x86_64", "arm64"], var.architecture)
    error_message = "The architecture must be \"x86_64\" or \"arm64\"."
  }
}

variable "instance_type" {
  type    = string
  default = "t3.small"
}

variable "instance_count" {
  description = "Initial number of container instances (web tasks use dynamic host ports, several fit on one)."
  type        = number
  default     = 1
  validation {
    condition     = var.instance_count >= 1 && var.instance_count <= 10
    error_message = "Use between 1 and 10 instances."
  }
}

variable "web_count" {
  description = "hit-counter tasks behind the load balancer."
  type        = number
  default     = 1
  validation {
    condition     = var.web_count >= 0
    error_message = "The count cannot be negative."
  }
}

variable "hit_counter_image" {
  type    = string
  default = "errordeveloper/hit-counter:latest"
}

variable "redis_image" {
  type    = string
  default = "redis:7.2-alpine"
}

variable "allowed_cidr" {
  description = "Who may browse the load balancer on port 80."
  type        = string
  default     = "0.0.0.0/0"
}
