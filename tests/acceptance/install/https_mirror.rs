//! A static-file HTTPS server on 127.0.0.1 with a fresh self-signed certificate: Terraform only
//! talks to a `network_mirror` over HTTPS. Terraform (Go) trusts the certificate through
//! `SSL_CERT_FILE=<cert_path>`; nothing is installed system-wide.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

pub struct HttpsMirror {
    addr: SocketAddr,
    cert_path: PathBuf,
    served: Arc<Mutex<Vec<String>>>,
    stopping: Arc<AtomicBool>,
}

impl HttpsMirror {
    /// Serves the files under `root`; the certificate's PEM is written to `cert_dir/mirror.pem`.
    pub fn start(root: &Path, cert_dir: &Path) -> HttpsMirror {
        let key = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()])
            .expect("generate a self-signed certificate for 127.0.0.1");
        let cert_path = cert_dir.join("mirror.pem");
        std::fs::write(&cert_path, pem_certificate(key.cert.der()))
            .expect("write the mirror certificate");
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let tls = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_no_client_auth()
            .with_single_cert(
                vec![CertificateDer::from(key.cert.der().to_vec())],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.signing_key.serialize_der())),
            )
            .expect("TLS server config");
        let tls = Arc::new(tls);
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the mirror port");
        let addr = listener.local_addr().expect("mirror address");
        let served = Arc::new(Mutex::new(Vec::new()));
        let stopping = Arc::new(AtomicBool::new(false));
        let (root, log, stop) = (root.to_path_buf(), served.clone(), stopping.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let (tls, root, log) = (tls.clone(), root.clone(), log.clone());
                std::thread::spawn(move || serve(conn, tls, &root, &log));
            }
        });
        HttpsMirror {
            addr,
            cert_path,
            served,
            stopping,
        }
    }

    /// `https://127.0.0.1:PORT/` (with the trailing slash `network_mirror` wants).
    pub fn url(&self) -> String {
        format!("https://{}/", self.addr)
    }

    pub fn cert_path(&self) -> &Path {
        &self.cert_path
    }

    /// Paths requested so far, in order, with their status: `200 /registry.terraform.io/...`.
    pub fn served(&self) -> Vec<String> {
        self.served
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl Drop for HttpsMirror {
    fn drop(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr); // wakes the accept loop so it sees `stopping`
    }
}

/// PEM by hand: the crate's rcgen is built without its `pem` feature.
fn pem_certificate(der: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut pem = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in b64.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(line));
        pem.push('\n');
    }
    pem + "-----END CERTIFICATE-----\n"
}

/// One request per connection (`Connection: close`): GET of a file under `root`, else 404.
fn serve(conn: TcpStream, tls: Arc<rustls::ServerConfig>, root: &Path, log: &Mutex<Vec<String>>) {
    let Ok(session) = rustls::ServerConnection::new(tls) else {
        return;
    };
    let mut stream = rustls::StreamOwned::new(session, conn);
    let mut reader = BufReader::new(&mut stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return; // e.g. a client that rejected the certificate
    }
    loop {
        let mut header = String::new();
        match reader.read_line(&mut header) {
            Ok(0) | Err(_) => return,
            Ok(_) if header == "\r\n" || header == "\n" => break,
            Ok(_) => {}
        }
    }
    let path = request_line.split_whitespace().nth(1).unwrap_or("/");
    let path = path.split('?').next().unwrap_or(path).to_string();
    let file = (!path.contains(".."))
        .then(|| root.join(path.trim_start_matches('/')))
        .filter(|f| f.is_file());
    let (status, body, kind) = match file.and_then(|f| std::fs::read(&f).ok().map(|b| (f, b))) {
        Some((f, body)) => {
            let kind = if f.extension().is_some_and(|e| e == "json") {
                "application/json"
            } else {
                "application/zip"
            };
            ("200 OK", body, kind)
        }
        None => ("404 Not Found", b"not found\n".to_vec(), "text/plain"),
    };
    log.lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(format!("{} {path}", &status[..3]));
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream
        .write_all(head.as_bytes())
        .and_then(|_| stream.write_all(&body))
        .and_then(|_| stream.flush());
    stream.conn.send_close_notify();
    let _ = stream.flush();
}
