//! RTP sends of a session: audio to the device (or a multicast group the
//! hub assigned), paced by the hub's sender.

use super::dispatch::{Done, Handled};
use super::*;
use crate::WireError;
use crate::types::RtpSend;

impl Session {
    /// Start a send; one with the same id replaces the one before it.
    pub(super) fn rtp_send(&mut self, send: RtpSend) -> Handled {
        self.rtp.remove(&send.id);
        let Some(rtp) = self.spec.rtp.clone() else {
            return Err(WireError::NotConfigured {
                what: "RTP sender",
                config: "[broadcast]",
            }
            .at(&send.id));
        };
        let ticket = rtp.start(
            &self.spec.device,
            self.spec.host(),
            &send,
            self.to_driver.clone(),
        )?;
        self.rtp.insert(send.id.clone(), ticket);
        Ok(Done::Settled)
    }
}
