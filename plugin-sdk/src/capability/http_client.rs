//! `twinwall:driver/http-client`: requests to the device and their answers.

use super::HostInput;
use crate::wit::twinwall::driver::http_client as wit;
use crate::{Input, RequestKind};

pub(crate) fn submit(kind: RequestKind) {
    super::enable("http-client", read);
    match kind {
        RequestKind::Http(r) => wit::send(&r),
        other => super::misrouted(other),
    }
}

fn read(kind: &str, input: &HostInput) -> Option<Input> {
    match kind {
        "http-client.response" => wit::response(input).map(Input::HttpResponse),
        _ => None,
    }
}
