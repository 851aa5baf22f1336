//! What a driver asks of the hub. A [`Request`] is what the driver's code
//! builds and returns; [`RequestKind`] is what it says, for tests to read.
//!
//! Each request remembers how it reaches the hub: the capability interface
//! of its kind (`modbus`, `http-client`, …). Only the code of capabilities a
//! driver builds requests for is linked into its component, so the
//! component imports exactly the interfaces the driver uses and the hub
//! reads the driver's needs from them.

use std::fmt;
use std::ops::Deref;

use crate::capability;
use crate::{
    HttpListen, HttpReply, HttpRequest, HttpStream, ModbusFetch, ModbusPoll, ModbusWrite, RtpSend,
    RtspProbe, SocketListen, SocketSend, TcpConnect, Timer,
};

/// Something a driver asks the hub to do on its behalf.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum RequestKind {
    /// Poll a Modbus block.
    ModbusPoll(ModbusPoll),
    /// Read a Modbus block once.
    ModbusRead(ModbusFetch),
    /// Write Modbus values.
    ModbusWrite(ModbusWrite),
    /// An HTTP request to the device.
    Http(HttpRequest),
    /// Accept pushes from the device.
    HttpListen(HttpListen),
    /// Answer a push.
    HttpReply(HttpReply),
    /// A long-lived HTTP stream split into parts.
    HttpStream(HttpStream),
    /// Listen on a named port of the hub.
    SocketListen(SocketListen),
    /// Connect to the device over TCP.
    TcpConnect(TcpConnect),
    /// Send bytes on a connection.
    SocketSend(SocketSend),
    /// Close a connection.
    SocketClose(u64),
    /// Check an RTSP stream.
    RtspProbe(RtspProbe),
    /// Send audio as RTP.
    RtpSend(RtpSend),
    /// A timer.
    Timer(Timer),
    /// Stop a poll, probe, stream, listener, RTP send or timer by its id.
    Cancel(String),
}

/// How a request of one capability is handed to the hub.
pub(crate) type Submit = fn(RequestKind);

/// A request, and the capability that carries it to the hub. Build it with
/// the constructors (`Request::poll`, `Request::timer`, …) or from its
/// record (`HttpRequest::new(..).into()`); read it through [`RequestKind`]
/// (`match &*request { RequestKind::Http(h) => …, _ => … }`).
#[derive(Clone)]
pub struct Request {
    kind: RequestKind,
    submit: Submit,
}

impl Request {
    fn new(kind: RequestKind, submit: Submit) -> Self {
        Request { kind, submit }
    }

    /// What the request says.
    pub fn kind(&self) -> &RequestKind {
        &self.kind
    }

    /// What the request says, by value.
    pub fn into_kind(self) -> RequestKind {
        self.kind
    }

    /// Hand the request to the hub (inside the component, during a device call).
    pub(crate) fn submit(self) {
        (self.submit)(self.kind)
    }

    /// Fire a timer input after `after_ms`, repeatedly if `repeat`.
    pub fn timer(id: &str, after_ms: u32, repeat: bool) -> Self {
        Timer {
            id: id.to_owned(),
            after_ms,
            repeat,
        }
        .into()
    }

    /// Stop a poll, probe, stream, listener, RTP send or timer.
    pub fn cancel(id: &str) -> Self {
        Request::new(RequestKind::Cancel(id.to_owned()), capability::host::submit)
    }

    /// Close connection `conn` (after this call's events are committed).
    pub fn close(conn: u64) -> Self {
        Request::new(RequestKind::SocketClose(conn), capability::sockets::submit)
    }
}

impl Deref for Request {
    type Target = RequestKind;

    fn deref(&self) -> &RequestKind {
        &self.kind
    }
}

impl PartialEq for Request {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind
    }
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.kind.fmt(f)
    }
}

/// `From<record> for Request`, each with its capability.
macro_rules! requests {
    ($($record:ty => $variant:ident via $cap:ident;)*) => {
        $(
            impl From<$record> for Request {
                fn from(r: $record) -> Self {
                    Request::new(RequestKind::$variant(r), capability::$cap::submit)
                }
            }
        )*
    };
}

requests! {
    ModbusPoll => ModbusPoll via modbus;
    ModbusFetch => ModbusRead via modbus;
    ModbusWrite => ModbusWrite via modbus;
    HttpRequest => Http via http_client;
    HttpListen => HttpListen via http_listener;
    HttpReply => HttpReply via http_listener;
    HttpStream => HttpStream via http_stream;
    SocketListen => SocketListen via sockets;
    TcpConnect => TcpConnect via sockets;
    SocketSend => SocketSend via sockets;
    RtspProbe => RtspProbe via rtsp;
    RtpSend => RtpSend via rtp;
    Timer => Timer via host;
}
