terraform {
  required_version = ">= 0.15"
  required_providers {
    awsecs = {
      source = "awsecs/awsecs"
    }
  }
}

provider "awsecs" {
  region = var.region
  default_tags {
    tags = {
      Stack = var.name
    }
  }
}
