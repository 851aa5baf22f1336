//! Retention's deletions: a pure plan of which whole entries go (from the
//! oldest, while every event of the entry is doomed, judged with the bytes
//! the log will hold once what goes before has gone, pictures included),
//! then the store applies it: indexes first, events, the time index, the
//! byte count and the pictures' references.

use std::collections::HashMap;

use twinwall_base::Event;

use super::layout::time_entry_last;
use super::{IndexLists, Store, count_of, index_key, seq_of};
use crate::BusError;
use crate::postings;

/// One stored entry, as the plan judges it.
pub(super) struct Entry<K> {
    /// Its key.
    pub key: K,
    /// Its stored bytes.
    pub bytes: u64,
    /// Its events, in order.
    pub events: Vec<Event>,
}

/// What one pass removes.
#[derive(Debug, PartialEq)]
pub(super) struct Plan<K> {
    /// The entries that go, oldest first.
    pub entries: Vec<K>,
    /// Their events.
    pub events: Vec<Event>,
    /// Their stored bytes.
    pub freed: u64,
}

/// Plan a pass over `entries` (oldest first), the log holding `bytes`: whole
/// entries go while all their events are `doomed(event, bytes left)`, until
/// `max` events have gone. `picture(hash)` gives a picture's references and
/// size, so a picture going with its last event counts as freed.
pub(super) fn plan<K, E>(
    entries: impl Iterator<Item = Result<Entry<K>, E>>,
    mut bytes: u64,
    max: usize,
    doomed: impl Fn(&Event, u64) -> bool,
    mut picture: impl FnMut(&str) -> Result<(u64, u64), E>,
) -> Result<Plan<K>, E> {
    let mut out = Plan {
        entries: Vec::new(),
        events: Vec::new(),
        freed: 0,
    };
    // References this pass drops, by picture.
    let mut dropped: HashMap<String, u64> = HashMap::new();
    for entry in entries {
        if out.events.len() >= max {
            break;
        }
        let entry = entry?;
        // Judged by the log's size before the entry goes: over the cap, the
        // whole entry may go. One whose events are not all doomed stays,
        // with the doomed ones before it, until a later pass.
        if !entry.events.iter().all(|e| doomed(e, bytes)) {
            break;
        }
        bytes = bytes.saturating_sub(entry.bytes);
        for m in entry.events.iter().flat_map(|e| &e.body.media) {
            let n = dropped.entry(m.hash.clone()).or_default();
            *n += 1;
            let (refs, size) = picture(&m.hash)?;
            if refs == *n {
                bytes = bytes.saturating_sub(size);
            }
        }
        out.freed += entry.bytes;
        out.entries.push(entry.key);
        out.events.extend(entry.events);
    }
    Ok(out)
}

impl Store {
    /// Delete the oldest events while `doomed(event, bytes left)` says so,
    /// about `max` at a time (whole entries); returns the seqs that went.
    /// `doomed` may be asked about events that then stay (the rest of their
    /// entry is not doomed), so it only judges.
    pub fn delete_oldest(
        &self,
        max: usize,
        doomed: impl Fn(&Event, u64) -> bool,
    ) -> Result<Vec<u64>, BusError> {
        let entries = self.events.iter().map(|item| {
            let (k, v) = item.map_err(BusError::from_sled)?;
            Ok(Entry {
                events: self.entry_events(&k, &v)?,
                bytes: v.len() as u64,
                key: k,
            })
        });
        let picture = |hash: &str| -> Result<(u64, u64), BusError> {
            let refs = self
                .media_refs
                .get(hash)
                .map_err(BusError::from_sled)?
                .map_or(0, |r| count_of(&r));
            let size = self
                .media
                .get(hash)
                .map_err(BusError::from_sled)?
                .map_or(0, |p| p.len() as u64);
            Ok((refs, size))
        };
        let plan = plan(entries, self.bytes(), max, doomed, picture)?;
        if plan.events.is_empty() {
            return Ok(Vec::new());
        }
        self.apply(&plan)?;
        Ok(plan.events.iter().map(|e| e.seq).collect())
    }

    fn apply(&self, plan: &Plan<sled::IVec>) -> Result<(), BusError> {
        // Everything below `kept` goes. An index list whose seqs are all
        // below it goes; one that reaches past it stays (readers skip seqs
        // whose event is gone) and goes in a later pass.
        let kept = plan.events.last().map_or(0, |e| e.seq + 1);
        let lists = IndexLists::of(&plan.events);
        for (tree, l) in self.posting_trees(&lists) {
            let mut b = sled::Batch::default();
            for value in l.values() {
                for item in tree.range(index_key(value, 0)..index_key(value, kept)) {
                    let (k, v) = item.map_err(BusError::from_sled)?;
                    let below = postings::decode(seq_of(&k), &v)
                        .is_none_or(|seqs| seqs.last().is_some_and(|s| *s < kept));
                    if below {
                        b.remove(k);
                    }
                }
            }
            // Indexes first: an index entry without its event is skipped by readers.
            tree.apply_batch(b).map_err(BusError::from_sled)?;
        }
        let mut ev = sled::Batch::default();
        for k in &plan.entries {
            ev.remove(k.clone());
        }
        self.events.apply_batch(ev).map_err(BusError::from_sled)?;
        // Time index last, as in `write_indexes`.
        let mut t = sled::Batch::default();
        for item in self.by_time.iter() {
            let (k, v) = item.map_err(BusError::from_sled)?;
            if time_entry_last(&k, &v) >= kept {
                break;
            }
            t.remove(k);
        }
        self.by_time.apply_batch(t).map_err(BusError::from_sled)?;
        self.add_bytes(-(plan.freed as i64))?;
        // Pictures expire with the last event that shows them.
        for m in plan.events.iter().flat_map(|e| &e.body.media) {
            self.count_media_ref(&m.hash, -1)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use twinwall_base::{MediaRef, NewEvent};

    fn entry(
        key: u32,
        bytes: u64,
        seqs: std::ops::Range<u64>,
        picture: Option<&str>,
    ) -> Entry<u32> {
        Entry {
            key,
            bytes,
            events: seqs
                .map(|seq| {
                    let mut body = NewEvent::new("camera.snapshot", "campus");
                    if let Some(h) = picture {
                        body.media.push(MediaRef {
                            role: "snapshot".into(),
                            hash: h.into(),
                            content_type: "image/jpeg".into(),
                        });
                    }
                    Event {
                        seq,
                        time_ms: seq as i64,
                        site: "s".into(),
                        body,
                    }
                })
                .collect(),
        }
    }

    fn run(
        entries: Vec<Entry<u32>>,
        bytes: u64,
        max: usize,
        doomed: impl Fn(&Event, u64) -> bool,
    ) -> Plan<u32> {
        let pictures: HashMap<&str, (u64, u64)> = [("p", (2, 500))].into();
        plan(
            entries.into_iter().map(Ok::<_, ()>),
            bytes,
            max,
            doomed,
            |h| Ok(pictures.get(h).copied().unwrap_or((0, 0))),
        )
        .unwrap()
    }

    #[test]
    fn whole_entries_go_from_the_oldest_while_every_event_is_doomed() {
        let old = |e: &Event, _: u64| e.seq < 15;
        let p = run(
            vec![entry(0, 100, 0..10, None), entry(1, 100, 10..20, None)],
            1000,
            100,
            old,
        );
        // The second entry holds events that stay: it stays whole.
        assert_eq!((p.entries, p.freed, p.events.len()), (vec![0], 100, 10));
    }

    #[test]
    fn size_is_judged_with_what_goes_before_and_the_pictures_it_frees() {
        // Over a 600-byte cap while the log holds more than that.
        let over = |_: &Event, left: u64| left > 600;
        let p = run(
            vec![
                entry(0, 100, 0..1, Some("p")),
                entry(1, 100, 1..2, Some("p")),
                entry(2, 100, 2..3, None),
            ],
            1300,
            100,
            over,
        );
        // 1300 → 1200 (entry 0; the picture keeps one reference) → 600
        // (entry 1 and the picture's 500 bytes): entry 2 is not over the cap.
        assert_eq!(p.entries, vec![0, 1]);
        assert_eq!(p.freed, 200);
    }

    #[test]
    fn a_pass_stops_near_its_budget() {
        let all = |_: &Event, _: u64| true;
        let p = run(
            (0..5)
                .map(|i| entry(i, 10, u64::from(i) * 4..u64::from(i) * 4 + 4, None))
                .collect(),
            1000,
            6,
            all,
        );
        assert_eq!(
            p.entries,
            vec![0, 1],
            "whole entries, stopping once 6 are reached"
        );
    }
}
