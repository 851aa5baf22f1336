//! Twinwall driver for IP broadcast speakers with a JSON control API
//! (`simulator/docs/speaker-api.md`; models TW-SP1 and TW-SP2).
//!
//! The audio never passes through the driver: on `play` it asks the speaker
//! to take a job (`POST /api/play`, with the job's priority, which the
//! speaker enforces), and once the speaker accepted, asks the hub to send
//! the clip as paced G.711 RTP to the speaker's port, or to the zone's
//! multicast group when the job names one and the model can join it. Text
//! goes to models with built-in TTS as text; for the others the hub renders
//! it to a clip first. The speaker's status is polled for faults
//! (`speaker.fault`), for the end of text playback and for liveness.
//!
//! Commands: `play {job, priority, clip?, text?, repeat?, volume?, group?, port?}`,
//! `stop {job?}`, `volume {level}`. Events: `speaker.playing`,
//! `speaker.idle`, `speaker.fault`.

mod profile;
mod speaker;

pub use speaker::Speaker;

twinwall_plugin_sdk::export_driver!(Speaker);
