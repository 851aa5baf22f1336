//! The translation shared by the contract versions of the 0.2 shape (0.2.0,
//! 0.3.0 and 0.4.0): their generated types have the same names and fields,
//! so one body serves them all, and each version adds the arms of what it
//! introduced or changed (0.4 changed the RTSP probe's records).

/// Define `request`, `input`, `routing` and `transport_name` over the
/// generated types in scope as `w` and the transport's as `t`. The extra
/// arms map what a version adds (and, for older versions, what they lack);
/// the RTSP probe goes through the version's own `probe` and `status`
/// ([`legacy_rtsp`] for the versions before 0.4).
macro_rules! translate {
    (
        requests { $($rq:pat => $rqe:expr,)* }
        inputs { $($ip:pat => $ipe:expr,)* }
        transports { $($tp:pat => $tpe:expr,)* }
    ) => {
        fn table(x: w::ModbusTable) -> t::Table {
            match x {
                w::ModbusTable::Coils => t::Table::Coils,
                w::ModbusTable::DiscreteInputs => t::Table::DiscreteInputs,
                w::ModbusTable::HoldingRegisters => t::Table::HoldingRegisters,
                w::ModbusTable::InputRegisters => t::Table::InputRegisters,
            }
        }

        fn wit_table(x: t::Table) -> w::ModbusTable {
            match x {
                t::Table::Coils => w::ModbusTable::Coils,
                t::Table::DiscreteInputs => w::ModbusTable::DiscreteInputs,
                t::Table::HoldingRegisters => w::ModbusTable::HoldingRegisters,
                t::Table::InputRegisters => w::ModbusTable::InputRegisters,
            }
        }

        fn read(r: w::ModbusRead) -> t::ModbusRead {
            t::ModbusRead {
                table: table(r.table),
                address: r.address,
                count: r.count,
            }
        }

        fn headers(h: Vec<w::Header>) -> Vec<t::Header> {
            h.into_iter()
                .map(|h| t::Header {
                    name: h.name,
                    value: h.value,
                })
                .collect()
        }

        fn wit_headers(h: &[t::Header]) -> Vec<w::Header> {
            h.iter()
                .map(|h| w::Header {
                    name: h.name.clone(),
                    value: h.value.clone(),
                })
                .collect()
        }

        fn framing(f: w::Framing) -> t::Framing {
            match f {
                w::Framing::Raw => t::Framing::Raw,
                w::Framing::Delimited(d) => t::Framing::Delimited {
                    start: d.start,
                    end: d.end,
                },
                w::Framing::LengthPrefixed(l) => t::Framing::LengthPrefixed {
                    offset: l.offset,
                    width: l.width,
                    big_endian: l.big_endian,
                    adjust: l.adjust,
                },
            }
        }

        /// A request of this contract in the transport's terms.
        pub fn request(r: w::Request) -> t::Request {
            match r {
                w::Request::ModbusPoll(p) => t::Request::ModbusPoll {
                    id: p.id,
                    read: read(p.read),
                    every_ms: p.every_ms,
                },
                w::Request::ModbusRead(f) => t::Request::ModbusRead {
                    id: f.id,
                    read: read(f.read),
                },
                w::Request::ModbusWrite(m) => t::Request::ModbusWrite {
                    id: m.id,
                    table: table(m.table),
                    address: m.address,
                    values: m.values,
                },
                w::Request::Http(h) => t::Request::Http(t::HttpRequest {
                    id: h.id,
                    method: h.method,
                    path: h.path,
                    headers: headers(h.headers),
                    body: h.body,
                    ws_security: h.ws_security,
                    timeout_ms: h.timeout_ms,
                }),
                w::Request::HttpListen(l) => t::Request::HttpListen(t::HttpListen {
                    id: l.id,
                    path: l.path,
                    max_body: l.max_body,
                }),
                w::Request::HttpReply(r) => t::Request::HttpReply(t::HttpReply {
                    push: r.push,
                    status: r.status,
                    headers: headers(r.headers),
                    body: r.body,
                }),
                w::Request::HttpStream(s) => t::Request::HttpStream(t::HttpStream {
                    id: s.id,
                    method: s.method,
                    path: s.path,
                    headers: headers(s.headers),
                    split: match s.split {
                        w::StreamSplit::Multipart => t::StreamSplit::Multipart,
                        w::StreamSplit::Lines => t::StreamSplit::Lines,
                    },
                    max_part: s.max_part,
                    idle_timeout_ms: s.idle_timeout_ms,
                }),
                w::Request::SocketListen(l) => t::Request::SocketListen(t::SocketListen {
                    id: l.id,
                    port: l.port,
                    kind: match l.kind {
                        w::SocketKind::Tcp => t::SocketKind::Tcp,
                        w::SocketKind::Udp => t::SocketKind::Udp,
                    },
                    framing: framing(l.framing),
                    max_frame: l.max_frame,
                    routes: l.routes,
                }),
                w::Request::TcpConnect(c) => t::Request::TcpConnect(t::TcpConnect {
                    id: c.id,
                    framing: framing(c.framing),
                    max_frame: c.max_frame,
                }),
                w::Request::SocketSend(s) => t::Request::SocketSend {
                    conn: s.conn,
                    data: s.data,
                    close: s.close,
                },
                w::Request::SocketClose(c) => t::Request::SocketClose(c),
                w::Request::RtspProbe(p) => probe(p),
                w::Request::Timer(x) => t::Request::Timer {
                    id: x.id,
                    after_ms: x.after_ms,
                    repeat: x.repeat,
                },
                w::Request::Cancel(id) => t::Request::Cancel(id),
                $($rq => $rqe,)*
            }
        }

        fn failure_kind(k: t::FailureKind) -> w::FailureKind {
            match k {
                t::FailureKind::Timeout => w::FailureKind::Timeout,
                t::FailureKind::Unreachable => w::FailureKind::Unreachable,
                t::FailureKind::Auth => w::FailureKind::Auth,
                t::FailureKind::TooLarge => w::FailureKind::TooLarge,
                t::FailureKind::Unsupported => w::FailureKind::Unsupported,
                t::FailureKind::Refused => w::FailureKind::Refused,
                t::FailureKind::Malformed => w::FailureKind::Malformed,
                t::FailureKind::Closed => w::FailureKind::Closed,
            }
        }

        /// A transport input as this contract delivers it, when it has a word for it.
        pub fn input(i: &t::Input) -> Option<w::Input> {
            Some(match i.clone() {
                t::Input::ModbusResponse {
                    id,
                    table,
                    address,
                    values,
                } => w::Input::ModbusResponse(w::ModbusResponse {
                    id,
                    table: wit_table(table),
                    address,
                    values,
                }),
                t::Input::ModbusException { id, code } => {
                    w::Input::ModbusException(w::ModbusException { id, code })
                }
                t::Input::HttpResponse(r) => w::Input::HttpResponse(w::HttpResponse {
                    id: r.id,
                    status: r.status,
                    headers: wit_headers(&r.headers),
                    body: r.body,
                }),
                t::Input::HttpListening { id, url } => {
                    w::Input::HttpListening(w::HttpListening { id, url })
                }
                t::Input::HttpPush(p) => w::Input::HttpPush(w::HttpPush {
                    push: p.push,
                    listen: p.listen,
                    method: p.method,
                    path: p.path,
                    query: p.query,
                    headers: wit_headers(&p.headers),
                    peer: p.peer,
                    body: p.body,
                }),
                t::Input::StreamOpened {
                    id,
                    status,
                    headers,
                } => w::Input::StreamOpened(w::StreamOpened {
                    id,
                    status,
                    headers: wit_headers(&headers),
                }),
                t::Input::StreamPart { id, headers, body } => w::Input::StreamPart(w::StreamPart {
                    id,
                    headers: wit_headers(&headers),
                    body,
                }),
                t::Input::SocketOpened { conn, via, peer } => {
                    w::Input::SocketOpened(w::SocketOpened { conn, via, peer })
                }
                t::Input::SocketFrame { conn, data } => {
                    w::Input::SocketFrame(w::SocketFrame { conn, data })
                }
                t::Input::SocketClosed { conn, reason } => {
                    w::Input::SocketClosed(w::SocketClosed { conn, reason })
                }
                t::Input::RtspStatus(s) => w::Input::RtspStatus(status(s)),
                t::Input::Timer(id) => w::Input::Timer(id),
                t::Input::Failed(f) => w::Input::Failed(w::Failure {
                    id: f.id,
                    kind: failure_kind(f.kind),
                    message: f.message,
                }),
                $($ip => $ipe,)*
            })
        }

        /// The driver's routing answer in the hub's terms.
        pub fn routing(r: w::Routing) -> Routing {
            match r {
                w::Routing::Key(k) => Routing::Key {
                    key: k.key,
                    unclaimed: k.unclaimed,
                },
                w::Routing::Reply(b) => Routing::Reply(b),
                w::Routing::Drop => Routing::Drop,
            }
        }

        /// The transports this contract names, as the hub spells them.
        pub fn transport_name(t: w::Transport) -> &'static str {
            match t {
                w::Transport::ModbusTcp => "modbus-tcp",
                w::Transport::HttpClient => "http-client",
                w::Transport::HttpListener => "http-listener",
                w::Transport::HttpStream => "http-stream",
                w::Transport::TcpListener => "tcp-listener",
                w::Transport::UdpListener => "udp-listener",
                w::Transport::TcpClient => "tcp-client",
                w::Transport::Rtsp => "rtsp",
                w::Transport::Timer => "timer",
                w::Transport::Crypto => "crypto",
                $($tp => $tpe,)*
            }
        }
    };
}

pub(super) use translate;

/// Define `probe` and `status` for a contract before 0.4 (types in scope as
/// `w`), whose probe cannot say how to look at the stream: sampled at the
/// hub's `[rtsp]` interval, over the transport the camera takes; the status
/// loses what 0.4 added.
macro_rules! legacy_rtsp {
    () => {
        fn probe(p: w::RtspProbe) -> t::Request {
            t::Request::RtspProbe(t::RtspProbe {
                id: p.id,
                uri: p.uri,
                every_ms: p.every_ms,
                mode: None,
                transport: t::RtspTransport::Auto,
            })
        }

        $crate::runtime::translate::legacy_status!();
    };
}

pub(super) use legacy_rtsp;

/// Define `status`, a probe's findings in the record of the contracts
/// before 0.4 (0.1 too: the same fields).
macro_rules! legacy_status {
    () => {
        pub(super) fn status(s: t::RtspStatus) -> w::RtspStatus {
            w::RtspStatus {
                id: s.id,
                connected: s.connected,
                codec: s.codec,
                width: s.width,
                height: s.height,
                fps: s.fps,
                last_frame_ms: s.last_frame_ms,
                error: s.error,
            }
        }
    };
}

pub(super) use legacy_status;

/// Define `rtp_send` and `rtp_finished` for the contracts with RTP audio
/// out (0.3 on).
macro_rules! rtp {
    () => {
        fn rtp_send(s: w::RtpSend) -> t::Request {
            t::Request::RtpSend(t::RtpSend {
                id: s.id,
                source: s.source,
                host: s.host,
                port: s.port,
                codec: match s.codec {
                    w::AudioCodec::Pcmu => t::AudioCodec::Pcmu,
                    w::AudioCodec::Pcma => t::AudioCodec::Pcma,
                },
                packet_ms: s.packet_ms,
                repeat: s.repeat,
                ssrc: s.ssrc,
            })
        }

        fn rtp_finished(f: t::RtpFinished) -> w::Input {
            w::Input::RtpFinished(w::RtpFinished {
                id: f.id,
                packets: f.packets,
                sent_ms: f.sent_ms,
                cancelled: f.cancelled,
            })
        }
    };
}

pub(super) use rtp;

/// Define `event` and `error`, taking an older contract's records (in scope
/// as `o`) to the current ones (`w`): the records kept their shape.
macro_rules! upgrade {
    () => {
        fn level(l: o::Level) -> w::Level {
            match l {
                o::Level::Info => w::Level::Info,
                o::Level::Blue => w::Level::Blue,
                o::Level::Yellow => w::Level::Yellow,
                o::Level::Orange => w::Level::Orange,
                o::Level::Red => w::Level::Red,
            }
        }

        /// An event of this contract as the current one's (the same record).
        pub fn event(e: o::Event) -> w::Event {
            w::Event {
                kind: e.kind,
                level: level(e.level),
                phase: e.phase.map(|p| match p {
                    o::Phase::Begin => w::Phase::Begin,
                    o::Phase::End => w::Phase::End,
                }),
                zone: e.zone,
                device_time_ms: e.device_time_ms,
                message: e.message,
                attrs: e
                    .attrs
                    .into_iter()
                    .map(|a| w::Attr {
                        key: a.key,
                        value: match a.value {
                            o::Value::Text(s) => w::Value::Text(s),
                            o::Value::Int(i) => w::Value::Int(i),
                            o::Value::Float(f) => w::Value::Float(f),
                            o::Value::Flag(b) => w::Value::Flag(b),
                        },
                    })
                    .collect(),
                media: e
                    .media
                    .into_iter()
                    .map(|m| w::Media {
                        role: m.role,
                        content_type: m.content_type,
                        data: m.data,
                    })
                    .collect(),
            }
        }

        /// A refusal of this contract as the current one's.
        pub fn error(e: o::DriverError) -> w::DriverError {
            w::DriverError {
                code: e.code,
                message: e.message,
            }
        }

        fn commands(c: Vec<o::CommandSpec>) -> Vec<w::CommandSpec> {
            c.into_iter()
                .map(|c| w::CommandSpec {
                    name: c.name,
                    description: c.description,
                    args_schema: c.args_schema,
                })
                .collect()
        }

        fn settings(s: Vec<o::SettingSpec>) -> Vec<w::SettingSpec> {
            s.into_iter()
                .map(|s| w::SettingSpec {
                    key: s.key,
                    description: s.description,
                    required: s.required,
                })
                .collect()
        }
    };
}

pub(super) use upgrade;

/// Define `info` and `config` for a contract of the 0.2 shape (0.2, 0.3;
/// records in scope as `o`, the current ones as `w`): the transports 0.2
/// named, and the arms of what the version added.
macro_rules! upgrade_info {
    ($($tp:pat => $tpe:expr,)*) => {
        /// The older self-description as the current one's: the transports
        /// 0.2 named, and what the version added (`$tp`).
        pub fn info(i: o::DriverInfo) -> (w::DriverInfo, Vec<&'static str>) {
            let info = w::DriverInfo {
                name: i.name,
                version: i.version,
                families: i.families,
                transports: i
                    .transports
                    .into_iter()
                    .map(|x| match x {
                        o::Transport::ModbusTcp => w::Transport::ModbusTcp,
                        o::Transport::HttpClient => w::Transport::HttpClient,
                        o::Transport::HttpListener => w::Transport::HttpListener,
                        o::Transport::HttpStream => w::Transport::HttpStream,
                        o::Transport::TcpListener => w::Transport::TcpListener,
                        o::Transport::UdpListener => w::Transport::UdpListener,
                        o::Transport::TcpClient => w::Transport::TcpClient,
                        o::Transport::Rtsp => w::Transport::Rtsp,
                        o::Transport::Timer => w::Transport::Timer,
                        o::Transport::Crypto => w::Transport::Crypto,
                        $($tp => $tpe,)*
                    })
                    .collect(),
                commands: commands(i.commands),
                settings: settings(i.settings),
                kinds: i.kinds,
            };
            (info, Vec::new())
        }

        /// The device config as the older contract takes it (the same record).
        pub fn config(c: &w::DeviceConfig) -> o::DeviceConfig {
            o::DeviceConfig {
                id: c.id.clone(),
                profile: c.profile.clone(),
                settings: c.settings.clone(),
                keys: c.keys.clone(),
            }
        }

    };
}

pub(super) use upgrade_info;
