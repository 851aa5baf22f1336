//! # Twinwall hub
//!
//! One hub per campus: it loads sandboxed WebAssembly drivers, holds every
//! device connection, turns what devices say into one normalised event log on
//! disk, lets operators act on devices, and serves it all over HTTP.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! let config = twinwall_hub::config::HubConfig::load("hub.toml".as_ref())?;
//! let hub = twinwall_hub::Hub::start(config).await?;
//! println!("API on http://{}", hub.http_addr());
//! hub.wait().await;
//! # Ok(()) }
//! ```
//!
//! The flow, one crate or module per stage, each layer importing only those
//! below it: `twinwall-base` (the clock, the event vocabulary, the wire's
//! types) at the bottom; [`bus`] (the log); [`transport`] (the wire) and
//! [`runtime`] (drivers) beside each other; [`devices`] where they meet;
//! this crate's services ([`alarms`], [`broadcast`], [`rules`], [`people`],
//! [`vehicles`], [`program`], [`northbound`]) and the [`api`] above; `hub.rs` wires them.

pub mod accounts;
pub mod alarms;
pub mod api;
pub mod auth;
pub mod broadcast;
pub mod central;
pub mod check;
pub mod config;
pub mod discovery;
mod hub;
mod json_file;
pub mod memory;
pub mod metrics;
pub mod northbound;
pub mod people;
pub mod places;
pub mod program;
pub mod projection;
pub mod rules;
pub mod secret_key;
pub mod statistics;
pub mod tls;
pub mod vehicles;

pub use twinwall_base::{clock, hex};
pub use twinwall_bus as bus;
pub use twinwall_devices as devices;
pub use twinwall_runtime as runtime;
pub use twinwall_transport as transport;
pub use twinwall_transport::audio;

pub use hub::{Hub, HubError, device_specs};
