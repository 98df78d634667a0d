//! ECS resources (regional).

pub mod service;
mod service_schema;
mod service_state;
mod service_wait;
pub mod task_definition;
mod task_definition_schema;
