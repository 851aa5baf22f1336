//! Scheduled broadcasts (定时: bells, daily reminders): kept in the data
//! folder, re-armed after a restart; a time missed while the hub was down
//! plays late if it is at most [`GRACE_MS`] late, else it is reported missed.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// A due time missed by more than this (the hub was down) is not played.
pub const GRACE_MS: i64 = 10 * 60 * 1000;

const DAY_MS: i64 = 86_400_000;

/// When a scheduled job plays.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Schedule {
    /// Once, at an RFC 3339 time (`2026-12-01T07:50:00+08:00`).
    At(String),
    /// Every day at `HH:MM` in the site's time (`[broadcast] utc_offset_minutes`).
    Daily(String),
}

impl Schedule {
    /// The first due time after `now_ms` (for `at`: the time itself).
    pub fn first(&self, now_ms: i64, offset_min: i32) -> Result<i64, String> {
        match self {
            Schedule::At(t) => twinwall_plugin_sdk::time::parse_iso8601(t)
                .ok_or_else(|| format!("schedule `at` = `{t}`: not an RFC 3339 time")),
            Schedule::Daily(hm) => {
                let minutes = parse_hm(hm)?;
                let offset = i64::from(offset_min) * 60_000;
                let local = now_ms + offset;
                let midnight = local.div_euclid(DAY_MS) * DAY_MS;
                let mut due = midnight + minutes * 60_000 - offset;
                while due <= now_ms {
                    due += DAY_MS;
                }
                Ok(due)
            }
        }
    }

    /// The due time after one at `due` (none for `at`).
    pub fn next_after(&self, due: i64) -> Option<i64> {
        match self {
            Schedule::At(_) => None,
            Schedule::Daily(_) => Some(due + DAY_MS),
        }
    }
}

fn parse_hm(hm: &str) -> Result<i64, String> {
    let bad = || format!("schedule `daily` = `{hm}`: use HH:MM (00:00 to 23:59)");
    let (h, m) = hm.split_once(':').ok_or_else(bad)?;
    let (h, m): (i64, i64) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if !(0..24).contains(&h) || !(0..60).contains(&m) || hm.len() != 5 {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

/// A stored schedule.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Scheduled {
    /// Id (`s…`).
    pub id: String,
    /// Who set it up.
    pub actor: String,
    /// The job, with its `schedule`.
    pub request: super::BroadcastRequest,
    /// Next due time, ms since the epoch.
    pub next_ms: i64,
    /// Next due time, RFC 3339 (for people).
    pub next: String,
    /// Jobs it started, newest last (at most 20).
    pub runs: Vec<String>,
}

/// The schedules file.
pub struct Store {
    path: Option<PathBuf>,
}

impl Store {
    /// Schedules kept in `dir` (none kept when `None`).
    pub fn new(dir: Option<&Path>) -> Self {
        Store {
            path: dir.map(|d| d.join("schedules.json")),
        }
    }

    /// What was kept.
    pub fn load(&self) -> Vec<Scheduled> {
        let Some(p) = &self.path else {
            return Vec::new();
        };
        match std::fs::read(p) {
            Ok(b) => serde_json::from_slice(&b).unwrap_or_else(|e| {
                tracing::error!(file = %p.display(), "schedules unreadable, none re-armed: {e}");
                Vec::new()
            }),
            Err(_) => Vec::new(),
        }
    }

    /// Keep `all` (written then renamed: a crash leaves the old or the new file).
    pub fn save(&self, all: &[Scheduled]) -> std::io::Result<()> {
        let Some(p) = &self.path else { return Ok(()) };
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d)?;
        }
        let tmp = p.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_vec_pretty(all).unwrap_or_default())?;
        std::fs::rename(&tmp, p)
    }
}

use super::{BroadcastError, Broadcasts, now_ms};
use crate::bus::{Level, NewEvent};
use crate::devices::HUB_ZONE;

/// Scheduled jobs: kept, listed, removed, and started when due.
impl Broadcasts {
    pub(super) fn change_schedules(&self, f: impl FnOnce(&mut Vec<Scheduled>)) {
        let mut all = self
            .inner
            .schedules
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        f(&mut all);
        if let Err(e) = self.inner.store.save(&all) {
            tracing::error!("schedules not saved: {e}");
        }
    }

    /// Every schedule, soonest first.
    pub fn schedules(&self) -> Vec<Scheduled> {
        let mut all = self
            .inner
            .schedules
            .lock()
            .map(|a| a.clone())
            .unwrap_or_default();
        all.sort_by_key(|s| s.next_ms);
        all
    }

    /// Remove a schedule.
    pub async fn unschedule(&self, id: &str, actor: &str) -> Result<(), BroadcastError> {
        let mut found = false;
        self.change_schedules(|all| {
            let before = all.len();
            all.retain(|s| s.id != id);
            found = all.len() != before;
        });
        if !found {
            return Err(BroadcastError::Unknown(id.to_owned()));
        }
        self.emit(
            NewEvent::new("broadcast.unscheduled", HUB_ZONE)
                .actor(actor)
                .correlation(id)
                .attr("schedule", id)
                .message(format!("{actor} removed scheduled broadcast {id}")),
        )
        .await;
        Ok(())
    }

    /// Start what is due; report what was missed while the hub was down
    /// (both in one pass over the schedules, under one lock).
    pub(super) async fn run_due(&self) {
        let now = now_ms();
        let due: Vec<Scheduled> = self
            .inner
            .schedules
            .lock()
            .map(|a| a.iter().filter(|s| s.next_ms <= now).cloned().collect())
            .unwrap_or_default();
        for s in due {
            let late = now - s.next_ms;
            let mut run = None;
            if late > GRACE_MS {
                self.emit(
                    NewEvent::new("broadcast.missed", HUB_ZONE)
                        .level(Level::Yellow)
                        .correlation(&s.id)
                        .attr("schedule", s.id.as_str())
                        .attr("due", s.next.as_str())
                        .message(format!(
                            "scheduled broadcast {} due at {} was missed ({} min late)",
                            s.id,
                            s.next,
                            late / 60_000
                        )),
                )
                .await;
            } else {
                let mut req = s.request.clone();
                req.schedule = None;
                let actor = format!("schedule {} ({})", s.id, s.actor);
                match self.submit(req, &actor).await {
                    Ok(j) => run = Some(j.id),
                    Err(e) => {
                        self.emit(
                            NewEvent::new("broadcast.failed", HUB_ZONE)
                                .level(Level::Yellow)
                                .correlation(&s.id)
                                .attr("schedule", s.id.as_str())
                                .attr("reason", e.to_string())
                                .message(format!(
                                    "scheduled broadcast {} could not start: {e}",
                                    s.id
                                )),
                        )
                        .await
                    }
                }
            }
            let next = s
                .request
                .schedule
                .as_ref()
                .and_then(|w| w.next_after(s.next_ms))
                .map(|mut n| {
                    while n <= now {
                        n += 86_400_000;
                    }
                    n
                });
            self.change_schedules(|all| {
                let Some(i) = all.iter().position(|x| x.id == s.id) else {
                    return;
                };
                match next {
                    Some(n) => {
                        let e = &mut all[i];
                        e.next_ms = n;
                        e.next = crate::bus::format_ms(n);
                        if let Some(r) = run {
                            e.runs.push(r);
                            if e.runs.len() > 20 {
                                e.runs.remove(0);
                            }
                        }
                    }
                    None => {
                        all.remove(i);
                    }
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn daily_times_are_in_the_site_offset() {
        // 2026-11-30 00:00 UTC = 08:00 in UTC+8.
        let now = twinwall_plugin_sdk::time::parse_iso8601("2026-11-30T00:00:00Z").unwrap();
        let d = Schedule::Daily("07:50".into());
        let due = d.first(now, 480).unwrap();
        // 07:50 +08 has passed today: tomorrow's, 2026-11-30T23:50Z.
        assert_eq!(
            due,
            twinwall_plugin_sdk::time::parse_iso8601("2026-11-30T23:50:00Z").unwrap()
        );
        assert_eq!(d.next_after(due), Some(due + DAY_MS));
        let at = Schedule::At("2026-12-01T07:50:00+08:00".into());
        assert_eq!(at.first(now, 0).unwrap(), due);
        assert!(Schedule::Daily("7:5".into()).first(now, 0).is_err());
        assert!(Schedule::Daily("24:00".into()).first(now, 0).is_err());
        assert!(Schedule::At("tomorrow".into()).first(now, 0).is_err());
    }
}
