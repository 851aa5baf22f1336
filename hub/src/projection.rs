//! Views the hub keeps of its own log (the people view, the vehicle rules):
//! replay the log from its start, then follow it live; judge what is due on
//! a clock; write the verdicts back to the log. Ready once the replay has
//! caught up, so the views never answer from half a history.
//!
//! A verdict made while replaying is normally in the log already, later than
//! its cause; the runner holds it until the log shows it, and writes the
//! ones still missing (the hub stopped between a cause and its verdict) once
//! caught up. Nothing is judged twice and nothing is lost.

use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::time::Duration;

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
}

impl<S> Clone for Projection<S> {
    fn clone(&self) -> Self {
        Projection {
            state: self.state.clone(),
            ready: self.ready.clone(),
            applied: self.applied.clone(),
        }
    }
}

impl<S: Rules> Projection<S> {
    /// Replay the log into `state`, follow it, and ask for due verdicts every
    /// `every`.
    pub fn spawn(
        bus: Bus,
        clock: Clock,
        state: S,
        every: Duration,
    ) -> (Self, tokio::task::JoinHandle<()>) {
        let me = Projection {
            state: Arc::new(Mutex::new(state)),
            ready: Arc::default(),
            applied: Arc::new(tokio::sync::watch::channel(0).0),
        };
        let view = me.clone();
        let task = tokio::spawn(async move {
            let caught_up_at = bus.next_seq();
            let mut sub = bus.subscribe(
                bus.first_seq().ok().flatten().unwrap_or(0),
                Filter::default(),
            );
            if caught_up_at == 0 {
                me.ready.store(true, SeqCst);
            }
            let mut held: Vec<(String, NewEvent)> = Vec::new();
            let mut tick = tokio::time::interval(every);
            loop {
                let out = tokio::select! {
                    e = sub.next() => match e {
                        Ok(e) => {
                            let out = me.take(&e, caught_up_at, &mut held);
                            me.applied.send_replace(e.seq + 1);
                            out
                        }
                        Err(_) => return,
                    },
                    _ = tick.tick() => {
                        if !me.ready.load(SeqCst) {
                            continue;
                        }
                        me.lock().on_tick(clock.now_ms())
                    }
                };
                if !out.is_empty()
                    && let Err(err) = bus.append(out).await
                {
                    tracing::error!(error = %err, view = S::NAME, "verdicts not recorded");
                }
            }
        });
        (view, task)
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
