//! What every simulated ISAPI-style device (face gates, barrier gates) shares:
//! the `ResponseStatus` answer, reading a field of a small XML request, the
//! device clock in China Standard Time, and building `multipart` bodies.

pub mod front;

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use quick_xml::Reader;
use quick_xml::events::Event;
use tokio::sync::broadcast;

/// An XML answer with `status`.
pub fn xml(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/xml; charset=\"UTF-8\"")],
        body,
    )
        .into_response()
}

/// `200` with a `ResponseStatus` of OK for `url`.
pub fn ok(url: &str) -> Response {
    xml(StatusCode::OK, response_status(url, 1, "OK", "ok"))
}

/// `400` with a `ResponseStatus` of "Invalid Operation" and `sub` for `url`.
pub fn bad(url: &str, sub: &str) -> Response {
    xml(
        StatusCode::BAD_REQUEST,
        response_status(url, 4, "Invalid Operation", sub),
    )
}

/// `404` with a `ResponseStatus` of "notSupport" for `url`.
pub fn not_supported(url: &str) -> Response {
    xml(
        StatusCode::NOT_FOUND,
        response_status(url, 4, "Invalid Operation", "notSupport"),
    )
}

/// `GET /ISAPI/Event/notification/alertStream`: `first` (if any), then every
/// multipart part sent on `live`, until the device goes away. A client too
/// slow to keep up skips parts rather than holding the device back.
pub fn alert_stream(
    live: &broadcast::Sender<Arc<Vec<u8>>>,
    first: Option<Vec<u8>>,
    boundary: &str,
) -> Response {
    let rx = live.subscribe();
    let stream = futures_util::stream::unfold((rx, first), |(mut rx, first)| async move {
        if let Some(f) = first {
            return Some((Ok::<_, std::io::Error>(Bytes::from(f)), (rx, None)));
        }
        loop {
            match rx.recv().await {
                Ok(b) => return Some((Ok(Bytes::from((*b).clone())), (rx, None))),
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    Response::builder()
        .status(StatusCode::OK)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/mixed; boundary={boundary}"),
        )
        .body(Body::from_stream(stream))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// What a device says of itself at `GET /ISAPI/System/deviceInfo`.
pub struct DeviceInfo<'a> {
    /// Name and id (the simulator uses the device id for both).
    pub id: &'a str,
    /// Model, e.g. `TW-FG1`.
    pub model: &'a str,
    /// Firmware version string.
    pub firmware: &'a str,
    /// ISAPI device type, e.g. `ACS` or `ITC`.
    pub device_type: &'a str,
}

impl DeviceInfo<'_> {
    /// The `DeviceInfo` document.
    pub fn document(&self) -> String {
        let DeviceInfo {
            id,
            model,
            firmware,
            device_type,
        } = self;
        let serial = model.replace('-', "");
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DeviceInfo version=\"2.0\" xmlns=\"http://www.isapi.org/ver20/XMLSchema\">\
             <deviceName>{id}</deviceName><deviceID>{id}</deviceID><model>{model}</model><serialNumber>{serial}{id}</serialNumber>\
             <firmwareVersion>{firmware}</firmwareVersion><deviceType>{device_type}</deviceType></DeviceInfo>"
        )
    }
}

/// The `ResponseStatus` document ISAPI devices answer with.
pub fn response_status(url: &str, code: u8, status: &str, sub: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ResponseStatus version=\"2.0\" xmlns=\"http://www.isapi.org/ver20/XMLSchema\">\
         <requestURL>{url}</requestURL><statusCode>{code}</statusCode><statusString>{status}</statusString>\
         <subStatusCode>{sub}</subStatusCode></ResponseStatus>"
    )
}

/// The `DeviceStatus` document of `GET /ISAPI/System/status` (clients call
/// it first to learn which authentication works).
pub fn device_status() -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DeviceStatus version=\"2.0\" xmlns=\"http://www.isapi.org/ver20/XMLSchema\"><currentDeviceTime>{}</currentDeviceTime></DeviceStatus>",
        local_time(now_ms())
    )
}

/// The text of the first element named `name` (local name) in `xml`.
pub fn field(xml: &[u8], name: &str) -> Option<String> {
    let mut r = Reader::from_reader(xml);
    r.config_mut().trim_text(true);
    let mut buf = Vec::new();
    let mut inside = false;
    loop {
        match r.read_event_into(&mut buf).ok()? {
            Event::Start(e) => {
                inside = e.local_name().as_ref() == name.as_bytes();
            }
            Event::Text(t) if inside => return t.decode().ok().map(|s| s.into_owned()),
            Event::End(_) => inside = false,
            Event::Eof => return None,
            _ => {}
        }
        buf.clear();
    }
}

/// Now on the device's clock: ISO 8601 in China Standard Time
/// (`2026-11-29T18:23:22+08:00`), as devices on a Chinese campus stamp events.
pub fn local_time(unix_ms: i64) -> String {
    let cst = unix_ms.div_euclid(1000) + 8 * 3600;
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(cst.max(0) as u64);
    // `…Z` of the shifted time is the wall clock in Beijing.
    let iso = humantime::format_rfc3339_seconds(t).to_string();
    format!("{}+08:00", iso.trim_end_matches('Z'))
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// One part of a multipart body.
pub struct BodyPart<'a> {
    /// `Content-Disposition` value, if any.
    pub disposition: Option<String>,
    /// Content type.
    pub content_type: &'a str,
    /// Bytes.
    pub body: &'a [u8],
}

/// A multipart body of `parts` with `boundary`, each part with its length;
/// `closed` adds the closing delimiter (a stream leaves it off).
pub fn multipart(boundary: &str, parts: &[BodyPart<'_>], closed: bool) -> Vec<u8> {
    let mut out = Vec::new();
    for p in parts {
        out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        if let Some(d) = &p.disposition {
            out.extend_from_slice(format!("Content-Disposition: {d}\r\n").as_bytes());
        }
        out.extend_from_slice(
            format!(
                "Content-Type: {}\r\nContent-Length: {}\r\n\r\n",
                p.content_type,
                p.body.len()
            )
            .as_bytes(),
        );
        out.extend_from_slice(p.body);
        out.extend_from_slice(b"\r\n");
    }
    if closed {
        out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_is_china_standard_time() {
        assert_eq!(local_time(0), "1970-01-01T08:00:00+08:00");
        assert_eq!(local_time(1_795_947_802_000), "2026-11-29T18:23:22+08:00");
    }

    #[test]
    fn fields_are_read_by_local_name() {
        let x = b"<RemoteControlDoor xmlns=\"http://www.isapi.org/ver20/XMLSchema\"><cmd>open</cmd></RemoteControlDoor>";
        assert_eq!(field(x, "cmd").as_deref(), Some("open"));
        assert_eq!(field(x, "nope"), None);
        assert_eq!(field(b"<a><b>", "b"), None);
    }
}

/// The push target an `httpHosts` document names: `http://host:port/path`.
pub fn http_hosts_target(xml: &[u8]) -> Option<String> {
    let host = field(xml, "ipAddress").or_else(|| field(xml, "hostName"))?;
    let port = field(xml, "portNo")?.parse::<u16>().ok()?;
    let path = field(xml, "url")?;
    Some(format!("http://{host}:{port}{path}"))
}

/// A body ready to push.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The event's serial number.
    pub serial: u64,
    /// Content type (with the multipart boundary).
    pub content_type: String,
    /// Body.
    pub body: Vec<u8>,
}

/// A device's push queue: bodies wait here, in order, until the listening
/// host acknowledged them with a 2xx; unreachable hosts and 5xx are retried
/// with backoff, a 4xx (but 401, 404, 408, 429) three times, then given up.
#[derive(Default)]
pub struct PushQueue {
    target: std::sync::Mutex<Option<String>>,
    queue: std::sync::Mutex<std::collections::VecDeque<Prepared>>,
    queued: tokio::sync::Notify,
    pushed: std::sync::atomic::AtomicU64,
    failures: std::sync::atomic::AtomicU64,
    rejected: std::sync::atomic::AtomicU64,
}

/// Bodies a device keeps while its push target is away.
const PUSH_BUFFER: usize = 50_000;

impl PushQueue {
    /// Push to `url` from now on.
    pub fn set_target(&self, url: String) {
        *self.target.lock().unwrap_or_else(|p| p.into_inner()) = Some(url);
        self.queued.notify_one();
    }

    /// Where pushes go, once set.
    pub fn target(&self) -> Option<String> {
        self.target.lock().ok()?.clone()
    }

    /// Queue a body (dropped when no target is set: nobody listens).
    pub fn push(&self, p: Prepared) {
        if self.target().is_none() {
            return;
        }
        let mut q = self.queue.lock().unwrap_or_else(|x| x.into_inner());
        if q.len() >= PUSH_BUFFER {
            q.pop_front();
        }
        q.push_back(p);
        drop(q);
        self.queued.notify_one();
    }

    /// Acknowledged pushes.
    pub fn pushed(&self) -> u64 {
        self.pushed.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Failed attempts.
    pub fn failures(&self) -> u64 {
        self.failures.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Bodies given up after refusals.
    pub fn rejected(&self) -> u64 {
        self.rejected.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Bodies waiting.
    pub fn backlog(&self) -> usize {
        self.queue.lock().map(|q| q.len()).unwrap_or(0)
    }

    /// The push loop of device `id`, until aborted.
    pub async fn run(self: std::sync::Arc<Self>, id: String) {
        use std::sync::atomic::Ordering::Relaxed;
        use std::time::Duration;
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        let mut delay = Duration::from_millis(200);
        let mut refusals = 0;
        loop {
            let (target, next) = (
                self.target(),
                self.queue.lock().ok().and_then(|q| q.front().cloned()),
            );
            let (Some(target), Some(p)) = (target, next) else {
                self.queued.notified().await;
                continue;
            };
            let sent = client
                .post(&target)
                .header("content-type", &p.content_type)
                .body(p.body.clone())
                .send()
                .await;
            let pop = |q: &std::sync::Mutex<std::collections::VecDeque<Prepared>>| {
                if let Ok(mut q) = q.lock()
                    && q.front().is_some_and(|f| f.serial == p.serial)
                {
                    q.pop_front();
                }
            };
            match sent {
                Ok(r) if r.status().is_success() => {
                    pop(&self.queue);
                    self.pushed.fetch_add(1, Relaxed);
                    delay = Duration::from_millis(200);
                    refusals = 0;
                }
                Ok(r)
                    if r.status().is_client_error()
                        && !matches!(r.status().as_u16(), 401 | 404 | 408 | 429) =>
                {
                    self.failures.fetch_add(1, Relaxed);
                    refusals += 1;
                    tracing::warn!(device = %id, serial = p.serial, status = %r.status(), refusals, "push refused");
                    if refusals >= 3 {
                        pop(&self.queue);
                        self.rejected.fetch_add(1, Relaxed);
                        refusals = 0;
                    }
                    tokio::time::sleep(delay).await;
                }
                other => {
                    self.failures.fetch_add(1, Relaxed);
                    if let Err(e) = other {
                        tracing::debug!(device = %id, serial = p.serial, "push failed: {e}; retrying");
                    }
                    tokio::select! {
                        _ = tokio::time::sleep(delay) => {}
                        _ = self.queued.notified() => {}
                    }
                    delay = (delay * 2).min(Duration::from_secs(5));
                }
            }
        }
    }
}
