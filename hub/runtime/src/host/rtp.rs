//! `twinwall:driver/rtp`: audio out as G.711 RTP, paced by the hub.

use twinwall_base::wire;
use wasmtime::component::Resource;

use super::{HostState, InputSlot};
use crate::bindings::twinwall::driver::rtp::{self as w, Host};

impl Host for HostState {
    fn send(&mut self, s: w::RtpSend) -> wasmtime::Result<()> {
        let r = wire::Request::RtpSend(wire::RtpSend {
            id: s.id,
            source: s.source,
            host: s.host,
            port: s.port,
            codec: match s.codec {
                w::AudioCodec::Pcmu => wire::AudioCodec::Pcmu,
                w::AudioCodec::Pcma => wire::AudioCodec::Pcma,
            },
            packet_ms: s.packet_ms,
            repeat: s.repeat,
            ssrc: s.ssrc,
        });
        self.request("rtp.send", r)
    }

    fn finished(&mut self, input: Resource<InputSlot>) -> wasmtime::Result<Option<w::RtpFinished>> {
        let is = |i: &wire::Input| matches!(i, wire::Input::RtpFinished(_));
        Ok(match self.take(&input, is)? {
            Some(wire::Input::RtpFinished(f)) => Some(w::RtpFinished {
                id: f.id,
                packets: f.packets,
                sent_ms: f.sent_ms,
                cancelled: f.cancelled,
            }),
            _ => None,
        })
    }
}
