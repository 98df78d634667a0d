//! ECS resources (regional).

pub mod capacity_provider;
mod capacity_provider_schema;
pub mod cluster;
pub mod cluster_capacity_providers;
mod cluster_support;
