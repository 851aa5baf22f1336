//! Contract `twinwall:driver@0.4.0` (the current one): bindings and the
//! translation between its types and the transport's.
#![allow(missing_docs, reason = "generated; the WIT file is the documentation")]

wasmtime::component::bindgen!({
    path: "../plugin-sdk/wit/v0.4.0",
    world: "plugin",
});

use twinwall::driver::types as w;

use super::Routing;
use crate::transport::types as t;

super::translate::rtp!();

fn probe(p: w::RtspProbe) -> t::Request {
    t::Request::RtspProbe(t::RtspProbe {
        id: p.id,
        uri: p.uri,
        every_ms: p.every_ms,
        mode: Some(match p.mode {
            w::WatchMode::Sampled(s) => t::WatchMode::Sampled {
                every_ms: s.every_ms,
                window_ms: s.window_ms,
            },
            w::WatchMode::Continuous => t::WatchMode::Continuous,
        }),
        transport: match p.transport {
            w::RtspTransport::Auto => t::RtspTransport::Auto,
            w::RtspTransport::Tcp => t::RtspTransport::Tcp,
            w::RtspTransport::Udp => t::RtspTransport::Udp,
        },
    })
}

fn status(s: t::RtspStatus) -> w::RtspStatus {
    w::RtspStatus {
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
    }
}

super::translate::translate! {
    requests {
        w::Request::RtpSend(s) => rtp_send(s),
    }
    inputs {
        t::Input::RtpFinished(f) => rtp_finished(f),
    }
    transports {
        w::Transport::RtpSender => "rtp-sender",
    }
}

// The current contract's own records are the hub's: the identity
// translations let every version share one call path.

/// The self-description as it is; 0.4 names only served transports.
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
