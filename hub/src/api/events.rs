//! Event queries and the live stream, each narrowed to the caller's zones
//! ([`scope`](super::scope)).

use std::convert::Infallible;
use std::time::Duration;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures_util::Stream;
use serde::Deserialize;
use serde_json::{Value, json};

use super::scope::narrow;
use super::{ApiError, ApiState};
use crate::auth::Principal;
use crate::bus::{Filter, Level};

/// Query parameters of `GET /api/v1/events` and the stream.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventQuery {
    kind: Option<String>,
    zone: Option<String>,
    device: Option<String>,
    level: Option<Level>,
    after: Option<u64>,
    since: Option<String>,
    until: Option<String>,
    limit: Option<usize>,
    /// `true`: the newest `limit` matching events (oldest first in the page, no next page).
    newest: Option<bool>,
}

pub(super) fn parse_time(name: &str, v: &str) -> Result<i64, ApiError> {
    if let Ok(ms) = v.parse::<i64>() {
        return Ok(ms);
    }
    let t = humantime::parse_rfc3339_weak(v).map_err(|e| {
        ApiError::bad_request(format!(
            "`{name}` = `{v}`: {e} (use RFC 3339 or ms since the epoch)"
        ))
    })?;
    Ok(t.duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0))
}

impl EventQuery {
    fn filter(&self) -> Result<Filter, ApiError> {
        Ok(Filter {
            kind: self.kind.clone(),
            zone: self.zone.clone(),
            device: self.device.clone(),
            level: self.level,
            after: self.after,
            since_ms: self
                .since
                .as_deref()
                .map(|v| parse_time("since", v))
                .transpose()?,
            until_ms: self
                .until
                .as_deref()
                .map(|v| parse_time("until", v))
                .transpose()?,
            limit: self.limit,
            newest: self.newest.unwrap_or(false),
        })
    }
}

fn query_params(
    q: Result<Query<EventQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<EventQuery, ApiError> {
    q.map(|Query(q)| q)
        .map_err(|e| ApiError::bad_request(e.body_text()))
}

/// `GET /api/v1/events`: oldest first; page with `after=<next_after>`.
pub async fn list(
    State(s): State<ApiState>,
    axum::Extension(who): axum::Extension<Principal>,
    q: Result<Query<EventQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let mut filter = query_params(q)?.filter()?;
    let scope = narrow(&mut filter, &who)?;
    let bus = s.bus.clone();
    let page = tokio::task::spawn_blocking(move || bus.query(&filter))
        .await
        .map_err(|e| ApiError::bad_request(format!("query failed: {e}")))??;
    // A page of a caller of several zones may come back short (or empty
    // with a `next_after`): paging goes on as usual.
    let events: Vec<Value> = page
        .events
        .iter()
        .filter(|e| scope.admits(&e.body.zone))
        .map(|e| e.to_json())
        .collect();
    Ok(Json(
        json!({"events": events, "next_after": page.next_after}),
    ))
}

/// `GET /api/v1/events/{seq}`
pub async fn one(
    State(s): State<ApiState>,
    axum::Extension(who): axum::Extension<Principal>,
    Path(seq): Path<u64>,
) -> Result<Json<Value>, ApiError> {
    let e = s.bus.get(seq)?.ok_or_else(|| {
        ApiError::not_found(format!("no event {seq} (retention may have removed it)"))
    })?;
    if !who.covers(&e.body.zone) {
        return Err(ApiError::forbidden(format!(
            "event {seq} is in zone `{}`, outside the zones of `{}`",
            e.body.zone, who.name
        )));
    }
    Ok(Json(e.to_json()))
}

/// `GET /api/v1/events/stream`: Server-Sent Events, one per event, `id` = seq.
/// Resumes after `Last-Event-ID` (or `after`); without either, starts live.
pub async fn stream(
    State(s): State<ApiState>,
    axum::Extension(live): axum::Extension<crate::auth::Liveness>,
    axum::Extension(who): axum::Extension<Principal>,
    headers: HeaderMap,
    q: Result<Query<EventQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>, ApiError> {
    let q = query_params(q)?;
    let mut filter = q.filter()?;
    let scope = narrow(&mut filter, &who)?;
    let slot = s.stream_permit()?;
    let last_id = match headers.get("last-event-id") {
        Some(v) => Some(
            v.to_str()
                .ok()
                .and_then(|s| s.trim().parse::<u64>().ok())
                .ok_or_else(|| ApiError::bad_request("Last-Event-ID must be an event seq"))?,
        ),
        None => None,
    };
    let from = match last_id.or(filter.after) {
        Some(seq) => seq + 1,
        None => s.bus.next_seq(),
    };
    filter.after = None;
    filter.limit = None;
    let sub = s.bus.subscribe(from, filter);
    let stream =
        futures_util::stream::unfold((sub, slot, scope), |(mut sub, slot, scope)| async move {
            let mut skipped = 0u32;
            loop {
                match sub.next().await {
                    Ok(e) if !scope.admits(&e.body.zone) => {
                        // Other zones' events: let the worker's other
                        // tasks run now and then, as the filter does.
                        skipped += 1;
                        if skipped.is_multiple_of(2048) {
                            tokio::task::yield_now().await;
                        }
                    }
                    Ok(e) => {
                        let ev = SseEvent::default()
                            .id(e.seq.to_string())
                            .data(e.to_json().to_string());
                        return Some((Ok(ev), (sub, slot, scope)));
                    }
                    Err(_) => return None,
                }
            }
        });
    let stream = super::until_revoked(Box::pin(stream), live);
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

/// `GET /api/v1/media/{hash}`: a stored picture (events refer to them in `media`).
pub async fn media(
    State(s): State<ApiState>,
    Path(hash): Path<String>,
) -> Result<axum::response::Response, ApiError> {
    if hash.len() != 64 || !hash.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(ApiError::bad_request(format!(
            "`{hash}` is not a SHA-256 hex digest"
        )));
    }
    let (content_type, data) = s
        .bus
        .media(&hash)?
        .ok_or_else(|| ApiError::not_found(format!("no picture {hash}")))?;
    Ok(media_response(&content_type, data))
}

/// Image types served as themselves; anything else a device called a
/// picture is served as a download, so a crafted "picture" (HTML, SVG with
/// script) never runs in the console's origin.
const SERVED_IMAGES: [&str; 4] = ["image/jpeg", "image/png", "image/gif", "image/webp"];

fn media_response(content_type: &str, data: Vec<u8>) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    let ct = content_type.trim().to_ascii_lowercase();
    let (ct, disposition) = if SERVED_IMAGES.contains(&ct.as_str()) {
        (ct, "inline")
    } else {
        ("application/octet-stream".to_owned(), "attachment")
    };
    (
        [
            (header::CONTENT_TYPE, ct),
            (header::CONTENT_DISPOSITION, disposition.to_owned()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; sandbox".to_owned(),
            ),
            // Addressed by content hash: the bytes behind a URL never change.
            (
                header::CACHE_CONTROL,
                "private, max-age=31536000, immutable".to_owned(),
            ),
        ],
        data,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_allow_listed_images_are_served_inline() {
        let r = super::media_response("image/jpeg", vec![0xff, 0xd8]);
        assert_eq!(r.headers()["content-type"], "image/jpeg");
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");
        for hostile in ["text/html", "image/svg+xml", "application/javascript", ""] {
            let r = super::media_response(hostile, b"<script>".to_vec());
            assert_eq!(
                r.headers()["content-type"],
                "application/octet-stream",
                "{hostile}"
            );
            assert_eq!(
                r.headers()["content-disposition"],
                "attachment",
                "{hostile}"
            );
            assert!(
                r.headers()["content-security-policy"]
                    .to_str()
                    .unwrap()
                    .contains("sandbox")
            );
        }
    }
}
