variable "capacity_provider_name" {
  type = string
}

resource "awsecs_ecs_cluster" "app" {
  name = "app"
}

resource "awsecs_ecs_task_definition" "web" {
  family = "web"
  container_definitions = jsonencode([{
    name      = "web"
    image     = "public.ecr.aws/nginx/nginx:stable"
    essential = true
    memory    = 256
    portMappings = [{ containerPort = 80 }]
  }])
}

resource "awsecs_ecs_service" "example" {
  name            = "web"
  cluster         = awsecs_ecs_cluster.app.id
  task_definition = awsecs_ecs_task_definition.web.arn
  desired_count   = 2

  capacity_provider_strategy {
    capacity_provider = var.capacity_provider_name
    weight            = 1
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  ordered_placement_strategy {
    type  = "spread"
    field = "attribute:ecs.availability-zone"
  }

  wait_for_steady_state = true
}
