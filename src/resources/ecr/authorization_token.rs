//! `data "awsecs_ecr_authorization_token"`, the twin of `aws_ecr_authorization_token`: a registry
//! login (`docker login -u AWS -p ...`). The token and the password are sensitive, so Terraform
//! redacts them in plans and outputs. As in hashicorp/aws, `registry_id` is not sent: ECR has
//! deprecated `registryIds` (a token grants access to every registry the caller may use).

use std::sync::Arc;

use async_trait::async_trait;
use base64::Engine as _;

use crate::aws::{errors, region_attribute, AwsClients};
use crate::framework::{Attribute, Block, Ctx, DataSource, Diagnostic, Diagnostics, Schema, Value};

pub const TYPE: &str = "awsecs_ecr_authorization_token";
const KIND: &str = "ECR Authorization Token";

pub struct AuthorizationToken;

pub fn schema() -> Schema {
    Schema::new(
        Block::new()
            .attr(
                Attribute::string("authorization_token")
                    .computed()
                    .sensitive()
                    .desc("Base64 of user_name:password, for a Docker basic auth header."),
            )
            .attr(
                Attribute::string("expires_at")
                    .computed()
                    .desc("When the token expires (RFC 3339)."),
            )
            .attr(
                Attribute::string("id")
                    .desc("The region of the registry.")
                    .optional_computed(),
            )
            .attr(
                Attribute::string("password")
                    .computed()
                    .sensitive()
                    .desc("The registry password."),
            )
            .attr(Attribute::string("proxy_endpoint").computed().desc(
                "The registry URL, e.g. https://123456789012.dkr.ecr.us-east-1.amazonaws.com.",
            ))
            .attr(region_attribute())
            .attr(
                Attribute::string("registry_id")
                    .optional()
                    .desc("AWS account ID of the registry; defaults to the caller's."),
            )
            .attr(
                Attribute::string("user_name")
                    .computed()
                    .desc("The registry user name (AWS)."),
            ),
    )
    .desc("Gets a temporary token to log in to an ECR registry (e.g. with docker login).")
}

/// Splits a token (base64 of `user:password`) into its parts.
pub fn decode_token(token: &str) -> Result<(String, String), String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(token.trim())
        .map_err(|e| format!("the token is not base64: {e}"))?;
    let text = String::from_utf8(bytes).map_err(|_| "the token is not UTF-8 text".to_string())?;
    match text.split_once(':') {
        Some((user, password)) if !user.is_empty() => Ok((user.to_string(), password.to_string())),
        _ => Err("the token is not of the form user:password".into()),
    }
}

#[async_trait]
impl DataSource<AwsClients> for AuthorizationToken {
    fn type_name(&self) -> &'static str {
        TYPE
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn read(&self, ctx: &Ctx<AwsClients>, config: &Value) -> Result<Value, Diagnostics> {
        let set = ctx.client.regional(config);
        let registry = config.str("registry_id");
        let out = set
            .ecr()
            .get_authorization_token()
            .send()
            .await
            .map_err(|e| {
                errors::aws_diag(&format!("reading {KIND}"), registry.unwrap_or(""), &e)
            })?;
        let data = out.authorization_data().first().ok_or_else(|| {
            Diagnostic::error(
                format!("reading {KIND}"),
                "ECR returned no authorization data",
            )
        })?;
        let token = data.authorization_token().unwrap_or_default();
        let (user, password) =
            decode_token(token).map_err(|m| Diagnostic::error(format!("decoding {KIND}"), m))?;
        let expires = data.expires_at().and_then(|t| {
            aws_smithy_types::DateTime::from_secs(t.secs())
                .fmt(aws_smithy_types::date_time::Format::DateTime)
                .ok()
        });
        Ok(Value::object([
            ("authorization_token", Value::from(token)),
            ("expires_at", Value::opt_string(expires)),
            ("id", Value::from(set.region())),
            ("password", Value::from(password)),
            ("proxy_endpoint", Value::opt_string(data.proxy_endpoint())),
            ("region", Value::from(set.region())),
            ("registry_id", Value::opt_string(registry)),
            ("user_name", Value::from(user)),
        ]))
    }
}

pub fn data_source() -> Arc<dyn DataSource<AwsClients>> {
    Arc::new(AuthorizationToken)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_split_into_user_and_password() {
        let enc = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        assert_eq!(
            decode_token(&enc("AWS:pa:ss")).unwrap(),
            ("AWS".to_string(), "pa:ss".to_string())
        );
        assert!(decode_token("not base64!").unwrap_err().contains("base64"));
        assert!(decode_token(&enc("nocolon"))
            .unwrap_err()
            .contains("user:password"));
        assert!(decode_token(&enc(":x")).is_err());
    }

    #[test]
    fn secrets_are_sensitive() {
        let s = schema();
        for (name, sensitive) in [
            ("authorization_token", true),
            ("password", true),
            ("user_name", false),
            ("proxy_endpoint", false),
            ("expires_at", false),
        ] {
            let a = s.block.attribute(name).unwrap();
            assert_eq!(a.sensitive, sensitive, "{name}");
            assert!(a.computed && !a.optional, "{name}");
        }
        assert!(s.block.attribute("registry_id").unwrap().optional);
    }
}
