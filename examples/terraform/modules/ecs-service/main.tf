# One container per task, bridge networking (optionally behind an ALB target group), on the cluster's EC2 capacity provider, reachable by
# other services as http://NAME:PORT through ECS Service Connect (the replacement for weaveDNS).

locals {
  port_mappings = var.container_port == null ? [] : [{
    name          = "main"
    containerPort = var.container_port
    hostPort      = var.host_port
    protocol      = "tcp"
  }]

  container = {
    name              = var.name
    image             = var.image
    essential         = true
    cpu               = var.cpu
    memory            = var.memory
    memoryReservation = var.memory_reservation
    portMappings      = local.port_mappings
    environment       = [for k in sort(keys(var.environment)) : { name = k, value = var.environment[k] }]
    command           = var.command
    entryPoint        = var.entry_point
    mountPoints = [for k, v in var.host_volumes : {
      sourceVolume  = k
      containerPath = v.container_path
      readOnly      = v.read_only
    }]
    healthCheck = var.health_check == null ? null : {
      command     = ["CMD-SHELL", var.health_check]
      interval    = 20
      timeout     = 10
      retries     = 3
      startPeriod = 30
    }
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = var.log_group_name
        awslogs-region        = var.region
        awslogs-stream-prefix = var.name
      }
    }
  }
}

resource "awsecs_ecs_task_definition" "this" {
  family                   = "${var.family_prefix}${var.name}"
  network_mode             = "bridge"
  requires_compatibilities = ["EC2"]
  container_definitions    = jsonencode([local.container])

  dynamic "volume" {
    for_each = var.host_volumes
    content {
      name      = volume.key
      host_path = volume.value.host_path
    }
  }
}

resource "awsecs_ecs_service" "this" {
  name            = var.name
  cluster         = var.cluster_arn
  task_definition = awsecs_ecs_task_definition.this.arn
  desired_count   = var.desired_count

  # A fixed host port fits one task per instance: stop the old task before starting the new one.
  deployment_minimum_healthy_percent = var.host_port == 0 ? 100 : 0
  deployment_maximum_percent         = var.host_port == 0 ? 200 : 100

  # ECS registers each task (instance + dynamic host port) in the target group and deregisters it
  # before stopping it. The grace period keeps ALB health checks from killing tasks still booting.
  health_check_grace_period_seconds = var.load_balancer == null ? null : var.health_check_grace_period_seconds

  dynamic "load_balancer" {
    for_each = var.load_balancer == null ? [] : [var.load_balancer]
    content {
      target_group_arn = load_balancer.value.target_group_arn
      container_name   = var.name
      container_port   = var.container_port
    }
  }

  capacity_provider_strategy {
    capacity_provider = var.capacity_provider
    weight            = 1
    base              = 0
  }

  service_connect_configuration {
    enabled   = true
    namespace = var.namespace_arn

    dynamic "service" {
      for_each = var.expose && var.container_port != null ? [var.container_port] : []
      content {
        port_name      = "main"
        discovery_name = var.name
        client_alias {
          port     = service.value
          dns_name = var.name
        }
      }
    }
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }
}
