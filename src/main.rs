//! The `terraform-provider-awsecs` executable: started by terraform/tofu as a go-plugin.

use std::process::ExitCode;
use std::sync::Arc;

use terraform_provider_awsecs::{aws, framework, plugin, tfplugin5};

fn main() -> ExitCode {
    let mode = match plugin::startup(std::env::args().skip(1).collect()) {
        Ok(mode) => mode,
        Err(code) => return code,
    };
    // One thread: the provider waits on AWS and terraform, its own CPU work is small, and every
    // extra worker thread costs a stack and a malloc arena of resident memory (bench/: peak RSS).
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("terraform-provider-awsecs: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let code = runtime.block_on(async move {
        let server = Arc::new(framework::server::Server::new(aws::AwsProvider));
        plugin::serve(mode, tfplugin5::routes(server)).await
    });
    // Do not let a lingering blocking task (e.g. a DNS lookup) delay exit after Shutdown.
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    code
}
