//! One debug log line per AWS API call: service, operation, region, duration, attempts, HTTP status
//! and request ID — what you need to match a Terraform run against CloudTrail or an AWS support case.
//!
//! Only those facts are read from the call. Headers (Authorization, X-Amz-Security-Token, ECR's
//! tokens), bodies and error messages are never logged: any of them can carry a secret, and a
//! request body holds the user's (possibly sensitive) attribute values. Each attempt is also logged
//! at trace, so retries show up with their own status and request ID.

use std::time::{Duration, Instant};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::{HttpResponse, Metadata};
use aws_smithy_runtime_api::client::retries::RequestAttempts;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};
use aws_types::region::Region;

use crate::logging::{self, Level};

/// The interceptor; attach with `config::Builder::interceptor(CallLog)` (done for every client in
/// `clients.rs` and for the Configure-time STS client).
#[derive(Clone, Copy, Debug, Default)]
pub struct CallLog;

/// When the call started; kept in the call's own config bag, so concurrent calls don't mix.
#[derive(Clone, Copy, Debug)]
struct CallStart(Instant);

impl Storable for CallStart {
    type Storer = StoreReplace<Self>;
}

/// What one call (or attempt) logs. Built only from the facts listed in the module doc.
#[derive(Debug, PartialEq, Eq)]
struct CallFacts {
    service: String,
    operation: String,
    region: String,
    attempts: u32,
    status: Option<u16>,
    request_id: Option<String>,
    error_code: Option<String>,
    outcome: &'static str,
}

impl CallFacts {
    fn gather(ctx: &FinalizerInterceptorContextRef<'_>, cfg: &ConfigBag) -> CallFacts {
        let meta = cfg.load::<Metadata>();
        let outcome = match ctx.output_or_error() {
            None => "not sent",
            Some(Ok(_)) => "ok",
            Some(Err(e)) if e.is_operation_error() => "service error",
            Some(Err(e)) if e.is_timeout_error() => "timeout",
            Some(Err(e)) if e.is_connector_error() => "connection error",
            Some(Err(e)) if e.is_response_error() => "unreadable response",
            Some(Err(_)) => "sdk error",
        };
        CallFacts {
            service: meta.map(|m| m.service().to_string()).unwrap_or_default(),
            operation: meta.map(|m| m.name().to_string()).unwrap_or_default(),
            region: cfg
                .load::<Region>()
                .map(|r| r.to_string())
                .unwrap_or_default(),
            attempts: cfg.load::<RequestAttempts>().map_or(0, |a| a.attempts()),
            status: ctx.response().map(|r| r.status().as_u16()),
            request_id: ctx.response().and_then(request_id),
            error_code: ctx.response().and_then(error_code),
            outcome,
        }
    }

    fn emit(&self, level: Level, message: &str, duration: Option<Duration>) {
        let duration_ms = duration.map(|d| format!("{:.1}", d.as_secs_f64() * 1000.0));
        let status = self.status.map(|s| s.to_string());
        let attempts = self.attempts.to_string();
        let retries = self.attempts.saturating_sub(1).to_string();
        let mut fields: Vec<(&str, &dyn std::fmt::Display)> = vec![
            ("service", &self.service),
            ("operation", &self.operation),
            ("region", &self.region),
            ("attempts", &attempts),
            ("retries", &retries),
            ("outcome", &self.outcome),
        ];
        if let Some(ms) = &duration_ms {
            fields.push(("duration_ms", ms));
        }
        if let Some(s) = &status {
            fields.push(("http_status", s));
        }
        if let Some(id) = &self.request_id {
            fields.push(("request_id", id));
        }
        if let Some(code) = &self.error_code {
            fields.push(("error_code", code));
        }
        logging::emit(level, message, &fields);
    }
}

/// The request ID AWS puts in a response header: `x-amzn-RequestId` (most services) or
/// `x-amz-request-id` (S3-style). Query-protocol bodies also carry one, but bodies are not read.
fn request_id(resp: &HttpResponse) -> Option<String> {
    ["x-amzn-requestid", "x-amz-request-id"]
        .iter()
        .find_map(|h| resp.headers().get(*h))
        .map(|v| {
            v.chars()
                .filter(|c| c.is_ascii_graphic())
                .take(128)
                .collect()
        })
}

/// The error code JSON-protocol services (ECS, ECR, SSM, Logs, ...) send in `x-amzn-ErrorType`,
/// e.g. `ClusterNotFoundException:http://internal.amazon.com/...` -> `ClusterNotFoundException`.
/// Query-protocol services (IAM, EC2, ...) put it in the body only, which is not read.
fn error_code(resp: &HttpResponse) -> Option<String> {
    let raw = resp.headers().get("x-amzn-errortype")?;
    let code = raw.split(':').next().unwrap_or(raw).trim();
    (!code.is_empty()).then(|| {
        code.chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '#' | '-'))
            .take(128)
            .collect()
    })
}

impl Intercept for CallLog {
    fn name(&self) -> &'static str {
        "CallLog"
    }

    fn read_before_execution(
        &self,
        _ctx: &BeforeSerializationInterceptorContextRef<'_>,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if logging::enabled(Level::Debug) {
            cfg.interceptor_state().store_put(CallStart(Instant::now()));
        }
        Ok(())
    }

    fn read_after_attempt(
        &self,
        ctx: &FinalizerInterceptorContextRef<'_>,
        _rc: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if logging::enabled(Level::Trace) {
            CallFacts::gather(ctx, cfg).emit(Level::Trace, "AWS call attempt", None);
        }
        Ok(())
    }

    fn read_after_execution(
        &self,
        ctx: &FinalizerInterceptorContextRef<'_>,
        _rc: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if logging::enabled(Level::Debug) {
            let duration = cfg.load::<CallStart>().map(|s| s.0.elapsed());
            CallFacts::gather(ctx, cfg).emit(Level::Debug, "AWS call", duration);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_smithy_runtime_api::client::interceptors::context::{Input, InterceptorContext};
    use aws_smithy_runtime_api::client::orchestrator::OrchestratorError;
    use aws_smithy_runtime_api::http::StatusCode;
    use aws_smithy_types::body::SdkBody;
    use aws_smithy_types::config_bag::Layer;

    fn response(headers: &[(&'static str, &'static str)], body: &'static str) -> HttpResponse {
        let mut r = HttpResponse::new(StatusCode::try_from(400).unwrap(), SdkBody::from(body));
        for (k, v) in headers {
            r.headers_mut().insert(*k, *v);
        }
        r
    }

    #[test]
    fn request_id_comes_from_either_aws_header() {
        let json = response(&[("x-amzn-RequestId", "abc-123")], "");
        assert_eq!(request_id(&json).as_deref(), Some("abc-123"));
        let s3 = response(&[("x-amz-request-id", "S3ID")], "");
        assert_eq!(request_id(&s3).as_deref(), Some("S3ID"));
        assert_eq!(request_id(&response(&[], "")), None);
        let hostile = response(&[("x-amzn-RequestId", "id \"x\t")], "");
        assert_eq!(request_id(&hostile).as_deref(), Some("id\"x"));
    }

    #[test]
    fn error_code_is_the_type_before_the_colon() {
        let r = response(
            &[(
                "x-amzn-ErrorType",
                "ClusterNotFoundException:http://internal.amazon.com/coral/com.amazon.ecs/",
            )],
            "",
        );
        assert_eq!(error_code(&r).as_deref(), Some("ClusterNotFoundException"));
        assert_eq!(error_code(&response(&[], "")), None);
    }

    #[test]
    fn facts_name_the_call_and_nothing_from_headers_or_body() {
        let mut layer = Layer::new("test");
        layer.store_put(Metadata::new("CreateRole", "IAM"));
        layer.store_put(Region::new("eu-west-1"));
        layer.store_put(RequestAttempts::new(3));
        let cfg = ConfigBag::of_layers(vec![layer]);
        let mut ctx = InterceptorContext::new(Input::erase(()));
        ctx.set_response(response(
            &[
                ("x-amzn-RequestId", "req-1"),
                ("x-amz-security-token", "SECRET-TOKEN"),
                ("set-cookie", "SECRET-COOKIE"),
            ],
            "{\"authorizationToken\":\"SECRET-BODY\"}",
        ));
        ctx.set_output_or_error(Err(OrchestratorError::timeout("slow".into())));
        let facts = CallFacts::gather(&FinalizerInterceptorContextRef::from(&ctx), &cfg);
        assert_eq!(
            facts,
            CallFacts {
                service: "IAM".into(),
                operation: "CreateRole".into(),
                region: "eu-west-1".into(),
                attempts: 3,
                status: Some(400),
                request_id: Some("req-1".into()),
                error_code: None,
                outcome: "timeout",
            }
        );
        assert!(!format!("{facts:?}").contains("SECRET"));
    }
}
