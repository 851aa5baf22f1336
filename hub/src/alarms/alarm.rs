//! One alarm and what a person may do to it: the states of ISA-18.2 / IEC
//! 62682 (active or cleared × unacknowledged or acknowledged, shelved, out
//! of service) and the duty room's workflow on top (new → assigned → on
//! hold → closed with a resolution). Pure: time comes in as arguments, and
//! [`Alarm::check`] says whether an action is allowed before
//! [`Alarm::apply`] records it, so the API refuses exactly what the log
//! would not take back.

use serde::{Deserialize, Serialize};

use crate::bus::{Level, MediaRef, NewEvent, format_ms};

/// How a closed alarm ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Resolution {
    /// Something happened.
    Real,
    /// Nothing happened: a detector, a person, a draught.
    False,
    /// A planned test.
    Test,
    /// Work on the device set it off.
    Maintenance,
    /// Anything else (the note says what).
    Other,
}

impl Resolution {
    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Resolution::Real => "real",
            Resolution::False => "false",
            Resolution::Test => "test",
            Resolution::Maintenance => "maintenance",
            Resolution::Other => "other",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "real" => Resolution::Real,
            "false" => Resolution::False,
            "test" => Resolution::Test,
            "maintenance" => Resolution::Maintenance,
            "other" => Resolution::Other,
            _ => return None,
        })
    }
}

/// Where the duty room's handling of an alarm stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Nobody has taken it.
    New,
    /// A person owns it and is working on it.
    Assigned,
    /// Waiting on something (a technician, a unit).
    OnHold,
    /// Done, with a resolution.
    Closed,
}

impl Stage {
    /// The name used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::New => "new",
            Stage::Assigned => "assigned",
            Stage::OnHold => "on_hold",
            Stage::Closed => "closed",
        }
    }
}

/// What a person does to an alarm.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// "I have seen it."
    Acknowledge {
        /// Optional words.
        note: Option<String>,
    },
    /// Give it to a person (often oneself).
    Assign {
        /// The owner's name.
        to: String,
    },
    /// Park it, waiting on something.
    Hold {
        /// What it waits for.
        note: Option<String>,
    },
    /// Keep it off the wall until a time; still recorded.
    Shelve {
        /// When it comes back, ms.
        until_ms: i64,
        /// Why.
        reason: String,
    },
    /// Back on the wall before its time.
    Unshelve,
    /// The device is known broken or under works: off the wall until put back.
    OutOfService {
        /// Why.
        reason: String,
    },
    /// Back in service.
    InService,
    /// Done.
    Close {
        /// How it ended.
        resolution: Resolution,
        /// What was done.
        note: Option<String>,
    },
}

impl Action {
    /// The kind of the event that records it.
    pub fn kind(&self) -> &'static str {
        match self {
            Action::Acknowledge { .. } => "alarm.acknowledged",
            Action::Assign { .. } => "alarm.assigned",
            Action::Hold { .. } => "alarm.held",
            Action::Shelve { .. } => "alarm.shelved",
            Action::Unshelve => "alarm.unshelved",
            Action::OutOfService { .. } => "alarm.out_of_service",
            Action::InService => "alarm.in_service",
            Action::Close { .. } => "alarm.closed",
        }
    }

    /// The event recording this action on `alarm` by `actor`.
    pub fn event(&self, alarm: &Alarm, actor: &str) -> NewEvent {
        let mut e = NewEvent::new(self.kind(), &alarm.zone)
            .attr("alarm", alarm.id.as_str())
            .attr("alarm_kind", alarm.kind.as_str())
            .actor(actor)
            .correlation(&alarm.id);
        e.device = alarm.device.clone();
        let note = |e: NewEvent, n: &Option<String>| match n {
            Some(n) => e.attr("note", n.as_str()),
            None => e,
        };
        match self {
            Action::Acknowledge { note: n } | Action::Hold { note: n } => note(e, n),
            Action::Assign { to } => e.attr("to", to.as_str()),
            Action::Shelve { until_ms, reason } => e
                .attr("until_ms", *until_ms)
                .attr("until", format_ms(*until_ms))
                .attr("reason", reason.as_str()),
            Action::OutOfService { reason } => e.attr("reason", reason.as_str()),
            Action::Unshelve | Action::InService => e,
            Action::Close {
                resolution,
                note: n,
            } => note(e.attr("resolution", resolution.as_str()), n),
        }
    }

    /// The action an event of the log records, if it records one.
    pub fn from_event(e: &NewEvent) -> Option<Action> {
        let note = e.text("note").map(str::to_owned);
        Some(match e.kind.as_str() {
            "alarm.acknowledged" => Action::Acknowledge { note },
            "alarm.assigned" => Action::Assign {
                to: e.text("to")?.to_owned(),
            },
            "alarm.held" => Action::Hold { note },
            "alarm.shelved" => Action::Shelve {
                until_ms: e.int("until_ms")?,
                reason: e.text("reason").unwrap_or_default().to_owned(),
            },
            "alarm.unshelved" => Action::Unshelve,
            "alarm.out_of_service" => Action::OutOfService {
                reason: e.text("reason").unwrap_or_default().to_owned(),
            },
            "alarm.in_service" => Action::InService,
            "alarm.closed" => Action::Close {
                resolution: Resolution::parse(e.text("resolution")?)?,
                note,
            },
            _ => return None,
        })
    }
}

/// Why an action was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Not from the state the alarm is in (the API's 409).
    #[error("alarm {id} is {state}: {why}")]
    State {
        /// The alarm.
        id: String,
        /// Its state, as [`Alarm::state_line`] says it.
        state: String,
        /// Why the action does not fit.
        why: String,
    },
    /// The action itself is wrong (the API's 400).
    #[error("alarm {id}: {why}")]
    Invalid {
        /// The alarm.
        id: String,
        /// What is wrong.
        why: String,
    },
}

/// One step in an alarm's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Transition {
    /// The event that recorded it.
    pub seq: u64,
    /// When, RFC 3339.
    pub time: String,
    /// Its event kind (`alarm.acknowledged`).
    pub kind: String,
    /// Who (absent for the hub's own: expiry).
    pub actor: Option<String>,
    /// Note, reason, owner or resolution, as given.
    pub detail: Option<String>,
}

/// At most this many device events and pictures are listed per alarm.
const MAX_LISTED: usize = 50;
/// Raise times kept for the chattering figure.
const MAX_RAISES: usize = 16;

/// One alarm: one condition of one source, from its first raise to its
/// closing.
#[derive(Debug, Clone, PartialEq)]
pub struct Alarm {
    /// `a<seq>`: the sequence number of the event that opened it, so a
    /// rebuilt book gives every alarm the id it had.
    pub id: String,
    /// Device, kind and source.
    pub key: String,
    /// The event kind of the condition.
    pub kind: String,
    /// Its zone.
    pub zone: String,
    /// Its device.
    pub device: Option<String>,
    /// The source the driver named (point, zone number, door).
    pub source: String,
    /// The highest level it reached.
    pub level: Level,
    /// The first raise's message.
    pub message: Option<String>,
    /// When it opened, ms.
    pub opened_ms: i64,
    /// Whether the condition holds now.
    pub active: bool,
    /// When the condition last cleared, ms.
    pub cleared_ms: Option<i64>,
    /// Since when it waits for a person (opening, or its raise after a
    /// clear once acknowledged), ms; `None` once acknowledged.
    pub unacked_since_ms: Option<i64>,
    /// Who acknowledged it, and when (the first time).
    pub acked: Option<(String, i64)>,
    /// The workflow.
    pub stage: Stage,
    /// Its owner.
    pub owner: Option<String>,
    /// Shelved until, ms, by whom and why.
    pub shelved: Option<(i64, String, String)>,
    /// Out of service: by whom and why.
    pub out_of_service: Option<(String, String)>,
    /// When it was closed, ms, and how.
    pub closed: Option<(i64, Resolution)>,
    /// Raises after the first while open.
    pub re_alarms: u32,
    /// The latest raise times, ms.
    pub raises: Vec<i64>,
    /// Escalations so far, and the last one's time, ms.
    pub escalations: (u32, i64),
    /// The device events of this alarm (raises and clears), by seq.
    pub events: Vec<u64>,
    /// Pictures its events carried.
    pub media: Vec<MediaRef>,
    /// Everything people did to it.
    pub transitions: Vec<Transition>,
}

impl Alarm {
    /// A new alarm, opened by the event `seq` at `time_ms`.
    pub fn open(key: String, e: &NewEvent, source: String, seq: u64, time_ms: i64) -> Self {
        let mut a = Alarm {
            id: format!("a{seq}"),
            key,
            kind: e.kind.clone(),
            zone: e.zone.clone(),
            device: e.device.clone(),
            source,
            level: e.level.max(Level::Blue),
            message: e.message.clone(),
            opened_ms: time_ms,
            active: true,
            cleared_ms: None,
            unacked_since_ms: Some(time_ms),
            acked: None,
            stage: Stage::New,
            owner: None,
            shelved: None,
            out_of_service: None,
            closed: None,
            re_alarms: 0,
            raises: vec![time_ms],
            escalations: (0, 0),
            events: Vec::new(),
            media: Vec::new(),
            transitions: Vec::new(),
        };
        a.note_event(e, seq);
        a
    }

    fn note_event(&mut self, e: &NewEvent, seq: u64) {
        if self.events.len() < MAX_LISTED {
            self.events.push(seq);
        }
        for m in &e.media {
            if self.media.len() < MAX_LISTED {
                self.media.push(m.clone());
            }
        }
    }

    /// The condition raised again while the alarm is open.
    pub fn raise(&mut self, e: &NewEvent, seq: u64, time_ms: i64) {
        self.re_alarms += 1;
        self.level = self.level.max(e.level);
        if !self.active && self.acked.is_some() {
            // Back after a clear: it needs a person again.
            self.unacked_since_ms = Some(time_ms);
            self.escalations = (0, 0);
        }
        self.active = true;
        if self.raises.len() == MAX_RAISES {
            self.raises.remove(0);
        }
        self.raises.push(time_ms);
        self.note_event(e, seq);
    }

    /// The condition restored.
    pub fn clear(&mut self, e: &NewEvent, seq: u64, time_ms: i64) {
        self.active = false;
        self.cleared_ms = Some(time_ms);
        self.note_event(e, seq);
    }

    /// Whether it is shelved at `now_ms`.
    pub fn is_shelved(&self, now_ms: i64) -> bool {
        self.shelved.as_ref().is_some_and(|(u, ..)| *u > now_ms)
    }

    /// Whether it is kept off the wall at `now_ms` (shelved or out of service).
    pub fn suppressed(&self, now_ms: i64) -> bool {
        self.is_shelved(now_ms) || self.out_of_service.is_some()
    }

    /// Whether it waits for a person's acknowledgement.
    pub fn unacked(&self) -> bool {
        self.unacked_since_ms.is_some()
    }

    /// "active, unacknowledged, new" and so on: what a refusal names.
    pub fn state_line(&self, now_ms: i64) -> String {
        let mut parts = vec![
            if self.active { "active" } else { "cleared" },
            if self.unacked() {
                "unacknowledged"
            } else {
                "acknowledged"
            },
            self.stage.as_str(),
        ];
        if self.is_shelved(now_ms) {
            parts.push("shelved");
        }
        if self.out_of_service.is_some() {
            parts.push("out of service");
        }
        parts.join(", ")
    }

    fn refuse(&self, now_ms: i64, why: impl Into<String>) -> Refusal {
        Refusal::State {
            id: self.id.clone(),
            state: self.state_line(now_ms),
            why: why.into(),
        }
    }

    fn invalid(&self, why: impl Into<String>) -> Refusal {
        Refusal::Invalid {
            id: self.id.clone(),
            why: why.into(),
        }
    }

    /// Whether `action` may be done at `now_ms`, given the longest shelving
    /// and whether closing needs a note.
    pub fn check(
        &self,
        action: &Action,
        now_ms: i64,
        max_shelve_ms: i64,
        note_required: bool,
    ) -> Result<(), Refusal> {
        if self.stage == Stage::Closed {
            return Err(self.refuse(now_ms, "a closed alarm takes no more actions"));
        }
        let blank = |s: &str| s.trim().is_empty();
        match action {
            Action::Acknowledge { .. } if !self.unacked() => {
                let by = self.acked.as_ref().map(|(w, _)| w.as_str()).unwrap_or("?");
                Err(self.refuse(now_ms, format!("already acknowledged (by {by})")))
            }
            Action::Assign { to } if blank(to) => Err(self.invalid("assign needs a person (`to`)")),
            Action::Assign { to }
                if self.stage == Stage::Assigned && self.owner.as_deref() == Some(to) =>
            {
                Err(self.refuse(now_ms, format!("already assigned to {to}")))
            }
            Action::Hold { .. } if self.stage == Stage::OnHold => {
                Err(self.refuse(now_ms, "already on hold"))
            }
            Action::Shelve { reason, .. } if blank(reason) => {
                Err(self.invalid("shelving needs a reason"))
            }
            Action::Shelve { until_ms, .. } if *until_ms <= now_ms => {
                Err(self.invalid("shelving needs a time in the future"))
            }
            Action::Shelve { until_ms, .. } if *until_ms - now_ms > max_shelve_ms => {
                Err(self.invalid(format!(
                    "shelving is limited to {} minutes ([alarms] max_shelve_s)",
                    max_shelve_ms / 60_000
                )))
            }
            Action::Shelve { .. } if self.is_shelved(now_ms) => {
                Err(self.refuse(now_ms, "already shelved; unshelve it first"))
            }
            // An expired shelving is still undone by an event (the hub's own).
            Action::Unshelve if self.shelved.is_none() => Err(self.refuse(now_ms, "not shelved")),
            Action::OutOfService { reason } if blank(reason) => {
                Err(self.invalid("out of service needs a reason"))
            }
            Action::OutOfService { .. } if self.out_of_service.is_some() => {
                Err(self.refuse(now_ms, "already out of service"))
            }
            Action::InService if self.out_of_service.is_none() => {
                Err(self.refuse(now_ms, "not out of service"))
            }
            Action::Close { .. } if self.active => Err(self.refuse(
                now_ms,
                "the condition still holds; close it once it has cleared, or shelve it or put it out of service",
            )),
            Action::Close { .. } if self.unacked() => {
                Err(self.refuse(now_ms, "acknowledge it before closing it"))
            }
            Action::Close { note, .. }
                if note_required && note.as_deref().is_none_or(|n| n.trim().is_empty()) =>
            {
                Err(self.invalid(format!(
                    "a {} {} alarm closes only with a note saying what was done",
                    self.level.as_str(),
                    self.kind
                )))
            }
            _ => Ok(()),
        }
    }

    /// Record `action` (checked) done by `actor` at `time_ms`, by the event `seq`.
    pub fn apply(&mut self, action: &Action, actor: Option<&str>, seq: u64, time_ms: i64) {
        let who = actor.unwrap_or("hub").to_owned();
        let detail = match action {
            Action::Acknowledge { note } => {
                self.unacked_since_ms = None;
                if self.acked.is_none() {
                    self.acked = Some((who, time_ms));
                }
                note.clone()
            }
            Action::Assign { to } => {
                self.stage = Stage::Assigned;
                self.owner = Some(to.clone());
                Some(to.clone())
            }
            Action::Hold { note } => {
                self.stage = Stage::OnHold;
                note.clone()
            }
            Action::Shelve { until_ms, reason } => {
                self.shelved = Some((*until_ms, who, reason.clone()));
                Some(format!("until {}: {reason}", format_ms(*until_ms)))
            }
            Action::Unshelve => {
                self.shelved = None;
                None
            }
            Action::OutOfService { reason } => {
                self.out_of_service = Some((who, reason.clone()));
                Some(reason.clone())
            }
            Action::InService => {
                self.out_of_service = None;
                None
            }
            Action::Close { resolution, note } => {
                self.stage = Stage::Closed;
                self.closed = Some((time_ms, *resolution));
                Some(match note {
                    Some(n) => format!("{}: {n}", resolution.as_str()),
                    None => resolution.as_str().to_owned(),
                })
            }
        };
        self.transitions.push(Transition {
            seq,
            time: format_ms(time_ms),
            kind: action.kind().to_owned(),
            actor: actor.map(str::to_owned),
            detail,
        });
    }

    /// Whether it raised at least 3 times within a minute (a chattering alarm).
    pub fn chattering(&self) -> bool {
        self.raises.windows(3).any(|w| w[2] - w[0] <= 60_000)
    }

    /// The API's shape.
    pub fn to_json(&self, now_ms: i64) -> serde_json::Value {
        serde_json::json!({
            "id": self.id,
            "kind": self.kind,
            "level": self.level,
            "zone": self.zone,
            "device": self.device,
            "source": self.source,
            "message": self.message,
            "opened": format_ms(self.opened_ms),
            "age_s": (now_ms - self.opened_ms).max(0) / 1000,
            "active": self.active,
            "acknowledged": !self.unacked(),
            "acknowledged_by": self.acked.as_ref().map(|(w, _)| w),
            "acknowledged_at": self.acked.as_ref().map(|(_, t)| format_ms(*t)),
            "stage": self.stage,
            "owner": self.owner,
            "shelved_until": self.shelved.as_ref().filter(|_| self.is_shelved(now_ms)).map(|(u, ..)| format_ms(*u)),
            "out_of_service": self.out_of_service.as_ref().map(|(_, r)| r),
            "resolution": self.closed.map(|(_, r)| r),
            "closed": self.closed.map(|(t, _)| format_ms(t)),
            "re_alarms": self.re_alarms,
            "escalations": self.escalations.0,
            "state": self.state_line(now_ms),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fire() -> Alarm {
        let e = NewEvent::new("fire.alarm", "campus/chem")
            .device("fp-1")
            .level(Level::Red);
        Alarm::open("fp-1|fire.alarm|3".into(), &e, "3".into(), 7, 1_000)
    }

    const HOUR: i64 = 3_600_000;

    #[test]
    fn a_life_from_raise_to_close() {
        let mut a = fire();
        assert_eq!(a.id, "a7");
        assert_eq!(a.state_line(1_000), "active, unacknowledged, new");
        let close = Action::Close {
            resolution: Resolution::Real,
            note: Some("detector replaced".into()),
        };
        let err = a.check(&close, 2_000, HOUR, true).unwrap_err();
        assert!(matches!(err, Refusal::State { .. }), "{err}");
        assert!(err.to_string().contains("still holds"), "{err}");
        a.raise(&NewEvent::new("fire.alarm", "campus/chem"), 8, 1_500);
        assert_eq!(a.re_alarms, 1);
        a.check(&Action::Acknowledge { note: None }, 2_000, HOUR, true)
            .unwrap();
        a.apply(&Action::Acknowledge { note: None }, Some("li"), 9, 2_000);
        let again = a
            .check(&Action::Acknowledge { note: None }, 2_100, HOUR, true)
            .unwrap_err();
        assert!(again.to_string().contains("already acknowledged (by li)"));
        a.clear(&NewEvent::new("fire.alarm", "campus/chem"), 10, 3_000);
        let bare = Action::Close {
            resolution: Resolution::Real,
            note: None,
        };
        assert!(matches!(
            a.check(&bare, 4_000, HOUR, true),
            Err(Refusal::Invalid { .. })
        ));
        a.check(&close, 4_000, HOUR, true).unwrap();
        a.apply(&close, Some("wang"), 11, 4_000);
        assert_eq!(a.stage, Stage::Closed);
        assert_eq!(a.transitions.len(), 2);
        assert!(
            a.check(&Action::Hold { note: None }, 5_000, HOUR, true)
                .is_err()
        );
    }

    #[test]
    fn a_raise_after_a_clear_needs_a_person_again() {
        let mut a = fire();
        a.apply(&Action::Acknowledge { note: None }, Some("li"), 8, 2_000);
        a.clear(&NewEvent::new("fire.alarm", "z"), 9, 3_000);
        assert!(!a.unacked());
        a.raise(&NewEvent::new("fire.alarm", "z"), 10, 4_000);
        assert_eq!(a.unacked_since_ms, Some(4_000));
        assert_eq!(a.acked.as_ref().map(|(w, _)| w.as_str()), Some("li"));
    }

    #[test]
    fn shelving_is_bounded_and_reversible() {
        let mut a = fire();
        let long = Action::Shelve {
            until_ms: 1_000 + 9 * HOUR,
            reason: "works".into(),
        };
        let err = a.check(&long, 1_000, 8 * HOUR, true).unwrap_err();
        assert!(err.to_string().contains("480 minutes"), "{err}");
        let no_reason = Action::Shelve {
            until_ms: 1_000 + HOUR,
            reason: " ".into(),
        };
        assert!(a.check(&no_reason, 1_000, 8 * HOUR, true).is_err());
        let ok = Action::Shelve {
            until_ms: 1_000 + HOUR,
            reason: "works".into(),
        };
        a.check(&ok, 1_000, 8 * HOUR, true).unwrap();
        a.apply(&ok, Some("li"), 8, 1_000);
        assert!(a.suppressed(2_000));
        assert!(!a.suppressed(1_000 + HOUR), "expires on its own");
        a.check(&Action::Unshelve, 2_000, HOUR, true).unwrap();
        a.apply(&Action::Unshelve, None, 9, 2_000);
        assert!(a.check(&Action::Unshelve, 3_000, HOUR, true).is_err());
        assert_eq!(a.transitions[1].actor, None, "the hub's own");
    }

    #[test]
    fn actions_survive_their_events() {
        let a = fire();
        for action in [
            Action::Acknowledge {
                note: Some("seen".into()),
            },
            Action::Assign { to: "wang".into() },
            Action::Hold { note: None },
            Action::Shelve {
                until_ms: 5_000,
                reason: "works".into(),
            },
            Action::Unshelve,
            Action::OutOfService {
                reason: "detector broken".into(),
            },
            Action::InService,
            Action::Close {
                resolution: Resolution::False,
                note: Some("steam".into()),
            },
        ] {
            let e = action.event(&a, "li#t1");
            assert_eq!(e.actor.as_deref(), Some("li#t1"));
            assert_eq!(e.text("alarm"), Some("a7"));
            assert_eq!(Action::from_event(&e), Some(action));
        }
    }

    #[test]
    fn three_raises_within_a_minute_chatter() {
        let mut a = fire();
        a.raise(&NewEvent::new("fire.alarm", "z"), 8, 30_000);
        assert!(!a.chattering());
        a.raise(&NewEvent::new("fire.alarm", "z"), 9, 61_000);
        assert!(a.chattering());
    }
}
