//! The campus vehicle rules (车辆管控), in the hub rather than in a driver:
//! pair each car's entry and exit by plate, raise `vehicle.overstay` when a
//! car stays past its zone's limit for its category, and record blocklisted
//! plates and speeding as `vehicle.violation`s. A projection of the log
//! (`vehicle.passage`, `vehicle.plate`, `vehicle.speeding` and the rules' own
//! events), replayed at start, so a restart keeps the cars present.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

use crate::bus::{Event, Level, NewEvent, Phase, format_ms};
use crate::config::VehicleLimit;
use crate::projection::{Projection, Rules, Views};

/// A car inside.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Present {
    /// Plate.
    pub plate: String,
    /// Plate colour.
    pub plate_color: Option<String>,
    /// `staff`, `visitor`, `unknown`, …
    pub category: String,
    /// Zone of the gate it came through.
    pub zone: String,
    /// The gate.
    pub gate: Option<String>,
    /// When it came in, ms.
    #[serde(skip)]
    pub since_ms: i64,
    /// Whether the overstay condition is raised.
    pub overstay: bool,
}

/// The rules' state: a function of the events applied.
#[derive(Debug, Default)]
pub struct VehicleState {
    present: HashMap<String, Present>,
    /// Seqs of causes already judged (a replay must not judge twice).
    judged: std::collections::HashSet<u64>,
    /// How long a car may stay (zones as paths), for the live rules.
    limits: Arc<[VehicleLimit]>,
}

fn text(e: &Event, key: &str) -> Option<String> {
    e.body.label(key)
}

fn int(e: &Event, key: &str) -> Option<i64> {
    e.body.int(key)
}

impl VehicleState {
    /// Take one event into account; returns the violations it causes (only
    /// for events not judged before). One arm per event kind the rules read.
    pub fn apply(&mut self, e: &Event) -> Vec<NewEvent> {
        let b = &e.body;
        match b.kind.as_str() {
            "vehicle.passage" => {
                let (Some(plate), Some(passage)) = (text(e, "plate"), text(e, "passage")) else {
                    return Vec::new();
                };
                if passage == "entry" {
                    self.present.entry(plate.clone()).or_insert(Present {
                        plate,
                        plate_color: text(e, "plate_color"),
                        category: text(e, "category").unwrap_or_else(|| "unknown".into()),
                        zone: b.zone.clone(),
                        gate: b.device.clone(),
                        since_ms: e.time_ms,
                        overstay: false,
                    });
                    Vec::new()
                } else {
                    match self.present.remove(&plate) {
                        // The overstay condition ends when the car leaves.
                        Some(p) if p.overstay => {
                            let mut end = NewEvent::new("vehicle.overstay", &p.zone)
                                .attr("plate", p.plate.clone())
                                .attr("category", p.category.clone())
                                .message(format!(
                                    "{} left after {}",
                                    p.plate,
                                    stay(e.time_ms - p.since_ms)
                                ));
                            end.phase = Some(Phase::End);
                            end.correlation = Some(format!("stay-{}-{}", p.plate, p.since_ms));
                            // Leaving is judged once, like any cause.
                            if self.judged.insert(e.seq) {
                                vec![end]
                            } else {
                                Vec::new()
                            }
                        }
                        _ => Vec::new(),
                    }
                }
            }
            "vehicle.plate"
                if text(e, "list").as_deref() == Some("blockList")
                    || text(e, "category").as_deref() == Some("blocked") =>
            {
                self.violation(
                    e,
                    "blocklisted",
                    format!(
                        "blocklisted plate {} seen",
                        text(e, "plate").unwrap_or_default()
                    ),
                )
            }
            "vehicle.speeding" => {
                let msg = format!(
                    "{} at {} km/h (limit {})",
                    text(e, "plate").unwrap_or_default(),
                    int(e, "speed_kmh").unwrap_or(0),
                    int(e, "limit_kmh").unwrap_or(0)
                );
                self.violation(e, "speeding", msg)
            }
            "vehicle.violation" => {
                // The rules' own record: its cause is judged.
                if let Some(c) = int(e, "cause") {
                    self.judged.insert(c as u64);
                }
                Vec::new()
            }
            "vehicle.overstay" => {
                if let (Some(plate), Some(Phase::Begin)) = (text(e, "plate"), b.phase)
                    && let Some(p) = self.present.get_mut(&plate)
                {
                    p.overstay = true;
                }
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    fn violation(&mut self, e: &Event, reason: &str, message: String) -> Vec<NewEvent> {
        if !self.judged.insert(e.seq) {
            return Vec::new();
        }
        let mut v = NewEvent::new("vehicle.violation", &e.body.zone)
            .level(Level::Orange)
            .attr("reason", reason)
            .attr("cause", e.seq)
            .message(message);
        for k in [
            "plate",
            "plate_color",
            "category",
            "speed_kmh",
            "limit_kmh",
            "lane",
        ] {
            if let Some(a) = e.body.attrs.get(k) {
                v.attrs.insert(k.to_owned(), a.clone());
            }
        }
        v.device = e.body.device.clone();
        v.correlation = Some(format!("violation-{}", e.seq));
        vec![v]
    }

    /// Cars whose stay passed their limit at `now` and were not reported.
    pub fn due(&mut self, now_ms: i64, limits: &[VehicleLimit]) -> Vec<NewEvent> {
        let mut out = Vec::new();
        let mut plates: Vec<String> = self.present.keys().cloned().collect();
        plates.sort();
        for plate in plates {
            let Some(p) = self.present.get_mut(&plate) else {
                continue;
            };
            if p.overstay {
                continue;
            }
            let Some(limit) = limit_for(limits, &p.zone, &p.category) else {
                continue;
            };
            if now_ms - p.since_ms < limit as i64 * 1000 {
                continue;
            }
            p.overstay = true;
            let mut e = NewEvent::new("vehicle.overstay", &p.zone)
                .level(Level::Yellow)
                .attr("plate", p.plate.clone())
                .attr("category", p.category.clone())
                .attr("since", format_ms(p.since_ms))
                .attr("limit_s", limit)
                .message(format!(
                    "{} ({}) came in at {} and is still inside after {}",
                    p.plate,
                    p.category,
                    format_ms(p.since_ms),
                    humantime::format_duration(Duration::from_secs(limit))
                ));
            e.phase = Some(Phase::Begin);
            e.device = p.gate.clone();
            e.correlation = Some(format!("stay-{}-{}", p.plate, p.since_ms));
            out.push(e);
        }
        out
    }

    /// Cars inside, oldest first.
    pub fn present(&self) -> Vec<Present> {
        let mut v: Vec<Present> = self.present.values().cloned().collect();
        v.sort_by(|a, b| (a.since_ms, &a.plate).cmp(&(b.since_ms, &b.plate)));
        v
    }
}

fn stay(ms: i64) -> String {
    humantime::format_duration(Duration::from_secs((ms.max(0) / 1000) as u64)).to_string()
}

/// The limit for a car of `category` in `zone`: the rule with the deepest
/// zone that contains it (a rule without a zone covers every zone).
pub fn limit_for(limits: &[VehicleLimit], zone: &str, category: &str) -> Option<u64> {
    limits
        .iter()
        .filter(|l| l.category == category)
        .filter(|l| match &l.zone {
            None => true,
            Some(z) => twinwall_base::zone_within(zone, z),
        })
        .max_by_key(|l| l.zone.as_ref().map_or(0, |z| z.len() + 1))
        .map(|l| l.overstay_s)
        .filter(|s| *s > 0)
}

impl Rules for VehicleState {
    const NAME: &'static str = "vehicle rules";

    fn on_event(&mut self, e: &Event) -> Vec<NewEvent> {
        self.apply(e)
    }

    fn on_tick(&mut self, now_ms: i64) -> Vec<NewEvent> {
        let limits = self.limits.clone();
        self.due(now_ms, &limits)
    }

    /// A violation, or an overstay's end (its begin is made on the clock,
    /// never during a replay).
    fn verdict_key(&self, b: &NewEvent) -> Option<String> {
        let own = match b.kind.as_str() {
            "vehicle.violation" => true,
            "vehicle.overstay" => b.phase == Some(Phase::End),
            _ => false,
        };
        if !own {
            return None;
        }
        Some(format!("{}/{}", b.kind, b.correlation.as_deref()?))
    }
}

/// The live vehicle rules, fed by the bus.
#[derive(Clone)]
pub struct Vehicles(Projection<VehicleState>);

impl Vehicles {
    /// The vehicle rules among the hub's `views` (which replay the log into
    /// them and follow it); violations and overstays written as they come.
    /// `limits` use zone paths.
    pub fn new(views: &mut Views, limits: Vec<VehicleLimit>) -> Self {
        let state = VehicleState {
            limits: limits.into(),
            ..VehicleState::default()
        };
        Vehicles(views.add(state, Duration::from_millis(500)))
    }

    /// Whether the replay has caught up.
    pub fn ready(&self) -> bool {
        self.0.ready()
    }

    /// Read the state.
    pub fn with<R>(&self, f: impl FnOnce(&VehicleState) -> R) -> R {
        self.0.with(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bus::AttrValue;
    use crate::bus::{Bus, Filter};
    use crate::clock::Clock;

    fn ev(seq: u64, t: i64, kind: &str, attrs: &[(&str, &str)]) -> Event {
        let mut b = NewEvent::new(kind, "campus/gate-north").device("bg-1");
        for (k, v) in attrs {
            b = b.attr(k, *v);
        }
        Event {
            seq,
            time_ms: t,
            site: "s".into(),
            body: b,
        }
    }

    #[test]
    fn entries_exits_overstays_and_violations_with_a_driven_clock() {
        let limits = vec![
            VehicleLimit {
                zone: None,
                category: "unknown".into(),
                overstay_s: 3600,
            },
            VehicleLimit {
                zone: Some("campus/gate-north".into()),
                category: "unknown".into(),
                overstay_s: 60,
            },
            VehicleLimit {
                zone: None,
                category: "staff".into(),
                overstay_s: 0,
            },
        ];
        assert_eq!(limit_for(&limits, "campus/gate-north", "unknown"), Some(60));
        assert_eq!(limit_for(&limits, "campus/south", "unknown"), Some(3600));
        assert_eq!(limit_for(&limits, "campus/south", "staff"), None);
        let mut s = VehicleState::default();
        s.apply(&ev(
            1,
            1_000,
            "vehicle.passage",
            &[
                ("plate", "豫A1"),
                ("passage", "entry"),
                ("category", "unknown"),
            ],
        ));
        s.apply(&ev(
            2,
            2_000,
            "vehicle.passage",
            &[
                ("plate", "豫B2"),
                ("passage", "entry"),
                ("category", "staff"),
            ],
        ));
        assert_eq!(s.present().len(), 2);
        assert!(s.due(60_000, &limits).is_empty());
        let due = s.due(61_000, &limits);
        assert_eq!(due.len(), 1);
        assert_eq!(
            due[0].attrs.get("plate"),
            Some(&AttrValue::Text("豫A1".into()))
        );
        assert!(s.due(9_999_999, &limits).is_empty(), "once");
        let out = s.apply(&ev(
            3,
            70_000,
            "vehicle.passage",
            &[("plate", "豫A1"), ("passage", "exit")],
        ));
        assert_eq!(out[0].phase, Some(Phase::End));
        assert_eq!(s.present().len(), 1);
        let v = s.apply(&ev(
            4,
            80_000,
            "vehicle.plate",
            &[("plate", "豫C3"), ("list", "blockList")],
        ));
        assert_eq!(
            v[0].attrs.get("reason"),
            Some(&AttrValue::Text("blocklisted".into()))
        );
        assert!(
            s.apply(&ev(
                4,
                80_000,
                "vehicle.plate",
                &[("plate", "豫C3"), ("list", "blockList")]
            ))
            .is_empty(),
            "judged once"
        );
        // A replay that sees the verdict after its cause does not judge again.
        let mut r = VehicleState::default();
        let cause = ev(5, 1, "vehicle.speeding", &[("plate", "豫D4")]);
        let mut verdict = ev(6, 2, "vehicle.violation", &[]);
        verdict.body = verdict.body.attr("cause", 5u64);
        r.apply(&verdict);
        assert!(r.apply(&cause).is_empty());
    }

    #[tokio::test]
    async fn a_verdict_lost_in_a_crash_is_written_after_the_replay_and_no_other_twice() {
        let dir = tempfile::tempdir().unwrap();
        let bus = Bus::open(
            dir.path(),
            crate::bus::BusOptions {
                site: "s".into(),
                flush: crate::bus::FlushPolicy::EveryBatch,
                retention: Default::default(),
            },
        )
        .unwrap();
        let plate = |kind: &str, p: &str| {
            NewEvent::new(kind, "campus/gate-north")
                .device("bg-1")
                .attr("plate", p)
                .attr("list", "blockList")
        };
        // A blocklisted car judged before the stop, and one whose verdict the
        // stop cut off.
        let judged = bus
            .append(vec![plate("vehicle.plate", "豫E5")])
            .await
            .unwrap()[0];
        let mut verdict = VehicleState::default();
        let first = verdict.apply(&bus.get(judged).unwrap().unwrap());
        bus.append(first).await.unwrap();
        let lost = bus
            .append(vec![plate("vehicle.plate", "豫F6")])
            .await
            .unwrap()[0];
        let mut views = Views::default();
        let v = Vehicles::new(&mut views, Vec::new());
        let task = views.spawn(bus.clone(), Clock::system());
        let violations = || {
            bus.query(&Filter {
                kind: Some("vehicle.violation".into()),
                ..Filter::default()
            })
            .unwrap()
            .events
        };
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while violations().len() < 2 {
            assert!(
                std::time::Instant::now() < deadline,
                "the lost verdict is written"
            );
            tokio::task::yield_now().await;
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(v.ready());
        let causes: Vec<Option<i64>> = violations().iter().map(|e| int(e, "cause")).collect();
        assert_eq!(causes, [Some(judged as i64), Some(lost as i64)]);
        task.abort();
    }
}
