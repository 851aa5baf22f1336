//! How many events of each kind each zone had each day (the site's day):
//! a view of the log, fed with the other views by one reader, so the
//! statistics page answers from memory however long the log is. A campus
//! has some tens of zones and kinds, so a year is some hundred thousand
//! counters.

use std::collections::{BTreeMap, HashMap};

use crate::bus::{Event, NewEvent};
use crate::projection::Rules;

/// A day of the site: days since 1970-01-01 in its time.
pub type Day = i64;

const DAY_MS: i64 = 86_400_000;

/// The day `time_ms` falls on at `utc_offset_minutes`.
pub fn day_of(time_ms: i64, utc_offset_minutes: i32) -> Day {
    (time_ms + i64::from(utc_offset_minutes) * 60_000).div_euclid(DAY_MS)
}

/// Counts per day, zone path and kind.
#[derive(Debug, Default)]
pub struct DailyCounts {
    utc_offset_minutes: i32,
    days: BTreeMap<Day, HashMap<String, HashMap<String, u64>>>,
}

impl DailyCounts {
    /// Empty, counting days at `utc_offset_minutes`.
    pub fn new(utc_offset_minutes: i32) -> Self {
        DailyCounts {
            utc_offset_minutes,
            days: BTreeMap::new(),
        }
    }

    /// The site's offset from UTC, minutes.
    pub fn utc_offset_minutes(&self) -> i32 {
        self.utc_offset_minutes
    }

    /// Count one event.
    pub fn add(&mut self, time_ms: i64, zone: &str, kind: &str) {
        let day = self
            .days
            .entry(day_of(time_ms, self.utc_offset_minutes))
            .or_default();
        let zone = match day.get_mut(zone) {
            Some(z) => z,
            None => day.entry(zone.to_owned()).or_default(),
        };
        match zone.get_mut(kind) {
            Some(n) => *n += 1,
            None => {
                zone.insert(kind.to_owned(), 1);
            }
        }
    }

    /// Every (day, zone, kind, count) from `from` to `to`, both included.
    pub fn within(&self, from: Day, to: Day) -> impl Iterator<Item = (Day, &str, &str, u64)> {
        self.days.range(from..=to).flat_map(|(day, zones)| {
            zones.iter().flat_map(move |(zone, kinds)| {
                kinds
                    .iter()
                    .map(move |(kind, n)| (*day, zone.as_str(), kind.as_str(), *n))
            })
        })
    }
}

impl Rules for DailyCounts {
    const NAME: &'static str = "statistics";

    fn on_event(&mut self, e: &Event) -> Vec<NewEvent> {
        self.add(e.time_ms, &e.body.zone, &e.body.kind);
        Vec::new()
    }

    fn on_tick(&mut self, _now_ms: i64) -> Vec<NewEvent> {
        Vec::new()
    }

    fn verdict_key(&self, _e: &NewEvent) -> Option<String> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000;

    #[test]
    fn days_are_the_site_s_days() {
        // 2026-12-02 20:00 UTC is 2026-12-03 04:00 in Beijing.
        let t = 1_796_256_000_000 - 4 * H;
        assert_eq!(day_of(t, 0) + 1, day_of(t, 480));
        assert_eq!(day_of(-1, 0), -1);
    }

    #[test]
    fn counts_fall_by_day_zone_and_kind() {
        let mut c = DailyCounts::new(0);
        c.add(0, "campus/a", "fire.alarm");
        c.add(H, "campus/a", "fire.alarm");
        c.add(2 * H, "campus/b", "fire.fault");
        c.add(DAY_MS + H, "campus/a", "fire.alarm");
        c.add(5 * DAY_MS, "campus/a", "fire.alarm");
        let mut got: Vec<_> = c.within(0, 1).collect();
        got.sort();
        assert_eq!(
            got,
            vec![
                (0, "campus/a", "fire.alarm", 2),
                (0, "campus/b", "fire.fault", 1),
                (1, "campus/a", "fire.alarm", 1)
            ]
        );
    }
}
