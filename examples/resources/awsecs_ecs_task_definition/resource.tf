resource "awsecs_ecs_task_definition" "example" {
  family                   = "web"
  network_mode             = "bridge"
  requires_compatibilities = ["EC2"]
  container_definitions = jsonencode([{
    name      = "web"
    image     = "public.ecr.aws/nginx/nginx:stable"
    essential = true
    memory    = 256
    portMappings = [{
      containerPort = 80
      hostPort      = 0
    }]
  }])
}
