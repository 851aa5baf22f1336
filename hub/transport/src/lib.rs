//! Transports: the hub owns the wire. One session task per device carries out
//! its driver's requests (Modbus polls, reads and writes; HTTP exchanges and
//! streams; RTSP probes; paced RTP audio out; timers), reconnects with backoff and jitter,
//! enforces timeouts and size limits, hands what arrived to the driver, and
//! decides online/offline, reporting link changes upward (it writes nothing
//! to the bus: the devices layer turns reports into events). Hub-wide
//! listeners (device pushes, named ports) route what devices send to their
//! drivers. The wire speaks its own [`types`] (the base crate's `wire`); the
//! runtime translates them to and from the driver contract.

pub mod audio;
mod backoff;
mod error;
pub mod framing;
pub mod http;
mod link;
mod modbus;
pub mod push;
pub mod rtp;
pub mod rtsp;
mod session;
pub mod socket;
pub mod stream;
mod timers;
mod tracker;

/// The wire's vocabulary (requests, inputs, failures), from the base layer.
pub use twinwall_base::wire as types;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

pub use backoff::Backoff;
pub use error::WireError;
pub use link::{Link, LinkChange, Online};
pub use session::{
    Commit, Control, InputSink, LinkReport, LinkSink, SessionHandle, SessionSpec, committed, spawn,
};

/// What the API shows of a device's link.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LinkStatus {
    /// Online state.
    pub state: Online,
    /// Last answer, RFC 3339.
    pub last_seen: Option<String>,
    /// Last link error.
    pub last_error: Option<String>,
}

/// Link status of every device, shared with the API.
#[derive(Debug, Default)]
pub struct LinkTable {
    inner: RwLock<HashMap<String, LinkStatus>>,
}

impl LinkTable {
    /// The status of `device`.
    pub fn get(&self, device: &str) -> Option<LinkStatus> {
        self.inner.read().ok()?.get(device).cloned()
    }

    fn update(&self, device: &str, f: impl FnOnce(&mut LinkStatus)) {
        if let Ok(mut m) = self.inner.write() {
            let s = m.entry(device.to_owned()).or_insert(LinkStatus {
                state: Online::Unknown,
                last_seen: None,
                last_error: None,
            });
            f(s);
        }
    }
}

/// A share of the link table.
pub type SharedLinks = Arc<LinkTable>;
