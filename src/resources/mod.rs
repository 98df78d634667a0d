//! The registry: one line per resource and data source, one file each under `<service>/`.

pub mod autoscaling;
pub mod ec2;
pub mod ecr;
pub mod ecs;
pub mod elbv2;
pub mod iam;
pub mod logs;
pub mod meta;
pub mod servicediscovery;

#[cfg(test)]
pub mod testing;
#[cfg(test)]
mod twin_moves;

use std::sync::Arc;

use crate::aws::AwsClients;
use crate::framework::{DataSource, Resource, TwinProvider};

pub fn resources() -> Vec<Arc<dyn Resource<AwsClients>>> {
    vec![
        iam::role::resource(),
        iam::role_policy_attachment::resource(),
        ecr::repository::resource(),
        servicediscovery::private_dns_namespace::resource(),
        servicediscovery::http_namespace::resource(),
        servicediscovery::service::resource(),
        logs::log_group::resource(),
        iam::instance_profile::resource(),
        iam::role_policy::resource(),
        iam::managed_policy::resource(),
        ecr::lifecycle_policy::resource(),
        ecr::repository_policy::resource(),
        elbv2::lb::resource(),
        elbv2::target_group::resource(),
        elbv2::listener::resource(),
        elbv2::listener_rule::resource(),
        ec2::launch_template::resource(),
        ec2::security_group::resource(),
        ec2::security_group_rule::ingress(),
        ec2::security_group_rule::egress(),
        autoscaling::group::resource(),
        ecs::cluster::resource(),
        ecs::capacity_provider::resource(),
        ecs::cluster_capacity_providers::resource(),
        ecs::task_definition::resource(),
        ecs::service::resource(),
    ]
}

pub fn data_sources() -> Vec<Arc<dyn DataSource<AwsClients>>> {
    vec![
        meta::caller_identity::data_source(),
        meta::region::data_source(),
        Arc::new(iam::policy_document::PolicyDocument),
        servicediscovery::dns_namespace_data::data_source(),
        ecr::authorization_token::data_source(),
        ecr::repository_data::data_source(),
        ec2::data_sources::vpc(),
        ec2::data_sources::subnets(),
        ec2::data_sources::security_group(),
        ec2::ssm_parameter::data_source(),
    ]
}

/// hashicorp/aws, whose `aws_X` types are the twins of our `awsecs_X` (MoveResourceState).
pub fn twin_provider() -> TwinProvider {
    TwinProvider {
        addresses: vec![
            "registry.terraform.io/hashicorp/aws",
            "registry.opentofu.org/hashicorp/aws",
        ],
        twin_prefix: "aws_",
        own_prefix: "awsecs_",
    }
}
