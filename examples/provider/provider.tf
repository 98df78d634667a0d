terraform {
  required_providers {
    awsecs = {
      source = "awsecs/awsecs"
    }
  }
}

# Credentials come from the usual AWS places (environment, ~/.aws, SSO, instance role).
provider "awsecs" {
  region = "us-east-1"

  default_tags {
    tags = {
      project = "shop"
    }
  }
}

# A cluster and a log group for its services, in one region of one account.
resource "awsecs_ecs_cluster" "shop" {
  name = "shop"
}

resource "awsecs_cloudwatch_log_group" "shop" {
  name              = "/ecs/shop"
  retention_in_days = 7
}
