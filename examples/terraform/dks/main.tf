# DevOps Knowledge Share on ECS with EC2 capacity: dks-db (PostgreSQL) -> dks-api (Spring Boot, 8080)
# -> dks-ui (Next.js, 3000, behind an Application Load Balancer on port 80). Services find each other by name
# through ECS Service Connect in a Cloud Map namespace: DB_HOST=dks-db, DKS_API_BASE_URL=http://dks-api:8080.

data "awsecs_region" "current" {}

data "awsecs_caller_identity" "current" {}

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
  # The postgres image runs scripts in /docker-entrypoint-initdb.d on first start; dks-db mounts
  # this file there, so every instance that may run it carries it.
  extra_user_data = <<-EOT
    install -d -m 0755 /home/ec2-user
    base64 -d >/home/ec2-user/0_0_db.sh <<'B64'
    ${filebase64("${path.module}/files/0_0_db.sh")}
    B64
    chmod 0755 /home/ec2-user/0_0_db.sh
  EOT
}

resource "awsecs_ecr_repository" "api" {
  name         = "${var.name}/dks-api"
  force_delete = true
  image_scanning_configuration {
    scan_on_push = true
  }
}

resource "awsecs_ecr_repository" "ui" {
  name         = "${var.name}/dks-ui"
  force_delete = true
  image_scanning_configuration {
    scan_on_push = true
  }
}

resource "awsecs_cloudwatch_log_group" "containers" {
  name              = "/ecs/${var.name}"
  retention_in_days = var.log_retention_days
}

locals {
  api_image = coalesce(var.api_image, "${awsecs_ecr_repository.api.repository_url}:${var.image_tag}")
  ui_image  = coalesce(var.ui_image, "${awsecs_ecr_repository.ui.repository_url}:${var.image_tag}")
  database = {
    PGPORT       = "5432"
    DB_NAME      = "dks_db"
    DB_ROLE_NAME = "dks-user"
  }
  service_defaults = {
    cluster_arn       = module.capacity.cluster_arn
    capacity_provider = module.capacity.capacity_provider_name
    namespace_arn     = awsecs_service_discovery_http_namespace.this.arn
    log_group_name    = awsecs_cloudwatch_log_group.containers.name
    region            = data.awsecs_region.current.region
  }
}

module "db" {
  source        = "../modules/ecs-service"
  family_prefix = "${var.name}-"

  name               = "dks-db"
  image              = var.db_image
  container_port     = 5432
  memory             = 1024
  memory_reservation = 512
  environment = merge(local.database, {
    POSTGRES_USER     = "postgres"
    POSTGRES_PASSWORD = var.postgres_password
    DB_ROLE_PASSWORD  = var.db_password
  })
  host_volumes = {
    "dks-db-init" = {
      host_path      = "/home/ec2-user/0_0_db.sh"
      container_path = "/docker-entrypoint-initdb.d/0_0_db.sh"
      read_only      = true
    }
  }
  health_check = "pg_isready -U postgres"

  cluster_arn       = local.service_defaults.cluster_arn
  capacity_provider = local.service_defaults.capacity_provider
  namespace_arn     = local.service_defaults.namespace_arn
  log_group_name    = local.service_defaults.log_group_name
  region            = local.service_defaults.region
}

module "api" {
  source        = "../modules/ecs-service"
  family_prefix = "${var.name}-"
  # Startup order db -> api -> ui: each service is created after the one it talks to.
  depends_on = [module.db]

  name               = "dks-api"
  image              = local.api_image
  container_port     = 8080
  memory             = 1024
  memory_reservation = 768
  environment = merge(local.database, {
    SPRING_PROFILES_ACTIVE = "dev"
    DB_HOST                = "dks-db"
    DB_ROLE_PASSWORD       = var.db_password
    JAVA_ENABLE_DEBUG      = "false"
  })
  health_check = "curl -fs http://localhost:8080/actuator/health || exit 1"

  cluster_arn       = local.service_defaults.cluster_arn
  capacity_provider = local.service_defaults.capacity_provider
  namespace_arn     = local.service_defaults.namespace_arn
  log_group_name    = local.service_defaults.log_group_name
  region            = local.service_defaults.region
}

# Only the UI is public: its Next.js server calls dks-api itself (server-side rendering and /api).
module "alb" {
  source = "../modules/alb"

  name                       = var.name
  vpc_id                     = module.capacity.vpc_id
  subnet_ids                 = module.capacity.subnet_ids
  instance_security_group_id = module.capacity.security_group_id
  allowed_cidr               = var.allowed_cidr
  container_port             = 3000
  health_check_path          = "/api/health"
}

module "ui" {
  source        = "../modules/ecs-service"
  family_prefix = "${var.name}-"
  depends_on    = [module.api]

  name               = "dks-ui"
  image              = local.ui_image
  container_port     = 3000
  expose             = false
  load_balancer      = { target_group_arn = module.alb.target_group_arn }
  memory             = 512
  memory_reservation = 256
  environment = {
    DKS_API_BASE_URL = "http://dks-api:8080"
  }
  health_check = "wget -qO- http://localhost:3000/api/health || exit 1"

  cluster_arn       = local.service_defaults.cluster_arn
  capacity_provider = local.service_defaults.capacity_provider
  namespace_arn     = local.service_defaults.namespace_arn
  log_group_name    = local.service_defaults.log_group_name
  region            = local.service_defaults.region
}
