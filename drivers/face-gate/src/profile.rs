//! The face-gate profile: ISAPI paths, reader directions, id prefixes and
//! the meaning of each event code.

use std::collections::BTreeMap;

use serde::Deserialize;
use twinwall_plugin_sdk::isapi::Endpoints;
use twinwall_plugin_sdk::{DriverError, Level};

/// A face-gate profile (`device-profiles/face-gate/*.toml`).
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Who made it.
    #[allow(dead_code, reason = "schema fields for people and tools")]
    pub profile: twinwall_plugin_sdk::ProfileMeta,
    /// Event paths and timing.
    pub isapi: Endpoints,
    /// Door control.
    pub doors: Doors,
    /// cardReaderNo → `in` / `out`.
    #[serde(default)]
    pub readers: BTreeMap<String, String>,
    /// Id prefixes per category.
    #[serde(default)]
    pub people: People,
    /// Event codes.
    pub events: Vec<EventMap>,
}

/// Door control.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Doors {
    /// `PUT` path; `{door}` stands for the door number.
    pub control: String,
}

/// Id prefixes of each category.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct People {
    #[serde(default)]
    pub staff: Vec<String>,
    #[serde(default)]
    pub student: Vec<String>,
    #[serde(default)]
    pub visitor: Vec<String>,
}

/// One event code and its meaning.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventMap {
    pub minor: u32,
    pub kind: String,
    #[serde(default)]
    pub method: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub level: Option<String>,
}

impl Profile {
    /// Parse and check profile text.
    pub fn parse(text: &str) -> Result<Self, DriverError> {
        let p: Profile = toml::from_str(text)
            .map_err(|e| DriverError::bad_config(format!("face-gate profile: {e}")))?;
        for e in &p.events {
            if !matches!(
                e.kind.as_str(),
                "access.granted" | "access.denied" | "access.door"
            ) {
                return Err(DriverError::bad_config(format!(
                    "face-gate profile: event {:#x} maps to `{}`; this driver emits access.granted, access.denied and access.door",
                    e.minor, e.kind
                )));
            }
            if let Some(l) = &e.level
                && Level::parse(l).is_none()
            {
                return Err(DriverError::bad_config(format!(
                    "face-gate profile: event {:#x}: level `{l}` is not info, blue, yellow, orange or red",
                    e.minor
                )));
            }
        }
        for (reader, dir) in &p.readers {
            if reader.parse::<u32>().is_err() || !matches!(dir.as_str(), "in" | "out") {
                return Err(DriverError::bad_config(format!(
                    "face-gate profile: readers: `{reader} = \"{dir}\"` must map a reader number to \"in\" or \"out\""
                )));
            }
        }
        if !p.doors.control.contains("{door}") {
            return Err(DriverError::bad_config(
                "face-gate profile: doors.control must contain {door}",
            ));
        }
        Ok(p)
    }

    /// The meaning of event code `minor`.
    pub fn event(&self, minor: u32) -> Option<&EventMap> {
        self.events.iter().find(|e| e.minor == minor)
    }

    /// `in` or `out` for a reader.
    pub fn direction(&self, reader: u32) -> Option<&str> {
        self.readers.get(&reader.to_string()).map(String::as_str)
    }

    /// `staff`, `student`, `visitor` or `unknown`.
    pub fn category(&self, id: &str, user_type: Option<&str>) -> &'static str {
        if user_type == Some("visitor") {
            return "visitor";
        }
        let has = |prefixes: &[String]| prefixes.iter().any(|p| id.starts_with(p.as_str()));
        if has(&self.people.visitor) {
            "visitor"
        } else if has(&self.people.staff) {
            "staff"
        } else if has(&self.people.student) {
            "student"
        } else {
            "unknown"
        }
    }
}

twinwall_plugin_sdk::family_schema_test!(Profile, "face-gate");
