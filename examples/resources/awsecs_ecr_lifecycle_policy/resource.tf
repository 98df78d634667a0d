resource "awsecs_ecr_repository" "app" {
  name = "app"
}

resource "awsecs_ecr_lifecycle_policy" "example" {
  repository = awsecs_ecr_repository.app.name
  policy = jsonencode({
    rules = [{
      rulePriority = 1
      description  = "Keep the last 10 images"
      selection = {
        tagStatus   = "any"
        countType   = "imageCountMoreThan"
        countNumber = 10
      }
      action = { type = "expire" }
    }]
  })
}
