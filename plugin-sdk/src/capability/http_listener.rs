//! `twinwall:driver/http-listener`: pushes from the device and their replies.

use super::HostInput;
use crate::wit::twinwall::driver::http_listener as wit;
use crate::{Input, RequestKind};

pub(crate) fn submit(kind: RequestKind) {
    super::enable("http-listener", read);
    match kind {
        RequestKind::HttpListen(l) => wit::listen(&l),
        RequestKind::HttpReply(r) => wit::reply(&r),
        other => super::misrouted(other),
    }
}

fn read(kind: &str, input: &HostInput) -> Option<Input> {
    match kind {
        "http-listener.listening" => wit::listening(input).map(Input::HttpListening),
        "http-listener.push" => wit::push(input).map(Input::HttpPush),
        _ => None,
    }
}
