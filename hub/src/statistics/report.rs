//! The statistics page's figures over a range of days: events per day in
//! each of the six dimensions, by zone and kind; alarms per day, by zone,
//! kind and level, and how fast people acknowledged them. Pure over the
//! daily counts and the alarm book, narrowed to what the caller may read.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::counts::{DailyCounts, Day, day_of};
use super::dimensions::Dimensions;
use crate::config::statistics::Dimension;

/// A day as `YYYY-MM-DD`.
pub fn format_day(day: Day) -> String {
    let (y, m, d, ..) = twinwall_plugin_sdk::time::to_civil(day * 86_400);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `YYYY-MM-DD` as a day; `None` when it is not a real date.
pub fn parse_day(s: &str) -> Option<Day> {
    use twinwall_plugin_sdk::time::digits;
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, m, d) = (digits(s, 0..4)?, digits(s, 5..7)?, digits(s, 8..10)?);
    let day = twinwall_plugin_sdk::time::from_civil(y, m, d, 0, 0, 0).div_euclid(86_400);
    // 2026-02-30 counts to March 2nd: only a date that comes back the same is real.
    (format_day(day) == s).then_some(day)
}

/// One alarm as the figures need it.
#[derive(Debug, Clone, Copy)]
pub struct AlarmFacts<'a> {
    /// When it opened, ms.
    pub opened_ms: i64,
    /// Its first acknowledgement, ms.
    pub acked_ms: Option<i64>,
    /// Its zone path.
    pub zone: &'a str,
    /// Its kind.
    pub kind: &'a str,
    /// Its level's name.
    pub level: &'a str,
}

/// A count under a name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Named {
    /// Zone path, kind or level.
    pub name: String,
    /// How many.
    pub n: u64,
}

/// One dimension's events.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DimensionSeries {
    /// `personal` … `mechanism`, or `other` for kinds the table does not name.
    pub id: String,
    /// Events per day.
    pub per_day: Vec<u64>,
    /// Over the range.
    pub total: u64,
}

/// One kind's events and where it counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KindCount {
    /// The kind.
    pub kind: String,
    /// Its dimension (`other` when none).
    pub dimension: String,
    /// How many.
    pub n: u64,
}

/// The log's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventFigures {
    /// Per day.
    pub per_day: Vec<u64>,
    /// Over the range.
    pub total: u64,
    /// Most first.
    pub by_zone: Vec<Named>,
    /// Most first.
    pub by_kind: Vec<KindCount>,
}

/// The alarms' figures, by the day they opened.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlarmFigures {
    /// Opened per day.
    pub per_day: Vec<u64>,
    /// Over the range.
    pub total: u64,
    /// Of them, acknowledged (by now).
    pub acknowledged: u64,
    /// Median time to acknowledge of those opened each day, s.
    pub ack_median_s_per_day: Vec<Option<f64>>,
    /// Most first.
    pub by_zone: Vec<Named>,
    /// Most first.
    pub by_kind: Vec<Named>,
    /// Red first.
    pub by_level: Vec<Named>,
}

/// Every figure of the range.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// First day, `YYYY-MM-DD`.
    pub from: String,
    /// Last day, included.
    pub to: String,
    /// The site's offset from UTC the days are counted in, minutes.
    pub utc_offset_minutes: i32,
    /// Each day of the range.
    pub days: Vec<String>,
    /// The six dimensions in the seed's order, then `other`.
    pub dimensions: Vec<DimensionSeries>,
    /// The log.
    pub events: EventFigures,
    /// The alarms.
    pub alarms: AlarmFigures,
}

fn ranked(m: HashMap<String, u64>) -> Vec<Named> {
    let mut v: Vec<Named> = m.into_iter().map(|(name, n)| Named { name, n }).collect();
    v.sort_by(|a, b| b.n.cmp(&a.n).then_with(|| a.name.cmp(&b.name)));
    v
}

fn median(mut v: Vec<i64>) -> Option<f64> {
    v.sort_unstable();
    // Nearest rank, as the alarm KPIs count it.
    let i = v.len().div_ceil(2).checked_sub(1)?;
    Some(v[i] as f64 / 1000.0)
}

/// The figures from `from` to `to` (both included) of what `admits` lets
/// the caller read.
pub fn report<'a>(
    counts: &DailyCounts,
    dimensions: &Dimensions,
    alarms: impl Iterator<Item = AlarmFacts<'a>>,
    (from, to): (Day, Day),
    admits: impl Fn(&str) -> bool,
) -> Report {
    let len = usize::try_from(to - from + 1).unwrap_or(0);
    let at = |day: Day| usize::try_from(day - from).ok().filter(|i| *i < len);
    let name = |d: Option<Dimension>| match d {
        Some(d) => serde_json::to_value(d)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        None => "other".to_owned(),
    };

    let mut dims: BTreeMap<Option<Dimension>, Vec<u64>> = Dimension::ALL
        .iter()
        .map(|d| (Some(*d), vec![0; len]))
        .chain([(None, vec![0; len])])
        .collect();
    let mut per_day = vec![0; len];
    let mut by_zone: HashMap<String, u64> = HashMap::new();
    let mut by_kind: HashMap<String, u64> = HashMap::new();
    for (day, zone, kind, n) in counts.within(from, to) {
        let Some(i) = at(day) else { continue };
        if !admits(zone) {
            continue;
        }
        per_day[i] += n;
        if let Some(series) = dims.get_mut(&dimensions.of(kind)) {
            series[i] += n;
        }
        *by_zone.entry(zone.to_owned()).or_default() += n;
        *by_kind.entry(kind.to_owned()).or_default() += n;
    }
    let mut kinds: Vec<KindCount> = by_kind
        .into_iter()
        .map(|(kind, n)| KindCount {
            dimension: name(dimensions.of(&kind)),
            kind,
            n,
        })
        .collect();
    kinds.sort_by(|a, b| b.n.cmp(&a.n).then_with(|| a.kind.cmp(&b.kind)));

    let offset = counts.utc_offset_minutes();
    let mut opened = vec![0; len];
    let mut ack_times: Vec<Vec<i64>> = vec![Vec::new(); len];
    let mut acknowledged = 0;
    let (mut a_zone, mut a_kind, mut a_level) = (HashMap::new(), HashMap::new(), HashMap::new());
    for a in alarms {
        let Some(i) = at(day_of(a.opened_ms, offset)) else {
            continue;
        };
        if !admits(a.zone) {
            continue;
        }
        opened[i] += 1;
        if let Some(t) = a.acked_ms {
            acknowledged += 1;
            ack_times[i].push((t - a.opened_ms).max(0));
        }
        *a_zone.entry(a.zone.to_owned()).or_default() += 1;
        *a_kind.entry(a.kind.to_owned()).or_default() += 1;
        *a_level.entry(a.level.to_owned()).or_default() += 1;
    }
    let level_rank = |l: &str| {
        ["red", "orange", "yellow", "blue"]
            .iter()
            .position(|x| *x == l)
    };
    let mut by_level = ranked(a_level);
    by_level.sort_by_key(|n| level_rank(&n.name));

    Report {
        from: format_day(from),
        to: format_day(to),
        utc_offset_minutes: offset,
        days: (from..=to).map(format_day).collect(),
        dimensions: dims
            .into_iter()
            .map(|(d, per_day)| DimensionSeries {
                id: name(d),
                total: per_day.iter().sum(),
                per_day,
            })
            .collect(),
        events: EventFigures {
            total: per_day.iter().sum(),
            per_day,
            by_zone: ranked(by_zone),
            by_kind: kinds,
        },
        alarms: AlarmFigures {
            total: opened.iter().sum(),
            per_day: opened,
            acknowledged,
            ack_median_s_per_day: ack_times.into_iter().map(median).collect(),
            by_zone: ranked(a_zone),
            by_kind: ranked(a_kind),
            by_level,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400_000;

    #[test]
    fn dates_read_and_write_back_and_a_false_date_is_refused() {
        let d = parse_day("2026-12-03").unwrap();
        assert_eq!(format_day(d), "2026-12-03");
        assert_eq!(parse_day("1970-01-01"), Some(0));
        assert_eq!(parse_day("2026-02-30"), None);
        assert_eq!(parse_day("2026-2-3"), None);
        assert_eq!(parse_day("yesterday"), None);
    }

    #[test]
    fn figures_fall_in_their_dimension_day_and_the_caller_s_zones() {
        let mut c = DailyCounts::new(0);
        c.add(0, "campus/chem", "fire.alarm");
        c.add(1, "campus/chem", "fire.alarm");
        c.add(DAY, "campus/gate", "vehicle.speeding");
        c.add(DAY, "campus/gate", "vehicle.plate");
        c.add(DAY, "campus/gate", "made.up");
        c.add(3 * DAY, "campus/chem", "fire.alarm");
        let dims = Dimensions::new(crate::config::statistics::StatisticsConfig::default().table());
        let alarms = [
            AlarmFacts {
                opened_ms: 10,
                acked_ms: Some(30_010),
                zone: "campus/chem",
                kind: "fire.alarm",
                level: "red",
            },
            AlarmFacts {
                opened_ms: 20,
                acked_ms: Some(10_020),
                zone: "campus/chem",
                kind: "fire.alarm",
                level: "red",
            },
            AlarmFacts {
                opened_ms: DAY,
                acked_ms: None,
                zone: "campus/gate",
                kind: "vehicle.speeding",
                level: "yellow",
            },
        ];
        let r = report(&c, &dims, alarms.into_iter(), (0, 1), |_| true);
        assert_eq!(r.days, ["1970-01-01", "1970-01-02"]);
        let dim = |id: &str| {
            r.dimensions
                .iter()
                .find(|d| d.id == id)
                .unwrap()
                .per_day
                .clone()
        };
        assert_eq!(dim("environment"), [2, 0]);
        assert_eq!(dim("special"), [0, 1]);
        assert_eq!(dim("active_defence"), [0, 1]);
        assert_eq!(dim("other"), [0, 1]);
        assert_eq!(r.dimensions.len(), 7);
        assert_eq!(r.events.per_day, [2, 3]);
        assert_eq!(
            r.events.by_zone[0],
            Named {
                name: "campus/gate".into(),
                n: 3
            }
        );
        assert_eq!(r.alarms.per_day, [2, 1]);
        assert_eq!(r.alarms.acknowledged, 2);
        assert_eq!(r.alarms.ack_median_s_per_day, [Some(10.0), None]);
        assert_eq!(r.alarms.by_level[0].name, "red");

        let guard = report(&c, &dims, alarms.into_iter(), (0, 1), |z| {
            z.starts_with("campus/gate")
        });
        assert_eq!(guard.events.per_day, [0, 3]);
        assert_eq!(guard.alarms.total, 1);
        assert!(guard.events.by_zone.iter().all(|z| z.name == "campus/gate"));
    }
}
