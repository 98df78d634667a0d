data "awsecs_caller_identity" "current" {}

output "account_id" {
  value = data.awsecs_caller_identity.current.account_id
}
