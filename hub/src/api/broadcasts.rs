//! Zone broadcasts (`/api/v1/broadcasts`), the clips they play
//! (`/api/v1/clips`) and the linkage rules that start them (`/api/v1/rules`).

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiError, ApiState};
use crate::audio::{ClipError, Format};
use crate::auth::Principal;
use crate::broadcast::{BroadcastError, BroadcastRequest, Broadcasts};
use crate::bus::NewEvent;
use crate::devices::HUB_ZONE;

fn service(s: &ApiState) -> Result<&Broadcasts, ApiError> {
    s.broadcasts
        .as_ref()
        .ok_or_else(|| ApiError::not_found("this hub serves no broadcasts"))
}

impl From<BroadcastError> for ApiError {
    fn from(e: BroadcastError) -> Self {
        match e {
            BroadcastError::Unknown(_) | BroadcastError::Clip(ClipError::Unknown(_)) => {
                ApiError::not_found(e.to_string())
            }
            BroadcastError::NoSpeakers(_) => ApiError::unprocessable(e.to_string()),
            BroadcastError::Live(crate::audio::LiveError::Open { .. }) => {
                ApiError::bad_gateway(e.to_string())
            }
            _ => ApiError::bad_request(e.to_string()),
        }
    }
}

/// `POST /api/v1/broadcasts`: answers the job id at once (202); the
/// speakers are asked concurrently.
pub async fn create(
    State(s): State<ApiState>,
    Extension(who): Extension<Principal>,
    body: Result<Json<BroadcastRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let req = super::error::json_body("broadcast request", body)?;
    // A duty room of some zones speaks to those zones only.
    if !who.zones.is_empty() {
        if req.all {
            return Err(ApiError::forbidden(format!(
                "`all` speaks to every zone; `{}` covers {} only",
                who.name,
                who.zones.join(", ")
            )));
        }
        if let Some(z) = req
            .zones
            .iter()
            .find(|id| s.zone_path(id).is_some_and(|path| !who.covers(&path)))
        {
            return Err(ApiError::forbidden(format!(
                "zone `{z}` is outside the zones of `{}` ({})",
                who.name,
                who.zones.join(", ")
            )));
        }
    }
    let b = service(&s)?;
    let job = b.submit(req, &who.actor()).await?;
    let url = match &job.next {
        Some(_) => format!("/api/v1/schedules/{}", job.id),
        None => format!("/api/v1/broadcasts/{}", job.id),
    };
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({
            "id": job.id,
            "speakers": job.speakers,
            "next": job.next,
            "url": url,
        })),
    ))
}

/// `GET /api/v1/schedules`: scheduled broadcasts, soonest first.
pub async fn schedules(State(s): State<ApiState>) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!({"schedules": service(&s)?.schedules()})))
}

/// `GET /api/v1/schedules/{id}`
pub async fn schedule(
    State(s): State<ApiState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let all = service(&s)?.schedules();
    let one = all
        .into_iter()
        .find(|x| x.id == id)
        .ok_or_else(|| ApiError::not_found(format!("no schedule `{id}`")))?;
    Ok(Json(json!(one)))
}

/// `DELETE /api/v1/schedules/{id}`
pub async fn unschedule(
    State(s): State<ApiState>,
    Path(id): Path<String>,
    Extension(who): Extension<Principal>,
) -> Result<StatusCode, ApiError> {
    service(&s)?.unschedule(&id, &who.actor()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/broadcasts`: recent jobs, newest first.
pub async fn list(State(s): State<ApiState>) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!({"broadcasts": service(&s)?.list()})))
}

/// `GET /api/v1/broadcasts/{id}`: every speaker's outcome.
pub async fn one(
    State(s): State<ApiState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(service(&s)?.get(&id)?)))
}

/// `DELETE /api/v1/broadcasts/{id}`: stop it everywhere.
pub async fn cancel(
    State(s): State<ApiState>,
    Path(id): Path<String>,
    Extension(who): Extension<Principal>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(service(&s)?.cancel(&id, &who.actor()).await?)))
}

/// Query of `POST /api/v1/clips`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UploadQuery {
    /// Name to show.
    pub name: Option<String>,
}

/// `POST /api/v1/clips?name=N`: a WAV (`audio/wav`) or raw G.711
/// (`audio/basic` or `audio/PCMU`, `audio/PCMA`) upload, validated and
/// stored by content hash (201, or 200 when it was there already).
pub async fn upload(
    State(s): State<ApiState>,
    Query(q): Query<UploadQuery>,
    Extension(who): Extension<Principal>,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let body = body.map_err(|e| ApiError::rejected("clip upload", e.status(), e.body_text()))?;
    let b = service(&s)?;
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let format = match ct.as_str() {
        "audio/wav" | "audio/wave" | "audio/x-wav" | "audio/vnd.wave" => Format::Wav,
        "audio/basic" | "audio/pcmu" => Format::Pcmu,
        "audio/pcma" => Format::Pcma,
        other => {
            return Err(ApiError::unsupported_media(format!(
                "clip content type `{other}`: send audio/wav, audio/basic (μ-law), audio/PCMU or audio/PCMA"
            )));
        }
    };
    let name = q.name.unwrap_or_else(|| "clip".into());
    if name.chars().count() > 200 {
        return Err(ApiError::bad_request("clip name is over 200 characters"));
    }
    let existed = b.clips().list().len();
    let clips = b.clips().clone();
    let info = tokio::task::spawn_blocking(move || clips.put(&name, format, &body))
        .await
        .map_err(|e| ApiError::bad_request(e.to_string()))?
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let created = b.clips().list().len() > existed;
    let status = if created {
        let actor = who.actor();
        s.bus
            .append(vec![
                NewEvent::new("clip.uploaded", HUB_ZONE)
                    .actor(&actor)
                    .attr("clip", info.hash.as_str())
                    .attr("name", info.name.as_str())
                    .message(format!(
                        "{actor} uploaded clip `{}` ({})",
                        info.name, info.hash
                    )),
            ])
            .await?;
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(json!(info))))
}

/// `GET /api/v1/clips`
pub async fn clips(State(s): State<ApiState>) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!({"clips": service(&s)?.clips().list()})))
}

/// `GET /api/v1/clips/{hash}`
pub async fn clip(
    State(s): State<ApiState>,
    Path(hash): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let info = service(&s)?
        .clips()
        .info(&hash)
        .map_err(|e| ApiError::not_found(e.to_string()))?;
    Ok(Json(json!(info)))
}

fn rule_engine(s: &ApiState) -> Result<&crate::rules::Rules, ApiError> {
    s.rules
        .as_ref()
        .ok_or_else(|| ApiError::not_found("this hub runs no linkage rules"))
}

/// `GET /api/v1/rules`: the rules in force, and the file's last refusal.
pub async fn rules(State(s): State<ApiState>) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(rule_engine(&s)?.view())))
}

/// `POST /api/v1/rules/reload`: re-read the rules file now (422 with file,
/// line and why when it is refused; the rules before it stay).
pub async fn reload_rules(
    State(s): State<ApiState>,
    Extension(who): Extension<Principal>,
) -> Result<Json<Value>, ApiError> {
    match rule_engine(&s)?
        .reload_now_and_report(Some(&who.actor()))
        .await
    {
        Ok(n) => Ok(Json(json!({"rules": n}))),
        Err(why) => Err(ApiError::unprocessable(why)),
    }
}
