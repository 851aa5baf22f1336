//! Device data that is a hazard (`[[program.hazard_rules]]`): a condition
//! held past a time (a fire panel's power fault for an hour), or the same
//! event repeating within a day. Pure: events and the time come in, the
//! hazards to open go out; the book opens each once per rule and source
//! while it is open.

use std::collections::{HashMap, HashSet, VecDeque};

use crate::alarms::Policy;
use crate::bus::{Event, Phase};
use crate::config::program::HazardRule;

const DAY_MS: i64 = 86_400_000;

/// A hazard a rule asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct Trigger {
    /// The rule's index.
    pub rule: usize,
    /// The source: `device|kind|point`.
    pub key: String,
    /// Zone path of the cause.
    pub zone: String,
    /// Its device.
    pub device: Option<String>,
    /// The events that are the evidence, oldest first.
    pub evidence: Vec<u64>,
    /// How long the condition had lasted, ms (held rules).
    pub held_ms: Option<i64>,
}

#[derive(Debug, Clone)]
struct Held {
    since_ms: i64,
    seq: u64,
    zone: String,
    device: Option<String>,
}

/// The rules and what they have seen.
#[derive(Debug, Default)]
pub struct Triggers {
    rules: Vec<HazardRule>,
    /// Conditions of held rules now begun: (rule, key).
    held: HashMap<(usize, String), Held>,
    /// Recent events of repeat rules: (rule, key) → (time, seq).
    recent: HashMap<(usize, String), VecDeque<(i64, u64)>>,
    /// Every matching condition now begun, by key.
    active: HashSet<String>,
}

fn matches(rule: &HazardRule, e: &Event) -> bool {
    let kind = e.body.kind.as_str();
    let kind_ok = rule.kinds.iter().any(|k| match k.strip_suffix(".*") {
        Some(family) => kind.split('.').next() == Some(family),
        None => k == kind,
    });
    kind_ok
        && rule
            .attrs
            .iter()
            .all(|(k, v)| e.body.label(k).as_deref() == Some(v.as_str()))
}

impl Triggers {
    /// Over `rules`.
    pub fn new(rules: Vec<HazardRule>) -> Self {
        Triggers {
            rules,
            ..Default::default()
        }
    }

    /// The rules.
    pub fn rules(&self) -> &[HazardRule] {
        &self.rules
    }

    /// Whether condition `key` is begun now.
    pub fn active(&self, key: &str) -> bool {
        self.active.contains(key)
    }

    /// Take a device event in; the repeat rules it fires.
    pub fn on_event(&mut self, e: &Event) -> Vec<Trigger> {
        if e.body.device.is_none() {
            return Vec::new();
        }
        let mut out = Vec::new();
        for (i, rule) in self.rules.iter().enumerate() {
            // A rule with `until` kinds holds a condition of facts without a
            // phase (`device.offline` until `device.online`): its kinds
            // begin it, those end it, keyed by its first kind.
            let paired = !rule.until.is_empty();
            let (phase, key) = if matches(rule, e) {
                let phase = if paired {
                    Some(Phase::Begin)
                } else {
                    e.body.phase
                };
                let first = rule
                    .kinds
                    .first()
                    .map_or(e.body.kind.as_str(), String::as_str);
                let kind = if paired { first } else { e.body.kind.as_str() };
                (phase, Policy::key(&e.body, kind))
            } else if paired && rule.until.contains(&e.body.kind) {
                let first = rule
                    .kinds
                    .first()
                    .map_or(e.body.kind.as_str(), String::as_str);
                (Some(Phase::End), Policy::key(&e.body, first))
            } else {
                continue;
            };
            let slot = (i, key.clone());
            if rule.held_s.is_some() {
                match phase {
                    Some(Phase::Begin) => {
                        self.held.entry(slot.clone()).or_insert(Held {
                            since_ms: e.time_ms,
                            seq: e.seq,
                            zone: e.body.zone.clone(),
                            device: e.body.device.clone(),
                        });
                    }
                    Some(Phase::End) => {
                        self.held.remove(&slot);
                    }
                    _ => {}
                }
            }
            match phase {
                Some(Phase::Begin) => {
                    self.active.insert(key.clone());
                }
                Some(Phase::End) => {
                    self.active.remove(&key);
                }
                _ => {}
            }
            if let Some(n) = rule.repeats
                && phase != Some(Phase::End)
            {
                let q = self.recent.entry(slot).or_default();
                q.push_back((e.time_ms, e.seq));
                while q.front().is_some_and(|(t, _)| *t <= e.time_ms - DAY_MS) {
                    q.pop_front();
                }
                if q.len() >= n as usize {
                    out.push(Trigger {
                        rule: i,
                        key: key.clone(),
                        zone: e.body.zone.clone(),
                        device: e.body.device.clone(),
                        evidence: q.iter().map(|(_, s)| *s).collect(),
                        held_ms: None,
                    });
                    q.clear();
                }
            }
        }
        out
    }

    /// Conditions held past their rule's time at `now_ms`.
    pub fn due(&self, now_ms: i64) -> Vec<Trigger> {
        let mut out: Vec<Trigger> = self
            .held
            .iter()
            .filter_map(|((i, key), h)| {
                let held_s = self.rules[*i].held_s?;
                let held_ms = now_ms - h.since_ms;
                (held_ms >= (held_s as i64).saturating_mul(1000)).then(|| Trigger {
                    rule: *i,
                    key: key.clone(),
                    zone: h.zone.clone(),
                    device: h.device.clone(),
                    evidence: vec![h.seq],
                    held_ms: Some(held_ms),
                })
            })
            .collect();
        out.sort_by_key(|t| t.evidence.first().copied());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bus::{Level, NewEvent};

    fn ev(seq: u64, t: i64, phase: Option<Phase>, fault: &str) -> Event {
        let mut b = NewEvent::new("fire.fault", "campus/canteen")
            .device("fp-canteen")
            .level(Level::Yellow)
            .attr("fault", fault);
        b.phase = phase;
        Event {
            seq,
            time_ms: t,
            site: "s".into(),
            body: b,
        }
    }

    fn rule(held_s: Option<u64>, repeats: Option<u32>) -> HazardRule {
        HazardRule {
            id: "r".into(),
            kinds: vec!["fire.*".into()],
            attrs: [("fault".to_owned(), "main_power".to_owned())].into(),
            until: Vec::new(),
            held_s,
            repeats,
            category: "fire".into(),
            level: Default::default(),
            description: None,
        }
    }

    #[test]
    fn a_camera_offline_until_online_is_a_held_condition() {
        let mut t = Triggers::new(vec![HazardRule {
            id: "camera-offline".into(),
            kinds: vec!["device.offline".into()],
            attrs: Default::default(),
            until: vec!["device.online".into()],
            held_s: Some(600),
            repeats: None,
            category: "security".into(),
            level: Default::default(),
            description: None,
        }]);
        let at = |seq: u64, ms: i64, kind: &str| Event {
            seq,
            time_ms: ms,
            site: "s".into(),
            body: NewEvent::new(kind, "campus/canteen").device("cam-canteen-1"),
        };
        t.on_event(&at(1, 0, "device.offline"));
        let key = Policy::key(&at(1, 0, "device.offline").body, "device.offline");
        assert!(t.active(&key));
        assert!(t.due(599_000).is_empty());
        assert_eq!(t.due(600_000).len(), 1);
        // Back online: the condition ends, under the same key.
        t.on_event(&at(2, 700_000, "device.online"));
        assert!(!t.active(&key));
        assert!(t.due(900_000).is_empty());
    }

    #[test]
    fn a_condition_held_past_its_time_is_due_and_its_end_forgets_it() {
        let mut t = Triggers::new(vec![rule(Some(60), None)]);
        t.on_event(&ev(1, 0, Some(Phase::Begin), "main_power"));
        t.on_event(&ev(2, 0, Some(Phase::Begin), "battery"));
        assert!(t.due(59_999).is_empty());
        let due = t.due(60_000);
        assert_eq!(due.len(), 1, "only the main power fault matches");
        assert_eq!(
            (due[0].evidence.clone(), due[0].held_ms),
            (vec![1], Some(60_000))
        );
        assert!(t.active("fp-canteen|fire.fault|main_power"));
        t.on_event(&ev(3, 70_000, Some(Phase::End), "main_power"));
        assert!(t.due(80_000).is_empty());
        assert!(!t.active("fp-canteen|fire.fault|main_power"));
    }

    #[test]
    fn repeats_within_a_day_fire_once_per_count() {
        let mut t = Triggers::new(vec![rule(None, Some(3))]);
        let hour = 3_600_000;
        assert!(
            t.on_event(&ev(1, 0, Some(Phase::Begin), "main_power"))
                .is_empty()
        );
        t.on_event(&ev(2, hour, Some(Phase::End), "main_power"));
        assert!(
            t.on_event(&ev(3, 2 * hour, Some(Phase::Begin), "main_power"))
                .is_empty()
        );
        // The first is more than a day old by the third: not yet three.
        assert!(
            t.on_event(&ev(4, 25 * hour, Some(Phase::Begin), "main_power"))
                .is_empty()
        );
        let fired = t.on_event(&ev(
            5,
            25 * hour + hour / 2,
            Some(Phase::Begin),
            "main_power",
        ));
        assert_eq!(fired.len(), 1);
        assert_eq!(fired[0].evidence, [3, 4, 5]);
    }
}
