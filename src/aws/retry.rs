//! Retrying and waiting for AWS's eventual consistency, the same way for every resource:
//! exponential backoff (200ms, x2, capped at 5s) inside a time budget, interrupted by Stop, and a
//! give-up error that says what was retried, for how long and what AWS said last.
//!
//! The SDK's own retryer handles throttling and transient transport errors per call; these helpers
//! handle errors that are *semantically* transient (a role that IAM has not propagated yet, a
//! conflict with a concurrent change) and waits for a state (cluster ACTIVE, repository gone).

use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::FinalizerInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use tokio::time::Instant;

use super::errors;
use crate::framework::{Diagnostic, StopToken};

/// How long IAM changes take to become visible everywhere (hashicorp/aws `propagationTimeout`).
pub const PROPAGATION_TIMEOUT: Duration = Duration::from_secs(120);

/// Delay schedule between attempts: `initial`, then multiplied by `factor`, never above `max`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    pub initial: Duration,
    pub factor: u32,
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            initial: Duration::from_millis(200),
            factor: 2,
            max: Duration::from_secs(5),
        }
    }
}

impl Backoff {
    /// The delay after the `n`-th failed attempt (0-based).
    pub fn delay(&self, n: u32) -> Duration {
        let mut d = self.initial;
        for _ in 0..n {
            d = d.saturating_mul(self.factor.max(1));
            if d >= self.max {
                return self.max;
            }
        }
        d.min(self.max)
    }
}

/// Why a retry or wait ended without success.
#[derive(Debug)]
pub enum RetryError<E> {
    /// The operation failed with an error the predicate does not consider retryable.
    Failed(E),
    /// The budget ran out; `last` is the last error (retry) or state (wait) seen.
    TimedOut {
        what: String,
        elapsed: Duration,
        attempts: u32,
        last: Last<E>,
    },
    /// Terraform asked the provider to stop.
    Stopped { what: String },
}

/// What was seen last before giving up.
#[derive(Debug)]
pub enum Last<E> {
    Error(E),
    State(String),
}

impl<E> RetryError<E> {
    /// The underlying error, if the operation ended on one.
    pub fn error(&self) -> Option<&E> {
        match self {
            RetryError::Failed(e)
            | RetryError::TimedOut {
                last: Last::Error(e),
                ..
            } => Some(e),
            _ => None,
        }
    }

    /// A diagnostic for this outcome, describing errors with `describe`.
    pub fn diag_with(
        &self,
        operation: &str,
        resource: &str,
        describe: impl Fn(&E) -> String,
    ) -> Diagnostic {
        let summary = errors::summary(operation, resource);
        match self {
            RetryError::Failed(e) => Diagnostic::error(summary, describe(e)),
            RetryError::TimedOut {
                what,
                elapsed,
                attempts,
                last,
            } => {
                let last = match last {
                    Last::Error(e) => format!("last error: {}", describe(e)),
                    Last::State(s) => format!("last state: {s:?}"),
                };
                Diagnostic::error(
                    summary,
                    format!(
                        "gave up {what} after {} ({attempts} attempts); {last}",
                        fmt_duration(*elapsed)
                    ),
                )
            }
            RetryError::Stopped { what } => Diagnostic::error(
                summary,
                format!("interrupted while {what}: Terraform asked the provider to stop"),
            ),
        }
    }
}

impl<E: errors::Describe> RetryError<E> {
    /// The diagnostic for an AWS SDK error outcome.
    pub fn diag(&self, operation: &str, resource: &str) -> Diagnostic {
        self.diag_with(operation, resource, |e| e.describe())
    }
}

impl<E: fmt::Display> fmt::Display for RetryError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diag_with("", "", |e| e.to_string()).detail)
    }
}

/// Runs `op` until it succeeds, fails with a non-retryable error, the budget is spent, or Stop.
/// Uses the default backoff; see [`retry_when_with`].
pub async fn retry_when<T, E, F, Fut>(
    stop: &StopToken,
    what: &str,
    budget: Duration,
    retryable: impl Fn(&E) -> bool,
    op: F,
) -> Result<T, RetryError<E>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    retry_when_with(stop, what, budget, Backoff::default(), retryable, op).await
}

/// [`retry_when`] with an explicit backoff. The last attempt happens at (about) the end of the
/// budget, never later: the sleep before it is shortened to fit.
pub async fn retry_when_with<T, E, F, Fut>(
    stop: &StopToken,
    what: &str,
    budget: Duration,
    backoff: Backoff,
    retryable: impl Fn(&E) -> bool,
    mut op: F,
) -> Result<T, RetryError<E>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let start = Instant::now();
    let mut attempts = 0u32;
    loop {
        attempts += 1;
        let err = match op().await {
            Ok(v) => return Ok(v),
            Err(e) if retryable(&e) => e,
            Err(e) => return Err(RetryError::Failed(e)),
        };
        let elapsed = start.elapsed();
        if elapsed >= budget {
            return Err(RetryError::TimedOut {
                what: what.to_string(),
                elapsed,
                attempts,
                last: Last::Error(err),
            });
        }
        log_debug!("retrying", "what" = what, "attempt" = attempts);
        let delay = backoff.delay(attempts - 1).min(budget - elapsed);
        if stop.sleep(delay).await.is_err() {
            return Err(RetryError::Stopped {
                what: what.to_string(),
            });
        }
    }
}

/// One observation of a waiter: done with a value, or still in some named state.
#[derive(Debug, Clone, PartialEq)]
pub enum Poll<T> {
    Ready(T),
    Pending(String),
}

/// How a waiter polls.
#[derive(Clone, Copy, Debug)]
pub struct WaitPolicy {
    pub budget: Duration,
    pub backoff: Backoff,
    /// Wait this long before the first poll (some APIs report stale state right after a change).
    pub initial_delay: Duration,
    /// Require this many consecutive Ready polls (hashicorp/aws `ContinuousTargetOccurence`).
    pub consecutive: u32,
}

// The builder knobs serve the waiters of the next resources (instance profile: 3 consecutive
// successes; cluster and service states: an initial delay).
#[allow(dead_code)]
impl WaitPolicy {
    pub fn new(budget: Duration) -> Self {
        WaitPolicy {
            budget,
            backoff: Backoff::default(),
            initial_delay: Duration::ZERO,
            consecutive: 1,
        }
    }
    pub fn backoff(mut self, b: Backoff) -> Self {
        self.backoff = b;
        self
    }
    pub fn initial_delay(mut self, d: Duration) -> Self {
        self.initial_delay = d;
        self
    }
    pub fn consecutive(mut self, n: u32) -> Self {
        self.consecutive = n.max(1);
        self
    }
}

/// Polls until `poll` reports Ready (the configured number of times in a row), an error, the
/// budget is spent, or Stop. Errors end the wait; map "not found" to a Pending/Ready state in
/// `poll` when it is an expected state.
pub async fn wait_until<T, E, F, Fut>(
    stop: &StopToken,
    what: &str,
    policy: WaitPolicy,
    mut poll: F,
) -> Result<T, RetryError<E>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Poll<T>, E>>,
{
    let start = Instant::now();
    if !policy.initial_delay.is_zero() && stop.sleep(policy.initial_delay).await.is_err() {
        return Err(RetryError::Stopped {
            what: what.to_string(),
        });
    }
    let mut attempts = 0u32;
    let mut ready_in_a_row = 0u32;
    let mut pending_polls = 0u32;
    loop {
        attempts += 1;
        let state = match poll().await.map_err(RetryError::Failed)? {
            Poll::Ready(v) => {
                ready_in_a_row += 1;
                if ready_in_a_row >= policy.consecutive {
                    return Ok(v);
                }
                "ready".to_string()
            }
            Poll::Pending(s) => {
                ready_in_a_row = 0;
                pending_polls += 1;
                s
            }
        };
        let elapsed = start.elapsed();
        if elapsed >= policy.budget {
            return Err(RetryError::TimedOut {
                what: what.to_string(),
                elapsed,
                attempts,
                last: Last::State(state),
            });
        }
        // Consecutive-success checks poll at the initial pace; only pending states back off.
        let delay = if ready_in_a_row > 0 {
            policy.backoff.initial
        } else {
            policy.backoff.delay(pending_polls.saturating_sub(1))
        };
        if stop
            .sleep(delay.min(policy.budget - elapsed))
            .await
            .is_err()
        {
            return Err(RetryError::Stopped {
                what: what.to_string(),
            });
        }
    }
}

/// Notes whether an attempt of one SDK call went unanswered (the connection dropped or timed out
/// after the request was sent). AWS may have acted on such an attempt, so when the SDK's retry
/// of a create then hears "already exists", the object is most likely the call's own. Attach
/// with `.customize().interceptor(probe.clone())` and ask [`UnansweredAttempts::explains`].
#[derive(Clone, Debug, Default)]
pub struct UnansweredAttempts(Arc<AtomicBool>);

impl UnansweredAttempts {
    pub fn new() -> Self {
        Self::default()
    }

    /// True when an attempt got no response at all.
    pub fn any(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    /// True when `err` is the `already_exists` error code and an earlier attempt went
    /// unanswered: the create most likely succeeded on that attempt.
    pub fn explains<E: ProvideErrorMetadata>(&self, err: &E, already_exists: &str) -> bool {
        let explained = self.any() && errors::has_code(err, already_exists);
        if explained {
            log_warn!(
                "an earlier attempt of this create went unanswered; treating the existing object as created by it",
                "code" = already_exists
            );
        }
        explained
    }
}

impl Intercept for UnansweredAttempts {
    fn name(&self) -> &'static str {
        "UnansweredAttempts"
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        // The request is handed to the connector, so only the error tells that it was sent:
        // a connector failure (dropped connection) or an attempt timeout, with no response.
        let unanswered = matches!(
            context.output_or_error(),
            Some(Err(e)) if e.is_connector_error() || e.is_timeout_error()
        );
        if unanswered && context.response().is_none() {
            self.0.store(true, Ordering::SeqCst);
        }
        Ok(())
    }
}

/// Go-style rendering ("2m0s", "1.5s", "200ms"), matching how users write timeouts.
pub fn fmt_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        return format!("{ms}ms");
    }
    let (h, rest) = (ms / 3_600_000, ms % 3_600_000);
    let (m, rest) = (rest / 60_000, rest % 60_000);
    let (s, frac) = (rest / 1000, rest % 1000);
    let secs = if frac == 0 {
        format!("{s}s")
    } else {
        format!("{s}.{}s", format!("{frac:03}").trim_end_matches('0'))
    };
    match (h, m) {
        (0, 0) => secs,
        (0, m) => format!("{m}m{secs}"),
        (h, m) => format!("{h}h{m}m{secs}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::stop::StopSource;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn fast() -> Backoff {
        Backoff {
            initial: Duration::from_millis(1),
            factor: 2,
            max: Duration::from_millis(4),
        }
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let b = Backoff::default();
        let d: Vec<u128> = (0..8).map(|n| b.delay(n).as_millis()).collect();
        assert_eq!(d, vec![200, 400, 800, 1600, 3200, 5000, 5000, 5000]);
        assert_eq!(b.delay(1000), Duration::from_secs(5));
    }

    #[test]
    fn durations_render_like_go() {
        assert_eq!(fmt_duration(Duration::from_secs(120)), "2m0s");
        assert_eq!(fmt_duration(Duration::from_millis(1500)), "1.5s");
        assert_eq!(fmt_duration(Duration::from_millis(200)), "200ms");
        assert_eq!(fmt_duration(Duration::from_secs(3725)), "1h2m5s");
    }

    #[tokio::test]
    async fn retries_retryable_errors_until_success() {
        let calls = AtomicU32::new(0);
        let out: Result<u32, RetryError<&str>> = retry_when_with(
            &StopToken::never(),
            "creating thing",
            Duration::from_secs(60),
            fast(),
            |e| *e == "busy",
            || {
                let n = calls.fetch_add(1, Ordering::SeqCst);
                async move {
                    if n < 3 {
                        Err("busy")
                    } else {
                        Ok(n)
                    }
                }
            },
        )
        .await;
        assert_eq!(out.unwrap(), 3);
        assert_eq!(calls.load(Ordering::SeqCst), 4);
    }

    #[tokio::test]
    async fn stops_at_the_first_permanent_error() {
        let calls = AtomicU32::new(0);
        let out: Result<(), _> = retry_when_with(
            &StopToken::never(),
            "x",
            Duration::from_secs(60),
            fast(),
            |e: &&str| *e == "busy",
            || {
                calls.fetch_add(1, Ordering::SeqCst);
                async { Err("denied") }
            },
        )
        .await;
        assert!(matches!(out, Err(RetryError::Failed("denied"))));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn gives_up_with_what_and_how_long() {
        let out: Result<(), _> = retry_when_with(
            &StopToken::never(),
            "creating IAM Role",
            Duration::ZERO,
            fast(),
            |_: &&str| true,
            || async { Err("Invalid principal") },
        )
        .await;
        let err = out.unwrap_err();
        let d = err.diag_with("creating IAM Role", "r1", |e| e.to_string());
        assert_eq!(d.summary, "creating IAM Role (r1)");
        assert!(
            d.detail.starts_with("gave up creating IAM Role after"),
            "{}",
            d.detail
        );
        assert!(
            d.detail
                .contains("(1 attempts); last error: Invalid principal"),
            "{}",
            d.detail
        );
    }

    #[tokio::test]
    async fn stop_interrupts_the_backoff() {
        let src = StopSource::new();
        let token = src.token();
        src.stop(Duration::ZERO).await;
        let slow = Backoff {
            initial: Duration::from_secs(3600),
            factor: 2,
            max: Duration::from_secs(3600),
        };
        let out: Result<(), _> = retry_when_with(
            &token,
            "deleting",
            Duration::from_secs(7200),
            slow,
            |_: &&str| true,
            || async { Err("busy") },
        )
        .await;
        assert!(matches!(out, Err(RetryError::Stopped { .. })));
    }

    #[tokio::test]
    async fn waits_for_consecutive_ready_polls() {
        let calls = AtomicU32::new(0);
        // pending, ready, pending, ready, ready -> done on the 5th poll with 2 in a row required.
        let script = [false, true, false, true, true, true];
        let policy = WaitPolicy::new(Duration::from_secs(60))
            .backoff(fast())
            .consecutive(2);
        let out: Result<u32, RetryError<()>> =
            wait_until(&StopToken::never(), "waiting", policy, || {
                let n = calls.fetch_add(1, Ordering::SeqCst);
                let ready = script[n as usize];
                async move {
                    Ok(if ready {
                        Poll::Ready(n)
                    } else {
                        Poll::Pending("CREATING".into())
                    })
                }
            })
            .await;
        assert_eq!(out.unwrap(), 4);
    }

    #[tokio::test]
    async fn wait_times_out_with_last_state() {
        let policy = WaitPolicy::new(Duration::ZERO).backoff(fast());
        let out: Result<(), RetryError<()>> = wait_until(
            &StopToken::never(),
            "waiting for cluster ACTIVE",
            policy,
            || async { Ok(Poll::Pending("PROVISIONING".into())) },
        )
        .await;
        let d = out
            .unwrap_err()
            .diag_with("creating ECS Cluster", "c", |_| String::new());
        assert!(
            d.detail.contains("waiting for cluster ACTIVE")
                && d.detail.contains("last state: \"PROVISIONING\""),
            "{}",
            d.detail
        );
    }

    #[tokio::test]
    async fn wait_ends_on_error() {
        let policy = WaitPolicy::new(Duration::from_secs(60)).backoff(fast());
        let out: Result<(), RetryError<&str>> =
            wait_until(&StopToken::never(), "w", policy, || async {
                Err("AccessDenied")
            })
            .await;
        assert!(matches!(out, Err(RetryError::Failed("AccessDenied"))));
    }
}
