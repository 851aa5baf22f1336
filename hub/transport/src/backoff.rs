//! Exponential backoff with jitter, so a campus of devices that dropped at
//! once does not reconnect in lock-step.

use std::time::Duration;

/// Reconnect delays: `base`, doubling to `max`, each ±25 % at random.
#[derive(Debug, Clone)]
pub struct Backoff {
    base: Duration,
    max: Duration,
    attempt: u32,
}

impl Backoff {
    /// A new backoff.
    pub fn new(base: Duration, max: Duration) -> Self {
        Backoff {
            base,
            max,
            attempt: 0,
        }
    }

    /// The delay before the next attempt.
    pub fn next_delay(&mut self) -> Duration {
        let exp = self.base.saturating_mul(1u32 << self.attempt.min(16));
        self.attempt = self.attempt.saturating_add(1);
        let d = exp.min(self.max);
        let jitter = 0.75 + fastrand::f64() * 0.5;
        d.mul_f64(jitter)
    }

    /// Back to `base` after a success.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_to_the_cap_with_jitter_and_resets() {
        let mut b = Backoff::new(Duration::from_millis(100), Duration::from_secs(2));
        let d: Vec<_> = (0..8).map(|_| b.next_delay()).collect();
        assert!(
            d[0] >= Duration::from_millis(75) && d[0] <= Duration::from_millis(125),
            "{d:?}"
        );
        assert!(d[3] >= Duration::from_millis(600), "{d:?}");
        assert!(d.iter().all(|x| *x <= Duration::from_millis(2500)), "{d:?}");
        b.reset();
        assert!(b.next_delay() <= Duration::from_millis(125));
    }
}
