//! Metrics exposition, request counting and the northbound status.

use axum::Json;
use axum::extract::{MatchedPath, Query, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{ApiError, ApiState};
use crate::transport::Online;

/// `GET /metrics` (Prometheus text format).
pub async fn metrics(State(s): State<ApiState>) -> impl IntoResponse {
    // Device counts are read at scrape time rather than tracked on every change.
    let devices = s.devices.list();
    for state in [Online::Online, Online::Offline, Online::Unknown] {
        let n = devices.iter().filter(|d| d.state == state).count();
        let label = match state {
            Online::Online => "online",
            Online::Offline => "offline",
            Online::Unknown => "unknown",
        };
        metrics::gauge!("twinwall_devices", "state" => label).set(n as f64);
    }
    (
        [("content-type", "text/plain; version=0.0.4")],
        crate::metrics::handle().render(),
    )
}

/// `GET /api/v1/northbound`
pub async fn northbound(State(s): State<ApiState>) -> Result<Json<Value>, ApiError> {
    match &s.northbound {
        Some(st) => Ok(Json(json!(st.view(&s.bus)))),
        None => Err(ApiError::not_found(
            "the northbound bridge is not configured ([northbound] in hub.toml)",
        )),
    }
}

/// `GET /api/v1/northbound/jetstream`
pub async fn jetstream(State(s): State<ApiState>) -> Result<Json<Value>, ApiError> {
    match &s.jetstream {
        Some(st) => Ok(Json(json!(st.view(&s.bus)))),
        None => Err(ApiError::not_found(
            "the JetStream publisher is not configured ([jetstream] in hub.toml)",
        )),
    }
}

/// Count every request by method, route pattern and status.
pub async fn count_requests(req: Request, next: Next) -> Response {
    let method = req.method().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |m| m.as_str().to_owned());
    let resp = next.run(req).await;
    metrics::counter!("twinwall_http_requests_total", "method" => method, "route" => route, "status" => resp.status().as_u16().to_string())
        .increment(1);
    resp
}

/// Query of `POST /api/v1/discovery/onvif`.
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DiscoverQuery {
    /// Where to send the Probe (default the WS-Discovery multicast group).
    target: Option<String>,
    /// How long to collect answers, ms (default 2000, at most 10 000).
    wait_ms: Option<u64>,
}

/// `POST /api/v1/discovery/onvif`: cameras answering a WS-Discovery Probe
/// (a POST: it sends packets onto the network).
pub async fn discover_onvif(
    q: Result<Query<DiscoverQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(q) = q.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let target = q.target.as_deref().unwrap_or(crate::discovery::MULTICAST);
    let addr: std::net::SocketAddr = target
        .parse()
        .map_err(|_| ApiError::bad_request(format!("target `{target}` is not host:port")))?;
    let wait = std::time::Duration::from_millis(q.wait_ms.unwrap_or(2000).min(10_000));
    let found = crate::discovery::probe(addr, wait)
        .await
        .map_err(|e| ApiError::bad_request(format!("probe to {addr} failed: {e}")))?;
    Ok(Json(json!({"target": target, "found": found})))
}
