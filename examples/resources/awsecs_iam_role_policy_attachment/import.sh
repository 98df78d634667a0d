# Import a role policy attachment by `ROLE_NAME/POLICY_ARN`.
terraform import awsecs_iam_role_policy_attachment.example app-task/arn:aws:iam::aws:policy/ReadOnlyAccess
