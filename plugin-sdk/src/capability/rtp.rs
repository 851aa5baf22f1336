//! `twinwall:driver/rtp`: audio out, paced by the hub.

use super::HostInput;
use crate::wit::twinwall::driver::rtp as wit;
use crate::{Input, RequestKind};

pub(crate) fn submit(kind: RequestKind) {
    super::enable("rtp", read);
    match kind {
        RequestKind::RtpSend(s) => wit::send(&s),
        other => super::misrouted(other),
    }
}

fn read(kind: &str, input: &HostInput) -> Option<Input> {
    match kind {
        "rtp.finished" => wit::finished(input).map(Input::RtpFinished),
        _ => None,
    }
}
