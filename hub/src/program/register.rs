//! The risk register (风险点清单, 危险源清单, 风险等级清单): risk points of the
//! zones, each with its hazard sources, its assessment and level, its
//! control measures with who answers for them, and the devices that watch
//! it. A point is what `risk.point_saved` last said of it.

use serde::{Deserialize, Serialize};

use super::risk_level::RiskAssessment;
use crate::bus::Level;
use crate::config::program::ProgramConfig;

/// A hazard source (危险源) of a point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HazardSource {
    /// What it is (`乙醇等易燃试剂`).
    pub name: String,
    /// A code of `[program] categories` (`chemical`).
    pub category: String,
    /// The accident it may cause (`火灾、中毒`). Default none.
    #[serde(default)]
    pub consequence: Option<String>,
}

/// What kind of control measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum MeasureKind {
    /// 工程技术.
    Engineering,
    /// 管理.
    Management,
    /// 培训教育.
    Training,
    /// 个体防护.
    Ppe,
    /// 应急处置.
    Emergency,
}

impl MeasureKind {
    /// The program's word for it.
    pub fn name_zh(self) -> &'static str {
        match self {
            MeasureKind::Engineering => "工程技术",
            MeasureKind::Management => "管理",
            MeasureKind::Training => "培训教育",
            MeasureKind::Ppe => "个体防护",
            MeasureKind::Emergency => "应急处置",
        }
    }

    /// From its code or its Chinese name.
    pub fn parse(s: &str) -> Option<Self> {
        [
            MeasureKind::Engineering,
            MeasureKind::Management,
            MeasureKind::Training,
            MeasureKind::Ppe,
            MeasureKind::Emergency,
        ]
        .into_iter()
        .find(|k| {
            let code = serde_json::to_value(k).ok();
            s == k.name_zh() || code.as_ref().and_then(|c| c.as_str()) == Some(s)
        })
    }
}

/// A control measure (管控措施) and who answers for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Measure {
    /// Its kind.
    pub kind: MeasureKind,
    /// What is done (`通风橱每日检查`).
    pub text: String,
    /// The person responsible. Default none.
    #[serde(default)]
    pub person: Option<String>,
    /// The unit responsible. Default the point's.
    #[serde(default)]
    pub unit: Option<String>,
}

/// A risk point as a person writes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PointInput {
    /// Id (`chem-north-lab-301`): letters, digits, `-`, `_`.
    pub id: String,
    /// Its name (`化学北楼301有机实验室`).
    pub name: String,
    /// Its zone: a zone id or path.
    pub zone: String,
    /// The unit responsible (a unit id). Default: the zone's unit.
    #[serde(default)]
    pub unit: Option<String>,
    /// Its hazard sources.
    #[serde(default)]
    pub sources: Vec<HazardSource>,
    /// Its assessment. Default none (not yet assessed).
    #[serde(default)]
    pub assessment: Option<RiskAssessment>,
    /// Its control measures.
    #[serde(default)]
    pub measures: Vec<Measure>,
    /// The devices that watch it.
    #[serde(default)]
    pub devices: Vec<String>,
    /// Reviewed every this many days. Default `[program] review_every_days`.
    #[serde(default)]
    pub review_every_days: Option<u32>,
}

/// A point of the register.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RiskPoint {
    /// What was written.
    #[serde(flatten)]
    pub input: PointInput,
    /// The unit that answers for it (the input's, else the zone's).
    pub unit: Option<String>,
    /// The level of its assessment under the bands; `None` unassessed.
    pub level: Option<Level>,
    /// The assessment's score (D or R).
    pub score: Option<f64>,
    /// When it was last identified or reviewed, ms.
    pub reviewed_ms: i64,
    /// When its next review is due, ms.
    pub review_due_ms: i64,
    /// Who saved it last.
    pub saved_by: Option<String>,
    /// The seq of that save.
    pub seq: u64,
}

const DAY_MS: i64 = 86_400_000;

impl RiskPoint {
    /// The point `input` makes at `time_ms` (event `seq`).
    pub fn new(
        input: PointInput,
        unit: Option<String>,
        config: &ProgramConfig,
        time_ms: i64,
        seq: u64,
        by: Option<String>,
    ) -> Self {
        let level = input.assessment.map(|a| a.level(config));
        let score = input.assessment.map(|a| a.score());
        let every = input.review_every_days.unwrap_or(config.review_every_days);
        RiskPoint {
            input,
            unit,
            level,
            score,
            reviewed_ms: time_ms,
            review_due_ms: time_ms + i64::from(every) * DAY_MS,
            saved_by: by,
            seq,
        }
    }

    /// Reviewed at `time_ms`: the next review moves.
    pub fn reviewed(&mut self, time_ms: i64, config: &ProgramConfig) {
        let every = self
            .input
            .review_every_days
            .unwrap_or(config.review_every_days);
        self.reviewed_ms = time_ms;
        self.review_due_ms = time_ms + i64::from(every) * DAY_MS;
    }

    /// Whether its review is overdue at `now_ms`.
    pub fn review_overdue(&self, now_ms: i64) -> bool {
        now_ms >= self.review_due_ms
    }
}

/// What is wrong with `p` (empty when nothing), each naming its field.
pub fn problems(
    p: &PointInput,
    config: &ProgramConfig,
    zone_ok: &dyn Fn(&str) -> bool,
    unit_ok: &dyn Fn(&str) -> bool,
    device_ok: &dyn Fn(&str) -> bool,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut bad = |field: &str, why: String| out.push((field.to_owned(), why));
    let id_ok = !p.id.is_empty()
        && p.id.len() <= 64
        && p.id
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_');
    if !id_ok {
        bad(
            "id",
            format!(
                "`{}` is not an id (letters, digits, `-`, `_`; at most 64)",
                p.id
            ),
        );
    }
    if p.name.trim().is_empty() {
        bad("name", "is empty".into());
    }
    if !zone_ok(&p.zone) {
        bad("zone", format!("`{}` is no zone of this site", p.zone));
    }
    if let Some(u) = &p.unit
        && !unit_ok(u)
    {
        bad("unit", format!("`{u}` is no unit"));
    }
    for (i, s) in p.sources.iter().enumerate() {
        if s.name.trim().is_empty() {
            bad(&format!("sources[{i}].name"), "is empty".into());
        }
        if !config.categories.contains_key(&s.category) {
            bad(
                &format!("sources[{i}].category"),
                format!(
                    "`{}` is not a category ({})",
                    s.category,
                    config
                        .categories
                        .keys()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
    }
    if let Some(a) = &p.assessment
        && let Err(why) = a.check()
    {
        bad("assessment", why);
    }
    for (i, m) in p.measures.iter().enumerate() {
        if m.text.trim().is_empty() {
            bad(&format!("measures[{i}].text"), "is empty".into());
        }
        if let Some(u) = &m.unit
            && !unit_ok(u)
        {
            bad(&format!("measures[{i}].unit"), format!("`{u}` is no unit"));
        }
    }
    for d in &p.devices {
        if !device_ok(d) {
            bad("devices", format!("`{d}` is no device of this hub"));
        }
    }
    if p.review_every_days == Some(0) {
        bad("review_every_days", "must be at least 1".into());
    }
    out
}
