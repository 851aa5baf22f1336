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
    std::thread::Builder::new()
        .name("bus-writer".into())
        .spawn(move || {
            let mut w = w;
            let mut next = *next_seq.borrow();
            while let Some(first) = rx.blocking_recv() {
                let mut group = gather(&mut rx, first);
                let now = super::now_ms().max(w.last_time);
                w.last_time = now;
                let numbered = number(&mut group, &mut next, now, &w.site, w.flush);
                let started = std::time::Instant::now();
                match w.store(&numbered) {
                    Ok(()) => {
                        metrics::histogram!("twinwall_bus_append_seconds")
                            .record(started.elapsed().as_secs_f64());
                        next_seq.send_replace(next);
                        for e in numbered.batch {
                            let _ = live.send(Arc::new(e));
                        }
                        for (a, seqs) in group.into_iter().zip(numbered.seqs) {
                            if let Some(ack) = a.ack {
                                let _ = ack.send(Ok(seqs));
                            }
                        }
                    }
                    Err(e) => {
                        // Only when closing with the store still failing: nothing
                        // of this batch is acknowledged; numbering restarts after
                        // what the store really holds.
                        tracing::error!(error = %e, events = numbered.batch.len(), first_seq = numbered.batch.first().map(|e| e.seq), "event batch not stored: the hub stopped while the store was failing");
                        next = w.store.last().ok().flatten().map_or(0, |(s, _)| s + 1);
                        for a in group {
                            if let Some(ack) = a.ack {
                                let _ = ack.send(Err(BusError::Storage(e.to_string())));
                            }
                        }
                    }
                }
            }
            let _ = w.store.flush();
        })
        .map_err(|e| BusError::Storage(format!("cannot start the bus writer thread: {e}")))
}

/// A group commit: `first` and whatever else is queued, up to [`MAX_BATCH`] events.
fn gather(rx: &mut mpsc::Receiver<Append>, first: Append) -> Vec<Append> {
    let mut count = first.events.len();
    let mut group = vec![first];
    while count < MAX_BATCH {
        match rx.try_recv() {
            Ok(a) => {
                count += a.events.len();
                group.push(a);
            }
            Err(_) => break,
        }
    }
    group
}

/// A group's events, numbered from `next` and stamped `now`.
struct Numbered {
    batch: Vec<Event>,
    /// The seqs of each append, in order.
    seqs: Vec<Vec<u64>>,
    /// Fsync before acknowledging: the policy says so, or a red event is among them.
    must_flush: bool,
}

fn number(
    group: &mut [Append],
    next: &mut u64,
    now: i64,
    site: &str,
    flush: FlushPolicy,
) -> Numbered {
    let count = group.iter().map(|a| a.events.len()).sum();
    let mut out = Numbered {
        batch: Vec::with_capacity(count),
        seqs: Vec::with_capacity(group.len()),
        must_flush: flush == FlushPolicy::EveryBatch,
    };
    for a in group {
        let mut seqs = Vec::with_capacity(a.events.len());
        for body in a.events.drain(..) {
            out.must_flush |= body.level == Level::Red;
            seqs.push(*next);
            out.batch.push(Event {
                seq: *next,
                time_ms: now,
                site: site.to_owned(),
                body,
            });
            *next += 1;
        }
        out.seqs.push(seqs);
    }
    out
}

impl Writer {
    /// Store a numbered group. One that cannot be stored is held and tried
    /// again: the producers wait (their queue fills and pushes them back),
    /// nothing they handed over is dropped; only a hub closing gives up.
    fn store(&self, n: &Numbered) -> Result<(), BusError> {
        let mut wait = FIRST_RETRY;
        loop {
            let result = if self.health.take_injected() {
                Err(BusError::Storage(
                    "injected write failure (fault drill)".into(),
                ))
            } else {
                self.store.write(&n.batch).and_then(|()| {
                    if n.must_flush {
                        self.store.flush()
                    } else {
                        Ok(())
                    }
                })
            };
            match result {
                Ok(()) => {
                    self.health.stored();
                    return Ok(());
                }
                Err(e) if self.health.closing.load(Ordering::SeqCst) => return Err(e),
                Err(e) => {
                    self.health.failed(&e.to_string());
                    std::thread::sleep(wait);
                    wait = (wait * 2).min(MAX_RETRY);
                }
            }
        }
    }
}
