//! Contract `twinwall:driver@0.2.0` (frozen): bindings and the adapter that
//! lets components built against it run beside 0.3 ones. Requests and inputs
//! translate as in 0.3 less what 0.3 added (a 0.2 driver never asks for RTP,
//! so never hears of it); driver-level records become their 0.3 equivalents.
#![allow(missing_docs, reason = "generated; the WIT file is the documentation")]

wasmtime::component::bindgen!({
    path: "../plugin-sdk/wit/v0.2.0",
    world: "plugin",
});

use twinwall::driver::types as o;
use twinwall::driver::types as w;

use super::Routing;
use super::v0_3::twinwall::driver::types as cur;
use crate::transport::types as t;

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

    /// 0.2's self-description as 0.3's (0.2 named a subset of 0.3's
    /// transports, all served).
    pub fn info(i: o::DriverInfo) -> (w::DriverInfo, Vec<&'static str>) {
        let info = w::DriverInfo {
            name: i.name,
            version: i.version,
            families: i.families,
            transports: i
                .transports
                .into_iter()
                .map(|x| match x {
                    o::Transport::ModbusTcp => w::Transport::ModbusTcp,
                    o::Transport::HttpClient => w::Transport::HttpClient,
                    o::Transport::HttpListener => w::Transport::HttpListener,
                    o::Transport::HttpStream => w::Transport::HttpStream,
                    o::Transport::TcpListener => w::Transport::TcpListener,
                    o::Transport::UdpListener => w::Transport::UdpListener,
                    o::Transport::TcpClient => w::Transport::TcpClient,
                    o::Transport::Rtsp => w::Transport::Rtsp,
                    o::Transport::Timer => w::Transport::Timer,
                    o::Transport::Crypto => w::Transport::Crypto,
                })
                .collect(),
            commands: commands(i.commands),
            settings: settings(i.settings),
            kinds: i.kinds,
        };
        (info, Vec::new())
    }

    /// The device config as 0.2 takes it (the same record).
    pub fn config(c: &w::DeviceConfig) -> o::DeviceConfig {
        o::DeviceConfig {
            id: c.id.clone(),
            profile: c.profile.clone(),
            settings: c.settings.clone(),
            keys: c.keys.clone(),
        }
    }
}

pub use upgraded::{config, error, event, info};
