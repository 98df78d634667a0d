data "awsecs_ssm_parameter" "ecs_ami" {
  name = "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"
}

output "ecs_ami_id" {
  value = data.awsecs_ssm_parameter.ecs_ami.insecure_value
}
