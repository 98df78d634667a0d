//! The pure parts of go-plugin's startup contract: command line, magic cookie, protocol version
//! negotiation and the lines printed on stdout. Everything takes its inputs as arguments so tests
//! never touch the process environment.

use std::fmt;

/// The cookie Terraform and OpenTofu both set (`internal/plugin/serve.go`, `Handshake`).
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/// The only app protocol this binary speaks (tfplugin5).
pub const PROTOCOL_VERSION: u32 = 5;

/// go-plugin's core protocol version, the first field of the handshake line.
const CORE_PROTOCOL_VERSION: u32 = 1;

/// Provider source address used in the debug-mode reattach line.
pub const PROVIDER_ADDRESS: &str = "registry.terraform.io/awsecs/awsecs";
const OPENTOFU_PROVIDER_ADDRESS: &str = "registry.opentofu.org/awsecs/awsecs";

pub const BINARY: &str = "terraform-provider-awsecs";

/// What the command line asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Serve,
    Debug,
    Version,
    Help,
}

/// Parses the arguments after the program name. Go providers accept `-flag` as well as
/// `--flag`, so both spellings are accepted here too.
pub fn parse_args(args: &[String]) -> Result<Command, String> {
    let mut command = Command::Serve;
    for arg in args {
        let next = match arg.as_str() {
            "--version" | "-version" | "-v" => Command::Version,
            "--help" | "-help" | "-h" => Command::Help,
            "--debug" | "-debug" => Command::Debug,
            other => return Err(format!("unknown argument {other:?}")),
        };
        // Help and version win over debug whatever the order: they never start a server.
        command = match (command, next) {
            (Command::Help, _) | (_, Command::Help) => Command::Help,
            (Command::Version, _) | (_, Command::Version) => Command::Version,
            _ => next,
        };
    }
    Ok(command)
}

pub fn version_line() -> String {
    format!(
        "{BINARY} {} (plugin protocol {PROTOCOL_VERSION})",
        env!("CARGO_PKG_VERSION")
    )
}

pub fn usage() -> String {
    format!(
        "{version}
A Terraform/OpenTofu provider (type \"awsecs\") for container stacks on Amazon ECS with EC2 capacity.

Usage:
  {BINARY}            run as a plugin; terraform or tofu start it this way
  {BINARY} --debug    run standalone and print TF_REATTACH_PROVIDERS for attaching terraform/tofu
  {BINARY} --version  print the version
  {BINARY} --help     print this help
",
        version = version_line()
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CookieError {
    Missing,
    Mismatch,
}

/// Checks the magic cookie the way go-plugin servers do: it must be present and exact.
pub fn check_cookie(value: Option<&str>) -> Result<(), CookieError> {
    match value {
        None | Some("") => Err(CookieError::Missing),
        Some(v) if v == MAGIC_COOKIE_VALUE => Ok(()),
        Some(_) => Err(CookieError::Mismatch),
    }
}

/// The explanation printed when someone runs the binary by hand.
pub fn cookie_explanation(err: CookieError) -> String {
    let why = match err {
        CookieError::Missing => format!("{MAGIC_COOKIE_KEY} is not set."),
        CookieError::Mismatch => format!(
            "{MAGIC_COOKIE_KEY} is set but has the wrong value: this binary was started by \
             something other than terraform or tofu."
        ),
    };
    format!(
        "This binary is a plugin: the \"awsecs\" provider for Terraform and OpenTofu. terraform or tofu
start it themselves and talk to it over gRPC; it is not meant to be run directly. ({why})

To use it, either
  - install it in a filesystem mirror, e.g.
      <dir>/{PROVIDER_ADDRESS}/<version>/<os>_<arch>/{BINARY}_v<version>
    with  provider_installation {{ filesystem_mirror {{ path = \"<dir>\" }} }}  in the CLI
    configuration, then  required_providers {{ awsecs = {{ source = \"awsecs/awsecs\" }} }}; or
  - for development, point a CLI configuration file (TF_CLI_CONFIG_FILE) at its directory:
      provider_installation {{
        dev_overrides {{ \"awsecs/awsecs\" = \"/directory/containing/{BINARY}\" }}
        direct {{}}
      }}

Run `{BINARY} --version` to print the version, or
`{BINARY} --debug` to start it standalone and attach terraform/tofu through
TF_REATTACH_PROVIDERS.
"
    )
}

/// Why protocol negotiation failed; Display names what was offered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolMismatch {
    pub offered: String,
}

impl fmt::Display for ProtocolMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the plugin client offered plugin protocol versions [{}] (PLUGIN_PROTOCOL_VERSIONS), \
             but this provider speaks protocol {PROTOCOL_VERSION} only; use a Terraform or \
             OpenTofu release that supports protocol {PROTOCOL_VERSION}",
            self.offered
        )
    }
}

/// Picks the app protocol from `PLUGIN_PROTOCOL_VERSIONS`: a comma list in any order (Terraform
/// builds it from a Go map). Absent or empty means the client predates negotiation: version 5.
/// Unparsable entries are skipped, as go-plugin does.
pub fn negotiate_protocol(offered: Option<&str>) -> Result<u32, ProtocolMismatch> {
    let Some(raw) = offered.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(PROTOCOL_VERSION);
    };
    let speaks_ours = raw
        .split(',')
        .filter_map(|v| v.trim().parse::<u32>().ok())
        .any(|v| v == PROTOCOL_VERSION);
    if speaks_ours {
        Ok(PROTOCOL_VERSION)
    } else {
        Err(ProtocolMismatch {
            offered: raw.to_string(),
        })
    }
}

/// Where the server listens, as the handshake and reattach lines name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// `unix` or `tcp`.
    pub network: &'static str,
    /// A socket path or `127.0.0.1:PORT`.
    pub address: String,
}

/// `CORE|APP|NETWORK|ADDR|grpc|CERT`; CERT is base64 (standard alphabet, no padding) of the
/// server certificate's DER, or empty when serving plaintext.
pub fn handshake_line(endpoint: &Endpoint, server_cert_der: Option<&[u8]>) -> String {
    use base64::Engine as _;
    let cert = server_cert_der
        .map(|der| base64::engine::general_purpose::STANDARD_NO_PAD.encode(der))
        .unwrap_or_default();
    format!(
        "{CORE_PROTOCOL_VERSION}|{PROTOCOL_VERSION}|{}|{}|grpc|{cert}",
        endpoint.network, endpoint.address
    )
}

/// The JSON value of TF_REATTACH_PROVIDERS for one provider address. `Test: true` tells the
/// client never to send Shutdown nor kill the process, so it survives many terraform runs.
pub fn reattach_json(provider_address: &str, endpoint: &Endpoint, pid: u32) -> String {
    let config = serde_json::json!({
        provider_address: {
            "Protocol": "grpc",
            "ProtocolVersion": PROTOCOL_VERSION,
            "Pid": pid,
            "Test": true,
            "Addr": { "Network": endpoint.network, "String": endpoint.address },
        }
    });
    config.to_string()
}

/// What `--debug` prints on stdout.
pub fn debug_banner(endpoint: &Endpoint, pid: u32) -> String {
    let tf = reattach_json(PROVIDER_ADDRESS, endpoint, pid);
    let tofu = reattach_json(OPENTOFU_PROVIDER_ADDRESS, endpoint, pid);
    format!(
        "{version} started in debug mode (pid {pid}); stop it with Ctrl-C. To attach Terraform, \
         set this in its environment:\n\
         TF_REATTACH_PROVIDERS='{tf}'\n\
         (OpenTofu resolves the provider under its own registry host: \
         TF_REATTACH_PROVIDERS='{tofu}')",
        version = version_line()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn command_line() {
        assert_eq!(parse_args(&[]), Ok(Command::Serve));
        assert_eq!(parse_args(&args(&["--version"])), Ok(Command::Version));
        assert_eq!(parse_args(&args(&["-version"])), Ok(Command::Version));
        assert_eq!(parse_args(&args(&["-h"])), Ok(Command::Help));
        assert_eq!(parse_args(&args(&["--debug"])), Ok(Command::Debug));
        assert_eq!(parse_args(&args(&["--debug", "--help"])), Ok(Command::Help));
        assert_eq!(
            parse_args(&args(&["--version", "--debug"])),
            Ok(Command::Version)
        );
        let err = parse_args(&args(&["--frobnicate"])).unwrap_err();
        assert!(err.contains("--frobnicate"), "{err}");
        assert!(parse_args(&args(&["serve"])).is_err());
    }

    #[test]
    fn version_names_protocol() {
        let line = version_line();
        assert!(line.starts_with("terraform-provider-awsecs "), "{line}");
        assert!(line.ends_with(" (plugin protocol 5)"), "{line}");
        assert!(line.contains(env!("CARGO_PKG_VERSION")));
    }

    #[test]
    fn cookie() {
        assert_eq!(check_cookie(Some(MAGIC_COOKIE_VALUE)), Ok(()));
        assert_eq!(check_cookie(None), Err(CookieError::Missing));
        assert_eq!(check_cookie(Some("")), Err(CookieError::Missing));
        assert_eq!(check_cookie(Some("nope")), Err(CookieError::Mismatch));
        // A trailing newline is a different cookie, as in go-plugin.
        let padded = format!("{MAGIC_COOKIE_VALUE}\n");
        assert_eq!(check_cookie(Some(&padded)), Err(CookieError::Mismatch));
        let text = cookie_explanation(CookieError::Missing);
        for needle in [
            "plugin",
            "dev_overrides",
            "filesystem_mirror",
            "--version",
            "--debug",
        ] {
            assert!(text.contains(needle), "missing {needle:?} in {text}");
        }
    }

    #[test]
    fn protocol_negotiation() {
        assert_eq!(negotiate_protocol(None), Ok(5));
        assert_eq!(negotiate_protocol(Some("")), Ok(5));
        assert_eq!(negotiate_protocol(Some("5")), Ok(5));
        assert_eq!(negotiate_protocol(Some("6,5")), Ok(5));
        assert_eq!(negotiate_protocol(Some("5,6")), Ok(5));
        assert_eq!(negotiate_protocol(Some(" 6 , 5 ")), Ok(5));
        assert_eq!(negotiate_protocol(Some("x,5")), Ok(5));
        let err = negotiate_protocol(Some("6")).unwrap_err();
        assert_eq!(err.offered, "6");
        let msg = err.to_string();
        assert!(
            msg.contains("[6]") && msg.contains("protocol 5 only"),
            "{msg}"
        );
        assert!(negotiate_protocol(Some("4,6,55")).is_err());
    }

    #[test]
    fn handshake_lines() {
        let unix = Endpoint {
            network: "unix",
            address: "/tmp/plugin1".into(),
        };
        assert_eq!(handshake_line(&unix, None), "1|5|unix|/tmp/plugin1|grpc|");
        let tcp = Endpoint {
            network: "tcp",
            address: "127.0.0.1:10000".into(),
        };
        // 4 bytes encode to 6 characters without the "==" padding.
        assert_eq!(
            handshake_line(&tcp, Some(&[0x30, 0x82, 0x01, 0xff])),
            "1|5|tcp|127.0.0.1:10000|grpc|MIIB/w"
        );
    }

    #[test]
    fn reattach_line() {
        let unix = Endpoint {
            network: "unix",
            address: "/tmp/a \"b\"".into(),
        };
        let json = reattach_json(PROVIDER_ADDRESS, &unix, 42);
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        let p = &v["registry.terraform.io/awsecs/awsecs"];
        assert_eq!(p["Protocol"], "grpc");
        assert_eq!(p["ProtocolVersion"], 5);
        assert_eq!(p["Pid"], 42);
        assert_eq!(p["Test"], true);
        assert_eq!(p["Addr"]["Network"], "unix");
        assert_eq!(p["Addr"]["String"], "/tmp/a \"b\"");
        let banner = debug_banner(&unix, 42);
        assert!(banner.contains(&format!("TF_REATTACH_PROVIDERS='{json}'")));
    }
}
