//! Lock-out after repeated failed sign-ins, with back-off: pure, time
//! passed in. Counted per login as typed, whether or not such a person
//! exists, so the answers never tell who has an account.

use std::collections::HashMap;

/// Failures allowed before a lock.
pub const FREE_FAILURES: u32 = 5;
/// The first lock, ms; each further failure while locked-out doubles it.
pub const FIRST_LOCK_MS: i64 = 30_000;
/// The longest lock, ms.
pub const MAX_LOCK_MS: i64 = 15 * 60_000;
/// A login untouched this long forgets its failures, ms.
const FORGET_MS: i64 = 3_600_000;

#[derive(Debug, Clone, Copy, Default)]
struct Record {
    failures: u32,
    locked_until_ms: i64,
    last_ms: i64,
}

/// Failures per login.
#[derive(Debug, Default)]
pub struct Lockout {
    by_login: HashMap<String, Record>,
}

impl Lockout {
    /// Until when `login` may not try, ms, if it is locked at `now_ms`.
    pub fn locked_until(&self, login: &str, now_ms: i64) -> Option<i64> {
        self.by_login
            .get(&login.to_lowercase())
            .map(|r| r.locked_until_ms)
            .filter(|u| *u > now_ms)
    }

    /// A failed try at `now_ms`; the lock it causes, if any, ms.
    pub fn failed(&mut self, login: &str, now_ms: i64) -> Option<i64> {
        if self.by_login.len() > 100_000 {
            self.by_login.retain(|_, r| now_ms - r.last_ms < FORGET_MS);
        }
        let r = self.by_login.entry(login.to_lowercase()).or_default();
        if now_ms - r.last_ms >= FORGET_MS {
            *r = Record::default();
        }
        r.failures += 1;
        r.last_ms = now_ms;
        if r.failures < FREE_FAILURES {
            return None;
        }
        let doublings = (r.failures - FREE_FAILURES).min(10);
        let lock = (FIRST_LOCK_MS << doublings).min(MAX_LOCK_MS);
        r.locked_until_ms = now_ms + lock;
        Some(r.locked_until_ms)
    }

    /// An attempt at `now_ms`, counted before its password is checked (so
    /// a thousand tries sent at once are not all let through): `Err` with
    /// the lock's end when locked; a successful one is forgiven by
    /// [`Lockout::succeeded`].
    pub fn attempt(&mut self, login: &str, now_ms: i64) -> Result<(), i64> {
        if let Some(until) = self.locked_until(login, now_ms) {
            return Err(until);
        }
        self.failed(login, now_ms);
        Ok(())
    }

    /// A successful sign-in: the count starts again.
    pub fn succeeded(&mut self, login: &str) {
        self.by_login.remove(&login.to_lowercase());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_lock_and_more_double_the_lock() {
        let mut l = Lockout::default();
        for i in 0..4 {
            assert_eq!(l.failed("li", i), None);
        }
        assert_eq!(
            l.failed("LI", 10),
            Some(10 + FIRST_LOCK_MS),
            "logins fold case"
        );
        assert!(l.locked_until("li", 20).is_some());
        assert_eq!(l.locked_until("li", 10 + FIRST_LOCK_MS), None, "over");
        assert_eq!(l.failed("li", 40_000), Some(40_000 + 2 * FIRST_LOCK_MS));
        for t in 0..20 {
            l.failed("li", 50_000 + t);
        }
        assert_eq!(l.locked_until("li", 50_019), Some(50_019 + MAX_LOCK_MS));
        l.succeeded("li");
        assert_eq!(l.locked_until("li", 50_020), None);
    }

    #[test]
    fn attempts_are_counted_before_they_are_judged() {
        let mut l = Lockout::default();
        // Many at once: five get through to the password check, no more.
        let through = (0..1000).filter(|_| l.attempt("duty", 100).is_ok()).count();
        assert_eq!(through, FREE_FAILURES as usize);
        l.succeeded("duty");
        assert!(l.attempt("duty", 101).is_ok(), "a success forgives");
    }

    #[test]
    fn an_unknown_login_locks_the_same_way() {
        let mut l = Lockout::default();
        for t in 0..5 {
            l.failed("nobody", t);
        }
        assert!(l.locked_until("nobody", 5).is_some());
        assert!(l.locked_until("li", 5).is_none());
    }

    #[test]
    fn an_hour_of_quiet_forgets() {
        let mut l = Lockout::default();
        for t in 0..4 {
            l.failed("li", t);
        }
        assert_eq!(
            l.failed("li", FORGET_MS + 10),
            None,
            "counting from one again"
        );
    }
}
