//! A unit's assessment for a term (附件2): 100 points less each deduction
//! the data shows, and the items the program office entered by hand; below
//! zero is allowed (第四条). Pure over the book.
//!
//! What the data shows, article by article:
//! - 第七条, 2 per list: no risk points (风险点清单), no hazard sources
//!   (危险源清单), no assessed point (风险等级清单), no inspection task
//!   (隐患排查项目清单). The two hazard lists are the hub's own record of the
//!   loop, so they are never missing.
//! - 第十三条, 10: points whose yearly review fell due in the term undone
//!   (`risk.review_due`), even if done later.
//! - 第十五条, 5 each: a round missed (inspection not done at its
//!   frequency), and a hazard the program office found in the unit.
//! - 第十六条, 5 each: a hazard left in rectification longer than
//!   `feedback_every_days` without progress (the loop not followed).
//! - 第十七条, 5 each: a hazard not rectified by its deadline.
//! - 第十八条, 10 each: a 重大 hazard without a treatment plan
//!   `plan_within_days` after its notice.

use serde::Serialize;

use super::book::ProgramBook;
use super::hazard::HazardState;
use crate::config::program::HazardLevel;

const DAY_MS: i64 = 86_400_000;

/// One deduction with its cause.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Deduction {
    /// The plan's article.
    pub article: &'static str,
    /// Points taken.
    pub points: i64,
    /// Why, for people.
    pub cause: String,
    /// What shows it: point, task, hazard ids, or the entry's event.
    pub links: Vec<String>,
    /// Entered by the program office (not computed).
    pub entered: bool,
}

/// A unit's score for a term.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitScore {
    /// The unit.
    pub unit: String,
    /// The term.
    pub term: String,
    /// 100 less the deductions.
    pub score: i64,
    /// Every deduction.
    pub deductions: Vec<Deduction>,
}

/// What the score is over.
pub struct Scope<'a> {
    /// The unit's id.
    pub unit: &'a str,
    /// It and every unit below it.
    pub units: &'a [String],
    /// The term's id.
    pub term: &'a str,
    /// Its first ms.
    pub from_ms: i64,
    /// The ms after its last day.
    pub to_ms: i64,
    /// Now: a term still running is scored up to now.
    pub now_ms: i64,
}

fn entered_article(a: &str) -> &'static str {
    // The articles the plan names; an entry's own text when it names none.
    const ARTICLES: [&str; 21] = [
        "第一条",
        "第二条",
        "第三条",
        "第四条",
        "第五条",
        "第六条",
        "第七条",
        "第八条",
        "第九条",
        "第十条",
        "第十一条",
        "第十二条",
        "第十三条",
        "第十四条",
        "第十五条",
        "第十六条",
        "第十七条",
        "第十八条",
        "第十九条",
        "第二十条",
        "第二十一条",
    ];
    ARTICLES.into_iter().find(|x| *x == a).unwrap_or("其他")
}

/// The score of `s.unit` for `s.term` from what `book` holds.
pub fn score(book: &ProgramBook, s: &Scope<'_>) -> UnitScore {
    let config = book.config();
    let mine = |u: &Option<String>| u.as_ref().is_some_and(|u| s.units.contains(u));
    let end = s.to_ms.min(s.now_ms);
    let in_term = |t: i64| t >= s.from_ms && t < end;
    let mut out = Vec::new();
    let mut add = |article: &'static str, points: i64, cause: String, links: Vec<String>| {
        out.push(Deduction {
            article,
            points,
            cause,
            links,
            entered: false,
        })
    };

    let points: Vec<_> = book.points().filter(|p| mine(&p.unit)).collect();
    let point_ids: Vec<&str> = points.iter().map(|p| p.input.id.as_str()).collect();
    let tasks = book
        .tasks()
        .filter(|t| mine(&t.unit) || point_ids.contains(&t.point.as_str()))
        .count();
    for (missing, list) in [
        (points.is_empty(), "风险点清单"),
        (
            points.iter().all(|p| p.input.sources.is_empty()),
            "危险源清单",
        ),
        (points.iter().all(|p| p.level.is_none()), "风险等级清单"),
        (tasks == 0, "隐患排查项目清单"),
    ] {
        if missing {
            add("第七条", 2, format!("未形成{list}"), vec![list.to_owned()]);
        }
    }

    // A review that fell due in the term undone (the book's
    // `risk.review_due`), whatever was done about it afterwards.
    let mut unreviewed: Vec<String> = book
        .review_lapses()
        .filter(|(id, due)| in_term(*due) && point_ids.contains(&id.as_str()))
        .map(|(id, _)| id.clone())
        .collect();
    unreviewed.sort();
    unreviewed.dedup();
    if !unreviewed.is_empty() {
        add(
            "第十三条",
            10,
            format!("风险点未按年度复核: {}", unreviewed.join(", ")),
            unreviewed,
        );
    }

    for m in book.missed().iter().filter(|m| {
        in_term(m.due_ms) && (mine(&m.unit) || book.task(&m.task).is_some_and(|t| mine(&t.unit)))
    }) {
        add(
            "第十五条",
            5,
            format!("巡查任务 {} 在 {} 未按频次完成", m.task, m.period),
            vec![m.task.clone()],
        );
    }

    let hazards: Vec<_> = book
        .hazards()
        .filter(|h| mine(&h.unit) && h.opened_ms < end)
        .filter(|h| h.state != HazardState::Cancelled)
        .collect();
    for h in &hazards {
        if h.found_by_office && in_term(h.opened_ms) {
            add(
                "第十五条",
                5,
                format!("学校排查发现明显问题: {}", h.description),
                vec![h.id.clone()],
            );
        }
        let limit = i64::from(config.feedback_every_days) * DAY_MS;
        if let Some(at) = feedback_lapse(h, limit, end)
            && in_term(at)
        {
            add(
                "第十六条",
                5,
                format!(
                    "隐患 {} 超过 {} 天无治理进度反馈，未闭环管理",
                    h.id, config.feedback_every_days
                ),
                vec![h.id.clone()],
            );
        }
        if let Some(d) = h.deadline_ms
            && d >= s.from_ms
            && d < end
            && h.late(end)
        {
            add(
                "第十七条",
                5,
                format!("隐患 {} 未在整改期限内完成整改", h.id),
                vec![h.id.clone()],
            );
        }
        if h.level == HazardLevel::Major
            && let Some(n) = h.notified_ms
        {
            let planned = h
                .steps
                .iter()
                .find(|st| st.kind == "hazard.planned")
                .map(|st| st.time_ms);
            let limit = n + i64::from(config.plan_within_days) * DAY_MS;
            let late = match planned {
                Some(p) => p > limit,
                None => end > limit,
            };
            if late && in_term(limit) {
                add(
                    "第十八条",
                    10,
                    format!("重大隐患 {} 未按要求制定整改方案", h.id),
                    vec![h.id.clone()],
                );
            }
        }
    }

    for e in book
        .entries()
        .iter()
        .filter(|e| e.unit == s.unit && e.term == s.term)
    {
        out.push(Deduction {
            article: entered_article(&e.article),
            points: e.points,
            cause: e.reason.clone(),
            links: vec![format!("event {}", e.seq)],
            entered: true,
        });
    }
    UnitScore {
        unit: s.unit.to_owned(),
        term: s.term.to_owned(),
        score: 100 - out.iter().map(|d| d.points).sum::<i64>(),
        deductions: out,
    }
}

/// When the hazard first went `limit` without a step of its loop while in
/// it (noticed or in rectification, up to `end`): the term holding that
/// moment is the one the lapse counts in, once.
fn feedback_lapse(h: &super::hazard::Hazard, limit: i64, end: i64) -> Option<i64> {
    let mut last: Option<i64> = None;
    for st in &h.steps {
        if let Some(l) = last
            && st.time_ms.min(end) - l > limit
        {
            return Some(l + limit);
        }
        if st.time_ms > end {
            return None;
        }
        last = match st.kind.as_str() {
            "hazard.notified" | "hazard.started" | "hazard.progress" | "hazard.rejected" => {
                Some(st.time_ms)
            }
            "hazard.planned" | "hazard.overdue" => last,
            _ => None,
        };
    }
    last.filter(|l| end - l > limit).map(|l| l + limit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bus::{Event, NewEvent};
    use crate::program::hazard::{Hazard, Step};

    fn hazard(steps: &[(&str, i64)]) -> Hazard {
        let mut h = Hazard::opened(&Event {
            seq: 1,
            time_ms: 0,
            site: "s".into(),
            body: NewEvent::new("hazard.opened", "campus/chem-north").attr("description", "x"),
        });
        for (i, (kind, t)) in steps.iter().enumerate() {
            h.steps.push(Step {
                seq: i as u64 + 2,
                time_ms: *t,
                kind: (*kind).to_owned(),
                actor: None,
                note: None,
                media: Vec::new(),
            });
        }
        h
    }

    #[test]
    fn a_feedback_lapse_counts_once_when_it_happens() {
        let week = 7 * DAY_MS;
        // Started on day 1, next progress on day 10: lapsed on day 8.
        let h = hazard(&[
            ("hazard.notified", 0),
            ("hazard.started", DAY_MS),
            ("hazard.progress", 10 * DAY_MS),
        ]);
        assert_eq!(feedback_lapse(&h, week, 30 * DAY_MS), Some(8 * DAY_MS));
        // Asked before day 8, nothing yet.
        assert_eq!(feedback_lapse(&h, week, 5 * DAY_MS), None);
        // Noticed and never started: lapsed a week after the notice.
        let idle = hazard(&[("hazard.notified", DAY_MS)]);
        assert_eq!(feedback_lapse(&idle, week, 20 * DAY_MS), Some(8 * DAY_MS));
        // Steps every few days, then closed: never.
        let kept = hazard(&[
            ("hazard.notified", 0),
            ("hazard.started", 3 * DAY_MS),
            ("hazard.progress", 9 * DAY_MS),
            ("hazard.submitted", 12 * DAY_MS),
            ("hazard.accepted", 30 * DAY_MS),
        ]);
        assert_eq!(feedback_lapse(&kept, week, 40 * DAY_MS), None);
    }
}
