terraform {
  required_version = ">= 0.15"
  required_providers {
    awsecs = {
      source = "awsecs/awsecs"
    }
  }
}
