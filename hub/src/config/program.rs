//! `[program]`: the dual-prevention program's own settings: the code table
//! of hazard-source categories, the bands that turn a risk score into one of
//! the four levels (they differ by province), the rules that open hazards
//! from device data, the deadlines the loop runs to, and the terms the
//! assessment scores.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// `[program]`
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ProgramConfig {
    /// Hazard-source (危险源) and hazard categories: code → name. Default
    /// `fire` 火灾, `electrical` 触电, `chemical` 危化品, `special_equipment`
    /// 特种设备, `traffic` 交通, `crowd` 人员聚集, `gas` 燃气, `structure` 建筑结构,
    /// `security` 治安, `other` 其他.
    pub categories: BTreeMap<String, String>,
    /// LEC: D = L × E × C at or above each level's value. Default red 320,
    /// orange 160, yellow 70 (below 70 blue).
    pub lec_bands: Bands,
    /// Risk matrix: R = L × S (5 × 5) at or above each level's value.
    /// Default red 20, orange 15, yellow 9 (below 9 blue).
    pub matrix_bands: Bands,
    /// A point's identification and assessment is reviewed this often,
    /// days (第十三条: yearly). Default 365.
    pub review_every_days: u32,
    /// Days a hazard under 限期整改 is given when the notice names no
    /// deadline. Default 一般 7, 重大 30.
    pub deadline_days: DeadlineDays,
    /// An overdue hazard goes to the unit's head at its deadline, and to the
    /// program office this many days later. Default 3.
    pub office_after_days: u32,
    /// A hazard in rectification with no progress note for this many days
    /// breaks the loop (第十六条). Default 7.
    pub feedback_every_days: u32,
    /// A 重大 hazard with no treatment plan this many days after its notice
    /// counts against its unit (第十八条). Default 7.
    pub plan_within_days: u32,
    /// The unit id of the program office (领导小组办公室): it alone accepts
    /// 重大 hazards and enters the assessment's manual items. Default
    /// `program-office`.
    pub office_unit: String,
    /// Rules that open hazards from device data (`[[program.hazard_rules]]`).
    pub hazard_rules: Vec<HazardRule>,
    /// The terms the assessment scores (`[[program.terms]]`), in order.
    pub terms: Vec<Term>,
}

impl Default for ProgramConfig {
    fn default() -> Self {
        let categories = [
            ("fire", "火灾"),
            ("electrical", "触电"),
            ("chemical", "危化品"),
            ("special_equipment", "特种设备"),
            ("traffic", "交通"),
            ("crowd", "人员聚集"),
            ("gas", "燃气"),
            ("structure", "建筑结构"),
            ("security", "治安"),
            ("other", "其他"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        ProgramConfig {
            categories,
            lec_bands: Bands {
                red: 320.0,
                orange: 160.0,
                yellow: 70.0,
            },
            matrix_bands: Bands {
                red: 20.0,
                orange: 15.0,
                yellow: 9.0,
            },
            review_every_days: 365,
            deadline_days: DeadlineDays::default(),
            office_after_days: 3,
            feedback_every_days: 7,
            plan_within_days: 7,
            office_unit: "program-office".into(),
            hazard_rules: Vec::new(),
            terms: Vec::new(),
        }
    }
}

/// Where the four levels begin on a score.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Bands {
    /// 重大风险 (I, red) at or above.
    pub red: f64,
    /// 较大风险 (II, orange) at or above.
    pub orange: f64,
    /// 一般风险 (III, yellow) at or above; below it 低风险 (IV, blue).
    pub yellow: f64,
}

/// `[program.deadline_days]`
#[derive(Debug, Clone, Copy, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct DeadlineDays {
    /// 一般隐患. Default 7.
    pub general: u32,
    /// 重大隐患. Default 30.
    pub major: u32,
}

impl Default for DeadlineDays {
    fn default() -> Self {
        DeadlineDays {
            general: 7,
            major: 30,
        }
    }
}

/// `[[program.hazard_rules]]`: device data that is a hazard. A condition
/// (a `begin` without its `end`) of one of `kinds` held `held_s` seconds,
/// or `repeats` events of them from one device within a day, opens a hazard
/// owned by the zone's unit, with the events as its evidence; one hazard per
/// rule and device source until it is closed.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HazardRule {
    /// Id, unique (`panel-fault-held`). Required.
    pub id: String,
    /// Kinds (`fire.fault`) or families (`camera.*`). Required.
    pub kinds: Vec<String>,
    /// Attributes the event must carry with these values
    /// (`{ fault = "main_power" }`). Default none.
    #[serde(default)]
    pub attrs: BTreeMap<String, String>,
    /// Kinds that end the condition, for kinds without a phase
    /// (`["device.online"]` for `device.offline`); the condition is then
    /// keyed by the first of `kinds`. Default none.
    #[serde(default)]
    pub until: Vec<String>,
    /// Opens when the condition has lasted this long, seconds.
    #[serde(default)]
    pub held_s: Option<u64>,
    /// Opens on this many events (a condition's begins) within 24 hours.
    #[serde(default)]
    pub repeats: Option<u32>,
    /// The hazard's category (a code of `categories`). Default `other`.
    #[serde(default = "default_category")]
    pub category: String,
    /// `general` (一般) or `major` (重大). Default `general`.
    #[serde(default)]
    pub level: HazardLevel,
    /// What the hazard is, for people (`消防主机主电故障持续未排除`).
    /// Default: the rule's id.
    #[serde(default)]
    pub description: Option<String>,
}

fn default_category() -> String {
    "other".into()
}

/// 一般 or 重大.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Deserialize,
    Serialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum HazardLevel {
    /// 一般事故隐患: small harm, fixed by the unit.
    #[default]
    General,
    /// 重大事故隐患: needs a treatment plan and the program office's acceptance.
    Major,
}

impl HazardLevel {
    /// `general` or `major`.
    pub fn as_str(self) -> &'static str {
        match self {
            HazardLevel::General => "general",
            HazardLevel::Major => "major",
        }
    }

    /// `general` / `major` (or 一般 / 重大).
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "general" | "一般" | "一般隐患" | "一般事故隐患" => {
                Some(HazardLevel::General)
            }
            "major" | "重大" | "重大隐患" | "重大事故隐患" => Some(HazardLevel::Major),
            _ => None,
        }
    }
}

/// `[[program.terms]]`: a term (学期) the assessment scores.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Term {
    /// Id (`2026-autumn`). Required.
    pub id: String,
    /// First day, `YYYY-MM-DD` in the site's time. Required.
    pub from: String,
    /// Last day, `YYYY-MM-DD`. Required.
    pub to: String,
    /// Name (`2026—2027学年第一学期`). Default: the id.
    #[serde(default)]
    pub name: Option<String>,
}

impl ProgramConfig {
    /// Problems with the section, each naming its key.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (name, b) in [
            ("program.lec_bands", self.lec_bands),
            ("program.matrix_bands", self.matrix_bands),
        ] {
            if !(b.red > b.orange && b.orange > b.yellow && b.yellow > 0.0) {
                out.push(format!(
                    "{name}: the bands must rise, 0 < yellow < orange < red (got yellow {}, orange {}, red {})",
                    b.yellow, b.orange, b.red
                ));
            }
        }
        let mut ids = std::collections::HashSet::new();
        for (i, r) in self.hazard_rules.iter().enumerate() {
            let at = format!("program.hazard_rules[{i}] (`{}`)", r.id);
            if r.id.trim().is_empty() || !ids.insert(r.id.clone()) {
                out.push(format!("{at}: the id is empty or used twice"));
            }
            if r.kinds.is_empty() {
                out.push(format!("{at}: `kinds` names no kind"));
            }
            for k in &r.kinds {
                let family = k.strip_suffix(".*").unwrap_or(k);
                if family.is_empty() || family.contains('*') {
                    out.push(format!("{at}: kind `{k}` is neither a kind nor `family.*`"));
                }
            }
            match (r.held_s, r.repeats) {
                (None, None) => out.push(format!("{at}: give `held_s` or `repeats`")),
                (Some(_), Some(_)) => {
                    out.push(format!("{at}: give `held_s` or `repeats`, not both"))
                }
                (_, Some(0..=1)) => out.push(format!("{at}: `repeats` must be 2 or more")),
                _ => {}
            }
            if !self.categories.contains_key(&r.category) {
                out.push(format!(
                    "{at}: category `{}` is not in program.categories ({})",
                    r.category,
                    self.categories
                        .keys()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        let mut last_to = None;
        for (i, t) in self.terms.iter().enumerate() {
            let at = format!("program.terms[{i}] (`{}`)", t.id);
            let from = crate::statistics::report::parse_day(&t.from);
            let to = crate::statistics::report::parse_day(&t.to);
            match (from, to) {
                (Some(f), Some(e)) if f <= e => {
                    if last_to.is_some_and(|l| f <= l) {
                        out.push(format!("{at}: overlaps the term before it"));
                    }
                    last_to = Some(e);
                }
                (Some(_), Some(_)) => out.push(format!("{at}: `from` is after `to`")),
                _ => out.push(format!(
                    "{at}: `from` and `to` are dates, YYYY-MM-DD (got `{}`, `{}`)",
                    t.from, t.to
                )),
            }
        }
        if self.review_every_days == 0 {
            out.push("program.review_every_days: must be at least 1".into());
        }
        out
    }
}
