//! How often an inspection is due, and the period (a day, an ISO week, a
//! month, a term) a moment falls in, in the site's time: a round belongs to
//! one period, and a period that ends without one is a missed round.

use serde::{Deserialize, Serialize};

use crate::config::program::Term;
use crate::statistics::counts::Day;
use crate::statistics::report::{format_day, parse_day};

const DAY_MS: i64 = 86_400_000;

/// How often a task is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Frequency {
    /// Every day (每日).
    Daily,
    /// Every ISO week, Monday to Sunday (每周).
    Weekly,
    /// Every calendar month (每月).
    Monthly,
    /// Once in each configured term (每学期).
    Term,
}

impl Frequency {
    /// The program's word for it.
    pub fn name_zh(self) -> &'static str {
        match self {
            Frequency::Daily => "每日",
            Frequency::Weekly => "每周",
            Frequency::Monthly => "每月",
            Frequency::Term => "每学期",
        }
    }

    /// `daily` … or 每日 ….
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "daily" | "每日" | "每天" => Some(Frequency::Daily),
            "weekly" | "每周" => Some(Frequency::Weekly),
            "monthly" | "每月" => Some(Frequency::Monthly),
            "term" | "每学期" => Some(Frequency::Term),
            _ => None,
        }
    }
}

/// One period of a frequency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Period {
    /// `2026-12-03`, `2026-W49`, `2026-12` or the term's id.
    pub key: String,
    /// Its first ms (UTC).
    pub start_ms: i64,
    /// The ms after its last.
    pub end_ms: i64,
}

/// Periods in the site's time.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    /// The site's offset from UTC, minutes.
    pub utc_offset_minutes: i32,
    /// The terms, `(id, first day, last day)`.
    pub terms: Vec<(String, Day, Day)>,
}

impl Calendar {
    /// A calendar at `utc_offset_minutes` with the configured terms (checked
    /// when the config was read).
    pub fn new(utc_offset_minutes: i32, terms: &[Term]) -> Self {
        Calendar {
            utc_offset_minutes,
            terms: terms
                .iter()
                .filter_map(|t| Some((t.id.clone(), parse_day(&t.from)?, parse_day(&t.to)?)))
                .collect(),
        }
    }

    fn offset_ms(&self) -> i64 {
        i64::from(self.utc_offset_minutes) * 60_000
    }

    /// The site's day at `ms`.
    pub fn day(&self, ms: i64) -> Day {
        (ms + self.offset_ms()).div_euclid(DAY_MS)
    }

    /// The first ms of site day `day`.
    pub fn day_start(&self, day: Day) -> i64 {
        day * DAY_MS - self.offset_ms()
    }

    /// The period of `freq` that `ms` falls in; `None` for a term outside
    /// every configured term.
    pub fn period(&self, freq: Frequency, ms: i64) -> Option<Period> {
        let day = self.day(ms);
        let (key, first, after) = match freq {
            Frequency::Daily => (format_day(day), day, day + 1),
            Frequency::Weekly => {
                // 1970-01-01 was a Thursday.
                let monday = day - (day + 3).rem_euclid(7);
                let thursday = monday + 3;
                let (year, ..) = twinwall_plugin_sdk::time::to_civil(thursday * 86_400);
                let jan1 =
                    twinwall_plugin_sdk::time::from_civil(year, 1, 1, 0, 0, 0).div_euclid(86_400);
                let week = (thursday - jan1) / 7 + 1;
                (format!("{year:04}-W{week:02}"), monday, monday + 7)
            }
            Frequency::Monthly => {
                let (y, m, ..) = twinwall_plugin_sdk::time::to_civil(day * 86_400);
                let first = twinwall_plugin_sdk::time::from_civil(y, m, 1, 0, 0, 0) / 86_400;
                let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
                let next = twinwall_plugin_sdk::time::from_civil(ny, nm, 1, 0, 0, 0) / 86_400;
                (format!("{y:04}-{m:02}"), first, next)
            }
            Frequency::Term => {
                let (id, from, to) = self.term_of_day(day)?;
                (id.to_owned(), from, to + 1)
            }
        };
        Some(Period {
            key,
            start_ms: self.day_start(first),
            end_ms: self.day_start(after),
        })
    }

    /// The term holding `day`.
    pub fn term_of_day(&self, day: Day) -> Option<(&str, Day, Day)> {
        self.terms
            .iter()
            .find(|(_, f, t)| (*f..=*t).contains(&day))
            .map(|(id, f, t)| (id.as_str(), *f, *t))
    }

    /// A term by id: its first ms and the ms after its last day.
    pub fn term(&self, id: &str) -> Option<(i64, i64)> {
        self.terms
            .iter()
            .find(|(t, ..)| t == id)
            .map(|(_, f, t)| (self.day_start(*f), self.day_start(*t + 1)))
    }

    /// The periods of `freq` that ended in `(after_ms, until_ms]` and began
    /// at or after `from_ms` (a task's first due day), oldest first, at
    /// most `max`.
    pub fn ended(
        &self,
        freq: Frequency,
        from_ms: i64,
        after_ms: i64,
        until_ms: i64,
        max: usize,
    ) -> Vec<Period> {
        let mut out = Vec::new();
        // A period that ended after `after_ms` began at most its length
        // before it: start the walk there, not at the task's first day.
        let longest = match freq {
            Frequency::Daily => 2,
            Frequency::Weekly => 8,
            Frequency::Monthly => 32,
            Frequency::Term => 400,
        };
        let mut at = from_ms.max(after_ms.saturating_sub(longest * DAY_MS));
        while out.len() < max && at < until_ms {
            let Some(p) = self.period(freq, at).or_else(|| {
                // Between terms: jump to the next term's start.
                let day = self.day(at);
                let next = self.terms.iter().find(|(_, f, _)| *f > day)?;
                self.period(freq, self.day_start(next.1))
            }) else {
                break;
            };
            if p.end_ms <= at {
                break;
            }
            if p.start_ms >= from_ms && p.end_ms > after_ms && p.end_ms <= until_ms {
                out.push(p.clone());
            }
            at = p.end_ms;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(date: &str, hour: i64, c: &Calendar) -> i64 {
        c.day_start(parse_day(date).unwrap()) + hour * 3_600_000
    }

    #[test]
    fn periods_are_the_sites_days_weeks_months_and_terms() {
        let c = Calendar::new(
            480,
            &[Term {
                id: "2026-autumn".into(),
                from: "2026-09-01".into(),
                to: "2027-01-20".into(),
                name: None,
            }],
        );
        // 23:30 in Beijing on 3 December is still the 3rd there (15:30 UTC).
        let t = at("2026-12-03", 23, &c) + 30 * 60_000;
        assert_eq!(c.period(Frequency::Daily, t).unwrap().key, "2026-12-03");
        let w = c.period(Frequency::Weekly, t).unwrap();
        assert_eq!(w.key, "2026-W49");
        assert_eq!(w.start_ms, at("2026-11-30", 0, &c));
        assert_eq!(w.end_ms - w.start_ms, 7 * DAY_MS);
        let m = c.period(Frequency::Monthly, t).unwrap();
        assert_eq!(
            (m.key.as_str(), m.end_ms),
            ("2026-12", at("2027-01-01", 0, &c))
        );
        let term = c.period(Frequency::Term, t).unwrap();
        assert_eq!(term.key, "2026-autumn");
        assert_eq!(term.end_ms, at("2027-01-21", 0, &c));
        assert!(c.period(Frequency::Term, at("2027-02-01", 9, &c)).is_none());
        // ISO week 1 of 2027 begins on Monday 4 January; 1 January is week 53 of 2026.
        assert_eq!(
            c.period(Frequency::Weekly, at("2027-01-01", 9, &c))
                .unwrap()
                .key,
            "2026-W53"
        );
        assert_eq!(
            c.period(Frequency::Weekly, at("2027-01-04", 9, &c))
                .unwrap()
                .key,
            "2027-W01"
        );
    }

    #[test]
    fn ended_lists_the_periods_that_closed_in_a_window() {
        let c = Calendar::new(480, &[]);
        let from = at("2026-12-01", 0, &c);
        let now = at("2026-12-03", 10, &c);
        let keys: Vec<String> = c
            .ended(Frequency::Daily, from, 0, now, 100)
            .into_iter()
            .map(|p| p.key)
            .collect();
        assert_eq!(keys, ["2026-12-01", "2026-12-02"]);
        // Asked again after the 2nd ended: nothing new until the 3rd ends.
        assert!(
            c.ended(Frequency::Daily, from, at("2026-12-03", 0, &c), now, 100)
                .is_empty()
        );
        // A task made in the middle of a week owes nothing for that week.
        let mid = at("2026-12-02", 12, &c);
        assert!(
            c.ended(Frequency::Weekly, mid, 0, at("2026-12-08", 0, &c), 10)
                .is_empty()
        );
    }
}
