//! Retention: drop the oldest events beyond an age or a size.

use std::sync::Weak;
use std::time::Duration;

use super::{Inner, now_ms};

/// How long and how much the log keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Keep events younger than this (ms); `None` keeps them by age forever.
    pub max_age_ms: Option<i64>,
    /// Keep the log under this many encoded bytes; `None` for no limit.
    pub max_bytes: Option<u64>,
    /// How often to check.
    pub every: Duration,
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            max_age_ms: Some(90 * 24 * 3600 * 1000),
            max_bytes: Some(2 << 30),
            every: Duration::from_secs(60),
        }
    }
}

impl Retention {
    /// Remove what is beyond the limits now; returns how many events went.
    pub(super) fn enforce(&self, store: &super::Store) -> Result<usize, super::BusError> {
        let oldest_kept = self.max_age_ms.map(|a| now_ms() - a);
        let mut total = 0;
        loop {
            let n = store.delete_oldest(1000, |e, bytes| {
                oldest_kept.is_some_and(|t| e.time_ms < t)
                    || self.max_bytes.is_some_and(|m| bytes > m)
            })?;
            total += n;
            if n < 1000 {
                return Ok(total);
            }
        }
    }
}

pub(super) fn spawn(bus: Weak<Inner>, policy: Retention) {
    let Ok(rt) = tokio::runtime::Handle::try_current() else {
        return;
    };
    rt.spawn(async move {
        loop {
            tokio::time::sleep(policy.every).await;
            let Some(inner) = bus.upgrade() else { return };
            let store = inner.store.clone();
            drop(inner);
            match tokio::task::spawn_blocking(move || policy.enforce(&store)).await {
                Ok(Ok(0)) => {}
                Ok(Ok(n)) => tracing::info!(events = n, "retention removed old events"),
                Ok(Err(e)) => tracing::warn!(error = %e, "retention failed"),
                Err(_) => return,
            }
        }
    });
}
