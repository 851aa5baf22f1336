//! Reading the campuses: find their streams, and read each with a durable
//! pull consumer of this centre (`central-<id>`), recreated from the first
//! message when the centre starts, so its views are rebuilt whole; while it
//! runs the consumer is the server's, replicated as the stream is, so a
//! server lost or a reconnect goes on where it was.
//!
//! Each campus's messages are taken in stream order: one seen before (a
//! redelivery) is acknowledged and skipped; one after a gap that the stream
//! still holds waits, unacknowledged, for the missing one to be delivered
//! again first.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use async_nats::jetstream::{self, consumer};
use futures_util::StreamExt;

use super::site::SiteView;
use super::{Shared, Site, wire};
use crate::alarms::Policy;
use crate::northbound::jetstream::subjects;

/// Keep finding campuses (the configured ones at once, the others by their
/// streams every 5 s) and read each.
pub async fn find_sites(shared: Arc<Shared>) {
    let mut readers = tokio::task::JoinSet::new();
    let default_js = jetstream::new(shared.client.clone());
    for s in &shared.config.sites {
        let js = match &s.domain {
            Some(d) => jetstream::with_domain(shared.client.clone(), d),
            None => default_js.clone(),
        };
        let stream = s
            .stream
            .clone()
            .unwrap_or_else(|| subjects::stream_name(&s.id));
        let name = s.name.clone().unwrap_or_else(|| s.id.clone());
        add(&shared, &mut readers, &s.id, &name, &stream, js);
    }
    let prefix = format!("{}.", shared.config.central.subject_prefix);
    loop {
        if shared.config.central.discover {
            let mut names = default_js.stream_names();
            while let Some(Ok(name)) = names.next().await {
                if !name.starts_with("TWINWALL_") {
                    continue;
                }
                let Ok(info) = default_js
                    .get_stream(&name)
                    .await
                    .map(|s| s.cached_info().clone())
                else {
                    continue;
                };
                let site = info.config.subjects.iter().find_map(|s| {
                    s.strip_prefix(&prefix)?
                        .strip_suffix(".events.>")
                        .map(str::to_owned)
                });
                if let Some(site) = site
                    && shared.site(&site).is_none()
                {
                    tracing::info!(%site, stream = %name, "central: found a campus");
                    add(
                        &shared,
                        &mut readers,
                        &site,
                        &site,
                        &name,
                        default_js.clone(),
                    );
                }
            }
        }
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
}

fn add(
    shared: &Arc<Shared>,
    readers: &mut tokio::task::JoinSet<()>,
    id: &str,
    name: &str,
    stream: &str,
    js: jetstream::Context,
) {
    let view = SiteView::new(id, name, stream, Policy::from(&shared.config.alarms));
    let site = Arc::new(Site {
        view: std::sync::Mutex::new(view),
        js,
        connected: Default::default(),
        held: Default::default(),
    });
    if let Ok(mut s) = shared.sites.lock() {
        s.insert(id.to_owned(), site.clone());
    }
    readers.spawn(read(shared.clone(), site));
}

/// Messages taken between two acks, at most.
const ACK_EVERY: usize = 256;
/// And the longest an ack waits.
const ACK_WITHIN: Duration = Duration::from_millis(200);

/// Read one campus for ever.
async fn read(shared: Arc<Shared>, site: Arc<Site>) {
    let durable = format!("central-{}", shared.config.central.id);
    let mut fresh = true;
    let mut last = 0u64;
    loop {
        let why = consume(&site, &durable, fresh, &mut last).await;
        site.connected.store(false, Ordering::Relaxed);
        let stream = site
            .view
            .lock()
            .map(|v| v.stream.clone())
            .unwrap_or_default();
        tracing::warn!(%stream, "central: reading the stream: {why}; again in a second");
        fresh = fresh && last == 0;
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Read until something fails; returns why. `last` is the stream sequence
/// of the last message taken.
async fn consume(site: &Site, durable: &str, fresh: bool, last: &mut u64) -> String {
    let name = site
        .view
        .lock()
        .map(|v| v.stream.clone())
        .unwrap_or_default();
    let stream = match site.js.get_stream(&name).await {
        Ok(s) => s,
        Err(e) => return format!("stream {name}: {e}"),
    };
    if fresh {
        // A new centre process rebuilds its views from the first message:
        // a consumer it could not delete would go on from the middle.
        if let Err(e) = stream.delete_consumer(durable).await
            && !e.to_string().contains("not found")
        {
            return format!("deleting the old consumer {durable}: {e}");
        }
    }
    let consumer: consumer::PullConsumer = match stream
        .get_or_create_consumer(
            durable,
            consumer::pull::Config {
                durable_name: Some(durable.to_owned()),
                deliver_policy: consumer::DeliverPolicy::All,
                // Taken strictly in order, so one ack covers every message
                // before it: an ack per message would be a replicated
                // consumer update per message.
                ack_policy: consumer::AckPolicy::All,
                ack_wait: Duration::from_secs(5),
                max_ack_pending: 20_000,
                ..Default::default()
            },
        )
        .await
    {
        Ok(c) => c,
        Err(e) => return format!("consumer {durable}: {e}"),
    };
    let mut messages = match consumer.messages().await {
        Ok(m) => m,
        Err(e) => return format!("pull: {e}"),
    };
    if *last == 0 {
        // What comes first is the stream's first message, not seq 1 (the
        // stream's limits may have removed the oldest).
        *last = stream.cached_info().state.first_sequence.saturating_sub(1);
    }
    site.connected.store(true, Ordering::Relaxed);
    // The missing stream seq last looked up, and whether the stream has it.
    let mut gap: Option<(u64, bool)> = None;
    // The last message taken and not yet acknowledged, and how many since.
    let mut unacked: Option<jetstream::Message> = None;
    let mut taken = 0usize;
    let mut flush = tokio::time::interval(ACK_WITHIN);
    loop {
        let next = tokio::select! {
            m = messages.next() => m,
            _ = flush.tick() => {
                if let Some(m) = unacked.take() {
                    let _ = m.ack().await;
                    taken = 0;
                }
                continue;
            }
        };
        let Some(m) = next else { break };
        let m = match m {
            Ok(m) => m,
            Err(e) => return format!("pull: {e}"),
        };
        let Ok(info) = m.info() else { continue };
        let seq = info.stream_sequence;
        if seq <= *last {
            let _ = m.ack().await;
            continue;
        }
        if seq > *last + 1 {
            // Still in the stream? Then it was delivered and lost: wait for
            // it to come again before this one (unacked, this one comes
            // again too). Gone (the stream's limits, a deleted message)?
            // Then go on. Looked up once per gap, not per message held.
            let missing = *last + 1;
            let held = match gap {
                Some((m, held)) if m == missing => held,
                _ => {
                    let held = match stream.get_raw_message(missing).await {
                        Ok(_) => true,
                        Err(e) => !e.to_string().contains("no message found"),
                    };
                    gap = Some((missing, held));
                    held
                }
            };
            if held {
                site.held.fetch_add(1, Ordering::Relaxed);
                continue;
            }
        }
        match wire::event(&m.payload) {
            Ok(e) => {
                if let Ok(mut v) = site.view.lock() {
                    v.take(&e, crate::bus::now_ms());
                }
            }
            Err(e) => tracing::warn!(stream = %name, seq, "central: skipped: {e}"),
        }
        *last = seq;
        // A lost ack means a redelivery, which the order check skips.
        unacked = Some(m);
        taken += 1;
        if taken >= ACK_EVERY
            && let Some(m) = unacked.take()
        {
            let _ = m.ack().await;
            taken = 0;
        }
    }
    "the stream of messages ended".into()
}
