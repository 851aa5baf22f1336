//! Timers of a session, and cancelling whatever a request id names.

use super::dispatch::{Done, Handled};
use super::*;

impl Session {
    pub(super) fn timer(&mut self, id: String, after_ms: u32, repeat: bool) -> Handled {
        self.timers.set(id, after_ms, repeat, Instant::now());
        Ok(Done::Settled)
    }

    /// Stop the poll, probe, stream, listener, RTP send or timer `id`.
    pub(super) fn cancel(&mut self, id: &str) -> Handled {
        self.rtp.remove(id);
        if let Some(t) = self.tasks.remove(id) {
            t.abort();
        }
        if let Some(m) = &mut self.modbus {
            m.cancel(id);
        }
        self.timers.cancel(id);
        if self.socket_listens.iter().any(|l| l == id) {
            self.socket_listens.retain(|l| l != id);
            if let Some(sockets) = &self.spec.sockets {
                sockets.unclaim(&self.spec.device, Some(id));
            }
        }
        if self.listens.iter().any(|l| l == id) {
            self.listens.retain(|l| l != id);
            if let Some(push) = &self.spec.push {
                push.unlisten(&self.spec.device, Some(id));
            }
        }
        Ok(Done::Settled)
    }
}
