//! The hub's own view of a driver: what it says of itself, a device's
//! config, its refusals, its events, its routing verdicts. Only this crate
//! converts these to and from the generated bindings.

use std::fmt;

use twinwall_base::{AttrValue, Level, Phase, wire};

use crate::bindings::core as w;

/// What a driver says of itself (`describe`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DriverInfo {
    /// Name, e.g. `modbus-fire-panel`.
    pub name: String,
    /// Semantic version.
    pub version: String,
    /// Device families served.
    pub families: Vec<String>,
    /// Commands accepted.
    pub commands: Vec<CommandSpec>,
    /// Device settings read.
    pub settings: Vec<SettingSpec>,
    /// Event kinds emitted.
    pub kinds: Vec<String>,
}

/// A command a driver accepts.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CommandSpec {
    /// Name.
    pub name: String,
    /// One line.
    pub description: String,
    /// JSON Schema of the arguments (or empty).
    pub args_schema: String,
}

/// A device setting a driver reads.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SettingSpec {
    /// Key.
    pub key: String,
    /// One line.
    pub description: String,
    /// Whether a device must give it.
    pub required: bool,
}

/// A configured device, as its driver sees it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeviceConfig {
    /// Device id.
    pub id: String,
    /// Text of the device profile (TOML), when the device names one.
    pub profile: Option<String>,
    /// Settings, in config order.
    pub settings: Vec<(String, String)>,
    /// Names of the keys the hub holds for the device.
    pub keys: Vec<String>,
}

/// A driver saying no: a stable `code` and the evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriverError {
    /// `bad-config`, `unknown-command`, `bad-args`, `not-allowed`, `busy` …
    pub code: String,
    /// What and where.
    pub message: String,
}

impl fmt::Display for DriverError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

/// A picture a driver attached to an event.
#[derive(Debug, Clone, PartialEq)]
pub struct DriverMedia {
    /// `snapshot`, `plate`, `face` …
    pub role: String,
    /// MIME type.
    pub content_type: String,
    /// The bytes.
    pub data: Vec<u8>,
}

/// An event as a driver reported it, before the hub checks and places it.
#[derive(Debug, Clone, PartialEq)]
pub struct DriverEvent {
    /// Dotted kind.
    pub kind: String,
    /// Level.
    pub level: Level,
    /// Condition phase, if a condition.
    pub phase: Option<Phase>,
    /// Sub-zone below the device's zone.
    pub zone: Option<String>,
    /// Device time, ms since the epoch.
    pub device_time_ms: Option<i64>,
    /// One line for the duty room.
    pub message: Option<String>,
    /// Attributes, in the driver's order.
    pub attrs: Attrs,
    /// Pictures.
    pub media: Vec<DriverMedia>,
}

impl DriverEvent {
    /// An `info` event of `kind` with nothing else (tests, benchmarks).
    pub fn new(kind: &str) -> Self {
        DriverEvent {
            kind: kind.to_owned(),
            level: Level::Info,
            phase: None,
            zone: None,
            device_time_ms: None,
            message: None,
            attrs: Attrs::default(),
            media: Vec::new(),
        }
    }
}

/// An event's attributes as the driver gave them, each turned into the
/// hub's terms as it is read: the event is built into the bus's form in one
/// pass (the devices layer), not converted twice.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Attrs(Vec<w::Attr>);

impl Attrs {
    /// How many.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

fn value(v: w::Value) -> AttrValue {
    match v {
        w::Value::Text(s) => AttrValue::Text(s),
        w::Value::Int(i) => AttrValue::Int(i),
        w::Value::Float(f) => AttrValue::Float(f),
        w::Value::Flag(b) => AttrValue::Flag(b),
    }
}

fn value_out(v: AttrValue) -> w::Value {
    match v {
        AttrValue::Text(s) => w::Value::Text(s),
        AttrValue::Int(i) => w::Value::Int(i),
        AttrValue::Float(f) => w::Value::Float(f),
        AttrValue::Flag(b) => w::Value::Flag(b),
    }
}

/// The attributes, key and value, in order.
pub struct AttrsIntoIter(std::vec::IntoIter<w::Attr>);

impl Iterator for AttrsIntoIter {
    type Item = (String, AttrValue);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|a| (a.key, value(a.value)))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl IntoIterator for Attrs {
    type Item = (String, AttrValue);
    type IntoIter = AttrsIntoIter;

    fn into_iter(self) -> AttrsIntoIter {
        AttrsIntoIter(self.0.into_iter())
    }
}

impl FromIterator<(String, AttrValue)> for Attrs {
    fn from_iter<I: IntoIterator<Item = (String, AttrValue)>>(iter: I) -> Self {
        Attrs(
            iter.into_iter()
                .map(|(key, v)| w::Attr {
                    key,
                    value: value_out(v),
                })
                .collect(),
        )
    }
}

/// What one driver call produced.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Events, in order.
    pub events: DriverEvents,
    /// Work for the transport, in order.
    pub requests: Vec<wire::Request>,
}

/// The events of one call, as lifted from the guest; each becomes a
/// [`DriverEvent`] as it is taken, so the devices layer builds the bus's
/// events in one pass (a call of 64 events is not copied twice).
#[derive(Debug, Default)]
pub struct DriverEvents(pub(crate) Vec<w::Event>);

impl DriverEvents {
    /// How many.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Keep the first `n`.
    pub fn truncate(&mut self, n: usize) {
        self.0.truncate(n);
    }
}

/// The events, each in the hub's terms as it is taken.
pub struct DriverEventsIter(std::vec::IntoIter<w::Event>);

impl Iterator for DriverEventsIter {
    type Item = DriverEvent;

    fn next(&mut self) -> Option<DriverEvent> {
        self.0.next().map(event)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl IntoIterator for DriverEvents {
    type Item = DriverEvent;
    type IntoIter = DriverEventsIter;

    fn into_iter(self) -> DriverEventsIter {
        DriverEventsIter(self.0.into_iter())
    }
}

impl FromIterator<DriverEvent> for DriverEvents {
    fn from_iter<I: IntoIterator<Item = DriverEvent>>(iter: I) -> Self {
        DriverEvents(iter.into_iter().map(event_out).collect())
    }
}

/// An input lent to a driver for one `handle` call: the contract's `input`
/// resource, opaque outside this crate. Its payload is handed over to the
/// first accessor that reads it (one copy, not two); its kind stays.
pub struct LentInput {
    pub(crate) kind: &'static str,
    pub(crate) input: Option<wire::Input>,
}

/// Which device a frame on a shared port belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Routing {
    /// The device owning `key`; `unclaimed` goes back when none does.
    Key {
        /// Routing key.
        key: String,
        /// Reply when no device owns the key.
        unclaimed: Option<Vec<u8>>,
    },
    /// Answer the sender and drop the frame.
    Reply(Vec<u8>),
    /// Drop the frame.
    Drop,
}

pub(crate) fn info(i: w::DriverInfo) -> DriverInfo {
    DriverInfo {
        name: i.name,
        version: i.version,
        families: i.families,
        commands: i
            .commands
            .into_iter()
            .map(|c| CommandSpec {
                name: c.name,
                description: c.description,
                args_schema: c.args_schema,
            })
            .collect(),
        settings: i
            .settings
            .into_iter()
            .map(|s| SettingSpec {
                key: s.key,
                description: s.description,
                required: s.required,
            })
            .collect(),
        kinds: i.kinds,
    }
}

pub(crate) fn config(c: &DeviceConfig) -> w::DeviceConfig {
    w::DeviceConfig {
        id: c.id.clone(),
        profile: c.profile.clone(),
        settings: c.settings.clone(),
        keys: c.keys.clone(),
    }
}

pub(crate) fn error(e: w::DriverError) -> DriverError {
    DriverError {
        code: e.code,
        message: e.message,
    }
}

pub(crate) fn routing(r: w::Routing) -> Routing {
    match r {
        w::Routing::Key(k) => Routing::Key {
            key: k.key,
            unclaimed: k.unclaimed,
        },
        w::Routing::Reply(b) => Routing::Reply(b),
        w::Routing::Drop => Routing::Drop,
    }
}

fn event_out(e: DriverEvent) -> w::Event {
    w::Event {
        kind: e.kind,
        level: match e.level {
            Level::Info => w::Level::Info,
            Level::Blue => w::Level::Blue,
            Level::Yellow => w::Level::Yellow,
            Level::Orange => w::Level::Orange,
            Level::Red => w::Level::Red,
        },
        phase: e.phase.map(|p| match p {
            Phase::Begin => w::Phase::Begin,
            Phase::End => w::Phase::End,
        }),
        zone: e.zone,
        device_time_ms: e.device_time_ms,
        message: e.message,
        attrs: e.attrs.0,
        media: e
            .media
            .into_iter()
            .map(|m| w::Media {
                role: m.role,
                content_type: m.content_type,
                data: m.data,
            })
            .collect(),
    }
}

fn event(e: w::Event) -> DriverEvent {
    DriverEvent {
        kind: e.kind,
        level: match e.level {
            w::Level::Info => Level::Info,
            w::Level::Blue => Level::Blue,
            w::Level::Yellow => Level::Yellow,
            w::Level::Orange => Level::Orange,
            w::Level::Red => Level::Red,
        },
        phase: e.phase.map(|p| match p {
            w::Phase::Begin => Phase::Begin,
            w::Phase::End => Phase::End,
        }),
        zone: e.zone,
        device_time_ms: e.device_time_ms,
        message: e.message,
        attrs: Attrs(e.attrs),
        media: if e.media.is_empty() {
            Vec::new()
        } else {
            e.media
                .into_iter()
                .map(|m| DriverMedia {
                    role: m.role,
                    content_type: m.content_type,
                    data: m.data,
                })
                .collect()
        },
    }
}
