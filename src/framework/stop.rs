//! Stop (Ctrl-C) propagation: every wait and retry loop selects on this token, and the server
//! counts in-flight operations so Stop can wait for them to unwind.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{watch, Notify};

#[derive(Clone)]
pub struct StopToken {
    rx: watch::Receiver<bool>,
}

/// The owning side: triggers stop and tracks running operations.
pub struct StopSource {
    tx: watch::Sender<bool>,
    in_flight: Arc<(AtomicUsize, Notify)>,
}

/// Held while an operation runs; dropping it lets Stop finish.
pub struct InFlight(Arc<(AtomicUsize, Notify)>);

impl Drop for InFlight {
    fn drop(&mut self) {
        if self.0 .0.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0 .1.notify_waiters();
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stopped;

impl std::fmt::Display for Stopped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("interrupted: Terraform asked the provider to stop")
    }
}

impl Default for StopSource {
    fn default() -> Self {
        Self::new()
    }
}

impl StopSource {
    pub fn new() -> Self {
        let (tx, _) = watch::channel(false);
        StopSource { tx, in_flight: Arc::new((AtomicUsize::new(0), Notify::new())) }
    }
    pub fn token(&self) -> StopToken {
        StopToken { rx: self.tx.subscribe() }
    }
    pub fn enter(&self) -> InFlight {
        self.in_flight.0.fetch_add(1, Ordering::SeqCst);
        InFlight(self.in_flight.clone())
    }
    /// Signals stop, then waits (bounded) until running operations have returned.
    pub async fn stop(&self, grace: Duration) {
        self.tx.send_replace(true);
        let deadline = tokio::time::Instant::now() + grace;
        loop {
            let notified = self.in_flight.1.notified();
            if self.in_flight.0.load(Ordering::SeqCst) == 0 {
                return;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return;
            }
        }
    }
}

impl StopToken {
    /// A token that never fires (tests, one-off tools).
    pub fn never() -> Self {
        let (tx, rx) = watch::channel(false);
        std::mem::forget(tx);
        StopToken { rx }
    }
    pub fn is_stopped(&self) -> bool {
        *self.rx.borrow()
    }
    /// Resolves once stop is requested.
    pub async fn stopped(&self) {
        let mut rx = self.rx.clone();
        let _ = rx.wait_for(|s| *s).await;
    }
    /// Sleeps, or returns Err(Stopped) as soon as stop is requested.
    pub async fn sleep(&self, d: Duration) -> Result<(), Stopped> {
        if self.is_stopped() {
            return Err(Stopped);
        }
        tokio::select! {
            _ = tokio::time::sleep(d) => Ok(()),
            _ = self.stopped() => Err(Stopped),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn stop_interrupts_sleep_and_waits_for_in_flight() {
        let src = Arc::new(StopSource::new());
        let token = src.token();
        let guard = src.enter();
        let sleeper = tokio::spawn(async move {
            let r = token.sleep(Duration::from_secs(60)).await;
            drop(guard);
            r
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        src.stop(Duration::from_secs(30)).await;
        assert_eq!(sleeper.await.unwrap(), Err(Stopped));
        assert!(src.token().is_stopped());
    }
}
