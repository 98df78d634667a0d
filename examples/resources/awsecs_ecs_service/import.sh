# Import a service by `CLUSTER_NAME/SERVICE_NAME`. Append `@REGION` (e.g. `@eu-west-1`) to import
# from a region other than the provider's.
terraform import awsecs_ecs_service.example app/web
