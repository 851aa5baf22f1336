//! The book over a hand-written log: verdicts are read back as the hub's
//! reader would, so what a restart replays is what the live book saw.

use super::*;
use crate::bus::Phase;
use crate::config::program::HazardRule;
use crate::program::periods::Frequency;

const HOUR: i64 = 3_600_000;

/// A log in memory that feeds a book as the one reader does.
struct Log {
    events: Vec<Event>,
}

impl Log {
    fn new() -> Self {
        Log { events: Vec::new() }
    }

    fn push(&mut self, book: &mut ProgramBook, time_ms: i64, e: NewEvent) -> Vec<NewEvent> {
        let ev = Event {
            seq: self.events.len() as u64,
            time_ms,
            site: "demo".into(),
            body: e,
        };
        self.events.push(ev.clone());
        book.on_event(&ev)
    }

    /// Tick at `now`, and append what it judged.
    fn tick(&mut self, book: &mut ProgramBook, now: i64) -> Vec<NewEvent> {
        let out = book.on_tick(now);
        for v in out.clone() {
            self.push(book, now, v);
        }
        out
    }

    fn replay(&self, book: &mut ProgramBook) {
        for e in &self.events {
            book.on_event(e);
        }
    }
}

fn config() -> Arc<ProgramConfig> {
    let mut c = ProgramConfig::default();
    c.hazard_rules.push(HazardRule {
        id: "panel-power".into(),
        kinds: vec!["fire.fault".into()],
        attrs: [("fault".to_owned(), "main_power".to_owned())].into(),
        until: Vec::new(),
        held_s: Some(600),
        repeats: None,
        category: "fire".into(),
        level: Default::default(),
        description: Some("消防主机主电故障未排除".into()),
    });
    Arc::new(c)
}

fn book() -> ProgramBook {
    ProgramBook::new(
        config(),
        Calendar::new(480, &[]),
        Arc::new(|zone: &str| zone.contains("canteen").then(|| "logistics".to_owned())),
    )
}

fn fault(phase: Phase) -> NewEvent {
    let mut e = NewEvent::new("fire.fault", "campus/canteen")
        .device("fp-canteen")
        .level(Level::Yellow)
        .attr("fault", "main_power");
    e.phase = Some(phase);
    e
}

#[test]
fn a_fault_held_past_the_rule_opens_one_hazard_owned_by_the_zones_unit() {
    let (mut b, mut log) = (book(), Log::new());
    log.push(&mut b, 0, fault(Phase::Begin));
    assert!(log.tick(&mut b, 599_000).is_empty());
    let opened = log.tick(&mut b, 600_000);
    assert_eq!(opened.len(), 1);
    assert_eq!(opened[0].text("unit"), Some("logistics"));
    assert_eq!(opened[0].text("evidence"), Some("0"));
    // Nothing more while it is open, however long it lasts.
    assert!(log.tick(&mut b, 10 * HOUR).is_empty());
    let h = b.hazards().next().unwrap().clone();
    assert!(h.condition_active);
    assert_eq!(h.origin, Origin::Rule);
    // A restart replays the log: the same hazard, and nothing new.
    let mut again = book();
    log.replay(&mut again);
    assert!(again.on_tick(11 * HOUR).is_empty());
    assert_eq!(again.hazards().count(), 1);
    // The fault ends: the hazard may now be accepted.
    log.push(&mut b, 11 * HOUR, fault(Phase::End));
    assert!(!b.hazard(&h.id).unwrap().condition_active);
}

#[test]
fn a_fault_that_ends_in_time_opens_nothing() {
    let (mut b, mut log) = (book(), Log::new());
    log.push(&mut b, 0, fault(Phase::Begin));
    log.push(&mut b, 300_000, fault(Phase::End));
    assert!(log.tick(&mut b, HOUR).is_empty());
}

#[test]
fn missed_rounds_are_found_once_and_a_round_done_is_not_missed() {
    let (mut b, mut log) = (book(), Log::new());
    let cal = Calendar::new(480, &[]);
    let day = |d: &str| cal.day_start(crate::statistics::report::parse_day(d).unwrap());
    let task = NewEvent::new("inspection.task_saved", "campus/canteen")
        .attr("task", "kitchen-daily")
        .attr("point", "kitchen")
        .attr("every", "daily")
        .attr("checklist", "[\"燃气阀门关闭\"]")
        .attr("from_ms", day("2026-12-01"));
    log.push(&mut b, day("2026-12-01"), task);
    let round = NewEvent::new("inspection.round", "campus/canteen")
        .attr("task", "kitchen-daily")
        .attr("period", "2026-12-02")
        .attr("items", "[{\"item\":\"燃气阀门关闭\",\"ok\":true}]");
    log.push(&mut b, day("2026-12-02") + 9 * HOUR, round);
    let missed = log.tick(&mut b, day("2026-12-03") + 9 * HOUR);
    let periods: Vec<&str> = missed.iter().filter_map(|e| e.text("period")).collect();
    assert_eq!(periods, ["2026-12-01"]);
    assert!(log.tick(&mut b, day("2026-12-03") + 10 * HOUR).is_empty());
    assert_eq!(b.missed().len(), 1);
    assert!(b.round_of("kitchen-daily", "2026-12-02").is_some());
    assert_eq!(b.task("kitchen-daily").unwrap().every, Frequency::Daily);
}

#[test]
fn a_task_saved_late_is_owed_from_its_first_day() {
    let (mut b, mut log) = (book(), Log::new());
    let cal = Calendar::new(480, &[]);
    let day = |d: &str| cal.day_start(crate::statistics::report::parse_day(d).unwrap());
    // The book has ticked already today when the task, owed from
    // yesterday, is saved: yesterday's round is missed all the same.
    assert!(log.tick(&mut b, day("2026-12-04") + 2 * HOUR).is_empty());
    let task = NewEvent::new("inspection.task_saved", "campus/chem-north")
        .attr("task", "lab-daily")
        .attr("point", "lab")
        .attr("every", "daily")
        .attr("checklist", "[\"通风橱运行\"]")
        .attr("from_ms", day("2026-12-03"));
    log.push(&mut b, day("2026-12-04") + 2 * HOUR, task);
    let missed = log.tick(&mut b, day("2026-12-04") + 2 * HOUR + 1_000);
    let periods: Vec<&str> = missed.iter().filter_map(|e| e.text("period")).collect();
    assert_eq!(periods, ["2026-12-03"]);
    assert!(log.tick(&mut b, day("2026-12-04") + 3 * HOUR).is_empty());
}

#[test]
fn a_zones_colour_is_its_worst_points_level() {
    let (mut b, mut log) = (book(), Log::new());
    let save = |id: &str, zone: &str, l: f64| {
        let input = PointInput {
            id: id.into(),
            name: id.into(),
            zone: zone.into(),
            unit: None,
            sources: vec![],
            assessment: Some(crate::program::risk_level::RiskAssessment::Lec { l, e: 6.0, c: 7.0 }),
            measures: vec![],
            devices: vec![],
            review_every_days: None,
        };
        NewEvent::new("risk.point_saved", zone)
            .attr("point", id)
            .attr("record", serde_json::to_string(&input).unwrap().as_str())
    };
    log.push(&mut b, 0, save("lab-301", "campus/chem-north/f3", 6.0));
    log.push(&mut b, 0, save("store", "campus/chem-north", 1.0));
    assert_eq!(b.zone_level("campus/chem-north"), Some(Level::Orange));
    assert_eq!(b.zone_level("campus/chem-north/f3"), Some(Level::Orange));
    assert_eq!(b.zone_level("campus"), Some(Level::Orange));
    assert_eq!(b.zone_level("campus/library"), None);
    // Unreviewed for a year: one review-due verdict.
    let due = log.tick(&mut b, 366 * 24 * HOUR);
    assert_eq!(
        due.iter().filter(|e| e.kind == "risk.review_due").count(),
        2
    );
    assert!(log.tick(&mut b, 367 * 24 * HOUR).is_empty());
}
