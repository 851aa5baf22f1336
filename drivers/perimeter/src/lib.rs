//! Twinwall driver for perimeter intrusion systems (pulse fences per GB/T
//! 7946, IR beams, vibration fibre) and one-key alarm posts that report to an
//! alarm-receiving centre over SIA DC-09 carrying Ademco Contact ID: the hub
//! is that receiver.
//!
//! Every host dials one receiver port (named in the hub's `[listen.ports]`,
//! TCP and UDP); the driver's `route` names each frame's account and the hub
//! hands it to the device that owns the account. The driver checks CRC,
//! length, time stamp (NAK with the receiver's time outside the window) and,
//! for accounts with a key, AES (the key stays in the hub), drops repeats,
//! turns Contact ID codes into events through the profile, and answers ACK —
//! which the hub sends only once the events are committed, so a host never
//! hears ACK for an alarm the hub did not keep. `NULL` supervision messages
//! are acknowledged; a host that stops reporting goes offline after the
//! device's `offline_after_ms`.
//!
//! DC-09 is one-way: `arm`, `disarm`, `bypass`, `unbypass` and `fence.hv` go
//! over the vendor's HTTP control channel at the device's `address`.

pub mod cid;
mod commands;
pub mod dc09;
mod host;
mod profile;

pub use host::Host;

twinwall_plugin_sdk::export_driver!(Host);
