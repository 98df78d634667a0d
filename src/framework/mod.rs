//! The provider framework: values, schemas, plan rules and the typed resource API. Knows nothing of
//! the wire protocol (see `tfplugin5`) or of AWS (see `aws`, `resources`).

pub mod diag;
pub mod docs;
pub mod moving;
pub mod plan;
pub mod resource;
pub mod schema;
pub mod server;
#[cfg(test)]
mod server_tests;
pub mod stop;
pub mod validators;
pub mod value;

pub use diag::{AttrPath, Diagnostic, Diagnostics};
pub use moving::{TwinProvider, TwinState};
pub use resource::{
    ApplyError, ApplyResult, Ctx, DataSource, Plan, PlanRequest, Provider, Resource,
};
pub use schema::{Attribute, Block, NestedBlock, Nesting, Schema};
pub use stop::{StopToken, Stopped};
pub use value::{Number, Type, Value};
