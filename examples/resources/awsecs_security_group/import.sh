# Import a security group by its ID. Append `@REGION` (e.g. `@eu-west-1`) to import from a region
# other than the provider's.
terraform import awsecs_security_group.example sg-0123456789abcdef0
