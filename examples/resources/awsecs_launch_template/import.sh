# Import a launch template by its ID. Append `@REGION` (e.g. `@eu-west-1`) to import from a region
# other than the provider's.
terraform import awsecs_launch_template.example lt-0123456789abcdef0
