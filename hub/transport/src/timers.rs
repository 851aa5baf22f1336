//! A device's timers: one-shot or repeating, by id; a new timer of the same
//! id replaces the old one.

use std::time::Duration;

use tokio::time::Instant;

struct Timer {
    id: String,
    every: Option<Duration>,
    due: Instant,
}

/// The timers of one device.
#[derive(Default)]
pub struct Timers {
    list: Vec<Timer>,
}

impl Timers {
    /// Fire `id` after `after_ms` (at least 10 ms) from `now`, then every
    /// `after_ms` if `repeat`.
    pub fn set(&mut self, id: String, after_ms: u32, repeat: bool, now: Instant) {
        let after = Duration::from_millis(u64::from(after_ms.max(10)));
        self.list.retain(|t| t.id != id);
        self.list.push(Timer {
            id,
            every: repeat.then_some(after),
            due: now + after,
        });
    }

    /// Stop timer `id`.
    pub fn cancel(&mut self, id: &str) {
        self.list.retain(|t| t.id != id);
    }

    /// Stop every timer.
    pub fn clear(&mut self) {
        self.list.clear();
    }

    /// When the next timer is due.
    pub fn next(&self) -> Option<Instant> {
        self.list.iter().map(|t| t.due).min()
    }

    /// The ids due at `now`; repeating ones are set again, one-shots go.
    pub fn fire(&mut self, now: Instant) -> Vec<String> {
        let mut fired = Vec::new();
        self.list.retain_mut(|t| {
            if t.due > now {
                return true;
            }
            fired.push(t.id.clone());
            match t.every {
                Some(every) => {
                    t.due = now + every;
                    true
                }
                None => false,
            }
        });
        fired
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_shots_go_and_repeats_come_back() {
        let t0 = Instant::now();
        let mut t = Timers::default();
        t.set("once".into(), 100, false, t0);
        t.set("tick".into(), 50, true, t0);
        assert!(t.fire(t0).is_empty());
        assert_eq!(t.fire(t0 + Duration::from_millis(60)), ["tick"]);
        let mut both = t.fire(t0 + Duration::from_millis(120));
        both.sort();
        assert_eq!(both, ["once", "tick"]);
        assert_eq!(t.fire(t0 + Duration::from_millis(400)), ["tick"]);
        t.cancel("tick");
        assert_eq!(t.next(), None);
    }
}
