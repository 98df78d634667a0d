data "awsecs_ssm_parameter" "ecs_ami" {
  name = "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"
}

resource "awsecs_launch_template" "example" {
  name_prefix   = "ecs-"
  image_id      = data.awsecs_ssm_parameter.ecs_ami.insecure_value
  instance_type = "t3.small"
  user_data     = base64encode("#!/bin/bash\necho ECS_CLUSTER=app >> /etc/ecs/ecs.config\n")

  iam_instance_profile {
    name = "ecs-instance"
  }

  metadata_options {
    http_tokens = "required"
  }
}
