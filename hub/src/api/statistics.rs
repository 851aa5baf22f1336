//! `GET /api/v1/statistics?from=YYYY-MM-DD&to=YYYY-MM-DD`: the figures of
//! the console's statistics page (the seed's six dimensions, events and
//! alarms per day, by zone and kind, time to acknowledge), of the caller's
//! zones, in the site's days.

use axum::Extension;
use axum::Json;
use axum::extract::{Query, State};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiError, ApiState};
use crate::auth::Principal;
use crate::statistics::counts::day_of;
use crate::statistics::report::{AlarmFacts, parse_day, report};

/// The range asked for.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RangeQuery {
    /// First day, `YYYY-MM-DD` in the site's time. Default: six days before `to`.
    from: Option<String>,
    /// Last day, included. Default: today.
    to: Option<String>,
}

fn day(s: Option<&str>, key: &str) -> Result<Option<i64>, ApiError> {
    s.map(|v| {
        parse_day(v).ok_or_else(|| {
            ApiError::bad_request(format!(
                "`{key}={v}` is not a date: write YYYY-MM-DD, e.g. 2026-12-01"
            ))
        })
    })
    .transpose()
}

/// The figures.
pub async fn figures(
    State(s): State<ApiState>,
    Extension(who): Extension<Principal>,
    q: Result<Query<RangeQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(q) = q.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let (Some(stats), Some(alarms)) = (&s.statistics, &s.alarms) else {
        return Err(ApiError::unavailable("this hub keeps no statistics"));
    };
    if let Some((read, of)) = stats.counts.replaying().or_else(|| alarms.replaying()) {
        return Ok(Json(
            json!({"ready": false, "replay": {"read": read, "of": of}}),
        ));
    }
    let offset = stats.counts.with(|c| c.utc_offset_minutes());
    let today = day_of(alarms.now_ms(), offset);
    let to = day(q.to.as_deref(), "to")?.unwrap_or(today);
    let from = day(q.from.as_deref(), "from")?.unwrap_or(to - 6);
    if from > to {
        return Err(ApiError::bad_request(format!(
            "`from` ({}) is after `to` ({})",
            q.from.unwrap_or_default(),
            q.to.unwrap_or_else(|| "today".into())
        )));
    }
    if to - from + 1 > i64::from(stats.max_days) {
        return Err(ApiError::bad_request(format!(
            "{} days asked, the most one query reads is {} ([statistics] max_days)",
            to - from + 1,
            stats.max_days
        )));
    }
    let r = stats.counts.with(|counts| {
        alarms.with(|book| {
            let facts = book.iter().map(|a| AlarmFacts {
                opened_ms: a.opened_ms,
                acked_ms: a.acked.as_ref().map(|(_, t)| *t),
                zone: &a.zone,
                kind: &a.kind,
                level: a.level.as_str(),
            });
            report(counts, &stats.dimensions, facts, (from, to), |z| {
                who.covers(z)
            })
        })
    });
    Ok(Json(json!({"ready": true, "statistics": r})))
}
