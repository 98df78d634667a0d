//! End-to-end transport tests over real unix sockets: AutoMTLS with a Terraform-shaped P-521
//! client certificate, the health service, and the controller's Shutdown.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hyper_util::rt::TokioIo;
use rustls::client::ResolvesClientCert;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use rustls::sign::CertifiedKey;
use rustls::{ClientConfig, SignatureScheme};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::UnixStream;
use tokio_rustls::TlsConnector;
use tonic::transport::{Channel, Endpoint, Uri};
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use tonic_health::pb::HealthCheckRequest;

use super::listen::{self, ListenConfig};
use super::services::{proto, Stop};
use super::tls::tests::{terraform_like_client_cert, to_pem};
use super::{tls, tls_acceptor, Server};

/// Guards against a hang turning into a stuck test run; never an assertion about speed.
const HANG_GUARD: Duration = Duration::from_secs(60);

async fn guarded<F: std::future::Future>(f: F) -> F::Output {
    tokio::time::timeout(HANG_GUARD, f)
        .await
        .expect("test step hung")
}

struct Running {
    socket: PathBuf,
    server_cert: Option<CertificateDer<'static>>,
    task: tokio::task::JoinHandle<Result<(), String>>,
    _dir: tempfile::TempDir,
    _socket_file: Option<listen::SocketFile>,
}

/// Starts the real server (provider routes empty) on a fresh unix socket.
async fn start(pinned: Option<Vec<CertificateDer<'static>>>) -> Running {
    let dir = tempfile::tempdir().unwrap();
    let config = ListenConfig {
        socket_dir: Some(dir.path().to_path_buf()),
        ..Default::default()
    };
    let (listener, endpoint, socket_file) = listen::bind(&config).unwrap();
    assert_eq!(endpoint.network, "unix");
    let (acceptor, server_cert) = match pinned {
        Some(p) => {
            let (a, c) = tls_acceptor(p).unwrap();
            (Some(a), Some(c))
        }
        None => (None, None),
    };
    let server = Server::new(tonic::service::Routes::default(), Stop::new()).await;
    let task = tokio::spawn(server.run(listener, acceptor));
    Running {
        socket: PathBuf::from(endpoint.address),
        server_cert,
        task,
        _dir: dir,
        _socket_file: socket_file,
    }
}

/// What the server asked for in its CertificateRequest, as seen by the client.
#[derive(Debug, Default)]
struct SeenRequest {
    hints: Vec<Vec<u8>>,
    schemes: Vec<SignatureScheme>,
}

#[derive(Debug)]
struct RecordingResolver {
    key: Option<Arc<CertifiedKey>>,
    seen: Arc<Mutex<Option<SeenRequest>>>,
}

impl ResolvesClientCert for RecordingResolver {
    fn resolve(&self, hints: &[&[u8]], schemes: &[SignatureScheme]) -> Option<Arc<CertifiedKey>> {
        *self.seen.lock().unwrap() = Some(SeenRequest {
            hints: hints.iter().map(|h| h.to_vec()).collect(),
            schemes: schemes.to_vec(),
        });
        self.key.clone()
    }
    fn has_certs(&self) -> bool {
        self.key.is_some()
    }
}

/// A client that trusts exactly the announced server certificate as its own root and checks it
/// for "localhost" with webpki, much as go-plugin's client does with Go's verifier.
fn client_config(
    server_cert: &CertificateDer<'static>,
    client: Option<(&rcgen::Certificate, &rcgen::KeyPair)>,
    tls12_only: bool,
) -> (Arc<ClientConfig>, Arc<Mutex<Option<SeenRequest>>>) {
    let provider = tls::provider();
    let mut roots = rustls::RootCertStore::empty();
    roots.add(server_cert.clone()).unwrap();
    let key = client.map(|(cert, key)| {
        let der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        // No key/certificate consistency check: one test presents a certificate it cannot sign for.
        let signer = provider.key_provider.load_private_key(der).unwrap();
        Arc::new(CertifiedKey::new(vec![cert.der().clone()], signer))
    });
    let seen = Arc::new(Mutex::new(None));
    let versions: &[&rustls::SupportedProtocolVersion] = if tls12_only {
        &[&rustls::version::TLS12]
    } else {
        &[&rustls::version::TLS13, &rustls::version::TLS12]
    };
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)
        .unwrap()
        .with_root_certificates(roots)
        .with_client_cert_resolver(Arc::new(RecordingResolver {
            key,
            seen: seen.clone(),
        }));
    config.alpn_protocols = vec![b"h2".to_vec()];
    (Arc::new(config), seen)
}

async fn tls_channel(
    socket: PathBuf,
    config: Arc<ClientConfig>,
) -> Result<Channel, tonic::transport::Error> {
    let connector = TlsConnector::from(config);
    Endpoint::from_static("http://localhost")
        .connect_with_connector(tower::service_fn(move |_: Uri| {
            let (socket, connector) = (socket.clone(), connector.clone());
            async move {
                let stream = UnixStream::connect(socket).await?;
                let name = ServerName::try_from("localhost").unwrap();
                let tls = connector.connect(name, stream).await?;
                Ok::<_, std::io::Error>(TokioIo::new(tls))
            }
        }))
        .await
}

async fn plain_channel(socket: PathBuf) -> Channel {
    Endpoint::from_static("http://localhost")
        .connect_with_connector(tower::service_fn(move |_: Uri| {
            let socket = socket.clone();
            async move { Ok::<_, std::io::Error>(TokioIo::new(UnixStream::connect(socket).await?)) }
        }))
        .await
        .unwrap()
}

async fn health(channel: Channel, service: &str) -> Result<i32, tonic::Status> {
    let request = HealthCheckRequest {
        service: service.to_string(),
    };
    let response = HealthClient::new(channel).check(request).await?;
    Ok(response.into_inner().status)
}

/// Calls plugin.GRPCController/Shutdown the way go-plugin's client does.
async fn controller_shutdown(channel: Channel) -> Result<(), tonic::Status> {
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready()
        .await
        .map_err(|e| tonic::Status::unavailable(e.to_string()))?;
    let path =
        tonic::codegen::http::uri::PathAndQuery::from_static("/plugin.GRPCController/Shutdown");
    let codec = tonic_prost::ProstCodec::<proto::Empty, proto::Empty>::default();
    grpc.unary(tonic::Request::new(proto::Empty {}), path, codec)
        .await
        .map(|_| ())
}

/// Does a raw TLS session with this client config get as far as an HTTP/2 answer? Writes the
/// HTTP/2 preface and a SETTINGS frame; an accepted connection answers with SETTINGS, a refused
/// one fails the handshake or ends with an alert/EOF.
async fn raw_session_accepted(socket: &PathBuf, config: Arc<ClientConfig>) -> Result<(), String> {
    let stream = UnixStream::connect(socket)
        .await
        .map_err(|e| e.to_string())?;
    let name = ServerName::try_from("localhost").unwrap();
    let mut tls = TlsConnector::from(config)
        .connect(name, stream)
        .await
        .map_err(|e| format!("handshake: {e}"))?;
    let mut hello = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec();
    hello.extend_from_slice(&[0, 0, 0, 4, 0, 0, 0, 0, 0]);
    tls.write_all(&hello)
        .await
        .map_err(|e| format!("write: {e}"))?;
    let mut buf = [0u8; 64];
    match tls.read(&mut buf).await {
        Ok(0) => Err("closed".into()),
        Ok(_) => Ok(()),
        Err(e) => Err(format!("read: {e}")),
    }
}

#[tokio::test]
async fn pinned_mtls_accepts_only_the_terraform_certificate() {
    let (client_cert, client_key) = terraform_like_client_cert();
    // Pinned from PEM, exactly as PLUGIN_CLIENT_CERT arrives.
    let pinned = tls::parse_client_certs(&to_pem(client_cert.der())).unwrap();
    let server = start(Some(pinned)).await;
    let server_cert = server.server_cert.clone().unwrap();

    // (a) The pinned P-521 certificate: TLS 1.3 and TLS 1.2, then gRPC health for "plugin".
    for tls12_only in [false, true] {
        let (config, seen) =
            client_config(&server_cert, Some((&client_cert, &client_key)), tls12_only);
        guarded(raw_session_accepted(&server.socket, config.clone()))
            .await
            .unwrap_or_else(|e| panic!("pinned client refused (tls12_only={tls12_only}): {e}"));
        let channel = guarded(tls_channel(server.socket.clone(), config))
            .await
            .unwrap();
        let status = guarded(health(channel.clone(), "plugin")).await.unwrap();
        assert_eq!(status, ServingStatus::Serving as i32);
        let unknown = guarded(health(channel, "no-such-service"))
            .await
            .unwrap_err();
        assert_eq!(unknown.code(), tonic::Code::NotFound);

        // The CertificateRequest must let Go's client pick its certificate: P-521 among the
        // schemes and the certificate's own name among the hints.
        let seen = seen
            .lock()
            .unwrap()
            .take()
            .expect("server requested a client certificate");
        assert!(seen
            .schemes
            .contains(&SignatureScheme::ECDSA_NISTP521_SHA512));
        let names = tls::cert_names(client_cert.der()).unwrap();
        assert_eq!(seen.hints, vec![names.subject.to_vec()]);
    }

    // (b) A different, equally valid P-521 certificate is refused.
    let (other_cert, other_key) = terraform_like_client_cert();
    let (config, _) = client_config(&server_cert, Some((&other_cert, &other_key)), false);
    let refused = guarded(raw_session_accepted(&server.socket, config.clone())).await;
    assert!(refused.is_err(), "a foreign certificate was accepted");
    let channel = guarded(tls_channel(server.socket.clone(), config)).await;
    if let Ok(channel) = channel {
        assert!(guarded(health(channel, "plugin")).await.is_err());
    }

    // (b') The pinned certificate without its private key: the handshake signature fails.
    let (config, _) = client_config(&server_cert, Some((&client_cert, &other_key)), false);
    let refused = guarded(raw_session_accepted(&server.socket, config)).await;
    assert!(
        refused.is_err(),
        "a stolen certificate without its key was accepted"
    );
    let (config, _) = client_config(&server_cert, Some((&client_cert, &other_key)), true);
    let refused = guarded(raw_session_accepted(&server.socket, config)).await;
    assert!(
        refused.is_err(),
        "TLS 1.2: a certificate without its key was accepted"
    );

    // (c) No certificate at all is refused.
    let (config, seen) = client_config(&server_cert, None, false);
    let refused = guarded(raw_session_accepted(&server.socket, config.clone())).await;
    assert!(
        refused.is_err(),
        "a client without certificate was accepted"
    );
    assert!(
        seen.lock().unwrap().is_some(),
        "server asked for a certificate"
    );
    let (config12, _) = client_config(&server_cert, None, true);
    assert!(guarded(raw_session_accepted(&server.socket, config12))
        .await
        .is_err());

    // A client that does not trust the announced certificate cannot connect either way round:
    // the server certificate really is the one printed in the handshake line.
    let stranger = tls::generate_server_identity().unwrap();
    let (config, _) = client_config(&stranger.cert, Some((&client_cert, &client_key)), false);
    assert!(guarded(raw_session_accepted(&server.socket, config))
        .await
        .is_err());

    // The server survived the refused clients and stops on the controller's Shutdown.
    let (config, _) = client_config(&server_cert, Some((&client_cert, &client_key)), false);
    let channel = guarded(tls_channel(server.socket.clone(), config))
        .await
        .unwrap();
    guarded(controller_shutdown(channel)).await.unwrap();
    let result = guarded(server.task).await.unwrap();
    assert_eq!(result, Ok(()));
}

#[tokio::test]
async fn plaintext_health_and_controller_shutdown() {
    let server = start(None).await;
    assert!(server.server_cert.is_none());
    let channel = guarded(plain_channel(server.socket.clone())).await;
    let status = guarded(health(channel.clone(), "plugin")).await.unwrap();
    assert_eq!(status, ServingStatus::Serving as i32);
    // The provider's routes are empty here: an unknown service answers Unimplemented.
    let mut grpc = tonic::client::Grpc::new(channel.clone());
    grpc.ready().await.unwrap();
    let path =
        tonic::codegen::http::uri::PathAndQuery::from_static("/tfplugin5.Provider/GetSchema");
    let codec = tonic_prost::ProstCodec::<proto::Empty, proto::Empty>::default();
    let err = guarded(grpc.unary(tonic::Request::new(proto::Empty {}), path, codec))
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::Unimplemented);

    guarded(controller_shutdown(channel)).await.unwrap();
    let result = guarded(server.task).await.unwrap();
    assert_eq!(result, Ok(()));
}

#[tokio::test]
async fn stop_keeps_first_reason() {
    let stop = Stop::new();
    let waiter = tokio::spawn({
        let stop = stop.clone();
        async move { stop.requested().await }
    });
    stop.trigger("SIGTERM");
    stop.trigger("controller shutdown");
    assert_eq!(guarded(waiter).await.unwrap(), "SIGTERM");
    // A late listener still sees the request.
    assert_eq!(guarded(stop.requested()).await, "SIGTERM");
}
