//! The tfplugin5 gRPC service: decodes wire values with the schema's types, calls the framework
//! server, encodes the answers. (Work in progress: codec and service land next.)

use std::sync::Arc;

use crate::framework::resource::Provider;
use crate::framework::server::Server;

#[allow(dead_code)]
pub mod proto {
    tonic::include_proto!("tfplugin5");
}

pub fn routes<P: Provider>(_server: Arc<Server<P>>) -> tonic::service::Routes {
    tonic::service::Routes::default()
}
