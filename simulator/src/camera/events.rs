//! The camera's event state and its pull-point subscriptions.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// A camera condition that ONVIF reports as an event topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Topic {
    /// `tns1:RuleEngine/CellMotionDetector/Motion`, data `IsMotion`.
    Motion,
    /// `tns1:RuleEngine/TamperDetector/Tamper`, data `IsTamper`.
    Tamper,
    /// `tns1:VideoSource/SignalLoss`, data `State`.
    SignalLoss,
}

impl Topic {
    /// Every topic.
    pub const ALL: [Topic; 3] = [Topic::Motion, Topic::Tamper, Topic::SignalLoss];

    /// The topic expression.
    pub fn expression(self) -> &'static str {
        match self {
            Topic::Motion => "tns1:RuleEngine/CellMotionDetector/Motion",
            Topic::Tamper => "tns1:RuleEngine/TamperDetector/Tamper",
            Topic::SignalLoss => "tns1:VideoSource/SignalLoss",
        }
    }

    /// The data item's name.
    pub fn data_name(self) -> &'static str {
        match self {
            Topic::Motion => "IsMotion",
            Topic::Tamper => "IsTamper",
            Topic::SignalLoss => "State",
        }
    }

    /// The source item (rule engine topics name the analytics config; video source topics the source).
    pub fn source(self) -> (&'static str, &'static str) {
        match self {
            Topic::SignalLoss => ("Source", "vs0"),
            _ => ("VideoSourceConfigurationToken", "vsc0"),
        }
    }
}

/// One message for a subscriber.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Topic.
    pub topic: Topic,
    /// New state.
    pub value: bool,
    /// `Initialized` (synchronisation) or `Changed`.
    pub initialized: bool,
    /// When, ms since the epoch.
    pub time_ms: i64,
}

#[derive(Debug)]
struct Subscription {
    expires: Instant,
    cursor: usize,
    sync: bool,
}

/// State, change log and subscriptions.
#[derive(Debug, Default)]
pub struct EventState {
    current: HashMap<Topic, bool>,
    log: Vec<Message>,
    subs: HashMap<u64, Subscription>,
    next_id: u64,
}

/// Why a subscription call failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubError {
    /// Unknown or expired (the camera rebooted, or nobody renewed).
    ResourceUnknown,
}

/// Most messages kept for slow subscribers.
const LOG_CAP: usize = 10_000;

impl EventState {
    /// Set a condition; returns whether it changed (only real transitions are messages).
    pub fn set(&mut self, topic: Topic, value: bool, now_ms: i64) -> bool {
        let old = self.current.insert(topic, value).unwrap_or(false);
        if old == value {
            return false;
        }
        if self.log.len() >= LOG_CAP {
            let drop = LOG_CAP / 2;
            self.log.drain(..drop);
            for s in self.subs.values_mut() {
                s.cursor = s.cursor.saturating_sub(drop);
            }
        }
        self.log.push(Message {
            topic,
            value,
            initialized: false,
            time_ms: now_ms,
        });
        true
    }

    /// Current value of a condition.
    pub fn get(&self, topic: Topic) -> bool {
        self.current.get(&topic).copied().unwrap_or(false)
    }

    /// A new subscription living `ttl`; it starts with a synchronisation.
    pub fn subscribe(&mut self, ttl: Duration, now: Instant) -> (u64, Instant) {
        self.expire(now);
        self.next_id += 1;
        let expires = now + ttl;
        self.subs.insert(
            self.next_id,
            Subscription {
                expires,
                cursor: self.log.len(),
                sync: true,
            },
        );
        (self.next_id, expires)
    }

    /// Extend a subscription.
    pub fn renew(&mut self, id: u64, ttl: Duration, now: Instant) -> Result<Instant, SubError> {
        self.expire(now);
        let s = self.subs.get_mut(&id).ok_or(SubError::ResourceUnknown)?;
        s.expires = now + ttl;
        Ok(s.expires)
    }

    /// End a subscription.
    pub fn unsubscribe(&mut self, id: u64) -> Result<(), SubError> {
        self.subs
            .remove(&id)
            .map(|_| ())
            .ok_or(SubError::ResourceUnknown)
    }

    /// Ask for the current state again (`SetSynchronizationPoint`).
    pub fn synchronize(&mut self, id: u64, now: Instant) -> Result<(), SubError> {
        self.expire(now);
        self.subs
            .get_mut(&id)
            .map(|s| s.sync = true)
            .ok_or(SubError::ResourceUnknown)
    }

    /// Up to `limit` messages for subscription `id` (empty when none yet), and its expiry.
    pub fn pull(
        &mut self,
        id: u64,
        limit: usize,
        now: Instant,
        now_ms: i64,
    ) -> Result<(Vec<Message>, Instant), SubError> {
        self.expire(now);
        let current: Vec<(Topic, bool)> = Topic::ALL.iter().map(|t| (*t, self.get(*t))).collect();
        let s = self.subs.get_mut(&id).ok_or(SubError::ResourceUnknown)?;
        let mut out = Vec::new();
        if s.sync {
            s.sync = false;
            s.cursor = self.log.len();
            out.extend(current.into_iter().map(|(topic, value)| Message {
                topic,
                value,
                initialized: true,
                time_ms: now_ms,
            }));
        }
        let take = limit.saturating_sub(out.len());
        let end = (s.cursor + take).min(self.log.len());
        out.extend(self.log[s.cursor..end].iter().cloned());
        s.cursor = end;
        Ok((out, s.expires))
    }

    /// Forget every subscription (a reboot).
    pub fn reboot(&mut self) {
        self.subs.clear();
    }

    fn expire(&mut self, now: Instant) {
        self.subs.retain(|_, s| s.expires > now);
    }

    /// Live subscriptions.
    pub fn subscriptions(&self) -> usize {
        self.subs.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscribers_get_a_sync_then_only_real_transitions() {
        let t0 = Instant::now();
        let mut s = EventState::default();
        let (id, _) = s.subscribe(Duration::from_secs(60), t0);
        let (m, _) = s.pull(id, 10, t0, 0).unwrap();
        assert_eq!(m.len(), 3);
        assert!(m.iter().all(|m| m.initialized && !m.value));
        assert!(s.set(Topic::Motion, true, 1));
        assert!(
            !s.set(Topic::Motion, true, 2),
            "no message without a transition"
        );
        s.set(Topic::Motion, false, 3);
        let (m, _) = s.pull(id, 10, t0, 4).unwrap();
        assert_eq!(
            m.iter().map(|m| m.value).collect::<Vec<_>>(),
            vec![true, false]
        );
        assert!(s.pull(id, 10, t0, 5).unwrap().0.is_empty());
    }

    #[test]
    fn subscriptions_expire_unless_renewed_and_die_with_a_reboot() {
        let t0 = Instant::now();
        let mut s = EventState::default();
        let (a, _) = s.subscribe(Duration::from_secs(10), t0);
        let (b, _) = s.subscribe(Duration::from_secs(10), t0);
        s.renew(a, Duration::from_secs(10), t0 + Duration::from_secs(8))
            .unwrap();
        assert_eq!(
            s.pull(b, 10, t0 + Duration::from_secs(11), 0),
            Err(SubError::ResourceUnknown)
        );
        assert!(s.pull(a, 10, t0 + Duration::from_secs(11), 0).is_ok());
        s.reboot();
        assert_eq!(
            s.renew(a, Duration::from_secs(10), t0),
            Err(SubError::ResourceUnknown)
        );
    }
}
