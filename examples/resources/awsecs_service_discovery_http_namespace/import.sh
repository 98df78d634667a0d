# Import an HTTP namespace by its ID. Append `@REGION` (e.g. `@eu-west-1`) to import from a region
# other than the provider's.
terraform import awsecs_service_discovery_http_namespace.example ns-abcd1234efgh5678
