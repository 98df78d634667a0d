# Import a private DNS namespace by `NAMESPACE_ID:VPC_ID`. Append `@REGION` (e.g. `@eu-west-1`) to
# import from a region other than the provider's.
terraform import awsecs_service_discovery_private_dns_namespace.example ns-abcd1234efgh5678:vpc-0123456789abcdef0
