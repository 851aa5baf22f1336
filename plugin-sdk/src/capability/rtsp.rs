//! `twinwall:driver/rtsp`: stream health probes and their reports.

use super::HostInput;
use crate::wit::twinwall::driver::rtsp as wit;
use crate::{Input, RequestKind};

pub(crate) fn submit(kind: RequestKind) {
    super::enable("rtsp", read);
    match kind {
        RequestKind::RtspProbe(p) => wit::probe(&p),
        other => super::misrouted(other),
    }
}

fn read(kind: &str, input: &HostInput) -> Option<Input> {
    match kind {
        "rtsp.status" => wit::status(input).map(Input::RtspStatus),
        _ => None,
    }
}
