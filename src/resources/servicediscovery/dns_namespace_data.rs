//! `data "awsecs_service_discovery_dns_namespace"`, the twin of
//! `aws_service_discovery_dns_namespace`: a public or private DNS namespace found by name and type.
//! Two private namespaces may share a name (in different VPCs); that is an error naming both.

use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_servicediscovery::types::{
    FilterCondition, NamespaceFilter, NamespaceFilterName, NamespaceSummary, NamespaceType,
};

use crate::aws::{errors, region_attribute, AwsClients};
use crate::framework::{
    validators, AttrPath, Attribute, Block, Ctx, DataSource, Diagnostic, Diagnostics, Schema, Value,
};

pub const TYPE: &str = "awsecs_service_discovery_dns_namespace";
/// HTTP namespaces have their own data source in hashicorp/aws.
const DNS_TYPES: &[&str] = &["DNS_PUBLIC", "DNS_PRIVATE"];

pub struct DnsNamespaceData;

pub fn schema() -> Schema {
    Schema::new(
        Block::new()
            .attr(
                Attribute::string("arn")
                    .desc("ARN of the namespace.")
                    .computed(),
            )
            .attr(
                Attribute::string("description")
                    .desc("Description of the namespace.")
                    .computed(),
            )
            .attr(
                Attribute::string("hosted_zone")
                    .desc("ID of the Route 53 hosted zone of the namespace.")
                    .computed(),
            )
            .attr(
                Attribute::string("id")
                    .desc("ID of the namespace.")
                    .optional_computed(),
            )
            .attr(
                Attribute::string("name")
                    .desc("Name of the namespace.")
                    .required(),
            )
            .attr(region_attribute())
            .attr(
                Attribute::string_map("tags")
                    .desc("Tags of the namespace.")
                    .computed(),
            )
            .attr(
                Attribute::string("type")
                    .desc("`DNS_PUBLIC` or `DNS_PRIVATE`.")
                    .required()
                    .validate(validators::one_of(DNS_TYPES)),
            ),
    )
    .desc("Looks up a Cloud Map DNS namespace by name and type.")
}

/// The one namespace with this name among those listed (already filtered by type).
pub fn pick<'a>(
    listed: &'a [NamespaceSummary],
    name: &str,
    ty: &str,
) -> Result<&'a NamespaceSummary, Diagnostic> {
    let found: Vec<&NamespaceSummary> = listed
        .iter()
        .filter(|n| n.name() == Some(name))
        .filter(|n| n.r#type().is_none_or(|t| t.as_str() == ty))
        .collect();
    match found[..] {
        [one] => Ok(one),
        [] => Err(Diagnostic::error(
            format!("reading Service Discovery {ty} Namespace ({name})"),
            format!("no {ty} namespace named {name:?} in this region"),
        )
        .at(AttrPath::attr("name"))),
        _ => Err(Diagnostic::error(
            format!("reading Service Discovery {ty} Namespace ({name})"),
            format!(
                "{} {ty} namespaces are named {name:?} ({}); a data source needs exactly one",
                found.len(),
                found
                    .iter()
                    .map(|n| n.id().unwrap_or("?"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
        .at(AttrPath::attr("name"))),
    }
}

#[async_trait]
impl DataSource<AwsClients> for DnsNamespaceData {
    fn type_name(&self) -> &'static str {
        TYPE
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn read(&self, ctx: &Ctx<AwsClients>, config: &Value) -> Result<Value, Diagnostics> {
        let name = config.str("name").unwrap_or_default();
        let ty = config.str("type").unwrap_or_default();
        let set = ctx.client.regional(config);
        let sd = set.servicediscovery();
        let what = format!("reading Service Discovery {ty} Namespace");
        let filter = NamespaceFilter::builder()
            .name(NamespaceFilterName::Type)
            .values(ty)
            .condition(FilterCondition::Eq)
            .build()
            .map_err(|e| Diagnostic::error(errors::summary(&what, name), e.to_string()))?;
        let pages: Vec<_> = sd
            .list_namespaces()
            .filters(filter)
            .into_paginator()
            .send()
            .try_collect()
            .await
            .map_err(|e| errors::aws_diag(&what, name, &e))?;
        let listed: Vec<NamespaceSummary> = pages
            .iter()
            .flat_map(|p| p.namespaces().iter().cloned())
            .collect();
        let id = pick(&listed, name, ty)?
            .id()
            .unwrap_or_default()
            .to_string();
        let ns = super::find_namespace(sd, &id)
            .await
            .map_err(|e| errors::aws_diag(&what, &id, &e))?
            .ok_or_else(|| {
                Diagnostic::error(
                    errors::summary(&what, &id),
                    "the namespace disappeared while it was being read",
                )
            })?;
        let arn = ns.arn().unwrap_or_default();
        let tags = sd
            .list_tags_for_resource()
            .resource_arn(arn)
            .send()
            .await
            .map_err(|e| errors::aws_diag(&format!("listing tags for {what}"), arn, &e))?;
        let zone = ns
            .properties()
            .and_then(|p| p.dns_properties())
            .and_then(|d| d.hosted_zone_id());
        Ok(Value::object([
            ("arn", Value::from(arn)),
            ("description", Value::opt_string(ns.description())),
            ("hosted_zone", Value::opt_string(zone)),
            ("id", Value::from(id.as_str())),
            ("name", Value::opt_string(ns.name())),
            ("region", Value::from(set.region())),
            ("tags", Value::string_map(super::from_sd_tags(tags.tags()))),
            (
                "type",
                Value::from(ns.r#type().map(NamespaceType::as_str).unwrap_or(ty)),
            ),
        ]))
    }
}

pub fn data_source() -> Arc<dyn DataSource<AwsClients>> {
    Arc::new(DnsNamespaceData)
}
