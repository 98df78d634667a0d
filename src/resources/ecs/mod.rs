//! ECS resources (regional).

// pub mod service;
// mod service_schema;
pub mod task_definition;
mod task_definition_schema;
