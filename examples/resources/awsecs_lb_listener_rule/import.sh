# Import a listener rule by its ARN.
terraform import awsecs_lb_listener_rule.example arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee
