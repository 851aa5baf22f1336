//! The core interfaces: `types` (the lent input) and `host` (log, clock,
//! timers, cancel).

use twinwall_base::wire;
use wasmtime::component::Resource;

use super::{HostState, InputSlot, truncate};
use crate::bindings::core::{self as w, HostInput};
use crate::bindings::twinwall::driver::host as h;

/// The kind an input answers to, `<interface>.<accessor>`, as the guest asks.
pub(crate) fn kind(input: &wire::Input) -> &'static str {
    use wire::Input as I;
    match input {
        I::ModbusResponse { .. } => "modbus.response",
        I::ModbusException { .. } => "modbus.exception",
        I::HttpResponse(_) => "http-client.response",
        I::HttpListening { .. } => "http-listener.listening",
        I::HttpPush(_) => "http-listener.push",
        I::StreamOpened { .. } => "http-stream.opened",
        I::StreamPart { .. } => "http-stream.part",
        I::SocketOpened { .. } => "sockets.opened",
        I::SocketFrame { .. } => "sockets.frame",
        I::SocketClosed { .. } => "sockets.closed",
        I::RtspStatus(_) => "rtsp.status",
        I::RtpFinished(_) => "rtp.finished",
        I::Timer(_) => "timer",
        I::Failed(_) => "failed",
    }
}

/// Headers in the contract's terms.
pub(crate) fn headers_out(h: Vec<wire::Header>) -> Vec<w::Header> {
    h.into_iter()
        .map(|h| w::Header {
            name: h.name,
            value: h.value,
        })
        .collect()
}

/// Headers in the wire's terms.
pub(crate) fn headers_in(h: Vec<w::Header>) -> Vec<wire::Header> {
    h.into_iter()
        .map(|h| wire::Header {
            name: h.name,
            value: h.value,
        })
        .collect()
}

fn failure_kind(k: wire::FailureKind) -> w::FailureKind {
    use wire::FailureKind as K;
    match k {
        K::Timeout => w::FailureKind::Timeout,
        K::Unreachable => w::FailureKind::Unreachable,
        K::Auth => w::FailureKind::Auth,
        K::TooLarge => w::FailureKind::TooLarge,
        K::Unsupported => w::FailureKind::Unsupported,
        K::Refused => w::FailureKind::Refused,
        K::Malformed => w::FailureKind::Malformed,
        K::Closed => w::FailureKind::Closed,
        K::NotPermitted => w::FailureKind::NotPermitted,
        K::OverQuota => w::FailureKind::OverQuota,
    }
}

impl HostInput for HostState {
    fn kind(&mut self, input: Resource<InputSlot>) -> wasmtime::Result<String> {
        Ok(self.table.get(&input)?.kind.to_owned())
    }

    fn timer(&mut self, input: Resource<InputSlot>) -> wasmtime::Result<Option<String>> {
        Ok(
            match self.take(&input, |i| matches!(i, wire::Input::Timer(_)))? {
                Some(wire::Input::Timer(id)) => Some(id),
                _ => None,
            },
        )
    }

    fn failure(&mut self, input: Resource<InputSlot>) -> wasmtime::Result<Option<w::Failure>> {
        Ok(
            match self.take(&input, |i| matches!(i, wire::Input::Failed(_)))? {
                Some(wire::Input::Failed(f)) => Some(w::Failure {
                    id: f.id,
                    kind: failure_kind(f.kind),
                    message: f.message,
                }),
                _ => None,
            },
        )
    }

    /// The hub lends inputs and takes them back itself after the call.
    fn drop(&mut self, _input: Resource<InputSlot>) -> wasmtime::Result<()> {
        Ok(())
    }
}

impl w::Host for HostState {}

impl h::Host for HostState {
    fn log(&mut self, level: h::LogLevel, message: String) -> wasmtime::Result<()> {
        let driver = &*self.driver;
        let device = self.device().unwrap_or("-");
        let message = truncate(&message, 2000);
        match level {
            h::LogLevel::Trace => tracing::trace!(driver, device, "{message}"),
            h::LogLevel::Debug => tracing::debug!(driver, device, "{message}"),
            h::LogLevel::Info => tracing::info!(driver, device, "{message}"),
            h::LogLevel::Warn => tracing::warn!(driver, device, "{message}"),
            h::LogLevel::Error => tracing::error!(driver, device, "{message}"),
        }
        Ok(())
    }

    fn now_ms(&mut self) -> wasmtime::Result<i64> {
        Ok(twinwall_base::now_ms())
    }

    fn set_timer(&mut self, t: w::Timer) -> wasmtime::Result<()> {
        self.request(
            "host.set-timer",
            wire::Request::Timer {
                id: t.id,
                after_ms: t.after_ms,
                repeat: t.repeat,
            },
        )
    }

    fn cancel(&mut self, id: String) -> wasmtime::Result<()> {
        self.request("host.cancel", wire::Request::Cancel(id))
    }
}
