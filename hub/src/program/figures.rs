//! The program's figures for the command centre: hazards found and closed
//! per week, how long closing took, the overdue share by unit, and the risk
//! points by level. Pure over what the caller may see.

use std::collections::BTreeMap;

use serde::Serialize;

use super::hazard::{Hazard, HazardState};
use super::periods::{Calendar, Frequency};
use super::register::RiskPoint;
use crate::bus::Level;

const HOUR_MS: f64 = 3_600_000.0;
const WEEK_MS: i64 = 7 * 86_400_000;

/// One ISO week's hazards.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Week {
    /// `2026-W49`.
    pub week: String,
    /// Opened in the week.
    pub found: usize,
    /// Closed (销号) in the week.
    pub closed: usize,
}

/// A unit's open hazards.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitShare {
    /// The unit (`-` for hazards with none yet).
    pub unit: String,
    /// Open hazards.
    pub open: usize,
    /// Of them, past their deadline.
    pub overdue: usize,
    /// `overdue / open`.
    pub overdue_share: f64,
}

/// Hours from opening to closing of the hazards closed in the window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimeToClose {
    /// How many closed.
    pub closed: usize,
    /// Median, nearest rank; `None` when none closed.
    pub median_h: Option<f64>,
    /// 90th percentile, nearest rank.
    pub p90_h: Option<f64>,
}

/// The figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    /// The last `weeks` weeks, oldest first, this one last.
    pub weeks: Vec<Week>,
    /// Over those weeks.
    pub time_to_close: TimeToClose,
    /// Units with open hazards, most overdue first.
    pub by_unit: Vec<UnitShare>,
    /// Risk points by level (`red`, `orange`, `yellow`, `blue`, `none`).
    pub points_by_level: BTreeMap<&'static str, usize>,
}

fn nearest_rank(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

/// The figures of `hazards` and `points` at `now_ms` over the last `weeks`
/// weeks of the site's calendar.
pub fn figures<'a>(
    hazards: impl Iterator<Item = &'a Hazard>,
    points: impl Iterator<Item = &'a RiskPoint>,
    cal: &Calendar,
    now_ms: i64,
    weeks: usize,
) -> Figures {
    let mut keys: Vec<String> = (0..weeks as i64)
        .rev()
        .filter_map(|i| cal.period(Frequency::Weekly, now_ms - i * WEEK_MS))
        .map(|p| p.key)
        .collect();
    keys.dedup();
    let from_ms = cal
        .period(
            Frequency::Weekly,
            now_ms - (weeks as i64 - 1).max(0) * WEEK_MS,
        )
        .map_or(now_ms, |p| p.start_ms);
    let week_of = |ms: i64| cal.period(Frequency::Weekly, ms).map(|p| p.key);
    let mut rows: BTreeMap<String, (usize, usize)> =
        keys.iter().map(|k| (k.clone(), (0, 0))).collect();
    let mut hours = Vec::new();
    let mut units: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for h in hazards {
        if h.state == HazardState::Cancelled {
            continue;
        }
        if let Some(row) = week_of(h.opened_ms).and_then(|k| rows.get_mut(&k)) {
            row.0 += 1;
        }
        if let Some(c) = h.closed_ms.filter(|_| h.state == HazardState::Closed) {
            if let Some(row) = week_of(c).and_then(|k| rows.get_mut(&k)) {
                row.1 += 1;
            }
            if c >= from_ms {
                hours.push((c - h.opened_ms) as f64 / HOUR_MS);
            }
        }
        if h.state.open() {
            let u = units
                .entry(h.unit.clone().unwrap_or_else(|| "-".into()))
                .or_default();
            u.0 += 1;
            if h.overdue(now_ms) {
                u.1 += 1;
            }
        }
    }
    hours.sort_by(f64::total_cmp);
    let mut by_unit: Vec<UnitShare> = units
        .into_iter()
        .map(|(unit, (open, overdue))| UnitShare {
            unit,
            open,
            overdue,
            overdue_share: overdue as f64 / open as f64,
        })
        .collect();
    by_unit.sort_by(|a, b| b.overdue.cmp(&a.overdue).then(b.open.cmp(&a.open)));
    let mut points_by_level: BTreeMap<&'static str, usize> =
        ["red", "orange", "yellow", "blue", "none"]
            .into_iter()
            .map(|l| (l, 0))
            .collect();
    for p in points {
        let key = match p.level {
            Some(Level::Red) => "red",
            Some(Level::Orange) => "orange",
            Some(Level::Yellow) => "yellow",
            Some(Level::Blue) => "blue",
            _ => "none",
        };
        *points_by_level.entry(key).or_default() += 1;
    }
    Figures {
        weeks: keys
            .into_iter()
            .map(|k| {
                let (found, closed) = rows.get(&k).copied().unwrap_or_default();
                Week {
                    week: k,
                    found,
                    closed,
                }
            })
            .collect(),
        time_to_close: TimeToClose {
            closed: hours.len(),
            median_h: nearest_rank(&hours, 0.5),
            p90_h: nearest_rank(&hours, 0.9),
        },
        by_unit,
        points_by_level,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bus::{Event, NewEvent};

    const DAY: i64 = 86_400_000;
    /// Monday 2026-11-30 00:00 UTC.
    const MONDAY: i64 = 1_795_996_800_000;

    fn hazard(seq: u64, opened: i64, unit: &str) -> Hazard {
        Hazard::opened(&Event {
            seq,
            time_ms: opened,
            site: "s".into(),
            body: NewEvent::new("hazard.opened", "campus/chem-north")
                .attr("description", "x")
                .attr("unit", unit),
        })
    }

    #[test]
    fn weeks_count_found_and_closed_and_units_their_overdue_share() {
        let cal = Calendar::new(0, &[]);
        let now = MONDAY + 2 * DAY;
        // Last week: one found and closed 10 h later; this week: two found,
        // one of chemistry's past its deadline, one cancelled (not counted).
        let mut a = hazard(1, MONDAY - 3 * DAY, "logistics");
        a.state = HazardState::Closed;
        a.closed_ms = Some(MONDAY - 3 * DAY + 10 * 3_600_000);
        let mut b = hazard(2, MONDAY + DAY, "chem");
        b.state = HazardState::Rectifying;
        b.deadline_ms = Some(MONDAY + DAY + 3_600_000);
        let c = hazard(3, MONDAY + DAY, "chem");
        let mut d = hazard(4, MONDAY + DAY, "chem");
        d.state = HazardState::Cancelled;
        let f = figures(
            [&a, &b, &c, &d].into_iter(),
            std::iter::empty(),
            &cal,
            now,
            2,
        );
        assert_eq!(
            f.weeks,
            [
                Week {
                    week: "2026-W48".into(),
                    found: 1,
                    closed: 1
                },
                Week {
                    week: "2026-W49".into(),
                    found: 2,
                    closed: 0
                },
            ]
        );
        assert_eq!(
            f.time_to_close,
            TimeToClose {
                closed: 1,
                median_h: Some(10.0),
                p90_h: Some(10.0)
            }
        );
        assert_eq!(
            f.by_unit,
            [UnitShare {
                unit: "chem".into(),
                open: 2,
                overdue: 1,
                overdue_share: 0.5
            }]
        );
        assert_eq!(f.points_by_level["none"], 0);
    }

    #[test]
    fn nearest_rank_takes_the_ceiling() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(
            (nearest_rank(&v, 0.5), nearest_rank(&v, 0.9)),
            (Some(2.0), Some(4.0))
        );
        assert_eq!(nearest_rank(&[], 0.5), None);
    }
}
