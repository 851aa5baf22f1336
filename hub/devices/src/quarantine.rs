//! Quarantine of one device: a device whose calls crash its driver too
//! often is closed for a while (its neighbours on the same driver keep
//! running), then opened again, or sooner when an admin releases it.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use tokio::time::Instant;

/// Crashes per device and the devices held.
#[derive(Debug)]
pub struct Quarantine {
    max_crashes: u32,
    window: Duration,
    hold: Duration,
    crashes: HashMap<String, VecDeque<Instant>>,
    held: HashMap<String, Instant>,
}

impl Quarantine {
    /// `max_crashes` within `window` hold a device for `hold`.
    pub fn new(max_crashes: u32, window: Duration, hold: Duration) -> Self {
        Quarantine {
            max_crashes: max_crashes.max(1),
            window,
            hold,
            crashes: HashMap::new(),
            held: HashMap::new(),
        }
    }

    /// A call for `device` crashed at `now`. Returns how many crashes are
    /// in the window and, when this one puts it in quarantine, until when.
    pub fn crash(&mut self, device: &str, now: Instant) -> (u32, Option<Instant>) {
        let recent = self.crashes.entry(device.to_owned()).or_default();
        recent.push_back(now);
        while recent
            .front()
            .is_some_and(|t| now.duration_since(*t) > self.window)
        {
            recent.pop_front();
        }
        let n = recent.len() as u32;
        if n < self.max_crashes {
            return (n, None);
        }
        recent.clear();
        let until = now + self.hold;
        self.held.insert(device.to_owned(), until);
        (n, Some(until))
    }

    /// Until when `device` is held, if it is.
    pub fn until(&self, device: &str) -> Option<Instant> {
        self.held.get(device).copied()
    }

    /// The earliest end of a hold.
    pub fn next_expiry(&self) -> Option<Instant> {
        self.held.values().min().copied()
    }

    /// Devices whose hold has ended by `now` (no longer held).
    pub fn expired(&mut self, now: Instant) -> Vec<String> {
        let done: Vec<String> = self
            .held
            .iter()
            .filter(|(_, until)| **until <= now)
            .map(|(d, _)| d.clone())
            .collect();
        for d in &done {
            self.held.remove(d);
        }
        done
    }

    /// End `device`'s hold now (an admin's release); whether it was held.
    pub fn release(&mut self, device: &str) -> bool {
        self.crashes.remove(device);
        self.held.remove(device).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_is_held_after_its_crashes_then_let_go() {
        let t0 = Instant::now();
        let mut q = Quarantine::new(3, Duration::from_secs(60), Duration::from_secs(600));
        assert_eq!(q.crash("a", t0), (1, None));
        assert_eq!(q.crash("b", t0), (1, None), "counted per device");
        assert_eq!(q.crash("a", t0), (2, None));
        let (n, until) = q.crash("a", t0);
        assert_eq!((n, until), (3, Some(t0 + Duration::from_secs(600))));
        assert_eq!(q.until("a"), until);
        assert_eq!(q.until("b"), None);
        assert!(q.expired(t0 + Duration::from_secs(599)).is_empty());
        assert_eq!(q.expired(t0 + Duration::from_secs(600)), ["a"]);
        assert_eq!(q.until("a"), None);
        // Old crashes leave the window.
        let later = t0 + Duration::from_secs(1000);
        q.crash("b", t0 + Duration::from_secs(1));
        assert_eq!(q.crash("b", later), (1, None));
        q.crash("c", t0);
        q.crash("c", t0);
        q.crash("c", t0);
        assert!(q.release("c"));
        assert!(!q.release("c"));
        assert_eq!(q.next_expiry(), None);
    }
}
