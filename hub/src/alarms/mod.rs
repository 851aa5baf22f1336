//! Alarms a person handles to closure (ISA-18.2 / IEC 62682; OPC UA Part 9
//! names the same states). The book is a projection of the log: device
//! events open and clear alarms, and every action a person takes is an
//! `alarm.*` event whose actor is the caller's credential. An action is
//! checked against the book, appended, and answered only once the book has
//! read it back; actions are taken one at a time, so two people cannot both
//! acknowledge the same alarm.
//!
//! ```text
//! device events ─▶ book (policy: what is an alarm) ─▶ list, detail, KPIs
//! person ─▶ act: check ─▶ bus.append(alarm.*) ─▶ book reads it back ─▶ answer
//! tick ─▶ escalations, flood begin/end, shelving expiry ─▶ bus
//! ```

mod alarm;
mod book;
pub mod cli;
pub mod kpis;
pub mod list;
mod policy;

use std::sync::Arc;
use std::time::Duration;

pub use alarm::{Action, Alarm, Refusal, Resolution, Stage, Transition};
pub use book::{AlarmBook, Flood};
pub use policy::{FLOOD_WINDOW, Meaning, Policy};

use crate::bus::{Bus, BusError};
use crate::clock::Clock;
use crate::projection::{Projection, Views};

/// How long an action waits for the book to read its event back.
const READ_BACK: Duration = Duration::from_secs(10);

/// Why an action was not taken.
#[derive(Debug, thiserror::Error)]
pub enum ActError {
    /// No alarm of that id.
    #[error("no alarm `{0}`")]
    Unknown(String),
    /// Not allowed from its state, or malformed.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// The caller's zones do not cover the alarm's.
    #[error("alarm {id} is in zone `{zone}`, outside the zones of `{who}`")]
    OutsideZones {
        /// The alarm.
        id: String,
        /// Its zone.
        zone: String,
        /// The caller.
        who: String,
    },
    /// The book is still replaying the log.
    #[error("the alarm book is still reading the log; try again in a moment")]
    NotReady,
    /// The event could not be recorded: nothing was done.
    #[error("the action was not recorded: {0}")]
    Bus(#[from] BusError),
    /// Recorded, but the book had not read it back in time.
    #[error("alarm {0}: the action is recorded but the book has not caught up yet")]
    Lagging(String),
}

/// The alarm service; cheap to clone.
#[derive(Clone)]
pub struct Alarms {
    view: Projection<AlarmBook>,
    bus: Bus,
    clock: Clock,
    act: Arc<tokio::sync::Mutex<()>>,
}

impl Alarms {
    /// A book under `policy` among the hub's `views` (which replay the log
    /// into it and follow it); escalations, floods and shelving expiry
    /// judged every `tick`.
    pub fn new(views: &mut Views, bus: Bus, clock: Clock, policy: Policy, tick: Duration) -> Self {
        Alarms {
            view: views.add(AlarmBook::new(policy), tick),
            bus,
            clock,
            act: Arc::default(),
        }
    }

    /// Whether the replay has caught up.
    pub fn ready(&self) -> bool {
        self.view.ready()
    }

    /// While the book replays the log: the seq it has read up to and the
    /// seq where it catches up.
    pub fn replaying(&self) -> Option<(u64, u64)> {
        self.view.replaying()
    }

    /// Now, by the hub's clock.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Read the book.
    pub fn with<R>(&self, f: impl FnOnce(&AlarmBook) -> R) -> R {
        self.view.with(f)
    }

    /// Do `action` to alarm `id` as `actor`, whose zones must cover the
    /// alarm's (`covers`). Answers the alarm as it is afterwards.
    pub async fn act(
        &self,
        id: &str,
        action: Action,
        actor: &str,
        covers: &(dyn Fn(&str) -> bool + Sync),
    ) -> Result<serde_json::Value, ActError> {
        if !self.ready() {
            return Err(ActError::NotReady);
        }
        let _one_at_a_time = self.act.lock().await;
        let now = self.now_ms();
        let event = self.view.with(|book| {
            let a = book
                .get(id)
                .ok_or_else(|| ActError::Unknown(id.to_owned()))?;
            if !covers(&a.zone) {
                return Err(ActError::OutsideZones {
                    id: id.to_owned(),
                    zone: a.zone.clone(),
                    who: actor.to_owned(),
                });
            }
            let p = book.policy();
            a.check(
                &action,
                now,
                p.max_shelve.as_millis() as i64,
                p.needs_note(&a.kind, a.level),
            )?;
            Ok(action.event(a, actor))
        })?;
        let seqs = self.bus.append(vec![event]).await?;
        let seq = seqs.first().copied().unwrap_or_default();
        if !self.view.taken(seq, READ_BACK).await {
            return Err(ActError::Lagging(id.to_owned()));
        }
        self.view.with(|b| {
            let a = b.get(id).ok_or_else(|| ActError::Unknown(id.to_owned()))?;
            // A device event or a verdict of the hub's may have moved the
            // alarm between the check and the append (a raise before a
            // close): the book then refused the action, and so does the API.
            if a.transitions.last().is_none_or(|t| t.seq != seq) {
                return Err(ActError::Refused(Refusal::State {
                    id: id.to_owned(),
                    state: a.state_line(now),
                    why: format!(
                        "it changed while `{}` was being recorded; event {seq} is in the log but not in the book",
                        action.kind()
                    ),
                }));
            }
            Ok(a.to_json(now))
        })
    }
}
