//! `twinwall:driver/http-stream`: long-lived responses split into parts.

use super::HostInput;
use crate::wit::twinwall::driver::http_stream as wit;
use crate::{Input, RequestKind};

pub(crate) fn submit(kind: RequestKind) {
    super::enable("http-stream", read);
    match kind {
        RequestKind::HttpStream(s) => wit::open(&s),
        other => super::misrouted(other),
    }
}

fn read(kind: &str, input: &HostInput) -> Option<Input> {
    match kind {
        "http-stream.opened" => wit::opened(input).map(Input::StreamOpened),
        "http-stream.part" => wit::part(input).map(Input::StreamPart),
        _ => None,
    }
}
