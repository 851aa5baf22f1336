//! The camera profile: event timing and which topics mean which event kinds.

use serde::Deserialize;
use twinwall_plugin_sdk::{DriverError, Level};

/// A camera profile.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub profile: twinwall_plugin_sdk::ProfileMeta,
    pub events: Events,
    pub topics: Vec<TopicMap>,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Events {
    pub pull_timeout_s: u32,
    pub message_limit: u32,
    pub subscription_ttl_s: u32,
}

/// One topic → kind mapping.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TopicMap {
    pub topic: String,
    pub data: String,
    pub kind: String,
    pub level: LevelName,
}

#[derive(Debug, Clone, Copy, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LevelName {
    Info,
    Blue,
    Yellow,
    Orange,
    Red,
}

impl From<LevelName> for Level {
    fn from(l: LevelName) -> Self {
        match l {
            LevelName::Info => Level::Info,
            LevelName::Blue => Level::Blue,
            LevelName::Yellow => Level::Yellow,
            LevelName::Orange => Level::Orange,
            LevelName::Red => Level::Red,
        }
    }
}

/// A topic without namespace prefixes: `tns1:RuleEngine/X` → `RuleEngine/X`.
pub fn bare_topic(t: &str) -> String {
    t.trim()
        .split('/')
        .map(|seg| seg.rsplit(':').next().unwrap_or(seg))
        .collect::<Vec<_>>()
        .join("/")
}

impl Profile {
    /// Parse and check profile text.
    pub fn parse(text: &str) -> Result<Self, DriverError> {
        let p: Profile = toml::from_str(text)
            .map_err(|e| DriverError::bad_config(format!("device profile: {}", e.message())))?;
        if p.profile.family != "camera" {
            return Err(DriverError::bad_config(format!(
                "device profile: profile.family is `{}`, this driver serves `camera`",
                p.profile.family
            )));
        }
        if !(1..=60).contains(&p.events.pull_timeout_s)
            || !(1..=1024).contains(&p.events.message_limit)
            || !(10..=3600).contains(&p.events.subscription_ttl_s)
        {
            return Err(DriverError::bad_config(
                "device profile: events.pull_timeout_s 1..=60, message_limit 1..=1024, subscription_ttl_s 10..=3600",
            ));
        }
        for t in &p.topics {
            if !t.kind.starts_with("camera.") {
                return Err(DriverError::bad_config(format!(
                    "device profile: topic `{}` maps to `{}`; camera topics map to camera.* kinds",
                    t.topic, t.kind
                )));
            }
        }
        Ok(p)
    }

    /// The mapping for a topic as a camera wrote it.
    pub fn topic(&self, topic: &str) -> Option<&TopicMap> {
        let bare = bare_topic(topic);
        self.topics.iter().find(|t| bare_topic(&t.topic) == bare)
    }
}

twinwall_plugin_sdk::family_schema_test!(Profile, "camera");
