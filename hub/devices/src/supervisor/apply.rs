//! An outcome onto the bus and the wire: each event built and admitted by
//! its device's quota (pictures stored first), the excess reported, and the
//! requests handed to the session, replies waiting for the commit.

use futures_util::FutureExt;
use twinwall_runtime::Outcome;
use twinwall_transport::committed;

use super::Supervisor;
use crate::events;
use crate::notices;
use crate::quota::{Dropped, Quota};
use twinwall_transport::Control;

impl Supervisor {
    /// The steps in the order they must happen: cap per call, build and
    /// admit each event, store its pictures, report the excess, commit, and
    /// only then hand the requests (replies wait for the commit) to the session.
    pub(super) async fn apply(&mut self, device: &str, outcome: Outcome) {
        // Field by field: the device's slot is read while its quota changes.
        let Some(slot) = self.slots.iter().find(|s| s.id == device) else {
            return;
        };
        let label = self.driver.label();
        let limits = self.policy.events;
        let now = std::time::Instant::now();
        let quota = self
            .quotas
            .entry(device.to_owned())
            .or_insert_with(|| Quota::new(&limits, now));
        let mut raw = outcome.events;
        if raw.len() > limits.per_call {
            let extra = raw.len() - limits.per_call;
            raw.truncate(limits.per_call);
            quota.drop_n(Dropped::PerCall, extra as u64);
            count_throttled(&self.driver.name, Dropped::PerCall, extra as u64);
        }
        let mut events = Vec::with_capacity(raw.len() + 1);
        let mut dropped = [0u64; 3];
        for e in raw {
            match events::event_with_media(&label, device, &slot.zone, e) {
                Ok((ev, blobs)) => {
                    if let Err(why) = quota.admit(&limits, &ev, now) {
                        dropped[why as usize] += 1;
                        continue;
                    }
                    // Pictures first: an event never refers to a picture that is not stored.
                    if let Some(err) = blobs
                        .iter()
                        .find_map(|b| self.bus.put_media(&b.hash, &b.content_type, &b.data).err())
                    {
                        tracing::error!(device, kind = %ev.kind, error = %err, "picture not stored; event dropped");
                        continue;
                    }
                    // Kinds outside the table share one label: a driver
                    // cannot grow the metrics without bound.
                    let kind =
                        twinwall_plugin_sdk::kinds::lookup(&ev.kind).map_or("other", |k| k.kind);
                    metrics::counter!("twinwall_events_ingested_total", "kind" => kind, "driver" => self.driver.name.clone()).increment(1);
                    events.push(ev)
                }
                Err(bad) => tracing::warn!("{bad}"),
            }
        }
        if let Some(report) = quota.report(now) {
            events.push(notices::throttled(
                &self.driver.label(),
                device,
                &slot.zone,
                report,
                &limits,
            ));
        }
        for why in [Dropped::Rate, Dropped::TooLarge] {
            count_throttled(&self.driver.name, why, dropped[why as usize]);
        }
        // Replies (a push answer, an ACK) go out only once these events are
        // committed; other outcomes do not wait for the disk.
        let commit = if outcome.requests.iter().any(|r| r.is_reply()) {
            match self.bus.submit_acked(events).await {
                Ok(ack) => async move { matches!(ack.await, Ok(Ok(_))) }
                    .boxed()
                    .shared(),
                Err(e) => {
                    tracing::error!(device, error = %e, "events lost: the bus is closed");
                    async { false }.boxed().shared()
                }
            }
        } else {
            if let Err(e) = self.bus.submit(events).await {
                tracing::error!(device, error = %e, "events lost: the bus is closed");
            }
            committed()
        };
        if !outcome.requests.is_empty() {
            slot.session
                .send(Control::Requests(outcome.requests, commit))
                .await;
        }
    }
}

fn count_throttled(driver: &str, why: Dropped, n: u64) {
    if n > 0 {
        metrics::counter!("twinwall_events_throttled_total", "driver" => driver.to_owned(), "reason" => why.as_str()).increment(n);
    }
}
