//! Contract `twinwall:driver@0.3.0` (frozen): bindings and the adapter that
//! lets components built against it run beside 0.4 ones. Everything
//! translates as in 0.4 but the RTSP probe, which 0.3 could not tell how to
//! look at the stream: it is sampled at the hub's `[rtsp]` interval, and the
//! status loses what 0.4 added.
#![allow(missing_docs, reason = "generated; the WIT file is the documentation")]

wasmtime::component::bindgen!({
    path: "../plugin-sdk/wit/v0.3.0",
    world: "plugin",
});

use twinwall::driver::types as w;

use super::Routing;
use crate::transport::types as t;

super::translate::legacy_rtsp!();
super::translate::rtp!();

super::translate::translate! {
    requests {
        w::Request::RtpSend(s) => rtp_send(s),
    }
    inputs {
        t::Input::RtpFinished(f) => rtp_finished(f),
    }
    transports {
        w::Transport::RtpSender => "rtp-sender",
    }
}

mod upgraded {
    use super::super::v0_4::twinwall::driver::types as w;
    use super::twinwall::driver::types as o;
    super::super::translate::upgrade!();
    super::super::translate::upgrade_info!(o::Transport::RtpSender => w::Transport::RtpSender,);
}

pub use upgraded::{config, error, event, info};
