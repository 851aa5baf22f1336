//! RTSP probes of a session: each in its own task, sharing the hub's
//! sample slots and bandwidth budget.

use super::dispatch::{Done, Handled};
use super::*;
use crate::types::RtspProbe;

impl Session {
    /// Start (or replace) the probe of a stream.
    pub(super) fn rtsp_probe(&mut self, p: RtspProbe) -> Handled {
        self.wired = true;
        if let Some(old) = self.tasks.remove(&p.id) {
            old.abort();
        }
        let every = Duration::from_millis(u64::from(p.every_ms.clamp(250, 60_000)));
        // The URI came from the device (GetStreamUri); its account goes to
        // the device's own host only.
        let creds = self.spec.credentials.clone().filter(|_| {
            let same = crate::rtsp::same_host(&p.uri, self.spec.host());
            if !same {
                tracing::warn!(device = %self.spec.device, uri = %p.uri, "stream URI names another host than the device's address: probed without the device's credentials");
            }
            same
        });
        let job = crate::rtsp::ProbeJob {
            device: self.spec.device.clone(),
            id: p.id.clone(),
            uri: p.uri,
            every,
            plan: self.spec.probes.plan(p.mode),
            transport: p.transport,
            creds,
            to_driver: self.to_driver.clone(),
            answered: self.wire_done.0.clone(),
            probes: self.spec.probes.clone(),
        };
        let task = tokio::spawn(job.run());
        self.tasks.insert(p.id, task.abort_handle());
        Ok(Done::Settled)
    }
}
