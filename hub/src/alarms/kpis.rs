//! The figures alarm-management standards judge a system by (ISA-18.2 §16,
//! EEMUA 191): alarm rate, time to acknowledge and to close, time in flood,
//! standing and chattering alarms, the most frequent sources. Pure over the
//! book: the alarms opened within a window, and the floods.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::alarm::Alarm;
use super::book::Flood;
use super::list::within;

/// An alarm active this long is a standing alarm (EEMUA 191: 24 h).
pub const STANDING_MS: i64 = 24 * 3600 * 1000;

/// Median and 90th percentile of durations, seconds (nearest rank: the
/// smallest value with at least that share of values at or below it).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Spread {
    /// How many values.
    pub n: usize,
    /// Median, s.
    pub median_s: Option<f64>,
    /// 90th percentile, s.
    pub p90_s: Option<f64>,
}

impl Spread {
    fn of(mut ms: Vec<i64>) -> Self {
        ms.sort_unstable();
        let rank = |p: f64| {
            let i = ((p * ms.len() as f64).ceil() as usize).max(1) - 1;
            ms.get(i).map(|v| *v as f64 / 1000.0)
        };
        Spread {
            n: ms.len(),
            median_s: rank(0.5),
            p90_s: rank(0.9),
        }
    }
}

/// Times to acknowledge and to close within one level or zone.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Times {
    /// Alarms.
    pub alarms: usize,
    /// From opening to the first acknowledgement.
    pub acknowledge: Spread,
    /// From opening to closing.
    pub close: Spread,
}

/// The figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Kpis {
    /// Alarms opened in the window.
    pub alarms: usize,
    /// Of them, per 10 minutes on average.
    pub per_10_minutes: f64,
    /// Of them, per day on average.
    pub per_day: f64,
    /// All of them.
    pub times: Times,
    /// By level.
    pub by_level: BTreeMap<String, Times>,
    /// By zone.
    pub by_zone: BTreeMap<String, Times>,
    /// Time in flood within the window, s.
    pub flood_s: f64,
    /// Open, active and older than 24 h now.
    pub standing: usize,
    /// Raised 3 times or more within a minute.
    pub chattering: usize,
    /// The ten sources that raised most (device and source), with raises.
    pub top_sources: Vec<(String, u64)>,
}

fn times<'a>(alarms: impl Iterator<Item = &'a Alarm>) -> Times {
    let (mut n, mut ack, mut close) = (0, Vec::new(), Vec::new());
    for a in alarms {
        n += 1;
        if let Some((_, t)) = &a.acked {
            ack.push(t - a.opened_ms);
        }
        if let Some((t, _)) = a.closed {
            close.push(t - a.opened_ms);
        }
    }
    Times {
        alarms: n,
        acknowledge: Spread::of(ack),
        close: Spread::of(close),
    }
}

/// The figures of the alarms opened in `[since_ms, until_ms)` within
/// `zones` (all when empty), the floods overlapping it, standing ones
/// judged at `now_ms`.
pub fn kpis<'a>(
    all: impl Iterator<Item = &'a Alarm>,
    floods: &[Flood],
    since_ms: i64,
    until_ms: i64,
    zones: &[String],
    now_ms: i64,
) -> Kpis {
    let chosen: Vec<&Alarm> = all
        .filter(|a| a.opened_ms >= since_ms && a.opened_ms < until_ms)
        .filter(|a| zones.is_empty() || zones.iter().any(|z| within(&a.zone, z)))
        .collect();
    let span = until_ms.saturating_sub(since_ms).max(1) as f64;
    let mut by_level: BTreeMap<String, Vec<&Alarm>> = BTreeMap::new();
    let mut by_zone: BTreeMap<String, Vec<&Alarm>> = BTreeMap::new();
    let mut sources: HashMap<String, u64> = HashMap::new();
    for a in &chosen {
        by_level
            .entry(a.level.as_str().to_owned())
            .or_default()
            .push(a);
        by_zone.entry(a.zone.clone()).or_default().push(a);
        let src = format!("{}|{}", a.device.as_deref().unwrap_or("-"), a.source);
        *sources.entry(src).or_default() += 1 + u64::from(a.re_alarms);
    }
    let mut top: Vec<(String, u64)> = sources.into_iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    top.truncate(10);
    let flood_ms: i64 = floods
        .iter()
        .map(|f| {
            let from = f.began_ms.max(since_ms);
            let to = f.ended_ms.unwrap_or(now_ms).min(until_ms);
            (to - from).max(0)
        })
        .sum();
    Kpis {
        alarms: chosen.len(),
        per_10_minutes: chosen.len() as f64 / (span / 600_000.0),
        per_day: chosen.len() as f64 / (span / 86_400_000.0),
        times: times(chosen.iter().copied()),
        by_level: by_level
            .into_iter()
            .map(|(k, v)| (k, times(v.into_iter())))
            .collect(),
        by_zone: by_zone
            .into_iter()
            .map(|(k, v)| (k, times(v.into_iter())))
            .collect(),
        flood_s: flood_ms as f64 / 1000.0,
        standing: chosen
            .iter()
            .filter(|a| a.closed.is_none() && a.active && now_ms - a.opened_ms >= STANDING_MS)
            .count(),
        chattering: chosen.iter().filter(|a| a.chattering()).count(),
        top_sources: top,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alarms::{Action, AlarmBook, Policy, Resolution};
    use crate::bus::{Event, Level, NewEvent, Phase};
    use crate::projection::Rules;

    /// A log written by hand, its figures worked out by hand.
    #[test]
    fn figures_of_a_known_log() {
        let mut book = AlarmBook::new(Policy::default());
        let mut seq = 0;
        let mut put = |book: &mut AlarmBook, body: NewEvent, s: i64| {
            seq += 1;
            book.on_event(&Event {
                seq,
                time_ms: s * 1000,
                site: "s".into(),
                body,
            });
            format!("a{seq}")
        };
        let cond = |kind: &str, zone: &str, level, point: i64, phase| {
            let mut e = NewEvent::new(kind, zone)
                .device("d1")
                .level(level)
                .attr("point", point);
            e.phase = Some(phase);
            e
        };
        let act = |book: &AlarmBook, id: &str, a: Action| a.event(book.get(id).unwrap(), "li");
        // A: red, acknowledged after 30 s, cleared, closed after 100 s.
        let a = put(
            &mut book,
            cond("fire.alarm", "campus/chem", Level::Red, 1, Phase::Begin),
            0,
        );
        let e = act(&book, &a, Action::Acknowledge { note: None });
        put(&mut book, e, 30);
        put(
            &mut book,
            cond("fire.alarm", "campus/chem", Level::Red, 1, Phase::End),
            50,
        );
        let close = Action::Close {
            resolution: Resolution::Real,
            note: Some("put out".into()),
        };
        let e = act(&book, &a, close);
        put(&mut book, e, 100);
        // B: yellow in another zone, acknowledged after 60 s.
        let b = put(
            &mut book,
            cond("fire.fault", "campus/lib", Level::Yellow, 2, Phase::Begin),
            60,
        );
        let e = act(&book, &b, Action::Acknowledge { note: None });
        put(&mut book, e, 120);
        // C: red, raised three times within 20 s (chattering), acknowledged after 180 s.
        let c = put(
            &mut book,
            cond("fire.alarm", "campus/chem", Level::Red, 3, Phase::Begin),
            120,
        );
        put(
            &mut book,
            cond("fire.alarm", "campus/chem", Level::Red, 3, Phase::Begin),
            130,
        );
        put(
            &mut book,
            cond("fire.alarm", "campus/chem", Level::Red, 3, Phase::Begin),
            140,
        );
        let e = act(&book, &c, Action::Acknowledge { note: None });
        put(&mut book, e, 300);
        // A flood from 100 s to 400 s.
        for (phase, at) in [(Phase::Begin, 100), (Phase::End, 400)] {
            let mut f = NewEvent::new("alarm.flood", "hub");
            f.phase = Some(phase);
            put(&mut book, f, at);
        }

        let k = kpis(book.iter(), book.floods(), 0, 600_000, &[], 600_000);
        assert_eq!(k.alarms, 3);
        assert_eq!(k.per_10_minutes, 3.0);
        assert_eq!(k.per_day, 432.0);
        assert_eq!(k.times.acknowledge.median_s, Some(60.0));
        assert_eq!(k.times.acknowledge.p90_s, Some(180.0));
        assert_eq!(k.times.close.n, 1);
        assert_eq!(k.times.close.median_s, Some(100.0));
        let red = &k.by_level["red"];
        assert_eq!(
            (red.alarms, red.acknowledge.median_s, red.acknowledge.p90_s),
            (2, Some(30.0), Some(180.0))
        );
        assert_eq!(k.by_zone["campus/lib"].acknowledge.median_s, Some(60.0));
        assert_eq!(k.flood_s, 300.0);
        assert_eq!(k.chattering, 1);
        assert_eq!(k.standing, 0);
        assert_eq!(k.top_sources[0], ("d1|3".to_owned(), 3));
        // Within one zone, and a window that leaves out A.
        let chem = kpis(
            book.iter(),
            book.floods(),
            1_000,
            600_000,
            &["campus/chem".into()],
            600_000,
        );
        assert_eq!(chem.alarms, 1);
        assert_eq!(chem.flood_s, 300.0);
        // A day on, C is still active: standing.
        let later = kpis(
            book.iter(),
            book.floods(),
            0,
            600_000,
            &[],
            STANDING_MS + 200_000,
        );
        assert_eq!(later.standing, 2, "B and C have not cleared");
    }

    #[test]
    fn nearest_rank_percentiles() {
        let s = Spread::of(vec![4_000, 1_000, 3_000, 2_000]);
        assert_eq!((s.median_s, s.p90_s), (Some(2.0), Some(4.0)));
        assert_eq!(Spread::of(Vec::new()).median_s, None);
        let ten = Spread::of((1..=10).map(|s| s * 1000).collect());
        assert_eq!((ten.median_s, ten.p90_s), (Some(5.0), Some(9.0)));
    }
}
