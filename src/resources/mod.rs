//! The registry: one line per resource and data source, one file each under `<service>/`.

use std::sync::Arc;

use crate::aws::AwsClients;
use crate::framework::{DataSource, Resource};

pub fn resources() -> Vec<Arc<dyn Resource<AwsClients>>> {
    vec![]
}

pub fn data_sources() -> Vec<Arc<dyn DataSource<AwsClients>>> {
    vec![]
}
