//! # Twinwall plugin SDK
//!
//! Write a Twinwall device driver: a WebAssembly component that turns what a
//! device says into normalised events, and operators' commands into what the
//! device understands. The hub owns every connection; a driver is a state
//! machine that asks for transports ([`Request`]), receives what arrived
//! ([`Input`]) and answers with events and further requests ([`Outcome`]).
//!
//! Implement one trait, [`Driver`], and export it with one macro,
//! [`export_driver!`]. The type that implements `Driver` is the state of one
//! device; the hub opens one per configured device.
//!
//! ```
//! use twinwall_plugin_sdk::{prelude::*, kinds};
//!
//! struct Button { pressed: bool }
//!
//! impl Driver for Button {
//!     fn describe() -> DriverInfo {
//!         DriverInfo::new("button", "0.1.0").family("panic-post").emits(kinds::PANIC_PRESSED)
//!     }
//!     fn open(_config: DeviceConfig) -> Result<Self, DriverError> {
//!         Ok(Button { pressed: false })
//!     }
//!     fn start(&mut self) -> Vec<Request> {
//!         vec![Request::poll("button", ModbusTable::DiscreteInputs, 0, 1, 200)]
//!     }
//!     fn handle(&mut self, input: Input) -> Outcome {
//!         let mut out = Outcome::default();
//!         if let Input::ModbusResponse(r) = input {
//!             let now = r.values.first() == Some(&1);
//!             if now != self.pressed {
//!                 self.pressed = now;
//!                 out.push(Event::new(kinds::PANIC_PRESSED).level(Level::Red).phase_if(now));
//!             }
//!         }
//!         out
//!     }
//! }
//! // In the driver crate: twinwall_plugin_sdk::export_driver!(Button);
//!
//! // And its test, natively, without a hub or wasm:
//! let mut h = Harness::<Button>::open(DeviceConfig::new("post-1")).unwrap();
//! h.start();
//! let out = h.feed(Input::registers("button", ModbusTable::DiscreteInputs, 0, &[1]));
//! assert_eq!(out.events[0].kind, "panic.pressed");
//! ```
//!
//! Drivers are built with `cargo build -p <driver> --target wasm32-wasip2
//! --profile guest`; the hub loads the resulting `.wasm` from its plugins folder.
//!
//! This SDK speaks contract `twinwall:driver@1.0.0` (`wit/`): a core
//! (`types`, `host`, the `driver` export) and one interface per capability.
//! A driver's component imports only the capabilities whose requests it
//! builds, and the hub reads its needs from those imports. The contract
//! grows only by addition (see `wit/world.wit` and the guide), so a driver
//! built today loads in every 1.x hub.

mod builders;
mod capability;
pub mod command;
pub mod crypto;
mod driver;
pub mod g711;
mod host;
mod input;
pub mod isapi;
pub mod kinds;
pub mod multipart;
mod profile;
mod request;
#[cfg(not(target_arch = "wasm32"))]
pub mod schema;
pub mod testing;
pub mod time;
pub mod xml;

/// Generated bindings of `wit/`. Not part of the API: use the re-exported
/// types (the export macro reaches it through this path).
#[doc(hidden)]
pub mod wit {
    #![allow(missing_docs, unsafe_code, clippy::all)]
    wit_bindgen::generate!({
        path: "wit",
        world: "plugin",
        pub_export_macro: true,
        export_macro_name: "__export_plugin",
        default_bindings_module: "twinwall_plugin_sdk::wit",
        additional_derives: [PartialEq],
    });
}

pub use builders::{SAMPLE_EVERY_MS, SAMPLE_WINDOW_MS, header};
pub use driver::Driver;
pub use host::{LogLevel, log, now_ms};
pub use input::Input;
pub use profile::ProfileMeta;
pub use request::{Request, RequestKind};
pub use testing::Harness;
pub use wit::twinwall::driver::http_client::{HttpRequest, HttpResponse};
pub use wit::twinwall::driver::http_listener::{HttpListen, HttpListening, HttpPush, HttpReply};
pub use wit::twinwall::driver::http_stream::{HttpStream, StreamOpened, StreamPart, StreamSplit};
pub use wit::twinwall::driver::modbus::{
    ModbusException, ModbusFetch, ModbusPoll, ModbusRead, ModbusResponse, ModbusTable, ModbusWrite,
};
pub use wit::twinwall::driver::rtp::{AudioCodec, RtpFinished, RtpSend};
pub use wit::twinwall::driver::rtsp::{RtspProbe, RtspStatus, RtspTransport, Sampling, WatchMode};
pub use wit::twinwall::driver::sockets::{
    Delimiters, Framing, LengthPrefix, SocketClosed, SocketFrame, SocketKind, SocketListen,
    SocketOpened, SocketSend, TcpConnect,
};
pub use wit::twinwall::driver::types::{
    Attr, CommandSpec, DeviceConfig, DriverError, DriverInfo, Event, Failure, FailureKind, Header,
    Keyed, Level, Media, Phase, Routing, SettingSpec, Timer, Value,
};

/// The contract this SDK builds drivers against.
pub const CONTRACT: &str = "twinwall:driver@1.0.0";

/// What one call of a driver produced: events, and requests for the hub.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Outcome {
    /// Events, in order.
    pub events: Vec<Event>,
    /// Requests, carried out in order after the call.
    pub requests: Vec<Request>,
}

/// Everything a driver usually needs: `use twinwall_plugin_sdk::prelude::*;`
pub mod prelude {
    pub use crate::{
        Attr, CommandSpec, DeviceConfig, Driver, DriverError, DriverInfo, Event, Failure,
        FailureKind, Harness, Header, HttpRequest, Input, Level, LogLevel, ModbusRead, ModbusTable,
        Outcome, Phase, Request, RequestKind, Routing, SettingSpec, Value, log, now_ms,
    };
}

#[doc(hidden)]
pub mod __private {
    pub use crate::driver::DeviceCell;
    pub use crate::wit::exports::twinwall::driver::driver::Guest;
}

/// Export a [`Driver`] implementation as the component's `twinwall:driver/driver`.
///
/// Use it once, at the root of the driver crate: `export_driver!(MyDevice);`
#[macro_export]
macro_rules! export_driver {
    ($driver:ty) => {
        #[doc(hidden)]
        pub struct __TwinwallComponent;

        impl $crate::__private::Guest for __TwinwallComponent {
            type Device = $crate::__private::DeviceCell<$driver>;
            fn describe() -> $crate::DriverInfo {
                <$driver as $crate::Driver>::describe()
            }
            fn route(port: ::std::string::String, frame: ::std::vec::Vec<u8>) -> $crate::Routing {
                <$driver as $crate::Driver>::route(&port, &frame)
            }
        }

        // Native builds (the test harness) have no component to export.
        #[cfg(target_arch = "wasm32")]
        $crate::wit::__export_plugin!(__TwinwallComponent with_types_in $crate::wit);
    };
}

/// The family test of a driver in `drivers/<name>/`: `family_schema_test!(Profile, "fire-panel")`
/// checks `device-profiles/fire-panel/schema.json` against `Profile` and
/// parses every profile of the family with it (see `schema::check_family`; a test, so compiled only natively).
#[macro_export]
macro_rules! family_schema_test {
    ($profile:ident, $family:literal) => {
        #[cfg(test)]
        mod family_schema {
            #[test]
            fn the_family_schema_is_the_codes_and_every_profile_fits() {
                let dir = ::std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../../device-profiles");
                let n = $crate::schema::check_family::<super::$profile>(&dir, $family).unwrap();
                assert!(n >= 1);
            }
        }
    };
}
