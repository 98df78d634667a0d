//! One moto server per test-binary run, started lazily on a free loopback port.
//!
//! Statics are never dropped, so the server cannot be stopped from a destructor. Instead it is
//! spawned with `PR_SET_PDEATHSIG = SIGKILL` from a dedicated thread that never exits: the kernel
//! kills moto when that thread dies, i.e. when the test process exits for any reason (normal exit,
//! panic, abort, SIGKILL). The thread matters: the death signal follows the spawning *thread*, and
//! cargo's test threads end while the suite is still running.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, OnceLock};
use std::time::{Duration, Instant};

/// How long moto may take to answer after spawning (it imports every backend on first start).
const STARTUP_LIMIT: Duration = Duration::from_secs(90);

pub struct Moto {
    endpoint: String,
    pid: u32,
    log: PathBuf,
}

impl Moto {
    /// The shared server, started on first call. Panics (in every test that asks) if it cannot start.
    pub fn get() -> &'static Moto {
        static MOTO: OnceLock<Result<Moto, String>> = OnceLock::new();
        match MOTO.get_or_init(start) {
            Ok(m) => m,
            Err(e) => panic!("{e}"),
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// moto's own log (one per test process), handy when a request fails oddly.
    pub fn log_path(&self) -> &std::path::Path {
        &self.log
    }

    /// `host:port` for raw TCP connections (the recording proxy forwards here).
    pub fn addr(&self) -> &str {
        self.endpoint.trim_start_matches("http://")
    }
}

fn start() -> Result<Moto, String> {
    let server = super::repo_root().join(".tools/bin/moto-server");
    if !server.exists() {
        return Err(format!(
            "{} is missing: run `bash scripts/setup` first (it installs moto into .tools/venv and writes .tools/bin/moto-server)",
            server.display()
        ));
    }
    let log =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("moto-{}.log", std::process::id()));
    let mut last_err = String::new();
    // A free port can be taken between our probe and moto's bind: retry with a new one.
    for _attempt in 0..3 {
        let port = free_port().map_err(|e| format!("cannot find a free loopback port: {e}"))?;
        let (pid, exited) = spawn_keeper(server.clone(), port, log.clone())?;
        let endpoint = format!("http://127.0.0.1:{port}");
        match wait_until_answers(port, &exited) {
            Ok(()) => return Ok(Moto { endpoint, pid, log }),
            Err(e) => {
                // SAFETY: plain kill(2) on the child we spawned; harmless if it already exited.
                unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
                last_err = e;
            }
        }
    }
    let tail = std::fs::read_to_string(&log).unwrap_or_default();
    let tail: Vec<&str> = tail.lines().rev().take(30).collect();
    Err(format!(
        "moto server did not start: {last_err}\nlast lines of {}:\n{}",
        log.display(),
        tail.into_iter().rev().collect::<Vec<_>>().join("\n")
    ))
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Spawns moto from a thread that then lives as long as the process; returns its pid and a channel
/// that receives a message if moto exits.
fn spawn_keeper(
    server: PathBuf,
    port: u16,
    log: PathBuf,
) -> Result<(u32, mpsc::Receiver<String>), String> {
    let (pid_tx, pid_rx) = mpsc::channel::<Result<u32, String>>();
    let (exit_tx, exit_rx) = mpsc::channel::<String>();
    std::thread::Builder::new()
        .name(format!("moto-keeper-{port}"))
        .spawn(move || match spawn_moto(&server, port, &log) {
            Err(e) => {
                let _ = pid_tx.send(Err(e));
            }
            Ok(mut child) => {
                let _ = pid_tx.send(Ok(child.id()));
                // Stay alive (the death signal is tied to this thread); report if moto dies.
                let status = child.wait();
                let _ = exit_tx.send(format!("moto exited early: {status:?}"));
                loop {
                    std::thread::park();
                }
            }
        })
        .map_err(|e| format!("cannot start the moto keeper thread: {e}"))?;
    let pid = pid_rx
        .recv()
        .map_err(|_| "moto keeper thread died".to_string())??;
    Ok((pid, exit_rx))
}

fn spawn_moto(server: &PathBuf, port: u16, log: &PathBuf) -> Result<Child, String> {
    use std::os::unix::process::CommandExt;
    let out = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .map_err(|e| format!("cannot open {}: {e}", log.display()))?;
    let err = out.try_clone().map_err(|e| e.to_string())?;
    let parent = std::process::id() as libc::pid_t;
    let mut cmd = Command::new(server);
    cmd.args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err);
    // SAFETY: only async-signal-safe syscalls between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            if libc::prctl(
                libc::PR_SET_PDEATHSIG,
                libc::SIGKILL as libc::c_ulong,
                0,
                0,
                0,
            ) != 0
            {
                return Err(std::io::Error::last_os_error());
            }
            // The parent may have died before prctl took effect.
            if libc::getppid() != parent {
                libc::_exit(1);
            }
            Ok(())
        });
    }
    cmd.spawn()
        .map_err(|e| format!("cannot spawn {}: {e}", server.display()))
}

fn wait_until_answers(port: u16, exited: &mpsc::Receiver<String>) -> Result<(), String> {
    let start = Instant::now();
    loop {
        if let Ok(msg) = exited.try_recv() {
            return Err(msg);
        }
        if http_ok(port) {
            return Ok(());
        }
        if start.elapsed() > STARTUP_LIMIT {
            return Err(format!("no answer on port {port} after {STARTUP_LIMIT:?}"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// One `GET /moto-api/` with a plain socket: 200 means moto is serving.
fn http_ok(port: u16) -> bool {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
    let req =
        format!("GET /moto-api/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    if s.write_all(req.as_bytes()).is_err() {
        return false;
    }
    let mut buf = [0u8; 16];
    let mut n = 0;
    while n < buf.len() {
        match s.read(&mut buf[n..]) {
            Ok(0) | Err(_) => break,
            Ok(k) => n += k,
        }
    }
    buf[..n].starts_with(b"HTTP/1.1 200") || buf[..n].starts_with(b"HTTP/1.0 200")
}
