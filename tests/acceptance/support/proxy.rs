//! A tiny recording HTTP proxy in front of moto, one per [`Workdir`](super::Workdir), so a test can
//! assert which AWS operations terraform (through the provider) made during a step, e.g. "a plan
//! with no changes makes no mutating call".
//!
//! Why a proxy and not moto's own recorder: moto records server-wide, and tests run in parallel
//! against one moto; a proxy per workdir sees only that test's terraform traffic. The test's own
//! SDK checks go straight to moto and are not recorded.
//!
//! It handles one request per connection: it reads the request (Content-Length or chunked body),
//! records it, forwards it to moto with `Connection: close`, and relays the response with
//! `Connection: close`, so clients never reuse a connection and no response parsing is needed
//! beyond the head.
//!
//! With a [`FaultPlan`] set ([`RecordingProxy::set_faults`]) it also injects seeded faults; see
//! [`super::faults`].

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::faults::{self, Fault, FaultPlan, FaultStats, Injector};

/// One recorded AWS API request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwsRequest {
    pub method: String,
    /// Request target as sent (path and query).
    pub path: String,
    /// `Action` of query-protocol services (IAM, STS, EC2, ELB, Auto Scaling).
    pub action: Option<String>,
    /// `X-Amz-Target` of JSON-protocol services (ECS, ECR, CloudWatch Logs, ...).
    pub target: Option<String>,
    /// Signing service from the `Authorization` credential scope (`iam`, `ecs`, ...).
    pub service: Option<String>,
    /// The fault injected instead of (or after) forwarding, if any.
    pub fault: Option<Fault>,
}

impl AwsRequest {
    /// The API operation name (`CreateRole`, `DescribeClusters`), or `METHOD path` for REST APIs.
    pub fn operation(&self) -> String {
        if let Some(a) = &self.action {
            return a.clone();
        }
        if let Some(t) = &self.target {
            return t.rsplit('.').next().unwrap_or(t).to_string();
        }
        format!("{} {}", self.method, self.path)
    }

    /// True when the request reached moto (it was not answered or dropped by an injected fault).
    pub fn reached_aws(&self) -> bool {
        matches!(self.fault, None | Some(Fault::ResetAfterForwarding))
    }

    /// True unless the operation is a read: `Describe*`, `Get*`, `List*`, `BatchGet*`, `Lookup*`,
    /// `Search*`, `Head*`, or (for REST APIs without an operation name) a GET/HEAD/OPTIONS request.
    pub fn is_mutating(&self) -> bool {
        const READS: [&str; 7] = [
            "Describe", "Get", "List", "BatchGet", "Lookup", "Search", "Head",
        ];
        if self.action.is_some() || self.target.is_some() {
            let op = self.operation();
            return !READS.iter().any(|p| op.starts_with(p));
        }
        !matches!(self.method.as_str(), "GET" | "HEAD" | "OPTIONS")
    }
}

impl std::fmt::Display for AwsRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.service {
            Some(s) => write!(f, "{s}:{}", self.operation()),
            None => write!(f, "{}", self.operation()),
        }
    }
}

/// A running proxy; stops accepting when dropped.
pub struct RecordingProxy {
    endpoint: String,
    log: Arc<Mutex<Vec<AwsRequest>>>,
    stop: Arc<AtomicBool>,
    faults: SharedInjector,
}

type SharedInjector = Arc<Mutex<Option<Arc<Injector>>>>;

impl RecordingProxy {
    /// Listens on a free loopback port and forwards to `upstream` (`host:port`).
    pub fn start(upstream: &str) -> std::io::Result<RecordingProxy> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let endpoint = format!("http://{}", listener.local_addr()?);
        let log = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let faults: SharedInjector = Arc::default();
        let (log2, stop2, upstream) = (log.clone(), stop.clone(), upstream.to_string());
        let faults2 = faults.clone();
        std::thread::Builder::new()
            .name("acc-recording-proxy".into())
            .spawn(move || {
                for conn in listener.incoming() {
                    if stop2.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(client) = conn else { continue };
                    let (log, upstream) = (log2.clone(), upstream.clone());
                    let injector = faults2.lock().unwrap_or_else(|e| e.into_inner()).clone();
                    let _ = std::thread::Builder::new()
                        .name("acc-proxy-conn".into())
                        .spawn(move || {
                            if let Err(e) = handle(client, &upstream, &log, injector.as_deref()) {
                                eprintln!("acceptance recording proxy: {e}");
                            }
                        });
                }
            })?;
        Ok(RecordingProxy {
            endpoint,
            log,
            stop,
            faults,
        })
    }

    /// Starts injecting faults by `plan` for every later connection (`None`: relay faithfully).
    pub fn set_faults(&self, plan: Option<FaultPlan>) {
        *self.faults.lock().unwrap_or_else(|e| e.into_inner()) =
            plan.map(|p| Arc::new(Injector::new(p)));
    }

    /// What the current fault plan injected so far (`None` without one).
    pub fn fault_stats(&self) -> Option<FaultStats> {
        self.faults
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .map(|i| i.stats())
    }

    /// `http://127.0.0.1:PORT`: use as `AWS_ENDPOINT_URL`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Everything recorded so far, in arrival order.
    pub fn requests(&self) -> Vec<AwsRequest> {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Number of requests recorded so far (a mark for [`RecordingProxy::requests_since`]).
    pub fn len(&self) -> usize {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Requests recorded after `mark` (a value from [`RecordingProxy::len`]).
    pub fn requests_since(&self, mark: usize) -> Vec<AwsRequest> {
        self.log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(mark..)
            .map(<[_]>::to_vec)
            .unwrap_or_default()
    }
}

impl Drop for RecordingProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.endpoint.trim_start_matches("http://"));
    }
}

const MAX_HEAD: usize = 1 << 20;

fn handle(
    client: TcpStream,
    upstream: &str,
    log: &Mutex<Vec<AwsRequest>>,
    injector: Option<&Injector>,
) -> Result<(), String> {
    client
        .set_read_timeout(Some(Duration::from_secs(300)))
        .map_err(|e| e.to_string())?;
    let mut reader = BufReader::new(client.try_clone().map_err(|e| e.to_string())?);
    let mut client = client;
    let Some((request_line, headers)) = read_head(&mut reader)? else {
        return Ok(()); // connection opened and closed without a request (e.g. our own wake-up)
    };
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let path = parts.next().unwrap_or_default().to_string();
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };

    if header("expect").is_some_and(|v| v.eq_ignore_ascii_case("100-continue")) {
        client
            .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
            .map_err(|e| e.to_string())?;
    }
    let body = if header("transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
    {
        read_chunked(&mut reader)?
    } else {
        let len: usize = header("content-length")
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        let mut body = vec![0u8; len];
        reader
            .read_exact(&mut body)
            .map_err(|e| format!("reading request body: {e}"))?;
        body
    };

    let action =
        form_value(path.split_once('?').map(|(_, q)| q).unwrap_or(""), "Action").or_else(|| {
            let form = header("content-type").is_some_and(|v| v.contains("x-www-form-urlencoded"));
            if form {
                form_value(&String::from_utf8_lossy(&body), "Action")
            } else {
                None
            }
        });
    let service = header("authorization").and_then(|a| {
        let cred = a.split("Credential=").nth(1)?;
        cred.split(',')
            .next()?
            .split('/')
            .nth(3)
            .map(str::to_string)
    });
    let mut request = AwsRequest {
        method: method.clone(),
        path: path.clone(),
        action,
        target: header("x-amz-target"),
        service,
        fault: None,
    };
    let decision = injector.map(|i| {
        i.decide(
            request.service.as_deref().unwrap_or(""),
            &request.operation(),
        )
    });
    request.fault = decision.as_ref().and_then(|d| d.fault);
    let json_protocol = request.target.is_some();
    let service = request.service.clone().unwrap_or_default();
    let seq = {
        let mut log = log.lock().unwrap_or_else(|e| e.into_inner());
        log.push(request);
        log.len() as u64
    };
    if let Some(d) = &decision {
        std::thread::sleep(d.delay);
        match d.fault {
            Some(Fault::ResetBeforeForwarding) => {
                faults::reset(client);
                return Ok(());
            }
            Some(f @ (Fault::Throttled | Fault::ServerError(_))) => {
                let _ = client.write_all(&faults::error_response(f, &service, json_protocol, seq));
                let _ = client.shutdown(Shutdown::Both);
                return Ok(());
            }
            Some(Fault::ResetAfterForwarding) | None => {}
        }
    }
    let reset_after = decision.is_some_and(|d| d.fault == Some(Fault::ResetAfterForwarding));

    // Forward with a definite length and Connection: close.
    let mut up = TcpStream::connect(upstream)
        .map_err(|e| format!("connecting to moto at {upstream}: {e}"))?;
    let mut out = format!("{request_line}\r\n").into_bytes();
    for (k, v) in &headers {
        let skip = [
            "connection",
            "keep-alive",
            "transfer-encoding",
            "content-length",
            "expect",
            "proxy-connection",
        ];
        if !skip.iter().any(|s| k.eq_ignore_ascii_case(s)) {
            out.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
        }
    }
    out.extend_from_slice(
        format!(
            "Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(&body);
    up.write_all(&out)
        .map_err(|e| format!("writing to moto: {e}"))?;

    // Relay the response: rewrite the head's Connection header, then copy the rest until EOF.
    let mut up_reader = BufReader::new(up);
    let Some((status_line, resp_headers)) = read_head(&mut up_reader)? else {
        return Err("moto closed the connection without a response".into());
    };
    if reset_after {
        // Let moto finish the call, then drop the answer: the change happened, the client errs.
        let _ = std::io::copy(&mut up_reader, &mut std::io::sink());
        faults::reset(client);
        return Ok(());
    }
    let mut head = format!("{status_line}\r\n");
    for (k, v) in &resp_headers {
        if !k.eq_ignore_ascii_case("connection") && !k.eq_ignore_ascii_case("keep-alive") {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
    }
    head.push_str("Connection: close\r\n\r\n");
    client
        .write_all(head.as_bytes())
        .map_err(|e| format!("writing to client: {e}"))?;
    std::io::copy(&mut up_reader, &mut client).map_err(|e| format!("relaying response: {e}"))?;
    let _ = client.flush();
    let _ = client.shutdown(Shutdown::Both);
    Ok(())
}

type Head = (String, Vec<(String, String)>);

/// Reads a start line and headers; `None` on EOF before any byte.
fn read_head(r: &mut impl BufRead) -> Result<Option<Head>, String> {
    let mut first = String::new();
    let mut total = 0usize;
    loop {
        first.clear();
        let n = r
            .read_line(&mut first)
            .map_err(|e| format!("reading head: {e}"))?;
        if n == 0 {
            return Ok(None);
        }
        total += n;
        if !first.trim().is_empty() {
            break; // tolerate stray CRLFs before the start line
        }
    }
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        let n = r
            .read_line(&mut line)
            .map_err(|e| format!("reading head: {e}"))?;
        total += n;
        if n == 0 || total > MAX_HEAD {
            return Err("truncated or oversized HTTP head".into());
        }
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    Ok(Some((
        first.trim_end_matches(['\r', '\n']).to_string(),
        headers,
    )))
}

fn read_chunked(r: &mut impl BufRead) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    loop {
        let mut size_line = String::new();
        r.read_line(&mut size_line)
            .map_err(|e| format!("reading chunk size: {e}"))?;
        let size_hex = size_line.trim().split(';').next().unwrap_or("");
        let size = usize::from_str_radix(size_hex, 16)
            .map_err(|_| format!("bad chunk size {size_hex:?}"))?;
        if size == 0 {
            // Trailers until an empty line.
            loop {
                let mut t = String::new();
                let n = r.read_line(&mut t).map_err(|e| e.to_string())?;
                if n == 0 || t.trim().is_empty() {
                    return Ok(body);
                }
            }
        }
        let start = body.len();
        body.resize(start + size, 0);
        r.read_exact(&mut body[start..])
            .map_err(|e| format!("reading chunk: {e}"))?;
        let mut crlf = [0u8; 2];
        r.read_exact(&mut crlf)
            .map_err(|e| format!("reading chunk end: {e}"))?;
    }
}

/// The value of `key` in an `a=b&c=d` string (no percent-decoding: operation names are plain).
fn form_value(form: &str, key: &str) -> Option<String> {
    form.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == key).then(|| v.to_string())
    })
}
