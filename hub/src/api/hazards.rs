//! Hazards and inspection rounds over HTTP: `/api/v1/hazards` (each with its
//! `origin`, state and steps; reported by anyone signed in, taken through
//! the loop by the roles and units the loop names) and `/api/v1/inspections`
//! (tasks, today's rounds, missed rounds; a round sent from a phone).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{Value, json};

use super::risks::caller;
use super::{ApiError, ApiState};
use crate::auth::Principal;
use crate::program::{HazardAction, Photo, Plan, Program, Report, RoundInput, TaskInput};

type Body<T> = Result<Json<T>, axum::extract::rejection::JsonRejection>;

/// Which hazards by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Which {
    /// Not closed or cancelled (default).
    #[default]
    Open,
    /// Closed or cancelled.
    Closed,
    /// Every one.
    All,
}

/// Query of `GET /api/v1/hazards`.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HazardQuery {
    /// Which by state (default `open`).
    state: Option<Which>,
    /// Of this unit (and the units below it).
    unit: Option<String>,
    /// This zone (id or path) and below.
    zone: Option<String>,
    /// Only those past their deadline.
    overdue: Option<bool>,
    /// `person` or `rule`.
    origin: Option<String>,
}

/// `GET /api/v1/hazards`: newest first, with counts.
pub async fn list(
    State(s): State<ApiState>,
    Extension(who): Extension<Principal>,
    Query(q): Query<HazardQuery>,
) -> Result<Json<Value>, ApiError> {
    let (p, c) = caller(&s, &who)?;
    let now = p.now_ms();
    let zone =
        match &q.zone {
            Some(z) => Some(p.zone_path(z).ok_or_else(|| {
                ApiError::bad_request(format!("zone `{z}` is no zone of this site"))
            })?),
            None => None,
        };
    let units = q
        .unit
        .as_deref()
        .map(|u| crate::program::units_down(&p.units(), u));
    let which = q.state.unwrap_or_default();
    let (hazards, open, overdue) = p.with(|b| {
        let visible: Vec<_> = b
            .hazards()
            .filter(|h| Program::sees(&c, &h.zone, h.unit.as_deref()))
            .collect();
        let open = visible.iter().filter(|h| h.state.open()).count();
        let overdue = visible.iter().filter(|h| h.overdue(now)).count();
        let hazards: Vec<Value> = visible
            .iter()
            .rev()
            .filter(|h| match which {
                Which::Open => h.state.open(),
                Which::Closed => !h.state.open(),
                Which::All => true,
            })
            .filter(|h| {
                zone.as_deref()
                    .is_none_or(|z| twinwall_base::zone_within(&h.zone, z))
            })
            .filter(|h| {
                units
                    .as_ref()
                    .is_none_or(|us| h.unit.as_ref().is_some_and(|u| us.contains(u)))
            })
            .filter(|h| q.overdue != Some(true) || h.overdue(now))
            .filter(|h| {
                q.origin.as_deref().is_none_or(|o| {
                    serde_json::to_value(h.origin)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .as_deref()
                        == Some(o)
                })
            })
            .map(|h| h.to_json(now))
            .collect();
        (hazards, open, overdue)
    });
    Ok(Json(
        json!({"hazards": hazards, "open": open, "overdue": overdue}),
    ))
}

/// `GET /api/v1/hazards/{id}`
pub async fn one(
    State(s): State<ApiState>,
    Extension(who): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let (p, c) = caller(&s, &who)?;
    let now = p.now_ms();
    p.with(|b| {
        b.hazard(&id)
            .filter(|h| Program::sees(&c, &h.zone, h.unit.as_deref()))
            .map(|h| Json(h.to_json(now)))
            .ok_or_else(|| ApiError::not_found(format!("no hazard `{id}`")))
    })
}

/// `POST /api/v1/hazards`: report a hazard (anyone signed in).
pub async fn report(
    State(s): State<ApiState>,
    Extension(who): Extension<Principal>,
    body: Body<Report>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let r = super::error::json_body("hazard report", body)?;
    let (p, c) = caller(&s, &who)?;
    Ok((StatusCode::CREATED, Json(p.report(r, &c).await?)))
}

/// The body of a step of the loop; each step reads the fields it needs.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StepBody {
    /// What was done or found (needed by fix, progress, submit, accept, reject).
    #[serde(default)]
    note: Option<String>,
    /// Why it is cancelled (cancel).
    #[serde(default)]
    reason: Option<String>,
    /// The unit to fix it (notice; default the hazard's).
    #[serde(default)]
    unit: Option<String>,
    /// The person responsible (notice).
    #[serde(default)]
    person: Option<String>,
    /// The deadline, `YYYY-MM-DD` (notice; default by level, `[program] deadline_days`).
    #[serde(default)]
    deadline: Option<String>,
    /// The treatment plan (plan).
    #[serde(default)]
    plan: Option<Plan>,
    /// Photos of the step.
    #[serde(default)]
    photos: Vec<Photo>,
}

async fn step(
    s: ApiState,
    who: Principal,
    id: String,
    body: Body<StepBody>,
    name: &'static str,
) -> Result<Json<Value>, ApiError> {
    let b = super::error::json_body(format!("hazard {name}"), body)?;
    let (p, c) = caller(&s, &who)?;
    let note = b.note.clone().unwrap_or_default();
    let action = match name {
        "fix" => HazardAction::Fix { note },
        "notice" => {
            let level = p
                .with(|bk| bk.hazard(&id).map(|h| h.level))
                .ok_or_else(|| ApiError::not_found(format!("no hazard `{id}`")))?;
            let deadline_ms = match &b.deadline {
                Some(d) => {
                    let day = crate::statistics::report::parse_day(d).ok_or_else(|| {
                        ApiError::bad_request(format!("`deadline` `{d}` is not a date, YYYY-MM-DD"))
                    })?;
                    // The end of that day in the site's time.
                    p.with(|bk| bk.calendar().day_start(day + 1)) - 1
                }
                None => p.default_deadline(level),
            };
            if deadline_ms <= p.now_ms() {
                return Err(ApiError::bad_request("`deadline` is in the past"));
            }
            HazardAction::Notice {
                unit: b.unit.clone(),
                person: b.person.clone(),
                deadline_ms,
                note: b.note.clone(),
            }
        }
        "plan" => HazardAction::Plan(b.plan.clone().ok_or_else(|| {
            ApiError::bad_request(
                "`plan` is needed: goal, measures, funds, people, deadline, safety",
            )
        })?),
        "start" => HazardAction::Start {
            note: b.note.clone(),
        },
        "progress" => HazardAction::Progress { note },
        "submit" => HazardAction::Submit { note },
        "accept" => HazardAction::Accept { note },
        "reject" => HazardAction::Reject { note },
        _ => HazardAction::Cancel {
            reason: b.reason.clone().unwrap_or_default(),
        },
    };
    Ok(Json(p.act(&id, action, &b.photos, &c).await?))
}

macro_rules! steps {
    ($($f:ident = $name:literal;)*) => {$(
        #[doc = concat!("`POST /api/v1/hazards/{id}/", $name, "`")]
        pub async fn $f(
            State(s): State<ApiState>,
            Extension(who): Extension<Principal>,
            Path(id): Path<String>,
            body: Body<StepBody>,
        ) -> Result<Json<Value>, ApiError> {
            step(s, who, id, body, $name).await
        }
    )*};
}

steps! {
    fix = "fix";
    notice = "notice";
    plan = "plan";
    start = "start";
    progress = "progress";
    submit = "submit";
    accept = "accept";
    reject = "reject";
    cancel = "cancel";
}

/// `GET /api/v1/inspections`: tasks with their current period and whether
/// its round is done, the newest rounds, and missed rounds.
pub async fn inspections(
    State(s): State<ApiState>,
    Extension(who): Extension<Principal>,
) -> Result<Json<Value>, ApiError> {
    let (p, c) = caller(&s, &who)?;
    let now = p.now_ms();
    Ok(Json(p.with(|b| {
        let tasks: Vec<Value> = b
            .tasks()
            .filter(|t| Program::sees(&c, &t.zone, t.unit.as_deref()))
            .map(|t| {
                let period = b.calendar().period(t.every, now);
                let done = period
                    .as_ref()
                    .and_then(|per| b.round_of(&t.id, &per.key))
                    .map(|r| r.id.clone());
                let mut v = json!(t);
                v["period"] = json!(period);
                v["done"] = json!(done);
                v["point_name"] = json!(b.point(&t.point).map(|p| p.input.name.clone()));
                v
            })
            .collect();
        let visible = |zone: &str| Program::sees(&c, zone, None);
        let rounds: Vec<Value> = b
            .rounds()
            .iter()
            .rev()
            .filter(|r| {
                visible(&r.zone)
                    || b.task(&r.task)
                        .is_some_and(|t| Program::sees(&c, &t.zone, t.unit.as_deref()))
            })
            .take(100)
            .map(|r| json!(r))
            .collect();
        let missed: Vec<Value> = b
            .missed()
            .iter()
            .rev()
            .filter(|m| Program::sees(&c, &m.zone, m.unit.as_deref()))
            .take(100)
            .map(|m| json!(m))
            .collect();
        json!({"tasks": tasks, "rounds": rounds, "missed": missed})
    })))
}

/// `POST /api/v1/inspections/tasks`
pub async fn save_task(
    State(s): State<ApiState>,
    Extension(who): Extension<Principal>,
    body: Body<TaskInput>,
) -> Result<Json<Value>, ApiError> {
    let t = super::error::json_body("inspection task", body)?;
    let (p, c) = caller(&s, &who)?;
    Ok(Json(p.save_task(t, &c).await?))
}

/// `DELETE /api/v1/inspections/tasks/{id}`
pub async fn remove_task(
    State(s): State<ApiState>,
    Extension(who): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let (p, c) = caller(&s, &who)?;
    p.remove_task(&id, &c).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/inspections/rounds`: a round done (the hazards found on it
/// opened with it); a resend with the same `client_id` answers the round
/// already recorded.
pub async fn round(
    State(s): State<ApiState>,
    Extension(who): Extension<Principal>,
    body: Body<RoundInput>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let r = super::error::json_body("round", body)?;
    let (p, c) = caller(&s, &who)?;
    Ok((StatusCode::CREATED, Json(p.round(r, &c).await?)))
}
