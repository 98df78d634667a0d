//! The tfplugin5 gRPC service: decodes wire values with the schema's types, calls the framework
//! server, encodes the answers. Knows protobuf and msgpack; knows nothing of AWS.

pub mod codec;
#[cfg(test)]
mod codec_props;
mod convert;
mod service;
#[cfg(test)]
mod service_tests;

use std::sync::Arc;

use crate::framework::resource::Provider;
use crate::framework::server::Server;

#[allow(clippy::all, dead_code)]
pub mod proto {
    tonic::include_proto!("tfplugin5");
}

/// Terraform sends whole configurations and states in single messages: allow far more than
/// tonic's 4 MiB default (Terraform itself accepts up to 2 GiB; terraform-plugin-go uses 256 MiB).
const MAX_MESSAGE_BYTES: usize = 256 << 20;

pub fn routes<P: Provider>(server: Arc<Server<P>>) -> tonic::service::Routes {
    let svc = proto::provider_server::ProviderServer::new(service::ProviderService::new(server))
        .max_decoding_message_size(MAX_MESSAGE_BYTES)
        .max_encoding_message_size(MAX_MESSAGE_BYTES);
    tonic::service::Routes::new(svc)
}
