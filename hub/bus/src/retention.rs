//! Retention: drop the oldest events beyond an age or a size, never those a
//! protected consumer (the northbound bridge) has not yet had, unless the
//! log passes its hard size cap; then a `bus.gap` event says what went.

use std::sync::Weak;
use std::time::Duration;

use super::{Inner, Level, NewEvent, now_ms};

/// How long and how much the log keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Keep events younger than this (ms); `None` keeps them by age forever.
    pub max_age_ms: Option<i64>,
    /// Keep the log under this many encoded bytes; `None` for no limit.
    pub max_bytes: Option<u64>,
    /// How often to check.
    pub every: Duration,
    /// The durable cursors whose unread events are kept past the limits
    /// (the northbound MQTT bridge's, the JetStream publisher's).
    pub protect_cursors: &'static [&'static str],
    /// Past this many bytes even protected events go (and `bus.gap` says so).
    pub hard_max_bytes: Option<u64>,
}

/// Protected events removed by the hard cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gap {
    /// First seq removed unread.
    pub first: u64,
    /// Last seq removed unread.
    pub last: u64,
    /// How many.
    pub events: u64,
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            max_age_ms: Some(90 * 24 * 3600 * 1000),
            max_bytes: Some(2 << 30),
            every: Duration::from_secs(60),
            protect_cursors: &[],
            hard_max_bytes: None,
        }
    }
}

impl Retention {
    /// Remove what is beyond the limits now; returns how many events went
    /// and the protected ones among them, if any.
    pub(super) fn enforce(
        &self,
        store: &super::Store,
    ) -> Result<(usize, Option<Gap>), super::BusError> {
        let oldest_kept = self.max_age_ms.map(|a| now_ms() - a);
        let mut unread_from: Option<u64> = None;
        for name in self.protect_cursors {
            let c = store.cursor(name)?.unwrap_or(0);
            unread_from = Some(unread_from.map_or(c, |u| u.min(c)));
        }
        let mut total = 0;
        let mut gap: Option<Gap> = None;
        loop {
            let gone = store.delete_oldest(1000, |e, bytes| {
                let beyond = oldest_kept.is_some_and(|t| e.time_ms < t)
                    || self.max_bytes.is_some_and(|m| bytes > m);
                let unread = unread_from.is_some_and(|c| e.seq >= c);
                beyond && (!unread || self.hard_max_bytes.is_some_and(|h| bytes > h))
            })?;
            for &seq in gone
                .iter()
                .filter(|s| unread_from.is_some_and(|c| **s >= c))
            {
                let g = gap.get_or_insert(Gap {
                    first: seq,
                    last: seq,
                    events: 0,
                });
                g.last = seq;
                g.events += 1;
            }
            let n = gone.len();
            total += n;
            if n < 1000 {
                return Ok((total, gap));
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
                Ok(Ok((0, _))) => {}
                Ok(Ok((n, gap))) => {
                    tracing::info!(events = n, "retention removed old events");
                    if let Some(g) = gap
                        && let Some(inner) = bus.upgrade()
                    {
                        tracing::error!(first = g.first, last = g.last, events = g.events, "the log passed its hard size cap: events removed before the northbound broker had them");
                        let e = NewEvent::new("bus.gap", twinwall_base::HUB_ZONE)
                            .level(Level::Orange)
                            .attr("first_seq", g.first as i64)
                            .attr("last_seq", g.last as i64)
                            .attr("events", g.events as i64)
                            .message(format!(
                                "events {}..={} ({}) were removed by the hard size cap (retention_hard_max_mb) before the northbound broker acknowledged them",
                                g.first, g.last, g.events
                            ));
                        let tx = inner.tx.clone();
                        drop(inner);
                        let _ = tx.send(super::writer::Append { events: vec![e], ack: None }).await;
                    }
                }
                Ok(Err(e)) => tracing::warn!(error = %e, "retention failed"),
                Err(_) => return,
            }
        }
    });
}
