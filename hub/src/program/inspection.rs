//! Inspection rounds (巡查): a task per risk point (what to check, how often,
//! by which unit); a round is one pass over its checklist in one period,
//! each item ok or a hazard found, with notes and photos. A period that ends
//! without a round is a missed round (`inspection.missed`).

use serde::{Deserialize, Serialize};

use super::periods::Frequency;
use crate::bus::MediaRef;

/// A task as a person writes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskInput {
    /// Id (`chem-lab-daily`): letters, digits, `-`, `_`.
    pub id: String,
    /// The risk point it checks.
    pub point: String,
    /// Its name. Default: the point's name and the frequency.
    #[serde(default)]
    pub name: Option<String>,
    /// What to check, one line an item. Default: the point's control
    /// measures.
    #[serde(default)]
    pub checklist: Vec<String>,
    /// How often.
    pub every: Frequency,
    /// The unit that does it. Default: the point's.
    #[serde(default)]
    pub unit: Option<String>,
    /// The first day a round is due, `YYYY-MM-DD`. Default the day it is
    /// saved: that day's round is owed, a week, month or term already
    /// begun is not.
    #[serde(default)]
    pub from: Option<String>,
}

/// A task of the register.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Task {
    /// Its id.
    pub id: String,
    /// Its risk point.
    pub point: String,
    /// Its zone (the point's).
    pub zone: String,
    /// Its name.
    pub name: String,
    /// What to check.
    pub checklist: Vec<String>,
    /// How often.
    pub every: Frequency,
    /// Who does it.
    pub unit: Option<String>,
    /// Rounds are owed from here, ms.
    pub from_ms: i64,
    /// Who saved it.
    pub saved_by: Option<String>,
}

/// One item of a round as the inspector ticks it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemResult {
    /// The checklist line (or its index as text).
    pub item: String,
    /// All right.
    pub ok: bool,
    /// A note.
    #[serde(default)]
    pub note: Option<String>,
}

/// A round done.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Round {
    /// `R<seq>`.
    pub id: String,
    /// Its task.
    pub task: String,
    /// The period it counts for.
    pub period: String,
    /// Its zone.
    pub zone: String,
    /// Who did it.
    pub by: Option<String>,
    /// When, ms.
    pub time_ms: i64,
    /// Each item.
    pub items: Vec<ItemResult>,
    /// The hazards found on it.
    pub hazards: Vec<String>,
    /// Its photos.
    pub media: Vec<MediaRef>,
}

/// A round not done in its period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Missed {
    /// The task.
    pub task: String,
    /// The period.
    pub period: String,
    /// Its zone.
    pub zone: String,
    /// The unit that owed it.
    pub unit: Option<String>,
    /// When the period ended, ms.
    pub due_ms: i64,
    /// The `inspection.missed` event.
    pub seq: u64,
}
