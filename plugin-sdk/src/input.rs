//! What the hub hands a device: the wire's answers, timers, failures.

use crate::{
    Failure, HttpListening, HttpPush, HttpResponse, ModbusException, ModbusResponse, RtpFinished,
    RtspStatus, SocketClosed, SocketFrame, SocketOpened, StreamOpened, StreamPart,
};

/// Something the wire brought to the device, a timer, or a failed request.
///
/// A driver sees inputs of the capabilities it has asked for: a Modbus
/// answer only after a Modbus request, a push only after a listener. A kind
/// this SDK has no word for arrives as [`Input::Other`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Input {
    /// Modbus values (or a write's confirmation).
    ModbusResponse(ModbusResponse),
    /// A Modbus exception reply.
    ModbusException(ModbusException),
    /// The device's answer to an HTTP request.
    HttpResponse(HttpResponse),
    /// A listener is ready; its URL is where the device must push.
    HttpListening(HttpListening),
    /// A request the device pushed; answer it with [`HttpPush::reply`].
    HttpPush(HttpPush),
    /// A stream (re)opened.
    StreamOpened(StreamOpened),
    /// One part of a stream.
    StreamPart(StreamPart),
    /// A connection (or a UDP peer) is bound to this device.
    SocketOpened(SocketOpened),
    /// A frame on a connection.
    SocketFrame(SocketFrame),
    /// A connection ended.
    SocketClosed(SocketClosed),
    /// What an RTSP probe found.
    RtspStatus(RtspStatus),
    /// An RTP send ended.
    RtpFinished(RtpFinished),
    /// A timer fired (its id).
    Timer(String),
    /// A request could not be carried out.
    Failed(Failure),
    /// An input of a kind this SDK does not know (a newer hub's), by kind.
    Other(String),
}
