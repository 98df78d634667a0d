//! Listening like a go-plugin server: a unix socket with a unique name in
//! PLUGIN_UNIX_SOCKET_DIR (or the temp dir), else TCP on 127.0.0.1 within
//! PLUGIN_MIN_PORT..=PLUGIN_MAX_PORT. The accept loop runs TLS handshakes in their own tasks so
//! a slow or hostile client cannot stall it, and hands finished connections to tonic.

use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream, UnixListener, UnixStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_stream::wrappers::ReceiverStream;

use super::handshake::Endpoint;

/// How long a client may take to finish the TLS handshake before it is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Listening settings, read from the environment at startup.
#[derive(Debug, Clone, Default)]
pub struct ListenConfig {
    pub socket_dir: Option<PathBuf>,
    pub socket_group: Option<String>,
    pub min_port: Option<String>,
    pub max_port: Option<String>,
}

pub enum Listener {
    Unix(UnixListener),
    Tcp(TcpListener),
}

/// Removes the socket file when dropped (go-plugin removes it on close too).
#[derive(Debug)]
pub struct SocketFile(PathBuf);

impl Drop for SocketFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Binds the unix socket, falling back to TCP when that fails for any reason but a group
/// setting we cannot apply (that is a configuration error, reported as such).
pub fn bind(config: &ListenConfig) -> Result<(Listener, Endpoint, Option<SocketFile>), String> {
    let dir = config
        .socket_dir
        .clone()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or_else(std::env::temp_dir);
    match bind_unix(&dir) {
        Ok((listener, path)) => {
            let guard = SocketFile(path.clone());
            if let Some(group) = config.socket_group.as_deref().filter(|g| !g.is_empty()) {
                set_group_writable(&path, group).map_err(|e| {
                    format!(
                        "cannot give socket {} to group {group:?} (PLUGIN_UNIX_SOCKET_GROUP): {e}",
                        path.display()
                    )
                })?;
            }
            let endpoint = Endpoint {
                network: "unix",
                address: path.to_string_lossy().into_owned(),
            };
            Ok((Listener::Unix(listener), endpoint, Some(guard)))
        }
        Err(unix_err) => {
            log_warn!(
                "cannot listen on a unix socket; falling back to TCP",
                "dir" = dir.display(),
                "error" = unix_err
            );
            let (min, max) = port_range(config.min_port.as_deref(), config.max_port.as_deref())?;
            let listener = bind_tcp(min, max)?;
            let addr = listener
                .local_addr()
                .map_err(|e| format!("cannot read the TCP listener address: {e}"))?;
            let endpoint = Endpoint {
                network: "tcp",
                address: addr.to_string(),
            };
            Ok((Listener::Tcp(listener), endpoint, None))
        }
    }
}

/// Binds `<dir>/awsecs-plugin-<pid>-<nonce>`, retrying a few names if one is taken.
pub fn bind_unix(dir: &Path) -> io::Result<(UnixListener, PathBuf)> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    let mut last_err = None;
    for _ in 0..8 {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let name = format!("awsecs-plugin-{}-{nanos:08x}-{n}", std::process::id());
        let path = dir.join(name);
        match UnixListener::bind(&path) {
            Ok(listener) => return Ok((listener, path)),
            Err(e) if e.kind() == io::ErrorKind::AddrInUse => last_err = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last_err.unwrap_or_else(|| io::Error::other("no free socket name")))
}

/// go-plugin's defaults apply when the variables are absent.
pub fn port_range(min: Option<&str>, max: Option<&str>) -> Result<(u16, u16), String> {
    fn parse(name: &str, value: Option<&str>, default: u16) -> Result<u16, String> {
        match value.map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(default),
            Some(v) => v
                .parse::<u16>()
                .map_err(|_| format!("{name}={v:?} is not a port number")),
        }
    }
    let min = parse("PLUGIN_MIN_PORT", min, 10000)?;
    let max = parse("PLUGIN_MAX_PORT", max, 25000)?;
    if min > max {
        return Err(format!(
            "PLUGIN_MIN_PORT ({min}) is greater than PLUGIN_MAX_PORT ({max})"
        ));
    }
    Ok((min, max))
}

fn bind_tcp(min: u16, max: u16) -> Result<TcpListener, String> {
    for port in min..=max {
        let Ok(std_listener) = std::net::TcpListener::bind(("127.0.0.1", port)) else {
            continue;
        };
        let listener = std_listener
            .set_nonblocking(true)
            .and_then(|()| TcpListener::from_std(std_listener))
            .map_err(|e| format!("cannot use TCP listener on port {port}: {e}"))?;
        return Ok(listener);
    }
    Err(format!("no free TCP port on 127.0.0.1 in {min}..={max}"))
}

/// Hands the socket to a group (name or numeric id) and makes it group-writable, like
/// go-plugin's `setGroupWritable`. Names are looked up in /etc/group only (no NSS).
fn set_group_writable(path: &Path, group: &str) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let gid = match group.parse::<u32>() {
        Ok(gid) => gid,
        Err(_) => {
            lookup_group(&std::fs::read_to_string("/etc/group")?, group).ok_or_else(|| {
                io::Error::new(io::ErrorKind::NotFound, "no such group in /etc/group")
            })?
        }
    };
    std::os::unix::fs::chown(path, None, Some(gid))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o660))
}

fn lookup_group(etc_group: &str, name: &str) -> Option<u32> {
    etc_group.lines().find_map(|line| {
        let mut fields = line.split(':');
        let (n, _pw, gid) = (fields.next()?, fields.next()?, fields.next()?);
        (n == name).then(|| gid.parse().ok()).flatten()
    })
}

/// A raw accepted stream.
pub enum Stream {
    Unix(UnixStream),
    Tcp(TcpStream),
}

/// What tonic serves: the raw stream, or TLS over it.
pub enum Conn {
    Plain(Stream),
    Tls(Box<tokio_rustls::server::TlsStream<Stream>>),
}

impl tonic::transport::server::Connected for Conn {
    type ConnectInfo = ();
    fn connect_info(&self) -> Self::ConnectInfo {}
}

macro_rules! delegate_io {
    ($self:ident, $s:ident => $call:expr) => {
        match $self.get_mut() {
            Self::Unix($s) => $call,
            Self::Tcp($s) => $call,
        }
    };
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        delegate_io!(self, s => Pin::new(s).poll_read(cx, buf))
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        delegate_io!(self, s => Pin::new(s).poll_write(cx, buf))
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        delegate_io!(self, s => Pin::new(s).poll_flush(cx))
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        delegate_io!(self, s => Pin::new(s).poll_shutdown(cx))
    }
    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        delegate_io!(self, s => Pin::new(s).poll_write_vectored(cx, bufs))
    }
    fn is_write_vectored(&self) -> bool {
        match self {
            Self::Unix(s) => s.is_write_vectored(),
            Self::Tcp(s) => s.is_write_vectored(),
        }
    }
}

macro_rules! delegate_conn {
    ($self:ident, $s:ident => $call:expr) => {
        match $self.get_mut() {
            Self::Plain($s) => $call,
            Self::Tls($s) => $call,
        }
    };
}

impl AsyncRead for Conn {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        delegate_conn!(self, s => Pin::new(s).poll_read(cx, buf))
    }
}

impl AsyncWrite for Conn {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        delegate_conn!(self, s => Pin::new(s).poll_write(cx, buf))
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        delegate_conn!(self, s => Pin::new(s).poll_flush(cx))
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        delegate_conn!(self, s => Pin::new(s).poll_shutdown(cx))
    }
    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        delegate_conn!(self, s => Pin::new(s).poll_write_vectored(cx, bufs))
    }
    fn is_write_vectored(&self) -> bool {
        match self {
            Self::Plain(s) => s.is_write_vectored(),
            Self::Tls(s) => s.is_write_vectored(),
        }
    }
}

impl Listener {
    fn network(&self) -> &'static str {
        match self {
            Listener::Unix(_) => "unix",
            Listener::Tcp(_) => "tcp",
        }
    }

    async fn accept(&self) -> io::Result<Stream> {
        match self {
            Listener::Unix(l) => l.accept().await.map(|(s, _)| Stream::Unix(s)),
            Listener::Tcp(l) => {
                let (s, _) = l.accept().await?;
                // serve_with_incoming ignores tonic's TCP options: gRPC wants small writes out now.
                let _ = s.set_nodelay(true);
                Ok(Stream::Tcp(s))
            }
        }
    }
}

/// Spawns the accept loop and returns the stream of ready connections for tonic. The loop ends
/// when tonic drops the stream (at shutdown), which also closes the listener.
pub fn incoming(listener: Listener, tls: Option<TlsAcceptor>) -> ReceiverStream<io::Result<Conn>> {
    let (tx, rx) = mpsc::channel::<io::Result<Conn>>(16);
    let tls = tls.map(Arc::new);
    let network = listener.network();
    tokio::spawn(async move {
        loop {
            let accepted = tokio::select! {
                () = tx.closed() => break,
                accepted = listener.accept() => accepted,
            };
            let stream = match accepted {
                Ok(stream) => stream,
                Err(e) => {
                    // Typically EMFILE; pause so the loop does not spin while it lasts.
                    log_warn!("accepting a connection failed", "error" = e);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            match &tls {
                None => {
                    if tx.send(Ok(Conn::Plain(stream))).await.is_err() {
                        break;
                    }
                }
                Some(acceptor) => {
                    let acceptor = Arc::clone(acceptor);
                    let tx = tx.clone();
                    tokio::spawn(async move {
                        let started = std::time::Instant::now();
                        match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await
                        {
                            Ok(Ok(tls)) => {
                                log_trace!(
                                    "TLS connection accepted",
                                    "network" = network,
                                    "tls_handshake_ms" = crate::logging::ms(started.elapsed()),
                                    "since_start_ms" = crate::logging::since_start_ms()
                                );
                                let _ = tx.send(Ok(Conn::Tls(Box::new(tls)))).await;
                            }
                            Ok(Err(e)) => {
                                log_warn!(
                                    "TLS handshake failed; connection dropped",
                                    "network" = network,
                                    "error" = e
                                );
                            }
                            Err(_) => {
                                log_warn!(
                                    "TLS handshake timed out; connection dropped",
                                    "network" = network,
                                    "timeout_seconds" = HANDSHAKE_TIMEOUT.as_secs()
                                );
                            }
                        }
                    });
                }
            }
        }
    });
    ReceiverStream::new(rx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports() {
        assert_eq!(port_range(None, None), Ok((10000, 25000)));
        assert_eq!(port_range(Some("2000"), Some(" 2001 ")), Ok((2000, 2001)));
        assert_eq!(port_range(Some(""), None), Ok((10000, 25000)));
        assert!(port_range(Some("x"), None)
            .unwrap_err()
            .contains("PLUGIN_MIN_PORT"));
        assert!(port_range(None, Some("70000"))
            .unwrap_err()
            .contains("PLUGIN_MAX_PORT"));
        assert!(port_range(Some("3000"), Some("2000")).is_err());
    }

    #[test]
    fn groups() {
        let etc = "root:x:0:\nwheel:x:10:alice,bob\nbroken\ndocker:x:999:\n";
        assert_eq!(lookup_group(etc, "wheel"), Some(10));
        assert_eq!(lookup_group(etc, "docker"), Some(999));
        assert_eq!(lookup_group(etc, "broken"), None);
        assert_eq!(lookup_group(etc, "nobody"), None);
    }

    #[tokio::test]
    async fn unix_socket_is_unique_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let config = ListenConfig {
            socket_dir: Some(dir.path().to_path_buf()),
            ..Default::default()
        };
        let (_l1, e1, g1) = bind(&config).unwrap();
        let (_l2, e2, g2) = bind(&config).unwrap();
        assert_eq!(e1.network, "unix");
        assert_ne!(e1.address, e2.address);
        assert!(Path::new(&e1.address).starts_with(dir.path()));
        assert!(Path::new(&e1.address).exists());
        drop(g1);
        assert!(!Path::new(&e1.address).exists());
        drop(g2);
        assert!(!Path::new(&e2.address).exists());
    }

    #[tokio::test]
    async fn falls_back_to_tcp() {
        // A socket path longer than sun_path (108 bytes) cannot be bound.
        let dir = tempfile::tempdir().unwrap();
        let deep = dir.path().join("d".repeat(120));
        std::fs::create_dir(&deep).unwrap();
        // Find a free port first so the range is one port wide and the test stays offline-safe.
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = probe.local_addr().unwrap().port();
        drop(probe);
        let config = ListenConfig {
            socket_dir: Some(deep),
            min_port: Some(port.to_string()),
            max_port: Some(port.to_string()),
            ..Default::default()
        };
        let (_listener, endpoint, guard) = bind(&config).unwrap();
        assert_eq!(endpoint.network, "tcp");
        assert_eq!(endpoint.address, format!("127.0.0.1:{port}"));
        assert!(guard.is_none());
    }
}
