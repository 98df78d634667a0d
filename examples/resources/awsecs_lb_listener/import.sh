# Import a listener by its ARN.
terraform import awsecs_lb_listener.example arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2
