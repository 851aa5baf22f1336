//! A speaker model's profile (`device-profiles/speaker/*.toml`).

use serde::Deserialize;
use twinwall_plugin_sdk::{AudioCodec, DriverError};

/// A speaker model (`device-profiles/speaker/*.toml`), as written.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "SpeakerProfile")]
struct Raw {
    model: String,
    #[serde(default)]
    tts: bool,
    #[serde(default)]
    multicast: bool,
    #[serde(default = "pcmu")]
    codec: String,
    #[serde(default = "twenty")]
    packet_ms: u16,
    #[serde(default = "two_seconds")]
    status_every_ms: u32,
}

fn pcmu() -> String {
    "pcmu".into()
}

fn twenty() -> u16 {
    20
}

fn two_seconds() -> u32 {
    2000
}

/// What the driver needs to know of a model.
#[derive(Debug, Clone)]
pub struct Profile {
    /// Model name.
    pub model: String,
    /// Built-in text-to-speech.
    pub tts: bool,
    /// Can join multicast groups.
    pub multicast: bool,
    /// Codec it wants.
    pub codec: AudioCodec,
    /// Audio per RTP packet.
    pub packet_ms: u16,
    /// Status poll period.
    pub status_every_ms: u32,
}

impl Profile {
    /// Parse and check a profile.
    pub fn parse(text: &str) -> Result<Self, DriverError> {
        let bad = |m: String| DriverError::bad_config(format!("speaker profile: {m}"));
        let raw: Raw = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
        let codec = match raw.codec.as_str() {
            "pcmu" => AudioCodec::Pcmu,
            "pcma" => AudioCodec::Pcma,
            other => return Err(bad(format!("codec `{other}` (pcmu or pcma)"))),
        };
        if !(10..=60).contains(&raw.packet_ms) {
            return Err(bad(format!(
                "packet_ms {} is outside 10..=60",
                raw.packet_ms
            )));
        }
        Ok(Profile {
            model: raw.model,
            tts: raw.tts,
            multicast: raw.multicast,
            codec,
            packet_ms: raw.packet_ms,
            status_every_ms: raw.status_every_ms.clamp(250, 600_000),
        })
    }
}

twinwall_plugin_sdk::family_schema_test!(Raw, "speaker");
