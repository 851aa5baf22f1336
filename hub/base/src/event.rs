//! The event: DESIGN contract 2. Every fact the hub knows is one of these.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::json;

/// Zone of hub-level events (driver crashes, loads, gaps, tokens).
pub const HUB_ZONE: &str = "hub";

/// Whether zone path `zone` is `top` or a zone below it (`campus/chem/f2`
/// is within `campus/chem`, `campus/chemistry` is not). Every zone filter
/// of the hub (queries, views, a caller's zones) means this.
pub fn zone_within(zone: &str, top: &str) -> bool {
    let top = top.trim_end_matches('/');
    zone == top || (zone.starts_with(top) && zone.as_bytes().get(top.len()) == Some(&b'/'))
}

/// Severity: `info`, then the program's four warning colours.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// A plain fact.
    Info,
    /// IV 一般.
    Blue,
    /// III 较重.
    Yellow,
    /// II 严重.
    Orange,
    /// I 特别严重.
    Red,
}

impl Level {
    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Info => "info",
            Level::Blue => "blue",
            Level::Yellow => "yellow",
            Level::Orange => "orange",
            Level::Red => "red",
        }
    }
}

/// Condition phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// Condition raised.
    Begin,
    /// Condition restored.
    End,
}

/// A typed attribute value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum AttrValue {
    /// Text.
    Text(String),
    /// Integer.
    Int(i64),
    /// Floating point.
    Float(f64),
    /// Boolean.
    Flag(bool),
}

impl AttrValue {
    fn to_json(&self) -> serde_json::Value {
        match self {
            AttrValue::Text(s) => json!(s),
            AttrValue::Int(i) => json!(i),
            AttrValue::Float(f) => json!(f),
            AttrValue::Flag(b) => json!(b),
        }
    }
}

impl From<&str> for AttrValue {
    fn from(v: &str) -> Self {
        AttrValue::Text(v.to_owned())
    }
}
impl From<String> for AttrValue {
    fn from(v: String) -> Self {
        AttrValue::Text(v)
    }
}
impl From<i64> for AttrValue {
    fn from(v: i64) -> Self {
        AttrValue::Int(v)
    }
}
impl From<u64> for AttrValue {
    fn from(v: u64) -> Self {
        AttrValue::Int(i64::try_from(v).unwrap_or(i64::MAX))
    }
}
impl From<bool> for AttrValue {
    fn from(v: bool) -> Self {
        AttrValue::Flag(v)
    }
}

/// A reference to a stored picture, by content hash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MediaRef {
    /// `snapshot`, `plate`, `face`.
    pub role: String,
    /// Hex SHA-256 of the bytes.
    pub hash: String,
    /// MIME type.
    pub content_type: String,
}

/// An event before the bus gave it a sequence number and a receive time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewEvent {
    /// Device time, ms since the Unix epoch.
    pub device_time_ms: Option<i64>,
    /// Zone path, e.g. `main/chem-north/f2`.
    pub zone: String,
    /// Device id, or `None` for hub-level facts.
    pub device: Option<String>,
    /// Dotted kind.
    pub kind: String,
    /// Severity.
    pub level: Level,
    /// Begin/end for conditions.
    pub phase: Option<Phase>,
    /// One line for a person.
    pub message: Option<String>,
    /// Typed attributes.
    pub attrs: BTreeMap<String, AttrValue>,
    /// Pictures.
    pub media: Vec<MediaRef>,
    /// Who did it, for operator actions (the audit trail).
    pub actor: Option<String>,
    /// Ties related events together (a command and its result, an incident).
    pub correlation: Option<String>,
}

impl NewEvent {
    /// Text attribute `key`, if it is text.
    pub fn text(&self, key: &str) -> Option<&str> {
        match self.attrs.get(key)? {
            AttrValue::Text(s) => Some(s),
            _ => None,
        }
    }

    /// Attribute `key` as a label: text as it is, an integer in decimal (ids
    /// that some devices send as numbers).
    pub fn label(&self, key: &str) -> Option<String> {
        match self.attrs.get(key)? {
            AttrValue::Text(s) => Some(s.clone()),
            AttrValue::Int(i) => Some(i.to_string()),
            _ => None,
        }
    }

    /// Integer attribute `key`, if it is an integer.
    pub fn int(&self, key: &str) -> Option<i64> {
        match self.attrs.get(key)? {
            AttrValue::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// An `info` event of `kind` in `zone`.
    pub fn new(kind: &str, zone: &str) -> Self {
        NewEvent {
            device_time_ms: None,
            zone: zone.to_owned(),
            device: None,
            kind: kind.to_owned(),
            level: Level::Info,
            phase: None,
            message: None,
            attrs: BTreeMap::new(),
            media: Vec::new(),
            actor: None,
            correlation: None,
        }
    }

    /// Set the device.
    pub fn device(mut self, device: &str) -> Self {
        self.device = Some(device.to_owned());
        self
    }

    /// Set the level.
    pub fn level(mut self, level: Level) -> Self {
        self.level = level;
        self
    }

    /// Add an attribute.
    pub fn attr(mut self, key: &str, value: impl Into<AttrValue>) -> Self {
        self.attrs.insert(key.to_owned(), value.into());
        self
    }

    /// Set the message.
    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }

    /// Set the actor.
    pub fn actor(mut self, actor: &str) -> Self {
        self.actor = Some(actor.to_owned());
        self
    }

    /// Set the correlation id.
    pub fn correlation(mut self, id: &str) -> Self {
        self.correlation = Some(id.to_owned());
        self
    }
}

/// A stored event: a [`NewEvent`] with its place in the log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Offset in the log, strictly increasing.
    pub seq: u64,
    /// Hub receive time, ms since the Unix epoch (never goes back within the log).
    pub time_ms: i64,
    /// Site id.
    pub site: String,
    /// Everything else.
    pub body: NewEvent,
}

impl Event {
    /// The JSON shape of the API, SSE and MQTT (documented in the README).
    pub fn to_json(&self) -> serde_json::Value {
        let b = &self.body;
        let attrs: serde_json::Map<String, serde_json::Value> = b
            .attrs
            .iter()
            .map(|(k, v)| (k.clone(), v.to_json()))
            .collect();
        json!({
            "seq": self.seq,
            "time": format_ms(self.time_ms),
            "device_time": b.device_time_ms.map(format_ms),
            "site": self.site,
            "zone": b.zone,
            "device": b.device,
            "kind": b.kind,
            "level": b.level.as_str(),
            "phase": b.phase,
            "message": b.message,
            "attrs": attrs,
            "media": b.media,
            "actor": b.actor,
            "correlation": b.correlation,
        })
    }
}

/// RFC 3339 UTC with milliseconds.
pub fn format_ms(ms: i64) -> String {
    let t =
        std::time::UNIX_EPOCH + std::time::Duration::from_millis(u64::try_from(ms).unwrap_or(0));
    humantime::format_rfc3339_millis(t).to_string()
}

/// Now, ms since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn zones_take_their_children_only() {
        use super::zone_within;
        assert!(zone_within("campus/chem/f2", "campus/chem"));
        assert!(zone_within("campus/chem", "campus/chem/"));
        assert!(!zone_within("campus/chemistry", "campus/chem"));
    }
}
