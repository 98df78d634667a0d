//! go-plugin's auxiliary gRPC services: the controller the client calls to make us exit, and the
//! standard health service reporting SERVING for "plugin".

use tokio::sync::watch;

#[allow(clippy::all, clippy::pedantic)]
pub mod proto {
    tonic::include_proto!("plugin");
}

use proto::grpc_controller_server::{GrpcController, GrpcControllerServer};

/// The service name go-plugin's client checks (`GRPCServiceName`).
pub const HEALTH_SERVICE_NAME: &str = "plugin";

/// A one-shot, many-listener stop signal carrying the first reason given.
#[derive(Clone)]
pub struct Stop {
    tx: watch::Sender<Option<&'static str>>,
}

impl Stop {
    pub fn new() -> Self {
        Stop {
            tx: watch::channel(None).0,
        }
    }

    /// Requests shutdown; later requests keep the first reason.
    pub fn trigger(&self, reason: &'static str) {
        self.tx.send_if_modified(|current| {
            if current.is_none() {
                *current = Some(reason);
                true
            } else {
                false
            }
        });
    }

    /// Resolves once shutdown was requested, with the reason.
    pub async fn requested(&self) -> &'static str {
        let mut rx = self.tx.subscribe();
        // The sender lives in `self`, so the channel cannot close while we wait.
        let reason = match rx.wait_for(Option::is_some).await {
            Ok(reason) => reason.unwrap_or("unknown"),
            Err(_) => "unknown",
        };
        reason
    }
}

struct Controller {
    stop: Stop,
}

#[tonic::async_trait]
impl GrpcController for Controller {
    async fn shutdown(
        &self,
        _request: tonic::Request<proto::Empty>,
    ) -> Result<tonic::Response<proto::Empty>, tonic::Status> {
        log_debug!("plugin client requested shutdown");
        // Graceful: this response is still delivered before the connection drains.
        self.stop.trigger("controller shutdown");
        Ok(tonic::Response::new(proto::Empty {}))
    }
}

pub fn controller(stop: Stop) -> GrpcControllerServer<impl GrpcController> {
    GrpcControllerServer::new(Controller { stop })
}

/// The health service with "plugin" (and the overall "" entry) SERVING.
pub async fn health(
) -> tonic_health::pb::health_server::HealthServer<impl tonic_health::pb::health_server::Health> {
    let (reporter, service) = tonic_health::server::health_reporter();
    reporter
        .set_service_status(HEALTH_SERVICE_NAME, tonic_health::ServingStatus::Serving)
        .await;
    service
}
