# Import a load balancer by its ARN.
terraform import awsecs_lb.example arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188
