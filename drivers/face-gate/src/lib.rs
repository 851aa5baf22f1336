//! Twinwall driver for face-recognition gates (turnstiles, door terminals)
//! speaking Hikvision-ISAPI-style HTTP.
//!
//! Two ways in, by the device setting `mode`:
//! - `push` (default): the driver asks the hub for a push listener, tells the
//!   gate its URL (`PUT /ISAPI/Event/notification/httpHosts`), and answers
//!   each pushed `multipart/form-data` event (JSON + face picture) once the
//!   hub has kept it; the gate retries what was not answered.
//! - `stream`: the hub holds `GET /ISAPI/Event/notification/alertStream`
//!   open and hands the driver each part (events, pictures, heartbeats).
//!
//! Event codes map to `access.granted`, `access.denied` (with a reason) and
//! `access.door` through the device profile (`device-profiles/face-gate/`).
//! Commands `door.open|close|keep_open|keep_closed|normal` take `{"door": n}`.
//! The gate is asked for its device info every `health_every_ms`, so a gate
//! that stops answering goes offline even when nobody passes.

mod gate;
pub mod isapi;
mod profile;

pub use gate::Gate;

twinwall_plugin_sdk::export_driver!(Gate);
