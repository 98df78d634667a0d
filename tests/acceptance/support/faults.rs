//! Seeded fault injection for the [`RecordingProxy`](super::RecordingProxy) (issue 7): throttling
//! in each service's own protocol shape, 500/503, connection resets before or after the call
//! reaches moto, and latency spikes, at rates that can differ per service and operation.
//!
//! Every request is still recorded; its [`AwsRequest::fault`](super::AwsRequest::fault) says what
//! the client got instead of moto's answer. Choices come from one seeded generator, so a seed
//! reproduces the same sequence of faults for the same sequence of requests.

use std::sync::Mutex;
use std::time::Duration;

/// Fractions (0.0..=1.0) of requests that get each fault. At most one of throttle, server error
/// and reset applies to a request; a latency spike can come on top of any of them.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct FaultRates {
    /// Answered with the service's throttling error (never reaches moto).
    pub throttle: f64,
    /// Answered with 500 InternalFailure or 503 ServiceUnavailable (never reaches moto).
    pub server_error: f64,
    /// Connection reset before the request is forwarded (never reaches moto).
    pub reset_before: f64,
    /// Forwarded to moto, which acts on it, then the connection is reset before the response: the
    /// call happened but the client saw an error (retried creates must cope).
    pub reset_after: f64,
    /// Fraction of requests delayed by a random time between [`FaultPlan::min_spike`] and
    /// [`FaultPlan::max_spike`].
    pub spike: f64,
}

impl FaultRates {
    /// The issue-7 mix: throttling 20%, 5xx 5%, resets 2% (a quarter of them after the call
    /// reached moto: lost replies), spikes on 5% of calls. The CI seeds and the long run use it.
    pub fn issue7() -> FaultRates {
        FaultRates {
            throttle: 0.20,
            server_error: 0.05,
            reset_before: 0.015,
            reset_after: 0.005,
            spike: 0.05,
        }
    }

    /// Every request answered 500 or 503: a broken endpoint.
    pub fn always_unavailable() -> FaultRates {
        FaultRates {
            server_error: 1.0,
            ..FaultRates::default()
        }
    }
}

/// What to inject: default rates, optional overrides per `service` or `service:Operation` (the
/// signing service, e.g. `iam`, `ecs:CreateService`), and the seed.
#[derive(Clone, Debug)]
pub struct FaultPlan {
    pub seed: u64,
    pub rates: FaultRates,
    /// Checked in order; the first match wins (`"ecs"`, `"iam:CreateRole"`).
    pub overrides: Vec<(String, FaultRates)>,
    /// Scripted faults: the first requests matching a selector get these, in order, before any
    /// random choice (deterministic whatever the request order of other calls).
    pub scripts: Vec<(String, Vec<Fault>)>,
    pub min_spike: Duration,
    pub max_spike: Duration,
}

impl FaultPlan {
    pub fn new(seed: u64, rates: FaultRates) -> FaultPlan {
        FaultPlan {
            seed,
            rates,
            overrides: Vec::new(),
            scripts: Vec::new(),
            min_spike: Duration::ZERO,
            max_spike: Duration::from_secs(2),
        }
    }

    /// Spikes last between `min` and `max` (e.g. to hold one call in flight for a while).
    pub fn with_spikes(mut self, min: Duration, max: Duration) -> FaultPlan {
        self.min_spike = min;
        self.max_spike = max.max(min);
        self
    }

    /// Other rates for one service (`"sts"`) or one operation (`"ecs:CreateService"`).
    pub fn with_override(mut self, selector: &str, rates: FaultRates) -> FaultPlan {
        self.overrides.push((selector.to_string(), rates));
        self
    }

    /// The first requests matching `selector` get `faults`, one each, in order.
    pub fn with_first(mut self, selector: &str, faults: &[Fault]) -> FaultPlan {
        self.scripts.push((selector.to_string(), faults.to_vec()));
        self
    }

    fn rates_for(&self, service: &str, operation: &str) -> FaultRates {
        let op = format!("{service}:{operation}");
        self.overrides
            .iter()
            .find(|(sel, _)| *sel == op || *sel == service)
            .map(|(_, r)| *r)
            .unwrap_or(self.rates)
    }
}

/// What happened to one request instead of a plain relay.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    Throttled,
    ServerError(u16),
    ResetBeforeForwarding,
    ResetAfterForwarding,
}

/// Counters over everything a faulting proxy saw.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FaultStats {
    pub requests: u64,
    pub throttled: u64,
    pub server_errors: u64,
    pub resets_before: u64,
    pub resets_after: u64,
    pub spikes: u64,
}

impl FaultStats {
    pub fn faults(&self) -> u64 {
        self.throttled + self.server_errors + self.resets_before + self.resets_after
    }
}

impl std::fmt::Display for FaultStats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} requests: {} throttled, {} 5xx, {} reset before / {} after forwarding, {} latency spikes",
            self.requests,
            self.throttled,
            self.server_errors,
            self.resets_before,
            self.resets_after,
            self.spikes
        )
    }
}

/// The decision for one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Decision {
    pub delay: Duration,
    pub fault: Option<Fault>,
}

/// A plan plus its generator and counters (shared by the proxy's connection threads).
pub(crate) struct Injector {
    plan: FaultPlan,
    /// Generator state, counters, and how many faults of each script were used.
    state: Mutex<(u64, FaultStats, Vec<usize>)>,
}

impl Injector {
    pub fn new(plan: FaultPlan) -> Injector {
        let (seed, scripts) = (plan.seed, plan.scripts.len());
        Injector {
            plan,
            state: Mutex::new((seed, FaultStats::default(), vec![0; scripts])),
        }
    }

    pub fn stats(&self) -> FaultStats {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).1
    }

    pub fn decide(&self, service: &str, operation: &str) -> Decision {
        let rates = self.plan.rates_for(service, operation);
        let mut guard = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let (rng, stats, used) = &mut *guard;
        stats.requests += 1;
        let op = format!("{service}:{operation}");
        let scripted = self
            .plan
            .scripts
            .iter()
            .zip(used.iter_mut())
            .find(|((sel, faults), used)| (*sel == op || sel == service) && **used < faults.len())
            .map(|((_, faults), used)| {
                *used += 1;
                faults[*used - 1]
            });
        if let Some(fault) = scripted {
            match fault {
                Fault::Throttled => stats.throttled += 1,
                Fault::ServerError(_) => stats.server_errors += 1,
                Fault::ResetBeforeForwarding => stats.resets_before += 1,
                Fault::ResetAfterForwarding => stats.resets_after += 1,
            }
            return Decision {
                delay: Duration::ZERO,
                fault: Some(fault),
            };
        }
        let roll = unit(rng);
        let mut edge = 0.0;
        let mut pick = |rate: f64| {
            edge += rate;
            roll < edge
        };
        let fault = if pick(rates.throttle) {
            stats.throttled += 1;
            Some(Fault::Throttled)
        } else if pick(rates.server_error) {
            stats.server_errors += 1;
            Some(Fault::ServerError(if unit(rng) < 0.5 { 500 } else { 503 }))
        } else if pick(rates.reset_before) {
            stats.resets_before += 1;
            Some(Fault::ResetBeforeForwarding)
        } else if pick(rates.reset_after) {
            stats.resets_after += 1;
            Some(Fault::ResetAfterForwarding)
        } else {
            None
        };
        let delay = if unit(rng) < rates.spike {
            stats.spikes += 1;
            let plan = &self.plan;
            plan.min_spike + (plan.max_spike - plan.min_spike).mul_f64(unit(rng))
        } else {
            Duration::ZERO
        };
        Decision { delay, fault }
    }
}

/// splitmix64: small, seedable, good enough to spread faults.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn unit(state: &mut u64) -> f64 {
    (next(state) >> 11) as f64 / (1u64 << 53) as f64
}

/// The HTTP response for an injected error, in the protocol the service speaks: JSON `__type`
/// (ECS, ECR, Logs, Cloud Map, SSM), EC2's `<Response><Errors>` (throttling is 503
/// `RequestLimitExceeded` there), or the query protocol's `<ErrorResponse>` (IAM, STS, ELB,
/// Auto Scaling, where throttling is 400 `Throttling`).
pub(crate) fn error_response(
    fault: Fault,
    service: &str,
    json_protocol: bool,
    seq: u64,
) -> Vec<u8> {
    let request_id = format!("00000000-fa17-4000-8000-{seq:012x}");
    let (status, code, message) = match (fault, json_protocol, service) {
        // JSON services throttle with 400 ThrottlingException; API Gateway-style 429 also exists.
        (Fault::Throttled, true, _) if seq.is_multiple_of(4) => {
            (429, "TooManyRequestsException", "Too many requests")
        }
        (Fault::Throttled, true, _) => (400, "ThrottlingException", "Rate exceeded"),
        (Fault::Throttled, false, "ec2") => {
            (503, "RequestLimitExceeded", "Request limit exceeded.")
        }
        (Fault::Throttled, false, _) => (400, "Throttling", "Rate exceeded"),
        (Fault::ServerError(500), _, _) => (500, "InternalFailure", "Internal failure"),
        (Fault::ServerError(s), _, _) => (s, "ServiceUnavailable", "Service unavailable"),
        (Fault::ResetBeforeForwarding | Fault::ResetAfterForwarding, _, _) => {
            unreachable!("resets have no response")
        }
    };
    let reason = match status {
        400 => "Bad Request",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        _ => "Service Unavailable",
    };
    let (content_type, body) = if json_protocol {
        (
            "application/x-amz-json-1.1",
            format!(r#"{{"__type":"{code}","message":"{message}"}}"#),
        )
    } else if service == "ec2" {
        (
            "text/xml",
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors><RequestID>{request_id}</RequestID></Response>"),
        )
    } else {
        (
            "text/xml",
            format!("<ErrorResponse><Error><Type>{}</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>", if status < 500 { "Sender" } else { "Receiver" }),
        )
    };
    format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nx-amzn-RequestId: {request_id}\r\nx-amzn-ErrorType: {code}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Closes with RST instead of FIN (SO_LINGER 0), so the client sees "connection reset by peer".
pub(crate) fn reset(stream: std::net::TcpStream) {
    use std::os::fd::AsRawFd;
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: setsockopt on a socket we own, with a correctly sized linger struct.
    unsafe {
        libc::setsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&linger as *const libc::linger).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        );
    }
    drop(stream);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_faults_and_rates_are_roughly_honoured() {
        let run = |seed| {
            let inj = Injector::new(FaultPlan::new(seed, FaultRates::issue7()));
            let d: Vec<Decision> = (0..10_000).map(|_| inj.decide("ecs", "X")).collect();
            (d, inj.stats())
        };
        let (a, stats) = run(7);
        assert_eq!(a, run(7).0);
        assert_ne!(a, run(8).0);
        let share = |n: u64| n as f64 / stats.requests as f64;
        assert!((0.18..0.22).contains(&share(stats.throttled)), "{stats}");
        assert!(
            (0.04..0.06).contains(&share(stats.server_errors)),
            "{stats}"
        );
        assert!(stats.resets_after > 0 && stats.spikes > 0, "{stats}");
    }

    #[test]
    fn overrides_match_service_or_operation() {
        let plan = FaultPlan::new(1, FaultRates::default())
            .with_override("iam:CreateRole", FaultRates::always_unavailable());
        let inj = Injector::new(plan);
        assert!(matches!(
            inj.decide("iam", "CreateRole").fault,
            Some(Fault::ServerError(500 | 503))
        ));
        assert_eq!(inj.decide("iam", "GetRole").fault, None);
    }

    #[test]
    fn scripts_come_first_then_random_choice() {
        let plan = FaultPlan::new(1, FaultRates::default()).with_first(
            "logs:CreateLogGroup",
            &[Fault::ResetAfterForwarding, Fault::Throttled],
        );
        let inj = Injector::new(plan);
        assert_eq!(inj.decide("logs", "DescribeLogGroups").fault, None);
        let create = || inj.decide("logs", "CreateLogGroup").fault;
        assert_eq!(create(), Some(Fault::ResetAfterForwarding));
        assert_eq!(create(), Some(Fault::Throttled));
        assert_eq!(create(), None);
        assert_eq!(inj.stats().resets_after, 1);
    }
}
