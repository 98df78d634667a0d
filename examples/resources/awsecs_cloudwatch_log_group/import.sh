# Import a log group by its name. Append `@REGION` (e.g. `@eu-west-1`) to import from a region
# other than the provider's.
terraform import awsecs_cloudwatch_log_group.example /ecs/app
