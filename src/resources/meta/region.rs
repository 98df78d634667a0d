//! `data "awsecs_region"`, the twin of `aws_region` (6.x): a region's name, description and EC2
//! endpoint. Answered from a built-in table: no API call.

use std::sync::Arc;

use async_trait::async_trait;

use crate::aws::config::partition_of;
use crate::aws::AwsClients;
use crate::framework::{
    AttrPath, Attribute, Block, Ctx, DataSource, Diagnostic, Diagnostics, Schema, Value,
};

pub const TYPE: &str = "awsecs_region";

/// Commercial, China and GovCloud regions with their console descriptions.
const REGIONS: &[(&str, &str)] = &[
    ("af-south-1", "Africa (Cape Town)"),
    ("ap-east-1", "Asia Pacific (Hong Kong)"),
    ("ap-east-2", "Asia Pacific (Taipei)"),
    ("ap-northeast-1", "Asia Pacific (Tokyo)"),
    ("ap-northeast-2", "Asia Pacific (Seoul)"),
    ("ap-northeast-3", "Asia Pacific (Osaka)"),
    ("ap-south-1", "Asia Pacific (Mumbai)"),
    ("ap-south-2", "Asia Pacific (Hyderabad)"),
    ("ap-southeast-1", "Asia Pacific (Singapore)"),
    ("ap-southeast-2", "Asia Pacific (Sydney)"),
    ("ap-southeast-3", "Asia Pacific (Jakarta)"),
    ("ap-southeast-4", "Asia Pacific (Melbourne)"),
    ("ap-southeast-5", "Asia Pacific (Malaysia)"),
    ("ap-southeast-6", "Asia Pacific (New Zealand)"),
    ("ap-southeast-7", "Asia Pacific (Thailand)"),
    ("ca-central-1", "Canada (Central)"),
    ("ca-west-1", "Canada West (Calgary)"),
    ("eu-central-1", "Europe (Frankfurt)"),
    ("eu-central-2", "Europe (Zurich)"),
    ("eu-north-1", "Europe (Stockholm)"),
    ("eu-south-1", "Europe (Milan)"),
    ("eu-south-2", "Europe (Spain)"),
    ("eu-west-1", "Europe (Ireland)"),
    ("eu-west-2", "Europe (London)"),
    ("eu-west-3", "Europe (Paris)"),
    ("il-central-1", "Israel (Tel Aviv)"),
    ("me-central-1", "Middle East (UAE)"),
    ("me-south-1", "Middle East (Bahrain)"),
    ("mx-central-1", "Mexico (Central)"),
    ("sa-east-1", "South America (Sao Paulo)"),
    ("us-east-1", "US East (N. Virginia)"),
    ("us-east-2", "US East (Ohio)"),
    ("us-west-1", "US West (N. California)"),
    ("us-west-2", "US West (Oregon)"),
    ("cn-north-1", "China (Beijing)"),
    ("cn-northwest-1", "China (Ningxia)"),
    ("us-gov-east-1", "AWS GovCloud (US-East)"),
    ("us-gov-west-1", "AWS GovCloud (US-West)"),
];

pub struct RegionData;

pub fn schema() -> Schema {
    Schema::new(
        Block::new()
            .attr(
                Attribute::string("description")
                    .computed()
                    .desc("The region's description, e.g. \"Europe (Ireland)\"."),
            )
            .attr(
                Attribute::string("endpoint")
                    .optional_computed()
                    .desc("The region's EC2 endpoint host name."),
            )
            .attr(
                Attribute::string("id")
                    .desc("Name of the region.")
                    .computed()
                    .deprecated("id is deprecated. Use region instead."),
            )
            .attr(
                Attribute::string("name")
                    .desc("Name of the region.")
                    .optional_computed()
                    .deprecated("name is deprecated. Use region instead."),
            )
            .attr(
                Attribute::string("region")
                    .optional_computed()
                    .desc("The region to describe; defaults to the provider's region."),
            ),
    )
    .desc("Returns details of a region, by default the provider's.")
}

fn dns_suffix(region: &str) -> &'static str {
    match partition_of(region) {
        "aws-cn" => "amazonaws.com.cn",
        "aws-iso" => "c2s.ic.gov",
        "aws-iso-b" => "sc2s.sgov.gov",
        _ => "amazonaws.com",
    }
}

/// The EC2 endpoint host of a region.
pub fn endpoint_of(region: &str) -> String {
    format!("ec2.{region}.{}", dns_suffix(region))
}

pub fn description_of(region: &str) -> Option<&'static str> {
    REGIONS.iter().find(|(r, _)| *r == region).map(|(_, d)| *d)
}

/// Which region the configuration asks about. A region missing from the table is still accepted
/// when it is the provider's own (new regions, local emulators).
pub fn select(config: &Value, provider_region: &str) -> Result<String, Diagnostic> {
    let by_name = config
        .str("region")
        .map(|r| (r, "region"))
        .or_else(|| config.str("name").map(|r| (r, "name")));
    if let Some((r, attr)) = by_name {
        if description_of(r).is_none() && r != provider_region {
            return Err(Diagnostic::error(
                "Region not found",
                format!("no AWS region named {r:?}"),
            )
            .at(AttrPath::attr(attr)));
        }
        if let Some(ep) = config.str("endpoint") {
            if host(ep) != endpoint_of(r) {
                return Err(Diagnostic::error(
                    "Region not found",
                    format!("region {r:?} has endpoint {:?}, not {ep:?}", endpoint_of(r)),
                )
                .at(AttrPath::attr("endpoint")));
            }
        }
        return Ok(r.to_string());
    }
    if let Some(ep) = config.str("endpoint") {
        let h = host(ep);
        return REGIONS
            .iter()
            .map(|(r, _)| *r)
            .chain(std::iter::once(provider_region))
            .find(|r| endpoint_of(r) == h)
            .map(str::to_string)
            .ok_or_else(|| {
                Diagnostic::error(
                    "Region not found",
                    format!("no AWS region has the endpoint {ep:?}"),
                )
                .at(AttrPath::attr("endpoint"))
            });
    }
    Ok(provider_region.to_string())
}

fn host(endpoint: &str) -> &str {
    let s = endpoint
        .strip_prefix("https://")
        .or_else(|| endpoint.strip_prefix("http://"))
        .unwrap_or(endpoint);
    s.trim_end_matches('/')
}

pub fn describe(region: &str) -> Value {
    Value::object([
        ("description", Value::opt_string(description_of(region))),
        ("endpoint", Value::from(endpoint_of(region))),
        ("id", Value::from(region)),
        ("name", Value::from(region)),
        ("region", Value::from(region)),
    ])
}

#[async_trait]
impl DataSource<AwsClients> for RegionData {
    fn type_name(&self) -> &'static str {
        TYPE
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn read(&self, ctx: &Ctx<AwsClients>, config: &Value) -> Result<Value, Diagnostics> {
        let region = select(config, ctx.client.region())?;
        Ok(describe(&region))
    }
}

pub fn data_source() -> Arc<dyn DataSource<AwsClients>> {
    Arc::new(RegionData)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(pairs: Vec<(&str, Value)>) -> Value {
        schema().block.conform(Value::object(pairs))
    }

    #[test]
    fn selects_by_region_name_endpoint_or_provider_default() {
        let cases: Vec<(Vec<(&str, Value)>, &str)> = vec![
            (vec![], "us-east-1"),
            (vec![("region", "eu-west-1".into())], "eu-west-1"),
            (vec![("name", "ap-south-1".into())], "ap-south-1"),
            (
                vec![("endpoint", "ec2.us-west-2.amazonaws.com".into())],
                "us-west-2",
            ),
            (
                vec![(
                    "endpoint",
                    "https://ec2.cn-north-1.amazonaws.com.cn/".into(),
                )],
                "cn-north-1",
            ),
        ];
        for (pairs, want) in cases {
            assert_eq!(select(&cfg(pairs), "us-east-1").unwrap(), want);
        }
        assert_eq!(
            select(&cfg(vec![]), "xx-local-1").unwrap(),
            "xx-local-1",
            "the provider's own region is always known"
        );
    }

    #[test]
    fn unknown_regions_are_errors_at_the_attribute() {
        let e = select(&cfg(vec![("region", "mars-north-1".into())]), "us-east-1").unwrap_err();
        assert_eq!(e.path, Some(AttrPath::attr("region")));
        let e = select(
            &cfg(vec![("endpoint", "ec2.nowhere.example".into())]),
            "us-east-1",
        )
        .unwrap_err();
        assert_eq!(e.path, Some(AttrPath::attr("endpoint")));
        let e = select(
            &cfg(vec![
                ("region", "us-east-1".into()),
                ("endpoint", "ec2.us-west-2.amazonaws.com".into()),
            ]),
            "us-east-1",
        )
        .unwrap_err();
        assert_eq!(e.path, Some(AttrPath::attr("endpoint")));
    }

    #[test]
    fn describes_a_region() {
        let v = describe("eu-west-1");
        assert_eq!(v.str("description"), Some("Europe (Ireland)"));
        assert_eq!(v.str("endpoint"), Some("ec2.eu-west-1.amazonaws.com"));
        assert_eq!(v.str("id"), Some("eu-west-1"));
        assert_eq!(v.str("name"), Some("eu-west-1"));
        assert_eq!(
            describe("cn-north-1").str("endpoint"),
            Some("ec2.cn-north-1.amazonaws.com.cn")
        );
    }
}
