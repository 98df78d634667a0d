# Import a Cloud Map service by its ID. Append `@REGION` (e.g. `@eu-west-1`) to import from a
# region other than the provider's.
terraform import awsecs_service_discovery_service.example srv-abcd1234efgh5678
