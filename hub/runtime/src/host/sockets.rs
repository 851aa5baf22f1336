//! `twinwall:driver/sockets`: listeners on the hub's named ports, TCP to the
//! device, frames in and out (sends wait for the call's events to commit).

use twinwall_base::wire;
use wasmtime::component::Resource;

use super::{HostState, InputSlot};
use crate::bindings::twinwall::driver::sockets::{self as w, Host};

fn framing(f: w::Framing) -> wire::Framing {
    match f {
        w::Framing::Raw => wire::Framing::Raw,
        w::Framing::Delimited(d) => wire::Framing::Delimited {
            start: d.start,
            end: d.end,
        },
        w::Framing::LengthPrefixed(l) => wire::Framing::LengthPrefixed {
            offset: l.offset,
            width: l.width,
            big_endian: l.big_endian,
            adjust: l.adjust,
        },
    }
}

impl Host for HostState {
    fn listen(&mut self, l: w::SocketListen) -> wasmtime::Result<()> {
        let r = wire::Request::SocketListen(wire::SocketListen {
            id: l.id,
            port: l.port,
            kind: match l.kind {
                w::SocketKind::Tcp => wire::SocketKind::Tcp,
                w::SocketKind::Udp => wire::SocketKind::Udp,
            },
            framing: framing(l.framing),
            max_frame: l.max_frame,
            routes: l.routes,
        });
        self.request("sockets.listen", r)
    }

    fn connect(&mut self, c: w::TcpConnect) -> wasmtime::Result<()> {
        let r = wire::Request::TcpConnect(wire::TcpConnect {
            id: c.id,
            framing: framing(c.framing),
            max_frame: c.max_frame,
        });
        self.request("sockets.connect", r)
    }

    fn send(&mut self, s: w::SocketSend) -> wasmtime::Result<()> {
        let r = wire::Request::SocketSend {
            conn: s.conn,
            data: s.data,
            close: s.close,
        };
        self.request("sockets.send", r)
    }

    fn close(&mut self, conn: u64) -> wasmtime::Result<()> {
        self.request("sockets.close", wire::Request::SocketClose(conn))
    }

    fn opened(&mut self, input: Resource<InputSlot>) -> wasmtime::Result<Option<w::SocketOpened>> {
        let is = |i: &wire::Input| matches!(i, wire::Input::SocketOpened { .. });
        Ok(match self.take(&input, is)? {
            Some(wire::Input::SocketOpened { conn, via, peer }) => {
                Some(w::SocketOpened { conn, via, peer })
            }
            _ => None,
        })
    }

    fn frame(&mut self, input: Resource<InputSlot>) -> wasmtime::Result<Option<w::SocketFrame>> {
        let is = |i: &wire::Input| matches!(i, wire::Input::SocketFrame { .. });
        Ok(match self.take(&input, is)? {
            Some(wire::Input::SocketFrame { conn, data }) => Some(w::SocketFrame { conn, data }),
            _ => None,
        })
    }

    fn closed(&mut self, input: Resource<InputSlot>) -> wasmtime::Result<Option<w::SocketClosed>> {
        let is = |i: &wire::Input| matches!(i, wire::Input::SocketClosed { .. });
        Ok(match self.take(&input, is)? {
            Some(wire::Input::SocketClosed { conn, reason }) => {
                Some(w::SocketClosed { conn, reason })
            }
            _ => None,
        })
    }
}
