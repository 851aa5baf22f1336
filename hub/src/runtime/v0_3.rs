//! Contract `twinwall:driver@0.3.0` (the current one): bindings and the
//! translation between its types and the transport's.
#![allow(missing_docs, reason = "generated; the WIT file is the documentation")]

wasmtime::component::bindgen!({
    path: "../plugin-sdk/wit/v0.3.0",
    world: "plugin",
});

use twinwall::driver::types as w;

use super::Routing;
use crate::transport::types as t;

fn codec(c: w::AudioCodec) -> t::AudioCodec {
    match c {
        w::AudioCodec::Pcmu => t::AudioCodec::Pcmu,
        w::AudioCodec::Pcma => t::AudioCodec::Pcma,
    }
}

super::translate::translate! {
    requests {
        w::Request::RtpSend(s) => t::Request::RtpSend(t::RtpSend {
            id: s.id,
            source: s.source,
            host: s.host,
            port: s.port,
            codec: codec(s.codec),
            packet_ms: s.packet_ms,
            repeat: s.repeat,
            ssrc: s.ssrc,
        }),
    }
    inputs {
        t::Input::RtpFinished(f) => w::Input::RtpFinished(w::RtpFinished {
            id: f.id,
            packets: f.packets,
            sent_ms: f.sent_ms,
            cancelled: f.cancelled,
        }),
    }
    transports {
        w::Transport::RtpSender => "rtp-sender",
    }
}

// The current contract's own records are the hub's: the identity
// translations let every version share one call path.

/// The self-description as it is; 0.3 names only served transports.
pub fn info(i: w::DriverInfo) -> (w::DriverInfo, Vec<&'static str>) {
    (i, Vec::new())
}

/// The device config as it is.
pub fn config(c: &w::DeviceConfig) -> w::DeviceConfig {
    c.clone()
}

/// A refusal as it is.
pub fn error(e: w::DriverError) -> w::DriverError {
    e
}

/// An event as it is.
pub fn event(e: w::Event) -> w::Event {
    e
}
