//! The people view (访客出入 and head counts): who came in and went out, per
//! zone and category, and which visitors are still on campus and overdue.
//! It is a projection of the bus (`access.granted` with a direction, and its
//! own `people.visitor_overdue` events), rebuilt by replaying the log at
//! start, so it holds no state that the log cannot give back.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use serde::Serialize;

use crate::bus::{Event, Level, NewEvent, Phase, format_ms};
use crate::projection::{Projection, Rules, Views};

/// A visitor on campus.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Visit {
    /// Id on the gate.
    pub person_id: String,
    /// Name.
    pub name: Option<String>,
    /// Zone of the gate they came through.
    pub zone: String,
    /// Gate.
    pub device: Option<String>,
    /// When they came in, ms.
    #[serde(skip)]
    pub since_ms: i64,
    /// Whether the overdue condition was raised.
    pub overdue: bool,
}

/// Passages in and out.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Counts {
    /// Entries.
    #[serde(rename = "in")]
    pub entered: u64,
    /// Exits.
    #[serde(rename = "out")]
    pub left: u64,
}

/// The projection's state: a pure function of the events applied.
#[derive(Debug, Default)]
pub struct PeopleState {
    counts: BTreeMap<(String, String), Counts>,
    visitors: HashMap<String, Visit>,
    /// How long a visitor may stay before being overdue (for the live view).
    limit: Duration,
}

fn text(e: &Event, key: &str) -> Option<String> {
    e.body.label(key)
}

impl PeopleState {
    /// Take one event of the log into account.
    pub fn apply(&mut self, e: &Event) {
        match e.body.kind.as_str() {
            "access.granted" => {
                let Some(dir) = text(e, "direction") else {
                    return;
                };
                let category = text(e, "category").unwrap_or_else(|| "unknown".into());
                let c = self
                    .counts
                    .entry((e.body.zone.clone(), category.clone()))
                    .or_default();
                match dir.as_str() {
                    "in" => c.entered += 1,
                    "out" => c.left += 1,
                    _ => return,
                }
                let Some(id) = text(e, "person_id") else {
                    return;
                };
                if category == "visitor" {
                    if dir == "in" {
                        self.visitors.entry(id.clone()).or_insert(Visit {
                            person_id: id,
                            name: text(e, "name"),
                            zone: e.body.zone.clone(),
                            device: e.body.device.clone(),
                            since_ms: e.time_ms,
                            overdue: false,
                        });
                    } else {
                        self.visitors.remove(&id);
                    }
                }
            }
            "people.visitor_overdue" => {
                if let (Some(id), Some(Phase::Begin)) = (text(e, "person_id"), e.body.phase)
                    && let Some(v) = self.visitors.get_mut(&id)
                {
                    v.overdue = true;
                }
            }
            _ => {}
        }
    }

    /// Visitors whose stay passed `limit` at `now` and were not reported yet:
    /// the events that say so (and they are marked reported).
    pub fn due(&mut self, now_ms: i64, limit: Duration) -> Vec<NewEvent> {
        let limit_ms = limit.as_millis() as i64;
        let mut out = Vec::new();
        let mut ids: Vec<&String> = self.visitors.keys().collect();
        ids.sort();
        let ids: Vec<String> = ids.into_iter().cloned().collect();
        for id in ids {
            let Some(v) = self.visitors.get_mut(&id) else {
                continue;
            };
            if v.overdue || now_ms - v.since_ms < limit_ms {
                continue;
            }
            v.overdue = true;
            let mut e = NewEvent::new("people.visitor_overdue", &v.zone)
                .level(Level::Yellow)
                .attr("person_id", v.person_id.clone())
                .attr("since", format_ms(v.since_ms))
                .attr("limit_s", limit.as_secs())
                .message(format!(
                    "visitor {} ({}) came in at {} and is still on campus after {}",
                    v.name.as_deref().unwrap_or("?"),
                    v.person_id,
                    format_ms(v.since_ms),
                    humantime::format_duration(limit)
                ));
            e.phase = Some(Phase::Begin);
            if let Some(n) = &v.name {
                e = e.attr("name", n.clone());
            }
            if let Some(d) = &v.device {
                e = e.attr("gate", d.clone());
            }
            out.push(e);
        }
        out
    }

    /// Counts per (zone, category), for zones at or below `zone`.
    pub fn counts(&self, zone: Option<&str>) -> Vec<(String, String, Counts)> {
        self.counts
            .iter()
            .filter(|((z, _), _)| zone.is_none_or(|q| within(z, q)))
            .map(|((z, c), n)| (z.clone(), c.clone(), *n))
            .collect()
    }

    /// Visitors present, oldest first.
    pub fn visitors(&self) -> Vec<Visit> {
        let mut v: Vec<Visit> = self.visitors.values().cloned().collect();
        v.sort_by_key(|x| (x.since_ms, x.person_id.clone()));
        v
    }
}

use twinwall_base::zone_within as within;

impl Rules for PeopleState {
    const NAME: &'static str = "people";

    fn on_event(&mut self, e: &Event) -> Vec<NewEvent> {
        self.apply(e);
        Vec::new()
    }

    fn on_tick(&mut self, now_ms: i64) -> Vec<NewEvent> {
        self.due(now_ms, self.limit)
    }

    /// Overdue visitors are raised on the clock only once caught up, so a
    /// replay makes none.
    fn verdict_key(&self, _: &NewEvent) -> Option<String> {
        None
    }
}

/// The live people view, fed by the bus.
#[derive(Clone)]
pub struct People {
    view: Projection<PeopleState>,
    limit: Duration,
}

impl People {
    /// The people view among the hub's `views` (which replay the log into
    /// it and follow it); overdue visitors raised as time passes.
    pub fn new(views: &mut Views, limit: Duration) -> Self {
        let state = PeopleState {
            limit,
            ..PeopleState::default()
        };
        let view = views.add(state, Duration::from_secs(1));
        People { view, limit }
    }

    /// Whether the replay of the log has caught up.
    pub fn ready(&self) -> bool {
        self.view.ready()
    }

    /// The overdue limit.
    pub fn limit(&self) -> Duration {
        self.limit
    }

    /// Read the state.
    pub fn with<R>(&self, f: impl FnOnce(&PeopleState) -> R) -> R {
        self.view.with(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bus::AttrValue;

    fn pass(seq: u64, t: i64, id: &str, category: &str, dir: &str) -> Event {
        Event {
            seq,
            time_ms: t,
            site: "s".into(),
            body: NewEvent::new("access.granted", "campus/gate-north")
                .device("gate-1")
                .attr("person_id", id)
                .attr("category", category)
                .attr("direction", dir)
                .attr("name", "王伟"),
        }
    }

    #[test]
    fn counts_visitors_and_overdue_with_a_driven_clock() {
        let mut s = PeopleState::default();
        s.apply(&pass(0, 1000, "T1", "staff", "in"));
        s.apply(&pass(1, 2000, "V1", "visitor", "in"));
        s.apply(&pass(2, 3000, "V2", "visitor", "in"));
        s.apply(&pass(3, 4000, "V2", "visitor", "out"));
        let c = s.counts(Some("campus"));
        assert!(c.contains(&(
            "campus/gate-north".into(),
            "visitor".into(),
            Counts {
                entered: 2,
                left: 1
            }
        )));
        assert_eq!(s.visitors().len(), 1);
        let limit = Duration::from_secs(60);
        assert!(s.due(2000 + 59_000, limit).is_empty());
        let due = s.due(2000 + 60_000, limit);
        assert_eq!(due.len(), 1);
        assert_eq!(
            due[0].attrs.get("person_id"),
            Some(&AttrValue::Text("V1".into()))
        );
        assert!(s.due(10_000_000, limit).is_empty(), "reported once");
        // A replay that sees the overdue event does not raise it again.
        let mut r = PeopleState::default();
        r.apply(&pass(1, 2000, "V1", "visitor", "in"));
        let mut ev = due[0].clone();
        ev.phase = Some(Phase::Begin);
        r.apply(&Event {
            seq: 9,
            time_ms: 62_000,
            site: "s".into(),
            body: ev,
        });
        assert!(r.due(10_000_000, limit).is_empty());
        assert!(s.counts(Some("campus/other")).is_empty());
    }
}
