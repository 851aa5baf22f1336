//! The hub's clock for rules that wait (a visitor's or a car's stay): the
//! system clock in production, a clock the tests drive, so that "four hours
//! later" needs no four hours.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// Milliseconds since the Unix epoch, from wherever they come.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> i64 + Send + Sync>);

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Clock(Arc::new(crate::event::now_ms))
    }

    /// A clock that reads `now` (move it to move time).
    pub fn manual(now: Arc<AtomicI64>) -> Self {
        Clock(Arc::new(move || now.load(Ordering::SeqCst)))
    }

    /// Now.
    pub fn now_ms(&self) -> i64 {
        (self.0)()
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::system()
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Clock({})", self.now_ms())
    }
}
