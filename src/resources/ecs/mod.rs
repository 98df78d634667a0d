//! ECS resources (regional).

pub mod capacity_provider;
mod capacity_provider_schema;
pub mod cluster;
pub mod cluster_capacity_providers;
mod cluster_support;
pub mod service;
mod service_lb;
mod service_schema;
mod service_state;
pub(crate) mod service_task_definition;
mod service_wait;
pub mod task_definition;
mod task_definition_schema;

#[cfg(test)]
mod tests;
