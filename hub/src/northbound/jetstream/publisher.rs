//! The publisher task: one NATS connection at a time. On connecting it
//! makes sure the site's stream (and its picture bucket) exist, reads the
//! stream's last message and moves the cursor past it (an event the stream
//! has, even if its ack was lost, is never sent again), then publishes from
//! the cursor with acks awaited in order, the cursor moving only over a
//! contiguous acknowledged prefix. Any failure starts a new connection from
//! the cursor; `Nats-Msg-Id` makes what is replayed within the stream's
//! duplicate window a no-op.
//!
//! Each publish also names the stream sequence it must follow
//! (`Nats-Expected-Last-Sequence`: the stream's last at the session's start
//! plus what the session has published): the client reconnects by itself,
//! and a message lost in a reconnect must not let the next ones in after it
//! (the stream would hold a gap, and the cursor, moved past the stream's
//! last message, would never fill it). The stream refuses them instead
//! (and refuses a writer other than this hub); the session ends and starts
//! again from the stream's end, which is then always a whole prefix of the
//! log.

use std::future::IntoFuture;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use async_nats::HeaderMap;
use async_nats::jetstream::{self, Context, stream};
use futures_util::StreamExt;
use futures_util::stream::FuturesOrdered;
use serde_json::Value;

use super::commands::{self, Targets};
use super::subjects::{Subjects, media_bucket};
use super::{CURSOR, SharedStatus, Status};
use crate::bus::{Bus, Event, Filter, Level, NewEvent};
use crate::config::jetstream::JetStreamConfig;
use crate::devices::HUB_ZONE;
use crate::transport::Backoff;

/// Central commands handled at once.
const MAX_COMMANDS: usize = 32;

/// Start the publisher (and, when enabled, the command listener); it runs
/// until the task is aborted.
pub fn spawn(
    cfg: JetStreamConfig,
    site: String,
    bus: Bus,
    targets: Targets,
) -> (SharedStatus, tokio::task::JoinHandle<()>) {
    let status = Arc::new(Status::default());
    if let Ok(mut s) = status.stream.lock() {
        *s = cfg.stream_name(&site);
    }
    let task = tokio::spawn(run(cfg, site, bus, targets, status.clone()));
    (status, task)
}

async fn run(cfg: JetStreamConfig, site: String, bus: Bus, targets: Targets, status: SharedStatus) {
    let subjects = Subjects::new(&cfg.subject_prefix, &site);
    let mut link = super::Link::from(&cfg);
    link.name = format!("twinwall hub {site}");
    let mut backoff = Backoff::new(Duration::from_millis(200), Duration::from_secs(10));
    let mut first = true;
    loop {
        if !first {
            status.reconnects.fetch_add(1, Ordering::Relaxed);
        }
        first = false;
        let why = match link.connect().await {
            Ok(client) => {
                let commands = cfg.commands.enabled.then(|| {
                    tokio::spawn(listen(
                        client.clone(),
                        subjects.clone(),
                        cfg.clone(),
                        targets.clone(),
                        status.clone(),
                    ))
                });
                let why =
                    session(&cfg, &site, &subjects, &client, &bus, &status, &mut backoff).await;
                if let Some(c) = commands {
                    c.abort();
                }
                status.commands_ready.store(false, Ordering::Relaxed);
                why
            }
            Err(e) => e,
        };
        status.connected.store(false, Ordering::Relaxed);
        tracing::warn!(servers = %cfg.servers.join(","), "northbound JetStream: {why}; reconnecting");
        status.set_error(why);
        tokio::time::sleep(backoff.next_delay()).await;
    }
}

fn context(cfg: &JetStreamConfig, client: async_nats::Client) -> Context {
    let b = jetstream::ContextBuilder::new().timeout(Duration::from_secs(10));
    match &cfg.domain {
        Some(d) => b.domain(d.as_str()).build(client),
        None => b.build(client),
    }
}

/// The stream of the site, made if missing (with the configured replicas
/// and duplicate window; an existing stream keeps its own settings).
async fn ensure_stream(
    js: &Context,
    cfg: &JetStreamConfig,
    name: &str,
    subjects: &Subjects,
) -> Result<stream::Stream, String> {
    js.get_or_create_stream(stream::Config {
        name: name.to_owned(),
        subjects: vec![subjects.events_filter()],
        storage: stream::StorageType::File,
        num_replicas: cfg.replicas,
        duplicate_window: Duration::from_secs(cfg.duplicate_window_s),
        description: Some("Twinwall: one campus hub's event log".into()),
        ..Default::default()
    })
    .await
    .map_err(|e| format!("stream {name}: {e}"))
}

/// The seq after the last event the stream holds, if any: an event of
/// this site, and not past the log's end (a stream another site writes
/// into, or a log started again empty, is refused by name, never skipped
/// over).
/// Also the stream's own last sequence.
async fn stream_end(
    stream: &mut stream::Stream,
    site: &str,
    log_end: u64,
) -> Result<(Option<u64>, u64), String> {
    let last = stream
        .info()
        .await
        .map_err(|e| format!("stream info: {e}"))?
        .state
        .last_sequence;
    if last == 0 {
        return Ok((None, 0));
    }
    let m = match stream.get_raw_message(last).await {
        Ok(m) => m,
        // Removed by the stream's own limits: nothing to learn from it.
        Err(e) if e.to_string().contains("no message found") => return Ok((None, last)),
        Err(e) => return Err(format!("last message of the stream: {e}")),
    };
    let v = serde_json::from_slice::<Value>(&m.payload).unwrap_or(Value::Null);
    let name = stream.cached_info().config.name.clone();
    if v["site"].as_str() != Some(site) {
        return Err(format!(
            "stream {name}: its last message (stream seq {last}) is of site {}, not {site}: \
             two hubs write into one stream (give each its own [site] id or [jetstream] stream)",
            v["site"]
        ));
    }
    let Some(seq) = v["seq"].as_u64() else {
        return Ok((None, last));
    };
    if seq >= log_end {
        return Err(format!(
            "stream {name} holds event {seq} of site {site}, past this hub's log (next seq \
             {log_end}): the log was started again; publish into a new stream"
        ));
    }
    Ok((Some(seq + 1), last))
}

/// Pictures of `e` into the bucket, each once (by content hash).
async fn put_pictures(
    bucket: &jetstream::object_store::ObjectStore,
    bus: &Bus,
    e: &Event,
) -> Result<(), String> {
    for m in &e.body.media {
        if bucket.info(&m.hash).await.is_ok() {
            continue;
        }
        // A picture gone from the hub (retention) is not the stream's loss.
        let Ok(Some((_, bytes))) = bus.media(&m.hash) else {
            continue;
        };
        bucket
            .put(m.hash.as_str(), &mut bytes.as_slice())
            .await
            .map_err(|err| format!("picture {} of event {}: {err}", m.hash, e.seq))?;
    }
    Ok(())
}

/// Event `e` is larger than the server takes: say so and pass it.
async fn too_large(bus: &Bus, e: &Event, bytes: usize, limit: usize) -> Result<(), String> {
    tracing::warn!(seq = e.seq, kind = %e.body.kind, bytes, "event too large for the NATS server; skipped");
    let note = NewEvent::new("northbound.dropped", HUB_ZONE)
        .level(Level::Yellow)
        .attr("event_seq", e.seq as i64)
        .attr("event_kind", e.body.kind.as_str())
        .attr("bytes", bytes as i64)
        .attr("limit", limit as i64)
        .attr("channel", "jetstream")
        .message(format!(
            "event {} ({}) is {bytes} bytes, over the NATS server's max_payload of {limit}: kept on the hub, not in the stream",
            e.seq, e.body.kind
        ));
    bus.submit(vec![note])
        .await
        .map(|_| ())
        .map_err(|err| format!("bus: {err}"))
}

type Ack = std::pin::Pin<Box<dyn std::future::Future<Output = (u64, Result<bool, String>)> + Send>>;

/// One connection, until it fails; returns why.
async fn session(
    cfg: &JetStreamConfig,
    site: &str,
    subjects: &Subjects,
    client: &async_nats::Client,
    bus: &Bus,
    status: &Status,
    backoff: &mut Backoff,
) -> String {
    let js = context(cfg, client.clone());
    let name = cfg.stream_name(site);
    let mut stream = match ensure_stream(&js, cfg, &name, subjects).await {
        Ok(s) => s,
        Err(e) => return e,
    };
    let bucket = if cfg.pictures {
        let b = media_bucket(&name);
        let got = match js.get_object_store(&b).await {
            Ok(s) => Ok(s),
            Err(_) => js
                .create_object_store(jetstream::object_store::Config {
                    bucket: b.clone(),
                    num_replicas: cfg.replicas,
                    storage: stream::StorageType::File,
                    ..Default::default()
                })
                .await
                .map_err(|e| format!("picture bucket {b}: {e}")),
        };
        match got {
            Ok(s) => Some(s),
            Err(e) => return e,
        }
    } else {
        None
    };
    let mut from = match bus.cursor(CURSOR) {
        Ok(c) => c.unwrap_or(0),
        Err(e) => return format!("cannot read the cursor: {e}"),
    };
    let mut stream_last = match stream_end(&mut stream, site, bus.next_seq()).await {
        Ok((end, last)) => {
            if let Some(end) = end
                && end > from
            {
                tracing::info!(
                    from,
                    end,
                    "the stream already holds events past the cursor (acks lost): going on after them"
                );
                if let Err(e) = bus.commit_cursor(CURSOR, end) {
                    return format!("cannot store the cursor: {e}");
                }
                from = end;
            }
            last
        }
        Err(e) => return e,
    };
    status.connected.store(true, Ordering::Relaxed);
    backoff.reset();
    tracing::info!(stream = %name, from, "northbound JetStream connected");
    let max_payload = client.server_info().max_payload;
    let mut sub = bus.subscribe(from, Filter::default());
    let mut pending: FuturesOrdered<Ack> = FuturesOrdered::new();
    let mut lag_tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tokio::select! {
            biased;
            Some((seq, acked)) = pending.next(), if !pending.is_empty() => {
                match acked {
                    Ok(duplicate) => {
                        if duplicate {
                            status.duplicates.fetch_add(1, Ordering::Relaxed);
                        }
                        if let Err(e) = bus.commit_cursor(CURSOR, seq + 1) {
                            return format!("cannot store the cursor: {e}");
                        }
                    }
                    Err(e) => return e,
                }
            }
            e = sub.next(), if pending.len() < cfg.max_inflight => {
                let e = match e {
                    Ok(e) => e,
                    Err(err) => return format!("bus: {err}"),
                };
                let payload = e.to_json().to_string().into_bytes();
                let seq = e.seq;
                if payload.len() + 512 > max_payload {
                    if let Err(why) = too_large(bus, &e, payload.len(), max_payload).await {
                        return why;
                    }
                    pending.push_back(Box::pin(async move { (seq, Ok(false)) }));
                    continue;
                }
                if let Some(b) = &bucket
                    && let Err(why) = put_pictures(b, bus, &e).await
                {
                    return why;
                }
                let mut headers = HeaderMap::new();
                headers.insert("Nats-Msg-Id", format!("{site}:{seq}").as_str());
                // 0 (an empty stream) checks nothing, as the server reads it.
                headers.insert("Nats-Expected-Last-Sequence", stream_last.to_string().as_str());
                stream_last += 1;
                let subject = subjects.event(&e.body.zone, &e.body.kind);
                let ack = match js.publish_with_headers(subject, headers, payload.into()).await {
                    Ok(a) => a,
                    Err(err) => return format!("publish of event {seq}: {err}"),
                };
                status.published.fetch_add(1, Ordering::Relaxed);
                metrics::counter!("twinwall_jetstream_published_total").increment(1);
                pending.push_back(Box::pin(async move {
                    let r = ack
                        .into_future()
                        .await
                        .map(|a| a.duplicate)
                        .map_err(|err| format!("ack of event {seq}: {err}"));
                    (seq, r)
                }));
            }
            _ = lag_tick.tick() => {
                // The client reconnects by itself: between sessions the
                // link may be down while nothing is in flight.
                let up = client.connection_state() == async_nats::connection::State::Connected;
                status.connected.store(up, Ordering::Relaxed);
                let v = status.view(bus);
                metrics::gauge!("twinwall_jetstream_lag_events").set(v.lag_events as f64);
            }
        }
    }
}

/// Answer the centre's commands while the connection lasts.
async fn listen(
    client: async_nats::Client,
    subjects: Subjects,
    cfg: JetStreamConfig,
    targets: Targets,
    status: SharedStatus,
) {
    let mut sub = match client.subscribe(subjects.commands_filter()).await {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!("JetStream commands: cannot subscribe: {e}");
            return;
        }
    };
    // The subscription is the server's once it has seen it.
    if client.flush().await.is_ok() {
        status.commands_ready.store(true, Ordering::Relaxed);
    }
    // Commands wait for devices: at most this many at once; past it a
    // request is answered busy at once.
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_COMMANDS));
    while let Some(m) = sub.next().await {
        let Some(reply) = m.reply.clone() else {
            continue;
        };
        // Answers go to a requester's inbox only: never, with this hub's
        // permissions, to a subject the requester names (another campus's
        // events, the JetStream API).
        if !reply.starts_with("_INBOX.") {
            tracing::warn!(subject = %m.subject, reply = %reply, "central command refused: its reply subject is not an inbox");
            continue;
        }
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            let busy = serde_json::json!({"ok": false, "error": {"code": "unavailable",
                "message": format!("busy: {MAX_COMMANDS} central commands are running at this campus")}});
            let _ = client.publish(reply, busy.to_string().into()).await;
            continue;
        };
        let (client, subjects, allowed, targets) = (
            client.clone(),
            subjects.clone(),
            cfg.commands.clone(),
            targets.clone(),
        );
        // Commands wait for devices; the listener must not.
        tokio::spawn(async move {
            let answer =
                commands::handle(&subjects, &allowed, &targets, &m.subject, &m.payload).await;
            tracing::info!(subject = %m.subject, ok = %answer["ok"], "central command");
            if let Err(e) = client.publish(reply, answer.to_string().into()).await {
                tracing::warn!("JetStream commands: cannot answer: {e}");
            }
            drop(slot);
        });
    }
}
