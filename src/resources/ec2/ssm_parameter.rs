//! `data "awsecs_ssm_parameter"`, the twin of `aws_ssm_parameter`. It lives with the EC2 lookups
//! because that is what the stacks use it for: AWS's public parameters naming the current
//! ECS-optimized AMI, e.g. `/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id`
//! (and `.../amazon-linux-2023/arm64/recommended/image_id`).

use std::sync::Arc;

use async_trait::async_trait;

use crate::aws::{errors, AwsClients};
use crate::framework::{AttrPath, Attribute, Block, Ctx, DataSource, Diagnostics, Schema, Value};

pub const TYPE: &str = "awsecs_ssm_parameter";

pub struct SsmParameterData;

pub fn schema() -> Schema {
    Schema::new(
        Block::new()
            .attr(
                Attribute::string("arn")
                    .desc("ARN of the parameter.")
                    .computed(),
            )
            .attr(
                Attribute::string("id")
                    .desc("Name of the parameter.")
                    .optional_computed(),
            )
            .attr(Attribute::string("insecure_value").computed().desc(
                "The value, when the parameter is not a SecureString (not marked sensitive).",
            ))
            .attr(
                Attribute::string("name")
                    .desc("Name of the parameter.")
                    .required(),
            )
            .attr(
                Attribute::string("region")
                    .optional_computed()
                    .desc("Region to read from; defaults to the provider's region."),
            )
            .attr(
                Attribute::string("type")
                    .desc("Type of the parameter: `String`, `StringList` or `SecureString`.")
                    .computed(),
            )
            .attr(
                Attribute::string("value")
                    .desc("Value of the parameter.")
                    .computed()
                    .sensitive(),
            )
            .attr(
                Attribute::number("version")
                    .desc("Version of the parameter.")
                    .computed(),
            )
            .attr(
                Attribute::bool("with_decryption")
                    .desc("Whether to decrypt a SecureString value.")
                    .default(true),
            ),
    )
    .desc("Reads an SSM Parameter Store parameter, e.g. the recommended ECS-optimized AMI.")
}

#[async_trait]
impl DataSource<AwsClients> for SsmParameterData {
    fn type_name(&self) -> &'static str {
        TYPE
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn read(&self, ctx: &Ctx<AwsClients>, config: &Value) -> Result<Value, Diagnostics> {
        let set = ctx.client.regional(config);
        let name = config.str("name").unwrap_or_default();
        let out = set
            .ssm()
            .get_parameter()
            .name(name)
            .with_decryption(config.bool("with_decryption").unwrap_or(true))
            .send()
            .await
            .map_err(|e| {
                let mut d = errors::aws_diag("reading SSM Parameter", name, &e);
                if errors::is_not_found(&e) {
                    d.detail.push_str(" (check the name and the region: public parameters such as /aws/service/... exist in every region)");
                    d = d.at(AttrPath::attr("name"));
                }
                d
            })?;
        let p = out.parameter();
        let ty = p.and_then(|p| p.r#type()).map(|t| t.as_str().to_string());
        let value = p.and_then(|p| p.value()).map(str::to_string);
        let secure = ty.as_deref() == Some("SecureString");
        Ok(Value::object([
            ("arn", Value::opt_string(p.and_then(|p| p.arn()))),
            ("id", Value::from(name)),
            (
                "insecure_value",
                if secure {
                    Value::Null
                } else {
                    Value::opt_string(value.clone())
                },
            ),
            ("name", Value::from(name)),
            ("region", Value::from(set.region())),
            ("type", Value::opt_string(ty)),
            ("value", Value::opt_string(value)),
            ("version", Value::int(p.map(|p| p.version()).unwrap_or(0))),
            ("with_decryption", config.get("with_decryption").clone()),
        ]))
    }
}

pub fn data_source() -> Arc<dyn DataSource<AwsClients>> {
    Arc::new(SsmParameterData)
}
