//! AWS: provider configuration, the client set, retries/waiters, tags and JSON normalizers shared by
//! the resources. (Stub: lands in its own change.)

#[allow(dead_code)] // wired up by awsecs_ecs_task_definition
pub mod container_definitions;

use std::sync::Arc;

use async_trait::async_trait;

use crate::framework::{
    Block, DataSource, Diagnostics, Provider, Resource, Schema, StopToken, Value,
};

pub struct AwsClients;

#[derive(Default)]
pub struct AwsProvider;

#[async_trait]
impl Provider for AwsProvider {
    type Client = AwsClients;
    fn schema(&self) -> Schema {
        Schema::new(Block::new())
    }
    async fn configure(
        &self,
        _config: &Value,
        _tf: &str,
        _stop: StopToken,
    ) -> Result<AwsClients, Diagnostics> {
        Ok(AwsClients)
    }
    fn resources(&self) -> Vec<Arc<dyn Resource<AwsClients>>> {
        crate::resources::resources()
    }
    fn data_sources(&self) -> Vec<Arc<dyn DataSource<AwsClients>>> {
        crate::resources::data_sources()
    }
}
