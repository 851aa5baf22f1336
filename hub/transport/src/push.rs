//! The push listener: devices that report by HTTP push to the hub (ISAPI
//! "HTTP listening host", webhooks) reach it here, on a port of its own, never
//! the operator API's. Each device pushes under its own root,
//! `/push/{device}/{token}`, where the token is a keyed hash of the device id
//! (stable across restarts, different for every device, useless elsewhere):
//! a sender that does not know it is refused before anything is read. A push
//! must also come from the device's configured host.
//!
//! A push becomes an `http-push` input for the device's driver; the driver's
//! `http-reply` is written back only once the events of the same outcome are
//! committed to the bus (the session waits for that), so a device is never
//! told "OK" for an event the hub did not keep. No reply within the reply
//! timeout is a 504: the device retries.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use tokio::sync::{mpsc, oneshot};

use super::types::{Header, HttpListen, HttpPush, HttpReply, Input};

/// Bytes past a body's limit read (and dropped) before answering 413.
const DRAIN: usize = 8 << 20;

/// Where pushes for a device go: its driver's input queue.
pub type InputSink = mpsc::Sender<(String, Input)>;

#[derive(Debug)]
struct DeviceRoutes {
    sink: InputSink,
    listens: Vec<HttpListen>,
    host: Option<IpAddr>,
}

/// The hub's push listener and the routes devices' drivers asked for.
#[derive(Debug)]
pub struct PushHub {
    base_url: String,
    key: [u8; 32],
    devices: RwLock<HashMap<String, DeviceRoutes>>,
    pending: Mutex<HashMap<u64, oneshot::Sender<HttpReply>>>,
    next: AtomicU64,
    reply_timeout: Duration,
}

/// A shared push listener.
pub type SharedPush = Arc<PushHub>;

fn error(status: StatusCode, message: String) -> Response {
    let body = serde_json::json!({"error": {"code": status.as_u16(), "message": message}});
    (status, axum::Json(body)).into_response()
}

impl PushHub {
    /// A push hub whose devices push to `base_url` (e.g. `http://10.0.0.2:7200`),
    /// with tokens keyed by `key`.
    pub fn new(base_url: String, key: [u8; 32], reply_timeout: Duration) -> SharedPush {
        Arc::new(PushHub {
            base_url,
            key,
            devices: RwLock::default(),
            pending: Mutex::default(),
            next: AtomicU64::new(1),
            reply_timeout,
        })
    }

    /// The device's secret path segment.
    pub fn token(&self, device: &str) -> String {
        let mut h = Sha256::new();
        h.update(self.key);
        h.update(b"push\0");
        h.update(device.as_bytes());
        twinwall_base::hex::encode(&h.finalize()[..16])
    }

    /// Accept pushes for `device` as `listen` says; returns the URL the device
    /// must push to. `host` is the device's configured host, when known.
    pub fn listen(
        &self,
        device: &str,
        host: Option<IpAddr>,
        listen: HttpListen,
        sink: InputSink,
    ) -> String {
        let url = format!(
            "{}/push/{device}/{}{}",
            self.base_url,
            self.token(device),
            listen.path.trim_end_matches('*')
        );
        let mut m = self.devices.write().unwrap_or_else(|p| p.into_inner());
        let d = m.entry(device.to_owned()).or_insert_with(|| DeviceRoutes {
            sink: sink.clone(),
            listens: Vec::new(),
            host,
        });
        d.sink = sink;
        d.host = host;
        d.listens.retain(|l| l.id != listen.id);
        d.listens.push(listen);
        url
    }

    /// Stop the listen `id` of `device` (or every one of it, for `None`).
    pub fn unlisten(&self, device: &str, id: Option<&str>) {
        let mut m = self.devices.write().unwrap_or_else(|p| p.into_inner());
        if let Some(d) = m.get_mut(device) {
            d.listens.retain(|l| id.is_some_and(|id| l.id != id));
            if d.listens.is_empty() {
                m.remove(device);
            }
        }
    }

    /// Hand the driver's answer to the waiting push; `false` if it already
    /// timed out (or never was).
    pub fn reply(&self, reply: HttpReply) -> bool {
        let tx = self
            .pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&reply.push);
        tx.is_some_and(|tx| tx.send(reply).is_ok())
    }

    fn route(&self, device: &str, path: &str) -> Option<(InputSink, HttpListen, Option<IpAddr>)> {
        let m = self.devices.read().unwrap_or_else(|p| p.into_inner());
        let d = m.get(device)?;
        let l = d.listens.iter().find(|l| match l.path.strip_suffix('*') {
            Some(prefix) => path.starts_with(prefix),
            None => path == l.path,
        })?;
        Some((d.sink.clone(), l.clone(), d.host))
    }

    fn knows(&self, device: &str) -> bool {
        self.devices
            .read()
            .map(|m| m.contains_key(device))
            .unwrap_or(false)
    }
}

/// The listener's routes.
pub fn router(hub: SharedPush) -> Router {
    Router::new()
        .route("/push/{device}/{token}", axum::routing::any(push_root))
        .route("/push/{device}/{token}/{*rest}", axum::routing::any(push))
        .with_state(hub)
}

/// Serve the push listener on `listener` until the task is dropped.
pub async fn serve(listener: tokio::net::TcpListener, hub: SharedPush) {
    let app = router(hub).into_make_service_with_connect_info::<SocketAddr>();
    if let Err(e) = axum::serve(listener, app).await {
        tracing::error!("push listener stopped: {e}");
    }
}

async fn push_root(
    State(hub): State<SharedPush>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path((device, token)): Path<(String, String)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    handle(
        hub,
        peer,
        device,
        token,
        String::new(),
        method,
        uri,
        headers,
        body,
    )
    .await
}

async fn push(
    State(hub): State<SharedPush>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path((device, token, rest)): Path<(String, String, String)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    handle(hub, peer, device, token, rest, method, uri, headers, body).await
}

#[allow(
    clippy::too_many_arguments,
    reason = "one push's whole context, as axum hands it over"
)]
async fn handle(
    hub: SharedPush,
    peer: SocketAddr,
    device: String,
    token: String,
    rest: String,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let path = format!("/{rest}");
    let (sink, listen) = match admit(&hub, peer, &device, &token, &path) {
        Ok(found) => found,
        Err((status, why)) => return error(status, why),
    };
    let data = match read_body(body, &headers, listen.max_body as usize, &device, &path).await {
        Ok(data) => data,
        Err((status, why)) => return error(status, why),
    };
    let id = hub.next.fetch_add(1, Ordering::Relaxed);
    let input = Input::HttpPush(HttpPush {
        push: id,
        listen: listen.id,
        method: method.to_string(),
        path,
        query: uri.query().unwrap_or("").to_owned(),
        headers: headers
            .iter()
            .filter_map(|(k, v)| Some(Header::new(k.as_str(), v.to_str().ok()?)))
            .collect(),
        peer: peer.to_string(),
        body: data,
    });
    deliver(&hub, id, &device, sink, input).await
}

/// Why a push is refused: its status and what the sender is told.
type Refusal = (StatusCode, String);

/// The push's device, token, path and sender checked before a byte of the
/// body is read; the refusal says no more than needed (the token is the
/// credential).
fn admit(
    hub: &PushHub,
    peer: SocketAddr,
    device: &str,
    token: &str,
    path: &str,
) -> Result<(InputSink, HttpListen), Refusal> {
    if !hub.knows(device) || !constant_eq(token.as_bytes(), hub.token(device).as_bytes()) {
        metrics::counter!("twinwall_push_refused_total", "reason" => "unauthenticated")
            .increment(1);
        return Err((
            StatusCode::UNAUTHORIZED,
            format!("no push listener for `/push/{device}/…` with that token"),
        ));
    }
    let Some((sink, listen, host)) = hub.route(device, path) else {
        return Err((
            StatusCode::NOT_FOUND,
            format!("device `{device}` does not listen on `{path}`"),
        ));
    };
    if let Some(h) = host
        && !h.is_unspecified()
        && h != peer.ip()
    {
        metrics::counter!("twinwall_push_refused_total", "reason" => "foreign-host").increment(1);
        return Err((
            StatusCode::FORBIDDEN,
            format!("device `{device}` pushes from {h}, not {}", peer.ip()),
        ));
    }
    Ok((sink, listen))
}

/// The body, at most `limit` bytes: refused (413) on what it declares, or
/// while it is read.
async fn read_body(
    body: Body,
    headers: &HeaderMap,
    limit: usize,
    device: &str,
    path: &str,
) -> Result<Vec<u8>, Refusal> {
    let too_large = |why: String| {
        metrics::counter!("twinwall_push_refused_total", "reason" => "too-large").increment(1);
        (StatusCode::PAYLOAD_TOO_LARGE, why)
    };
    let declared = headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if let Some(n) = declared.filter(|n| *n > limit + DRAIN) {
        return Err(too_large(format!(
            "push to `{device}{path}` declares {n} bytes; the limit is {limit}"
        )));
    }
    let mut data = Vec::new();
    let mut stream = body.into_data_stream();
    let mut over = 0usize;
    while let Some(chunk) = stream.next().await {
        let Ok(chunk) = chunk else {
            return Err((StatusCode::BAD_REQUEST, "the push body broke off".into()));
        };
        if over > 0 || data.len() + chunk.len() > limit {
            // Past the limit nothing more is kept; a little more is read and
            // dropped so that a sender which cannot take an early answer
            // still hears the 413 (beyond that, the connection is cut).
            over += chunk.len();
            data.clear();
            if over > DRAIN {
                break;
            }
            continue;
        }
        data.extend_from_slice(&chunk);
    }
    if over > 0 {
        return Err(too_large(format!(
            "push to `{device}{path}` exceeds the limit of {limit} bytes"
        )));
    }
    Ok(data)
}

/// Hand push `id` to the device's driver and answer with its reply (sent
/// once the events it came with are committed), or say why not.
async fn deliver(hub: &PushHub, id: u64, device: &str, sink: InputSink, input: Input) -> Response {
    let (tx, rx) = oneshot::channel();
    hub.pending
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(id, tx);
    let forget = || {
        hub.pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&id);
    };
    if tokio::time::timeout(hub.reply_timeout, sink.send((device.to_owned(), input)))
        .await
        .map_or(true, |r| r.is_err())
    {
        forget();
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("the driver of `{device}` is not taking pushes now; retry"),
        );
    }
    metrics::counter!("twinwall_push_received_total").increment(1);
    match tokio::time::timeout(hub.reply_timeout, rx).await {
        Ok(Ok(r)) => {
            let mut resp = Response::builder().status(r.status);
            for h in &r.headers {
                resp = resp.header(h.name.as_str(), h.value.as_str());
            }
            resp.body(Body::from(r.body)).unwrap_or_else(|e| {
                error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("the driver's reply to push {id} is not valid HTTP: {e}"),
                )
            })
        }
        Ok(Err(_)) => error(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "push {id} to `{device}` was not kept (driver restarted or store failing); retry"
            ),
        ),
        Err(_) => {
            forget();
            error(
                StatusCode::GATEWAY_TIMEOUT,
                format!(
                    "the driver of `{device}` did not answer push {id} within {} ms",
                    hub.reply_timeout.as_millis()
                ),
            )
        }
    }
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_stable_per_device_and_key() {
        let a = PushHub::new("http://h".into(), [1; 32], Duration::from_secs(1));
        let b = PushHub::new("http://h".into(), [2; 32], Duration::from_secs(1));
        assert_eq!(a.token("gate-1"), a.token("gate-1"));
        assert_ne!(a.token("gate-1"), a.token("gate-2"));
        assert_ne!(a.token("gate-1"), b.token("gate-1"));
        assert_eq!(a.token("gate-1").len(), 32);
        assert!(constant_eq(b"abc", b"abc") && !constant_eq(b"abc", b"abd"));
    }
}
