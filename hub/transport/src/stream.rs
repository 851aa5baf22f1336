//! Long-lived HTTP streams (ISAPI `alertStream`, Dahua `eventManager`): the
//! hub holds the request open, splits the body into parts as it arrives
//! (limits enforced while reading), hands each part to the driver, and
//! reopens the stream with backoff when it ends, fails or falls silent.

use std::time::Duration;

use tokio::sync::mpsc;
use twinwall_plugin_sdk::multipart::{self, Lines, SplitError, Splitter};

use super::Backoff;
use super::http::{self, Credentials, DigestState, Outgoing};
use super::types::{Failure, FailureKind, Header, HttpStream, Input, StreamSplit};

/// What a stream task needs from its session.
pub struct StreamContext {
    /// Device id.
    pub device: String,
    /// `http://host:port`.
    pub base: String,
    /// HTTP client.
    pub client: reqwest::Client,
    /// The device account.
    pub credentials: Option<Credentials>,
    /// Shared Digest state.
    pub digest: DigestState,
    /// The driver's input queue.
    pub to_driver: mpsc::Sender<(String, Input)>,
    /// Link reports.
    pub link: mpsc::Sender<Result<(), String>>,
}

enum Splitting {
    Multipart(Splitter),
    Lines(Lines),
}

/// Run `spec` until the task is aborted.
pub async fn run(ctx: StreamContext, spec: HttpStream) {
    let mut backoff = Backoff::new(Duration::from_millis(500), Duration::from_secs(30));
    loop {
        let failure = once(&ctx, &spec, &mut backoff).await;
        metrics::counter!("twinwall_stream_reconnects_total", "kind" => failure.kind.as_str())
            .increment(1);
        let _ = ctx.link.send(Err(failure.to_string())).await;
        if ctx
            .to_driver
            .send((ctx.device.clone(), Input::Failed(failure)))
            .await
            .is_err()
        {
            return;
        }
        tokio::time::sleep(backoff.next_delay()).await;
    }
}

/// One connection: open, read and split until it ends; returns why it ended.
async fn once(ctx: &StreamContext, spec: &HttpStream, backoff: &mut Backoff) -> Failure {
    let idle = Duration::from_millis(u64::from(spec.idle_timeout_ms.clamp(1000, 600_000)));
    let (mut resp, mut split) = match open(ctx, spec, idle).await {
        Ok(opened) => opened,
        Err(f) => return f,
    };
    loop {
        let chunk = match tokio::time::timeout(idle, resp.chunk()).await {
            Err(_) => {
                return Failure::new(
                    &spec.id,
                    FailureKind::Timeout,
                    format!("the stream was silent for {} ms", idle.as_millis()),
                );
            }
            Ok(Err(e)) => return http::describe(&spec.id, e),
            Ok(Ok(None)) => {
                return Failure::new(&spec.id, FailureKind::Closed, "the device ended the stream");
            }
            Ok(Ok(Some(c))) => c,
        };
        metrics::counter!("twinwall_stream_bytes_total").increment(chunk.len() as u64);
        let parts = match split.push(&chunk) {
            Ok(p) => p,
            Err(e) => return e.failure(&spec.id),
        };
        if !parts.is_empty() {
            backoff.reset();
            let _ = ctx.link.send(Ok(())).await;
        }
        for (headers, body) in parts {
            let part = Input::StreamPart {
                id: spec.id.clone(),
                headers,
                body,
            };
            if ctx
                .to_driver
                .send((ctx.device.clone(), part))
                .await
                .is_err()
            {
                return Failure::new(&spec.id, FailureKind::Closed, "the driver is gone");
            }
        }
    }
}

/// Ask for the stream: its response (the driver hears its head) and how
/// its body is split, or why it could not be had.
async fn open(
    ctx: &StreamContext,
    spec: &HttpStream,
    idle: Duration,
) -> Result<(reqwest::Response, Splitting), Failure> {
    let fail = |kind, m: String| Failure::new(&spec.id, kind, m);
    let out = Outgoing {
        id: &spec.id,
        method: &spec.method,
        path: &spec.path,
        headers: &spec.headers,
        body: Vec::new(),
        ws_security: false,
        timeout: None,
    };
    let sent = http::send(
        &ctx.client,
        &ctx.base,
        out,
        ctx.credentials.as_ref(),
        &ctx.digest,
    );
    let resp = match tokio::time::timeout(idle, sent).await {
        Ok(Ok(r)) => r,
        Ok(Err(f)) => return Err(f),
        Err(_) => {
            return Err(fail(
                FailureKind::Timeout,
                format!(
                    "no answer to GET {} within {} ms",
                    spec.path,
                    idle.as_millis()
                ),
            ));
        }
    };
    let status = resp.status().as_u16();
    let headers = http::headers_of(&resp);
    let opened = Input::StreamOpened {
        id: spec.id.clone(),
        status,
        headers: headers.clone(),
    };
    let _ = ctx.to_driver.send((ctx.device.clone(), opened)).await;
    if status == 401 || status == 403 {
        return Err(fail(
            FailureKind::Auth,
            format!("the device refused the stream: HTTP {status}"),
        ));
    }
    if status >= 300 {
        return Err(fail(
            FailureKind::Refused,
            format!("the device answered HTTP {status}"),
        ));
    }
    let _ = ctx.link.send(Ok(())).await;
    let max = spec.max_part as usize;
    let split = match spec.split {
        StreamSplit::Lines => Splitting::Lines(Lines::new(max)),
        StreamSplit::Multipart => {
            let ct = super::types::header(&headers, "content-type").unwrap_or("");
            match multipart::boundary(ct) {
                Some(b) => Splitting::Multipart(Splitter::new(b, max)),
                None => {
                    return Err(fail(
                        FailureKind::Malformed,
                        format!("stream content type `{ct}` is not multipart with a boundary"),
                    ));
                }
            }
        }
    };
    Ok((resp, split))
}

/// A part: its headers and body.
type Part = (Vec<Header>, Vec<u8>);

impl Splitting {
    /// The parts `chunk` completes.
    fn push(&mut self, chunk: &[u8]) -> Result<Vec<Part>, SplitError> {
        match self {
            Splitting::Multipart(s) => s.push(chunk).map(|ps| {
                ps.into_iter()
                    .map(|p| {
                        let headers = p.headers.iter().map(|(k, v)| Header::new(k, v)).collect();
                        (headers, p.body)
                    })
                    .collect()
            }),
            Splitting::Lines(l) => l
                .push(chunk)
                .map(|ls| ls.into_iter().map(|b| (Vec::new(), b)).collect()),
        }
    }
}

/// What the driver hears when splitting fails.
trait SplitFailure {
    fn failure(self, id: &str) -> Failure;
}

impl SplitFailure for SplitError {
    fn failure(self, id: &str) -> Failure {
        match self {
            SplitError::TooLarge { limit } => Failure::new(
                id,
                FailureKind::TooLarge,
                format!("a part of the stream exceeds {limit} bytes"),
            ),
            SplitError::Malformed(m) => Failure::new(id, FailureKind::Malformed, m),
        }
    }
}
