//! Views the hub keeps of its own log (the alarm book, the people view, the
//! vehicle rules): replay the log from its start, then follow it live; judge
//! what is due on a clock; write the verdicts back to the log. Ready once the
//! replay has caught up, so the views never answer from half a history.
//!
//! Every view is fed by one reader ([`Views`]): the log is read and decoded
//! once for all of them, not once each (decoding is most of a rebuild's
//! cost, and a campus log holds millions of events).
//!
//! A verdict made while replaying is normally in the log already, later than
//! its cause; the runner holds it until the log shows it, and writes the
//! ones still missing (the hub stopped between a cause and its verdict) once
//! caught up. Nothing is judged twice and nothing is lost.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

use crate::bus::{Bus, Event, Filter, NewEvent};
use crate::clock::Clock;

/// What a view does with the log.
pub trait Rules: Send + 'static {
    /// Name for log lines.
    const NAME: &'static str;
    /// Take one event of the log into account; verdicts it causes.
    fn on_event(&mut self, e: &Event) -> Vec<NewEvent>;
    /// Verdicts due at `now_ms` (asked only once caught up).
    fn on_tick(&mut self, now_ms: i64) -> Vec<NewEvent>;
    /// What names a verdict, whether being made or read back from the log;
    /// `None` for events that are not this view's verdicts.
    fn verdict_key(&self, e: &NewEvent) -> Option<String>;
}

/// A running view; cheap to clone.
pub struct Projection<S> {
    state: Arc<Mutex<S>>,
    ready: Arc<AtomicBool>,
    /// The seq after the last event taken in.
    applied: Arc<tokio::sync::watch::Sender<u64>>,
    /// Where the replay catches up (the log's end when it began).
    replay_end: Arc<AtomicU64>,
}

impl<S> Clone for Projection<S> {
    fn clone(&self) -> Self {
        Projection {
            state: self.state.clone(),
            ready: self.ready.clone(),
            applied: self.applied.clone(),
            replay_end: self.replay_end.clone(),
        }
    }
}

impl<S: Rules> Projection<S> {
    /// A view of its own reader (a view alone, as in tests): replay the log
    /// into `state`, follow it, and ask for due verdicts every `every`.
    pub fn spawn(
        bus: Bus,
        clock: Clock,
        state: S,
        every: Duration,
    ) -> (Self, tokio::task::JoinHandle<()>) {
        let mut views = Views::default();
        let view = views.add(state, every);
        (view, views.spawn(bus, clock))
    }

    fn new(state: S) -> Self {
        Projection {
            state: Arc::new(Mutex::new(state)),
            ready: Arc::default(),
            applied: Arc::new(tokio::sync::watch::channel(0).0),
            replay_end: Arc::default(),
        }
    }

    /// One event of the log; the verdicts to write now.
    fn take(
        &self,
        e: &Event,
        caught_up_at: u64,
        held: &mut Vec<(String, NewEvent)>,
    ) -> Vec<NewEvent> {
        let mut state = self.lock();
        let verdicts = state.on_event(e);
        if self.ready.load(SeqCst) {
            return verdicts;
        }
        if let Some(k) = state.verdict_key(&e.body) {
            held.retain(|(h, _)| *h != k);
        }
        held.extend(
            verdicts
                .into_iter()
                .filter_map(|v| Some((state.verdict_key(&v)?, v))),
        );
        if e.seq + 1 >= caught_up_at {
            self.ready.store(true, SeqCst);
            return held.drain(..).map(|(_, v)| v).collect();
        }
        Vec::new()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, S> {
        self.state.lock().unwrap_or_else(|x| x.into_inner())
    }

    /// Whether the replay has caught up.
    pub fn ready(&self) -> bool {
        self.ready.load(SeqCst)
    }

    /// While replaying: the seq read up to (to the last 1,024) and the seq
    /// the replay catches up at, for a client waiting on a restart; `None`
    /// once ready.
    pub fn replaying(&self) -> Option<(u64, u64)> {
        (!self.ready()).then(|| (*self.applied.borrow(), self.replay_end.load(SeqCst)))
    }

    /// Wait until the event `seq` is taken in (an action just appended is
    /// in the view before its caller is answered); false after `within`.
    pub async fn taken(&self, seq: u64, within: Duration) -> bool {
        let mut rx = self.applied.subscribe();
        tokio::time::timeout(within, rx.wait_for(|n| *n > seq))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    /// Read the state.
    pub fn with<R>(&self, f: impl FnOnce(&S) -> R) -> R {
        f(&self.lock())
    }
}

/// A view as the reader sees it, whatever its state.
trait Fed: Send {
    fn name(&self) -> &'static str;
    /// The replay begins; it catches up at `end` (at once when 0).
    fn begin(&self, end: u64);
    fn take(&mut self, e: &Event, caught_up_at: u64) -> Vec<NewEvent>;
    fn tick(&mut self, now_ms: i64) -> Vec<NewEvent>;
    fn every(&self) -> Duration;
}

/// One view under the reader: the view, its held verdicts, its tick.
struct Feeding<S> {
    view: Projection<S>,
    held: Vec<(String, NewEvent)>,
    every: Duration,
}

impl<S: Rules> Fed for Feeding<S> {
    fn name(&self) -> &'static str {
        S::NAME
    }

    fn begin(&self, end: u64) {
        self.view.replay_end.store(end, SeqCst);
        if end == 0 {
            self.view.ready.store(true, SeqCst);
        }
    }

    fn take(&mut self, e: &Event, caught_up_at: u64) -> Vec<NewEvent> {
        let out = self.view.take(e, caught_up_at, &mut self.held);
        // Nobody waits on a replaying view's position but a progress
        // report: waking the watchers for each of ten million events would
        // cost more than the view itself.
        if self.view.ready() || (e.seq + 1).is_multiple_of(1024) {
            self.view.applied.send_replace(e.seq + 1);
        }
        out
    }

    fn tick(&mut self, now_ms: i64) -> Vec<NewEvent> {
        if !self.view.ready() {
            return Vec::new();
        }
        self.view.lock().on_tick(now_ms)
    }

    fn every(&self) -> Duration {
        self.every
    }
}

/// The views fed by one reader of the log.
#[derive(Default)]
pub struct Views {
    fed: Vec<Box<dyn Fed>>,
}

impl Views {
    /// A view over `state`, asked for due verdicts every `every`; it starts
    /// when [`Views::spawn`] does.
    pub fn add<S: Rules>(&mut self, state: S, every: Duration) -> Projection<S> {
        let view = Projection::new(state);
        self.fed.push(Box::new(Feeding {
            view: view.clone(),
            held: Vec::new(),
            every: every.max(Duration::from_millis(1)),
        }));
        view
    }

    /// Read the log once for every view: replay it from its start, then
    /// follow it; each view's tick on its own interval.
    pub fn spawn(self, bus: Bus, clock: Clock) -> tokio::task::JoinHandle<()> {
        let mut fed = self.fed;
        // Where the replay catches up, known to every view before the
        // reader runs (a progress report is never "0 of 0").
        let caught_up_at = bus.next_seq();
        fed.iter().for_each(|f| f.begin(caught_up_at));
        tokio::spawn(async move {
            let mut sub = bus.subscribe(
                bus.first_seq().ok().flatten().unwrap_or(0),
                Filter::default(),
            );
            let Some(every) = fed.iter().map(|f| f.every()).min() else {
                return;
            };
            let mut due: Vec<Instant> = fed.iter().map(|_| Instant::now()).collect();
            let mut tick = tokio::time::interval(every);
            loop {
                let out: Vec<(&'static str, Vec<NewEvent>)> = tokio::select! {
                    e = sub.next() => match e {
                        Ok(e) => fed
                            .iter_mut()
                            .map(|f| (f.name(), f.take(&e, caught_up_at)))
                            .collect(),
                        Err(err) => {
                            // The bus closed (the hub stops), or the store
                            // cannot be read: every view stays where it is.
                            let names: Vec<_> = fed.iter().map(|f| f.name()).collect();
                            tracing::warn!(error = %err, views = ?names, "the views stop following the log");
                            return;
                        }
                    },
                    at = tick.tick() => {
                        let now_ms = clock.now_ms();
                        fed.iter_mut()
                            .zip(&mut due)
                            .filter(|(_, due)| **due <= at)
                            .map(|(f, due)| {
                                // Each on its own period, not rounded up to
                                // a multiple of the shortest.
                                *due = (*due + f.every()).max(at);
                                (f.name(), f.tick(now_ms))
                            })
                            .collect()
                    }
                };
                for (name, verdicts) in out {
                    if !verdicts.is_empty()
                        && let Err(err) = bus.append(verdicts).await
                    {
                        tracing::error!(error = %err, view = name, "verdicts not recorded");
                    }
                }
            }
        })
    }
}
