//! Which events the broker has acknowledged, so the durable cursor moves only
//! past events that are safely at the broker, in order.

use std::collections::{BTreeSet, HashMap, VecDeque};

/// Tracks publishes from `try_publish` through their packet id to PUBACK.
#[derive(Debug)]
pub struct Acks {
    /// Publishes handed to the client, in order, not yet given a packet id:
    /// `Some(seq)` for events, `None` for other messages.
    queued: VecDeque<Option<u64>>,
    /// Packet id → event seq, for events on the wire.
    on_wire: HashMap<u16, u64>,
    /// Acknowledged seqs above the cursor.
    acked: BTreeSet<u64>,
    /// Every seq below this is acknowledged (the cursor).
    next: u64,
    /// Seqs handed out but skipped (filtered events never published) are acked at once.
    expected: VecDeque<u64>,
}

impl Acks {
    /// Start at cursor `next`.
    pub fn new(next: u64) -> Self {
        Acks {
            queued: VecDeque::new(),
            on_wire: HashMap::new(),
            acked: BTreeSet::new(),
            next,
            expected: VecDeque::new(),
        }
    }

    /// An event publish was queued.
    pub fn queued_event(&mut self, seq: u64) {
        self.queued.push_back(Some(seq));
        self.expected.push_back(seq);
    }

    /// A non-event publish (state, status, reply) was queued.
    pub fn queued_other(&mut self) {
        self.queued.push_back(None);
    }

    /// The client sent the next queued publish with packet id `pkid`.
    pub fn sent(&mut self, pkid: u16) {
        if let Some(Some(seq)) = self.queued.pop_front() {
            self.on_wire.insert(pkid, seq);
        }
    }

    /// The broker acknowledged `pkid`. Returns the new cursor if it moved.
    pub fn acked(&mut self, pkid: u16) -> Option<u64> {
        let seq = self.on_wire.remove(&pkid)?;
        self.acked.insert(seq);
        self.advance()
    }

    /// Event `seq` will not be published (recorded as dropped instead): the
    /// cursor may pass it. Returns the new cursor if it moved.
    pub fn skipped(&mut self, seq: u64) -> Option<u64> {
        self.expected.push_back(seq);
        self.acked.insert(seq);
        self.advance()
    }

    fn advance(&mut self) -> Option<u64> {
        let before = self.next;
        while let Some(&front) = self.expected.front() {
            if !self.acked.remove(&front) {
                break;
            }
            self.expected.pop_front();
            self.next = front + 1;
        }
        (self.next != before).then_some(self.next)
    }

    /// Events published and not yet acknowledged.
    pub fn in_flight(&self) -> usize {
        self.expected.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_moves_only_over_a_contiguous_acked_prefix() {
        let mut a = Acks::new(10);
        a.queued_event(10);
        a.queued_other();
        a.queued_event(11);
        a.queued_event(12);
        a.sent(1);
        a.sent(2);
        a.sent(3);
        a.sent(4);
        assert_eq!(a.in_flight(), 3);
        assert_eq!(a.acked(3), None, "11 acked before 10: cursor stays");
        assert_eq!(a.acked(2), None, "a state message does not move the cursor");
        assert_eq!(a.acked(1), Some(12), "10 and 11 now both acked");
        assert_eq!(a.acked(4), Some(13));
        assert_eq!(a.in_flight(), 0);
        assert_eq!(a.acked(99), None, "unknown packet ids are ignored");
        a.queued_event(13);
        a.sent(5);
        assert_eq!(a.skipped(14), None, "14 waits behind 13 on the wire");
        assert_eq!(a.acked(5), Some(15));
        assert_eq!(a.skipped(15), Some(16));
    }
}
