data "awsecs_iam_policy_document" "read_config" {
  statement {
    actions   = ["ssm:GetParameter", "ssm:GetParameters"]
    resources = ["arn:aws:ssm:*:*:parameter/app/*"]
  }
}

resource "awsecs_iam_policy" "example" {
  name        = "app-read-config"
  description = "Lets the app read its SSM parameters."
  policy      = data.awsecs_iam_policy_document.read_config.json
}
