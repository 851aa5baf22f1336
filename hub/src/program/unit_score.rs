//! A unit's assessment for a term (附件2): 100 points less each deduction
//! the data shows, and the items the program office entered by hand; below
//! zero is allowed (第四条). Pure over the book.
//!
//! What the data shows, article by article:
//! - 第七条, 2 per list: no risk points (风险点清单), no hazard sources
//!   (危险源清单), no assessed point (风险等级清单), no inspection task
//!   (隐患排查项目清单). The two hazard lists are the hub's own record of the
//!   loop, so they are never missing.
//! - 第十三条, 10: a point whose yearly review fell due in the term and was
//!   not done by then.
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

    let unreviewed: Vec<String> = points
        .iter()
        .filter(|p| p.review_due_ms < end && p.review_due_ms < s.to_ms)
        .map(|p| p.input.id.clone())
        .collect();
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
        if let Some(gap) = rectification_gap(h, end)
            && gap > i64::from(config.feedback_every_days) * DAY_MS
            && h.closed_ms.is_none_or(|c| c >= s.from_ms)
        {
            add(
                "第十六条",
                5,
                format!(
                    "隐患 {} 整改中 {} 天无治理进度反馈，未闭环管理",
                    h.id,
                    gap / DAY_MS
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

/// The longest time the hazard spent in rectification without a step,
/// up to `end`; `None` when it never was.
fn rectification_gap(h: &super::hazard::Hazard, end: i64) -> Option<i64> {
    let mut last: Option<i64> = None;
    let mut worst: Option<i64> = None;
    for st in &h.steps {
        if st.time_ms > end {
            break;
        }
        let gap = last.map(|l| st.time_ms - l);
        if gap.is_some() {
            worst = worst.max(gap);
        }
        last = match st.kind.as_str() {
            "hazard.started" | "hazard.progress" | "hazard.rejected" => Some(st.time_ms),
            "hazard.planned" | "hazard.overdue" => last,
            _ => None,
        };
    }
    if let Some(l) = last {
        worst = worst.max(Some(end - l));
    }
    worst
}
