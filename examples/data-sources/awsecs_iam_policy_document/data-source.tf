data "awsecs_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "awsecs_iam_role" "task" {
  name               = "app-task"
  assume_role_policy = data.awsecs_iam_policy_document.ecs_tasks_assume.json
}
