//! AWS: provider configuration, the client set, retries/waiters, tags and JSON normalizers shared by
//! the resources.

pub mod arn_memo;
pub mod call_log;
pub mod cidr;
pub mod clients;
pub mod config;
pub mod container_definitions;
pub mod ec2_tags;
pub mod ecr_lifecycle;
pub mod ecs_json;
pub mod errors;
pub mod filters;
pub mod names;
pub mod policy;
pub mod readback;
pub mod retry;
pub mod tag_lists;
pub mod tags;

use std::sync::Arc;

use async_trait::async_trait;

pub use clients::{AwsClients, CallerIdentity};

use crate::framework::{
    Attribute, DataSource, Diagnostics, Plan, Provider, Resource, Schema, StopToken, TwinProvider,
    Value,
};

#[derive(Default)]
pub struct AwsProvider;

#[async_trait]
impl Provider for AwsProvider {
    type Client = AwsClients;
    fn schema(&self) -> Schema {
        config::schema()
    }
    async fn configure(
        &self,
        config: &Value,
        terraform_version: &str,
        stop: StopToken,
    ) -> Result<AwsClients, Diagnostics> {
        config::configure(config, terraform_version, stop).await
    }
    fn resources(&self) -> Vec<Arc<dyn Resource<AwsClients>>> {
        crate::resources::resources()
    }
    fn data_sources(&self) -> Vec<Arc<dyn DataSource<AwsClients>>> {
        crate::resources::data_sources()
    }
    fn twin_provider(&self) -> Option<TwinProvider> {
        Some(crate::resources::twin_provider())
    }
}

/// The `region` argument every regional resource has in hashicorp/aws 6.x: where the resource
/// lives, defaulting to the provider's region. Moving a resource to another region replaces it.
pub fn region_attribute() -> Attribute {
    Attribute::string("region")
        .optional_computed()
        .force_new()
        .desc("Region where this resource is managed; defaults to the provider's region.")
}

/// Plan hook for [`region_attribute`]: an unset `region` is the provider's region.
pub fn plan_region(clients: &AwsClients, config: &Value, plan: &mut Plan) {
    if config.get("region").is_null() {
        plan.state.set("region", Value::string(clients.region()));
    }
}

/// Splits a regional import ID `id@region` (hashicorp/aws 6.x syntax) into its parts.
pub fn split_import_region(id: &str) -> (&str, Option<&str>) {
    match id.rsplit_once('@') {
        Some((base, region)) if !base.is_empty() && is_region_name(region) => (base, Some(region)),
        _ => (id, None),
    }
}

/// `us-east-1`, `cn-north-1`, `us-gov-west-1`, ...: lowercase words and a trailing number.
pub fn is_region_name(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() >= 3
        && parts
            .last()
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_ids_may_carry_a_region() {
        assert_eq!(split_import_region("repo"), ("repo", None));
        assert_eq!(
            split_import_region("team/repo@eu-west-1"),
            ("team/repo", Some("eu-west-1"))
        );
        assert_eq!(split_import_region("a@b"), ("a@b", None));
        assert_eq!(split_import_region("@us-east-1"), ("@us-east-1", None));
        assert!(is_region_name("us-gov-west-1"));
        assert!(!is_region_name("us-east"));
    }
}
