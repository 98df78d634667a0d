//! `data "awsecs_caller_identity"`, the twin of `aws_caller_identity`: the account, ARN and user
//! ID of the credentials in use. Configure already asked STS (unless told to skip), so this
//! usually costs no API call.

use std::sync::Arc;

use async_trait::async_trait;

use crate::aws::{errors, AwsClients, CallerIdentity};
use crate::framework::{Attribute, Block, Ctx, DataSource, Diagnostic, Diagnostics, Schema, Value};

pub const TYPE: &str = "awsecs_caller_identity";

pub struct CallerIdentityData;

pub fn schema() -> Schema {
    Schema::new(
        Block::new()
            .attr(
                Attribute::string("account_id")
                    .computed()
                    .desc("The AWS account ID."),
            )
            .attr(
                Attribute::string("arn")
                    .computed()
                    .desc("The ARN of the calling identity."),
            )
            .attr(
                Attribute::string("id")
                    .optional_computed()
                    .desc("The account ID."),
            )
            .attr(
                Attribute::string("user_id")
                    .computed()
                    .desc("The unique ID of the calling identity."),
            ),
    )
    .desc("Returns the account, ARN and user ID of the credentials in use.")
}

fn to_value(i: &CallerIdentity) -> Value {
    Value::object([
        ("account_id", Value::from(i.account_id.as_str())),
        ("arn", Value::from(i.arn.as_str())),
        ("id", Value::from(i.account_id.as_str())),
        ("user_id", Value::from(i.user_id.as_str())),
    ])
}

#[async_trait]
impl DataSource<AwsClients> for CallerIdentityData {
    fn type_name(&self) -> &'static str {
        TYPE
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn read(&self, ctx: &Ctx<AwsClients>, _config: &Value) -> Result<Value, Diagnostics> {
        if let Some(i) = ctx.client.caller_identity() {
            return Ok(to_value(i));
        }
        let out = ctx
            .client
            .sts()
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| errors::aws_diag("reading caller identity", "", &e))?;
        let account_id = out.account().ok_or_else(|| {
            Diagnostic::error(
                "reading caller identity",
                "STS GetCallerIdentity returned no account",
            )
        })?;
        Ok(to_value(&CallerIdentity {
            account_id: account_id.to_string(),
            arn: out.arn().unwrap_or_default().to_string(),
            user_id: out.user_id().unwrap_or_default().to_string(),
        }))
    }
}

pub fn data_source() -> Arc<dyn DataSource<AwsClients>> {
    Arc::new(CallerIdentityData)
}
