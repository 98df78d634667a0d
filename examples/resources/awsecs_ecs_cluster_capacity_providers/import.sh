# Import by the cluster's name. Append `@REGION` (e.g. `@eu-west-1`) to import from a region other
# than the provider's.
terraform import awsecs_ecs_cluster_capacity_providers.example app
