//! Command tracking: an operator's command is done when every request it
//! produced was answered or failed; the first failure is its result.

use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

/// Counts the answers still due for one command.
pub struct Tracker {
    remaining: usize,
    error: Option<String>,
    done: Option<oneshot::Sender<Result<(), String>>>,
}

/// A tracker shared by the tasks carrying out a command's requests.
pub type SharedTracker = Arc<Mutex<Tracker>>;

/// A tracker expecting `count` answers, reporting to `done`.
pub fn new(count: usize, done: oneshot::Sender<Result<(), String>>) -> SharedTracker {
    Arc::new(Mutex::new(Tracker {
        remaining: count,
        error: None,
        done: Some(done),
    }))
}

/// One request of the command ended (`error` if it failed).
pub fn settle(t: &Option<SharedTracker>, error: Option<String>) {
    let Some(t) = t else { return };
    let Ok(mut t) = t.lock() else { return };
    if t.error.is_none() {
        t.error = error;
    }
    t.remaining = t.remaining.saturating_sub(1);
    if t.remaining == 0
        && let Some(done) = t.done.take()
    {
        let _ = done.send(t.error.take().map_or(Ok(()), Err));
    }
}
