//! The HTTP front end every simulated ISAPI device shares: off the network
//! (requests hang), slow, Digest authentication, `System/deviceInfo`,
//! `System/status`, the push target (`Event/notification/httpHosts`) and the
//! alert stream. A device answers only its own calls (doors, a barrier).

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use tokio::net::TcpListener;
use tokio::sync::broadcast;

use super::{DeviceInfo, PushQueue};

/// What a simulated ISAPI device gives the front end.
pub trait IsapiDevice: Send + Sync + 'static {
    /// Its id, for the logs.
    fn id(&self) -> &str;
    /// Whether it is off the network: requests hang unanswered.
    fn down(&self) -> bool;
    /// How much longer than usual it takes to answer.
    fn delay(&self) -> Option<Duration>;
    /// Its account check (HTTP Digest): the challenge or refusal, if any.
    fn authorize(&self, headers: &HeaderMap, method: &Method) -> Result<(), Box<Response>>;
    /// What `System/deviceInfo` says.
    fn info(&self) -> DeviceInfo<'_>;
    /// Where its pushes queue.
    fn push(&self) -> &PushQueue;
    /// Its alert stream: the parts it sends, and a first part for each new
    /// client (a heartbeat, so clients know the stream is up).
    fn stream(&self) -> (&broadcast::Sender<Arc<Vec<u8>>>, Option<Vec<u8>>);
    /// The boundary of its stream's parts.
    fn boundary(&self) -> &'static str;
    /// A call the device itself answers (`url` is the whole path), or
    /// `None` when it has no such call.
    fn call(self: &Arc<Self>, method: &str, path: &str, body: &[u8], url: &str)
    -> Option<Response>;
}

/// Serve `device` on `listener` until the task ends.
pub async fn serve<D: IsapiDevice>(listener: TcpListener, device: Arc<D>) {
    let app = Router::new()
        .route("/ISAPI/{*path}", axum::routing::any(call::<D>))
        .with_state(device.clone());
    if let Err(e) = axum::serve(listener, app).await {
        tracing::warn!(device = %device.id(), "ISAPI HTTP server stopped: {e}");
    }
}

async fn call<D: IsapiDevice>(
    State(d): State<Arc<D>>,
    Path(path): Path<String>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if d.down() {
        std::future::pending::<()>().await;
    }
    if let Some(delay) = d.delay() {
        tokio::time::sleep(delay).await;
    }
    if let Err(r) = d.authorize(&headers, &method) {
        return *r;
    }
    let url = format!("/ISAPI/{path}");
    match (method.as_str(), path.as_str()) {
        ("GET", "System/deviceInfo") => super::xml(StatusCode::OK, d.info().document()),
        ("GET", "System/status") => super::xml(StatusCode::OK, super::device_status()),
        ("PUT", "Event/notification/httpHosts") => match super::http_hosts_target(&body) {
            Some(target) => {
                tracing::info!(device = %d.id(), url = %target, "push target set");
                d.push().set_target(target);
                super::ok(&url)
            }
            None => super::bad(&url, "badXmlContent"),
        },
        ("GET", "Event/notification/alertStream") => {
            let (live, first) = d.stream();
            super::alert_stream(live, first, d.boundary())
        }
        (m, p) => d
            .call(m, p, &body, &url)
            .unwrap_or_else(|| super::not_supported(&url)),
    }
}
