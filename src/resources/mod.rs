//! The registry: one line per resource and data source, one file each under `<service>/`.

mod iam {
    pub mod policy_document;
}

use std::sync::Arc;

use crate::aws::AwsClients;
use crate::framework::{DataSource, Resource};

pub fn resources() -> Vec<Arc<dyn Resource<AwsClients>>> {
    vec![]
}

pub fn data_sources() -> Vec<Arc<dyn DataSource<AwsClients>>> {
    vec![Arc::new(iam::policy_document::PolicyDocument)]
}
