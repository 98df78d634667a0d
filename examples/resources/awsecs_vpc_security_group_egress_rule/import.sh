# Import an egress rule by its security group rule ID. Append `@REGION` (e.g. `@eu-west-1`) to
# import from a region other than the provider's.
terraform import awsecs_vpc_security_group_egress_rule.example sgr-0123456789abcdef0
