# Import an IAM role by its name.
terraform import awsecs_iam_role.example app-task
