//! Zone broadcasts (应急广播): an operator's job fans out concurrently to
//! every speaker of its zones (child zones included), plays on a speaker
//! only over a lower priority, pre-empts what plays there (消防强切 at 255),
//! and reports each speaker's outcome. Every step is an event on the bus;
//! the end of playback is learnt from the speakers' own `speaker.idle`.
//!
//! ```no_run
//! # async fn f(b: twinwall_hub::broadcast::Broadcasts) -> Result<(), twinwall_hub::broadcast::BroadcastError> {
//! use twinwall_hub::broadcast::{BroadcastRequest, Source};
//! let req: BroadcastRequest = serde_json::from_str(
//!     r#"{"zones":["chem-north"],"source":{"clip":"9f…"},"priority":255}"#).unwrap();
//! let job = b.submit(req, "duty room").await?;
//! println!("{} goes to {} speakers", job.id, job.speakers);
//! # Ok(()) }
//! ```

mod arbiter;
pub mod cli;
mod job;
pub mod schedule;
mod speakers;
mod tts;

use std::collections::{BTreeMap, HashMap};
use std::net::Ipv4Addr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub use job::{BroadcastRequest, JobView, OnPreempt, Source, SpeakerOutcome, State};
use serde_json::json;

use crate::audio::Clips;
use crate::bus::{Bus, Filter, NewEvent};
use crate::devices::{Devices, HUB_ZONE};

/// The device family broadcasts go to.
pub const FAMILY: &str = "speaker";

/// Why a broadcast was refused.
#[derive(Debug, thiserror::Error)]
pub enum BroadcastError {
    /// The request names no target, an unknown zone, or a bad value.
    #[error("{0}")]
    Invalid(String),
    /// No speaker in the zones asked for.
    #[error("no speaker in {0}")]
    NoSpeakers(String),
    /// The clip does not exist.
    #[error(transparent)]
    Clip(#[from] crate::audio::ClipError),
    /// The live source is not allowed or does not answer.
    #[error(transparent)]
    Live(#[from] crate::audio::LiveError),
    /// No such job.
    #[error("no broadcast `{0}`")]
    Unknown(String),
}

/// What plays on a speaker, as the hub ordered it.
#[derive(Debug, Clone)]
/// What starting a job on a speaker needs of it.
struct JobParts {
    req: BroadcastRequest,
    clip: Option<String>,
    actor: String,
    cancelled: bool,
    groups: HashMap<String, (Ipv4Addr, u16)>,
}

struct Job {
    view: JobView,
    asked: Instant,
    zone_groups: HashMap<String, (Ipv4Addr, u16)>,
    /// Speaker → the zone asked for that brought it in (its multicast group).
    zone_of: HashMap<String, String>,
}

struct Inner {
    devices: Arc<Devices>,
    bus: Bus,
    clips: Clips,
    zones: HashMap<String, String>,
    multicast: Option<(Ipv4Addr, u16)>,
    start_timeout: Duration,
    jobs: Mutex<BTreeMap<String, Job>>,
    slots: Mutex<arbiter::Arbiter>,
    next: AtomicU64,
    schedules: Mutex<Vec<schedule::Scheduled>>,
    store: schedule::Store,
    utc_offset_minutes: i32,
    live: crate::audio::LiveSources,
}

/// The broadcast service, shared by the API, the CLI and the linkage rules.
#[derive(Clone)]
pub struct Broadcasts {
    inner: Arc<Inner>,
}

/// Settings of the service.
#[derive(Debug, Clone)]
pub struct Options {
    /// Zone id → zone path.
    pub zones: HashMap<String, String>,
    /// First multicast group and the port: one group per zone asked for,
    /// counting up from it. `None`: unicast only.
    pub multicast: Option<(Ipv4Addr, u16)>,
    /// How long a speaker may take to accept.
    pub start_timeout: Duration,
    /// Where schedules are kept (none kept when `None`).
    pub data_dir: Option<std::path::PathBuf>,
    /// The site's offset from UTC, minutes (daily schedules).
    pub utc_offset_minutes: i32,
    /// Live sources the hub may relay.
    pub live: crate::audio::LiveSources,
}

/// What a request became.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Submitted {
    /// Job id (`b…`), or schedule id (`s…`).
    pub id: String,
    /// Speakers it goes to.
    pub speakers: usize,
    /// For a schedule: when it plays next, RFC 3339.
    pub next: Option<String>,
}

fn now_ms() -> i64 {
    crate::bus::now_ms()
}

impl Broadcasts {
    /// The service, and its tasks: one follows the speakers' `speaker.idle`,
    /// one starts scheduled jobs.
    pub fn spawn(
        devices: Arc<Devices>,
        bus: Bus,
        clips: Clips,
        options: Options,
    ) -> (Self, Vec<tokio::task::JoinHandle<()>>) {
        let b = Broadcasts {
            inner: Arc::new(Inner {
                devices,
                bus: bus.clone(),
                clips,
                zones: options.zones,
                multicast: options.multicast,
                start_timeout: options.start_timeout,
                jobs: Mutex::default(),
                slots: Mutex::default(),
                next: AtomicU64::new(1),
                store: schedule::Store::new(options.data_dir.as_deref()),
                schedules: Mutex::default(),
                utc_offset_minutes: options.utc_offset_minutes,
                live: options.live,
            }),
        };
        let kept = b.inner.store.load();
        if !kept.is_empty() {
            tracing::info!(schedules = kept.len(), "scheduled broadcasts re-armed");
        }
        *b.inner.schedules.lock().unwrap_or_else(|p| p.into_inner()) = kept;
        let clock = b.clone();
        let scheduler = tokio::spawn(async move {
            loop {
                clock.run_due().await;
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        });
        let follower = b.clone();
        let follow = tokio::spawn(async move {
            // Only the two kinds that end a speaker's job, filtered by the bus.
            let from = bus.next_seq();
            let only = |kind: &str| Filter {
                kind: Some(kind.into()),
                ..Filter::default()
            };
            let mut idle = bus.subscribe(from, only("speaker.idle"));
            let mut offline = bus.subscribe(from, only("device.offline"));
            loop {
                let e = tokio::select! {
                    e = idle.next() => e,
                    e = offline.next() => e,
                };
                let Ok(e) = e else { break };
                let Some(device) = e.body.device.as_deref() else {
                    continue;
                };
                if e.body.kind == "speaker.idle" {
                    let Some(job) = e.body.text("job") else {
                        continue;
                    };
                    let sent = e.body.int("sent_ms").map(|v| v.max(0) as u64);
                    let failure = (e.body.text("end") == Some("failed"))
                        .then_some("the audio stream to the speaker failed");
                    follower.ended(device, job, sent, failure).await;
                } else if let Some(job) = follower.playing(device) {
                    // A speaker that drops off the network mid-job did not play it out.
                    let failure = Some("the speaker went offline while playing");
                    follower.ended(device, &job, None, failure).await;
                }
            }
        });
        (b, vec![follow, scheduler])
    }

    /// The clip store.
    pub fn clips(&self) -> &Clips {
        &self.inner.clips
    }

    /// Speakers in the zones asked for: `(device, zone path)`.
    fn targets(
        &self,
        req: &BroadcastRequest,
    ) -> Result<Vec<(String, String, String)>, BroadcastError> {
        let speakers: Vec<_> = self
            .inner
            .devices
            .list()
            .into_iter()
            .filter(|d| d.families.iter().any(|f| f == FAMILY))
            .collect();
        if req.all {
            return Ok(speakers
                .into_iter()
                .map(|d| (d.id, d.zone, String::from("*")))
                .collect());
        }
        if req.zones.is_empty() {
            return Err(BroadcastError::Invalid(
                "name the `zones` to broadcast to, or set `all`".into(),
            ));
        }
        let mut out: Vec<(String, String, String)> = Vec::new();
        for z in &req.zones {
            let path = self.inner.zones.get(z).ok_or_else(|| {
                let mut known: Vec<&str> = self.inner.zones.keys().map(String::as_str).collect();
                known.sort();
                BroadcastError::Invalid(format!("unknown zone `{z}`; zones: {}", known.join(", ")))
            })?;
            for d in &speakers {
                let inside = d.zone == *path || d.zone.starts_with(&format!("{path}/"));
                if inside && !out.iter().any(|(id, _, _)| *id == d.id) {
                    out.push((d.id.clone(), d.zone.clone(), z.clone()));
                }
            }
        }
        if out.is_empty() {
            return Err(BroadcastError::NoSpeakers(format!(
                "zones {}",
                req.zones.join(", ")
            )));
        }
        Ok(out)
    }

    /// Validate, record and start a job (or keep it for its schedule);
    /// answers at once while the speakers are asked concurrently.
    pub async fn submit(
        &self,
        req: BroadcastRequest,
        actor: &str,
    ) -> Result<Submitted, BroadcastError> {
        if req.volume.is_some_and(|v| v > 100) {
            return Err(BroadcastError::Invalid("`volume` must be 0-100".into()));
        }
        let targets = self.targets(&req)?;
        if let Some(when) = &req.schedule {
            match &req.source {
                Source::Clip(hash) => {
                    self.inner.clips.info(hash)?;
                }
                Source::Live(url) => self.inner.live.check(url)?,
                Source::Text(_) => {}
            }
            let now = now_ms();
            let first = when
                .first(now, self.inner.utc_offset_minutes)
                .map_err(BroadcastError::Invalid)?;
            if first < now {
                return Err(BroadcastError::Invalid(format!(
                    "schedule time {} is in the past",
                    crate::bus::format_ms(first)
                )));
            }
            let id = format!("s{now}-{}", self.inner.next.fetch_add(1, Ordering::Relaxed));
            let entry = schedule::Scheduled {
                id: id.clone(),
                actor: actor.to_owned(),
                request: req.clone(),
                next_ms: first,
                next: crate::bus::format_ms(first),
                runs: Vec::new(),
            };
            let next = entry.next.clone();
            self.change_schedules(|all| all.push(entry));
            self.emit(
                NewEvent::new("broadcast.scheduled", HUB_ZONE)
                    .actor(actor)
                    .correlation(&id)
                    .attr("schedule", id.as_str())
                    .attr("next", next.as_str())
                    .message(format!("{actor} scheduled broadcast {id}, next at {next}")),
            )
            .await;
            return Ok(Submitted {
                id,
                speakers: targets.len(),
                next: Some(next),
            });
        }
        self.start_job(req, actor, targets).await
    }

    async fn start_job(
        &self,
        req: BroadcastRequest,
        actor: &str,
        targets: Vec<(String, String, String)>,
    ) -> Result<Submitted, BroadcastError> {
        let clip = self.audio_of(&req.source).await?;
        let n = self.inner.next.fetch_add(1, Ordering::Relaxed);
        let id = format!("b{}-{n}", now_ms());
        let zone_groups = match self.inner.multicast {
            Some((base, first_port)) => {
                let zones: Vec<&str> = targets.iter().map(|(_, _, z)| z.as_str()).collect();
                multicast_groups(&self.inner.zones, base, first_port, n, &zones)
            }
            None => HashMap::new(),
        };
        let view = JobView::new(&id, actor, &req, clip, &targets);
        let zones_text = if req.all {
            "all".to_owned()
        } else {
            req.zones.join(",")
        };
        self.emit(
            NewEvent::new("broadcast.requested", HUB_ZONE)
                .actor(actor)
                .correlation(&id)
                .attr("job", id.as_str())
                .attr("zones", zones_text.as_str())
                .attr("priority", i64::from(req.priority))
                .attr("speakers", targets.len() as i64)
                .message(format!(
                    "{actor} broadcasts to {zones_text} at priority {} ({} speakers)",
                    req.priority,
                    targets.len()
                )),
        )
        .await;
        self.keep(Job {
            view,
            asked: Instant::now(),
            zone_groups,
            zone_of: targets
                .iter()
                .map(|(d, _, z)| (d.clone(), z.clone()))
                .collect(),
        });
        let speakers = targets.len();
        for (device, _, zone) in targets {
            let b = self.clone();
            let id = id.clone();
            tokio::spawn(async move { b.start_on(&id, &device, &zone, false).await });
        }
        Ok(Submitted {
            id,
            speakers,
            next: None,
        })
    }

    /// Keep `job` among the last thousand.
    fn keep(&self, job: Job) {
        if let Ok(mut jobs) = self.inner.jobs.lock() {
            jobs.insert(job.view.id.clone(), job);
            while jobs.len() > 1000 {
                let Some(oldest) = jobs.keys().next().cloned() else {
                    break;
                };
                jobs.remove(&oldest);
            }
        }
    }

    /// The clip a source plays: a stored clip, text rendered to one (or
    /// none, for speakers with TTS), a live source opened.
    async fn audio_of(&self, source: &Source) -> Result<Option<String>, BroadcastError> {
        Ok(match source {
            Source::Clip(hash) => Some(self.inner.clips.info(hash)?.hash),
            Source::Text(text) => {
                if text.trim().is_empty() || text.chars().count() > 2000 {
                    return Err(BroadcastError::Invalid(
                        "`text` must be 1 to 2000 characters".into(),
                    ));
                }
                tts::render(&self.inner.clips, text).await
            }
            Source::Live(url) => Some(self.inner.live.open(url).await?),
        })
    }

    async fn emit(&self, e: NewEvent) {
        if let Err(err) = self.inner.bus.submit(vec![e]).await {
            tracing::error!("broadcast event not stored: {err}");
        }
    }

    /// A job as the API shows it.
    pub fn get(&self, id: &str) -> Result<JobView, BroadcastError> {
        let jobs = self
            .inner
            .jobs
            .lock()
            .map_err(|_| BroadcastError::Unknown(id.to_owned()))?;
        let j = jobs
            .get(id)
            .ok_or_else(|| BroadcastError::Unknown(id.to_owned()))?;
        Ok(view(&j.view))
    }

    /// Recent jobs, newest first.
    pub fn list(&self) -> Vec<JobView> {
        let jobs = self.inner.jobs.lock().unwrap_or_else(|p| p.into_inner());
        jobs.values()
            .rev()
            .take(100)
            .map(|j| view(&j.view))
            .collect()
    }

    /// Cancel a job: speakers playing it are told to stop; those not yet
    /// asked are not asked.
    pub async fn cancel(&self, id: &str, actor: &str) -> Result<JobView, BroadcastError> {
        let playing: Vec<String> = {
            let mut jobs = self
                .inner
                .jobs
                .lock()
                .map_err(|_| BroadcastError::Unknown(id.to_owned()))?;
            let j = jobs
                .get_mut(id)
                .ok_or_else(|| BroadcastError::Unknown(id.to_owned()))?;
            j.view.cancelled = true;
            let mut playing = Vec::new();
            for (d, o) in j.view.speakers.iter_mut() {
                match o.state {
                    State::Started => {
                        playing.push(d.clone());
                        o.state = State::Cancelled;
                    }
                    State::Pending | State::Preempted => o.state = State::Cancelled,
                    _ => {}
                }
            }
            playing
        };
        self.emit(
            NewEvent::new("broadcast.cancelled", HUB_ZONE)
                .actor(actor)
                .correlation(id)
                .attr("job", id)
                .message(format!("{actor} cancelled broadcast {id}")),
        )
        .await;
        let stops = playing.into_iter().map(|d| {
            let b = self.clone();
            let id = id.to_owned();
            let actor = actor.to_owned();
            async move {
                // The speaker's own `speaker.idle` then frees it, and a job this
                // one had cut in on resumes if it asked to.
                let args = json!({ "job": id }).to_string();
                if let Err(e) = b.inner.devices.command(&d, "stop", &args, &actor).await {
                    tracing::warn!(speaker = %d, job = %id, "stop failed: {e}");
                    // No word will come from it: free it here.
                    if let Ok(mut slots) = b.inner.slots.lock() {
                        slots.release(&d, &id);
                    }
                }
            }
        });
        futures_util::future::join_all(stops).await;
        self.get(id)
    }
}

impl JobView {
    /// A job just asked for: every target speaker pending.
    fn new(
        id: &str,
        actor: &str,
        req: &BroadcastRequest,
        clip: Option<String>,
        targets: &[(String, String, String)],
    ) -> Self {
        let speakers = targets
            .iter()
            .map(|(d, zone, _)| {
                let pending = SpeakerOutcome {
                    state: State::Pending,
                    reason: None,
                    started_ms: None,
                    sent_ms: None,
                    zone: zone.clone(),
                };
                (d.clone(), pending)
            })
            .collect();
        JobView {
            id: id.to_owned(),
            actor: actor.to_owned(),
            request: req.clone(),
            clip,
            created: crate::bus::format_ms(now_ms()),
            cancelled: false,
            speakers,
            summary: BTreeMap::new(),
            answered: false,
            done: false,
        }
    }
}

/// Job `n`'s multicast address in each of `zones`: each zone of the site its
/// own group counting up from `base` (by the zones' sorted ids), each job its
/// own even port counting up from `first_port` (500 in turn), so a job that
/// cuts in never shares a stream address with the one it cuts.
fn multicast_groups(
    site_zones: &HashMap<String, String>,
    base: Ipv4Addr,
    first_port: u16,
    n: u64,
    zones: &[&str],
) -> HashMap<String, (Ipv4Addr, u16)> {
    let port = first_port.wrapping_add(2 * (n % 500) as u16);
    let mut all: Vec<&String> = site_zones.keys().collect();
    all.sort();
    zones
        .iter()
        .filter_map(|z| {
            let i = all.iter().position(|x| x.as_str() == *z)?;
            let g = u32::from(base).wrapping_add(i as u32);
            Some(((*z).to_owned(), (Ipv4Addr::from(g), port)))
        })
        .collect()
}

fn zone_path(b: &Broadcasts, device: &str) -> String {
    b.inner
        .devices
        .get(device)
        .map(|d| d.zone)
        .unwrap_or_else(|| HUB_ZONE.to_owned())
}

fn view(v: &JobView) -> JobView {
    let mut v = v.clone();
    let mut summary = BTreeMap::new();
    for o in v.speakers.values() {
        let key = serde_json::to_value(o.state)
            .ok()
            .and_then(|s| s.as_str().map(str::to_owned))
            .unwrap_or_default();
        *summary.entry(key).or_insert(0) += 1;
    }
    v.answered = v.speakers.values().all(|o| o.state != State::Pending);
    v.done = v.speakers.values().all(|o| o.state.is_final());
    v.summary = summary;
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_zone_its_group_and_each_job_its_port() {
        let site: HashMap<String, String> =
            [("canteen", "campus/canteen"), ("chem", "campus/chem")]
                .into_iter()
                .map(|(a, b)| (a.to_owned(), b.to_owned()))
                .collect();
        let base = Ipv4Addr::new(239, 255, 20, 1);
        let g = multicast_groups(&site, base, 5004, 3, &["chem", "canteen", "nowhere"]);
        assert_eq!(g["canteen"], (Ipv4Addr::new(239, 255, 20, 1), 5010));
        assert_eq!(g["chem"], (Ipv4Addr::new(239, 255, 20, 2), 5010));
        assert!(!g.contains_key("nowhere"));
        let next = multicast_groups(&site, base, 5004, 4, &["chem"]);
        assert_ne!(
            next["chem"].1, g["chem"].1,
            "a job that cuts in has its own port"
        );
    }
}
