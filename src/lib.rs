//! terraform-provider-awsecs: a Terraform/OpenTofu provider (plugin protocol 5) for container stacks
//! on Amazon ECS with EC2 capacity.
//!
//! Layers, outermost first: `plugin` (go-plugin handshake, mTLS, controller) → `tfplugin5` (wire
//! messages ↔ framework calls) → `framework` (schemas, values, plan rules) → `resources` (one file
//! per AWS resource) with shared AWS helpers in `aws`.

#[macro_use]
pub mod logging;
pub mod aws;
pub mod docs;
pub mod framework;
pub mod plugin;
pub mod resources;
pub mod tfplugin5;
