//! The registry: one line per resource and data source, one file each under `<service>/`.

pub mod ecr;
pub mod ecs;
pub mod iam;
pub mod meta;

#[cfg(test)]
pub mod testing;

use std::sync::Arc;

use crate::aws::AwsClients;
use crate::framework::{DataSource, Resource};

pub fn resources() -> Vec<Arc<dyn Resource<AwsClients>>> {
    vec![
        iam::role::resource(),
        iam::role_policy_attachment::resource(),
        ecr::repository::resource(),
        ecs::task_definition::resource(),
        ecs::service::resource(),
    ]
}

pub fn data_sources() -> Vec<Arc<dyn DataSource<AwsClients>>> {
    vec![
        meta::caller_identity::data_source(),
        meta::region::data_source(),
        Arc::new(iam::policy_document::PolicyDocument),
    ]
}
