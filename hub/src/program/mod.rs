//! The dual-prevention program (双重预防): the risk register (points, hazard
//! sources, assessment and level, control measures), inspection rounds,
//! hazards and their closed loop, and each unit's assessment (附件2). All of
//! it lives on the bus: every change is an event with its actor, and the
//! book is a view of the log, so the trail is complete and a restart
//! rebuilds the same book.
//!
//! ```text
//! person ─▶ Program: check ─▶ bus.append(risk.* | inspection.* | hazard.*) ─▶ book reads it back ─▶ answer
//! device events ─▶ book: hazard rules (held, repeats) ─▶ hazard.opened
//! tick ─▶ overdue escalation, missed rounds, reviews due ─▶ bus
//! ```

pub mod book;
pub mod cli;
pub mod figures;
mod hazard;
pub mod import;
mod inspection;
pub mod lists;
pub mod periods;
pub mod register;
pub mod risk_level;
mod triggers;
pub mod unit_score;

use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use serde_json::{Value, json};

pub use book::{Entry, ProgramBook, UnitOfZone};
pub use hazard::{Actor, Hazard, HazardAction, HazardState, Origin, Plan, Refusal};
pub use inspection::{ItemResult, Missed, Round, Task, TaskInput};
pub use register::{PointInput, RiskPoint};

use crate::accounts::{Accounts, Unit};
use crate::auth::{Principal, Role};
use crate::bus::{Bus, BusError, Level, MediaRef, NewEvent};
use crate::clock::Clock;
use crate::config::program::{HazardLevel, ProgramConfig};
use crate::projection::{Projection, Views};

const READ_BACK: Duration = Duration::from_secs(10);
const DAY_MS: i64 = 86_400_000;
/// Photos one step may carry.
pub const MAX_PHOTOS: usize = 6;
/// The largest photo, bytes.
pub const MAX_PHOTO_BYTES: usize = 4 << 20;

/// Why the program refused.
#[derive(Debug, thiserror::Error)]
pub enum ProgramError {
    /// Fields at fault, each named.
    #[error("{}", .0.iter().map(|(f, w)| format!("`{f}` {w}")).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<(String, String)>),
    /// Rows of a spreadsheet at fault.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Import(Vec<import::ImportProblem>),
    /// Nothing of that id.
    #[error("no {0}")]
    Unknown(String),
    /// Not the caller's.
    #[error("{0}")]
    Forbidden(String),
    /// The loop refused.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// Still reading the log.
    #[error("the program's book is still reading the log; try again in a moment")]
    NotReady,
    /// Not recorded: nothing was done.
    #[error("not recorded: {0}")]
    Bus(#[from] BusError),
    /// Recorded but not read back in time.
    #[error("{0}: recorded, but the book has not caught up yet")]
    Lagging(String),
}

fn invalid(field: &str, why: impl Into<String>) -> ProgramError {
    ProgramError::Invalid(vec![(field.to_owned(), why.into())])
}

/// A photo as a phone sends it.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Photo {
    /// `image/jpeg`, `image/png` or `image/webp`.
    pub content_type: String,
    /// The picture, base64.
    pub data: String,
}

/// Who calls, as the program needs them.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The principal.
    pub who: Principal,
    /// Their unit and every unit below it: the hazards they answer for.
    pub units_down: Vec<String>,
}

/// A hazard someone reports.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Report {
    /// Zone id or path.
    pub zone: String,
    /// Its risk point. Default none.
    #[serde(default)]
    pub point: Option<String>,
    /// What it is.
    pub description: String,
    /// A category code. Default `other`.
    #[serde(default)]
    pub category: Option<String>,
    /// `general` or `major`. Default `general`.
    #[serde(default)]
    pub level: Option<HazardLevel>,
    /// The unit to answer for it. Default the point's, else the zone's.
    #[serde(default)]
    pub unit: Option<String>,
    /// 排查来源 (`report`, `inspection`, `seasonal`, `holiday`, `expert`, …).
    /// Default `report`, or `office` for the program office's own.
    #[serde(default)]
    pub source: Option<String>,
    /// The phone's own id of this report: a resend is answered with the
    /// hazard it made, not a second one.
    #[serde(default)]
    pub client_id: Option<String>,
    /// Photos.
    #[serde(default)]
    pub photos: Vec<Photo>,
}

/// A hazard found on a round's item.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Found {
    /// The checklist line.
    pub item: String,
    /// What it is.
    pub description: String,
    /// `general` or `major`. Default `general`.
    #[serde(default)]
    pub level: Option<HazardLevel>,
    /// A category code. Default `other`.
    #[serde(default)]
    pub category: Option<String>,
}

/// A round as the inspector sends it.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoundInput {
    /// The task.
    pub task: String,
    /// The phone's own id of this round (resends make nothing twice).
    #[serde(default)]
    pub client_id: Option<String>,
    /// Each checklist item.
    pub items: Vec<ItemResult>,
    /// Hazards found, each opened at once.
    #[serde(default)]
    pub hazards: Vec<Found>,
    /// Photos.
    #[serde(default)]
    pub photos: Vec<Photo>,
    /// When it was done, ms since 1970, if the phone sends it later (an
    /// outbox after a dropped connection): the round counts for that
    /// moment's period. At most 7 days back; default now.
    #[serde(default)]
    pub done_ms: Option<i64>,
}

/// An item of the assessment the program office enters.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryInput {
    /// The unit.
    pub unit: String,
    /// The term id.
    pub term: String,
    /// The article (`第五条`).
    pub article: String,
    /// Points to deduct (1–100).
    pub points: i64,
    /// Why.
    pub reason: String,
    /// The evidence.
    #[serde(default)]
    pub photos: Vec<Photo>,
}

/// The program; cheap to clone.
#[derive(Clone)]
pub struct Program {
    view: Projection<ProgramBook>,
    bus: Bus,
    clock: Clock,
    accounts: Arc<Accounts>,
    /// Zone id → path.
    zones: Arc<std::collections::HashMap<String, String>>,
    /// Device id → zone path.
    devices: Arc<std::collections::HashMap<String, String>>,
    act: Arc<tokio::sync::Mutex<()>>,
}

/// The deepest unit whose zones hold `zone`.
pub fn unit_of(units: &[Unit], zone: &str) -> Option<String> {
    units
        .iter()
        .flat_map(|u| u.zones.iter().map(move |z| (u, z)))
        .filter(|(_, z)| twinwall_base::zone_within(zone, z))
        .max_by_key(|(_, z)| z.split('/').count())
        .map(|(u, _)| u.id.clone())
}

/// Refuse a text longer than a person writes ([`hazard::MAX_TEXT`]).
fn long_text(field: &str, v: &str) -> Result<(), ProgramError> {
    let n = v.chars().count();
    if n > hazard::MAX_TEXT {
        Err(invalid(
            field,
            format!("holds {n} characters; at most {}", hazard::MAX_TEXT),
        ))
    } else {
        Ok(())
    }
}

/// `unit` and every unit below it.
pub fn units_down(units: &[Unit], unit: &str) -> Vec<String> {
    let mut out = vec![unit.to_owned()];
    let mut i = 0;
    while i < out.len() {
        let here = out[i].clone();
        for u in units {
            if u.parent.as_deref() == Some(here.as_str()) && !out.contains(&u.id) {
                out.push(u.id.clone());
            }
        }
        i += 1;
    }
    out
}

impl Program {
    /// The program's book among `views`, judged every `tick`.
    pub fn new(
        views: &mut Views,
        bus: Bus,
        clock: Clock,
        config: &crate::config::HubConfig,
        accounts: Arc<Accounts>,
        tick: Duration,
    ) -> Self {
        let calendar =
            periods::Calendar::new(config.broadcast.utc_offset_minutes, &config.program.terms);
        let looked_up = accounts.clone();
        let unit_of_zone: UnitOfZone =
            Arc::new(move |zone: &str| unit_of(&looked_up.units().unwrap_or_default(), zone));
        let book = ProgramBook::new(Arc::new(config.program.clone()), calendar, unit_of_zone);
        let zones = config.zone_paths();
        let devices = config
            .devices
            .iter()
            .filter_map(|d| {
                Some((
                    d.id.get_ref().clone(),
                    config.zone_path(d.zone.get_ref()).ok()?,
                ))
            })
            .collect();
        Program {
            view: views.add(book, tick),
            bus,
            clock,
            accounts,
            zones: Arc::new(zones),
            devices: Arc::new(devices),
            act: Arc::default(),
        }
    }

    /// Whether the replay has caught up.
    pub fn ready(&self) -> bool {
        self.view.ready()
    }

    /// Now, by the hub's clock.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Read the book.
    pub fn with<R>(&self, f: impl FnOnce(&ProgramBook) -> R) -> R {
        self.view.with(f)
    }

    /// The units.
    pub fn units(&self) -> Vec<Unit> {
        self.accounts.units().unwrap_or_default()
    }

    /// `who` as the program sees them.
    pub fn caller(&self, who: &Principal) -> Caller {
        let units = self.units();
        Caller {
            units_down: who
                .unit
                .as_deref()
                .map(|u| units_down(&units, u))
                .unwrap_or_default(),
            who: who.clone(),
        }
    }

    /// A zone id or path to its path.
    pub fn zone_path(&self, z: &str) -> Option<String> {
        if let Some(p) = self.zones.get(z) {
            return Some(p.clone());
        }
        self.zones.values().find(|p| p.as_str() == z).cloned()
    }

    /// Whether `c` may see what is in `zone` and answered for by `unit`.
    pub fn sees(c: &Caller, zone: &str, unit: Option<&str>) -> bool {
        c.who.covers(zone) || unit.is_some_and(|u| Self::of_unit(c, u))
    }

    /// Whether `c` is of `unit` or of a unit above it (its head answers
    /// for it).
    pub fn of_unit(c: &Caller, unit: &str) -> bool {
        c.units_down.iter().any(|u| u == unit)
    }

    async fn record(&self, events: Vec<NewEvent>, what: &str) -> Result<Vec<u64>, ProgramError> {
        let seqs = self.bus.append(events).await?;
        let last = seqs.last().copied().unwrap_or_default();
        if !self.view.taken(last, READ_BACK).await {
            return Err(ProgramError::Lagging(what.to_owned()));
        }
        Ok(seqs)
    }

    fn photos(&self, photos: &[Photo]) -> Result<Vec<MediaRef>, ProgramError> {
        use base64::Engine;
        use sha2::Digest;
        if photos.len() > MAX_PHOTOS {
            return Err(invalid(
                "photos",
                format!("hold {} pictures; at most {MAX_PHOTOS}", photos.len()),
            ));
        }
        let mut out = Vec::new();
        for (i, p) in photos.iter().enumerate() {
            if !["image/jpeg", "image/png", "image/webp"].contains(&p.content_type.as_str()) {
                return Err(invalid(
                    &format!("photos[{i}].content_type"),
                    format!(
                        "`{}` is not image/jpeg, image/png or image/webp",
                        p.content_type
                    ),
                ));
            }
            let data = base64::engine::general_purpose::STANDARD
                .decode(p.data.trim())
                .map_err(|e| {
                    invalid(&format!("photos[{i}].data"), format!("is not base64: {e}"))
                })?;
            if data.is_empty() || data.len() > MAX_PHOTO_BYTES {
                return Err(invalid(
                    &format!("photos[{i}].data"),
                    format!("holds {} bytes; 1 to {MAX_PHOTO_BYTES}", data.len()),
                ));
            }
            let hash = crate::hex::encode(&sha2::Sha256::digest(&data));
            self.bus.put_media(&hash, &p.content_type, &data)?;
            out.push(MediaRef {
                role: "photo".into(),
                hash,
                content_type: p.content_type.clone(),
            });
        }
        Ok(out)
    }

    fn ready_or(&self) -> Result<(), ProgramError> {
        if self.ready() {
            Ok(())
        } else {
            Err(ProgramError::NotReady)
        }
    }

    /// Save a risk point (new or changed) as `c`, a safety officer.
    pub async fn save_point(&self, mut p: PointInput, c: &Caller) -> Result<Value, ProgramError> {
        self.ready_or()?;
        let _one = self.act.lock().await;
        let units = self.units();
        let zone = self.zone_path(&p.zone);
        let config = self.with(|b| b.config().clone());
        let problems = register::problems(
            &p,
            &config,
            &|_| zone.is_some(),
            &|u| units.iter().any(|x| x.id == u),
            &|d| self.devices.contains_key(d),
        );
        if !problems.is_empty() {
            return Err(ProgramError::Invalid(problems));
        }
        p.zone = zone.unwrap_or_default();
        self.covers(c, &p.zone)?;
        // Changing a point moves it only from zones the caller holds too.
        if let Some(before) = self.with(|b| b.point(&p.id).map(|x| x.input.zone.clone())) {
            self.covers(c, &before)?;
        }
        let e = self.point_event(&p, &units, &config, &c.who.actor());
        self.record(vec![e], &p.id).await?;
        self.point_json(&p.id)
    }

    fn point_event(
        &self,
        p: &PointInput,
        units: &[Unit],
        config: &ProgramConfig,
        actor: &str,
    ) -> NewEvent {
        let unit = p.unit.clone().or_else(|| unit_of(units, &p.zone));
        let mut e = NewEvent::new("risk.point_saved", &p.zone)
            .attr("point", p.id.as_str())
            .attr("name", p.name.as_str())
            .attr(
                "record",
                serde_json::to_string(p).unwrap_or_default().as_str(),
            )
            .actor(actor);
        if let Some(a) = &p.assessment {
            e = e
                .attr("method", a.method())
                .attr("score", twinwall_base::event::AttrValue::Float(a.score()))
                .attr("risk_level", a.level(config).as_str());
        }
        if let Some(u) = unit {
            e = e.attr("unit", u.as_str());
        }
        e
    }

    fn point_json(&self, id: &str) -> Result<Value, ProgramError> {
        let now = self.now_ms();
        self.with(|b| {
            b.point(id)
                .map(|p| point_json(p, now))
                .ok_or_else(|| ProgramError::Unknown(format!("risk point `{id}`")))
        })
    }

    /// Import one of the register's lists (XLSX or CSV) as `c`: every row
    /// checked first; all saved or none.
    pub async fn import(
        &self,
        list: &str,
        bytes: &[u8],
        c: &Caller,
    ) -> Result<Vec<String>, ProgramError> {
        self.ready_or()?;
        let sheet = import::read(bytes).map_err(|why| invalid("body", why))?;
        let _one = self.act.lock().await;
        let units = self.units();
        let config = self.with(|b| b.config().clone());
        let points = {
            let saved = |id: &str| self.with(|b| b.point(id).map(|p| p.input.clone()));
            let zone = |z: &str| self.zone_path(z);
            let look = import::Lookup {
                config: &config,
                point: &saved,
                zone: &zone,
                unit: &|u| units.iter().any(|x| x.id == u),
                device: &|d| self.devices.contains_key(d),
            };
            import::points(list, &sheet, &look).map_err(ProgramError::Import)?
        };
        let outside = points.iter().find_map(|p| {
            let before = self.with(|b| b.point(&p.id).map(|x| x.input.zone.clone()));
            [Some(p.zone.clone()), before]
                .into_iter()
                .flatten()
                .find(|z| !c.who.covers(z))
                .map(|z| (p.id.clone(), z))
        });
        if let Some((id, zone)) = outside {
            return Err(ProgramError::Forbidden(format!(
                "point `{id}` is in zone `{zone}`, outside the zones of `{}`",
                c.who.name
            )));
        }
        let actor = c.who.actor();
        let events = points
            .iter()
            .map(|p| {
                self.point_event(p, &units, &config, &actor)
                    .attr("imported", list)
            })
            .collect::<Vec<_>>();
        if events.is_empty() {
            return Err(invalid("body", "holds no rows"));
        }
        self.record(events, list).await?;
        Ok(points.into_iter().map(|p| p.id).collect())
    }

    /// Record a point's yearly review (第十三条).
    pub async fn review_point(
        &self,
        id: &str,
        note: Option<String>,
        c: &Caller,
    ) -> Result<Value, ProgramError> {
        self.ready_or()?;
        let _one = self.act.lock().await;
        let zone = self.with(|b| b.point(id).map(|p| p.input.zone.clone()));
        let zone = zone.ok_or_else(|| ProgramError::Unknown(format!("risk point `{id}`")))?;
        self.covers(c, &zone)?;
        let mut e = NewEvent::new("risk.point_reviewed", &zone)
            .attr("point", id)
            .actor(&c.who.actor());
        if let Some(n) = note {
            e = e.attr("note", n.as_str());
        }
        self.record(vec![e], id).await?;
        self.point_json(id)
    }

    /// Remove a point from the register.
    pub async fn remove_point(&self, id: &str, c: &Caller) -> Result<(), ProgramError> {
        self.ready_or()?;
        let _one = self.act.lock().await;
        let zone = self.with(|b| b.point(id).map(|p| p.input.zone.clone()));
        let zone = zone.ok_or_else(|| ProgramError::Unknown(format!("risk point `{id}`")))?;
        self.covers(c, &zone)?;
        // Its tasks would owe rounds of a point that is no more.
        let tasks: Vec<String> = self.with(|b| {
            b.tasks()
                .filter(|t| t.point == id)
                .map(|t| t.id.clone())
                .collect()
        });
        if !tasks.is_empty() {
            return Err(ProgramError::Refused(Refusal::State {
                id: id.to_owned(),
                state: "has tasks",
                why: format!("its inspection tasks {} go first", tasks.join(", ")),
            }));
        }
        let e = NewEvent::new("risk.point_removed", &zone)
            .attr("point", id)
            .actor(&c.who.actor());
        self.record(vec![e], id).await?;
        Ok(())
    }

    fn covers(&self, c: &Caller, zone: &str) -> Result<(), ProgramError> {
        if c.who.covers(zone) {
            Ok(())
        } else {
            Err(ProgramError::Forbidden(format!(
                "zone `{zone}` is outside the zones of `{}`",
                c.who.name
            )))
        }
    }

    /// Save an inspection task.
    pub async fn save_task(&self, t: TaskInput, c: &Caller) -> Result<Value, ProgramError> {
        self.ready_or()?;
        let _one = self.act.lock().await;
        let valid_id = !t.id.is_empty()
            && t.id.len() <= 64
            && t.id
                .chars()
                .all(|ch| ch.is_alphanumeric() || ch == '-' || ch == '_');
        if !valid_id {
            return Err(invalid(
                "id",
                format!("`{}` is not an id (letters, digits, `-`, `_`)", t.id),
            ));
        }
        let point = self.with(|b| b.point(&t.point).cloned());
        let point =
            point.ok_or_else(|| invalid("point", format!("`{}` is no risk point", t.point)))?;
        self.covers(c, &point.input.zone)?;
        if let Some(before) = self.with(|b| b.task(&t.id).map(|x| x.zone.clone())) {
            self.covers(c, &before)?;
        }
        let checklist = if t.checklist.is_empty() {
            point
                .input
                .measures
                .iter()
                .map(|m| m.text.clone())
                .collect()
        } else {
            t.checklist.clone()
        };
        if checklist.iter().all(|i| i.trim().is_empty()) {
            return Err(invalid(
                "checklist",
                "is empty and the point has no control measures to check",
            ));
        }
        let cal = self.with(|b| b.calendar().clone());
        let from_ms = match &t.from {
            Some(d) => cal.day_start(
                crate::statistics::report::parse_day(d)
                    .ok_or_else(|| invalid("from", format!("`{d}` is not a date, YYYY-MM-DD")))?,
            ),
            // From today: today's round is due.
            None => cal.day_start(cal.day(self.now_ms())),
        };
        if from_ms < self.now_ms() - 400 * DAY_MS {
            return Err(invalid(
                "from",
                "is more than 400 days ago: a task owes rounds from this year",
            ));
        }
        let unit = t.unit.clone().or(point.unit.clone());
        let name = t
            .name
            .clone()
            .unwrap_or_else(|| format!("{} {}巡查", point.input.name, t.every.name_zh()));
        let mut e = NewEvent::new("inspection.task_saved", &point.input.zone)
            .attr("task", t.id.as_str())
            .attr("point", t.point.as_str())
            .attr("name", name.as_str())
            .attr(
                "every",
                serde_json::to_value(t.every)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
            )
            .attr(
                "checklist",
                serde_json::to_string(&checklist)
                    .unwrap_or_default()
                    .as_str(),
            )
            .attr("from_ms", from_ms)
            .actor(&c.who.actor());
        if let Some(u) = unit {
            e = e.attr("unit", u.as_str());
        }
        self.record(vec![e], &t.id).await?;
        self.with(|b| {
            b.task(&t.id)
                .map(|t| serde_json::to_value(t).unwrap_or_default())
                .ok_or_else(|| ProgramError::Unknown(format!("task `{}`", t.id)))
        })
    }

    /// Remove a task.
    pub async fn remove_task(&self, id: &str, c: &Caller) -> Result<(), ProgramError> {
        self.ready_or()?;
        let _one = self.act.lock().await;
        let zone = self.with(|b| b.task(id).map(|t| t.zone.clone()));
        let zone = zone.ok_or_else(|| ProgramError::Unknown(format!("task `{id}`")))?;
        self.covers(c, &zone)?;
        let e = NewEvent::new("inspection.task_removed", &zone)
            .attr("task", id)
            .actor(&c.who.actor());
        self.record(vec![e], id).await?;
        Ok(())
    }

    /// A round done by `c`; hazards found on it opened with it.
    pub async fn round(&self, r: RoundInput, c: &Caller) -> Result<Value, ProgramError> {
        self.ready_or()?;
        let _one = self.act.lock().await;
        if let Some(id) = r
            .client_id
            .as_deref()
            .and_then(|k| self.with(|b| b.client(&c.who.actor(), k).map(str::to_owned)))
        {
            return Ok(self.round_json(&id).unwrap_or(json!({"id": id})));
        }
        let task = self.with(|b| b.task(&r.task).cloned());
        let task =
            task.ok_or_else(|| invalid("task", format!("`{}` is no inspection task", r.task)))?;
        if !Self::sees(c, &task.zone, task.unit.as_deref()) {
            return Err(ProgramError::Forbidden(format!(
                "task `{}` is in zone `{}`, not the zones or unit of `{}`",
                task.id, task.zone, c.who.name
            )));
        }
        let now = self.now_ms();
        let done = match r.done_ms {
            Some(t) if t < now - 7 * DAY_MS || t > now + 300_000 => {
                return Err(invalid(
                    "done_ms",
                    "is more than 7 days ago or in the future",
                ));
            }
            Some(t) => t,
            None => now,
        };
        let period = self
            .with(|b| b.calendar().period(task.every, done))
            .ok_or_else(|| {
                invalid(
                    "task",
                    "a term task has no round outside the configured terms",
                )
            })?;
        if self.with(|b| b.round_of(&task.id, &period.key).is_some()) {
            return Err(ProgramError::Refused(Refusal::State {
                id: task.id.clone(),
                state: "done",
                why: format!("its round for {} is already recorded", period.key),
            }));
        }
        for (i, item) in r.items.iter().enumerate() {
            if !task.checklist.contains(&item.item) {
                return Err(invalid(
                    &format!("items[{i}].item"),
                    format!("`{}` is not on the task's checklist", item.item),
                ));
            }
        }
        let missing: Vec<&String> = task
            .checklist
            .iter()
            .filter(|l| !r.items.iter().any(|i| &i.item == *l))
            .collect();
        if !missing.is_empty() {
            return Err(invalid(
                "items",
                format!("leave out {:?}: every item is ticked", missing),
            ));
        }
        for (i, f) in r.hazards.iter().enumerate() {
            if f.description.trim().is_empty() {
                return Err(invalid(&format!("hazards[{i}].description"), "is empty"));
            }
            long_text(&format!("hazards[{i}].description"), &f.description)?;
        }
        for (i, it) in r.items.iter().enumerate() {
            if let Some(n) = &it.note {
                long_text(&format!("items[{i}].note"), n)?;
            }
        }
        let media = self.photos(&r.photos)?;
        let actor = c.who.actor();
        let mut round = NewEvent::new("inspection.round", &task.zone)
            .attr("task", task.id.as_str())
            .attr("period", period.key.as_str())
            .attr(
                "items",
                serde_json::to_string(&r.items).unwrap_or_default().as_str(),
            )
            .attr("ok", r.items.iter().all(|i| i.ok))
            .attr("done_ms", done)
            .actor(&actor);
        round.media = media.clone();
        if let Some(k) = &r.client_id {
            round = round.attr("client_id", k.as_str());
        }
        let mut events = vec![round];
        let config = self.with(|b| b.config().clone());
        for f in &r.hazards {
            let category = f.category.clone().unwrap_or_else(|| "other".into());
            if !config.categories.contains_key(&category) {
                return Err(invalid(
                    "hazards.category",
                    format!("`{category}` is not a category"),
                ));
            }
            let mut h = NewEvent::new("hazard.opened", &task.zone)
                .level(Level::Yellow)
                .attr("origin", "person")
                .attr("source", "inspection")
                .attr("task", task.id.as_str())
                .attr("period", period.key.as_str())
                .attr("item", f.item.as_str())
                .attr("point", task.point.as_str())
                .attr("category", category.as_str())
                .attr("hazard_level", f.level.unwrap_or_default().as_str())
                .attr("description", f.description.as_str())
                .message(f.description.clone())
                .actor(&actor);
            h.media = media.clone();
            if let Some(u) = &task.unit {
                h = h.attr("unit", u.as_str());
            }
            events.push(h);
        }
        let seqs = self.record(events, &task.id).await?;
        self.round_json(&format!("R{}", seqs[0]))
            .ok_or_else(|| ProgramError::Lagging(task.id.clone()))
    }

    fn round_json(&self, id: &str) -> Option<Value> {
        self.with(|b| {
            b.rounds()
                .iter()
                .rev()
                .find(|r| r.id == id)
                .map(|r| serde_json::to_value(r).unwrap_or_default())
        })
    }

    /// A hazard reported by `c`.
    pub async fn report(&self, r: Report, c: &Caller) -> Result<Value, ProgramError> {
        self.ready_or()?;
        let _one = self.act.lock().await;
        let now = self.now_ms();
        if let Some(id) = r
            .client_id
            .as_deref()
            .and_then(|k| self.with(|b| b.client(&c.who.actor(), k).map(str::to_owned)))
        {
            return self.hazard_json(&id, now);
        }
        let zone = self
            .zone_path(&r.zone)
            .ok_or_else(|| invalid("zone", format!("`{}` is no zone of this site", r.zone)))?;
        if r.description.trim().is_empty() {
            return Err(invalid("description", "is empty"));
        }
        long_text("description", &r.description)?;
        let config = self.with(|b| b.config().clone());
        let category = r.category.clone().unwrap_or_else(|| "other".into());
        if !config.categories.contains_key(&category) {
            return Err(invalid(
                "category",
                format!(
                    "`{category}` is not a category ({})",
                    config
                        .categories
                        .keys()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        let point = match &r.point {
            Some(p) => Some(
                self.with(|b| b.point(p).cloned())
                    .ok_or_else(|| invalid("point", format!("`{p}` is no risk point")))?,
            ),
            None => None,
        };
        let units = self.units();
        if let Some(u) = &r.unit
            && !units.iter().any(|x| &x.id == u)
        {
            return Err(invalid("unit", format!("`{u}` is no unit")));
        }
        let unit = r
            .unit
            .clone()
            .or_else(|| point.as_ref().and_then(|p| p.unit.clone()))
            .or_else(|| unit_of(&units, &zone));
        let office = c.who.role >= Role::Safety
            && c.who.unit.as_deref() == Some(config.office_unit.as_str());
        let source = r
            .source
            .clone()
            .unwrap_or_else(|| if office { "office" } else { "report" }.into());
        let media = self.photos(&r.photos)?;
        let mut e = NewEvent::new("hazard.opened", &zone)
            .level(Level::Yellow)
            .attr("origin", "person")
            .attr("source", source.as_str())
            .attr("category", category.as_str())
            .attr("hazard_level", r.level.unwrap_or_default().as_str())
            .attr("description", r.description.as_str())
            .attr("office", office)
            .message(r.description.clone())
            .actor(&c.who.actor());
        e.media = media;
        if let Some(p) = &point {
            e = e.attr("point", p.input.id.as_str());
        }
        if let Some(u) = &unit {
            e = e.attr("unit", u.as_str());
        }
        if let Some(k) = &r.client_id {
            e = e.attr("client_id", k.as_str());
        }
        let seqs = self.record(vec![e], "the report").await?;
        self.hazard_json(&format!("HZ{}", seqs[0]), now)
    }

    /// A hazard as the API shows it.
    pub fn hazard_json(&self, id: &str, now: i64) -> Result<Value, ProgramError> {
        self.with(|b| {
            b.hazard(id)
                .map(|h| h.to_json(now))
                .ok_or_else(|| ProgramError::Unknown(format!("hazard `{id}`")))
        })
    }

    /// Take a step of hazard `id`'s loop as `c`, with photos.
    pub async fn act(
        &self,
        id: &str,
        action: HazardAction,
        photos: &[Photo],
        c: &Caller,
    ) -> Result<Value, ProgramError> {
        self.ready_or()?;
        let _one = self.act.lock().await;
        let now = self.now_ms();
        let config = self.with(|b| b.config().clone());
        let h = self
            .with(|b| b.hazard(id).cloned())
            .ok_or_else(|| ProgramError::Unknown(format!("hazard `{id}`")))?;
        if !Self::sees(c, &h.zone, h.unit.as_deref()) {
            return Err(ProgramError::Forbidden(format!(
                "hazard {id} is in zone `{}` of unit `{}`, not the zones or unit of `{}`",
                h.zone,
                h.unit.as_deref().unwrap_or("-"),
                c.who.name
            )));
        }
        if let HazardAction::Notice { unit: Some(u), .. } = &action
            && !self.units().iter().any(|x| &x.id == u)
        {
            return Err(invalid("unit", format!("`{u}` is no unit")));
        }
        let actor = Actor {
            actor: c.who.actor(),
            safety: c.who.role >= Role::Safety,
            of_unit: h.unit.as_deref().is_some_and(|u| Self::of_unit(c, u)),
            // The office, or an admin who runs the hub for it.
            office: c.who.role >= Role::Admin
                || (c.who.role >= Role::Safety
                    && c.who.unit.as_deref() == Some(config.office_unit.as_str())),
        };
        h.check(&action, &actor)?;
        let media = self.photos(photos)?;
        let mut e = h.event(&action, &actor.actor);
        e.media = media;
        let seqs = self.record(vec![e], id).await?;
        let seq = seqs[0];
        self.with(|b| {
            let h = b
                .hazard(id)
                .ok_or_else(|| ProgramError::Unknown(format!("hazard `{id}`")))?;
            if !h.steps.iter().any(|s| s.seq == seq) {
                return Err(ProgramError::Refused(Refusal::State {
                    id: id.to_owned(),
                    state: h.state.as_str(),
                    why: format!("it changed while `{}` was being recorded", action.name()),
                }));
            }
            Ok(h.to_json(now))
        })
    }

    /// The deadline a notice without one gets, ms.
    pub fn default_deadline(&self, level: HazardLevel) -> i64 {
        let d = self.with(|b| b.config().deadline_days);
        let days = match level {
            HazardLevel::General => d.general,
            HazardLevel::Major => d.major,
        };
        self.now_ms() + i64::from(days) * DAY_MS
    }

    /// An item of the assessment entered by the program office.
    pub async fn enter(&self, e: EntryInput, c: &Caller) -> Result<Value, ProgramError> {
        self.ready_or()?;
        let _one = self.act.lock().await;
        let office = self.with(|b| b.config().office_unit.clone());
        if c.who.role < Role::Admin && c.who.unit.as_deref() != Some(office.as_str()) {
            return Err(ProgramError::Forbidden(format!(
                "the assessment's items are entered by the program office (unit `{office}`), not `{}`",
                c.who.name
            )));
        }
        if !self.units().iter().any(|u| u.id == e.unit) {
            return Err(invalid("unit", format!("`{}` is no unit", e.unit)));
        }
        if self.with(|b| b.calendar().term(&e.term).is_none()) {
            return Err(invalid(
                "term",
                format!("`{}` is no term of [program] terms", e.term),
            ));
        }
        if !(1..=100).contains(&e.points) {
            return Err(invalid("points", format!("{} is not 1 to 100", e.points)));
        }
        if e.reason.trim().is_empty() {
            return Err(invalid("reason", "is empty"));
        }
        let media = self.photos(&e.photos)?;
        let mut ev = NewEvent::new("assessment.entered", "")
            .attr("unit", e.unit.as_str())
            .attr("term", e.term.as_str())
            .attr("article", e.article.as_str())
            .attr("points", e.points)
            .attr("reason", e.reason.as_str())
            .actor(&c.who.actor());
        ev.media = media;
        let seqs = self.record(vec![ev], "the entry").await?;
        Ok(json!({"seq": seqs[0]}))
    }
}

/// A point as the API shows it.
pub fn point_json(p: &RiskPoint, now_ms: i64) -> Value {
    let mut v = serde_json::to_value(p).unwrap_or_default();
    v["review_overdue"] = p.review_overdue(now_ms).into();
    v["review_due"] = crate::bus::format_ms(p.review_due_ms).into();
    v["reviewed"] = crate::bus::format_ms(p.reviewed_ms).into();
    if let Some(l) = p.level {
        v["level_name"] = risk_level::level_name(l).into();
    }
    v
}
