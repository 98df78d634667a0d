# Import a capacity provider by its ARN (its name also works). Append `@REGION` (e.g. `@eu-
# west-1`) to import from a region other than the provider's.
terraform import awsecs_ecs_capacity_provider.example arn:aws:ecs:us-east-1:123456789012:capacity-provider/ec2
