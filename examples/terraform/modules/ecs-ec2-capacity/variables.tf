variable "name" {
  description = "Name prefix for everything this module creates (cluster name, role/profile/group prefixes)."
  type        = string
  validation {
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9-]{0,23}$", var.name))
    error_message = "The name must start with a letter and use at most 24 letters, digits and hyphens."
  }
}

variable "architecture" {
  description = "CPU architecture of the container instances and of the ECS-optimized Amazon Linux 2023 AMI: x86_64 or arm64."
  type        = string
  default     = "x86_64"
  validation {
    condition     = contains(["x86_64", "arm64"], var.architecture)
    error_message = "The architecture must be \"x86_64\" or \"arm64\"."
  }
}

variable "instance_type" {
  description = "EC2 instance type of the container instances (must match the architecture, e.g. t3.medium or t4g.medium)."
  type        = string
  default     = "t3.medium"
}

variable "min_size" {
  description = "Minimum number of container instances."
  type        = number
  default     = 1
}

variable "max_size" {
  description = "Maximum number of container instances (managed scaling grows up to this)."
  type        = number
  default     = 3
}

variable "desired_capacity" {
  description = "Initial number of container instances; ECS managed scaling adjusts it afterwards."
  type        = number
  default     = 1
  validation {
    condition     = var.desired_capacity >= 0
    error_message = "The desired capacity cannot be negative."
  }
}

variable "public_ports" {
  description = "TCP ports opened on the instances to allowed_cidr (the host ports users browse)."
  type        = list(number)
  default     = []
  validation {
    condition     = alltrue([for p in var.public_ports : p >= 1 && p <= 65535])
    error_message = "Every public port must be between 1 and 65535."
  }
}

variable "allowed_cidr" {
  description = "Who may reach the public ports."
  type        = string
  default     = "0.0.0.0/0"
  validation {
    condition     = can(cidrhost(var.allowed_cidr, 0))
    error_message = "The allowed_cidr must be an IPv4 CIDR block such as 203.0.113.0/24."
  }
}

variable "service_connect_namespace_arn" {
  description = "Cloud Map namespace the cluster's services use for Service Connect by default (null for none)."
  type        = string
  default     = null
}

variable "extra_user_data" {
  description = "Shell commands appended to the instance user data (after the instance joins the cluster)."
  type        = string
  default     = ""
}
