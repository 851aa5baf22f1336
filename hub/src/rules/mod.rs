//! Linkage rules (联动): when an event matches a rule's kinds, zone and
//! level, the hub acts by itself — a fire alarm in a building starts its
//! evacuation broadcast, a panic press takes pictures from the cameras
//! nearby, an intrusion opens nothing but raises the level. Rules come from
//! `[[rules]]` in hub.toml and from the rules file (`[linkage] file`), which
//! is watched and reloaded without a restart; a bad file is refused with
//! file, line and why, and the rules before it stay. Every firing is a
//! `rule.fired` event (snapshots attached, the cause linked) and every
//! action's outcome a `rule.action` event.
//!
//! ```toml
//! [[rules]]
//! id = "fire-evacuation"
//! when = { kind = ["fire.alarm"], zone = "chem-north", min_level = "red" }
//! actions = [
//!   { broadcast = { zones = ["$zone"], text = "火警，请立即疏散", priority = 255 } },
//!   { snapshot = { zone = "$zone" } },
//! ]
//! ```

mod actions;
mod model;

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime};

pub use model::{ActionSpec, RuleError, RuleSpec, When, glob, parse};
use serde::Serialize;

use crate::broadcast::Broadcasts;
use crate::bus::{Bus, Event, Filter, Level, NewEvent};
use crate::devices::{Devices, HUB_ZONE};

/// What the API shows of the rules.
#[derive(Debug, Clone, Serialize)]
pub struct RulesView {
    /// Ids of the rules in force, with where they came from.
    pub rules: Vec<RuleSummary>,
    /// The last refusal of the rules file, if it is still refused.
    pub rejected: Option<String>,
    /// The rules file, if any.
    pub file: Option<String>,
}

/// One rule, briefly.
#[derive(Debug, Clone, Serialize)]
pub struct RuleSummary {
    /// Id.
    pub id: String,
    /// Kinds it fires on.
    pub kinds: Vec<String>,
    /// Zone it watches.
    pub zone: Option<String>,
    /// Actions, by name.
    pub actions: Vec<String>,
    /// Firings since the hub started.
    pub fired: u64,
}

#[derive(Default)]
struct Counters {
    /// Last firing per event zone, ms.
    last: HashMap<String, i64>,
    /// Firings in the last hour, ms.
    recent: VecDeque<i64>,
    fired: u64,
}

struct Inner {
    bus: Bus,
    devices: Arc<Devices>,
    broadcasts: Broadcasts,
    /// Zone id → path.
    zones: HashMap<String, String>,
    inline: Vec<RuleSpec>,
    file: Option<PathBuf>,
    rules: RwLock<Arc<Vec<RuleSpec>>>,
    rejected: Mutex<Option<String>>,
    counters: Mutex<HashMap<String, Counters>>,
}

/// The rule engine.
#[derive(Clone)]
pub struct Rules {
    inner: Arc<Inner>,
}

impl Rules {
    /// Start the engine on the live bus with the `inline` rules of hub.toml
    /// and those of `file` (watched every `reload`).
    pub fn spawn(
        bus: Bus,
        devices: Arc<Devices>,
        broadcasts: Broadcasts,
        zones: HashMap<String, String>,
        inline: Vec<RuleSpec>,
        file: Option<PathBuf>,
        reload: Duration,
    ) -> (Self, Vec<tokio::task::JoinHandle<()>>) {
        let r = Rules {
            inner: Arc::new(Inner {
                bus: bus.clone(),
                devices,
                broadcasts,
                zones,
                rules: RwLock::new(Arc::new(inline.clone())),
                inline,
                file,
                rejected: Mutex::new(None),
                counters: Mutex::default(),
            }),
        };
        // The file's rules are in force before the first event is looked at.
        let _ = r.reload_now();
        let engine = r.clone();
        let follow = tokio::spawn(async move {
            let mut sub = bus.subscribe(bus.next_seq(), Filter::default());
            while let Ok(e) = sub.next().await {
                engine.consider(e);
            }
        });
        let watcher = r.clone();
        let watch = tokio::spawn(async move {
            let mut seen = watcher.stamp();
            loop {
                tokio::time::sleep(reload).await;
                let now = watcher.stamp();
                if now != seen {
                    seen = now;
                    let _ = watcher.reload_now_and_report(None).await;
                }
            }
        });
        (r, vec![follow, watch])
    }

    fn stamp(&self) -> Option<(SystemTime, u64)> {
        let m = std::fs::metadata(self.inner.file.as_ref()?).ok()?;
        Some((m.modified().ok()?, m.len()))
    }

    /// Re-read the rules file: its rules replace the file's old ones, or
    /// the old ones stay and the refusal says where and why.
    fn reload_now(&self) -> Result<usize, String> {
        let Some(path) = &self.inner.file else {
            return Ok(self.inner.inline.len());
        };
        let name = path.display().to_string();
        let parsed = std::fs::read_to_string(path)
            .map_err(|e| format!("{name}: {e}"))
            .and_then(|text| parse(&text, &name, &self.inner.zones).map_err(|e| e.to_string()));
        let from_file = match parsed {
            Ok(r) => r,
            Err(why) => {
                tracing::error!("rules not reloaded: {why}");
                *self
                    .inner
                    .rejected
                    .lock()
                    .unwrap_or_else(|p| p.into_inner()) = Some(why.clone());
                return Err(why);
            }
        };
        if let Some(dup) = from_file.iter().find(|r| {
            self.inner
                .inline
                .iter()
                .any(|i| i.id.get_ref() == r.id.get_ref())
        }) {
            let why = format!("{name}: rule `{}` is also in hub.toml", dup.id.get_ref());
            *self
                .inner
                .rejected
                .lock()
                .unwrap_or_else(|p| p.into_inner()) = Some(why.clone());
            return Err(why);
        }
        let mut all = self.inner.inline.clone();
        all.extend(from_file);
        let n = all.len();
        *self.inner.rules.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(all);
        *self
            .inner
            .rejected
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = None;
        Ok(n)
    }

    /// Reload and put the result on the bus (`rule.reloaded` or
    /// `rule.rejected`), with the operator who asked as its actor (none when
    /// the file watcher saw the change).
    pub async fn reload_now_and_report(&self, actor: Option<&str>) -> Result<usize, String> {
        let result = self.reload_now();
        let mut e = match &result {
            Ok(n) => NewEvent::new("rule.reloaded", HUB_ZONE)
                .attr("rules", *n as i64)
                .message(format!("linkage rules reloaded: {n} in force")),
            Err(why) => NewEvent::new("rule.rejected", HUB_ZONE)
                .level(Level::Yellow)
                .attr("reason", why.as_str())
                .message(format!(
                    "linkage rules refused, the previous ones stay: {why}"
                )),
        };
        if let Some(a) = actor {
            e = e.actor(a);
        }
        let _ = self.inner.bus.submit(vec![e]).await;
        result
    }

    /// The rules in force.
    pub fn view(&self) -> RulesView {
        let rules = self
            .inner
            .rules
            .read()
            .map(|r| r.clone())
            .unwrap_or_default();
        let counters = self
            .inner
            .counters
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        RulesView {
            rules: rules
                .iter()
                .map(|r| RuleSummary {
                    id: r.id.get_ref().clone(),
                    kinds: r.when.get_ref().kind.clone(),
                    zone: r.when.get_ref().zone.clone(),
                    actions: r
                        .actions
                        .iter()
                        .map(|a| a.get_ref().name().to_owned())
                        .collect(),
                    fired: counters.get(r.id.get_ref()).map_or(0, |c| c.fired),
                })
                .collect(),
            rejected: self.inner.rejected.lock().ok().and_then(|r| r.clone()),
            file: self.inner.file.as_ref().map(|f| f.display().to_string()),
        }
    }

    fn matches(&self, r: &RuleSpec, e: &Event) -> bool {
        let w = r.when.get_ref();
        let b = &e.body;
        if b.kind.starts_with("rule.") || b.phase == Some(crate::bus::Phase::End) {
            return false;
        }
        if !w.kind.iter().any(|k| glob(k, &b.kind)) {
            return false;
        }
        if w.min_level.is_some_and(|l| b.level < l) {
            return false;
        }
        match &w.zone {
            None => true,
            Some(z) => self
                .inner
                .zones
                .get(z)
                .is_some_and(|p| b.zone == *p || b.zone.starts_with(&format!("{p}/"))),
        }
    }

    /// Debounce and rate limit: whether `rule` may fire now for `zone`.
    fn admit(&self, rule: &str, zone: &str, debounce_s: u64, per_hour: u32) -> Result<(), String> {
        let now = crate::bus::now_ms();
        let mut counters = self
            .inner
            .counters
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let c = counters.entry(rule.to_owned()).or_default();
        if let Some(last) = c.last.get(zone)
            && now - last < debounce_s as i64 * 1000
        {
            return Err(format!(
                "fired for {zone} {} s ago (debounce {debounce_s} s)",
                (now - last) / 1000
            ));
        }
        while c.recent.front().is_some_and(|t| now - t > 3_600_000) {
            c.recent.pop_front();
        }
        if c.recent.len() >= per_hour as usize {
            return Err(format!(
                "{} firings in the last hour (limit {per_hour})",
                c.recent.len()
            ));
        }
        c.recent.push_back(now);
        c.last.insert(zone.to_owned(), now);
        c.fired += 1;
        Ok(())
    }

    fn consider(&self, e: Event) {
        let rules = self
            .inner
            .rules
            .read()
            .map(|r| r.clone())
            .unwrap_or_default();
        for r in rules.iter().filter(|r| self.matches(r, &e)) {
            let id = r.id.get_ref().clone();
            match self.admit(&id, &e.body.zone, r.debounce_s, r.max_per_hour) {
                Ok(()) => {
                    let engine = self.clone();
                    let rule = r.clone();
                    let cause = e.clone();
                    tokio::spawn(async move { engine.fire(rule, cause).await });
                }
                Err(why) => {
                    // Repeats inside the debounce window are expected: no event for them.
                    if why.contains("limit") {
                        let bus = self.inner.bus.clone();
                        let ev = NewEvent::new("rule.suppressed", &e.body.zone)
                            .level(Level::Yellow)
                            .attr("rule", id.as_str())
                            .attr("cause", e.seq)
                            .attr("reason", why.as_str())
                            .message(format!("rule {id} not fired: {why}"));
                        tokio::spawn(async move {
                            let _ = bus.submit(vec![ev]).await;
                        });
                    }
                }
            }
        }
    }

    /// The zone id of an event's zone path: the deepest configured zone
    /// that contains it.
    fn zone_id(&self, path: &str) -> Option<String> {
        self.inner
            .zones
            .iter()
            .filter(|(_, p)| path == p.as_str() || path.starts_with(&format!("{p}/")))
            .max_by_key(|(_, p)| p.len())
            .map(|(id, _)| id.clone())
    }
}
