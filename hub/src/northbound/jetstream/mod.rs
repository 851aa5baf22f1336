//! The hub's log into NATS JetStream, for a command centre over several
//! campuses: every event, in order, into the stream of its site, fed from a
//! durable bus cursor that moves only on the stream's publish ack; each
//! message's `Nats-Msg-Id` is `<site>:<seq>`, so the stream drops a replay
//! after a reconnect or a crash. Pictures go to the stream's object store
//! first. The centre's commands come back over request/reply.
//!
//! ```text
//! bus ─cursor─▶ pictures → object store ─▶ publish (Nats-Msg-Id) ─ack─▶ cursor
//! centre ─request─▶ cmd.alarm.* / cmd.device.* ─▶ person's role here ─▶ alarms, devices ─reply─▶
//! ```

mod commands;
mod link;
mod publisher;
pub mod subjects;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use serde::Serialize;

pub use commands::Targets;
pub use link::Link;
pub use publisher::spawn;

/// The durable cursor's name.
pub const CURSOR: &str = "northbound-jetstream";

/// Live figures of the publisher.
#[derive(Debug, Default)]
pub struct Status {
    connected: AtomicBool,
    commands_ready: AtomicBool,
    published: AtomicU64,
    duplicates: AtomicU64,
    reconnects: AtomicU64,
    last_error: std::sync::Mutex<Option<String>>,
    stream: std::sync::Mutex<String>,
}

/// What the API shows at `/api/v1/northbound/jetstream`.
#[derive(Debug, Clone, Serialize)]
pub struct StatusView {
    /// The site's stream.
    pub stream: String,
    /// Connected, and the stream is there.
    pub connected: bool,
    /// Listening for the centre's commands.
    pub commands_ready: bool,
    /// Next seq to be acknowledged by the stream.
    pub cursor: u64,
    /// Events not yet acknowledged.
    pub lag_events: u64,
    /// Events published since start.
    pub published: u64,
    /// Publishes the stream reported as duplicates (replays it dropped).
    pub duplicates: u64,
    /// Connection attempts after the first.
    pub reconnects: u64,
    /// Last connection error.
    pub last_error: Option<String>,
}

impl Status {
    /// Snapshot with the lag computed from the bus.
    pub fn view(&self, bus: &crate::bus::Bus) -> StatusView {
        let cursor = bus.cursor(CURSOR).ok().flatten().unwrap_or(0);
        StatusView {
            stream: self.stream.lock().map(|s| s.clone()).unwrap_or_default(),
            connected: self.connected.load(Ordering::Relaxed),
            commands_ready: self.commands_ready.load(Ordering::Relaxed),
            cursor,
            lag_events: bus.next_seq().saturating_sub(cursor),
            published: self.published.load(Ordering::Relaxed),
            duplicates: self.duplicates.load(Ordering::Relaxed),
            reconnects: self.reconnects.load(Ordering::Relaxed),
            last_error: self.last_error.lock().ok().and_then(|e| e.clone()),
        }
    }

    fn set_error(&self, e: String) {
        if let Ok(mut l) = self.last_error.lock() {
            *l = Some(e);
        }
    }
}

/// Shared status handle.
pub type SharedStatus = Arc<Status>;
