//! The event bus: DESIGN contract 3. An append-only log on disk with
//! group-committed writes, filtered queries, gap-free subscriptions that
//! replay from disk and then follow live, durable consumer cursors and
//! retention by age and size.

mod chunk;
mod health;
mod postings;
mod query;
mod retention;
mod store;
mod subscription;
mod writer;

use std::path::Path;
use std::sync::Arc;

use tokio::sync::{broadcast, mpsc, oneshot, watch};

pub use query::{Filter, Page};
pub use retention::Retention;
pub use subscription::Subscription;
pub use twinwall_base::event::{
    AttrValue, Event, Level, MediaRef, NewEvent, Phase, format_ms, now_ms,
};

use store::Store;
pub use store::encode;

/// Bus failures. Every variant names what failed.
#[derive(Debug, thiserror::Error)]
pub enum BusError {
    /// The store could not be opened.
    #[error("cannot open the event store at {path}: {source}")]
    Open {
        /// Folder.
        path: String,
        /// Cause.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// sled reported an error.
    #[error("event store: {0}")]
    Storage(String),
    /// An event could not be encoded.
    #[error("cannot encode event {seq}: {message}")]
    Encode {
        /// The seq it would have had.
        seq: u64,
        /// Why.
        message: String,
    },
    /// A stored event could not be decoded (corruption or a format change).
    #[error("cannot decode a stored event: {0}")]
    Decode(String),
    /// The bus is shutting down.
    #[error("the event bus is closed")]
    Closed,
}

impl BusError {
    fn from_sled(e: sled::Error) -> Self {
        BusError::Storage(e.to_string())
    }
}

/// When appended events reach the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlushPolicy {
    /// fsync every group-commit batch before acknowledging it.
    EveryBatch,
    /// Let sled flush every `ms`; red events still flush before they are acknowledged.
    Interval(u64),
}

/// Bus settings.
#[derive(Debug, Clone)]
pub struct BusOptions {
    /// Site id stamped on every event.
    pub site: String,
    /// Flush policy.
    pub flush: FlushPolicy,
    /// Retention.
    pub retention: Retention,
}

struct Inner {
    store: Arc<Store>,
    site: String,
    tx: mpsc::Sender<writer::Append>,
    live: broadcast::Sender<Arc<Event>>,
    /// The seq the next appended event will get; everything below is committed.
    next_seq: watch::Receiver<u64>,
    writer: std::sync::Mutex<Option<std::thread::JoinHandle<()>>>,
    health: Arc<health::WriteHealth>,
}

impl Drop for Inner {
    /// Close the queue and wait for the writer, so the store is flushed and
    /// released (it can be reopened at once) when the last handle goes.
    fn drop(&mut self) {
        self.health
            .closing
            .store(true, std::sync::atomic::Ordering::SeqCst);
        let (closed, _) = mpsc::channel(1);
        drop(std::mem::replace(&mut self.tx, closed));
        if let Some(h) = self.writer.lock().ok().and_then(|mut w| w.take()) {
            let _ = h.join();
        }
    }
}

/// A handle to the bus; cheap to clone.
#[derive(Clone)]
pub struct Bus {
    inner: Arc<Inner>,
}

/// How many appends may wait for the writer before `append` waits too.
const QUEUE: usize = 4096;
/// How many live events a slow subscriber may fall behind before it re-reads from disk.
const LIVE_BUFFER: usize = 8192;

impl Bus {
    /// Open the bus on the store in `dir` and start its writer thread.
    pub fn open(dir: &Path, options: BusOptions) -> Result<Self, BusError> {
        let flush_every = match options.flush {
            FlushPolicy::EveryBatch => None,
            FlushPolicy::Interval(ms) => Some(ms),
        };
        let store = Arc::new(Store::open(dir, flush_every)?);
        let (next, last_time) = match store.last()? {
            Some((seq, t)) => (seq + 1, t),
            None => (0, 0),
        };
        let (tx, rx) = mpsc::channel(QUEUE);
        let (live, _) = broadcast::channel(LIVE_BUFFER);
        let (next_tx, next_seq) = watch::channel(next);
        let health = Arc::new(health::WriteHealth::default());
        metrics::gauge!("twinwall_bus_writable").set(1.0);
        let handle = writer::spawn(
            writer::Writer {
                store: store.clone(),
                site: options.site.clone(),
                flush: options.flush,
                last_time,
                health: health.clone(),
            },
            rx,
            next_tx,
            live.clone(),
        )?;
        let inner = Arc::new(Inner {
            store,
            site: options.site.clone(),
            tx,
            live,
            next_seq,
            writer: std::sync::Mutex::new(Some(handle)),
            health,
        });
        retention::spawn(Arc::downgrade(&inner), options.retention);
        Ok(Bus { inner })
    }

    /// Append events and wait until they are committed (and, per the flush
    /// policy, on disk). Returns their sequence numbers.
    pub async fn append(&self, events: Vec<NewEvent>) -> Result<Vec<u64>, BusError> {
        let done = self.submit_acked(events).await?;
        done.await.map_err(|_| BusError::Closed)?
    }

    /// Queue events for appending without waiting for the commit. Waits only
    /// when the queue is full (back-pressure on the producer).
    pub async fn submit(&self, events: Vec<NewEvent>) -> Result<(), BusError> {
        if events.is_empty() {
            return Ok(());
        }
        self.inner
            .tx
            .send(writer::Append { events, ack: None })
            .await
            .map_err(|_| BusError::Closed)
    }

    /// Queue events and return at once a receiver that hears when they are
    /// committed (or failed to be), without waiting for it here.
    pub async fn submit_acked(
        &self,
        events: Vec<NewEvent>,
    ) -> Result<oneshot::Receiver<Result<Vec<u64>, BusError>>, BusError> {
        let (ack, done) = oneshot::channel();
        self.inner
            .tx
            .send(writer::Append {
                events,
                ack: Some(ack),
            })
            .await
            .map_err(|_| BusError::Closed)?;
        Ok(done)
    }

    /// Why the store is not taking writes, while it is not (the writer
    /// holds the events and retries). `None` when healthy.
    pub fn write_error(&self) -> Option<String> {
        self.inner.health.error()
    }

    /// Batch writes that failed since the bus opened.
    pub fn write_failures(&self) -> u64 {
        self.inner.health.failures()
    }

    /// Fault drill: make the next `n` batch writes fail as a full disk
    /// would (0 ends the drill). The events are held and stored once writes
    /// succeed again.
    pub fn inject_write_failures(&self, n: u64) {
        self.inner.health.inject(n);
    }

    /// The site id.
    pub fn site(&self) -> &str {
        &self.inner.site
    }

    /// The seq the next event will get (= number of events ever appended).
    pub fn next_seq(&self) -> u64 {
        *self.inner.next_seq.borrow()
    }

    /// Oldest retained seq.
    pub fn first_seq(&self) -> Result<Option<u64>, BusError> {
        self.inner.store.first_seq()
    }

    /// Approximate stored bytes.
    pub fn bytes(&self) -> u64 {
        self.inner.store.bytes()
    }

    /// One event by seq.
    pub fn get(&self, seq: u64) -> Result<Option<Event>, BusError> {
        self.inner.store.get(seq)
    }

    /// Events matching `filter`, oldest first, one page at a time.
    pub fn query(&self, filter: &Filter) -> Result<Page, BusError> {
        query::run(&self.inner.store, filter)
    }

    /// Everything from `from` on (replayed from disk), then live, with no gap
    /// and no duplicate. Events not matching `filter` are skipped.
    pub fn subscribe(&self, from: u64, filter: Filter) -> Subscription {
        Subscription::new(self.clone(), from, filter)
    }

    /// A durable consumer's position (the next seq it wants), if it has one.
    pub fn cursor(&self, name: &str) -> Result<Option<u64>, BusError> {
        self.inner.store.cursor(name)
    }

    /// Record that consumer `name` has handled everything below `next`.
    pub fn commit_cursor(&self, name: &str, next: u64) -> Result<(), BusError> {
        self.inner.store.set_cursor(name, next)
    }

    /// Subscribe from a durable cursor (or from `default_from` for a new consumer).
    pub fn subscribe_durable(
        &self,
        name: &str,
        default_from: u64,
        filter: Filter,
    ) -> Result<Subscription, BusError> {
        let from = self.cursor(name)?.unwrap_or(default_from);
        Ok(self.subscribe(from, filter))
    }

    /// Store a picture by content hash, before the event that refers to it.
    pub fn put_media(&self, hash: &str, content_type: &str, data: &[u8]) -> Result<(), BusError> {
        self.inner.store.put_media(hash, content_type, data)
    }

    /// A stored picture by content hash: its content type and bytes.
    pub fn media(&self, hash: &str) -> Result<Option<(String, Vec<u8>)>, BusError> {
        self.inner.store.media(hash)
    }

    /// Make every committed event durable now.
    pub fn flush(&self) -> Result<(), BusError> {
        self.inner.store.flush()
    }

    fn live(&self) -> broadcast::Receiver<Arc<Event>> {
        self.inner.live.subscribe()
    }

    fn next_seq_watch(&self) -> watch::Receiver<u64> {
        self.inner.next_seq.clone()
    }
}
