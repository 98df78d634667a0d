//! terraform-provider-awsecs: a Terraform/OpenTofu provider (plugin protocol 5) for container stacks
//! on Amazon ECS with EC2 capacity.
//!
//! Layers, outermost first: `plugin` (go-plugin handshake, mTLS, controller) → `tfplugin5` (wire
//! messages ↔ framework calls) → `framework` (schemas, values, plan rules) → `resources` (one file
//! per AWS resource) with shared AWS helpers in `aws`.

#[macro_use]
mod logging;
mod aws;
mod framework;
mod plugin;
mod resources;
mod tfplugin5;

use std::process::ExitCode;
use std::sync::Arc;

fn main() -> ExitCode {
    let mode = match plugin::startup(std::env::args().skip(1).collect()) {
        Ok(mode) => mode,
        Err(code) => return code,
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("terraform-provider-awsecs: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let server = Arc::new(framework::server::Server::new(aws::AwsProvider::default()));
        plugin::serve(mode, tfplugin5::routes(server)).await
    })
}
