//! Sign-in sessions: a random id in an HttpOnly cookie, a CSRF token the
//! page sends back in a header, an idle and an absolute lifetime. Kept in
//! memory (a restart signs everyone out) under the SHA-256 of the id, with
//! the person's generation, so a disable or a password change ends every
//! session made before it.

use std::collections::HashMap;
use std::sync::Mutex;

use sha2::{Digest, Sha256};

use super::lockout::Lockout;
use super::store::Person;

/// A session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Whose.
    pub login: String,
    /// The person's generation when it was made.
    pub generation: u64,
    /// Made, ms.
    pub created_ms: i64,
    /// Last used, ms.
    pub last_ms: i64,
    /// What state-changing requests must send in `X-CSRF-Token`.
    pub csrf: String,
}

/// The live sessions and the sign-in lock-out.
#[derive(Debug)]
pub struct Sessions {
    idle_ms: i64,
    max_ms: i64,
    by_hash: Mutex<HashMap<String, Session>>,
    /// Failed sign-ins per login.
    pub lockout: Mutex<Lockout>,
    /// Password checks at once: each takes 19 MiB and tens of milliseconds,
    /// so a crowd of sign-ins waits here instead of exhausting memory.
    pub checks: tokio::sync::Semaphore,
}

/// Password checks run at once at most.
pub const CONCURRENT_CHECKS: usize = 4;

fn random_hex(n: usize) -> String {
    let mut raw = vec![0u8; n];
    // No randomness is no session: the id would be guessable.
    getrandom::fill(&mut raw).expect("the OS gives randomness");
    crate::hex::encode(&raw)
}

fn key(sid: &str) -> String {
    crate::hex::encode(&Sha256::digest(sid.as_bytes()))
}

impl Sessions {
    /// Sessions ending after `idle_ms` unused or `max_ms` after sign-in.
    pub fn new(idle_ms: i64, max_ms: i64) -> Self {
        Sessions {
            idle_ms: idle_ms.max(1),
            max_ms: max_ms.max(1),
            by_hash: Mutex::default(),
            lockout: Mutex::default(),
            checks: tokio::sync::Semaphore::new(CONCURRENT_CHECKS),
        }
    }

    /// The absolute lifetime, ms (the cookie's Max-Age).
    pub fn max_ms(&self) -> i64 {
        self.max_ms
    }

    fn table(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        self.by_hash.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A new session for `p` at `now_ms`: its id (for the cookie) and the session.
    pub fn start(&self, p: &Person, now_ms: i64) -> (String, Session) {
        let sid = random_hex(32);
        let s = Session {
            login: p.login.clone(),
            generation: p.generation,
            created_ms: now_ms,
            last_ms: now_ms,
            csrf: random_hex(24),
        };
        let mut t = self.table();
        if t.len() > 10_000 {
            t.retain(|_, s| self.live(s, now_ms));
        }
        t.insert(key(&sid), s.clone());
        (sid, s)
    }

    fn live(&self, s: &Session, now_ms: i64) -> bool {
        now_ms - s.last_ms < self.idle_ms && now_ms - s.created_ms < self.max_ms
    }

    /// The session `sid` at `now_ms` if it is live (a use: its idle time
    /// starts again when `touch`); an expired one is removed.
    pub fn get(&self, sid: &str, now_ms: i64, touch: bool) -> Option<Session> {
        let k = key(sid);
        let mut t = self.table();
        let s = t.get_mut(&k)?;
        if !self.live(s, now_ms) {
            t.remove(&k);
            return None;
        }
        if touch {
            s.last_ms = now_ms;
        }
        Some(s.clone())
    }

    /// End the session `sid`.
    pub fn end(&self, sid: &str) -> Option<Session> {
        self.table().remove(&key(sid))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;

    fn li() -> Person {
        Person {
            login: "li".into(),
            name: "李".into(),
            role: Role::Guard,
            unit: None,
            zones: Vec::new(),
            disabled: false,
            generation: 3,
        }
    }

    #[test]
    fn sessions_end_idle_or_old_and_on_sign_out() {
        let s = Sessions::new(1_000, 5_000);
        let (sid, made) = s.start(&li(), 0);
        assert_eq!(sid.len(), 64);
        assert_eq!(made.generation, 3);
        assert!(s.get(&sid, 900, true).is_some());
        assert!(
            s.get(&sid, 1_800, true).is_some(),
            "used at 900: idle from there"
        );
        assert!(s.get(&sid, 2_900, false).is_none(), "idle too long");
        let (sid, _) = s.start(&li(), 10_000);
        for t in (10_500..15_000).step_by(500) {
            assert!(s.get(&sid, t, true).is_some());
        }
        assert!(s.get(&sid, 15_000, true).is_none(), "absolute lifetime");
        let (sid, _) = s.start(&li(), 20_000);
        assert!(s.end(&sid).is_some());
        assert!(s.get(&sid, 20_001, true).is_none());
        assert!(s.get("not a session", 20_001, true).is_none());
    }
}
