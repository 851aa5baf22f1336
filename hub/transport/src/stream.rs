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
    let fail = |kind, m: String| Failure::new(&spec.id, kind, m);
    let idle = Duration::from_millis(u64::from(spec.idle_timeout_ms.clamp(1000, 600_000)));
    let out = Outgoing {
        id: &spec.id,
        method: &spec.method,
        path: &spec.path,
        headers: &spec.headers,
        body: Vec::new(),
        ws_security: false,
        timeout: None,
    };
    let opened = tokio::time::timeout(
        idle,
        http::send(
            &ctx.client,
            &ctx.base,
            out,
            ctx.credentials.as_ref(),
            &ctx.digest,
        ),
    )
    .await;
    let mut resp = match opened {
        Ok(Ok(r)) => r,
        Ok(Err(f)) => return f,
        Err(_) => {
            return fail(
                FailureKind::Timeout,
                format!(
                    "no answer to GET {} within {} ms",
                    spec.path,
                    idle.as_millis()
                ),
            );
        }
    };
    let status = resp.status().as_u16();
    let headers = http::headers_of(&resp);
    let _ = ctx
        .to_driver
        .send((
            ctx.device.clone(),
            Input::StreamOpened {
                id: spec.id.clone(),
                status,
                headers: headers.clone(),
            },
        ))
        .await;
    if status == 401 || status == 403 {
        return fail(
            FailureKind::Auth,
            format!("the device refused the stream: HTTP {status}"),
        );
    }
    if status >= 300 {
        return fail(
            FailureKind::Refused,
            format!("the device answered HTTP {status}"),
        );
    }
    let _ = ctx.link.send(Ok(())).await;
    let max = spec.max_part as usize;
    let mut split = match spec.split {
        StreamSplit::Lines => Splitting::Lines(Lines::new(max)),
        StreamSplit::Multipart => {
            let ct = super::types::header(&headers, "content-type").unwrap_or("");
            match multipart::boundary(ct) {
                Some(b) => Splitting::Multipart(Splitter::new(b, max)),
                None => {
                    return fail(
                        FailureKind::Malformed,
                        format!("stream content type `{ct}` is not multipart with a boundary"),
                    );
                }
            }
        }
    };
    loop {
        let chunk = match tokio::time::timeout(idle, resp.chunk()).await {
            Err(_) => {
                return fail(
                    FailureKind::Timeout,
                    format!("the stream was silent for {} ms", idle.as_millis()),
                );
            }
            Ok(Err(e)) => return http::describe(&spec.id, e),
            Ok(Ok(None)) => return fail(FailureKind::Closed, "the device ended the stream".into()),
            Ok(Ok(Some(c))) => c,
        };
        metrics::counter!("twinwall_stream_bytes_total").increment(chunk.len() as u64);
        let parts = match &mut split {
            Splitting::Multipart(s) => s.push(&chunk).map(|ps| {
                ps.into_iter()
                    .map(|p| {
                        let headers = p.headers.iter().map(|(k, v)| Header::new(k, v)).collect();
                        (headers, p.body)
                    })
                    .collect::<Vec<_>>()
            }),
            Splitting::Lines(l) => l
                .push(&chunk)
                .map(|ls| ls.into_iter().map(|b| (Vec::new(), b)).collect()),
        };
        let parts = match parts {
            Ok(p) => p,
            Err(SplitError::TooLarge { limit }) => {
                return fail(
                    FailureKind::TooLarge,
                    format!("a part of the stream exceeds {limit} bytes"),
                );
            }
            Err(SplitError::Malformed(m)) => return fail(FailureKind::Malformed, m),
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
                return fail(FailureKind::Closed, "the driver is gone".into());
            }
        }
    }
}
