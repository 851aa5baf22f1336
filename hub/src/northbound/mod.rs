//! Northbound MQTT: every event, in order and at least once, to the campus
//! command centre's broker, fed from a durable bus cursor that moves only on
//! PUBACK; device state retained; hub availability as the last will; and
//! commands from the broker, run like the API's.

mod acks;
mod bridge;
mod commands;
mod home_assistant;
pub mod jetstream;
mod tls;
pub mod topics;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use serde::Serialize;

pub use bridge::spawn;

/// The durable cursor's name.
pub const CURSOR: &str = "northbound-mqtt";

/// Live figures of the bridge.
#[derive(Debug, Default)]
pub struct Status {
    connected: AtomicBool,
    commands_ready: AtomicBool,
    published: AtomicU64,
    reconnects: AtomicU64,
    last_error: std::sync::Mutex<Option<String>>,
}

/// What the API shows.
#[derive(Debug, Clone, Serialize)]
pub struct StatusView {
    /// Connected to the broker now.
    pub connected: bool,
    /// The broker has confirmed the subscription to the command topics.
    pub commands_ready: bool,
    /// Next seq to be acknowledged by the broker.
    pub cursor: u64,
    /// Events not yet acknowledged.
    pub lag_events: u64,
    /// Age of the oldest unacknowledged event, seconds.
    pub lag_seconds: f64,
    /// Events published since start.
    pub published: u64,
    /// Connection attempts after the first.
    pub reconnects: u64,
    /// Last connection error.
    pub last_error: Option<String>,
}

impl Status {
    /// Snapshot with the lag computed from the bus.
    pub fn view(&self, bus: &crate::bus::Bus) -> StatusView {
        let cursor = bus.cursor(CURSOR).ok().flatten().unwrap_or(0);
        let next = bus.next_seq();
        let lag_seconds = match bus.get(cursor) {
            Ok(Some(e)) if cursor < next => {
                ((crate::bus::now_ms() - e.time_ms).max(0) as f64) / 1000.0
            }
            _ => 0.0,
        };
        StatusView {
            connected: self.connected.load(Ordering::Relaxed),
            commands_ready: self.commands_ready.load(Ordering::Relaxed),
            cursor,
            lag_events: next.saturating_sub(cursor),
            lag_seconds,
            published: self.published.load(Ordering::Relaxed),
            reconnects: self.reconnects.load(Ordering::Relaxed),
            last_error: self.last_error.lock().ok().and_then(|e| e.clone()),
        }
    }
}

/// Shared status handle.
pub type SharedStatus = Arc<Status>;
