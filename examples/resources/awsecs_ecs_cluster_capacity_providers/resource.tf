variable "capacity_provider_name" {
  type = string
}

resource "awsecs_ecs_cluster" "app" {
  name = "app"
}

resource "awsecs_ecs_cluster_capacity_providers" "example" {
  cluster_name       = awsecs_ecs_cluster.app.name
  capacity_providers = [var.capacity_provider_name]

  default_capacity_provider_strategy {
    capacity_provider = var.capacity_provider_name
    base              = 1
    weight            = 100
  }
}
