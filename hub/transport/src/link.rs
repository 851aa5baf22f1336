//! Online/offline from what the transport sees: a device is online only
//! while it answers, and offline once it has been silent for `offline_after`.
//! A connected socket that never answers is not online.

use std::time::{Duration, Instant};

/// Link state as the operator sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Online {
    /// Not yet decided (just started).
    Unknown,
    /// Answering.
    Online,
    /// Silent for longer than allowed.
    Offline,
}

/// A change to report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkChange {
    /// The device answered after being offline or unknown.
    WentOnline,
    /// The device has been silent too long; the last error seen.
    WentOffline(String),
}

/// Debounced link state of one device.
#[derive(Debug)]
pub struct Link {
    state: Online,
    since: Instant,
    last_ok: Option<Instant>,
    last_error: String,
    offline_after: Duration,
}

impl Link {
    /// Start unknown at `now`.
    pub fn new(now: Instant, offline_after: Duration) -> Self {
        Link {
            state: Online::Unknown,
            since: now,
            last_ok: None,
            last_error: "no answer yet".into(),
            offline_after,
        }
    }

    /// Current state.
    pub fn state(&self) -> Online {
        self.state
    }

    /// The device answered.
    pub fn ok(&mut self, now: Instant) -> Option<LinkChange> {
        self.last_ok = Some(now);
        if self.state != Online::Online {
            self.state = Online::Online;
            return Some(LinkChange::WentOnline);
        }
        None
    }

    /// Something failed; remembered as the reason if the device goes offline.
    pub fn failed(&mut self, reason: impl Into<String>) {
        self.last_error = reason.into();
    }

    /// Decide whether silence has lasted too long.
    pub fn check(&mut self, now: Instant) -> Option<LinkChange> {
        let quiet_since = self.last_ok.unwrap_or(self.since);
        if self.state != Online::Offline && now.duration_since(quiet_since) >= self.offline_after {
            self.state = Online::Offline;
            return Some(LinkChange::WentOffline(self.last_error.clone()));
        }
        None
    }

    /// When `check` could next change something.
    pub fn next_check(&self) -> Option<Instant> {
        (self.state != Online::Offline)
            .then(|| self.last_ok.unwrap_or(self.since) + self.offline_after)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silent_device_goes_offline_once_and_comes_back() {
        let t0 = Instant::now();
        let mut l = Link::new(t0, Duration::from_secs(3));
        assert_eq!(l.check(t0 + Duration::from_secs(1)), None);
        l.failed("connection refused");
        assert_eq!(
            l.check(t0 + Duration::from_secs(3)),
            Some(LinkChange::WentOffline("connection refused".into()))
        );
        assert_eq!(l.check(t0 + Duration::from_secs(9)), None, "reported once");
        assert_eq!(
            l.ok(t0 + Duration::from_secs(10)),
            Some(LinkChange::WentOnline)
        );
        assert_eq!(l.ok(t0 + Duration::from_secs(11)), None);
        // Answering within the window keeps it online.
        assert_eq!(l.check(t0 + Duration::from_secs(13)), None);
        assert!(matches!(
            l.check(t0 + Duration::from_secs(14)),
            Some(LinkChange::WentOffline(_))
        ));
    }
}
