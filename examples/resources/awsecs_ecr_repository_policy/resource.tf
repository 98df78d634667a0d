resource "awsecs_ecr_repository" "app" {
  name = "app"
}

data "awsecs_caller_identity" "current" {}

data "awsecs_iam_policy_document" "pull" {
  statement {
    sid     = "AllowPull"
    actions = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.awsecs_caller_identity.current.account_id}:root"]
    }
  }
}

resource "awsecs_ecr_repository_policy" "example" {
  repository = awsecs_ecr_repository.app.name
  policy     = data.awsecs_iam_policy_document.pull.json
}
