//! Contract `twinwall:driver@0.2.0` (frozen): bindings and the adapter that
//! lets components built against it run beside 0.4 ones. Requests and inputs
//! translate as in 0.3 less what 0.3 added (a 0.2 driver never asks for RTP,
//! so never hears of it); its probes are sampled at the hub's interval;
//! driver-level records become their 0.4 equivalents.
#![allow(missing_docs, reason = "generated; the WIT file is the documentation")]

wasmtime::component::bindgen!({
    path: "../plugin-sdk/wit/v0.2.0",
    world: "plugin",
});

use twinwall::driver::types as o;
use twinwall::driver::types as w;

use super::Routing;
use super::v0_4::twinwall::driver::types as cur;
use crate::transport::types as t;

super::translate::legacy_rtsp!();

super::translate::translate! {
    requests {}
    inputs {
        t::Input::RtpFinished(_) => return None,
    }
    transports {}
}

mod upgraded {
    use super::cur as w;
    use super::o;
    super::super::translate::upgrade!();
    super::super::translate::upgrade_info!();
}

pub use upgraded::{config, error, event, info};
