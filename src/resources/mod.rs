//! The registry: one line per resource and data source, one file each under `<service>/`.

pub mod ec2;
pub mod ecr;
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
        ec2::launch_template::resource(),
        ec2::security_group::resource(),
        ec2::security_group_rule::ingress(),
        ec2::security_group_rule::egress(),
    ]
}

pub fn data_sources() -> Vec<Arc<dyn DataSource<AwsClients>>> {
    vec![
        meta::caller_identity::data_source(),
        meta::region::data_source(),
        Arc::new(iam::policy_document::PolicyDocument),
        ec2::data_sources::vpc(),
        ec2::data_sources::subnets(),
        ec2::data_sources::security_group(),
        ec2::ssm_parameter::data_source(),
    ]
}
