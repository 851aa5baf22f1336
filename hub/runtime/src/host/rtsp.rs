//! `twinwall:driver/rtsp`: stream health probes (sampled or continuous)
//! and what they found.

use twinwall_base::wire;
use wasmtime::component::Resource;

use super::{HostState, InputSlot};
use crate::bindings::twinwall::driver::rtsp::{self as w, Host};

impl Host for HostState {
    fn probe(&mut self, p: w::RtspProbe) -> wasmtime::Result<()> {
        let r = wire::Request::RtspProbe(wire::RtspProbe {
            id: p.id,
            uri: p.uri,
            every_ms: p.every_ms,
            mode: match p.mode {
                w::WatchMode::Sampled(s) => wire::WatchMode::Sampled {
                    every_ms: s.every_ms,
                    window_ms: s.window_ms,
                },
                w::WatchMode::Continuous => wire::WatchMode::Continuous,
            },
            transport: match p.transport {
                w::RtspTransport::Auto => wire::RtspTransport::Auto,
                w::RtspTransport::Tcp => wire::RtspTransport::Tcp,
                w::RtspTransport::Udp => wire::RtspTransport::Udp,
            },
        });
        self.request("rtsp.probe", r)
    }

    fn status(&mut self, input: Resource<InputSlot>) -> wasmtime::Result<Option<w::RtspStatus>> {
        let is = |i: &wire::Input| matches!(i, wire::Input::RtspStatus(_));
        Ok(match self.take(&input, is)? {
            Some(wire::Input::RtspStatus(s)) => Some(w::RtspStatus {
                id: s.id,
                connected: s.connected,
                codec: s.codec,
                width: s.width,
                height: s.height,
                fps: s.fps,
                last_frame_ms: s.last_frame_ms,
                error: s.error,
                sampled_ms: s.sampled_ms,
                first_frame_ms: s.first_frame_ms,
                transport: s.transport,
            }),
            _ => None,
        })
    }
}
