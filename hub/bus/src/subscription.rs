//! Replay-then-follow subscriptions with no gap and no duplicate.
//!
//! The live receiver is taken before anything is read from disk. Events are
//! read from the store while it holds seqs the subscriber has not seen; live
//! events below the next wanted seq are dropped as already delivered, and a
//! live event above it (the subscriber lagged) sends it back to the store.
//! The writer publishes the committed seq before it sends events live, so the
//! store always has what the live channel skipped.

use std::collections::VecDeque;
use std::sync::Arc;

use tokio::sync::{broadcast, watch};

use super::{Bus, BusError, Event, Filter};

/// Events a subscription looks at before it lets other tasks run.
const SCAN_BUDGET: u32 = 2048;
/// Events read from the store at a time.
const READ: usize = 512;

/// A read of the store under way: the events from `from` on.
struct Reading {
    from: u64,
    task: tokio::task::JoinHandle<Result<Vec<Event>, BusError>>,
}

/// A cursor over the log that ends only when the bus closes.
pub struct Subscription {
    bus: Bus,
    next: u64,
    filter: Filter,
    live: broadcast::Receiver<Arc<Event>>,
    committed: watch::Receiver<u64>,
    buffered: VecDeque<Event>,
    /// The next read, started before the subscriber has used up the last:
    /// a replay decodes on the blocking pool while its subscriber works.
    ahead: Option<Reading>,
}

impl Subscription {
    pub(super) fn new(bus: Bus, from: u64, filter: Filter) -> Self {
        let live = bus.live();
        let committed = bus.next_seq_watch();
        Subscription {
            bus,
            next: from,
            filter,
            live,
            committed,
            buffered: VecDeque::new(),
            ahead: None,
        }
    }

    /// The seq of the next event this subscription will consider.
    pub fn position(&self) -> u64 {
        self.next
    }

    /// The next matching event.
    pub async fn next(&mut self) -> Result<Event, BusError> {
        let mut scanned = 0u32;
        loop {
            if let Some(e) = self.next_any().await?
                && self.filter.matches(&e)
            {
                return Ok(e);
            }
            // A narrow filter over a long log scans many events per match:
            // give the other tasks of this worker their turn now and then.
            scanned += 1;
            if scanned.is_multiple_of(SCAN_BUDGET) {
                tokio::task::yield_now().await;
            }
        }
    }

    /// The next event in order, matching or not (`None`: it was skipped by retention).
    async fn next_any(&mut self) -> Result<Option<Event>, BusError> {
        if let Some(e) = self.buffered.pop_front() {
            self.next = e.seq + 1;
            return Ok(Some(e));
        }
        if self.next < *self.committed.borrow() {
            let (store, from) = (&self.bus.inner.store, self.next);
            let reading = match &mut self.ahead {
                Some(r) if r.from == from => r,
                slot => slot.insert(read(store, from)),
            };
            // Awaited in place: a caller that gives up on `next` (a select
            // on a timer) finds the same read still under way next time.
            let chunk = (&mut reading.task).await;
            self.ahead = None;
            let chunk = chunk.map_err(|_| BusError::Closed)??;
            match chunk.first() {
                Some(first) if first.seq >= self.next => {
                    let after = chunk.last().map_or(self.next, |e| e.seq + 1);
                    if chunk.len() == READ && after < *self.committed.borrow() {
                        self.ahead = Some(read(&self.bus.inner.store, after));
                    }
                    self.buffered.extend(chunk);
                    return Ok(None);
                }
                _ => {}
            }
        }
        match self.live.recv().await {
            Ok(e) if e.seq == self.next => {
                self.next += 1;
                Ok(Some((*e).clone()))
            }
            // Already delivered from disk, or ahead of us: the store has the rest.
            Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => Ok(None),
            Err(broadcast::error::RecvError::Closed) => Err(BusError::Closed),
        }
    }
}

/// Read the events from `from` on. Disk reads run on the blocking pool,
/// never on the async workers that serve every other request.
fn read(store: &Arc<crate::store::Store>, from: u64) -> Reading {
    let store = store.clone();
    Reading {
        from,
        task: tokio::task::spawn_blocking(move || store.range(from, READ)),
    }
}
