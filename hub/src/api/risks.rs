//! The program's register and lists over HTTP: `/api/v1/risks/points` (each
//! point with its `level` and the `assessment` it came from),
//! `/api/v1/lists` and `/api/v1/lists/{list}` (the six lists as JSON, CSV or
//! XLSX; the register's three imported from a spreadsheet), and
//! `/api/v1/assessment` (each unit's score for a term, with every deduction).

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiError, ApiState};
use crate::auth::Principal;
use crate::program::{Caller, EntryInput, PointInput, Program, ProgramError, lists, unit_score};

impl From<ProgramError> for ApiError {
    fn from(e: ProgramError) -> Self {
        match &e {
            ProgramError::Invalid(_) | ProgramError::Import(_) => {
                ApiError::bad_request(e.to_string())
            }
            ProgramError::Unknown(_) => ApiError::not_found(e.to_string()),
            ProgramError::Forbidden(_) => ApiError::forbidden(e.to_string()),
            ProgramError::Refused(crate::program::Refusal::NotYours { .. }) => {
                ApiError::forbidden(e.to_string())
            }
            ProgramError::Refused(crate::program::Refusal::Invalid { .. }) => {
                ApiError::bad_request(e.to_string())
            }
            ProgramError::Refused(crate::program::Refusal::State { .. }) => {
                ApiError::conflict(e.to_string())
            }
            ProgramError::NotReady | ProgramError::Bus(_) | ProgramError::Lagging(_) => {
                ApiError::unavailable(e.to_string())
            }
        }
    }
}

pub(super) fn service(s: &ApiState) -> Result<&Program, ApiError> {
    s.program
        .as_ref()
        .ok_or_else(|| ApiError::not_found("the program's book is not running"))
}

pub(super) fn caller(s: &ApiState, who: &Principal) -> Result<(Program, Caller), ApiError> {
    let p = service(s)?.clone();
    let c = p.caller(who);
    Ok((p, c))
}

type Body<T> = Result<Json<T>, axum::extract::rejection::JsonRejection>;

/// Query of `GET /api/v1/risks/points`.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PointQuery {
    /// This zone (id or path) and below.
    zone: Option<String>,
    /// Of this unit.
    unit: Option<String>,
    /// At this level (`red`, `orange`, `yellow`, `blue`).
    level: Option<crate::bus::Level>,
    /// Only points whose yearly review is overdue.
    review_overdue: Option<bool>,
}

/// `GET /api/v1/risks/points`
pub async fn points(
    State(s): State<ApiState>,
    Extension(who): Extension<Principal>,
    Query(q): Query<PointQuery>,
) -> Result<Json<Value>, ApiError> {
    let (p, c) = caller(&s, &who)?;
    let zone =
        match &q.zone {
            Some(z) => Some(p.zone_path(z).ok_or_else(|| {
                ApiError::bad_request(format!("zone `{z}` is no zone of this site"))
            })?),
            None => None,
        };
    let now = p.now_ms();
    let points: Vec<Value> = p.with(|b| {
        b.points()
            .filter(|x| Program::sees(&c, &x.input.zone, x.unit.as_deref()))
            .filter(|x| {
                zone.as_deref()
                    .is_none_or(|z| twinwall_base::zone_within(&x.input.zone, z))
            })
            .filter(|x| {
                q.unit
                    .as_deref()
                    .is_none_or(|u| x.unit.as_deref() == Some(u))
            })
            .filter(|x| q.level.is_none_or(|l| x.level == Some(l)))
            .filter(|x| q.review_overdue != Some(true) || x.review_overdue(now))
            .map(|x| crate::program::point_json(x, now))
            .collect()
    });
    Ok(Json(json!({"points": points})))
}

/// `GET /api/v1/risks/points/{id}`
pub async fn point(
    State(s): State<ApiState>,
    Extension(who): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let (p, c) = caller(&s, &who)?;
    let now = p.now_ms();
    p.with(|b| {
        b.point(&id)
            .filter(|x| Program::sees(&c, &x.input.zone, x.unit.as_deref()))
            .map(|x| Json(crate::program::point_json(x, now)))
            .ok_or_else(|| ApiError::not_found(format!("no risk point `{id}`")))
    })
}

/// `POST /api/v1/risks/points`: a point, new or changed.
pub async fn save_point(
    State(s): State<ApiState>,
    Extension(who): Extension<Principal>,
    body: Body<PointInput>,
) -> Result<Json<Value>, ApiError> {
    let input = super::error::json_body("risk point", body)?;
    let (p, c) = caller(&s, &who)?;
    Ok(Json(p.save_point(input, &c).await?))
}

/// Body of a review.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    /// What the review found.
    #[serde(default)]
    note: Option<String>,
}

/// `POST /api/v1/risks/points/{id}/review`
pub async fn review_point(
    State(s): State<ApiState>,
    Extension(who): Extension<Principal>,
    Path(id): Path<String>,
    body: Body<ReviewBody>,
) -> Result<Json<Value>, ApiError> {
    let b = super::error::json_body("review", body)?;
    let (p, c) = caller(&s, &who)?;
    Ok(Json(p.review_point(&id, b.note, &c).await?))
}

/// `DELETE /api/v1/risks/points/{id}`
pub async fn remove_point(
    State(s): State<ApiState>,
    Extension(who): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let (p, c) = caller(&s, &who)?;
    p.remove_point(&id, &c).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/program`: what the program's pages need to fill their
/// forms: the category code table, the levels' bands, the terms (and the
/// one holding today), the program office's unit and the units' names.
pub async fn settings(
    State(s): State<ApiState>,
    Extension(who): Extension<Principal>,
) -> Result<Json<Value>, ApiError> {
    let (p, c) = caller(&s, &who)?;
    let now = p.now_ms();
    let units: Vec<Value> = p
        .units()
        .into_iter()
        .map(|u| json!({"id": u.id, "name": u.name, "parent": u.parent, "zones": u.zones}))
        .collect();
    Ok(Json(p.with(|b| {
        let config = b.config();
        let cal = b.calendar();
        let current = cal.term_of_day(cal.day(now)).map(|(id, ..)| id.to_owned());
        let terms: Vec<Value> = config
            .terms
            .iter()
            .map(|t| json!({"id": t.id, "name": t.name, "from": t.from, "to": t.to}))
            .collect();
        json!({
            "categories": config.categories,
            "lec_bands": config.lec_bands,
            "matrix_bands": config.matrix_bands,
            "deadline_days": {"general": config.deadline_days.general, "major": config.deadline_days.major},
            "office_unit": config.office_unit,
            "terms": terms,
            "term": current,
            "units": units,
            "you": {"unit": c.who.unit, "units": c.units_down,
                    "office": c.who.role >= crate::auth::Role::Admin
                        || (c.who.role >= crate::auth::Role::Safety
                            && c.who.unit.as_deref() == Some(config.office_unit.as_str()))},
        })
    })))
}

/// Query of `GET /api/v1/program/figures`.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FiguresQuery {
    /// How many weeks, this one last (default 8, at most 52).
    weeks: Option<usize>,
}

/// `GET /api/v1/program/figures`: the command centre's figures of the
/// program over what the caller may see.
pub async fn figures(
    State(s): State<ApiState>,
    Extension(who): Extension<Principal>,
    Query(q): Query<FiguresQuery>,
) -> Result<Json<Value>, ApiError> {
    let weeks = q.weeks.unwrap_or(8);
    if !(1..=52).contains(&weeks) {
        return Err(ApiError::bad_request(format!(
            "`weeks` is 1 to 52, not {weeks}"
        )));
    }
    let (p, c) = caller(&s, &who)?;
    let now = p.now_ms();
    Ok(Json(p.with(|b| {
        let f = crate::program::figures::figures(
            b.hazards()
                .filter(|h| Program::sees(&c, &h.zone, h.unit.as_deref())),
            b.points()
                .filter(|x| Program::sees(&c, &x.input.zone, x.unit.as_deref())),
            b.calendar(),
            now,
            weeks,
        );
        json!(f)
    })))
}

/// `GET /api/v1/lists`: the six lists, their ids and names.
pub async fn lists_index(Extension(_who): Extension<Principal>) -> Json<Value> {
    let lists: Vec<Value> = lists::LISTS
        .iter()
        .map(|(id, name, holds)| {
            let importable = ["risk-points", "risk-levels", "hazard-sources"].contains(id);
            json!({
                "id": id,
                "name": name,
                "holds": holds,
                "importable": importable,
            })
        })
        .collect();
    Json(json!({"lists": lists}))
}

/// Query of `GET /api/v1/lists/{list}`.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// `json` (default), `csv` or `xlsx`.
    format: Option<String>,
    /// Only this unit's rows (and the units below it).
    unit: Option<String>,
}

/// `GET /api/v1/lists/{list}`
pub async fn list(
    State(s): State<ApiState>,
    Extension(who): Extension<Principal>,
    Path(list): Path<String>,
    Query(q): Query<ListQuery>,
) -> Result<Response, ApiError> {
    let (p, c) = caller(&s, &who)?;
    let units = q
        .unit
        .as_deref()
        .map(|u| crate::program::units_down(&p.units(), u));
    let now = p.now_ms();
    let table = p
        .with(|b| {
            lists::table(b, &list, now, &|zone, unit| {
                Program::sees(&c, zone, unit)
                    && units
                        .as_ref()
                        .is_none_or(|us| unit.is_some_and(|u| us.iter().any(|x| x == u)))
            })
        })
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "no list `{list}` (one of {})",
                lists::LISTS
                    .iter()
                    .map(|l| l.0)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
    let file = |ext: &str| format!("attachment; filename=\"{list}.{ext}\"");
    match q.format.as_deref().unwrap_or("json") {
        "json" => Ok(Json(json!(table)).into_response()),
        "csv" => Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (header::CONTENT_DISPOSITION, file("csv")),
            ],
            table.to_csv(),
        )
            .into_response()),
        "xlsx" => {
            let bytes = table.to_xlsx().map_err(|e| {
                ApiError::unavailable(format!("the workbook could not be written: {e}"))
            })?;
            Ok((
                [
                    (
                        header::CONTENT_TYPE,
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                            .to_owned(),
                    ),
                    (header::CONTENT_DISPOSITION, file("xlsx")),
                ],
                bytes,
            )
                .into_response())
        }
        other => Err(ApiError::bad_request(format!(
            "format `{other}` is not json, csv or xlsx"
        ))),
    }
}

/// `POST /api/v1/lists/{list}`: import `risk-points`, `risk-levels` or
/// `hazard-sources` from an XLSX or CSV body; all rows or none.
pub async fn import(
    State(s): State<ApiState>,
    Extension(who): Extension<Principal>,
    Path(list): Path<String>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let body = body.map_err(|e| ApiError::rejected("spreadsheet", e.status(), e.body_text()))?;
    let (p, c) = caller(&s, &who)?;
    match p.import(&list, &body, &c).await {
        Ok(ids) => Ok(Json(json!({"list": list, "saved": ids}))),
        Err(ProgramError::Import(problems)) => Err(ApiError::bad_request(format!(
            "{list}: nothing was saved; {}",
            problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        ))),
        Err(e) => Err(e.into()),
    }
}

/// Query of `GET /api/v1/assessment`.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessmentQuery {
    /// One unit (default every unit).
    unit: Option<String>,
    /// The term id (default the term holding today, else the last).
    term: Option<String>,
    /// `json` (default) or `xlsx`.
    format: Option<String>,
}

/// `GET /api/v1/assessment`
pub async fn assessment(
    State(s): State<ApiState>,
    Extension(who): Extension<Principal>,
    Query(q): Query<AssessmentQuery>,
) -> Result<Response, ApiError> {
    let (p, c) = caller(&s, &who)?;
    let now = p.now_ms();
    let cal = p.with(|b| b.calendar().clone());
    let term = match q.term.clone() {
        Some(t) => t,
        None => cal
            .term_of_day(cal.day(now))
            .map(|(id, ..)| id.to_owned())
            .or_else(|| cal.terms.last().map(|t| t.0.clone()))
            .ok_or_else(|| ApiError::not_found("no term is configured ([[program.terms]])"))?,
    };
    let (from_ms, to_ms) = cal.term(&term).ok_or_else(|| {
        ApiError::bad_request(format!("term `{term}` is not in [[program.terms]]"))
    })?;
    let all = p.units();
    let office = p.with(|b| b.config().office_unit.clone());
    let wanted: Vec<&crate::accounts::Unit> = all
        .iter()
        .filter(|u| u.id != office)
        .filter(|u| q.unit.as_deref().is_none_or(|x| x == u.id))
        // A unit's people read their own score; safety officers every unit's.
        .filter(|u| c.who.role >= crate::auth::Role::Safety || Program::of_unit(&c, &u.id))
        .collect();
    if let Some(u) = &q.unit
        && wanted.is_empty()
    {
        return Err(if all.iter().any(|x| &x.id == u) {
            ApiError::forbidden(format!(
                "`{}` reads its own unit's assessment only",
                who.name
            ))
        } else {
            ApiError::not_found(format!("no unit `{u}`"))
        });
    }
    let scores: Vec<(String, unit_score::UnitScore)> = p.with(|b| {
        wanted
            .iter()
            .map(|u| {
                let below = crate::program::units_down(&all, &u.id);
                let scope = unit_score::Scope {
                    unit: &u.id,
                    units: &below,
                    term: &term,
                    from_ms,
                    to_ms,
                    now_ms: now,
                };
                (u.name.clone(), unit_score::score(b, &scope))
            })
            .collect()
    });
    if q.format.as_deref() == Some("xlsx") {
        let table = lists::Table {
            list: "assessment".into(),
            title: "双重预防考核".into(),
            columns: [
                "单位", "学期", "得分", "条款", "扣分", "原因", "依据", "录入",
            ]
            .map(str::to_owned)
            .to_vec(),
            rows: scores
                .iter()
                .flat_map(|(name, s)| {
                    let head = vec![
                        lists::Cell::from(format!("{name} ({})", s.unit)),
                        s.term.clone().into(),
                        (s.score as f64).into(),
                    ];
                    let mut rows: Vec<Vec<lists::Cell>> = s
                        .deductions
                        .iter()
                        .map(|d| {
                            let mut r = head.clone();
                            r.extend([
                                d.article.into(),
                                (d.points as f64).into(),
                                d.cause.clone().into(),
                                d.links.join(", ").into(),
                                if d.entered { "是" } else { "" }.into(),
                            ]);
                            r
                        })
                        .collect();
                    if rows.is_empty() {
                        rows.push(head);
                    }
                    rows
                })
                .collect(),
        };
        let bytes = table.to_xlsx().map_err(|e| {
            ApiError::unavailable(format!("the workbook could not be written: {e}"))
        })?;
        return Ok((
            [
                (
                    header::CONTENT_TYPE,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"assessment-{term}.xlsx\""),
                ),
            ],
            bytes,
        )
            .into_response());
    }
    let units: Vec<Value> = scores
        .into_iter()
        .map(|(name, s)| {
            let mut v = json!(s);
            v["name"] = name.into();
            v
        })
        .collect();
    Ok(Json(json!({"term": term, "units": units})).into_response())
}

/// `POST /api/v1/assessment/entries`: an item the program office enters.
pub async fn enter(
    State(s): State<ApiState>,
    Extension(who): Extension<Principal>,
    body: Body<EntryInput>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let e = super::error::json_body("assessment entry", body)?;
    let (p, c) = caller(&s, &who)?;
    Ok((StatusCode::CREATED, Json(p.enter(e, &c).await?)))
}
