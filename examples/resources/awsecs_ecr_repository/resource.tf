resource "awsecs_ecr_repository" "example" {
  name                 = "app"
  image_tag_mutability = "IMMUTABLE"
  force_delete         = true

  image_scanning_configuration {
    scan_on_push = true
  }
}
