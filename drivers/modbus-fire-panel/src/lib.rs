//! Twinwall driver for Modbus TCP fire-alarm panels.
//!
//! The panel model is data: a device profile (`device-profiles/fire-panel/*.toml`)
//! says where the point words, summary LEDs, action counters and command coils
//! live. The driver polls them, reports `fire.alarm`, `fire.prealarm`,
//! `fire.fault`, `fire.supervisory` and `fire.disabled` as begin/end pairs on
//! real transitions only, `fire.panel` when the panel is reset, silenced or
//! acknowledged, and turns the `reset`, `silence` and `acknowledge` commands
//! into coil writes when the device's `allow_commands` setting permits them.
//!
//! Device settings:
//! - `points`: number of points to read (default: the profile's `points.count`).
//! - `allow_commands`: comma-separated commands operators may send (default none:
//!   many sites forbid remote reset).

mod panel;
mod point;
mod profile;

pub use panel::FirePanel;

twinwall_plugin_sdk::export_driver!(FirePanel);
