# Import a cluster by its name (its ARN also works); the resource ID becomes the cluster ARN.
# Append `@REGION` (e.g. `@eu-west-1`) to import from a region other than the provider's.
terraform import awsecs_ecs_cluster.example app
