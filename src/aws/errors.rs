//! SDK errors → what a user can act on. Every AWS failure becomes one diagnostic naming the
//! operation, the resource and AWS's own error code and message; helpers classify errors by code
//! so resources can decide what is "gone" and what is worth retrying.

use std::error::Error;
use std::fmt::Write as _;

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::framework::{AttrPath, Diagnostic};

/// The AWS error code (e.g. `NoSuchEntity`), when the service returned one.
pub fn error_code<E: ProvideErrorMetadata>(err: &E) -> Option<&str> {
    err.code()
}

/// The AWS error message, when the service returned one.
pub fn error_message<E: ProvideErrorMetadata>(err: &E) -> Option<&str> {
    err.message()
}

/// The error carries exactly this code.
pub fn has_code<E: ProvideErrorMetadata>(err: &E, code: &str) -> bool {
    err.code() == Some(code)
}

/// The error carries this code and its message contains `needle` (AWS reuses generic codes such
/// as `InvalidParameterException` for distinct conditions only the message tells apart).
pub fn code_and_message_contains<E: ProvideErrorMetadata>(
    err: &E,
    code: &str,
    needle: &str,
) -> bool {
    has_code(err, code) && err.message().is_some_and(|m| m.contains(needle))
}

/// The object does not exist. Services spell this differently (`NoSuchEntity`,
/// `RepositoryNotFoundException`, `ClusterNotFoundException`, `InvalidVpcID.NotFound`, ...).
pub fn is_not_found<E: ProvideErrorMetadata>(err: &E) -> bool {
    err.code().is_some_and(is_not_found_code)
}

pub fn is_not_found_code(code: &str) -> bool {
    code.starts_with("NoSuch") || code.contains("NotFound")
}

/// One line describing an error for a user: `Code: message (request id ...)` when AWS answered
/// with an error code, the HTTP status and body when something answered that the SDK could not
/// parse (a proxy, an emulator), else the full cause chain for transport and construction
/// failures (where the useful part, such as "Connection refused", sits several sources deep).
pub trait Describe {
    fn describe(&self) -> String;
}

impl<E: ProvideErrorMetadata + Error + 'static> Describe for SdkError<E, HttpResponse> {
    fn describe(&self) -> String {
        if let Some(s) = coded(self) {
            return s;
        }
        match self {
            SdkError::ServiceError(ctx) => {
                let raw = ctx.raw();
                let body = raw
                    .body()
                    .bytes()
                    .map(|b| {
                        String::from_utf8_lossy(b)
                            .split_whitespace()
                            .collect::<Vec<_>>()
                            .join(" ")
                    })
                    .unwrap_or_default();
                let body: String = body.chars().take(300).collect();
                format!(
                    "HTTP {} with an unrecognised error response: {body}",
                    raw.status().as_u16()
                )
            }
            other => chain(other),
        }
    }
}

/// `Code: message (request id ...)` when the error carries a code or message.
fn coded<E: ProvideErrorMetadata>(err: &E) -> Option<String> {
    match (err.code(), err.message()) {
        (Some(code), msg) => {
            let mut s = code.to_string();
            if let Some(m) = msg.filter(|m| !m.is_empty()) {
                let _ = write!(s, ": {m}");
            }
            if let Some(id) = err.meta().extra("aws_request_id") {
                let _ = write!(s, " (request id {id})");
            }
            Some(s)
        }
        (None, Some(m)) => Some(m.to_string()),
        (None, None) => None,
    }
}

/// [`Describe::describe`] as a function.
pub fn describe<E: Describe + ?Sized>(err: &E) -> String {
    err.describe()
}

/// An error and all its sources, joined with ": ", skipping repeats.
pub fn chain(err: &dyn Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur: Option<&dyn Error> = Some(err);
    while let Some(e) = cur {
        let s = e.to_string();
        if !s.is_empty() && parts.last() != Some(&s) && !parts.iter().any(|p| p.ends_with(&s)) {
            parts.push(s);
        }
        cur = e.source();
    }
    parts.join(": ")
}

/// The diagnostic for a failed AWS call: summary "creating IAM Role (x)", detail with AWS's code
/// and message.
pub fn aws_diag<E: Describe>(operation: &str, resource: &str, err: &E) -> Diagnostic {
    Diagnostic::error(summary(operation, resource), describe(err))
}

/// Like [`aws_diag`], attached to the attribute the failure is about.
pub fn aws_diag_at<E: Describe>(
    operation: &str,
    resource: &str,
    err: &E,
    path: AttrPath,
) -> Diagnostic {
    aws_diag(operation, resource, err).at(path)
}

/// "creating IAM Role (name)": the hashicorp/aws phrasing users search for.
pub fn summary(operation: &str, resource: &str) -> String {
    if resource.is_empty() {
        operation.to_string()
    } else {
        format!("{operation} ({resource})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_smithy_types::error::ErrorMetadata;
    use std::fmt;

    #[derive(Debug)]
    struct Fake(ErrorMetadata, Option<Box<Fake>>, &'static str);
    impl fmt::Display for Fake {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.2)
        }
    }
    impl Error for Fake {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            self.1.as_deref().map(|e| e as &dyn Error)
        }
    }
    impl ProvideErrorMetadata for Fake {
        fn meta(&self) -> &ErrorMetadata {
            &self.0
        }
    }
    impl Describe for Fake {
        fn describe(&self) -> String {
            coded(self).unwrap_or_else(|| chain(self))
        }
    }

    fn svc(code: &str, msg: &str) -> Fake {
        Fake(
            ErrorMetadata::builder()
                .code(code)
                .message(msg)
                .custom("aws_request_id", "r-1")
                .build(),
            None,
            "service error",
        )
    }

    #[test]
    fn classifies_not_found_spellings() {
        for code in [
            "NoSuchEntity",
            "RepositoryNotFoundException",
            "ClusterNotFoundException",
            "InvalidVpcID.NotFound",
        ] {
            assert!(is_not_found(&svc(code, "x")), "{code}");
        }
        for code in [
            "AccessDenied",
            "DeleteConflict",
            "RepositoryNotEmptyException",
        ] {
            assert!(!is_not_found(&svc(code, "x")), "{code}");
        }
        let transport = Fake(ErrorMetadata::default(), None, "dispatch failure");
        assert!(!is_not_found(&transport));
        assert_eq!(error_code(&transport), None);
    }

    #[test]
    fn describes_service_and_transport_errors() {
        let e = svc("MalformedPolicyDocument", "Invalid principal in policy");
        assert_eq!(
            describe(&e),
            "MalformedPolicyDocument: Invalid principal in policy (request id r-1)"
        );
        assert!(code_and_message_contains(
            &e,
            "MalformedPolicyDocument",
            "Invalid principal"
        ));
        assert!(!code_and_message_contains(
            &e,
            "MalformedPolicyDocument",
            "other"
        ));
        let io = Fake(
            ErrorMetadata::default(),
            None,
            "Connection refused (os error 111)",
        );
        let mid = Fake(ErrorMetadata::default(), Some(Box::new(io)), "io error");
        let top = Fake(
            ErrorMetadata::default(),
            Some(Box::new(mid)),
            "dispatch failure",
        );
        assert_eq!(
            describe(&top),
            "dispatch failure: io error: Connection refused (os error 111)"
        );
        let d = aws_diag("creating IAM Role", "r1", &e);
        assert_eq!(d.summary, "creating IAM Role (r1)");
        assert!(d.detail.starts_with("MalformedPolicyDocument"));
    }
}
