# Import an Auto Scaling group by its name. Append `@REGION` (e.g. `@eu-west-1`) to import from a
# region other than the provider's.
terraform import awsecs_autoscaling_group.example ecs-capacity
