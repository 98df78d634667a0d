resource "awsecs_cloudwatch_log_group" "example" {
  name              = "/ecs/app"
  retention_in_days = 14
}
