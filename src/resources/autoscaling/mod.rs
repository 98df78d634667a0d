//! EC2 Auto Scaling resources (regional).

pub mod group;
mod group_api;
mod group_schema;
mod group_wait;
