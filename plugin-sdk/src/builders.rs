//! Typed builders over the generated contract types, so drivers read as data.

use crate::{
    Attr, CommandSpec, Delimiters, DeviceConfig, DriverError, DriverInfo, Event, Failure,
    FailureKind, Framing, Header, HttpListen, HttpPush, HttpReply, HttpRequest, HttpResponse,
    HttpStream, Input, Level, ModbusFetch, ModbusPoll, ModbusRead, ModbusResponse, ModbusTable,
    ModbusWrite, Outcome, Phase, Request, RtspProbe, RtspTransport, Sampling, SettingSpec,
    SocketKind, SocketListen, SocketSend, StreamPart, StreamSplit, Value, WatchMode,
};

/// Time between samples of [`Request::probe`]: five minutes. A camera's
/// own events (signal loss, tamper) and the liveness check carry the state
/// between samples.
pub const SAMPLE_EVERY_MS: u32 = 300_000;
/// How long a sample of [`Request::probe`] measures the frame rate.
pub const SAMPLE_WINDOW_MS: u32 = 2_000;

/// The value of header `name` (case-insensitive) among `headers`.
pub fn header<'a>(headers: &'a [Header], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str())
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

impl HttpResponse {
    /// The value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }
}

impl StreamPart {
    /// The value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }
}

impl HttpPush {
    /// The value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }

    /// The reply to this push: `status`, with `body` of `content_type`.
    pub fn reply(&self, status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Request {
        HttpReply {
            push: self.push,
            status,
            headers: vec![Header::new("content-type", content_type)],
            body: body.into(),
        }
        .into()
    }
}

impl HttpRequest {
    /// A request `id`: `method` on `path` (path and query), no headers or
    /// body, a 5 s timeout.
    pub fn new(id: &str, method: &str, path: &str) -> Self {
        HttpRequest {
            id: id.to_owned(),
            method: method.to_owned(),
            path: path.to_owned(),
            headers: Vec::new(),
            body: Vec::new(),
            ws_security: false,
            timeout_ms: 5000,
        }
    }

    /// Add a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push(Header::new(name, value));
        self
    }

    /// Set the body and its content type.
    pub fn body(mut self, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        self.headers.push(Header::new("content-type", content_type));
        self.body = body.into();
        self
    }

    /// Ask the hub to add a WS-Security UsernameToken (SOAP bodies).
    pub fn ws_security(mut self) -> Self {
        self.ws_security = true;
        self
    }

    /// Set the timeout.
    pub fn timeout_ms(mut self, ms: u32) -> Self {
        self.timeout_ms = ms;
        self
    }
}

impl Failure {
    /// A failure of request `id` (for tests and harness inputs).
    pub fn new(id: &str, kind: FailureKind, message: &str) -> Self {
        Failure {
            id: id.to_owned(),
            kind,
            message: message.to_owned(),
        }
    }
}

impl Event {
    /// An `info` event of `kind` with no phase and no attributes.
    pub fn new(kind: &str) -> Self {
        Event {
            kind: kind.to_owned(),
            level: Level::Info,
            phase: None,
            zone: None,
            device_time_ms: None,
            message: None,
            attrs: Vec::new(),
            media: Vec::new(),
        }
    }

    /// Attach a picture (stored by the hub once, by content hash).
    pub fn media(mut self, role: &str, content_type: &str, data: Vec<u8>) -> Self {
        self.media.push(crate::Media {
            role: role.to_owned(),
            content_type: content_type.to_owned(),
            data,
        });
        self
    }

    /// Set the level.
    pub fn level(mut self, level: Level) -> Self {
        self.level = level;
        self
    }

    /// Mark a condition raised.
    pub fn begin(mut self) -> Self {
        self.phase = Some(Phase::Begin);
        self
    }

    /// Mark a condition restored.
    pub fn end(mut self) -> Self {
        self.phase = Some(Phase::End);
        self
    }

    /// `begin` when `active`, else `end`.
    pub fn phase_if(self, active: bool) -> Self {
        if active { self.begin() } else { self.end() }
    }

    /// Add an attribute.
    pub fn attr(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.attrs.push(Attr {
            key: key.to_owned(),
            value: value.into(),
        });
        self
    }

    /// Set the human-readable line.
    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }

    /// Override the zone (for a point wired to another zone than its device).
    pub fn zone(mut self, zone: impl Into<String>) -> Self {
        self.zone = Some(zone.into());
        self
    }

    /// Device time stamp, milliseconds since the Unix epoch.
    pub fn device_time_ms(mut self, ms: i64) -> Self {
        self.device_time_ms = Some(ms);
        self
    }

    /// The value of attribute `key`, if present.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.attrs.iter().find(|a| a.key == key).map(|a| &a.value)
    }
}

impl Level {
    /// `info`, `blue`, `yellow`, `orange` or `red` (as profiles spell levels).
    pub fn parse(name: &str) -> Option<Level> {
        Some(match name {
            "info" => Level::Info,
            "blue" => Level::Blue,
            "yellow" => Level::Yellow,
            "orange" => Level::Orange,
            "red" => Level::Red,
            _ => return None,
        })
    }
}

impl From<f32> for Value {
    fn from(v: f32) -> Self {
        Value::Float(f64::from(v))
    }
}

impl From<u8> for Value {
    fn from(v: u8) -> Self {
        Value::Int(i64::from(v))
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}
impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}
impl From<u16> for Value {
    fn from(v: u16) -> Self {
        Value::Int(i64::from(v))
    }
}
impl From<u32> for Value {
    fn from(v: u32) -> Self {
        Value::Int(i64::from(v))
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Float(v)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Flag(v)
    }
}

impl Outcome {
    /// Add an event.
    pub fn push(&mut self, event: Event) {
        self.events.push(event);
    }

    /// Add a request.
    pub fn request(&mut self, request: Request) {
        self.requests.push(request);
    }
}

impl Request {
    /// Poll `count` items of `table` from `address` every `every_ms`.
    pub fn poll(id: &str, table: ModbusTable, address: u16, count: u16, every_ms: u32) -> Self {
        ModbusPoll {
            id: id.to_owned(),
            read: ModbusRead {
                table,
                address,
                count,
            },
            every_ms,
        }
        .into()
    }

    /// Read `count` items of `table` from `address` once.
    pub fn read(id: &str, table: ModbusTable, address: u16, count: u16) -> Self {
        ModbusFetch {
            id: id.to_owned(),
            read: ModbusRead {
                table,
                address,
                count,
            },
        }
        .into()
    }

    /// Write `values` to `table` from `address`.
    pub fn write(id: &str, table: ModbusTable, address: u16, values: &[u16]) -> Self {
        ModbusWrite {
            id: id.to_owned(),
            table,
            address,
            values: values.to_vec(),
        }
        .into()
    }

    /// Check the health of the RTSP stream at `uri`, reporting every
    /// `every_ms`: sampled every [`SAMPLE_EVERY_MS`] for [`SAMPLE_WINDOW_MS`]
    /// (an RTSP OPTIONS between samples), transport as the camera takes it.
    pub fn probe(id: &str, uri: &str, every_ms: u32) -> Self {
        Self::probe_with(
            id,
            uri,
            every_ms,
            WatchMode::Sampled(Sampling {
                every_ms: SAMPLE_EVERY_MS,
                window_ms: SAMPLE_WINDOW_MS,
            }),
            RtspTransport::Auto,
        )
    }

    /// Check the RTSP stream at `uri` as `mode` says (sampled, or watched
    /// continuously: the whole video comes to the hub), over `transport`.
    pub fn probe_with(
        id: &str,
        uri: &str,
        every_ms: u32,
        mode: WatchMode,
        transport: RtspTransport,
    ) -> Self {
        RtspProbe {
            id: id.to_owned(),
            uri: uri.to_owned(),
            every_ms,
            mode,
            transport,
        }
        .into()
    }

    /// Accept device pushes at `path` below the device's root (a prefix when
    /// it ends with `*`), bodies up to `max_body` bytes. The hub answers with
    /// `Input::HttpListening` carrying the URL to give the device.
    pub fn listen(id: &str, path: &str, max_body: u32) -> Self {
        HttpListen {
            id: id.to_owned(),
            path: path.to_owned(),
            max_body,
        }
        .into()
    }

    /// Hold `GET path` open and deliver its body split as `split` says, parts
    /// up to `max_part` bytes; reopened after `idle_timeout_ms` of silence.
    pub fn stream(
        id: &str,
        path: &str,
        split: StreamSplit,
        max_part: u32,
        idle_timeout_ms: u32,
    ) -> Self {
        HttpStream {
            id: id.to_owned(),
            method: "GET".into(),
            path: path.to_owned(),
            headers: Vec::new(),
            split,
            max_part,
            idle_timeout_ms,
        }
        .into()
    }

    /// Listen on the hub's port named `port` for frames of `framing`; this
    /// device owns `routes` (e.g. account numbers) on it.
    pub fn listen_socket(
        id: &str,
        port: &str,
        kind: SocketKind,
        framing: Framing,
        max_frame: u32,
        routes: Vec<String>,
    ) -> Self {
        SocketListen {
            id: id.to_owned(),
            port: port.to_owned(),
            kind,
            framing,
            max_frame,
            routes,
        }
        .into()
    }

    /// Send `data` on connection `conn` (after this outcome's events are committed).
    pub fn send(conn: u64, data: impl Into<Vec<u8>>) -> Self {
        SocketSend {
            conn,
            data: data.into(),
            close: false,
        }
        .into()
    }
}

impl Framing {
    /// Frames between `start` and `end` markers.
    pub fn delimited(start: &[u8], end: &[u8]) -> Self {
        Framing::Delimited(Delimiters {
            start: start.to_vec(),
            end: end.to_vec(),
        })
    }
}

impl Input {
    /// A Modbus read answer, as the hub delivers it.
    pub fn registers(id: &str, table: ModbusTable, address: u16, values: &[u16]) -> Self {
        Input::ModbusResponse(ModbusResponse {
            id: id.to_owned(),
            table,
            address,
            values: values.to_vec(),
        })
    }
}

impl DriverInfo {
    /// A driver named `name` at `version`, with nothing declared yet.
    pub fn new(name: &str, version: &str) -> Self {
        DriverInfo {
            name: name.to_owned(),
            version: version.to_owned(),
            families: Vec::new(),
            commands: Vec::new(),
            settings: Vec::new(),
            kinds: Vec::new(),
        }
    }

    /// Declare an event kind the driver emits.
    pub fn emits(mut self, kind: &str) -> Self {
        self.kinds.push(kind.to_owned());
        self
    }

    /// Add an accepted command with a JSON Schema for its arguments.
    pub fn command_with_schema(mut self, name: &str, description: &str, schema: &str) -> Self {
        self.commands.push(CommandSpec {
            name: name.to_owned(),
            description: description.to_owned(),
            args_schema: schema.to_owned(),
        });
        self
    }

    /// Add a device family served.
    pub fn family(mut self, family: &str) -> Self {
        self.families.push(family.to_owned());
        self
    }

    /// Add an accepted command.
    pub fn command(mut self, name: &str, description: &str) -> Self {
        self.commands.push(CommandSpec {
            name: name.to_owned(),
            description: description.to_owned(),
            args_schema: String::new(),
        });
        self
    }

    /// Add a setting read from the device config.
    pub fn setting(mut self, key: &str, description: &str, required: bool) -> Self {
        self.settings.push(SettingSpec {
            key: key.to_owned(),
            description: description.to_owned(),
            required,
        });
        self
    }
}

impl DeviceConfig {
    /// A device `id` with no profile and no settings.
    pub fn new(id: &str) -> Self {
        DeviceConfig {
            id: id.to_owned(),
            profile: None,
            settings: Vec::new(),
            keys: Vec::new(),
        }
    }

    /// Attach profile text.
    pub fn with_profile(mut self, profile: &str) -> Self {
        self.profile = Some(profile.to_owned());
        self
    }

    /// Add a setting.
    pub fn with_setting(mut self, key: &str, value: &str) -> Self {
        self.settings.push((key.to_owned(), value.to_owned()));
        self
    }

    /// The value of setting `key`.
    pub fn setting(&self, key: &str) -> Option<&str> {
        self.settings
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

impl DriverError {
    fn coded(code: &str, message: String) -> Self {
        DriverError {
            code: code.to_owned(),
            message,
        }
    }

    /// The device config is wrong; say which key and why.
    pub fn bad_config(message: impl Into<String>) -> Self {
        Self::coded("bad-config", message.into())
    }

    /// The driver has no such command.
    pub fn unknown_command(name: &str) -> Self {
        Self::coded("unknown-command", format!("unknown command `{name}`"))
    }

    /// The command's arguments are wrong.
    pub fn bad_args(message: impl Into<String>) -> Self {
        Self::coded("bad-args", message.into())
    }

    /// The command is refused by this device's configuration.
    pub fn not_allowed(message: impl Into<String>) -> Self {
        Self::coded("not-allowed", message.into())
    }
}
