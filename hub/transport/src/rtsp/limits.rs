//! What all of a hub's RTSP probes share: a cap on samples running at once
//! and a byte budget (a token bucket) for what they pull, so a campus of
//! thousands of cameras never has more than a bounded slice of its video
//! crossing to the hub; and the bounds on how a driver may ask to sample.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

use tokio::sync::{Semaphore, SemaphorePermit};

use crate::types::WatchMode;

/// Shortest interval between samples.
pub const MIN_SAMPLE_EVERY: Duration = Duration::from_secs(10);
/// Shortest and longest frame-rate window of a sample.
pub const WINDOW_MS: std::ops::RangeInclusive<u32> = 200..=10_000;

/// The hub's probe limits (`[rtsp]` in hub.toml).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProbeLimits {
    /// Samples running at once.
    pub max_in_flight: u32,
    /// Average bytes per second all probes may pull.
    pub max_bytes_per_s: u64,
}

impl Default for ProbeLimits {
    fn default() -> Self {
        ProbeLimits {
            max_in_flight: 32,
            max_bytes_per_s: 12_500_000,
        }
    }
}

/// The hub's shared probe state.
#[derive(Debug)]
pub struct Probes {
    limits: ProbeLimits,
    slots: Semaphore,
    /// Bytes that may still be pulled; refilled at the budget's rate, at
    /// most one second's worth banked, negative after an overdraw.
    bucket: Mutex<(f64, Instant)>,
}

/// Shared by every device session.
pub type SharedProbes = Arc<Probes>;

/// How a probe samples, its request bounded by the hub.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// Sample every `every` for `window`.
    Sampled {
        /// Between samples.
        every: Duration,
        /// Frame-rate window.
        window: Duration,
    },
    /// Hold the stream.
    Continuous,
}

impl Probes {
    /// Shared state for `limits`.
    pub fn new(limits: ProbeLimits) -> SharedProbes {
        Arc::new(Probes {
            slots: Semaphore::new(limits.max_in_flight.max(1) as usize),
            bucket: Mutex::new((limits.max_bytes_per_s as f64, Instant::now())),
            limits,
        })
    }

    /// What a request's mode means here: sampling no more often than
    /// [`MIN_SAMPLE_EVERY`], windows within [`WINDOW_MS`].
    pub fn plan(&self, mode: WatchMode) -> Plan {
        match mode {
            WatchMode::Continuous => Plan::Continuous,
            WatchMode::Sampled {
                every_ms,
                window_ms,
            } => Plan::Sampled {
                every: Duration::from_millis(u64::from(every_ms)).max(MIN_SAMPLE_EVERY),
                window: Duration::from_millis(u64::from(
                    window_ms.clamp(*WINDOW_MS.start(), *WINDOW_MS.end()),
                )),
            },
        }
    }

    /// Wait for a sample slot and for the byte budget to be out of debt.
    pub async fn admit(&self) -> SemaphorePermit<'_> {
        let permit = self
            .slots
            .acquire()
            .await
            .expect("the probe semaphore is never closed");
        loop {
            let debt = self.refill();
            if debt >= 0.0 {
                return permit;
            }
            let rate = self.limits.max_bytes_per_s.max(1) as f64;
            tokio::time::sleep(Duration::from_secs_f64((-debt / rate).min(5.0))).await;
        }
    }

    /// Count `bytes` pulled against the budget.
    pub fn spend(&self, bytes: u64, continuous: bool) {
        let mode = if continuous { "continuous" } else { "sampled" };
        metrics::counter!("twinwall_rtsp_probe_bytes_total", "mode" => mode).increment(bytes);
        self.refill();
        if let Ok(mut b) = self.bucket.lock() {
            b.0 -= bytes as f64;
        }
    }

    /// Top the bucket up for the time gone by; what it holds now.
    fn refill(&self) -> f64 {
        let Ok(mut b) = self.bucket.lock() else {
            return 0.0;
        };
        let now = Instant::now();
        let rate = self.limits.max_bytes_per_s as f64;
        b.0 = (b.0 + now.duration_since(b.1).as_secs_f64() * rate).min(rate);
        b.1 = now;
        b.0
    }
}

/// Counts a probe holding a stream in `twinwall_rtsp_probes_in_flight` while
/// it lives.
pub struct InFlight;

impl InFlight {
    /// One more probe on a stream.
    pub fn enter() -> Self {
        metrics::gauge!("twinwall_rtsp_probes_in_flight").increment(1.0);
        InFlight
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        metrics::gauge!("twinwall_rtsp_probes_in_flight").decrement(1.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_bounded() {
        let p = Probes::new(ProbeLimits::default());
        assert_eq!(
            p.plan(WatchMode::Sampled {
                every_ms: 1,
                window_ms: 1
            }),
            Plan::Sampled {
                every: MIN_SAMPLE_EVERY,
                window: Duration::from_millis(200)
            }
        );
        assert_eq!(
            p.plan(WatchMode::Sampled {
                every_ms: 600_000,
                window_ms: 60_000
            }),
            Plan::Sampled {
                every: Duration::from_secs(600),
                window: Duration::from_secs(10)
            }
        );
        assert_eq!(p.plan(WatchMode::Continuous), Plan::Continuous);
    }

    #[tokio::test]
    async fn an_overdrawn_budget_holds_the_next_sample_back() {
        let p = Probes::new(ProbeLimits {
            max_bytes_per_s: 10_000,
            ..ProbeLimits::default()
        });
        drop(p.admit().await);
        p.spend(13_000, false);
        let start = tokio::time::Instant::now();
        drop(p.admit().await);
        // 10,000 banked − 13,000 spent: 0.3 s of refill before the next.
        let waited = start.elapsed();
        assert!(waited >= Duration::from_millis(250), "{waited:?}");
    }
}
