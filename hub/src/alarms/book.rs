//! The alarm book: every alarm, derived from the log. Device events open,
//! raise again and clear alarms; `alarm.*` events (people's actions and the
//! hub's escalations, floods and shelving expiry) move them. Nothing else
//! changes it, so a book rebuilt from the log after a restart equals the
//! one before, and an action reaches it only once it is in the log.

use std::collections::{HashMap, HashSet, VecDeque};

use tokio::sync::broadcast;

use super::alarm::{Action, Alarm, Stage};
use super::policy::{FLOOD_WINDOW, Meaning, Policy};
use crate::bus::{Event, Level, NewEvent, Phase};
use crate::devices::HUB_ZONE;
use crate::projection::Rules;

/// A verdict of the hub's own written but not yet read back is not made
/// again for this long (a failed append is tried again after it).
const PENDING_MS: i64 = 30_000;

/// Escalations written per tick at most.
pub const MAX_ESCALATIONS_PER_TICK: usize = 50;

/// A flood ends once the alarms opened in the window fall to this share of
/// the threshold (hysteresis, so a flood does not flicker at the line).
const FLOOD_ENDS_AT: usize = 2;

/// A flood: when it began and, once over, ended (ms).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flood {
    /// Began, ms.
    pub began_ms: i64,
    /// Ended, ms.
    pub ended_ms: Option<i64>,
}

/// The book.
#[derive(Debug)]
pub struct AlarmBook {
    policy: Policy,
    alarms: HashMap<String, Alarm>,
    /// The alarm of each key not yet closed.
    open: HashMap<String, String>,
    /// When the alarms of the last [`FLOOD_WINDOW`] opened, ms, oldest first.
    opened: VecDeque<i64>,
    floods: Vec<Flood>,
    /// The alarms shelved now (their expiry is judged every tick).
    shelved: HashSet<String>,
    pending: HashMap<String, i64>,
    changes: broadcast::Sender<String>,
}

impl AlarmBook {
    /// An empty book under `policy`.
    pub fn new(policy: Policy) -> Self {
        AlarmBook {
            policy,
            alarms: HashMap::new(),
            open: HashMap::new(),
            opened: VecDeque::new(),
            floods: Vec::new(),
            shelved: HashSet::new(),
            pending: HashMap::new(),
            changes: broadcast::channel(1024).0,
        }
    }

    /// The rules it follows.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// One alarm.
    pub fn get(&self, id: &str) -> Option<&Alarm> {
        self.alarms.get(id)
    }

    /// Every alarm, in no order.
    pub fn iter(&self) -> impl Iterator<Item = &Alarm> {
        self.alarms.values()
    }

    /// The floods so far.
    pub fn floods(&self) -> &[Flood] {
        &self.floods
    }

    /// The flood going on, if one is.
    pub fn flood(&self) -> Option<Flood> {
        self.floods.last().copied().filter(|f| f.ended_ms.is_none())
    }

    /// Alarms opened within the flood window before the latest event or tick.
    pub fn opened_in_window(&self) -> usize {
        self.opened.len()
    }

    /// Ids of alarms as they change.
    pub fn changes(&self) -> broadcast::Receiver<String> {
        self.changes.subscribe()
    }

    fn changed(&self, id: &str) {
        // Nobody listening is fine.
        let _ = self.changes.send(id.to_owned());
    }

    fn forget_before(&mut self, now_ms: i64) {
        let from = now_ms - FLOOD_WINDOW.as_millis() as i64;
        while self.opened.front().is_some_and(|t| *t < from) {
            self.opened.pop_front();
        }
    }

    /// A device event.
    fn condition(&mut self, e: &Event) {
        let (key, instant) = match self.policy.meaning(&e.body) {
            Meaning::Raise { key } => (key, false),
            Meaning::Instant { key } => (key, true),
            Meaning::Clear { key } => {
                if let Some(a) = self.open.get(&key).and_then(|id| self.alarms.get_mut(id)) {
                    a.clear(&e.body, e.seq, e.time_ms);
                    let id = a.id.clone();
                    self.changed(&id);
                }
                return;
            }
            Meaning::None => return,
        };
        let id = match self.open.get(&key).and_then(|id| self.alarms.get_mut(id)) {
            Some(a) => {
                a.raise(&e.body, e.seq, e.time_ms);
                a.id.clone()
            }
            None => {
                let a = Alarm::open(
                    key.clone(),
                    &e.body,
                    Policy::source(&e.body),
                    e.seq,
                    e.time_ms,
                );
                let id = a.id.clone();
                self.alarms.insert(id.clone(), a);
                self.open.insert(key, id.clone());
                self.forget_before(e.time_ms);
                self.opened.push_back(e.time_ms);
                id
            }
        };
        if instant && let Some(a) = self.alarms.get_mut(&id) {
            a.clear(&e.body, e.seq, e.time_ms);
        }
        self.changed(&id);
    }

    /// An `alarm.*` event.
    fn transition(&mut self, e: &Event) {
        let b = &e.body;
        if b.kind == "alarm.flood" {
            self.pending.remove(&flood_key(b.phase));
            match b.phase {
                Some(Phase::Begin) if self.flood().is_none() => self.floods.push(Flood {
                    began_ms: e.time_ms,
                    ended_ms: None,
                }),
                Some(Phase::End) => {
                    if let Some(f) = self.floods.last_mut() {
                        f.ended_ms.get_or_insert(e.time_ms);
                    }
                }
                _ => {}
            }
            return;
        }
        let Some(id) = b.text("alarm") else { return };
        let Some(a) = self.alarms.get_mut(id) else {
            tracing::warn!(seq = e.seq, alarm = id, "an alarm event for no known alarm");
            return;
        };
        if b.kind == "alarm.escalated" {
            let n = b.int("count").unwrap_or(1).max(1) as u32;
            self.pending.remove(&escalation_key(id, n));
            a.escalations = (n, e.time_ms);
            let id = id.to_owned();
            self.changed(&id);
            return;
        }
        let Some(action) = Action::from_event(b) else {
            return;
        };
        if b.actor.is_none() && action == Action::Unshelve {
            self.pending.remove(&format!("unshelve|{id}"));
            // The hub's expiry ends the shelving it saw expire, not one a
            // person made since.
            if a.shelved.as_ref().map(|(u, ..)| *u) != b.int("until_ms") {
                return;
            }
        }
        // The API checked it against this very state; a refusal here is a
        // log written by something else, kept out of the book.
        if let Err(why) = a.check(&action, e.time_ms, i64::MAX, false) {
            tracing::warn!(seq = e.seq, %why, "an alarm action the book cannot take");
            return;
        }
        a.apply(&action, b.actor.as_deref(), e.seq, e.time_ms);
        if a.stage == Stage::Closed {
            self.open.remove(&a.key);
        }
        if a.shelved.is_some() && a.stage != Stage::Closed {
            self.shelved.insert(a.id.clone());
        } else {
            self.shelved.remove(&a.id);
        }
        let id = id.to_owned();
        self.changed(&id);
    }

    fn due(&mut self, key: String, now_ms: i64) -> bool {
        if self
            .pending
            .get(&key)
            .is_some_and(|t| now_ms - t < PENDING_MS)
        {
            return false;
        }
        self.pending.insert(key, now_ms);
        true
    }

    /// Escalations due: every open alarm nobody acknowledged within its
    /// level's time, again every `escalate_every`; none while suppressed.
    fn escalations(&mut self, now_ms: i64) -> Vec<NewEvent> {
        let every = self.policy.escalate_every.as_millis() as i64;
        let mut due = Vec::new();
        // One pass over the alarms themselves (no lookup by id): with
        // 100,000 open the tick holds the book for a few milliseconds.
        for a in self.alarms.values() {
            if a.stage == Stage::Closed {
                continue;
            }
            let Some(since) = a.unacked_since_ms else {
                continue;
            };
            if a.suppressed(now_ms) {
                continue;
            }
            let (n, last) = a.escalations;
            let at = if n == 0 {
                since + self.policy.ack_within(a.level).as_millis() as i64
            } else {
                last + every
            };
            if now_ms >= at {
                due.push((a.level, a.id.clone(), n + 1, now_ms - since));
            }
        }
        // A building's worth of unanswered alarms must not become a storm
        // of escalations: the highest level and longest waiting first, the
        // rest at the next ticks.
        due.sort_by(|a, b| b.0.cmp(&a.0).then(b.3.cmp(&a.3)));
        due.truncate(MAX_ESCALATIONS_PER_TICK);
        let mut out = Vec::new();
        for (_, id, n, waited) in due {
            if !self.due(escalation_key(&id, n), now_ms) {
                continue;
            }
            let a = &self.alarms[&id];
            let mut e = NewEvent::new("alarm.escalated", &a.zone)
                .level(a.level)
                .attr("alarm", id.as_str())
                .attr("alarm_kind", a.kind.as_str())
                .attr("count", i64::from(n))
                .attr("waited_s", waited / 1000)
                .correlation(&id)
                .message(format!(
                    "{} {} in {} has waited {} s for a person",
                    a.level.as_str(),
                    a.kind,
                    a.zone,
                    waited / 1000
                ));
            e.device = a.device.clone();
            out.push(e);
        }
        out
    }

    fn expiries(&mut self, now_ms: i64) -> Vec<NewEvent> {
        let expired: Vec<String> = self
            .shelved
            .iter()
            .filter(|id| self.alarms.get(*id).is_some_and(|a| !a.is_shelved(now_ms)))
            .cloned()
            .collect();
        let mut out = Vec::new();
        for id in expired {
            let a = &self.alarms[&id];
            let until = a.shelved.as_ref().map(|(u, ..)| *u).unwrap_or_default();
            if self.due(format!("unshelve|{id}"), now_ms) {
                let mut e = Action::Unshelve.event(&self.alarms[&id], "hub");
                e.actor = None;
                out.push(e.attr("reason", "expired").attr("until_ms", until));
            }
        }
        out
    }

    fn flood_change(&mut self, now_ms: i64) -> Option<NewEvent> {
        self.forget_before(now_ms);
        let n = self.opened.len();
        let above = self.policy.flood_above;
        let phase = match self.flood() {
            None if n > above => Phase::Begin,
            Some(_) if n <= above / FLOOD_ENDS_AT => Phase::End,
            _ => return None,
        };
        if !self.due(flood_key(Some(phase)), now_ms) {
            return None;
        }
        let mut e = NewEvent::new("alarm.flood", HUB_ZONE)
            .level(Level::Orange)
            .attr("opened", n as i64)
            .attr("window_s", FLOOD_WINDOW.as_secs())
            .attr("above", above as i64)
            .message(format!(
                "{n} alarms opened in the last {} minutes",
                FLOOD_WINDOW.as_secs() / 60
            ));
        e.phase = Some(phase);
        Some(e)
    }
}

fn escalation_key(id: &str, n: u32) -> String {
    format!("escalate|{id}|{n}")
}

fn flood_key(phase: Option<Phase>) -> String {
    format!("flood|{phase:?}")
}

impl Rules for AlarmBook {
    const NAME: &'static str = "alarms";

    fn on_event(&mut self, e: &Event) -> Vec<NewEvent> {
        if e.body.kind.starts_with("alarm.") {
            self.transition(e);
        } else {
            self.condition(e);
        }
        Vec::new()
    }

    fn on_tick(&mut self, now_ms: i64) -> Vec<NewEvent> {
        let mut out = self.escalations(now_ms);
        out.extend(self.expiries(now_ms));
        out.extend(self.flood_change(now_ms));
        out
    }

    fn verdict_key(&self, e: &NewEvent) -> Option<String> {
        // The book's verdicts come from ticks only, never from replaying
        // an event; these keys tie them to what they read back as.
        match e.kind.as_str() {
            "alarm.escalated" => Some(escalation_key(
                e.text("alarm")?,
                e.int("count").unwrap_or(1) as u32,
            )),
            "alarm.flood" => Some(flood_key(e.phase)),
            "alarm.unshelved" if e.actor.is_none() => {
                Some(format!("unshelve|{}", e.text("alarm")?))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alarms::alarm::Resolution;

    struct Log {
        book: AlarmBook,
        seq: u64,
    }

    impl Log {
        fn new() -> Self {
            Log {
                book: AlarmBook::new(Policy::default()),
                seq: 0,
            }
        }

        fn put(&mut self, body: NewEvent, time_ms: i64) -> u64 {
            let seq = self.seq;
            self.seq += 1;
            self.book.on_event(&Event {
                seq,
                time_ms,
                site: "s".into(),
                body,
            });
            seq
        }

        fn tick(&mut self, now_ms: i64) -> Vec<NewEvent> {
            let out = self.book.on_tick(now_ms);
            for e in out.clone() {
                self.put(e, now_ms);
            }
            out
        }
    }

    fn fire(point: i64, phase: Phase) -> NewEvent {
        let mut e = NewEvent::new("fire.alarm", "campus/chem")
            .device("fp-1")
            .level(Level::Red)
            .attr("point", point);
        e.phase = Some(phase);
        e
    }

    #[test]
    fn repeats_count_on_one_alarm_and_closing_frees_the_key() {
        let mut log = Log::new();
        let first = log.put(fire(3, Phase::Begin), 1_000);
        log.put(fire(3, Phase::Begin), 2_000);
        log.put(fire(3, Phase::End), 3_000);
        let id = format!("a{first}");
        let a = log.book.get(&id).unwrap();
        assert_eq!((a.re_alarms, a.active, a.events.len()), (1, false, 3));
        for action in [
            Action::Acknowledge { note: None },
            Action::Close {
                resolution: Resolution::Test,
                note: Some("drill".into()),
            },
        ] {
            let e = action.event(log.book.get(&id).unwrap(), "li#t1");
            log.put(e, 4_000);
        }
        assert_eq!(log.book.get(&id).unwrap().stage, Stage::Closed);
        let next = log.put(fire(3, Phase::Begin), 5_000);
        assert!(log.book.get(&format!("a{next}")).is_some(), "a new alarm");
        assert_eq!(log.book.iter().count(), 2);
    }

    #[test]
    fn escalation_waits_its_level_then_repeats_until_acknowledged() {
        let mut log = Log::new();
        let id = format!("a{}", log.put(fire(1, Phase::Begin), 0));
        assert!(log.tick(59_000).is_empty());
        let first = log.tick(60_000);
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].kind, "alarm.escalated");
        assert_eq!(first[0].int("count"), Some(1));
        assert!(log.tick(61_000).is_empty(), "once per interval");
        assert_eq!(log.tick(180_000)[0].int("count"), Some(2));
        let ack = Action::Acknowledge { note: None }.event(log.book.get(&id).unwrap(), "li");
        log.put(ack, 181_000);
        assert!(log.tick(1_000_000).is_empty());
    }

    #[test]
    fn a_verdict_written_is_not_made_again_before_it_reads_back() {
        let mut log = Log::new();
        log.put(fire(1, Phase::Begin), 0);
        assert_eq!(log.book.on_tick(60_000).len(), 1);
        assert!(log.book.on_tick(61_000).is_empty(), "pending");
        assert_eq!(
            log.book.on_tick(60_000 + PENDING_MS).len(),
            1,
            "tried again"
        );
    }

    #[test]
    fn escalations_come_a_tick_at_a_time_highest_level_first() {
        let mut log = Log::new();
        for p in 0..120 {
            log.put(fire(p, Phase::Begin), 0);
        }
        let mut blue = NewEvent::new("fire.fault", "campus/chem")
            .device("fp-2")
            .level(Level::Blue);
        blue.phase = Some(Phase::Begin);
        log.put(blue, 0);
        let first = log.tick(3_600_000);
        let escalated = first.iter().filter(|e| e.kind == "alarm.escalated").count();
        assert_eq!(escalated, MAX_ESCALATIONS_PER_TICK);
        assert!(
            first
                .iter()
                .all(|e| e.kind != "alarm.escalated" || e.level == Level::Red)
        );
        log.tick(3_601_000);
        let third = log.tick(3_602_000);
        assert!(
            third.iter().any(|e| e.level == Level::Blue),
            "the blue one's turn comes"
        );
    }

    #[test]
    fn a_flood_begins_above_the_threshold_and_ends_below_half() {
        let mut log = Log::new();
        for p in 0..11 {
            log.put(fire(p, Phase::Begin), 1_000 + p);
        }
        let out = log.tick(2_000);
        let flood: Vec<_> = out.iter().filter(|e| e.kind == "alarm.flood").collect();
        assert_eq!(flood.len(), 1);
        assert_eq!(flood[0].phase, Some(Phase::Begin));
        assert!(log.book.flood().is_some());
        // Ten minutes on, the window is empty.
        let later = log.tick(2_000 + FLOOD_WINDOW.as_millis() as i64);
        assert!(later.iter().any(|e| e.phase == Some(Phase::End)));
        assert!(log.book.flood().is_none());
        assert_eq!(log.book.floods().len(), 1);
    }

    #[test]
    fn a_shelving_expires_by_an_event_of_the_hub() {
        let mut log = Log::new();
        let id = format!("a{}", log.put(fire(1, Phase::Begin), 0));
        let shelve = Action::Shelve {
            until_ms: 30_000,
            reason: "works".into(),
        };
        log.put(shelve.event(log.book.get(&id).unwrap(), "li"), 1_000);
        assert!(
            log.tick(29_000).is_empty(),
            "no escalation while shelved, no expiry yet"
        );
        let out = log.tick(30_000);
        assert!(
            out.iter()
                .any(|e| e.kind == "alarm.unshelved" && e.actor.is_none())
        );
        assert!(log.book.get(&id).unwrap().shelved.is_none());
    }

    #[test]
    fn an_expiry_read_back_late_leaves_a_new_shelving_alone() {
        let mut log = Log::new();
        let id = format!("a{}", log.put(fire(1, Phase::Begin), 0));
        let shelve = |until_ms| Action::Shelve {
            until_ms,
            reason: "works".into(),
        };
        log.put(
            shelve(30_000).event(log.book.get(&id).unwrap(), "li"),
            1_000,
        );
        let expiry = log.book.on_tick(30_000);
        assert_eq!(expiry.len(), 1);
        // A person shelves it again before the hub's expiry is in the log.
        log.put(
            shelve(90_000).event(log.book.get(&id).unwrap(), "li"),
            30_100,
        );
        for e in expiry {
            log.put(e, 30_200);
        }
        let a = log.book.get(&id).unwrap();
        assert_eq!(a.shelved.as_ref().map(|(u, ..)| *u), Some(90_000));
    }
}
