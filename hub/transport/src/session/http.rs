//! HTTP requests of a session: exchanges with the device (each in its own
//! task), push listeners and their replies, and long-lived streams.

use super::dispatch::{Done, Handled};
use super::*;
use crate::WireError;
use crate::tracker::SharedTracker;
use crate::types::{HttpListen, HttpReply, HttpRequest, HttpStream};

/// HTTP exchanges one device may have in flight; more are refused to the
/// driver as `refused`.
pub const MAX_HTTP_IN_FLIGHT: usize = 16;

impl Session {
    /// Run one HTTP exchange in its own task: a long poll must not hold up
    /// the device's other requests. The answer settles a waiting command.
    pub(super) fn http(&mut self, req: HttpRequest, tracker: &Option<SharedTracker>) -> Handled {
        self.wired = true;
        self.transport = "http";
        // A driver asking faster than its device answers would otherwise
        // grow tasks and sockets without bound.
        let Ok(slot) = self.http_slots.clone().try_acquire_owned() else {
            metrics::counter!("twinwall_http_requests_refused_total", "reason" => "in_flight")
                .increment(1);
            return Err(WireError::Busy {
                device: self.spec.device.clone(),
                max: MAX_HTTP_IN_FLIGHT,
                what: "HTTP requests",
            }
            .at(&req.id));
        };
        let exchange = crate::http::Exchange {
            device: self.spec.device.clone(),
            base: self.spec.base_url(),
            client: self.spec.http.clone(),
            credentials: self.spec.credentials.clone(),
            digest: self.digest.clone(),
            to_driver: self.to_driver.clone(),
            link: self.wire_done.0.clone(),
        };
        let tracker = tracker.clone();
        tokio::spawn(async move {
            exchange.run(req, tracker).await;
            drop(slot);
        });
        Ok(Done::Pending)
    }

    /// Accept the device's pushes; the driver hears where they go.
    pub(super) async fn http_listen(&mut self, l: HttpListen) -> Handled {
        let Some(push) = self.spec.push.clone() else {
            return Err(WireError::NotConfigured {
                what: "push listener",
                config: "[listen] http",
            }
            .at(&l.id));
        };
        let id = l.id.clone();
        let url = push.listen(
            &self.spec.device,
            self.spec.host(),
            l,
            self.to_driver.clone(),
        );
        if !self.listens.contains(&id) {
            self.listens.push(id.clone());
        }
        self.deliver(Input::HttpListening { id, url }).await;
        Ok(Done::Settled)
    }

    /// Send a push reply once the outcome it came with is committed; if the
    /// commit failed the device hears 503 and retries.
    pub(super) async fn http_reply(&mut self, reply: HttpReply, commit: &Commit) -> Handled {
        // The device pushed: it is there.
        self.answered().await;
        let Some(push) = self.spec.push.clone() else {
            return Ok(Done::Settled);
        };
        let (device, commit) = (self.spec.device.clone(), commit.clone());
        tokio::spawn(async move {
            let id = reply.push;
            let reply = if commit.await {
                reply
            } else {
                HttpReply {
                    push: id,
                    status: 503,
                    headers: Vec::new(),
                    body: b"events not stored; retry".to_vec(),
                }
            };
            if !push.reply(reply) {
                tracing::debug!(device, push = id, "reply to a push that already timed out");
            }
        });
        Ok(Done::Settled)
    }

    /// Hold a stream open in its own task, reopening it with backoff.
    pub(super) fn http_stream(&mut self, s: HttpStream) -> Handled {
        let Some(base) = self.spec.base_url() else {
            return Err(WireError::NoAddress {
                device: self.spec.device.clone(),
            }
            .at(&s.id));
        };
        self.wired = true;
        self.transport = "http";
        if let Some(old) = self.tasks.remove(&s.id) {
            old.abort();
        }
        let id = s.id.clone();
        let ctx = crate::stream::StreamContext {
            device: self.spec.device.clone(),
            base,
            client: self.spec.http.clone(),
            credentials: self.spec.credentials.clone(),
            digest: self.digest.clone(),
            to_driver: self.to_driver.clone(),
            link: self.wire_done.0.clone(),
        };
        let task = tokio::spawn(crate::stream::run(ctx, s));
        self.tasks.insert(id, task.abort_handle());
        Ok(Done::Settled)
    }
}
