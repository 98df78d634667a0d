variable "name" {
  description = "Name prefix of every resource of the stack (also the ECS cluster name)."
  type        = string
  default     = "dks"
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
  description = "x86_64 or arm64: the instances' architecture, which your dks-api/dks-ui images must match."
  type        = string
  default     = "x86_64"
  validation {
    condition     = contains(["x86_64", "arm64"], var.architecture)
    error_message = "The architecture must be \"x86_64\" or \"arm64\"."
  }
}

variable "instance_type" {
  description = "Container instance type (t3.* for x86_64, t4g.* for arm64). The three tasks need about 2.3 GiB."
  type        = string
  default     = "t3.medium"
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

variable "image_tag" {
  description = "Tag of the dks-api and dks-ui images pushed to the stack's ECR repositories."
  type        = string
  default     = "latest"
}

variable "api_image" {
  description = "dks-api image; null means the stack's ECR repository with image_tag."
  type        = string
  default     = null
}

variable "ui_image" {
  description = "dks-ui image; null means the stack's ECR repository with image_tag."
  type        = string
  default     = null
}

variable "db_image" {
  description = "PostgreSQL image for dks-db."
  type        = string
  default     = "postgres:16.4-alpine"
}

variable "db_password" {
  description = "Password of the application database role, shared by dks-db and dks-api. Override it."
  type        = string
  sensitive   = true
  default     = "dks-db-password"
  validation {
    condition     = length(var.db_password) >= 8 && !can(regex("['\"\\\\$]", var.db_password))
    error_message = "The password needs at least 8 characters and no quotes, backslashes or dollar signs."
  }
}

variable "postgres_password" {
  description = "Password of the postgres superuser inside dks-db."
  type        = string
  sensitive   = true
  default     = "postgres-password"
  validation {
    condition     = length(var.postgres_password) >= 8
    error_message = "The password needs at least 8 characters."
  }
}

variable "allowed_cidr" {
  description = "Who may browse the UI (the load balancer's port 80)."
  type        = string
  default     = "0.0.0.0/0"
}

variable "log_retention_days" {
  description = "How long container logs are kept."
  type        = number
  default     = 7
}
