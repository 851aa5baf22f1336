//! Which events are alarms, and the limits every alarm is held to: pure,
//! made from `[alarms]` in `hub.toml`.

use std::time::Duration;

use crate::bus::{Level, NewEvent, Phase};
use crate::config::AlarmsConfig;

/// What an event means to the alarm book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Meaning {
    /// A condition raised (or raised again): the alarm of `key`.
    Raise {
        /// One alarm per key: device, kind, and the source the driver names.
        key: String,
    },
    /// A condition restored: the alarm of `key` is cleared.
    Clear {
        /// The key.
        key: String,
    },
    /// An instant event that is an alarm: raised and cleared at once, on
    /// the wall until a person acknowledges it.
    Instant {
        /// The key.
        key: String,
    },
    /// Not an alarm.
    None,
}

/// An instant kind that is an alarm, maybe only when an attribute is true
/// (`access.denied:abnormal_temperature`) or has a value (`access.door:state=forced`).
#[derive(Debug, Clone, PartialEq, Eq)]
struct InstantRule {
    /// As written in `[alarms] instant`.
    spec: String,
    kind: String,
    attr: Option<(String, Option<String>)>,
}

impl InstantRule {
    fn parse(spec: &str) -> Self {
        let (kind, attr) = match spec.split_once(':') {
            Some((k, a)) => (k, Some(a)),
            None => (spec, None),
        };
        InstantRule {
            spec: spec.to_owned(),
            kind: kind.to_owned(),
            attr: attr.map(|a| match a.split_once('=') {
                Some((k, v)) => (k.to_owned(), Some(v.to_owned())),
                None => (a.to_owned(), None),
            }),
        }
    }

    fn matches(&self, e: &NewEvent) -> bool {
        if e.kind != self.kind {
            return false;
        }
        match &self.attr {
            None => true,
            Some((k, None)) => match e.attrs.get(k) {
                Some(crate::bus::AttrValue::Flag(b)) => *b,
                // `reason = abnormal_temperature` reads as the flag too.
                _ => e.text("reason") == Some(k.as_str()),
            },
            Some((k, Some(v))) => e.label(k).as_deref() == Some(v.as_str()),
        }
    }
}

/// The alarm rules of a hub.
#[derive(Debug, Clone)]
pub struct Policy {
    instant: Vec<InstantRule>,
    /// Instant kinds paired as a condition: raised by the first, cleared by
    /// the second (`device.offline` by `device.online`).
    pairs: Vec<(String, String)>,
    /// How long an alarm of each level may wait unacknowledged (red first).
    ack_within: [Duration; 4],
    /// Between repeated escalations.
    pub escalate_every: Duration,
    /// Longest shelving.
    pub max_shelve: Duration,
    /// More alarms than this opening within [`FLOOD_WINDOW`] is a flood.
    pub flood_above: usize,
    /// Levels and kind globs whose alarms close only with a note.
    note_required: Vec<String>,
}

/// The window of the flood rule (ISA-18.2: alarms per 10 minutes).
pub const FLOOD_WINDOW: Duration = Duration::from_secs(600);

impl Default for Policy {
    fn default() -> Self {
        Policy::from(&AlarmsConfig::default())
    }
}

impl From<&AlarmsConfig> for Policy {
    fn from(c: &AlarmsConfig) -> Self {
        let a = c.ack_within_s;
        Policy {
            instant: c.instant.iter().map(|s| InstantRule::parse(s)).collect(),
            pairs: c
                .pairs
                .iter()
                .map(|[raise, clear]| (raise.clone(), clear.clone()))
                .collect(),
            ack_within: [a.red, a.orange, a.yellow, a.blue].map(Duration::from_secs),
            escalate_every: Duration::from_secs(c.escalate_every_s.max(1)),
            max_shelve: Duration::from_secs(c.max_shelve_s),
            flood_above: c.flood_above.max(1),
            note_required: c.note_required.clone(),
        }
    }
}

impl Policy {
    /// The source the driver names: a point, a zone number, a door, a
    /// fault, a plate, or the event's own zone.
    pub fn source(e: &NewEvent) -> String {
        [
            "point",
            "zone_number",
            "door",
            "input",
            "fault",
            "plate",
            "source",
        ]
        .iter()
        .find_map(|k| e.label(k))
        .unwrap_or_else(|| e.zone.clone())
    }

    /// The key of the alarm `e` belongs to, under `kind`.
    pub fn key(e: &NewEvent, kind: &str) -> String {
        format!(
            "{}|{kind}|{}",
            e.device.as_deref().unwrap_or("-"),
            Self::source(e)
        )
    }

    /// What `e` means to the book.
    pub fn meaning(&self, e: &NewEvent) -> Meaning {
        if e.kind.starts_with("alarm.") {
            return Meaning::None;
        }
        if let Some((raise, _)) = self.pairs.iter().find(|(_, clear)| *clear == e.kind) {
            return Meaning::Clear {
                key: Self::key(e, raise),
            };
        }
        if self.pairs.iter().any(|(raise, _)| *raise == e.kind) {
            return Meaning::Raise {
                key: Self::key(e, &e.kind),
            };
        }
        match e.phase {
            Some(Phase::Begin) if e.level >= Level::Blue => Meaning::Raise {
                key: Self::key(e, &e.kind),
            },
            Some(Phase::End) => Meaning::Clear {
                key: Self::key(e, &e.kind),
            },
            Some(_) => Meaning::None,
            None if self.instant.iter().any(|r| r.matches(e)) => Meaning::Instant {
                key: Self::key(e, &e.kind),
            },
            None => Meaning::None,
        }
    }

    /// Why `e` opens or raises an alarm, in words for the alarm's page (the
    /// rule of `[alarms]` it meets); `None` when it does not.
    pub fn reason(&self, e: &NewEvent) -> Option<String> {
        if let Some((raise, clear)) = self.pairs.iter().find(|(raise, _)| *raise == e.kind) {
            return Some(format!("`{raise}` until `{clear}` ([alarms] pairs)"));
        }
        match e.phase {
            Some(Phase::Begin) if e.level >= Level::Blue => Some(format!(
                "a condition began at level {} (conditions of level blue and above are alarms)",
                e.level.as_str()
            )),
            Some(_) => None,
            None => self
                .instant
                .iter()
                .find(|r| r.matches(e))
                .map(|r| format!("`{}` ([alarms] instant)", r.spec)),
        }
    }

    /// How long an alarm of `level` may wait for a person.
    pub fn ack_within(&self, level: Level) -> Duration {
        match level {
            Level::Red => self.ack_within[0],
            Level::Orange => self.ack_within[1],
            Level::Yellow => self.ack_within[2],
            Level::Blue | Level::Info => self.ack_within[3],
        }
    }

    /// Whether an alarm of `kind` at `level` needs a note to close.
    pub fn needs_note(&self, kind: &str, level: Level) -> bool {
        self.note_required.iter().any(|r| {
            r == level.as_str()
                || r == kind
                || r.strip_suffix('*')
                    .is_some_and(|prefix| kind.starts_with(prefix))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(kind: &str, level: Level, phase: Option<Phase>) -> NewEvent {
        let mut e = NewEvent::new(kind, "campus/chem")
            .device("fp-1")
            .level(level)
            .attr("point", 3i64);
        e.phase = phase;
        e
    }

    #[test]
    fn conditions_of_blue_or_above_raise_and_their_end_clears() {
        let p = Policy::default();
        let key = "fp-1|fire.alarm|3".to_owned();
        assert_eq!(
            p.meaning(&ev("fire.alarm", Level::Red, Some(Phase::Begin))),
            Meaning::Raise { key: key.clone() }
        );
        assert_eq!(
            p.meaning(&ev("fire.alarm", Level::Red, Some(Phase::End))),
            Meaning::Clear { key }
        );
        assert_eq!(
            p.meaning(&ev("camera.motion", Level::Info, Some(Phase::Begin))),
            Meaning::None,
            "info conditions are not alarms"
        );
        assert_eq!(
            p.meaning(&ev("alarm.escalated", Level::Red, None)),
            Meaning::None
        );
    }

    #[test]
    fn instant_kinds_are_alarms_as_configured() {
        let p = Policy::default();
        let fever = NewEvent::new("access.denied", "campus/gate")
            .device("fg-1")
            .attr("reason", "abnormal_temperature")
            .attr("door", 1i64);
        assert!(matches!(p.meaning(&fever), Meaning::Instant { .. }));
        let stranger = NewEvent::new("access.denied", "campus/gate")
            .device("fg-1")
            .attr("reason", "unknown_face");
        assert_eq!(p.meaning(&stranger), Meaning::None);
        let forced = NewEvent::new("access.door", "campus/gate")
            .device("fg-1")
            .attr("state", "forced")
            .attr("door", 2i64);
        assert_eq!(
            p.meaning(&forced),
            Meaning::Instant {
                key: "fg-1|access.door|2".into()
            }
        );
        // A pair: offline raises, online clears the same key.
        let off = NewEvent::new("device.offline", "campus/chem").device("cam-1");
        let on = NewEvent::new("device.online", "campus/chem").device("cam-1");
        let Meaning::Raise { key } = p.meaning(&off) else {
            panic!()
        };
        assert_eq!(p.meaning(&on), Meaning::Clear { key });
        // Each says which rule it met.
        assert_eq!(
            p.reason(&fever).as_deref(),
            Some("`access.denied:abnormal_temperature` ([alarms] instant)")
        );
        assert_eq!(p.reason(&stranger), None);
        assert!(p.reason(&off).unwrap().contains("`device.online`"));
        assert!(p.reason(&on).is_none(), "a clear opens nothing");
        let fire = ev("fire.alarm", Level::Red, Some(Phase::Begin));
        assert!(p.reason(&fire).unwrap().contains("level red"));
    }

    #[test]
    fn notes_and_acknowledgement_times_follow_level_and_kind() {
        let p = Policy::default();
        assert!(p.needs_note("fire.fault", Level::Yellow));
        assert!(p.needs_note("perimeter.intrusion", Level::Red));
        assert!(p.needs_note("panic.pressed", Level::Red));
        assert!(!p.needs_note("camera.tamper", Level::Orange));
        assert_eq!(p.ack_within(Level::Red), Duration::from_secs(60));
        assert_eq!(p.ack_within(Level::Blue), Duration::from_secs(1800));
    }
}
