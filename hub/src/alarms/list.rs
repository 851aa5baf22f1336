//! Which alarms a person sees, in what order, and grouped in a flood: pure
//! over the book.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::alarm::{Alarm, Stage};
use crate::bus::{Level, format_ms};

/// Which alarms, by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StateFilter {
    /// Not closed (the default).
    #[default]
    Open,
    /// On the wall: not closed, not shelved or out of service, and active
    /// or unacknowledged.
    Wall,
    /// Waiting for an acknowledgement.
    Unacknowledged,
    /// The condition holds.
    Active,
    /// Shelved now.
    Shelved,
    /// Out of service.
    OutOfService,
    /// Closed.
    Closed,
    /// Every alarm.
    All,
}

impl StateFilter {
    fn admits(self, a: &Alarm, now_ms: i64) -> bool {
        let open = a.stage != Stage::Closed;
        match self {
            StateFilter::Open => open,
            StateFilter::Wall => open && !a.suppressed(now_ms) && (a.active || a.unacked()),
            StateFilter::Unacknowledged => open && a.unacked(),
            StateFilter::Active => open && a.active,
            StateFilter::Shelved => open && a.is_shelved(now_ms),
            StateFilter::OutOfService => open && a.out_of_service.is_some(),
            StateFilter::Closed => !open,
            StateFilter::All => true,
        }
    }
}

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// By state.
    pub state: StateFilter,
    /// This level and above.
    pub level: Option<Level>,
    /// These zones and their children; empty for all.
    pub zones: Vec<String>,
    /// Exact kind, or a family (`fire.*`).
    pub kind: Option<String>,
    /// Owned by.
    pub owner: Option<String>,
    /// Opened at or after, ms.
    pub since_ms: Option<i64>,
}

pub use twinwall_base::zone_within as within;

impl Selection {
    /// Whether `a` is selected at `now_ms`.
    pub fn admits(&self, a: &Alarm, now_ms: i64) -> bool {
        self.state.admits(a, now_ms)
            && self.level.is_none_or(|l| a.level >= l)
            && (self.zones.is_empty() || self.zones.iter().any(|z| within(&a.zone, z)))
            && self
                .kind
                .as_deref()
                .is_none_or(|k| match k.strip_suffix('*') {
                    Some(family) => a.kind.starts_with(family),
                    None => a.kind == k,
                })
            && self
                .owner
                .as_deref()
                .is_none_or(|o| a.owner.as_deref() == Some(o))
            && self.since_ms.is_none_or(|s| a.opened_ms >= s)
    }
}

/// The order of the wall: highest level first, then the one waiting
/// longest, then by id.
pub fn order(a: &Alarm, b: &Alarm) -> std::cmp::Ordering {
    b.level
        .cmp(&a.level)
        .then(a.opened_ms.cmp(&b.opened_ms))
        .then(a.id.cmp(&b.id))
}

/// The alarms of one zone and kind, shown as one row in a flood.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    /// Their zone.
    pub zone: String,
    /// Their kind.
    pub kind: String,
    /// The highest level among them.
    pub level: Level,
    /// How many.
    pub count: usize,
    /// How many wait for an acknowledgement.
    pub unacknowledged: usize,
    /// When the first opened (RFC 3339).
    pub oldest: String,
    /// Their ids, in wall order (at most 20).
    pub alarms: Vec<String>,
    #[serde(skip)]
    oldest_ms: i64,
}

/// `alarms` (in wall order) as groups of one zone and kind: highest level
/// first, and among one level single alarms before groups, so that the
/// many alarms of one building's fire do not bury a lone panic button.
pub fn groups(alarms: &[&Alarm]) -> Vec<Group> {
    let mut by: HashMap<(&str, &str), Group> = HashMap::new();
    for a in alarms {
        let g = by
            .entry((a.zone.as_str(), a.kind.as_str()))
            .or_insert_with(|| Group {
                zone: a.zone.clone(),
                kind: a.kind.clone(),
                level: a.level,
                count: 0,
                unacknowledged: 0,
                oldest: format_ms(a.opened_ms),
                alarms: Vec::new(),
                oldest_ms: a.opened_ms,
            });
        g.count += 1;
        g.level = g.level.max(a.level);
        g.unacknowledged += usize::from(a.unacked());
        if g.alarms.len() < 20 {
            g.alarms.push(a.id.clone());
        }
    }
    let mut out: Vec<Group> = by.into_values().collect();
    out.sort_by(|a, b| {
        b.level
            .cmp(&a.level)
            .then((a.count > 1).cmp(&(b.count > 1)))
            .then(a.oldest_ms.cmp(&b.oldest_ms))
            .then(a.zone.cmp(&b.zone))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bus::NewEvent;

    fn alarm(seq: u64, kind: &str, zone: &str, level: Level, t: i64) -> Alarm {
        let e = NewEvent::new(kind, zone).level(level);
        Alarm::open(format!("k{seq}"), &e, "-".into(), seq, t)
    }

    #[test]
    fn a_lone_panic_is_above_a_buildings_fire() {
        let mut all: Vec<Alarm> = (0..50)
            .map(|i| alarm(i, "fire.alarm", "campus/chem", Level::Red, i as i64))
            .collect();
        all.push(alarm(50, "panic.pressed", "campus/gate", Level::Red, 100));
        all.push(alarm(51, "camera.tamper", "campus/gate", Level::Orange, 0));
        let mut refs: Vec<&Alarm> = all.iter().collect();
        refs.sort_by(|a, b| order(a, b));
        assert_eq!(refs[0].kind, "fire.alarm", "flat: the oldest red first");
        let g = groups(&refs);
        assert_eq!(g.len(), 3);
        assert_eq!((g[0].kind.as_str(), g[0].count), ("panic.pressed", 1));
        assert_eq!((g[1].kind.as_str(), g[1].count), ("fire.alarm", 50));
        assert_eq!(g[2].level, Level::Orange);
    }

    #[test]
    fn selections_filter_by_state_level_kind_and_owner() {
        let mut a = alarm(1, "fire.alarm", "campus/chem/f1", Level::Red, 0);
        let s = Selection {
            kind: Some("fire.*".into()),
            zones: vec!["campus/chem".into()],
            level: Some(Level::Orange),
            ..Selection::default()
        };
        assert!(s.admits(&a, 0));
        a.owner = Some("li".into());
        let mine = Selection {
            owner: Some("wang".into()),
            ..Selection::default()
        };
        assert!(!mine.admits(&a, 0));
        let closed = Selection {
            state: StateFilter::Closed,
            ..Selection::default()
        };
        assert!(!closed.admits(&a, 0));
    }
}
