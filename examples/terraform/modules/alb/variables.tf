variable "name" {
  description = "Name of the load balancer; prefix of its security group and target group (\"<name>-web\")."
  type        = string
  validation {
    condition     = can(regex("^[a-zA-Z0-9][a-zA-Z0-9-]{0,27}$", var.name)) && !can(regex("-$", var.name))
    error_message = "The name must use at most 28 letters, digits and hyphens, and not start or end with a hyphen."
  }
}

variable "vpc_id" {
  type = string
}

variable "subnet_ids" {
  description = "Public subnets in at least two Availability Zones."
  type        = list(string)
  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "An Application Load Balancer needs subnets in at least two Availability Zones."
  }
}

variable "instance_security_group_id" {
  description = "Security group of the container instances; gets an ingress rule for the ephemeral ports from the ALB."
  type        = string
}

variable "allowed_cidr" {
  description = "Who may browse the load balancer on port 80."
  type        = string
  default     = "0.0.0.0/0"
  validation {
    condition     = can(cidrhost(var.allowed_cidr, 0))
    error_message = "The allowed_cidr must be an IPv4 CIDR block such as 203.0.113.0/24."
  }
}

variable "container_port" {
  description = "Port the container listens on (the target group's default port)."
  type        = number
  validation {
    condition     = var.container_port >= 1 && var.container_port <= 65535
    error_message = "The container port must be between 1 and 65535."
  }
}

variable "health_check_path" {
  description = "Path the ALB checks on every task."
  type        = string
  default     = "/"
  validation {
    condition     = can(regex("^/", var.health_check_path))
    error_message = "The health check path must start with /."
  }
}

variable "health_check_matcher" {
  description = "HTTP codes that count as healthy."
  type        = string
  default     = "200-399"
}

variable "deregistration_delay" {
  description = "Seconds the ALB lets in-flight requests finish before a stopping task is deregistered (0-3600)."
  type        = number
  default     = 30
  validation {
    condition     = var.deregistration_delay >= 0 && var.deregistration_delay <= 3600
    error_message = "The deregistration delay must be between 0 and 3600 seconds."
  }
}

variable "sticky_sessions" {
  description = "Send each browser to the same task (an ALB cookie, one day) for apps with in-memory sessions."
  type        = bool
  default     = false
}
