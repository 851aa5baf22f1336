//! The group-committing writer: one thread drains the append queue, numbers
//! the events, writes them in one batch, flushes as the policy says, and only
//! then acknowledges and publishes them live.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use tokio::sync::{broadcast, mpsc, oneshot, watch};

use super::health::{FIRST_RETRY, MAX_RETRY, WriteHealth};
use super::store::Store;
use super::{BusError, Event, FlushPolicy, Level, NewEvent};

/// One append request.
pub(super) struct Append {
    pub events: Vec<NewEvent>,
    pub ack: Option<oneshot::Sender<Result<Vec<u64>, BusError>>>,
}

/// Most events in one group commit.
const MAX_BATCH: usize = 2048;

/// What the writer thread owns.
pub(super) struct Writer {
    pub store: Arc<Store>,
    pub site: String,
    pub flush: FlushPolicy,
    /// The newest stored event's time: receive times never go back.
    pub last_time: i64,
    pub health: Arc<WriteHealth>,
}

pub(super) fn spawn(
    w: Writer,
    mut rx: mpsc::Receiver<Append>,
    next_seq: watch::Sender<u64>,
    live: broadcast::Sender<Arc<Event>>,
) -> Result<std::thread::JoinHandle<()>, BusError> {
    let Writer {
        store,
        site,
        flush,
        mut last_time,
        health,
    } = w;
    std::thread::Builder::new()
        .name("bus-writer".into())
        .spawn(move || {
            let mut next = *next_seq.borrow();
            while let Some(first) = rx.blocking_recv() {
                let mut group = vec![first];
                let mut count = group[0].events.len();
                while count < MAX_BATCH {
                    match rx.try_recv() {
                        Ok(a) => {
                            count += a.events.len();
                            group.push(a);
                        }
                        Err(_) => break,
                    }
                }
                let now = super::now_ms().max(last_time);
                last_time = now;
                let mut batch = Vec::with_capacity(count);
                let mut seqs_per_append = Vec::with_capacity(group.len());
                let mut must_flush = flush == FlushPolicy::EveryBatch;
                for a in &mut group {
                    let mut seqs = Vec::with_capacity(a.events.len());
                    for body in a.events.drain(..) {
                        must_flush |= body.level == Level::Red;
                        seqs.push(next);
                        batch.push(Event {
                            seq: next,
                            time_ms: now,
                            site: site.clone(),
                            body,
                        });
                        next += 1;
                    }
                    seqs_per_append.push(seqs);
                }
                let started = std::time::Instant::now();
                // A batch that cannot be stored is held and tried again: the
                // producers wait (their queue fills and pushes them back),
                // nothing they handed over is dropped.
                let mut wait = FIRST_RETRY;
                let result = loop {
                    let result = if health.take_injected() {
                        Err(BusError::Storage(
                            "injected write failure (fault drill)".into(),
                        ))
                    } else {
                        store
                            .write(&batch)
                            .and_then(|()| if must_flush { store.flush() } else { Ok(()) })
                    };
                    match result {
                        Ok(()) => {
                            health.stored();
                            break Ok(());
                        }
                        Err(e) if health.closing.load(Ordering::SeqCst) => break Err(e),
                        Err(e) => {
                            health.failed(&e.to_string());
                            std::thread::sleep(wait);
                            wait = (wait * 2).min(MAX_RETRY);
                        }
                    }
                };
                match result {
                    Ok(()) => {
                        metrics::histogram!("twinwall_bus_append_seconds")
                            .record(started.elapsed().as_secs_f64());
                        next_seq.send_replace(next);
                        for e in batch {
                            let _ = live.send(Arc::new(e));
                        }
                        for (a, seqs) in group.into_iter().zip(seqs_per_append) {
                            if let Some(ack) = a.ack {
                                let _ = ack.send(Ok(seqs));
                            }
                        }
                    }
                    Err(e) => {
                        // Only when closing with the store still failing: nothing
                        // of this batch is acknowledged; numbering restarts after
                        // what the store really holds.
                        tracing::error!(error = %e, events = batch.len(), first_seq = batch.first().map(|e| e.seq), "event batch not stored: the hub stopped while the store was failing");
                        next = store.last().ok().flatten().map_or(0, |(s, _)| s + 1);
                        for a in group {
                            if let Some(ack) = a.ack {
                                let _ = ack.send(Err(BusError::Storage(e.to_string())));
                            }
                        }
                    }
                }
            }
            let _ = store.flush();
        })
        .map_err(|e| BusError::Storage(format!("cannot start the bus writer thread: {e}")))
}
