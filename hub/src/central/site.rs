//! What the centre knows of one campus, built only from its stream: the
//! hub's own alarm book (the same code, so an alarm is the same alarm at
//! both desks), its devices' last state, and counts. Events are taken once
//! each, in the campus's order: one already taken (a redelivery) is
//! ignored.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::alarms::{AlarmBook, Policy};
use crate::bus::{Event, format_ms};
use crate::projection::Rules;

/// A device as its events show it.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceState {
    /// Its zone.
    pub zone: String,
    /// Online, as its last online/offline event said (unknown before one).
    pub online: Option<bool>,
    /// When that changed, ms.
    pub since_ms: Option<i64>,
    /// Its last event, ms.
    pub last_ms: i64,
}

/// One campus.
pub struct SiteView {
    /// The campus's id.
    pub site: String,
    /// Its name for people.
    pub name: String,
    /// Its stream.
    pub stream: String,
    book: AlarmBook,
    devices: BTreeMap<String, DeviceState>,
    /// The seq after the last event taken.
    next_seq: Option<u64>,
    /// Events taken.
    pub events: u64,
    /// Events the stream delivered twice (ignored).
    pub redelivered: u64,
    last_ms: Option<i64>,
    /// Events by kind.
    by_kind: BTreeMap<String, u64>,
    /// How long the last events took from the campus's log to here, ms.
    lags: std::collections::VecDeque<i64>,
}

/// Events whose lag the summary's percentiles are over.
pub const LAG_WINDOW: usize = 1_000;

impl SiteView {
    /// An empty view of `site` whose alarms are judged by `policy`.
    pub fn new(site: &str, name: &str, stream: &str, policy: Policy) -> Self {
        SiteView {
            site: site.into(),
            name: name.into(),
            stream: stream.into(),
            book: AlarmBook::new(policy),
            devices: BTreeMap::new(),
            next_seq: None,
            events: 0,
            redelivered: 0,
            last_ms: None,
            by_kind: BTreeMap::new(),
            lags: std::collections::VecDeque::with_capacity(LAG_WINDOW),
        }
    }

    /// Take `e` in at `now_ms`; false if it was taken before.
    pub fn take(&mut self, e: &Event, now_ms: i64) -> bool {
        if self.next_seq.is_some_and(|n| e.seq < n) {
            self.redelivered += 1;
            return false;
        }
        if self.lags.len() == LAG_WINDOW {
            self.lags.pop_front();
        }
        self.lags.push_back((now_ms - e.time_ms).max(0));
        self.next_seq = Some(e.seq + 1);
        self.events += 1;
        self.last_ms = Some(e.time_ms);
        *self.by_kind.entry(e.body.kind.clone()).or_default() += 1;
        // The campus's own verdicts (escalations, floods) are in its stream:
        // the centre judges nothing itself.
        let _ = self.book.on_event(e);
        if let Some(d) = &e.body.device {
            let st = self
                .devices
                .entry(d.clone())
                .or_insert_with(|| DeviceState {
                    zone: e.body.zone.clone(),
                    online: None,
                    since_ms: None,
                    last_ms: e.time_ms,
                });
            st.last_ms = e.time_ms;
            if !e.body.zone.is_empty() && e.body.kind != "device.placed" {
                st.zone = e.body.zone.clone();
            }
            let online = match e.body.kind.as_str() {
                "device.online" => Some(true),
                "device.offline" => Some(false),
                _ => None,
            };
            if let Some(o) = online
                && st.online != Some(o)
            {
                st.online = Some(o);
                st.since_ms = Some(e.time_ms);
            }
        }
        true
    }

    /// The seq the next event must have, if any was taken.
    pub fn next_seq(&self) -> Option<u64> {
        self.next_seq
    }

    /// The alarm book.
    pub fn book(&self) -> &AlarmBook {
        &self.book
    }

    /// Devices by id.
    pub fn devices(&self) -> &BTreeMap<String, DeviceState> {
        &self.devices
    }

    /// The lag of each of the last events (campus log → here), ms, oldest first.
    pub fn lags(&self) -> impl Iterator<Item = i64> + '_ {
        self.lags.iter().copied()
    }

    /// The lag of the last events (campus log → here), ms: p50, p99 (nearest rank).
    pub fn lag_ms(&self) -> Option<(i64, i64)> {
        let mut v: Vec<i64> = self.lags.iter().copied().collect();
        if v.is_empty() {
            return None;
        }
        v.sort_unstable();
        let rank = |q: f64| v[((q * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1];
        Some((rank(0.5), rank(0.99)))
    }

    /// The summary the site picker shows.
    pub fn summary(&self, connected: bool) -> Value {
        let lag = self.lag_ms();
        let open = self
            .book
            .iter()
            .filter(|a| a.stage != crate::alarms::Stage::Closed)
            .count();
        let offline = self
            .devices
            .values()
            .filter(|d| d.online == Some(false))
            .count();
        json!({
            "site": self.site,
            "name": self.name,
            "stream": self.stream,
            "connected": connected,
            "events": self.events,
            "redelivered": self.redelivered,
            "last_seq": self.next_seq.map(|n| n.saturating_sub(1)),
            "last_time": self.last_ms.map(format_ms),
            "alarms_open": open,
            "devices": self.devices.len(),
            "devices_offline": offline,
            "by_kind": self.by_kind,
            "lag_ms": lag.map(|(p50, p99)| json!({"p50": p50, "p99": p99, "over": self.lags.len()})),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bus::{Level, NewEvent, Phase};

    fn ev(seq: u64, kind: &str, device: &str) -> Event {
        let mut body =
            NewEvent::new(kind, "campus/chem")
                .device(device)
                .level(if kind == "fire.alarm" {
                    Level::Red
                } else {
                    Level::Info
                });
        if kind == "fire.alarm" {
            body.phase = Some(Phase::Begin);
        }
        Event {
            seq,
            time_ms: 1_000 + seq as i64,
            site: "s1".into(),
            body,
        }
    }

    fn view() -> SiteView {
        SiteView::new(
            "s1",
            "本部",
            "TWINWALL_S1",
            Policy::from(&crate::config::AlarmsConfig::default()),
        )
    }

    #[test]
    fn an_event_delivered_twice_counts_once() {
        let mut v = view();
        assert!(v.take(&ev(0, "device.online", "fp-1"), 1_010));
        assert!(v.take(&ev(1, "fire.alarm", "fp-1"), 1_021));
        assert!(!v.take(&ev(1, "fire.alarm", "fp-1"), 1_030), "a redelivery");
        assert!(!v.take(&ev(0, "device.online", "fp-1"), 1_040));
        assert_eq!(v.lag_ms(), Some((10, 20)), "redeliveries are not lag");
        assert_eq!((v.events, v.redelivered), (2, 2));
        assert_eq!(v.book().iter().count(), 1, "one alarm, not two");
        assert_eq!(v.next_seq(), Some(2));
    }

    #[test]
    fn devices_keep_their_last_state() {
        let mut v = view();
        v.take(&ev(3, "device.online", "cam-1"), 2_000);
        v.take(&ev(9, "device.offline", "cam-1"), 2_000);
        v.take(&ev(10, "camera.motion", "cam-1"), 2_000);
        let d = &v.devices()["cam-1"];
        assert_eq!(
            (d.online, d.since_ms, d.last_ms),
            (Some(false), Some(1_009), 1_010)
        );
        let s = v.summary(true);
        assert_eq!(s["devices_offline"], 1);
        assert_eq!(s["last_seq"], 10);
    }

    #[test]
    fn the_lag_is_over_the_last_thousand_events() {
        let mut v = view();
        for i in 0..(LAG_WINDOW as u64 + 500) {
            // The first 500 came late (a backlog), the rest at 5 ms.
            let late = if i < 500 { 60_000 } else { 5 };
            let e = ev(i, "camera.motion", "cam-1");
            v.take(&e, e.time_ms + late);
        }
        assert_eq!(v.lag_ms(), Some((5, 5)));
        assert_eq!(v.summary(true)["lag_ms"]["over"], LAG_WINDOW);
    }
}
