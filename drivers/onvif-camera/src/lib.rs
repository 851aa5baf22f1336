//! Twinwall driver for ONVIF cameras.
//!
//! Reads the camera's services (`GetCapabilities`), its media profiles and
//! stream URI, and keeps a pull-point event subscription alive: renewed at two
//! thirds of its lifetime, created anew when the camera forgets it (reboot,
//! expiry) or stops answering. Event topics map to kinds through the device
//! profile (`device-profiles/camera/*.toml`): `camera.motion`,
//! `camera.tamper`, `camera.video_loss`, as begin/end pairs on real
//! transitions. Authentication is the hub's: every request asks for
//! WS-Security and the hub answers HTTP Digest challenges, from the device's
//! `username`/`password` in `hub.toml`.

mod camera;
mod profile;
mod soap;
mod stream;

pub use camera::{Camera, parse_utc};
pub use stream::{CHECK_MS, StreamCheck};

twinwall_plugin_sdk::export_driver!(Camera);
