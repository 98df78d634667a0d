//! go-plugin transport: handshake, AutoMTLS with a pinned client certificate, controller, health.
//! (Stub: the transport lands in its own change.)

use std::process::ExitCode;

pub struct Mode;

pub fn startup(_args: Vec<String>) -> Result<Mode, ExitCode> {
    Err(ExitCode::FAILURE)
}

pub async fn serve(_mode: Mode, _routes: tonic::service::Routes) -> ExitCode {
    ExitCode::FAILURE
}
