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
//! The flow, one module per stage: [`config`] → [`runtime`] (drivers) ⇄
//! [`transport`] (wire) → [`bus`] (log) → [`api`] and [`northbound`] (MQTT).

pub mod api;
pub mod audio;
pub mod auth;
pub mod broadcast;
pub mod bus;
pub mod check;
pub mod clock;
pub mod config;
#[cfg(feature = "demo")]
pub mod demo;
pub mod devices;
pub mod discovery;
pub mod hex;
mod hub;
pub mod memory;
pub mod metrics;
pub mod northbound;
pub mod people;
pub mod projection;
pub mod rules;
pub mod runtime;
pub mod secret_key;
pub mod tls;
pub mod transport;
pub mod vehicles;

pub use hub::{Hub, HubError, device_specs};
