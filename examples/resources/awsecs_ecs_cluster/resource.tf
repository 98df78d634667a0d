resource "awsecs_ecs_cluster" "example" {
  name = "app"

  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}
