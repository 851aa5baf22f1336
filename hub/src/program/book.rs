//! The program's book: a view of the log holding the risk register, the
//! inspection tasks and rounds, the hazards and the assessment's entries,
//! and judging on a clock what the program's rules say is due: hazards
//! opened from device data, overdue hazards escalated, rounds missed,
//! reviews overdue.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use super::hazard::{Hazard, HazardState, Origin};
use super::inspection::{ItemResult, Missed, Round, Task};
use super::periods::Calendar;
use super::register::{PointInput, RiskPoint};
use super::triggers::{Trigger, Triggers};
use crate::bus::{Event, Level, NewEvent, format_ms};
use crate::config::program::ProgramConfig;
use crate::projection::Rules;

/// A verdict written but not read back yet is written again after this.
const PENDING_MS: i64 = 30_000;
/// Missed rounds one task reports in one tick (the rest on the next ones).
const MISSED_PER_TICK: usize = 50;
const DAY_MS: i64 = 86_400_000;

/// The unit answering for a zone path (the deepest unit whose zones hold it).
pub type UnitOfZone = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// An item of the assessment the program office entered by hand (a
/// leadership group not formed, training not held), with its evidence.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Entry {
    /// The unit.
    pub unit: String,
    /// The term.
    pub term: String,
    /// The plan's article (`第五条`).
    pub article: String,
    /// Points deducted.
    pub points: i64,
    /// Why.
    pub reason: String,
    /// Who entered it.
    pub by: Option<String>,
    /// The event (its photos are the evidence).
    pub seq: u64,
    /// When, ms.
    pub time_ms: i64,
}

/// The program's objects.
pub struct ProgramBook {
    config: Arc<ProgramConfig>,
    calendar: Calendar,
    unit_of_zone: UnitOfZone,
    points: BTreeMap<String, RiskPoint>,
    tasks: BTreeMap<String, Task>,
    rounds: Vec<Round>,
    done: HashMap<(String, String), usize>,
    missed: Vec<Missed>,
    missed_keys: HashSet<(String, String)>,
    hazards: BTreeMap<u64, Hazard>,
    /// A phone's own id of a report or round → what it made, so a resend
    /// after a dropped connection makes nothing twice.
    clients: HashMap<String, String>,
    triggers: Triggers,
    /// (rule, source) → the open hazard it made.
    by_rule: HashMap<(String, String), u64>,
    entries: Vec<Entry>,
    /// (rule, source, cause) of rule hazards cancelled as not hazards: the
    /// same condition does not open another.
    dismissed: HashSet<(String, String, u64)>,
    review_flagged: HashSet<(String, i64)>,
    pending: HashMap<String, i64>,
    /// Missed rounds are looked for in periods that ended after this…
    checked_until_ms: i64,
    /// …but for tasks saved (or replayed) since the last tick, from their
    /// first day: a task owed from yesterday has missed yesterday's round.
    unchecked_tasks: HashSet<String>,
    /// Tasks with more missed rounds than one tick reports.
    unchecked_next: Vec<String>,
}

/// A phone's own id for what it sent, as the sender's: one person's ids
/// never answer another's.
fn client_key(actor: &str, client_id: &str) -> String {
    format!("{actor}\u{1f}{client_id}")
}

fn id_seq(id: &str) -> Option<u64> {
    id.strip_prefix("HZ")?.parse().ok()
}

impl ProgramBook {
    /// An empty book.
    pub fn new(config: Arc<ProgramConfig>, calendar: Calendar, unit_of_zone: UnitOfZone) -> Self {
        ProgramBook {
            triggers: Triggers::new(config.hazard_rules.clone()),
            config,
            calendar,
            unit_of_zone,
            points: BTreeMap::new(),
            tasks: BTreeMap::new(),
            rounds: Vec::new(),
            done: HashMap::new(),
            missed: Vec::new(),
            missed_keys: HashSet::new(),
            hazards: BTreeMap::new(),
            clients: HashMap::new(),
            by_rule: HashMap::new(),
            entries: Vec::new(),
            dismissed: HashSet::new(),
            review_flagged: HashSet::new(),
            pending: HashMap::new(),
            checked_until_ms: 0,
            unchecked_tasks: HashSet::new(),
            unchecked_next: Vec::new(),
        }
    }

    /// The settings.
    pub fn config(&self) -> &ProgramConfig {
        &self.config
    }

    /// The site's calendar.
    pub fn calendar(&self) -> &Calendar {
        &self.calendar
    }

    /// The unit answering for zone path `zone`.
    pub fn unit_of_zone(&self, zone: &str) -> Option<String> {
        (self.unit_of_zone)(zone)
    }

    /// The reviews that fell due undone (`risk.review_due`): point and due ms.
    pub fn review_lapses(&self) -> impl Iterator<Item = &(String, i64)> {
        self.review_flagged.iter()
    }

    /// Every risk point.
    pub fn points(&self) -> impl Iterator<Item = &RiskPoint> {
        self.points.values()
    }

    /// One risk point.
    pub fn point(&self, id: &str) -> Option<&RiskPoint> {
        self.points.get(id)
    }

    /// Every task.
    pub fn tasks(&self) -> impl Iterator<Item = &Task> {
        self.tasks.values()
    }

    /// One task.
    pub fn task(&self, id: &str) -> Option<&Task> {
        self.tasks.get(id)
    }

    /// Every round, oldest first.
    pub fn rounds(&self) -> &[Round] {
        &self.rounds
    }

    /// The round of `task` in `period`.
    pub fn round_of(&self, task: &str, period: &str) -> Option<&Round> {
        self.done
            .get(&(task.to_owned(), period.to_owned()))
            .and_then(|i| self.rounds.get(*i))
    }

    /// Every missed round, oldest first.
    pub fn missed(&self) -> &[Missed] {
        &self.missed
    }

    /// Every hazard, oldest first.
    pub fn hazards(&self) -> impl Iterator<Item = &Hazard> {
        self.hazards.values()
    }

    /// One hazard.
    pub fn hazard(&self, id: &str) -> Option<&Hazard> {
        self.hazards.get(&id_seq(id)?)
    }

    /// What a phone's report or round id made, if it was taken.
    pub fn client(&self, actor: &str, client_id: &str) -> Option<&str> {
        self.clients
            .get(&client_key(actor, client_id))
            .map(String::as_str)
    }

    /// The entered items of the assessment.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// A zone's level on the four-colour map: the worst of its assessed
    /// points and those of the zones inside it; `None` when it has none.
    pub fn zone_level(&self, zone: &str) -> Option<Level> {
        self.points
            .values()
            .filter(|p| twinwall_base::zone_within(&p.input.zone, zone))
            .filter_map(|p| p.level)
            .max()
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

    fn take_point(&mut self, e: &Event) {
        let b = &e.body;
        let Some(input) = b
            .text("record")
            .and_then(|r| serde_json::from_str::<PointInput>(r).ok())
        else {
            tracing::warn!(
                seq = e.seq,
                "risk.point_saved without a readable record: skipped"
            );
            return;
        };
        let unit = b.text("unit").map(str::to_owned);
        let mut p = RiskPoint::new(input, unit, &self.config, e.time_ms, e.seq, b.actor.clone());
        // Saving it again is not its review: the last review stands.
        if let Some(before) = self.points.get(&p.input.id) {
            p.reviewed(before.reviewed_ms, &self.config);
        }
        self.points.insert(p.input.id.clone(), p);
    }

    fn take_task(&mut self, e: &Event) {
        let b = &e.body;
        let (Some(id), Some(point)) = (b.text("task"), b.text("point")) else {
            return;
        };
        let checklist: Vec<String> = b
            .text("checklist")
            .and_then(|c| serde_json::from_str(c).ok())
            .unwrap_or_default();
        let every = b
            .text("every")
            .and_then(super::periods::Frequency::parse)
            .unwrap_or(super::periods::Frequency::Daily);
        let t = Task {
            id: id.to_owned(),
            point: point.to_owned(),
            zone: b.zone.clone(),
            name: b.text("name").unwrap_or(id).to_owned(),
            checklist,
            every,
            unit: b.text("unit").map(str::to_owned),
            from_ms: b.int("from_ms").unwrap_or(e.time_ms),
            saved_by: b.actor.clone(),
        };
        self.unchecked_tasks.insert(t.id.clone());
        self.tasks.insert(t.id.clone(), t);
    }

    fn take_round(&mut self, e: &Event) {
        let b = &e.body;
        let (Some(task), Some(period)) = (b.text("task"), b.text("period")) else {
            return;
        };
        let items: Vec<ItemResult> = b
            .text("items")
            .and_then(|c| serde_json::from_str(c).ok())
            .unwrap_or_default();
        let id = format!("R{}", e.seq);
        if let Some(c) = b.text("client_id") {
            let k = client_key(b.actor.as_deref().unwrap_or_default(), c);
            self.clients.insert(k, id.clone());
        }
        let key = (task.to_owned(), period.to_owned());
        self.rounds.push(Round {
            id,
            task: task.to_owned(),
            period: period.to_owned(),
            zone: b.zone.clone(),
            by: b.actor.clone(),
            time_ms: b.int("done_ms").unwrap_or(e.time_ms),
            items,
            hazards: Vec::new(),
            media: b.media.clone(),
        });
        self.done.entry(key).or_insert(self.rounds.len() - 1);
    }

    fn take_hazard(&mut self, e: &Event) {
        let mut h = Hazard::opened(e);
        if let Some(c) = e.body.text("client_id") {
            let k = client_key(e.body.actor.as_deref().unwrap_or_default(), c);
            self.clients.insert(k, h.id.clone());
        }
        if let Some((task, period)) = &h.round
            && let Some(i) = self.done.get(&(task.clone(), period.clone()))
            && let Some(r) = self.rounds.get_mut(*i)
        {
            r.hazards.push(h.id.clone());
        }
        if h.origin == Origin::Rule
            && let (Some(rule), Some(key)) = (h.rule.clone(), h.condition.clone())
        {
            h.condition_active = self.triggers.active(&key);
            self.pending.remove(&format!(
                "rule|{rule}|{key}|{}",
                h.evidence.first().copied().unwrap_or_default()
            ));
            // A verdict written again (its first not read back in time)
            // is the same hazard: the first one stands.
            if let Some(first) = self.by_rule.get(&(rule.clone(), key.clone()))
                && self.hazards.get(first).is_some_and(|x| x.state.open())
            {
                tracing::warn!(
                    seq = e.seq,
                    first,
                    rule,
                    "a second hazard.opened for an open rule hazard: ignored"
                );
                return;
            }
            self.by_rule.insert((rule, key), e.seq);
        }
        self.hazards.insert(e.seq, h);
    }

    fn take_step(&mut self, e: &Event) {
        let Some(seq) = e.body.text("hazard").and_then(id_seq) else {
            return;
        };
        let Some(h) = self.hazards.get_mut(&seq) else {
            return;
        };
        if e.body.kind == "hazard.overdue" {
            self.pending.remove(&format!(
                "overdue|{}|{}",
                h.id,
                e.body.int("stage").unwrap_or(1)
            ));
        }
        h.apply(e);
        if !h.state.open()
            && let (Some(rule), Some(key)) = (h.rule.clone(), h.condition.clone())
        {
            if h.state == HazardState::Cancelled {
                let cause = h.evidence.first().copied().unwrap_or_default();
                self.dismissed.insert((rule.clone(), key.clone(), cause));
            }
            self.by_rule.remove(&(rule, key));
        }
    }

    fn take_device(&mut self, e: &Event) -> Vec<NewEvent> {
        let fired = self.triggers.on_event(e);
        // The open rule hazards of this device follow their conditions.
        let device = e.body.device.as_deref().unwrap_or_default();
        for ((_, key), seq) in &self.by_rule {
            if key.split('|').next() == Some(device)
                && let Some(h) = self.hazards.get_mut(seq)
                && h.state.open()
            {
                h.condition_active = self.triggers.active(key);
            }
        }
        fired
            .into_iter()
            .filter_map(|t| self.open_for(t, e.time_ms))
            .collect()
    }

    /// The `hazard.opened` a trigger asks for, unless its rule and source
    /// have an open hazard already.
    fn open_for(&mut self, t: Trigger, now_ms: i64) -> Option<NewEvent> {
        let rule = self.triggers.rules().get(t.rule)?.clone();
        if self.by_rule.contains_key(&(rule.id.clone(), t.key.clone())) {
            return None;
        }
        let first = t.evidence.first().copied().unwrap_or_default();
        if self
            .dismissed
            .contains(&(rule.id.clone(), t.key.clone(), first))
        {
            return None;
        }
        if !self.due(format!("rule|{}|{}|{first}", rule.id, t.key), now_ms) {
            return None;
        }
        let point = t.device.as_deref().and_then(|d| {
            self.points
                .values()
                .find(|p| p.input.devices.iter().any(|x| x == d))
        });
        let unit = point
            .and_then(|p| p.unit.clone())
            .or_else(|| self.unit_of_zone(&t.zone));
        let description = rule.description.clone().unwrap_or_else(|| rule.id.clone());
        let mut e = NewEvent::new("hazard.opened", &t.zone)
            .level(Level::Yellow)
            .attr("origin", "rule")
            .attr("rule", rule.id.as_str())
            .attr("condition", t.key.as_str())
            .attr("source", "device")
            .attr("category", rule.category.as_str())
            .attr("hazard_level", rule.level.as_str())
            .attr(
                "evidence",
                t.evidence
                    .iter()
                    .map(u64::to_string)
                    .collect::<Vec<_>>()
                    .join(","),
            )
            .attr("cause", first as i64)
            .message(description.clone())
            .attr("description", description);
        if let Some(ms) = t.held_ms {
            e = e.attr("held_s", ms / 1000);
        }
        if let Some(d) = &t.device {
            e = e.device(d);
        }
        if let Some(p) = point {
            e = e.attr("point", p.input.id.as_str());
        }
        if let Some(u) = unit {
            e = e.attr("unit", u.as_str());
        }
        Some(e)
    }

    fn overdue(&mut self, now_ms: i64) -> Vec<NewEvent> {
        let after = i64::from(self.config.office_after_days) * DAY_MS;
        let due: Vec<(String, String, Option<String>, i64, u8)> = self
            .hazards
            .values()
            .filter(|h| h.overdue(now_ms))
            .filter_map(|h| {
                let d = h.deadline_ms?;
                let stage = if now_ms > d + after { 2 } else { 1 };
                (h.escalated < stage)
                    .then(|| (h.id.clone(), h.zone.clone(), h.unit.clone(), d, stage))
            })
            .collect();
        let mut out = Vec::new();
        for (id, zone, unit, deadline, stage) in due {
            if !self.due(format!("overdue|{id}|{stage}"), now_ms) {
                continue;
            }
            let to = if stage == 2 {
                self.config.office_unit.clone()
            } else {
                unit.clone()
                    .unwrap_or_else(|| self.config.office_unit.clone())
            };
            out.push(
                NewEvent::new("hazard.overdue", &zone)
                    .level(if stage == 2 {
                        Level::Orange
                    } else {
                        Level::Yellow
                    })
                    .attr("hazard", id.as_str())
                    .attr("stage", i64::from(stage))
                    .attr("to", to.as_str())
                    .attr("deadline", format_ms(deadline))
                    .attr("days_over", (now_ms - deadline) / DAY_MS)
                    .correlation(&id)
                    .message(format!("隐患 {id} 已超过整改期限，已通知 {to}")),
            );
        }
        out
    }

    fn missed_rounds(&mut self, now_ms: i64) -> Vec<NewEvent> {
        let mut found = Vec::new();
        let mut again = Vec::new();
        for t in self.tasks.values() {
            // A task saved or replayed since the last tick is walked from its
            // first day (bounded to a year and more by `save_task`): what
            // ended while the hub was down is missed too.
            let (after, walk) = if self.unchecked_tasks.contains(&t.id) {
                (i64::MIN, 1_000)
            } else {
                (self.checked_until_ms, 50)
            };
            let owed = self
                .calendar
                .ended(t.every, t.from_ms, after, now_ms, walk)
                .into_iter()
                .filter(|p| {
                    let key = (t.id.clone(), p.key.clone());
                    !self.done.contains_key(&key) && !self.missed_keys.contains(&key)
                })
                .take(MISSED_PER_TICK)
                .collect::<Vec<_>>();
            if owed.len() == MISSED_PER_TICK {
                again.push(t.id.clone());
            }
            for p in owed {
                found.push((t.id.clone(), t.zone.clone(), t.unit.clone(), p));
            }
        }
        self.unchecked_next = again;
        let mut out = Vec::new();
        for (task, zone, unit, p) in found {
            if !self.due(format!("missed|{task}|{}", p.key), now_ms) {
                continue;
            }
            let mut e = NewEvent::new("inspection.missed", &zone)
                .level(Level::Yellow)
                .attr("task", task.as_str())
                .attr("period", p.key.as_str())
                .attr("due_ms", p.end_ms)
                .message(format!("巡查任务 {task} 在 {} 未完成", p.key));
            if let Some(u) = unit {
                e = e.attr("unit", u.as_str());
            }
            out.push(e);
        }
        out
    }

    fn reviews(&mut self, now_ms: i64) -> Vec<NewEvent> {
        let due: Vec<(String, String, i64)> = self
            .points
            .values()
            .filter(|p| p.review_overdue(now_ms))
            .filter(|p| {
                !self
                    .review_flagged
                    .contains(&(p.input.id.clone(), p.review_due_ms))
            })
            .map(|p| (p.input.id.clone(), p.input.zone.clone(), p.review_due_ms))
            .collect();
        let mut out = Vec::new();
        for (id, zone, due_ms) in due {
            if !self.due(format!("review|{id}|{due_ms}"), now_ms) {
                continue;
            }
            out.push(
                NewEvent::new("risk.review_due", &zone)
                    .level(Level::Yellow)
                    .attr("point", id.as_str())
                    .attr("due_ms", due_ms)
                    .attr("due", format_ms(due_ms))
                    .message(format!("风险点 {id} 未按期复核")),
            );
        }
        out
    }
}

impl Rules for ProgramBook {
    const NAME: &'static str = "program";

    fn on_event(&mut self, e: &Event) -> Vec<NewEvent> {
        let b = &e.body;
        match b.kind.as_str() {
            "risk.point_saved" => self.take_point(e),
            "risk.point_reviewed" => {
                if let Some(p) = b.text("point").and_then(|id| self.points.get_mut(id)) {
                    p.reviewed(e.time_ms, &self.config);
                }
            }
            "risk.point_removed" => {
                if let Some(id) = b.text("point") {
                    self.points.remove(id);
                }
            }
            "risk.review_due" => {
                if let (Some(id), Some(due)) = (b.text("point"), b.int("due_ms")) {
                    self.pending.remove(&format!("review|{id}|{due}"));
                    self.review_flagged.insert((id.to_owned(), due));
                }
            }
            "inspection.task_saved" => self.take_task(e),
            "inspection.task_removed" => {
                if let Some(id) = b.text("task") {
                    self.tasks.remove(id);
                }
            }
            "inspection.round" => self.take_round(e),
            "inspection.missed" => {
                if let (Some(task), Some(period)) = (b.text("task"), b.text("period")) {
                    self.pending.remove(&format!("missed|{task}|{period}"));
                    if self
                        .missed_keys
                        .insert((task.to_owned(), period.to_owned()))
                    {
                        self.missed.push(Missed {
                            task: task.to_owned(),
                            period: period.to_owned(),
                            zone: b.zone.clone(),
                            unit: b.text("unit").map(str::to_owned),
                            due_ms: b.int("due_ms").unwrap_or(e.time_ms),
                            seq: e.seq,
                        });
                    }
                }
            }
            "hazard.opened" => self.take_hazard(e),
            "assessment.entered" => {
                if let (Some(unit), Some(term), Some(article)) =
                    (b.text("unit"), b.text("term"), b.text("article"))
                {
                    self.entries.push(Entry {
                        unit: unit.to_owned(),
                        term: term.to_owned(),
                        article: article.to_owned(),
                        points: b.int("points").unwrap_or(0),
                        reason: b.text("reason").unwrap_or_default().to_owned(),
                        by: b.actor.clone(),
                        seq: e.seq,
                        time_ms: e.time_ms,
                    });
                }
            }
            k if k.starts_with("hazard.") => self.take_step(e),
            _ if b.device.is_some() => return self.take_device(e),
            _ => {}
        }
        Vec::new()
    }

    fn on_tick(&mut self, now_ms: i64) -> Vec<NewEvent> {
        let mut out: Vec<NewEvent> = self
            .triggers
            .due(now_ms)
            .into_iter()
            .filter_map(|t| self.open_for(t, now_ms))
            .collect();
        out.extend(self.overdue(now_ms));
        out.extend(self.missed_rounds(now_ms));
        out.extend(self.reviews(now_ms));
        self.checked_until_ms = self.checked_until_ms.max(now_ms - PENDING_MS);
        self.unchecked_tasks.clear();
        self.unchecked_tasks
            .extend(std::mem::take(&mut self.unchecked_next));
        out
    }

    fn verdict_key(&self, e: &NewEvent) -> Option<String> {
        match e.kind.as_str() {
            "hazard.opened" if e.text("origin") == Some("rule") => Some(format!(
                "rule|{}|{}|{}",
                e.text("rule")?,
                e.text("condition")?,
                e.int("cause").unwrap_or_default()
            )),
            "hazard.overdue" => Some(format!(
                "overdue|{}|{}",
                e.text("hazard")?,
                e.int("stage").unwrap_or(1)
            )),
            "inspection.missed" => {
                Some(format!("missed|{}|{}", e.text("task")?, e.text("period")?))
            }
            "risk.review_due" => Some(format!("review|{}|{}", e.text("point")?, e.int("due_ms")?)),
            _ => None,
        }
    }
}

impl ProgramBook {
    /// Whether hazard `h` (its state) is open.
    pub fn open_hazards(&self) -> impl Iterator<Item = &Hazard> {
        self.hazards.values().filter(|h| h.state.open())
    }

    /// Hazards closed, by state.
    pub fn count_by_state(&self) -> BTreeMap<&'static str, usize> {
        let mut m = BTreeMap::new();
        for h in self.hazards.values() {
            *m.entry(h.state.as_str()).or_default() += 1;
        }
        for s in [HazardState::Reported, HazardState::Closed] {
            m.entry(s.as_str()).or_default();
        }
        m
    }
}

#[cfg(test)]
mod tests;
