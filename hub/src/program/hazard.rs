//! A hazard (隐患) and its closed loop: 通报 (opened) → 即查即改 (fixed at
//! once, closed) or 下发整改通知 (notice: unit, person, deadline) → 实施治理
//! (rectification, progress notes) → 提交验收 (submitted) → 验收 (pass: 销号,
//! closed; fail: back to rectification). A 重大 hazard needs a treatment plan
//! before rectification and only the program office accepts it; a hazard a
//! device rule opened is accepted only once the device's condition ended.
//! Every step is an event; the hazard is what its events say.

use serde::{Deserialize, Serialize};

use crate::bus::{Event, MediaRef, NewEvent, format_ms};
use crate::config::program::HazardLevel;

/// Who opened it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// A person: an inspection item, a report.
    Person,
    /// The hub, by a hazard rule over device data.
    Rule,
}

/// Where in the loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum HazardState {
    /// 已通报: reported, waiting for 即查即改 or a notice.
    Reported,
    /// 已下发整改通知: notice issued, rectification not begun.
    Notified,
    /// 整改中.
    Rectifying,
    /// 待验收.
    Submitted,
    /// 已销号.
    Closed,
    /// 已撤销: not a hazard, or a duplicate.
    Cancelled,
}

impl HazardState {
    /// Its code.
    pub fn as_str(self) -> &'static str {
        match self {
            HazardState::Reported => "reported",
            HazardState::Notified => "notified",
            HazardState::Rectifying => "rectifying",
            HazardState::Submitted => "submitted",
            HazardState::Closed => "closed",
            HazardState::Cancelled => "cancelled",
        }
    }

    /// The program's word for it.
    pub fn name_zh(self) -> &'static str {
        match self {
            HazardState::Reported => "已通报",
            HazardState::Notified => "已下发整改通知",
            HazardState::Rectifying => "整改中",
            HazardState::Submitted => "待验收",
            HazardState::Closed => "已销号",
            HazardState::Cancelled => "已撤销",
        }
    }

    /// Not closed and not cancelled.
    pub fn open(self) -> bool {
        !matches!(self, HazardState::Closed | HazardState::Cancelled)
    }
}

/// A 重大 hazard's treatment plan (整改方案, 第十八条).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// 目标任务.
    pub goal: String,
    /// 方法措施.
    pub measures: String,
    /// 经费物资.
    pub funds: String,
    /// 机构人员.
    pub people: String,
    /// 时限, `YYYY-MM-DD`.
    pub deadline: String,
    /// 安全措施 and emergency measures while it is being fixed.
    pub safety: String,
}

/// The longest note, description or plan field a person may write.
pub const MAX_TEXT: usize = 2_000;

impl Plan {
    fn fields(&self) -> [(&'static str, &String); 6] {
        [
            ("plan.goal", &self.goal),
            ("plan.measures", &self.measures),
            ("plan.funds", &self.funds),
            ("plan.people", &self.people),
            ("plan.deadline", &self.deadline),
            ("plan.safety", &self.safety),
        ]
    }

    fn too_long(&self) -> Option<&'static str> {
        self.fields()
            .into_iter()
            .find(|(_, v)| v.chars().count() > MAX_TEXT)
            .map(|(k, _)| k)
    }

    fn missing(&self) -> Option<&'static str> {
        [
            ("goal", &self.goal),
            ("measures", &self.measures),
            ("funds", &self.funds),
            ("people", &self.people),
            ("deadline", &self.deadline),
            ("safety", &self.safety),
        ]
        .into_iter()
        .find(|(_, v)| v.trim().is_empty())
        .map(|(k, _)| k)
    }
}

/// A step of the loop as the log recorded it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// The event.
    pub seq: u64,
    /// When, ms.
    pub time_ms: i64,
    /// The event's kind (`hazard.notified`).
    pub kind: String,
    /// Who (absent for the hub's own).
    pub actor: Option<String>,
    /// Their note.
    pub note: Option<String>,
    /// Their photos.
    pub media: Vec<MediaRef>,
}

/// What a person does to a hazard.
#[derive(Debug, Clone, PartialEq)]
pub enum HazardAction {
    /// 即查即改: fixed on the spot, closed with the evidence.
    Fix {
        /// What was done.
        note: String,
    },
    /// 下发整改通知 (限期整改).
    Notice {
        /// The unit to fix it (default the hazard's).
        unit: Option<String>,
        /// The person responsible.
        person: Option<String>,
        /// Deadline, ms (default by level).
        deadline_ms: i64,
        /// Instructions.
        note: Option<String>,
    },
    /// The treatment plan of a 重大 hazard.
    Plan(Plan),
    /// Rectification begins.
    Start {
        /// A note.
        note: Option<String>,
    },
    /// 治理进度反馈.
    Progress {
        /// What has been done.
        note: String,
    },
    /// 提交验收.
    Submit {
        /// What was done.
        note: String,
    },
    /// 验收通过: 销号.
    Accept {
        /// The acceptance's finding.
        note: String,
    },
    /// 验收不通过: back to rectification.
    Reject {
        /// Why.
        note: String,
    },
    /// Not a hazard, or a duplicate.
    Cancel {
        /// Why.
        reason: String,
    },
}

impl HazardAction {
    /// The event kind it records.
    pub fn kind(&self) -> &'static str {
        match self {
            HazardAction::Fix { .. } => "hazard.fixed",
            HazardAction::Notice { .. } => "hazard.notified",
            HazardAction::Plan(_) => "hazard.planned",
            HazardAction::Start { .. } => "hazard.started",
            HazardAction::Progress { .. } => "hazard.progress",
            HazardAction::Submit { .. } => "hazard.submitted",
            HazardAction::Accept { .. } => "hazard.accepted",
            HazardAction::Reject { .. } => "hazard.rejected",
            HazardAction::Cancel { .. } => "hazard.cancelled",
        }
    }

    /// The route's name of it (`notice`).
    pub fn name(&self) -> &'static str {
        self.kind().trim_start_matches("hazard.")
    }
}

/// Who acts, as the loop needs to know them.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The actor recorded on the event.
    pub actor: String,
    /// A safety officer (or above).
    pub safety: bool,
    /// Of the hazard's unit or a unit above it.
    pub of_unit: bool,
    /// Of the program office.
    pub office: bool,
}

/// Why an action was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Refusal {
    /// Not from this state.
    #[error("hazard {id} is {state}: {why}")]
    State {
        /// The hazard.
        id: String,
        /// Its state.
        state: &'static str,
        /// Why not.
        why: String,
    },
    /// Not this person's to do.
    #[error("hazard {id}: {why}")]
    NotYours {
        /// The hazard.
        id: String,
        /// Why not.
        why: String,
    },
    /// A field is wrong or missing.
    #[error("hazard {id}: `{field}` {why}")]
    Invalid {
        /// The hazard.
        id: String,
        /// The field.
        field: &'static str,
        /// Why.
        why: String,
    },
}

/// A hazard as its events made it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hazard {
    /// `HZ<seq of its opening>`.
    pub id: String,
    /// Zone path.
    pub zone: String,
    /// Its risk point, when known.
    pub point: Option<String>,
    /// A person or a rule.
    pub origin: Origin,
    /// The rule that opened it.
    pub rule: Option<String>,
    /// The device condition it watches (a rule's), `device|kind|source`.
    pub condition: Option<String>,
    /// Whether that condition still holds.
    pub condition_active: bool,
    /// 排查来源: `report`, `inspection`, `device`, `office`, … .
    pub source: String,
    /// A code of `[program] categories`.
    pub category: String,
    /// 一般 or 重大.
    pub level: HazardLevel,
    /// What it is.
    pub description: String,
    /// The unit that answers for it.
    pub unit: Option<String>,
    /// The person responsible.
    pub person: Option<String>,
    /// The deadline, ms.
    pub deadline_ms: Option<i64>,
    /// The treatment plan (重大).
    pub plan: Option<Plan>,
    /// Where in the loop.
    pub state: HazardState,
    /// Whether the program office found it (第十七条).
    pub found_by_office: bool,
    /// The events that are its evidence (a rule's causes).
    pub evidence: Vec<u64>,
    /// The inspection task and period it was found on.
    pub round: Option<(String, String)>,
    /// When it was opened, ms.
    pub opened_ms: i64,
    /// When it was closed or cancelled, ms.
    pub closed_ms: Option<i64>,
    /// When it was last submitted for acceptance, ms.
    pub submitted_ms: Option<i64>,
    /// When the notice was issued, ms.
    pub notified_ms: Option<i64>,
    /// When rectification last showed progress (start, progress, reject), ms.
    pub progress_ms: Option<i64>,
    /// The escalations made: 1 the unit's head, 2 the program office.
    pub escalated: u8,
    /// Every step, oldest first.
    pub steps: Vec<Step>,
}

fn text(e: &NewEvent, k: &str) -> Option<String> {
    e.text(k).map(str::to_owned)
}

impl Hazard {
    /// The hazard `hazard.opened` event `e` opens.
    pub fn opened(e: &Event) -> Self {
        let b = &e.body;
        let origin = if b.text("origin") == Some("rule") {
            Origin::Rule
        } else {
            Origin::Person
        };
        let evidence = b
            .text("evidence")
            .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
            .unwrap_or_default();
        Hazard {
            id: format!("HZ{}", e.seq),
            zone: b.zone.clone(),
            point: text(b, "point"),
            origin,
            rule: text(b, "rule"),
            condition: text(b, "condition"),
            condition_active: origin == Origin::Rule,
            source: text(b, "source").unwrap_or_else(|| "report".into()),
            category: text(b, "category").unwrap_or_else(|| "other".into()),
            level: b
                .text("hazard_level")
                .and_then(HazardLevel::parse)
                .unwrap_or_default(),
            description: text(b, "description").unwrap_or_default(),
            unit: text(b, "unit"),
            person: text(b, "person"),
            deadline_ms: None,
            plan: None,
            state: HazardState::Reported,
            found_by_office: b
                .attrs
                .get("office")
                .is_some_and(|v| matches!(v, twinwall_base::event::AttrValue::Flag(true))),
            evidence,
            round: text(b, "task").zip(text(b, "period")),
            opened_ms: e.time_ms,
            closed_ms: None,
            submitted_ms: None,
            notified_ms: None,
            progress_ms: None,
            escalated: 0,
            steps: vec![Step {
                seq: e.seq,
                time_ms: e.time_ms,
                kind: b.kind.clone(),
                actor: b.actor.clone(),
                note: text(b, "description"),
                media: b.media.clone(),
            }],
        }
    }

    fn refuse(&self, why: impl Into<String>) -> Refusal {
        Refusal::State {
            id: self.id.clone(),
            state: self.state.as_str(),
            why: why.into(),
        }
    }

    fn not_yours(&self, why: impl Into<String>) -> Refusal {
        Refusal::NotYours {
            id: self.id.clone(),
            why: why.into(),
        }
    }

    fn invalid(&self, field: &'static str, why: impl Into<String>) -> Refusal {
        Refusal::Invalid {
            id: self.id.clone(),
            field,
            why: why.into(),
        }
    }

    /// Whether `a` may be done by `who` now.
    pub fn check(&self, a: &HazardAction, who: &Actor) -> Result<(), Refusal> {
        use HazardAction as A;
        use HazardState as S;
        let unit_or_safety = || {
            if who.of_unit || who.safety {
                Ok(())
            } else {
                Err(self.not_yours(format!(
                    "`{}` is a step for the people of unit `{}` or a safety officer",
                    a.name(),
                    self.unit.as_deref().unwrap_or("-")
                )))
            }
        };
        let safety = || {
            if who.safety {
                Ok(())
            } else {
                Err(self.not_yours(format!("`{}` is a safety officer's step", a.name())))
            }
        };
        let nonempty = |field: &'static str, v: &str| {
            if v.trim().is_empty() {
                Err(self.invalid(field, "is needed and empty"))
            } else if v.chars().count() > MAX_TEXT {
                Err(self.invalid(
                    field,
                    format!("holds {} characters; at most {MAX_TEXT}", v.chars().count()),
                ))
            } else {
                Ok(())
            }
        };
        let condition_ended = || {
            if self.condition_active {
                Err(self.refuse(format!(
                    "the device condition that opened it ({}) is still active: it cannot be accepted until it ends",
                    self.condition.as_deref().unwrap_or("-")
                )))
            } else {
                Ok(())
            }
        };
        let office = || {
            if who.office {
                Ok(())
            } else {
                Err(self.not_yours(format!("`{}` is the program office's step here", a.name())))
            }
        };
        // Who submitted it does not accept or return it (no one closes
        // their own work).
        let not_submitter = || {
            let by = self
                .steps
                .iter()
                .rev()
                .find(|s| s.kind == "hazard.submitted")
                .and_then(|s| s.actor.as_deref());
            if by == Some(who.actor.as_str()) {
                Err(self.not_yours("the person who submitted the rectification does not judge it"))
            } else {
                Ok(())
            }
        };
        match a {
            A::Fix { note } => {
                if self.state != S::Reported {
                    return Err(self.refuse("only a hazard just reported can be fixed at once"));
                }
                if self.found_by_office {
                    return Err(self.refuse("a hazard the program office found is rectified on its notice (第十七条), not fixed at once"));
                }
                if self.origin == Origin::Rule {
                    return Err(self.refuse(
                        "a hazard a device rule opened closes by acceptance, not fixed at once",
                    ));
                }
                if self.level == HazardLevel::Major {
                    return Err(self.refuse(
                        "a 重大 hazard is never fixed at once: issue a notice and a plan",
                    ));
                }
                unit_or_safety()?;
                nonempty("note", note)?;
                condition_ended()
            }
            A::Notice { unit, .. } => {
                if self.state != S::Reported {
                    return Err(self.refuse("a notice is issued once, on a reported hazard"));
                }
                // 第十七条: the office sets the unit and the deadline.
                office()?;
                if unit.is_none() && self.unit.is_none() {
                    return Err(self.invalid("unit", "names nobody: the hazard has no unit yet"));
                }
                Ok(())
            }
            A::Plan(p) => {
                if self.level != HazardLevel::Major {
                    return Err(self.refuse("a treatment plan is for 重大 hazards"));
                }
                if !matches!(self.state, S::Notified | S::Rectifying) {
                    return Err(self.refuse("a plan follows the notice"));
                }
                unit_or_safety()?;
                if let Some(f) = p.too_long() {
                    return Err(self.invalid(f, format!("holds more than {MAX_TEXT} characters")));
                }
                if let Some(f) = p.missing() {
                    return Err(self.invalid(
                        match f {
                            "goal" => "plan.goal",
                            "measures" => "plan.measures",
                            "funds" => "plan.funds",
                            "people" => "plan.people",
                            "deadline" => "plan.deadline",
                            _ => "plan.safety",
                        },
                        "is needed and empty",
                    ));
                }
                if crate::statistics::report::parse_day(&p.deadline).is_none() {
                    return Err(self.invalid("plan.deadline", "is a date, YYYY-MM-DD"));
                }
                Ok(())
            }
            A::Start { .. } => {
                if self.state != S::Notified {
                    return Err(self.refuse("rectification starts after the notice"));
                }
                if self.level == HazardLevel::Major && self.plan.is_none() {
                    return Err(self.refuse(
                        "a 重大 hazard needs its treatment plan (第十八条) before rectification",
                    ));
                }
                unit_or_safety()
            }
            A::Progress { note } | A::Submit { note } => {
                if self.state != S::Rectifying {
                    return Err(self.refuse("it is not in rectification"));
                }
                unit_or_safety()?;
                nonempty("note", note)
            }
            A::Accept { note } => {
                if self.state != S::Submitted {
                    return Err(self.refuse("only a submitted hazard is accepted"));
                }
                safety()?;
                if self.level == HazardLevel::Major && !who.office {
                    return Err(self.not_yours("a 重大 hazard is accepted by the program office"));
                }
                not_submitter()?;
                nonempty("note", note)?;
                condition_ended()
            }
            A::Reject { note } => {
                if self.state != S::Submitted {
                    return Err(self.refuse("only a submitted hazard is accepted or returned"));
                }
                safety()?;
                not_submitter()?;
                nonempty("note", note)
            }
            A::Cancel { reason } => {
                if !self.state.open() {
                    return Err(self.refuse("it is over"));
                }
                safety()?;
                // Once noticed, or when it is 重大 or the office's find, only
                // the office withdraws it (its deadline counts, 第十七条).
                if self.state != S::Reported
                    || self.level == HazardLevel::Major
                    || self.found_by_office
                {
                    office()?;
                }
                nonempty("reason", reason)
            }
        }
    }

    /// The event recording `a` by `who`.
    pub fn event(&self, a: &HazardAction, actor: &str) -> NewEvent {
        let mut e = NewEvent::new(a.kind(), &self.zone)
            .attr("hazard", self.id.as_str())
            .actor(actor)
            .correlation(&self.id);
        let note = |e: NewEvent, n: &Option<String>| match n {
            Some(n) => e.attr("note", n.as_str()),
            None => e,
        };
        match a {
            HazardAction::Fix { note: n }
            | HazardAction::Progress { note: n }
            | HazardAction::Submit { note: n }
            | HazardAction::Accept { note: n }
            | HazardAction::Reject { note: n } => e = e.attr("note", n.as_str()),
            HazardAction::Notice {
                unit,
                person,
                deadline_ms,
                note: n,
            } => {
                e = note(e, n)
                    .attr("deadline_ms", *deadline_ms)
                    .attr("deadline", format_ms(*deadline_ms));
                if let Some(u) = unit.as_ref().or(self.unit.as_ref()) {
                    e = e.attr("unit", u.as_str());
                }
                if let Some(p) = person {
                    e = e.attr("person", p.as_str());
                }
            }
            HazardAction::Plan(p) => {
                e = e.attr(
                    "plan",
                    serde_json::to_string(p).unwrap_or_default().as_str(),
                )
            }
            HazardAction::Start { note: n } => e = note(e, n),
            HazardAction::Cancel { reason } => e = e.attr("reason", reason.as_str()),
        }
        e
    }

    /// Take a later event of this hazard in (a step, or an escalation);
    /// one that does not fit its state is ignored (false).
    pub fn apply(&mut self, e: &Event) -> bool {
        use HazardState as S;
        let b = &e.body;
        let note = text(b, "note").or_else(|| text(b, "reason"));
        let next = match (b.kind.as_str(), self.state) {
            ("hazard.fixed", S::Reported) => S::Closed,
            ("hazard.notified", S::Reported) => {
                self.unit = text(b, "unit").or(self.unit.take());
                self.person = text(b, "person").or(self.person.take());
                self.deadline_ms = b.int("deadline_ms");
                self.notified_ms = Some(e.time_ms);
                S::Notified
            }
            ("hazard.planned", s @ (S::Notified | S::Rectifying)) => {
                self.plan = b.text("plan").and_then(|p| serde_json::from_str(p).ok());
                s
            }
            ("hazard.started", S::Notified) | ("hazard.progress", S::Rectifying) => {
                self.progress_ms = Some(e.time_ms);
                S::Rectifying
            }
            ("hazard.submitted", S::Rectifying) => {
                self.submitted_ms = Some(e.time_ms);
                S::Submitted
            }
            ("hazard.accepted", S::Submitted) => S::Closed,
            ("hazard.rejected", S::Submitted) => {
                self.progress_ms = Some(e.time_ms);
                S::Rectifying
            }
            ("hazard.cancelled", s) if s.open() => S::Cancelled,
            ("hazard.overdue", s) if s.open() => {
                self.escalated = self
                    .escalated
                    .max(b.int("stage").unwrap_or(1).clamp(1, 2) as u8);
                s
            }
            _ => return false,
        };
        if !next.open() && self.state.open() {
            self.closed_ms = Some(e.time_ms);
        }
        self.state = next;
        self.steps.push(Step {
            seq: e.seq,
            time_ms: e.time_ms,
            kind: b.kind.clone(),
            actor: b.actor.clone(),
            note,
            media: b.media.clone(),
        });
        true
    }

    /// Past its deadline without being submitted in time (rectified late).
    pub fn late(&self, now_ms: i64) -> bool {
        let Some(deadline) = self.deadline_ms else {
            return false;
        };
        match self.state {
            HazardState::Cancelled | HazardState::Reported => false,
            HazardState::Closed | HazardState::Submitted => {
                self.submitted_ms.is_some_and(|s| s > deadline)
            }
            HazardState::Notified | HazardState::Rectifying => now_ms > deadline,
        }
    }

    /// Open past its deadline now.
    pub fn overdue(&self, now_ms: i64) -> bool {
        matches!(self.state, HazardState::Notified | HazardState::Rectifying)
            && self.deadline_ms.is_some_and(|d| now_ms > d)
    }

    /// As the API shows it.
    pub fn to_json(&self, now_ms: i64) -> serde_json::Value {
        let mut v = serde_json::to_value(self).unwrap_or_default();
        v["overdue"] = self.overdue(now_ms).into();
        v["late"] = self.late(now_ms).into();
        v["state_name"] = self.state.name_zh().into();
        if let Some(d) = self.deadline_ms {
            v["deadline"] = format_ms(d).into();
        }
        v["opened"] = format_ms(self.opened_ms).into();
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bus::Level;

    fn ev(seq: u64, time_ms: i64, e: NewEvent) -> Event {
        Event {
            seq,
            time_ms,
            site: "s".into(),
            body: e,
        }
    }

    fn opened(level: HazardLevel, rule: bool) -> Hazard {
        let mut e = NewEvent::new("hazard.opened", "campus/canteen")
            .level(Level::Yellow)
            .attr("description", "主电故障")
            .attr("hazard_level", level.as_str())
            .attr("unit", "logistics");
        if rule {
            e = e
                .attr("origin", "rule")
                .attr("condition", "fp|fire.fault|main_power");
        }
        Hazard::opened(&ev(7, 1_000, e))
    }

    fn who(safety: bool, of_unit: bool, office: bool) -> Actor {
        Actor {
            // One person per kind of caller.
            actor: format!("{safety}-{of_unit}-{office}#1"),
            safety,
            of_unit,
            office,
        }
    }

    fn step(h: &mut Hazard, a: &HazardAction, by: &Actor, seq: u64, t: i64) {
        h.check(a, by).unwrap();
        assert!(h.apply(&ev(seq, t, h.event(a, &by.actor))), "{a:?}");
    }

    #[test]
    fn the_loop_runs_notice_rectification_submission_acceptance() {
        let mut h = opened(HazardLevel::General, false);
        assert_eq!(h.id, "HZ7");
        let (officer, unit, stranger) = (
            who(true, false, true),
            who(false, true, false),
            who(false, false, false),
        );
        let notice = HazardAction::Notice {
            unit: None,
            person: Some("张伟".into()),
            deadline_ms: 10_000,
            note: None,
        };
        assert!(matches!(
            h.check(&notice, &unit),
            Err(Refusal::NotYours { .. })
        ));
        step(&mut h, &notice, &officer, 8, 2_000);
        assert_eq!(
            (h.state, h.deadline_ms),
            (HazardState::Notified, Some(10_000))
        );
        let start = HazardAction::Start { note: None };
        assert!(h.check(&start, &stranger).is_err());
        step(&mut h, &start, &unit, 9, 3_000);
        let submit = HazardAction::Submit {
            note: "已更换".into(),
        };
        step(&mut h, &submit, &unit, 10, 4_000);
        // Acceptance fails: back to rectification, then passes.
        let reject = HazardAction::Reject {
            note: "线路未固定".into(),
        };
        assert!(
            h.check(&reject, &unit).is_err(),
            "the unit does not accept its own work"
        );
        step(&mut h, &reject, &officer, 11, 5_000);
        assert_eq!(h.state, HazardState::Rectifying);
        step(&mut h, &submit, &unit, 12, 6_000);
        step(
            &mut h,
            &HazardAction::Accept {
                note: "验收合格".into(),
            },
            &officer,
            13,
            7_000,
        );
        assert_eq!((h.state, h.closed_ms), (HazardState::Closed, Some(7_000)));
        assert!(!h.late(20_000), "submitted before its deadline");
        let kinds: Vec<&str> = h.steps.iter().map(|s| s.kind.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "hazard.opened",
                "hazard.notified",
                "hazard.started",
                "hazard.submitted",
                "hazard.rejected",
                "hazard.submitted",
                "hazard.accepted"
            ]
        );
        // A step that does not fit is ignored, whatever the log says.
        assert!(!h.apply(&ev(
            14,
            8_000,
            NewEvent::new("hazard.started", "campus/canteen")
        )));
    }

    #[test]
    fn a_major_hazard_needs_a_plan_and_the_office() {
        let mut h = opened(HazardLevel::Major, false);
        let officer = who(true, false, false);
        let office = who(true, false, true);
        let unit = who(false, true, false);
        assert!(
            h.check(&HazardAction::Fix { note: "x".into() }, &unit)
                .is_err()
        );
        step(
            &mut h,
            &HazardAction::Notice {
                unit: None,
                person: None,
                deadline_ms: 50_000,
                note: None,
            },
            &office,
            8,
            2_000,
        );
        let err = h
            .check(&HazardAction::Start { note: None }, &unit)
            .unwrap_err();
        assert!(err.to_string().contains("treatment plan"), "{err}");
        let mut plan = Plan {
            goal: "消除燃气泄漏隐患".into(),
            measures: "更换管道".into(),
            funds: "2万元".into(),
            people: "后勤处".into(),
            deadline: "2026-12-20".into(),
            safety: String::new(),
        };
        let err = h
            .check(&HazardAction::Plan(plan.clone()), &unit)
            .unwrap_err();
        assert!(err.to_string().contains("plan.safety"), "{err}");
        plan.safety = "停用燃气灶，设置警示".into();
        step(&mut h, &HazardAction::Plan(plan), &unit, 9, 3_000);
        step(
            &mut h,
            &HazardAction::Start { note: None },
            &unit,
            10,
            4_000,
        );
        step(
            &mut h,
            &HazardAction::Submit {
                note: "完成".into(),
            },
            &unit,
            11,
            5_000,
        );
        let accept = HazardAction::Accept {
            note: "合格".into(),
        };
        assert!(matches!(
            h.check(&accept, &officer),
            Err(Refusal::NotYours { .. })
        ));
        step(&mut h, &accept, &office, 12, 6_000);
        assert_eq!(h.state, HazardState::Closed);
    }

    #[test]
    fn a_rule_hazard_is_accepted_only_once_its_condition_ended() {
        let mut h = opened(HazardLevel::General, true);
        let (office, unit) = (who(true, false, true), who(false, true, false));
        let fix = HazardAction::Fix {
            note: "复位".into(),
        };
        assert!(
            h.check(&fix, &unit)
                .unwrap_err()
                .to_string()
                .contains("closes by acceptance"),
            "a rule's hazard is never fixed at once"
        );
        let notice = HazardAction::Notice {
            unit: None,
            person: None,
            deadline_ms: 10_000,
            note: None,
        };
        step(&mut h, &notice, &office, 8, 2_000);
        step(&mut h, &HazardAction::Start { note: None }, &unit, 9, 3_000);
        let submit = HazardAction::Submit {
            note: "已复位".into(),
        };
        step(&mut h, &submit, &unit, 10, 4_000);
        let accept = HazardAction::Accept {
            note: "合格".into(),
        };
        assert!(
            h.check(&accept, &office)
                .unwrap_err()
                .to_string()
                .contains("still active")
        );
        h.condition_active = false;
        // Whoever submitted it does not accept it, even a safety officer.
        let both = Actor {
            actor: unit.actor.clone(),
            safety: true,
            of_unit: true,
            office: false,
        };
        assert!(matches!(
            h.check(&accept, &both),
            Err(Refusal::NotYours { .. })
        ));
        step(&mut h, &accept, &office, 11, 5_000);
        assert_eq!(h.state, HazardState::Closed);
    }

    #[test]
    fn only_the_office_notices_and_withdraws_what_counts() {
        let mut h = opened(HazardLevel::General, false);
        let (officer, office) = (who(true, false, false), who(true, false, true));
        let cancel = HazardAction::Cancel {
            reason: "重复".into(),
        };
        // Just reported: a safety officer may withdraw a duplicate.
        assert!(h.check(&cancel, &officer).is_ok());
        let notice = HazardAction::Notice {
            unit: None,
            person: None,
            deadline_ms: 10_000,
            note: None,
        };
        assert!(matches!(
            h.check(&notice, &officer),
            Err(Refusal::NotYours { .. })
        ));
        step(&mut h, &notice, &office, 8, 2_000);
        // Noticed, its deadline counts: only the office withdraws it.
        assert!(matches!(
            h.check(&cancel, &officer),
            Err(Refusal::NotYours { .. })
        ));
        assert!(h.check(&cancel, &office).is_ok());
        // What the office found is rectified on notice, not fixed at once.
        let mut found = opened(HazardLevel::General, false);
        found.found_by_office = true;
        let fix = HazardAction::Fix {
            note: "已清理".into(),
        };
        assert!(found.check(&fix, &who(false, true, false)).is_err());
    }

    #[test]
    fn late_and_overdue_follow_the_deadline() {
        let mut h = opened(HazardLevel::General, false);
        let officer = who(true, false, true);
        step(
            &mut h,
            &HazardAction::Notice {
                unit: None,
                person: None,
                deadline_ms: 10_000,
                note: None,
            },
            &officer,
            8,
            2_000,
        );
        assert!(!h.overdue(9_000) && h.overdue(11_000) && h.late(11_000));
        step(
            &mut h,
            &HazardAction::Start { note: None },
            &officer,
            9,
            12_000,
        );
        step(
            &mut h,
            &HazardAction::Submit {
                note: "done".into(),
            },
            &officer,
            10,
            13_000,
        );
        assert!(!h.overdue(14_000), "submitted: waiting on acceptance");
        assert!(h.late(14_000), "but submitted after its deadline");
    }
}
