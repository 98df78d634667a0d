# Import a target group by its ARN.
terraform import awsecs_lb_target_group.example arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef
