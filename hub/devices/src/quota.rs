//! What one device may put on the bus: events per call, per second and in
//! size. A device over its quota is throttled (the excess dropped, counted
//! and reported as `driver.throttled`), so a driver gone wrong cannot grow
//! the hub's memory, its store or its metrics without bound, nor crowd out
//! the alarms of other devices.

use std::time::{Duration, Instant};

use twinwall_base::{AttrValue, NewEvent};

/// The limits, from `[plugins]`.
#[derive(Debug, Clone, Copy)]
pub struct EventLimits {
    /// Events one driver call may return; the rest are dropped.
    pub per_call: usize,
    /// Sustained events per second per device.
    pub per_second: u32,
    /// Events a device may send at once above its rate (a whole building's
    /// detectors going off together).
    pub burst: u32,
    /// Largest event (kind, zone, message and attributes), bytes.
    pub max_bytes: usize,
    /// Most attributes on one event.
    pub max_attrs: usize,
}

impl Default for EventLimits {
    fn default() -> Self {
        EventLimits {
            per_call: 1024,
            per_second: 1000,
            burst: 5000,
            max_bytes: 64 << 10,
            max_attrs: 64,
        }
    }
}

/// Why an event was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dropped {
    /// More events in one call than `per_call`.
    PerCall,
    /// Over the device's rate.
    Rate,
    /// Over `max_bytes` or `max_attrs`.
    TooLarge,
}

impl Dropped {
    /// The metrics label.
    pub fn as_str(self) -> &'static str {
        match self {
            Dropped::PerCall => "per_call",
            Dropped::Rate => "rate",
            Dropped::TooLarge => "too_large",
        }
    }
}

/// How often a throttled device is reported, at most.
pub const REPORT_EVERY: Duration = Duration::from_secs(10);

/// One device's bucket and its drops since the last report.
#[derive(Debug)]
pub struct Quota {
    tokens: f64,
    last: Instant,
    /// Dropped since the last report, by reason.
    pub dropped: [u64; 3],
    reported: Option<Instant>,
}

/// Approximate encoded size of an event, without pictures (they have their
/// own cap and store).
pub fn event_bytes(e: &NewEvent) -> usize {
    let attrs: usize = e
        .attrs
        .iter()
        .map(|(k, v)| {
            k.len()
                + match v {
                    AttrValue::Text(s) => s.len(),
                    _ => 8,
                }
        })
        .sum();
    e.kind.len() + e.zone.len() + e.message.as_ref().map_or(0, String::len) + attrs
}

impl Quota {
    /// A full bucket.
    pub fn new(limits: &EventLimits, now: Instant) -> Self {
        Quota {
            tokens: f64::from(limits.burst.max(1)),
            last: now,
            dropped: [0; 3],
            reported: None,
        }
    }

    /// Whether `e` may go on the bus now (counting it if not).
    pub fn admit(
        &mut self,
        limits: &EventLimits,
        e: &NewEvent,
        now: Instant,
    ) -> Result<(), Dropped> {
        if e.attrs.len() > limits.max_attrs || event_bytes(e) > limits.max_bytes {
            return Err(self.drop(Dropped::TooLarge));
        }
        let refill = now.duration_since(self.last).as_secs_f64() * f64::from(limits.per_second);
        self.tokens = (self.tokens + refill).min(f64::from(limits.burst.max(1)));
        self.last = now;
        if self.tokens < 1.0 {
            return Err(self.drop(Dropped::Rate));
        }
        self.tokens -= 1.0;
        Ok(())
    }

    /// Count `n` events dropped for `why`.
    pub fn drop_n(&mut self, why: Dropped, n: u64) {
        self.dropped[why as usize] += n;
    }

    fn drop(&mut self, why: Dropped) -> Dropped {
        self.drop_n(why, 1);
        why
    }

    /// The drops to report now, if any and if the last report is old enough;
    /// the counts start again from zero.
    pub fn report(&mut self, now: Instant) -> Option<[u64; 3]> {
        if self.dropped.iter().all(|n| *n == 0)
            || self
                .reported
                .is_some_and(|t| now.duration_since(t) < REPORT_EVERY)
        {
            return None;
        }
        self.reported = Some(now);
        Some(std::mem::take(&mut self.dropped))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_gets_its_burst_then_its_rate() {
        let limits = EventLimits {
            per_second: 100,
            burst: 10,
            ..EventLimits::default()
        };
        let t0 = Instant::now();
        let mut q = Quota::new(&limits, t0);
        let e = NewEvent::new("test.x", "z");
        let ok = (0..50).filter(|_| q.admit(&limits, &e, t0).is_ok()).count();
        assert_eq!(ok, 10, "the burst");
        // 100 ms later: 10 more.
        let t1 = t0 + Duration::from_millis(100);
        let ok = (0..50).filter(|_| q.admit(&limits, &e, t1).is_ok()).count();
        assert_eq!(ok, 10);
        assert_eq!(q.report(t1), Some([0, 80, 0]));
        assert_eq!(q.report(t1), None, "nothing new");
        q.admit(&limits, &e, t1).unwrap_err();
        assert_eq!(
            q.report(t1 + Duration::from_secs(1)),
            None,
            "not within 10 s"
        );
        assert_eq!(q.report(t1 + REPORT_EVERY), Some([0, 1, 0]));
    }

    #[test]
    fn oversized_events_are_dropped_whatever_the_rate() {
        let limits = EventLimits::default();
        let now = Instant::now();
        let mut q = Quota::new(&limits, now);
        let big = NewEvent::new("test.x", "z").attr("blob", "x".repeat(70 << 10));
        assert_eq!(q.admit(&limits, &big, now), Err(Dropped::TooLarge));
        let mut many = NewEvent::new("test.x", "z");
        for i in 0..65 {
            many = many.attr(&format!("a{i}"), i as i64);
        }
        assert_eq!(q.admit(&limits, &many, now), Err(Dropped::TooLarge));
        q.admit(&limits, &NewEvent::new("test.x", "z"), now)
            .unwrap();
    }
}
