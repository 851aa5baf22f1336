//! Whether the store is taking writes: the writer retries a failed batch
//! (a full disk, an I/O error) until it is stored, and meanwhile the hub
//! says so (health, metrics) and refuses new commands rather than act
//! without an audit trail.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// The writer's state, shared with the bus handles.
#[derive(Debug, Default)]
pub(super) struct WriteHealth {
    /// The last write error while writes are failing; `None` when healthy.
    error: Mutex<Option<String>>,
    /// Batch writes that failed since start.
    failures: AtomicU64,
    /// Writes still to fail on purpose (fault drills and tests).
    injected: AtomicU64,
    /// The bus is closing: stop retrying.
    pub closing: AtomicBool,
}

/// First wait before a retry; doubles up to [`MAX_RETRY`].
pub(super) const FIRST_RETRY: Duration = Duration::from_millis(50);
/// Longest wait between retries.
pub(super) const MAX_RETRY: Duration = Duration::from_secs(2);

impl WriteHealth {
    /// Whether this write is to fail on purpose (and count it down).
    pub fn take_injected(&self) -> bool {
        self.injected
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
    }

    /// Fail the next `n` batch writes (0 ends a drill).
    pub fn inject(&self, n: u64) {
        self.injected.store(n, Ordering::SeqCst);
    }

    /// A write failed with `why`.
    pub fn failed(&self, why: &str) {
        self.failures.fetch_add(1, Ordering::Relaxed);
        metrics::counter!("twinwall_bus_write_failures_total").increment(1);
        metrics::gauge!("twinwall_bus_writable").set(0.0);
        let mut e = self.error.lock().unwrap_or_else(|p| p.into_inner());
        if e.is_none() {
            tracing::error!(error = %why, "event store write failed; retrying until it is stored, commands refused meanwhile");
        }
        *e = Some(why.to_owned());
    }

    /// A write succeeded.
    pub fn stored(&self) {
        let mut e = self.error.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(was) = e.take() {
            tracing::warn!(error = %was, "event store writable again; the held events are stored");
            metrics::gauge!("twinwall_bus_writable").set(1.0);
        }
    }

    /// The error while writes fail.
    pub fn error(&self) -> Option<String> {
        self.error.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Failed batch writes since start.
    pub fn failures(&self) -> u64 {
        self.failures.load(Ordering::Relaxed)
    }
}
