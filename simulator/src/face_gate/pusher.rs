//! The gate's push loop: POST each queued event to the listening host as
//! `multipart/form-data`, in order; an event leaves the queue only when the
//! host acknowledged it with a 2xx. Until then the gate retries with
//! backoff, keeping later events behind it.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::{GateFault, Shared, event};
use crate::isapi::{self, BodyPart};

const BOUNDARY: &str = "MIME_boundary";

/// The body of one push.
fn body(s: &Shared, e: &super::AccessEvent) -> Vec<u8> {
    let json = event::json(e, &s.id, &s.ip()).to_string();
    let mut parts = vec![BodyPart {
        disposition: Some("form-data; name=\"AccessControllerEvent\"".into()),
        content_type: "application/json",
        body: json.as_bytes(),
    }];
    if let Some(p) = &e.picture {
        parts.push(BodyPart {
            disposition: Some("form-data; name=\"Picture\"; filename=\"Picture.jpg\"".into()),
            content_type: "image/jpeg",
            body: p,
        });
    }
    let mut b = isapi::multipart(BOUNDARY, &parts, true);
    if s.fault() == GateFault::MalformedMultipart {
        // A firmware bug: the part headers run into the body.
        b = b.replacen(b"\r\n\r\n", b"\r\n", 1).into_iter().collect();
        b.truncate(b.len() / 2);
    }
    b
}

trait ReplaceN {
    fn replacen(&self, from: &[u8], to: &[u8], n: usize) -> Vec<u8>;
}

impl ReplaceN for Vec<u8> {
    fn replacen(&self, from: &[u8], to: &[u8], n: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.len());
        let (mut i, mut done) = (0, 0);
        while i < self.len() {
            if done < n && self[i..].starts_with(from) {
                out.extend_from_slice(to);
                i += from.len();
                done += 1;
            } else {
                out.push(self[i]);
                i += 1;
            }
        }
        out
    }
}

pub(super) async fn run(s: Arc<Shared>) {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(15))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_default();
    let mut delay = Duration::from_millis(200);
    let mut refusals = 0;
    loop {
        let (target, next) = {
            let t = s.target.lock().map(|t| t.clone()).unwrap_or(None);
            let e = s.queue.lock().ok().and_then(|q| q.front().cloned());
            (t, e)
        };
        let (Some(target), Some(e)) = (target, next) else {
            s.queued.notified().await;
            continue;
        };
        let sent = client
            .post(&target.url)
            .header(
                "content-type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(body(&s, &e))
            .send()
            .await;
        match sent {
            Ok(r) if r.status().is_success() => {
                if let Ok(mut q) = s.queue.lock()
                    && q.front().is_some_and(|f| f.serial == e.serial)
                {
                    q.pop_front();
                }
                s.pushed.fetch_add(1, Ordering::Relaxed);
                delay = Duration::from_millis(200);
                refusals = 0;
            }
            Ok(r)
                if r.status().is_client_error()
                    && !matches!(r.status().as_u16(), 401 | 404 | 408 | 429) =>
            {
                // The receiver read it and said no: the same body will be
                // refused again, so after a few tries the gate gives it up.
                s.push_failures.fetch_add(1, Ordering::Relaxed);
                refusals += 1;
                tracing::warn!(gate = %s.id, serial = e.serial, status = %r.status(), refusals, "push refused");
                if refusals >= 3 {
                    if let Ok(mut q) = s.queue.lock()
                        && q.front().is_some_and(|f| f.serial == e.serial)
                    {
                        q.pop_front();
                    }
                    s.rejected.fetch_add(1, Ordering::Relaxed);
                    refusals = 0;
                }
                tokio::time::sleep(delay).await;
            }
            other => {
                s.push_failures.fetch_add(1, Ordering::Relaxed);
                let why = match other {
                    Ok(r) => format!("HTTP {}", r.status()),
                    Err(e) => e.to_string(),
                };
                tracing::debug!(gate = %s.id, serial = e.serial, "push not acknowledged: {why}; retrying");
                tokio::select! {
                    _ = tokio::time::sleep(delay) => {}
                    _ = s.queued.notified() => {}
                }
                delay = (delay * 2).min(Duration::from_secs(5));
            }
        }
    }
}
