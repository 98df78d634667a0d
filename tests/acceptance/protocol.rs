//! The provider binary as Terraform sees it: the go-plugin handshake with pinned mTLS, the schema
//! it serves, and a data source round-trip with both the current and the oldest supported
//! Terraform (0.15).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;

use crate::support::*;

const POLICY_DOC: &str = r#"
data "awsecs_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

output "json" {
  value = data.awsecs_iam_policy_document.assume.minified_json
}
"#;

const EXPECTED_JSON: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"Service":"ecs-tasks.amazonaws.com"}}]}"#;

#[test]
fn data_source_round_trip_with_current_terraform() {
    let tf = Workdir::new(&config(POLICY_DOC));
    tf.apply();
    assert_eq!(tf.outputs()["json"], EXPECTED_JSON);
    tf.assert_no_mutating_calls(|| tf.assert_no_changes());
}

#[test]
fn data_source_round_trip_with_terraform_0_15() {
    let tf = Workdir::new(&config(POLICY_DOC)).with_terraform(terraform_0_15());
    tf.apply();
    assert_eq!(tf.outputs()["json"], EXPECTED_JSON);
    tf.assert_no_changes();
}

#[test]
fn schema_lists_resources_and_data_sources() {
    let tf = Workdir::new(&config(""));
    let out = tf.cmd(&["providers", "schema", "-json"]).success();
    let schema: serde_json::Value = serde_json::from_str(&out.stdout).expect("schema JSON");
    let p = &schema["provider_schemas"]["registry.terraform.io/awsecs/awsecs"];
    assert!(
        p["data_source_schemas"]["awsecs_iam_policy_document"].is_object(),
        "{}",
        out.stdout
    );
    let statement = &p["data_source_schemas"]["awsecs_iam_policy_document"]["block"]["block_types"]
        ["statement"];
    assert_eq!(statement["nesting_mode"], "list");
}

#[test]
fn invalid_data_source_input_fails_at_plan_with_the_attribute_path() {
    let tf = Workdir::new(&config(
        r#"
data "awsecs_iam_policy_document" "bad" {
  version = "2020-01-01"
  statement {
    effect  = "Maybe"
    actions = ["s3:GetObject"]
  }
}
"#,
    ));
    let err = tf.assert_no_mutating_calls(|| tf.fail_plan());
    assert!(
        err.contains("expected one of \"2008-10-17\", \"2012-10-17\""),
        "{err}"
    );
    assert!(err.contains("expected one of \"Allow\", \"Deny\""), "{err}");
    assert!(
        err.contains("statement[0].effect") || err.contains("effect"),
        "{err}"
    );
}

/// Starts the binary as go-plugin would, with `client_pem` pinned; returns the socket path,
/// the server certificate DER and the child process.
fn start_plugin(client_pem: &str) -> (String, Vec<u8>, std::process::Child) {
    let mut child = Command::new(provider_binary())
        .env(
            "TF_PLUGIN_MAGIC_COOKIE",
            "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
        )
        .env("PLUGIN_PROTOCOL_VERSIONS", "6,5")
        .env("PLUGIN_CLIENT_CERT", client_pem)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start provider");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .expect("handshake line");
    let parts: Vec<&str> = line.trim().split('|').collect();
    assert_eq!(&parts[..3], &["1", "5", "unix"], "handshake: {line}");
    assert_eq!(parts[4], "grpc");
    use base64::Engine;
    let der = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(parts[5])
        .expect("cert base64");
    (parts[3].to_string(), der, child)
}

fn p521_cert() -> (
    String,
    rustls_pki_types::CertificateDer<'static>,
    rustls_pki_types::PrivateKeyDer<'static>,
) {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let cert = params.self_signed(&key).unwrap();
    let der = cert.der().clone();
    let pem = to_pem(der.as_ref());
    let key = rustls_pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into());
    (pem, der, key)
}

fn to_pem(der: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        lines.join("\n")
    )
}

/// Trusts exactly the server certificate from the handshake line (what go-plugin does).
#[derive(Debug)]
struct PinnedServer(Vec<u8>, Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for PinnedServer {
    fn verify_server_cert(
        &self,
        end_entity: &rustls_pki_types::CertificateDer<'_>,
        _: &[rustls_pki_types::CertificateDer<'_>],
        _: &rustls_pki_types::ServerName<'_>,
        _: &[u8],
        _: rustls_pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.0.as_slice() {
            Ok(rustls::client::danger::ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General(
                "unexpected server certificate".into(),
            ))
        }
    }
    fn verify_tls12_signature(
        &self,
        m: &[u8],
        c: &rustls_pki_types::CertificateDer<'_>,
        d: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(m, c, d, &self.1.signature_verification_algorithms)
    }
    fn verify_tls13_signature(
        &self,
        m: &[u8],
        c: &rustls_pki_types::CertificateDer<'_>,
        d: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(m, c, d, &self.1.signature_verification_algorithms)
    }
    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.1.signature_verification_algorithms.supported_schemes()
    }
}

/// Connects over TLS, optionally presenting a client certificate; Ok when the server accepted it
/// (a one-byte read forces TLS 1.3's deferred client-certificate verdict).
fn connect(
    path: &str,
    server_der: &[u8],
    client: Option<(
        rustls_pki_types::CertificateDer<'static>,
        rustls_pki_types::PrivateKeyDer<'static>,
    )>,
) -> Result<(), String> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(PinnedServer(server_der.to_vec(), provider)));
    let mut config = match client {
        Some((cert, key)) => builder.with_client_auth_cert(vec![cert], key).unwrap(),
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"h2".to_vec()];
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    block_on(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let sock = tokio::net::UnixStream::connect(path)
            .await
            .map_err(|e| e.to_string())?;
        let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();
        let mut tls = connector
            .connect(name, sock)
            .await
            .map_err(|e| e.to_string())?;
        // HTTP/2 preface: an accepted client gets the server's SETTINGS frame back.
        tls.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\0\x04\0\0\0\0\0")
            .await
            .map_err(|e| e.to_string())?;
        let mut buf = [0u8; 1];
        match tls.read(&mut buf).await {
            Ok(1) => Ok(()),
            Ok(_) => Err("connection closed".into()),
            Err(e) => Err(e.to_string()),
        }
    })
}

#[test]
fn only_the_pinned_client_certificate_is_accepted() {
    let (pinned_pem, pinned_der, pinned_key) = p521_cert();
    let (path, server_der, mut child) = start_plugin(&pinned_pem);

    let (_, other_der, other_key) = p521_cert();
    let other = connect(&path, &server_der, Some((other_der, other_key)));
    let none = connect(&path, &server_der, None);
    let good = connect(&path, &server_der, Some((pinned_der, pinned_key)));
    let _ = child.kill();
    let _ = child.wait();

    assert!(
        other.is_err(),
        "a different client certificate must be refused"
    );
    assert!(
        none.is_err(),
        "a client without a certificate must be refused"
    );
    assert_eq!(
        good,
        Ok(()),
        "Terraform's pinned P-521 certificate must be accepted"
    );
}
