variable "name" {
  description = "Name prefix of every resource of the stack (also the ECS cluster name)."
  type        = string
  default     = "sockshop"
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
  description = "x86_64 (default) or arm64. The compose images of Sock Shop are published for x86_64 only; arm64 needs your own builds."
  type        = string
  default     = "x86_64"
  validation {
    condition     = contains(["x86_64", "arm64"], var.architecture)
    error_message = "The architecture must be \"x86_64\" or \"arm64\"."
  }
}

variable "instance_type" {
  description = "Container instance type (the Sock Shop images are x86_64 only). The 14 services reserve about 2.8 GiB and may use about 5 GiB."
  type        = string
  default     = "t3.large"
}

variable "instance_count" {
  description = "Initial number of container instances."
  type        = number
  default     = 2
  validation {
    condition     = var.instance_count >= 1 && var.instance_count <= 10
    error_message = "Use between 1 and 10 instances."
  }
}

variable "desired_counts" {
  description = "Tasks per service, by service name; services not listed run one task. front-end tasks share the load balancer."
  type        = map(number)
  default     = {}
  validation {
    condition     = alltrue([for n in values(var.desired_counts) : n >= 0])
    error_message = "Desired counts cannot be negative."
  }
}

variable "mysql_root_password" {
  description = "Root password of catalogue-db."
  type        = string
  sensitive   = true
  default     = "fake_password"
}

variable "allowed_cidr" {
  description = "Who may browse the shop (the load balancer's port 80)."
  type        = string
  default     = "0.0.0.0/0"
}
