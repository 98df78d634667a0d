//! go-plugin transport: the startup contract with terraform/tofu (cookie, protocol negotiation,
//! handshake line), the listener (unix socket or TCP), AutoMTLS with a pinned client
//! certificate, and go-plugin's controller and health services next to the provider's routes.
//!
//! `startup` runs before the async runtime exists and decides what to do; `serve` listens,
//! prints the handshake line as the only thing on stdout, and serves until the client's
//! controller Shutdown, SIGTERM, or (in `--debug` only) SIGINT.

mod handshake;
mod listen;
mod services;
mod tls;

#[cfg(test)]
mod tests;

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use rustls::pki_types::CertificateDer;
use tokio_rustls::TlsAcceptor;

use handshake::Command;
use listen::{ListenConfig, Listener};
use services::Stop;

/// How long in-flight calls may drain after shutdown is requested. go-plugin's client kills the
/// process 2 s after calling Shutdown, so waiting longer would gain nothing.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// What `startup` decided: how to serve.
pub struct Mode {
    debug: bool,
    /// Pinned client certificates from PLUGIN_CLIENT_CERT; `None` serves plaintext.
    client_certs: Option<Vec<CertificateDer<'static>>>,
    listen: ListenConfig,
}

/// Handles the command line and the go-plugin environment checks. `Err` carries the exit code
/// for runs that end here (`--version`, `--help`, bad flags, not started by terraform/tofu).
pub fn startup(args: Vec<String>) -> Result<Mode, ExitCode> {
    crate::logging::mark_start();
    let var = |k: &str| std::env::var(k).ok();
    let command = match handshake::parse_args(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{}: {e}\n\n{}", handshake::BINARY, handshake::usage());
            return Err(ExitCode::from(2));
        }
    };
    let listen = ListenConfig {
        socket_dir: std::env::var_os("PLUGIN_UNIX_SOCKET_DIR").map(Into::into),
        socket_group: var("PLUGIN_UNIX_SOCKET_GROUP"),
        min_port: var("PLUGIN_MIN_PORT"),
        max_port: var("PLUGIN_MAX_PORT"),
    };
    match command {
        Command::Version => {
            println!("{}", handshake::version_line());
            Err(ExitCode::SUCCESS)
        }
        Command::Help => {
            print!("{}", handshake::usage());
            Err(ExitCode::SUCCESS)
        }
        // Reattach clients dial plaintext and never send the cookie.
        Command::Debug => Ok(Mode {
            debug: true,
            client_certs: None,
            listen,
        }),
        Command::Serve => {
            if let Err(e) = handshake::check_cookie(var(handshake::MAGIC_COOKIE_KEY).as_deref()) {
                eprint!("{}", handshake::cookie_explanation(e));
                return Err(ExitCode::FAILURE);
            }
            if let Err(e) =
                handshake::negotiate_protocol(var("PLUGIN_PROTOCOL_VERSIONS").as_deref())
            {
                log_error!(e.to_string());
                return Err(ExitCode::FAILURE);
            }
            let client_certs = match var("PLUGIN_CLIENT_CERT").filter(|v| !v.is_empty()) {
                None => None,
                Some(pem) => match tls::parse_client_certs(&pem) {
                    Ok(certs) => Some(certs),
                    Err(e) => {
                        log_error!("cannot set up AutoMTLS", "error" = e);
                        return Err(ExitCode::FAILURE);
                    }
                },
            };
            if var("PLUGIN_MULTIPLEX_GRPC").is_some_and(|v| v == "true") {
                log_debug!(
                    "PLUGIN_MULTIPLEX_GRPC is set, but broker multiplexing is not supported"
                );
            }
            Ok(Mode {
                debug: false,
                client_certs,
                listen,
            })
        }
    }
}

/// Listens, announces the address on stdout, and serves `routes` plus go-plugin's controller and
/// health services until told to stop.
pub async fn serve(mode: Mode, routes: tonic::service::Routes) -> ExitCode {
    // Start-up timing (debug line below): main -> here is the runtime and the schemas.
    let entered_ms = crate::logging::since_start_ms();
    let stop = Stop::new();
    watch_signals(&stop, mode.debug);

    let (listener, endpoint, socket_file) = match listen::bind(&mode.listen) {
        Ok(bound) => bound,
        Err(e) => {
            log_error!("cannot listen for the plugin client", "error" = e);
            return ExitCode::FAILURE;
        }
    };
    let tls_started = std::time::Instant::now();
    let (acceptor, server_cert) = match &mode.client_certs {
        None => (None, None),
        Some(pinned) => match tls_acceptor(pinned.clone()) {
            Ok((acceptor, cert)) => (Some(acceptor), Some(cert)),
            Err(e) => {
                log_error!("cannot set up AutoMTLS", "error" = e);
                return ExitCode::FAILURE;
            }
        },
    };

    let tls_setup_ms = crate::logging::ms(tls_started.elapsed());
    let server = Server::new(routes, stop.clone()).await;
    let announcement = if mode.debug {
        handshake::debug_banner(&endpoint, std::process::id())
    } else {
        handshake::handshake_line(&endpoint, server_cert.as_ref().map(|c| c.as_ref()))
    };
    if let Err(e) = print_stdout(&announcement) {
        log_error!("cannot write the handshake to stdout", "error" = e);
        return ExitCode::FAILURE;
    }
    log_debug!(
        "plugin server listening",
        "network" = endpoint.network,
        "address" = endpoint.address,
        "tls" = acceptor.is_some(),
        "debug" = mode.debug,
        "serve_entered_ms" = entered_ms,
        "tls_setup_ms" = tls_setup_ms,
        "handshake_written_ms" = crate::logging::since_start_ms()
    );

    let result = server.run(listener, acceptor).await;
    drop(socket_file);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            log_error!("plugin server failed", "error" = e);
            ExitCode::FAILURE
        }
    }
}

fn tls_acceptor(
    pinned: Vec<CertificateDer<'static>>,
) -> Result<(TlsAcceptor, CertificateDer<'static>), String> {
    let started = std::time::Instant::now();
    let identity = tls::generate_server_identity()
        .map_err(|e| format!("cannot generate the server certificate: {e}"))?;
    let generated = started.elapsed();
    let config = tls::server_config(&identity, pinned)
        .map_err(|e| format!("cannot build the TLS configuration: {e}"))?;
    log_trace!(
        "AutoMTLS set up",
        "certificate_ms" = crate::logging::ms(generated),
        "config_ms" = crate::logging::ms(started.elapsed() - generated)
    );
    Ok((TlsAcceptor::from(config), identity.cert))
}

fn print_stdout(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}")?;
    out.flush()
}

/// SIGTERM stops the server. SIGINT is ignored unless in `--debug`: Terraform forwards Ctrl-C to
/// the whole process group but cancels through the Stop RPC, and go-plugin plugins ignore it.
fn watch_signals(stop: &Stop, debug: bool) {
    use tokio::signal::unix::{signal, SignalKind};
    match signal(SignalKind::terminate()) {
        Ok(mut sigterm) => {
            let stop = stop.clone();
            tokio::spawn(async move {
                if sigterm.recv().await.is_some() {
                    stop.trigger("SIGTERM");
                }
            });
        }
        Err(e) => log_warn!("cannot watch SIGTERM", "error" = e),
    }
    match signal(SignalKind::interrupt()) {
        Ok(mut sigint) => {
            let stop = stop.clone();
            tokio::spawn(async move {
                while sigint.recv().await.is_some() {
                    if debug {
                        stop.trigger("SIGINT");
                    } else {
                        log_debug!(
                            "ignoring SIGINT; the plugin client stops us through its controller"
                        );
                    }
                }
            });
        }
        Err(e) => log_warn!("cannot watch SIGINT", "error" = e),
    }
}

/// The gRPC server: the provider's routes plus go-plugin's auxiliary services.
struct Server {
    router: tonic::transport::server::Router,
    stop: Stop,
}

impl Server {
    async fn new(routes: tonic::service::Routes, stop: Stop) -> Server {
        // No message-size cap is set at this level: tonic's limits live on each service, and
        // the provider service raises its own. The auxiliary services only carry tiny messages.
        let router = tonic::transport::Server::builder()
            .add_routes(routes)
            .add_service(services::health().await)
            .add_service(services::controller(stop.clone()));
        Server { router, stop }
    }

    /// Serves until `stop` fires, then drains for at most SHUTDOWN_GRACE.
    async fn run(self, listener: Listener, tls: Option<TlsAcceptor>) -> Result<(), String> {
        let incoming = listen::incoming(listener, tls);
        let stop = self.stop.clone();
        let signal = async move {
            let reason = stop.requested().await;
            log_debug!("plugin server shutting down", "reason" = reason);
        };
        let serving = self.router.serve_with_incoming_shutdown(incoming, signal);
        let deadline = async {
            self.stop.requested().await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        };
        tokio::select! {
            result = serving => result.map_err(|e| e.to_string()),
            () = deadline => {
                log_warn!(
                    "calls still running after the shutdown grace period; exiting anyway",
                    "grace_seconds" = SHUTDOWN_GRACE.as_secs()
                );
                Ok(())
            }
        }
    }
}
