//! The wire's own vocabulary: what a driver asks the transport to do
//! ([`Request`]) and what the wire brings back ([`Input`]). The runtime
//! translates between these and the contract's generated bindings, so the
//! contract and the transport change apart.

/// The four Modbus data tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    /// Read-write bits.
    Coils,
    /// Read-only bits.
    DiscreteInputs,
    /// Read-write words.
    HoldingRegisters,
    /// Read-only words.
    InputRegisters,
}

/// A Modbus block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModbusRead {
    /// Table.
    pub table: Table,
    /// First 0-based address.
    pub address: u16,
    /// Items.
    pub count: u16,
}

/// An HTTP header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// Name.
    pub name: String,
    /// Value.
    pub value: String,
}

impl Header {
    /// A header.
    pub fn new(name: &str, value: &str) -> Self {
        Header {
            name: name.to_owned(),
            value: value.to_owned(),
        }
    }
}

/// The value of header `name` (case-insensitive) among `headers`.
pub fn header<'a>(headers: &'a [Header], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str())
}

/// An HTTP request to the device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// Request id.
    pub id: String,
    /// Method.
    pub method: String,
    /// Path and query.
    pub path: String,
    /// Headers.
    pub headers: Vec<Header>,
    /// Body.
    pub body: Vec<u8>,
    /// Add a WS-Security UsernameToken.
    pub ws_security: bool,
    /// Timeout.
    pub timeout_ms: u32,
}

/// The device's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// Request id.
    pub id: String,
    /// Status.
    pub status: u16,
    /// Headers.
    pub headers: Vec<Header>,
    /// Body.
    pub body: Vec<u8>,
}

/// Accept pushes under the device's root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpListen {
    /// Listen id.
    pub id: String,
    /// Path below `/push/{device}` (a prefix when it ends with `*`).
    pub path: String,
    /// Largest body, bytes.
    pub max_body: u32,
}

/// A request a device pushed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpPush {
    /// Push id, for the reply.
    pub push: u64,
    /// The listen id it arrived on.
    pub listen: String,
    /// Method.
    pub method: String,
    /// Path below the device's root.
    pub path: String,
    /// Query string.
    pub query: String,
    /// Headers.
    pub headers: Vec<Header>,
    /// Sender.
    pub peer: String,
    /// Body.
    pub body: Vec<u8>,
}

/// The driver's answer to a push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpReply {
    /// Push id.
    pub push: u64,
    /// Status.
    pub status: u16,
    /// Headers.
    pub headers: Vec<Header>,
    /// Body.
    pub body: Vec<u8>,
}

/// How a stream's body is split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamSplit {
    /// `multipart/*`, boundary from the content type.
    Multipart,
    /// One part per line.
    Lines,
}

/// A long-lived request whose body arrives part by part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpStream {
    /// Stream id.
    pub id: String,
    /// Method.
    pub method: String,
    /// Path and query.
    pub path: String,
    /// Headers.
    pub headers: Vec<Header>,
    /// Split.
    pub split: StreamSplit,
    /// Largest part, bytes.
    pub max_part: u32,
    /// Silence after which the stream is reopened, ms.
    pub idle_timeout_ms: u32,
}

/// How a byte stream is cut into frames.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Framing {
    /// Whatever one read returned.
    Raw,
    /// Between start and end markers.
    Delimited {
        /// Start marker (may be empty).
        start: Vec<u8>,
        /// End marker.
        end: Vec<u8>,
    },
    /// By a length field.
    LengthPrefixed {
        /// Where the field is.
        offset: u32,
        /// 1, 2 or 4 bytes.
        width: u8,
        /// Byte order.
        big_endian: bool,
        /// Added to `offset + width + length`.
        adjust: i32,
    },
}

/// TCP or UDP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SocketKind {
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
}

/// Listen on a named port of the hub.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SocketListen {
    /// Listen id.
    pub id: String,
    /// Port name in `[listen.ports]`.
    pub port: String,
    /// TCP or UDP.
    pub kind: SocketKind,
    /// Framing.
    pub framing: Framing,
    /// Largest frame.
    pub max_frame: u32,
    /// Routing keys this device owns on the port.
    pub routes: Vec<String>,
}

/// Connect to the device over TCP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcpConnect {
    /// Connect id.
    pub id: String,
    /// Framing.
    pub framing: Framing,
    /// Largest frame.
    pub max_frame: u32,
}

/// Check an RTSP stream's health.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RtspProbe {
    /// Probe id.
    pub id: String,
    /// Stream URI.
    pub uri: String,
    /// Report period (sampled: also the liveness check's period).
    pub every_ms: u32,
    /// How the stream is looked at.
    pub mode: WatchMode,
    /// RTP transport.
    pub transport: RtspTransport,
}

/// How a probe looks at a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WatchMode {
    /// Sample, tear down, come back after `every_ms`.
    Sampled {
        /// Time between samples.
        every_ms: u32,
        /// Frame-rate window after the first frame.
        window_ms: u32,
    },
    /// Hold the stream open.
    Continuous,
}

/// RTP transport of a probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RtspTransport {
    /// TCP first, UDP when the camera refuses TCP; the one that worked is kept.
    #[default]
    Auto,
    /// Interleaved on the RTSP connection.
    Tcp,
    /// RTP/AVP over UDP.
    Udp,
}

/// G.711 variant of an RTP stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AudioCodec {
    /// μ-law, payload type 0.
    Pcmu,
    /// A-law, payload type 8.
    Pcma,
}

/// Send a stored clip to the device as paced RTP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RtpSend {
    /// Send id (cancel and `rtp-finished` name it).
    pub id: String,
    /// Clip content hash, or `live:<n>`.
    pub source: String,
    /// Empty for the device's host, or a multicast group.
    pub host: String,
    /// UDP port.
    pub port: u16,
    /// Codec.
    pub codec: AudioCodec,
    /// Audio per packet, ms.
    pub packet_ms: u16,
    /// Plays back to back; 0 = until cancelled.
    pub repeat: u32,
    /// RTP SSRC.
    pub ssrc: u32,
}

/// How an RTP stream ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RtpFinished {
    /// Send id.
    pub id: String,
    /// Packets sent.
    pub packets: u64,
    /// Audio sent, ms.
    pub sent_ms: u64,
    /// Stopped before its end.
    pub cancelled: bool,
}

/// What a probe found.
#[derive(Debug, Clone, PartialEq)]
pub struct RtspStatus {
    /// Probe id.
    pub id: String,
    /// Whether frames can be had.
    pub connected: bool,
    /// RFC 6381 codec.
    pub codec: Option<String>,
    /// Width.
    pub width: Option<u32>,
    /// Height.
    pub height: Option<u32>,
    /// Frames per second over the period.
    pub fps: Option<f32>,
    /// Last frame time.
    pub last_frame_ms: Option<i64>,
    /// Why not.
    pub error: Option<String>,
    /// When the last sample that saw frames ended.
    pub sampled_ms: Option<i64>,
    /// PLAY to the first keyframe in the last sample, ms.
    pub first_frame_ms: Option<u32>,
    /// The transport of the last sample (`tcp`, `udp`).
    pub transport: Option<String>,
}

/// Why a request failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// No answer in time.
    Timeout,
    /// Device unreachable.
    Unreachable,
    /// Credentials refused.
    Auth,
    /// Over a size limit.
    TooLarge,
    /// This hub cannot do it.
    Unsupported,
    /// Refused.
    Refused,
    /// Unreadable answer.
    Malformed,
    /// Stream or connection ended.
    Closed,
    /// Beyond what the device may touch.
    NotPermitted,
    /// Over the device's quota.
    OverQuota,
}

impl FailureKind {
    /// Lowercase name, as in the contract.
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::Timeout => "timeout",
            FailureKind::Unreachable => "unreachable",
            FailureKind::Auth => "auth",
            FailureKind::TooLarge => "too-large",
            FailureKind::Unsupported => "unsupported",
            FailureKind::Refused => "refused",
            FailureKind::Malformed => "malformed",
            FailureKind::Closed => "closed",
            FailureKind::NotPermitted => "not-permitted",
            FailureKind::OverQuota => "over-quota",
        }
    }
}

/// A failed request: its id, the kind and the evidence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("request `{id}`: {}: {message}", .kind.as_str())]
pub struct Failure {
    /// Request id.
    pub id: String,
    /// Kind.
    pub kind: FailureKind,
    /// What and where.
    pub message: String,
}

impl Failure {
    /// A failure of request `id`.
    pub fn new(id: &str, kind: FailureKind, message: impl Into<String>) -> Self {
        Failure {
            id: id.to_owned(),
            kind,
            message: message.into(),
        }
    }
}

/// Work a driver asks of the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// Poll a Modbus block.
    ModbusPoll {
        /// Id.
        id: String,
        /// Block.
        read: ModbusRead,
        /// Period.
        every_ms: u32,
    },
    /// Read a Modbus block once.
    ModbusRead {
        /// Id.
        id: String,
        /// Block.
        read: ModbusRead,
    },
    /// Write Modbus values.
    ModbusWrite {
        /// Id.
        id: String,
        /// Table.
        table: Table,
        /// Address.
        address: u16,
        /// Values.
        values: Vec<u16>,
    },
    /// An HTTP exchange.
    Http(HttpRequest),
    /// Accept device pushes.
    HttpListen(HttpListen),
    /// Answer a push.
    HttpReply(HttpReply),
    /// A long-lived HTTP stream.
    HttpStream(HttpStream),
    /// Listen on a named port.
    SocketListen(SocketListen),
    /// Connect to the device.
    TcpConnect(TcpConnect),
    /// Send on a connection.
    SocketSend {
        /// Connection.
        conn: u64,
        /// Bytes.
        data: Vec<u8>,
        /// Close afterwards.
        close: bool,
    },
    /// Close a connection.
    SocketClose(u64),
    /// Probe an RTSP stream.
    RtspProbe(RtspProbe),
    /// Send a clip as RTP.
    RtpSend(RtpSend),
    /// A timer.
    Timer {
        /// Id.
        id: String,
        /// Delay.
        after_ms: u32,
        /// Repeat.
        repeat: bool,
    },
    /// Stop a poll, probe, stream, listener, RTP send or timer.
    Cancel(String),
}

impl Request {
    /// Whether the request answers the device (a push reply, bytes on a
    /// socket): such requests wait until the events they follow are committed.
    pub fn is_reply(&self) -> bool {
        matches!(
            self,
            Request::HttpReply(_) | Request::SocketSend { .. } | Request::SocketClose(_)
        )
    }
}

/// What the wire brought.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// Modbus values.
    ModbusResponse {
        /// Id.
        id: String,
        /// Table.
        table: Table,
        /// Address.
        address: u16,
        /// Values (empty for a write).
        values: Vec<u16>,
    },
    /// Modbus exception.
    ModbusException {
        /// Id.
        id: String,
        /// Code.
        code: u8,
    },
    /// An HTTP answer.
    HttpResponse(HttpResponse),
    /// A listener is ready at `url`.
    HttpListening {
        /// Listen id.
        id: String,
        /// Where devices push.
        url: String,
    },
    /// A device pushed.
    HttpPush(HttpPush),
    /// A stream (re)opened.
    StreamOpened {
        /// Stream id.
        id: String,
        /// Status.
        status: u16,
        /// Headers.
        headers: Vec<Header>,
    },
    /// A stream part.
    StreamPart {
        /// Stream id.
        id: String,
        /// Part headers.
        headers: Vec<Header>,
        /// Part body.
        body: Vec<u8>,
    },
    /// A connection is bound to the device.
    SocketOpened {
        /// Connection.
        conn: u64,
        /// Listen or connect id.
        via: String,
        /// Peer.
        peer: String,
    },
    /// A frame.
    SocketFrame {
        /// Connection.
        conn: u64,
        /// Bytes.
        data: Vec<u8>,
    },
    /// A connection ended.
    SocketClosed {
        /// Connection.
        conn: u64,
        /// Why.
        reason: String,
    },
    /// RTSP probe report.
    RtspStatus(RtspStatus),
    /// An RTP send ended.
    RtpFinished(RtpFinished),
    /// A timer fired.
    Timer(String),
    /// A request failed.
    Failed(Failure),
}
