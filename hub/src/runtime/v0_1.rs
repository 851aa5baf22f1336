//! Contract `twinwall:driver@0.1.0` (frozen): bindings and the adapter that
//! lets components built against it run beside current ones. Driver-level types
//! become their current equivalents; requests become transport requests; inputs a
//! 0.1 driver cannot receive (it never asks for them) are not delivered.
#![allow(missing_docs, reason = "generated; the WIT file is the documentation")]

wasmtime::component::bindgen!({
    path: "../plugin-sdk/wit/v0.1.0",
    world: "plugin",
});

use twinwall::driver::types as o;

use super::v0_4::twinwall::driver::types as w;
use crate::transport::types as t;

fn table(x: o::ModbusTable) -> t::Table {
    match x {
        o::ModbusTable::Coils => t::Table::Coils,
        o::ModbusTable::DiscreteInputs => t::Table::DiscreteInputs,
        o::ModbusTable::HoldingRegisters => t::Table::HoldingRegisters,
        o::ModbusTable::InputRegisters => t::Table::InputRegisters,
    }
}

fn old_table(x: t::Table) -> o::ModbusTable {
    match x {
        t::Table::Coils => o::ModbusTable::Coils,
        t::Table::DiscreteInputs => o::ModbusTable::DiscreteInputs,
        t::Table::HoldingRegisters => o::ModbusTable::HoldingRegisters,
        t::Table::InputRegisters => o::ModbusTable::InputRegisters,
    }
}

fn read(r: o::ModbusRead) -> t::ModbusRead {
    t::ModbusRead {
        table: table(r.table),
        address: r.address,
        count: r.count,
    }
}

fn old_headers(h: &[t::Header]) -> Vec<o::Header> {
    h.iter()
        .map(|h| o::Header {
            name: h.name.clone(),
            value: h.value.clone(),
        })
        .collect()
}

/// A 0.1 request in the transport's terms. 0.1 named listeners, TCP and MQTT
/// that no hub ever carried out: they fail as `unsupported`, as they always did.
pub fn request(r: o::Request) -> t::Request {
    match r {
        o::Request::ModbusPoll(p) => t::Request::ModbusPoll {
            id: p.id,
            read: read(p.read),
            every_ms: p.every_ms,
        },
        o::Request::ModbusRead((id, r)) => t::Request::ModbusRead { id, read: read(r) },
        o::Request::ModbusWrite(m) => t::Request::ModbusWrite {
            id: m.id,
            table: table(m.table),
            address: m.address,
            values: m.values,
        },
        o::Request::Http(h) => t::Request::Http(t::HttpRequest {
            id: h.id,
            method: h.method,
            path: h.path,
            headers: h
                .headers
                .into_iter()
                .map(|h| t::Header {
                    name: h.name,
                    value: h.value,
                })
                .collect(),
            body: h.body,
            ws_security: h.ws_security,
            timeout_ms: h.timeout_ms,
        }),
        // 0.1 cannot say how to look at the stream: the hub's sampling applies.
        o::Request::RtspProbe((id, uri, every_ms)) => t::Request::RtspProbe(t::RtspProbe {
            id,
            uri,
            every_ms,
            mode: None,
            transport: t::RtspTransport::Auto,
        }),
        o::Request::Timer((id, after_ms, repeat)) => t::Request::Timer {
            id,
            after_ms,
            repeat,
        },
        o::Request::Cancel(id) => t::Request::Cancel(id),
        o::Request::HttpListen(p) => t::Request::Unsupported {
            id: format!("listen:{p}"),
            transport: "http-listener (0.1)",
        },
        o::Request::TcpConnect(id) => t::Request::Unsupported {
            id,
            transport: "tcp (0.1)",
        },
        o::Request::TcpSend(_) => t::Request::Unsupported {
            id: "tcp-send".into(),
            transport: "tcp (0.1)",
        },
        o::Request::MqttSubscribe(topic) => t::Request::Unsupported {
            id: format!("subscribe:{topic}"),
            transport: "mqtt",
        },
        o::Request::MqttPublish(m) => t::Request::Unsupported {
            id: format!("publish:{}", m.topic),
            transport: "mqtt",
        },
    }
}

mod rtsp {
    use super::o as w;
    use crate::transport::types as t;
    crate::runtime::translate::legacy_status!();
}

/// A transport input as 0.1 delivers it, when 0.1 has a word for it.
pub fn input(i: &t::Input) -> Option<o::Input> {
    Some(match i.clone() {
        t::Input::ModbusResponse {
            id,
            table,
            address,
            values,
        } => o::Input::ModbusResponse(o::ModbusResponse {
            id,
            table: old_table(table),
            address,
            values,
        }),
        t::Input::ModbusException { id, code } => o::Input::ModbusException((id, code)),
        t::Input::HttpResponse(r) => o::Input::HttpResponse(o::HttpResponse {
            id: r.id,
            status: r.status,
            headers: old_headers(&r.headers),
            body: r.body,
        }),
        t::Input::RtspStatus(s) => o::Input::RtspStatus(rtsp::status(s)),
        t::Input::Timer(id) => o::Input::Timer(id),
        // 0.1 knew only a message: keep the kind in it.
        t::Input::Failed(f) => {
            o::Input::RequestFailed((f.id, format!("{}: {}", f.kind.as_str(), f.message)))
        }
        t::Input::HttpListening { .. }
        | t::Input::HttpPush(_)
        | t::Input::StreamOpened { .. }
        | t::Input::StreamPart { .. }
        | t::Input::SocketOpened { .. }
        | t::Input::SocketFrame { .. }
        | t::Input::SocketClosed { .. }
        | t::Input::RtpFinished(_) => return None,
    })
}

super::translate::upgrade!();

/// 0.1's self-description as the current contract's. Its transports keep their 0.1 meaning:
/// `http-listener`, `tcp` and `mqtt` were never served, so naming them makes
/// the driver unloadable, as it was in effect before.
pub fn info(i: o::DriverInfo) -> (w::DriverInfo, Vec<&'static str>) {
    let mut missing = Vec::new();
    let mut transports = Vec::new();
    for x in i.transports {
        match x {
            o::Transport::ModbusTcp => transports.push(w::Transport::ModbusTcp),
            o::Transport::HttpClient => transports.push(w::Transport::HttpClient),
            o::Transport::Rtsp => transports.push(w::Transport::Rtsp),
            o::Transport::Timer => transports.push(w::Transport::Timer),
            o::Transport::HttpListener => missing.push("http-listener (0.1)"),
            o::Transport::Tcp => missing.push("tcp (0.1)"),
            o::Transport::Mqtt => missing.push("mqtt"),
        }
    }
    let info = w::DriverInfo {
        name: i.name,
        version: i.version,
        families: i.families,
        transports,
        commands: commands(i.commands),
        settings: settings(i.settings),
        kinds: Vec::new(),
    };
    (info, missing)
}

/// The device config as 0.1 takes it (0.1 has no keys).
pub fn config(c: &w::DeviceConfig) -> o::DeviceConfig {
    o::DeviceConfig {
        id: c.id.clone(),
        profile: c.profile.clone(),
        settings: c.settings.clone(),
    }
}
