# Import an instance profile by its name (not a path or ARN).
terraform import awsecs_iam_instance_profile.example ecs-instance
