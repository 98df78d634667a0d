# Import a managed policy by its ARN.
terraform import awsecs_iam_policy.example arn:aws:iam::123456789012:policy/app-read-config
