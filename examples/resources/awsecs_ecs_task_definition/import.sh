# Import a task definition by the ARN of one revision (`arn:aws:ecs:REGION:ACCOUNT:task-
# definition/FAMILY:REVISION`).
terraform import awsecs_ecs_task_definition.example arn:aws:ecs:us-east-1:123456789012:task-definition/web:3
