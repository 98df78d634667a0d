# Import an inline role policy by `ROLE_NAME:POLICY_NAME`.
terraform import awsecs_iam_role_policy.example app-task:read-config
