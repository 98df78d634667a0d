# The Weave Net "hit-counter + redis" demo without Weave: hit-counter (Flask, port 5000, behind an
# Application Load Balancer on port 80, dynamic host ports so several tasks fit on one instance) finds
# redis by the bare name `redis`, which ECS Service Connect resolves.

data "awsecs_region" "current" {}

resource "awsecs_service_discovery_http_namespace" "this" {
  name        = var.name
  description = "Service Connect names of the ${var.name} stack"
}

module "capacity" {
  source = "../modules/ecs-ec2-capacity"

  name                          = var.name
  architecture                  = var.architecture
  instance_type                 = var.instance_type
  desired_capacity              = var.instance_count
  min_size                      = 1
  max_size                      = var.instance_count + 1
  service_connect_namespace_arn = awsecs_service_discovery_http_namespace.this.arn
}

resource "awsecs_cloudwatch_log_group" "containers" {
  name              = "/ecs/${var.name}"
  retention_in_days = 7
}

module "redis" {
  source        = "../modules/ecs-service"
  family_prefix = "${var.name}-"

  name               = "redis"
  image              = var.redis_image
  container_port     = 6379
  memory             = 300
  memory_reservation = 128
  cpu                = 10
  health_check       = "redis-cli ping | grep -q PONG"

  cluster_arn       = module.capacity.cluster_arn
  capacity_provider = module.capacity.capacity_provider_name
  namespace_arn     = awsecs_service_discovery_http_namespace.this.arn
  log_group_name    = awsecs_cloudwatch_log_group.containers.name
  region            = data.awsecs_region.current.region
}

module "alb" {
  source = "../modules/alb"

  name                       = var.name
  vpc_id                     = module.capacity.vpc_id
  subnet_ids                 = module.capacity.subnet_ids
  instance_security_group_id = module.capacity.security_group_id
  allowed_cidr               = var.allowed_cidr
  container_port             = 5000
  # The app's only route, /, counts a visit: checking it would count every health check. Any other
  # path gets Flask's 404, which still proves the server answers.
  health_check_path    = "/health"
  health_check_matcher = "404"
}

module "hit_counter" {
  source        = "../modules/ecs-service"
  family_prefix = "${var.name}-"
  depends_on    = [module.redis]

  name               = "hit-counter"
  image              = var.hit_counter_image
  container_port     = 5000
  expose             = false
  load_balancer      = { target_group_arn = module.alb.target_group_arn }
  memory             = 300
  memory_reservation = 128
  cpu                = 10
  command            = ["python", "app.py"]
  desired_count      = var.web_count

  cluster_arn       = module.capacity.cluster_arn
  capacity_provider = module.capacity.capacity_provider_name
  namespace_arn     = awsecs_service_discovery_http_namespace.this.arn
  log_group_name    = awsecs_cloudwatch_log_group.containers.name
  region            = data.awsecs_region.current.region
}
