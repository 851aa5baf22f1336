//! # Twinwall simulator
//!
//! Virtual campus safety devices that speak their real protocols on loopback,
//! so that the hub, drivers and vendors' products can be tested without
//! hardware, with faults on demand and scripted by scenario files:
//!
//! - [`fire_panel`]: fire-alarm panels over Modbus TCP (register map TW-FP1,
//!   `docs/fire-panel-map.md`);
//! - [`camera`]: ONVIF cameras (device, media, pull-point events, WS-Discovery)
//!   with RTSP/H.264;
//! - [`face_gate`]: face-recognition gates speaking Hikvision-ISAPI-style HTTP
//!   (pushes with retry and buffering, alert stream, door control;
//!   `docs/face-gate-isapi.md`);
//! - [`alarm_host`]: perimeter alarm hosts, pulse fences and one-key posts
//!   reporting over SIA DC-09 / Contact ID (`docs/alarm-host-cid.md`);
//! - [`speaker`]: IP broadcast speakers (JSON control API, G.711 RTP receiver
//!   that measures what arrived; `docs/speaker-api.md`);
//! - [`scenario`]: what happens when, to any of them;
//! - [`scale`]: thousands of devices of each family, a steady rate of
//!   changes and bursts, and the hub config that names them.
//! - [`hub_entry`]: the hub `[[devices]]` entry of a simulated device.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use twinwall_simulator::fire_panel::{Fault, FirePanel};
//! let panel = FirePanel::start("fp-1", "127.0.0.1:0".parse().unwrap(), 32).await?;
//! println!("panel on {}", panel.addr());
//! panel.with_state(|s| s.alarm(3));          // smoke at point 3
//! panel.fault(Fault::Delay { ms: 2000 });     // and a slow link
//! # Ok(()) }
//! ```

pub mod alarm_host;
pub mod auth;
pub mod camera;
pub mod face_gate;
pub mod fire_panel;
pub mod hub_entry;
pub mod isapi;
pub mod scale;
pub mod scenario;
pub mod speaker;
pub mod vehicle;
