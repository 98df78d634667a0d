//! AutoMTLS as go-plugin clients expect it: a fresh self-signed server certificate announced in
//! the handshake line, and a client certificate pinned to the exact bytes of PLUGIN_CLIENT_CERT.
//!
//! Terraform's client certificate is ECDSA P-521, self-signed and flagged `cA=TRUE`. webpki's
//! client verifier rejects such a certificate as an end entity, and the ring provider cannot
//! verify P-521 at all, so we pin the DER and verify the handshake signatures with aws-lc-rs.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName, ServerConfig, SignatureScheme};

/// The crypto provider for everything TLS here; aws-lc-rs is the one with P-521 verification.
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// The server's certificate and key, generated at every start.
pub struct ServerIdentity {
    pub cert: CertificateDer<'static>,
    key: PrivateKeyDer<'static>,
}

/// go-plugin's own lifetime for AutoMTLS certificates (`mtls.go`): 262,980 hours, ~30 years.
const VALIDITY: Duration = Duration::from_secs(262_980 * 3600);
/// Backdating absorbs clock differences between the client and us.
const BACKDATE: Duration = Duration::from_secs(3600);

/// A P-256 certificate the Go client accepts as a self-anchored server for "localhost":
/// SAN DNS=localhost (Go ignores the CN) and EKU serverAuth.
pub fn generate_server_identity() -> Result<ServerIdentity, rcgen::Error> {
    let key_pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()])?;
    let mut dn = rcgen::DistinguishedName::new();
    dn.push(rcgen::DnType::CommonName, "localhost");
    dn.push(rcgen::DnType::OrganizationName, "terraform-provider-awsecs");
    params.distinguished_name = dn;
    params.key_usages = vec![rcgen::KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![
        rcgen::ExtendedKeyUsagePurpose::ServerAuth,
        rcgen::ExtendedKeyUsagePurpose::ClientAuth,
    ];
    // rcgen takes `time` dates; build them from the epoch so we need no `time` dependency.
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let epoch = rcgen::date_time_ymd(1970, 1, 1);
    params.not_before = epoch + now.saturating_sub(BACKDATE);
    params.not_after = epoch + now + VALIDITY;
    let cert = params.self_signed(&key_pair)?;
    Ok(ServerIdentity {
        cert: cert.der().clone(),
        key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key_pair.serialize_der())),
    })
}

/// Every certificate in PLUGIN_CLIENT_CERT (go-plugin appends them all to its pool; Terraform
/// sends one). Fails on malformed PEM, on no certificate, and on a certificate whose names we
/// cannot read (we need its subject for the CertificateRequest hints).
pub fn parse_client_certs(pem: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs = CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("PLUGIN_CLIENT_CERT is not valid PEM: {e}"))?;
    if certs.is_empty() {
        return Err("PLUGIN_CLIENT_CERT holds no CERTIFICATE block".into());
    }
    for cert in &certs {
        if cert_names(cert).is_none() {
            return Err("PLUGIN_CLIENT_CERT holds a certificate that is not valid DER".into());
        }
    }
    Ok(certs)
}

/// The server side of the TLS session: TLS 1.2/1.3, ALPN h2 (grpc-go ≥1.67 refuses a server
/// that does not select it), our certificate, and the pinned client verifier.
pub fn server_config(
    identity: &ServerIdentity,
    client_certs: Vec<CertificateDer<'static>>,
) -> Result<Arc<ServerConfig>, rustls::Error> {
    let provider = provider();
    let verifier = Arc::new(PinnedClientVerifier::new(
        client_certs,
        provider.signature_verification_algorithms,
    ));
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
        .with_client_cert_verifier(verifier)
        .with_single_cert(vec![identity.cert.clone()], identity.key.clone_key())?;
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(Arc::new(config))
}

/// Requires a client certificate byte-equal to one from PLUGIN_CLIENT_CERT, and checks that the
/// client proved possession of its key. No chain building: the pin is the trust decision.
#[derive(Debug)]
pub struct PinnedClientVerifier {
    pinned: Vec<CertificateDer<'static>>,
    hints: Vec<DistinguishedName>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl PinnedClientVerifier {
    pub fn new(
        pinned: Vec<CertificateDer<'static>>,
        algorithms: WebPkiSupportedAlgorithms,
    ) -> Self {
        // Go's client only sends a certificate whose issuer is among the hinted names when
        // hints are present; for a self-signed certificate issuer and subject are equal.
        let mut hints: Vec<DistinguishedName> = Vec::new();
        for cert in &pinned {
            if let Some(names) = cert_names(cert) {
                for name in [names.subject, names.issuer] {
                    if !hints.iter().any(|h| h.as_ref() == name) {
                        hints.push(DistinguishedName::from(name.to_vec()));
                    }
                }
            }
        }
        PinnedClientVerifier {
            pinned,
            hints,
            algorithms,
        }
    }
}

/// rustls renders `CertificateError::Other` with Debug, so Debug carries the readable text.
struct NotPinned;

impl std::fmt::Display for NotPinned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("client certificate is not the one in PLUGIN_CLIENT_CERT")
    }
}

impl std::fmt::Debug for NotPinned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for NotPinned {}

impl ClientCertVerifier for PinnedClientVerifier {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        true
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &self.hints
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        if self
            .pinned
            .iter()
            .any(|p| p.as_ref() == end_entity.as_ref())
        {
            Ok(ClientCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::Other(rustls::OtherError(Arc::new(NotPinned))),
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// The issuer and subject Names of a certificate, each with its SEQUENCE header, as TLS
/// CertificateRequest hints carry them.
pub struct CertNames<'a> {
    pub issuer: &'a [u8],
    pub subject: &'a [u8],
}

/// Walks `Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version OPTIONAL,
/// serialNumber, signature, issuer, validity, subject, ... } ... }` (RFC 5280 §4.1).
pub fn cert_names(der: &[u8]) -> Option<CertNames<'_>> {
    const SEQUENCE: u8 = 0x30;
    let (cert, _) = der_element(der, SEQUENCE)?;
    let (tbs, _) = der_element(cert.content, SEQUENCE)?;
    let mut rest = tbs.content;
    if rest.first() == Some(&0xa0) {
        rest = der_element(rest, 0xa0)?.1;
    }
    let (_serial, rest) = der_element(rest, 0x02)?;
    let (_signature, rest) = der_element(rest, SEQUENCE)?;
    let (issuer, rest) = der_element(rest, SEQUENCE)?;
    let (_validity, rest) = der_element(rest, SEQUENCE)?;
    let (subject, _) = der_element(rest, SEQUENCE)?;
    Some(CertNames {
        issuer: issuer.whole,
        subject: subject.whole,
    })
}

struct DerElement<'a> {
    whole: &'a [u8],
    content: &'a [u8],
}

/// Reads one DER element with the expected tag; returns it and what follows.
fn der_element(input: &[u8], tag: u8) -> Option<(DerElement<'_>, &[u8])> {
    if *input.first()? != tag {
        return None;
    }
    let first_len = *input.get(1)?;
    let (len, header) = if first_len < 0x80 {
        (usize::from(first_len), 2)
    } else {
        let n = usize::from(first_len & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let bytes = input.get(2..2 + n)?;
        let len = bytes
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        (len, 2 + n)
    };
    let end = header.checked_add(len)?;
    let whole = input.get(..end)?;
    Some((
        DerElement {
            whole,
            content: &whole[header..],
        },
        &input[end..],
    ))
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A client certificate shaped like go-plugin's (`mtls.go`): P-521, self-signed, cA=TRUE.
    pub(in crate::plugin) fn terraform_like_client_cert() -> (rcgen::Certificate, rcgen::KeyPair) {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).unwrap();
        let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
        let mut dn = rcgen::DistinguishedName::new();
        dn.push(rcgen::DnType::CommonName, "localhost");
        dn.push(rcgen::DnType::OrganizationName, "HashiCorp");
        params.distinguished_name = dn;
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params.key_usages = vec![
            rcgen::KeyUsagePurpose::DigitalSignature,
            rcgen::KeyUsagePurpose::KeyEncipherment,
            rcgen::KeyUsagePurpose::KeyAgreement,
            rcgen::KeyUsagePurpose::KeyCertSign,
        ];
        params.extended_key_usages = vec![
            rcgen::ExtendedKeyUsagePurpose::ClientAuth,
            rcgen::ExtendedKeyUsagePurpose::ServerAuth,
        ];
        let cert = params.self_signed(&key).unwrap();
        (cert, key)
    }

    /// PEM as go-plugin writes PLUGIN_CLIENT_CERT (rcgen's `pem` feature is not enabled).
    pub(in crate::plugin) fn to_pem(der: &[u8]) -> String {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::STANDARD.encode(der);
        let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
        for line in b64.as_bytes().chunks(64) {
            out.push_str(std::str::from_utf8(line).unwrap());
            out.push('\n');
        }
        out.push_str("-----END CERTIFICATE-----\n");
        out
    }

    #[test]
    fn server_identity_is_parseable_and_fresh() {
        let id = generate_server_identity().unwrap();
        let names = cert_names(&id.cert).expect("our own certificate parses");
        assert_eq!(names.issuer, names.subject, "self-signed");
        assert!(
            names.subject.windows(9).any(|w| w == b"localhost"),
            "CN=localhost"
        );
        // Two starts never share a key.
        let other = generate_server_identity().unwrap();
        assert_ne!(id.cert, other.cert);
    }

    #[test]
    fn client_pem_parsing() {
        let (cert, _) = terraform_like_client_cert();
        let parsed = parse_client_certs(&to_pem(cert.der())).unwrap();
        assert_eq!(parsed, vec![cert.der().clone()]);

        let (second, _) = terraform_like_client_cert();
        let both = format!("{}{}", to_pem(cert.der()), to_pem(second.der()));
        assert_eq!(parse_client_certs(&both).unwrap().len(), 2);

        assert!(parse_client_certs("").is_err());
        assert!(parse_client_certs("hello").is_err());
        let garbage = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assert!(parse_client_certs(garbage).is_err());
    }

    #[test]
    fn names_and_hints() {
        let (cert, _) = terraform_like_client_cert();
        let names = cert_names(cert.der()).unwrap();
        assert_eq!(names.subject[0], 0x30);
        assert!(names.subject.windows(9).any(|w| w == b"HashiCorp"));
        assert_eq!(names.issuer, names.subject);
        let verifier = PinnedClientVerifier::new(
            vec![cert.der().clone()],
            provider().signature_verification_algorithms,
        );
        let hints = verifier.root_hint_subjects();
        assert_eq!(hints.len(), 1);
        assert_eq!(hints[0].as_ref(), names.subject);
        assert!(verifier
            .supported_verify_schemes()
            .contains(&SignatureScheme::ECDSA_NISTP521_SHA512));
        assert!(verifier.client_auth_mandatory());

        let now = UnixTime::now();
        assert!(verifier.verify_client_cert(cert.der(), &[], now).is_ok());
        let (other, _) = terraform_like_client_cert();
        assert!(verifier.verify_client_cert(other.der(), &[], now).is_err());
    }

    #[test]
    fn der_walker_rejects_truncation() {
        let (cert, _) = terraform_like_client_cert();
        let der = cert.der().as_ref();
        assert!(cert_names(&der[..der.len() / 2]).is_none());
        assert!(cert_names(&[]).is_none());
        assert!(cert_names(&[0x30, 0x85, 1, 2, 3, 4, 5]).is_none());
    }
}
