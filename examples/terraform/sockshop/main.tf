# Sock Shop (microservices-demo, docker-compose topology) on ECS with EC2 capacity: the 14 compose
# services (the optional user-sim load generator is left out) with the compose image tags. The
# images call each other by bare hostnames (catalogue, carts-db, rabbitmq, user-db, ...), which ECS
# Service Connect provides in place of the defunct weaveDNS. compose publishes edge-router (traefik,
# sticky routing to front-end:8079) on host port 80; here an Application Load Balancer on port 80
# forwards to edge-router's dynamic host ports instead, so the instances publish no fixed port.

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
  max_size                      = var.instance_count + 2
  service_connect_namespace_arn = awsecs_service_discovery_http_namespace.this.arn
}

resource "awsecs_cloudwatch_log_group" "containers" {
  name              = "/ecs/${var.name}"
  retention_in_days = 7
}

locals {
  java_opts = "-Xms64m -Xmx128m -XX:+UseG1GC -Djava.security.egd=file:/dev/urandom -Dspring.zipkin.enabled=false"

  # name => image, port, memory (hard limit / reservation, MiB) from the compose file and the
  # Kubernetes manifest's limits/requests; databases without hints get what their engine needs.
  services = {
    "front-end"    = { image = "weaveworksdemos/front-end:0.3.12", port = 8079, memory = 1000, reserve = 300, env = {} }
    "edge-router"  = { image = "weaveworksdemos/edge-router:0.1.1", port = 80, memory = 128, reserve = 64, env = {} }
    "catalogue"    = { image = "weaveworksdemos/catalogue:0.3.5", port = 80, memory = 200, reserve = 100, env = {} }
    "catalogue-db" = { image = "weaveworksdemos/catalogue-db:0.3.0", port = 3306, memory = 512, reserve = 384, env = { MYSQL_ROOT_PASSWORD = var.mysql_root_password, MYSQL_ALLOW_EMPTY_PASSWORD = "true", MYSQL_DATABASE = "socksdb" } }
    "carts"        = { image = "weaveworksdemos/carts:0.4.8", port = 80, memory = 500, reserve = 200, env = { JAVA_OPTS = local.java_opts } }
    "carts-db"     = { image = "mongo:3.4", port = 27017, memory = 256, reserve = 128, env = {} }
    "orders"       = { image = "weaveworksdemos/orders:0.4.7", port = 80, memory = 500, reserve = 300, env = { JAVA_OPTS = local.java_opts } }
    "orders-db"    = { image = "mongo:3.4", port = 27017, memory = 256, reserve = 128, env = {} }
    "shipping"     = { image = "weaveworksdemos/shipping:0.4.8", port = 80, memory = 500, reserve = 300, env = { JAVA_OPTS = local.java_opts } }
    "queue-master" = { image = "weaveworksdemos/queue-master:0.3.1", port = 80, memory = 500, reserve = 300, env = {} }
    "rabbitmq"     = { image = "rabbitmq:3.6.8", port = 5672, memory = 256, reserve = 128, env = {} }
    "payment"      = { image = "weaveworksdemos/payment:0.4.3", port = 80, memory = 200, reserve = 100, env = {} }
    "user"         = { image = "weaveworksdemos/user:0.4.4", port = 80, memory = 200, reserve = 100, env = { MONGO_HOST = "user-db:27017" } }
    "user-db"      = { image = "weaveworksdemos/user-db:0.4.0", port = 27017, memory = 256, reserve = 128, env = {} }
  }
}

module "alb" {
  source = "../modules/alb"

  name                       = var.name
  vpc_id                     = module.capacity.vpc_id
  subnet_ids                 = module.capacity.subnet_ids
  instance_security_group_id = module.capacity.security_group_id
  allowed_cidr               = var.allowed_cidr
  container_port             = local.services["edge-router"].port
  health_check_path          = "/"
  # front-end keeps sessions (cart, login) in memory: edge-router routes to it stickily, and the
  # ALB keeps a browser on one edge-router task so that stickiness holds with several of them.
  sticky_sessions = true
}

module "service" {
  source        = "../modules/ecs-service"
  family_prefix = "${var.name}-"
  for_each      = local.services

  name               = each.key
  image              = each.value.image
  container_port     = each.value.port
  expose             = each.key != "edge-router"
  load_balancer      = each.key == "edge-router" ? { target_group_arn = module.alb.target_group_arn } : null
  memory             = each.value.memory
  memory_reservation = each.value.reserve
  environment        = each.value.env
  desired_count      = lookup(var.desired_counts, each.key, 1)
  # queue-master starts worker containers through the host's Docker daemon, as in compose.
  host_volumes = each.key != "queue-master" ? {} : {
    "docker-sock" = {
      host_path      = "/var/run/docker.sock"
      container_path = "/var/run/docker.sock"
      read_only      = false
    }
  }

  cluster_arn       = module.capacity.cluster_arn
  capacity_provider = module.capacity.capacity_provider_name
  namespace_arn     = awsecs_service_discovery_http_namespace.this.arn
  log_group_name    = awsecs_cloudwatch_log_group.containers.name
  region            = data.awsecs_region.current.region
}
