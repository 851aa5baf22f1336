//! `twinwall:driver/sockets`: listeners on named ports, TCP to the device,
//! frames in and out.

use super::HostInput;
use crate::wit::twinwall::driver::sockets as wit;
use crate::{Input, RequestKind};

pub(crate) fn submit(kind: RequestKind) {
    super::enable("sockets", read);
    match kind {
        RequestKind::SocketListen(l) => wit::listen(&l),
        RequestKind::TcpConnect(c) => wit::connect(&c),
        RequestKind::SocketSend(s) => wit::send(&s),
        RequestKind::SocketClose(conn) => wit::close(conn),
        other => super::misrouted(other),
    }
}

fn read(kind: &str, input: &HostInput) -> Option<Input> {
    match kind {
        "sockets.opened" => wit::opened(input).map(Input::SocketOpened),
        "sockets.frame" => wit::frame(input).map(Input::SocketFrame),
        "sockets.closed" => wit::closed(input).map(Input::SocketClosed),
        _ => None,
    }
}
