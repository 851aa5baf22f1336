//! The crash policy of one driver, pure, with time passed in: each trap
//! counts against the device whose call trapped (or against the driver when
//! no device's call did); a device that crashes too often is held alone
//! ([`Quarantine`]) and its crashes stop counting against the driver; a
//! driver that still crashes too often is quarantined whole. Otherwise it is
//! rebuilt, the backoff starting afresh after a quiet spell.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::time::Instant;

use crate::quarantine::Quarantine;

/// What a crash means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The driver's crashes within the window, after this one.
    pub recent: u32,
    /// This crash held its device: its crashes in the window, and until when.
    pub device_held: Option<(u32, Instant)>,
    /// What happens to the driver.
    pub next: Next,
}

/// What happens to the driver after a crash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Rebuild it after a backoff; `afresh` when this is the first crash in
    /// a while (the backoff starts again from its shortest delay).
    Rebuild {
        /// Reset the backoff.
        afresh: bool,
    },
    /// Quarantine it until then (or until it is replaced or released).
    Quarantine {
        /// When it is tried again.
        until: Instant,
    },
}

/// Crashes of one driver and its devices.
#[derive(Debug)]
pub struct CrashPolicy {
    max_crashes: u32,
    window: Duration,
    hold: Duration,
    /// The driver's crashes in the window, with the device whose call crashed.
    recent: VecDeque<(Instant, Option<String>)>,
    /// Devices held for crashing too often.
    pub devices: Quarantine,
    /// When a quarantined driver is tried again.
    driver_until: Option<Instant>,
}

impl CrashPolicy {
    /// `max_crashes` within `window` quarantine a device (or the driver) for `hold`.
    pub fn new(max_crashes: u32, window: Duration, hold: Duration) -> Self {
        CrashPolicy {
            max_crashes: max_crashes.max(1),
            window,
            hold,
            recent: VecDeque::new(),
            devices: Quarantine::new(max_crashes, window, hold),
            driver_until: None,
        }
    }

    /// A call (of `device`, if it served one) trapped at `now`.
    pub fn crashed(&mut self, now: Instant, device: Option<&str>) -> Verdict {
        self.recent.push_back((now, device.map(str::to_owned)));
        while self
            .recent
            .front()
            .is_some_and(|(t, _)| now.duration_since(*t) > self.window)
        {
            self.recent.pop_front();
        }
        // A device whose calls keep crashing is closed on its own; its
        // crashes then no longer count against the driver.
        let device_held = device.and_then(|d| match self.devices.crash(d, now) {
            (n, Some(until)) => {
                self.recent.retain(|(_, who)| who.as_deref() != Some(d));
                Some((n, until))
            }
            _ => None,
        });
        let recent = self.recent.len() as u32;
        let next = if recent >= self.max_crashes {
            let until = now + self.hold;
            self.driver_until = Some(until);
            Next::Quarantine { until }
        } else {
            Next::Rebuild {
                afresh: recent <= 1,
            }
        };
        Verdict {
            recent,
            device_held,
            next,
        }
    }

    /// When the quarantined driver is tried again, if it is quarantined.
    pub fn driver_until(&self) -> Option<Instant> {
        self.driver_until
    }

    /// Lift the driver's quarantine (its time, an admin); whether it was
    /// quarantined. Its crash count starts again.
    pub fn release_driver(&mut self) -> bool {
        let was = self.driver_until.take().is_some();
        if was {
            self.recent.clear();
        }
        was
    }

    /// A new build of the driver replaced the old: its crashes are forgotten.
    pub fn replaced(&mut self) {
        self.recent.clear();
        self.driver_until = None;
    }

    /// The window crashes are counted in.
    pub fn window(&self) -> Duration {
        self.window
    }

    /// How long a quarantine lasts.
    pub fn hold(&self) -> Duration {
        self.hold
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> CrashPolicy {
        CrashPolicy::new(3, Duration::from_secs(60), Duration::from_secs(300))
    }

    #[test]
    fn a_device_that_keeps_crashing_is_held_alone_and_the_driver_runs_on() {
        let mut p = policy();
        let t0 = Instant::now();
        let s = Duration::from_secs(1);
        assert_eq!(
            p.crashed(t0, Some("bad")).next,
            Next::Rebuild { afresh: true }
        );
        assert_eq!(
            p.crashed(t0 + s, Some("bad")).next,
            Next::Rebuild { afresh: false }
        );
        let v = p.crashed(t0 + 2 * s, Some("bad"));
        assert_eq!(
            v.device_held,
            Some((3, t0 + 2 * s + Duration::from_secs(300)))
        );
        // Its three crashes no longer count: the driver is rebuilt.
        assert_eq!(v.recent, 0);
        assert!(matches!(v.next, Next::Rebuild { .. }));
        assert!(p.devices.until("bad").is_some());
        assert_eq!(p.driver_until(), None);
    }

    #[test]
    fn crashes_of_no_one_device_quarantine_the_driver_until_released() {
        let mut p = policy();
        let t0 = Instant::now();
        let s = Duration::from_secs(1);
        p.crashed(t0, None);
        p.crashed(t0 + s, Some("a"));
        let v = p.crashed(t0 + 2 * s, Some("b"));
        assert_eq!(v.device_held, None);
        assert_eq!(
            v.next,
            Next::Quarantine {
                until: t0 + 2 * s + Duration::from_secs(300)
            }
        );
        assert!(p.release_driver());
        assert!(!p.release_driver(), "released once");
        assert_eq!(
            p.crashed(t0 + 3 * s, None).next,
            Next::Rebuild { afresh: true },
            "the count starts again"
        );
    }

    #[test]
    fn crashes_older_than_the_window_are_forgotten() {
        let mut p = policy();
        let t0 = Instant::now();
        p.crashed(t0, None);
        p.crashed(t0 + Duration::from_secs(30), None);
        let v = p.crashed(t0 + Duration::from_secs(61), None);
        assert_eq!(v.recent, 2);
        assert!(matches!(v.next, Next::Rebuild { afresh: false }));
        p.replaced();
        assert_eq!(p.crashed(t0 + Duration::from_secs(62), None).recent, 1);
    }
}
