//! EC2 lookups: `data "awsecs_vpc"`, `data "awsecs_subnets"` and `data "awsecs_security_group"`,
//! twins of `aws_vpc`, `aws_subnets` and `aws_security_group`. Arguments become EC2 filters
//! (together with `filter` blocks and `tags`); the singular lookups fail unless exactly one object
//! matches, and say which way.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_ec2::types::{AttributeBooleanValue, Filter, VpcAttributeName};
use aws_sdk_ec2::Client;

use crate::aws::{ec2_tags, errors, filters, AwsClients};
use crate::framework::{
    Attribute, Block, Ctx, DataSource, Diagnostic, Diagnostics, Schema, Type, Value,
};

/// The `region` argument of 6.x data sources (where to look).
fn region_attribute() -> Attribute {
    Attribute::string("region")
        .optional_computed()
        .desc("Region to look in; defaults to the provider's region.")
}

fn lookup_filters(config: &Value, attrs: &[(&str, &str)]) -> Vec<Filter> {
    let pairs: Vec<(&str, Option<String>)> = attrs
        .iter()
        .map(|(arg, filter)| (*filter, config.str(arg).map(str::to_string)))
        .collect();
    let mut out = filters::from_attributes(&pairs);
    out.extend(filters::from_tags(config.get("tags")));
    out.extend(filters::from_blocks(config));
    out
}

fn exactly_one<T>(mut found: Vec<T>, what: &str) -> Result<T, Diagnostic> {
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(Diagnostic::error(
            format!("reading {what}"),
            format!("no matching {what} found; check the filters (and the region)"),
        )),
        n => Err(Diagnostic::error(
            format!("reading {what}"),
            format!("{n} {what}s matched; use additional constraints (id, filter blocks, tags) to reduce matches to a single {what}"),
        )),
    }
}

fn tags_value(tags: &[aws_sdk_ec2::types::Tag]) -> Value {
    Value::string_map(ec2_tags::from_ec2(tags))
}

// ---------------------------------------------------------------- awsecs_vpc

pub struct VpcData;

fn object_list(fields: &[&str]) -> Type {
    Type::list(Type::Object(
        fields
            .iter()
            .map(|f| (f.to_string(), Type::String))
            .collect::<BTreeMap<_, _>>(),
    ))
}

const IPV6_FIELDS: &[&str] = &[
    "association_id",
    "ip_source",
    "ipv6_address_attribute",
    "ipv6_cidr_block",
    "ipv6_pool",
    "network_border_group",
    "state",
];

pub fn vpc_schema() -> Schema {
    let ipv6 = match object_list(IPV6_FIELDS) {
        Type::List(t) => Type::Set(t),
        t => t,
    };
    Schema::new(
        Block::new()
            .attr(Attribute::string("arn").desc("ARN of the VPC.").computed())
            .attr(Attribute::string("cidr_block").desc("Primary IPv4 CIDR block of the VPC to find, and the one found.").optional_computed())
            .attr(
                Attribute::new(
                    "cidr_block_associations",
                    object_list(&["association_id", "cidr_block", "state"]),
                ).desc("IPv4 CIDR blocks associated with the VPC.")
                .computed(),
            )
            .attr(Attribute::bool("default").desc("Whether to find the default VPC of the region.").optional_computed())
            .attr(Attribute::string("dhcp_options_id").desc("ID of the VPC's DHCP options set.").optional_computed())
            .attr(Attribute::bool("enable_dns_hostnames").desc("Whether instances get public DNS hostnames.").computed())
            .attr(Attribute::bool("enable_dns_support").desc("Whether the Amazon DNS server resolves names in the VPC.").computed())
            .attr(Attribute::bool("enable_network_address_usage_metrics").desc("Whether Network Address Usage metrics are enabled.").computed())
            .attr(Attribute::string("id").desc("ID of the VPC to find, and the one found.").optional_computed())
            .attr(Attribute::string("instance_tenancy").desc("Default tenancy of instances launched in the VPC.").computed())
            .attr(
                Attribute::string("ipv6_association_id").desc("Association ID of the VPC's IPv6 CIDR block.")
                    .computed()
                    .deprecated(
                    "ipv6_association_id is deprecated. Use ipv6_cidr_block_associations instead.",
                ),
            )
            .attr(Attribute::string("ipv6_cidr_block").desc("IPv6 CIDR block of the VPC.").computed().deprecated(
                "ipv6_cidr_block is deprecated. Use ipv6_cidr_block_associations instead.",
            ))
            .attr(Attribute::new("ipv6_cidr_block_associations", ipv6).desc("IPv6 CIDR blocks associated with the VPC.").computed())
            .attr(Attribute::string("main_route_table_id").desc("ID of the VPC's main route table.").computed())
            .attr(Attribute::string("owner_id").desc("ID of the AWS account that owns the VPC.").computed())
            .attr(region_attribute())
            .attr(Attribute::string("state").desc("State the VPC must be in (`pending` or `available`), and its state.").optional_computed())
            .attr(Attribute::string_map("tags").desc("Tags the VPC must have, and its tags.").optional_computed())
            .block(filters::block())
            .timeouts(&["read"]),
    ).desc("Looks up one VPC, e.g. the region's default VPC.")
}

async fn vpc_attribute(
    ec2: &Client,
    id: &str,
    name: VpcAttributeName,
) -> Result<Value, Diagnostic> {
    let out = ec2
        .describe_vpc_attribute()
        .vpc_id(id)
        .attribute(name.clone())
        .send()
        .await
        .map_err(|e| {
            errors::aws_diag(
                &format!("reading EC2 VPC attribute {}", name.as_str()),
                id,
                &e,
            )
        })?;
    let v: Option<&AttributeBooleanValue> = match name {
        VpcAttributeName::EnableDnsHostnames => out.enable_dns_hostnames(),
        VpcAttributeName::EnableDnsSupport => out.enable_dns_support(),
        _ => out.enable_network_address_usage_metrics(),
    };
    Ok(Value::Bool(v.and_then(|b| b.value()).unwrap_or(false)))
}

#[async_trait]
impl DataSource<AwsClients> for VpcData {
    fn type_name(&self) -> &'static str {
        "awsecs_vpc"
    }
    fn schema(&self) -> Schema {
        vpc_schema()
    }

    async fn read(&self, ctx: &Ctx<AwsClients>, config: &Value) -> Result<Value, Diagnostics> {
        let set = ctx.client.regional(config);
        let ec2 = set.ec2();
        let mut f = lookup_filters(
            config,
            &[
                ("cidr_block", "cidr"),
                ("dhcp_options_id", "dhcp-options-id"),
                ("state", "state"),
            ],
        );
        if let Some(d) = config.bool("default") {
            f.push(
                Filter::builder()
                    .name("is-default")
                    .values(d.to_string())
                    .build(),
            );
        }
        let vpcs = ec2
            .describe_vpcs()
            .set_vpc_ids(config.str("id").map(|i| vec![i.to_string()]))
            .set_filters((!f.is_empty()).then_some(f))
            .send()
            .await
            .map_err(|e| errors::aws_diag("reading EC2 VPCs", "", &e))?;
        let vpc = exactly_one(vpcs.vpcs().to_vec(), "EC2 VPC")?;
        let id = vpc.vpc_id().unwrap_or_default();
        let owner = vpc.owner_id().unwrap_or(ctx.client.account_id());
        // The main route table and the three attributes are independent reads of the found VPC:
        // made concurrently, they cost one round trip instead of four.
        let main_route_table = async {
            ec2.describe_route_tables()
                .filters(Filter::builder().name("vpc-id").values(id).build())
                .filters(
                    Filter::builder()
                        .name("association.main")
                        .values("true")
                        .build(),
                )
                .send()
                .await
                .map_err(|e| errors::aws_diag("reading main route table of EC2 VPC", id, &e))
        };
        let (main, dns_hostnames, dns_support, usage_metrics) = tokio::try_join!(
            main_route_table,
            vpc_attribute(ec2, id, VpcAttributeName::EnableDnsHostnames),
            vpc_attribute(ec2, id, VpcAttributeName::EnableDnsSupport),
            vpc_attribute(ec2, id, VpcAttributeName::EnableNetworkAddressUsageMetrics),
        )?;
        let cidrs = vpc
            .cidr_block_association_set()
            .iter()
            .map(|a| {
                Value::object([
                    ("association_id", Value::opt_string(a.association_id())),
                    ("cidr_block", Value::opt_string(a.cidr_block())),
                    (
                        "state",
                        Value::opt_string(
                            a.cidr_block_state()
                                .and_then(|s| s.state())
                                .map(|s| s.as_str()),
                        ),
                    ),
                ])
            })
            .collect();
        let v6 = vpc.ipv6_cidr_block_association_set();
        let ipv6 = v6
            .iter()
            .map(|a| {
                Value::object([
                    ("association_id", Value::opt_string(a.association_id())),
                    (
                        "ip_source",
                        Value::opt_string(a.ip_source().map(|s| s.as_str())),
                    ),
                    (
                        "ipv6_address_attribute",
                        Value::opt_string(a.ipv6_address_attribute().map(|s| s.as_str())),
                    ),
                    ("ipv6_cidr_block", Value::opt_string(a.ipv6_cidr_block())),
                    ("ipv6_pool", Value::opt_string(a.ipv6_pool())),
                    (
                        "network_border_group",
                        Value::opt_string(a.network_border_group()),
                    ),
                    (
                        "state",
                        Value::opt_string(
                            a.ipv6_cidr_block_state()
                                .and_then(|s| s.state())
                                .map(|s| s.as_str()),
                        ),
                    ),
                ])
            })
            .collect();
        Ok(Value::object([
            (
                "arn",
                Value::from(format!(
                    "arn:{}:ec2:{}:{owner}:vpc/{id}",
                    ctx.client.partition(),
                    set.region()
                )),
            ),
            ("cidr_block", Value::opt_string(vpc.cidr_block())),
            ("cidr_block_associations", Value::List(cidrs)),
            ("default", Value::Bool(vpc.is_default().unwrap_or(false))),
            ("dhcp_options_id", Value::opt_string(vpc.dhcp_options_id())),
            ("enable_dns_hostnames", dns_hostnames),
            ("enable_dns_support", dns_support),
            ("enable_network_address_usage_metrics", usage_metrics),
            ("id", Value::from(id)),
            (
                "instance_tenancy",
                Value::opt_string(vpc.instance_tenancy().map(|t| t.as_str())),
            ),
            (
                "ipv6_association_id",
                Value::opt_string(v6.first().and_then(|a| a.association_id())),
            ),
            (
                "ipv6_cidr_block",
                Value::opt_string(v6.first().and_then(|a| a.ipv6_cidr_block())),
            ),
            ("ipv6_cidr_block_associations", Value::Set(ipv6)),
            (
                "main_route_table_id",
                Value::opt_string(main.route_tables().first().and_then(|t| t.route_table_id())),
            ),
            ("owner_id", Value::from(owner)),
            ("region", Value::from(set.region())),
            ("state", Value::opt_string(vpc.state().map(|s| s.as_str()))),
            ("tags", tags_value(vpc.tags())),
            ("filter", config.get("filter").clone()),
            ("timeouts", config.get("timeouts").clone()),
        ]))
    }
}

// ------------------------------------------------------------- awsecs_subnets

pub struct SubnetsData;

pub fn subnets_schema() -> Schema {
    Schema::new(
        Block::new()
            .attr(
                Attribute::string("id")
                    .desc("The region; the data source has no single ID.")
                    .optional_computed(),
            )
            .attr(
                Attribute::string_list("ids")
                    .desc("IDs of the matching subnets, sorted.")
                    .computed(),
            )
            .attr(region_attribute())
            .attr(
                Attribute::string_map("tags")
                    .desc("Tags the subnets must have.")
                    .optional_computed(),
            )
            .block(filters::block())
            .timeouts(&["read"]),
    )
    .desc("Lists the IDs of the subnets matching filters and tags.")
}

#[async_trait]
impl DataSource<AwsClients> for SubnetsData {
    fn type_name(&self) -> &'static str {
        "awsecs_subnets"
    }
    fn schema(&self) -> Schema {
        subnets_schema()
    }

    async fn read(&self, ctx: &Ctx<AwsClients>, config: &Value) -> Result<Value, Diagnostics> {
        let set = ctx.client.regional(config);
        let f = lookup_filters(config, &[]);
        let subnets: Vec<_> = set
            .ec2()
            .describe_subnets()
            .set_filters((!f.is_empty()).then_some(f))
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(|e| errors::aws_diag("reading EC2 Subnets", "", &e))?;
        let ids: Vec<String> = subnets
            .iter()
            .filter_map(|s| s.subnet_id().map(str::to_string))
            .collect();
        Ok(Value::object([
            ("id", Value::from(set.region())),
            ("ids", Value::string_list(ids)),
            ("region", Value::from(set.region())),
            ("tags", config.get("tags").clone()),
            ("filter", config.get("filter").clone()),
            ("timeouts", config.get("timeouts").clone()),
        ]))
    }
}

// ------------------------------------------------------ awsecs_security_group

pub struct SecurityGroupData;

pub fn security_group_schema() -> Schema {
    Schema::new(
        Block::new()
            .attr(
                Attribute::string("arn")
                    .desc("ARN of the security group.")
                    .computed(),
            )
            .attr(
                Attribute::string("description")
                    .desc("Description of the security group.")
                    .computed(),
            )
            .attr(
                Attribute::string("id")
                    .desc("ID of the security group to find, and the one found.")
                    .optional_computed(),
            )
            .attr(
                Attribute::string("name")
                    .desc("Name of the security group to find.")
                    .optional_computed(),
            )
            .attr(
                Attribute::string("owner_id")
                    .desc("ID of the AWS account that owns the security group.")
                    .computed(),
            )
            .attr(region_attribute())
            .attr(
                Attribute::string_map("tags")
                    .desc("Tags the security group must have, and its tags.")
                    .optional_computed(),
            )
            .attr(
                Attribute::string("vpc_id")
                    .desc("ID of the VPC the security group must be in.")
                    .optional_computed(),
            )
            .block(filters::block())
            .timeouts(&["read"]),
    )
    .desc("Looks up one security group by ID, name, VPC, tags or filters.")
}

#[async_trait]
impl DataSource<AwsClients> for SecurityGroupData {
    fn type_name(&self) -> &'static str {
        "awsecs_security_group"
    }
    fn schema(&self) -> Schema {
        security_group_schema()
    }

    async fn read(&self, ctx: &Ctx<AwsClients>, config: &Value) -> Result<Value, Diagnostics> {
        let set = ctx.client.regional(config);
        let f = lookup_filters(
            config,
            &[
                ("id", "group-id"),
                ("name", "group-name"),
                ("vpc_id", "vpc-id"),
            ],
        );
        let out = set
            .ec2()
            .describe_security_groups()
            .set_filters((!f.is_empty()).then_some(f))
            .send()
            .await
            .map_err(|e| errors::aws_diag("reading EC2 Security Groups", "", &e))?;
        let g = exactly_one(out.security_groups().to_vec(), "EC2 Security Group")?;
        let id = g.group_id().unwrap_or_default();
        let owner = g.owner_id().unwrap_or(ctx.client.account_id());
        Ok(Value::object([
            (
                "arn",
                Value::from(format!(
                    "arn:{}:ec2:{}:{owner}:security-group/{id}",
                    ctx.client.partition(),
                    set.region()
                )),
            ),
            ("description", Value::opt_string(g.description())),
            ("id", Value::from(id)),
            ("name", Value::opt_string(g.group_name())),
            ("owner_id", Value::from(owner)),
            ("region", Value::from(set.region())),
            ("tags", tags_value(g.tags())),
            ("vpc_id", Value::opt_string(g.vpc_id())),
            ("filter", config.get("filter").clone()),
            ("timeouts", config.get("timeouts").clone()),
        ]))
    }
}

pub fn vpc() -> Arc<dyn DataSource<AwsClients>> {
    Arc::new(VpcData)
}
pub fn subnets() -> Arc<dyn DataSource<AwsClients>> {
    Arc::new(SubnetsData)
}
pub fn security_group() -> Arc<dyn DataSource<AwsClients>> {
    Arc::new(SecurityGroupData)
}
