//! The on-disk log: the only module that knows about sled.
//!
//! Trees: `events` (big-endian first seq → a chunk of the events of one
//! group commit, see [`super::chunk`]; stores from before chunks hold one
//! event per entry, a format byte and postcard, and events from before format
//! bytes have none, see [`FORMAT`]: all three read side by side), one index tree each for
//! zone (every ancestor of the zone path), kind and device (posting lists, one
//! entry per value per write: see [`super::postings`]), `by_time` (one entry
//! per write and receive time: time and first seq → last seq), `cursors`
//! (name → big-endian seq) and `meta`. The events tree is the truth: on open,
//! index entries missing after a crash are rebuilt from it.
//!
//! Receive times never go back as seqs go up (the writer sees to it), so the
//! time index needs only where each write starts.

use std::path::Path;

mod deletion;
mod layout;

pub use layout::encode;
use layout::{decode_body, time_entry, time_entry_last, time_key};

use super::BusError;
use super::chunk;
use super::postings::{self, Lists};
use twinwall_base::Event;

/// A secondary index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Index {
    /// Zone path and each of its ancestors.
    Zone,
    /// Event kind.
    Kind,
    /// Device id.
    Device,
}

/// The sled database behind the bus.
pub struct Store {
    db: sled::Db,
    events: sled::Tree,
    by_zone: sled::Tree,
    by_kind: sled::Tree,
    by_device: sled::Tree,
    by_time: sled::Tree,
    cursors: sled::Tree,
    meta: sled::Tree,
    media: sled::Tree,
    /// Content hash → how many stored events refer to the picture; at zero
    /// the picture goes with its last event.
    media_refs: sled::Tree,
    /// The first seq written with a format byte: events below it are the
    /// first, unmarked layout.
    versioned_from: u64,
}

const BYTES_KEY: &[u8] = b"bytes";
const VERSIONED_FROM_KEY: &[u8] = b"versioned_from";

/// The layout of an entry holding one event: a byte before each stored
/// entry, so a later hub that changes it can still read what this one wrote
/// (and say so clearly when it meets a layout newer than it knows). This hub
/// writes chunks ([`chunk::CHUNK`], layout 2) and reads layout 1 beside them.
pub const FORMAT: u8 = 1;

fn be(seq: u64) -> [u8; 8] {
    seq.to_be_bytes()
}

/// The seq at the end of an event, index or time key.
fn seq_of(key: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    if key.len() >= 8 {
        b.copy_from_slice(&key[key.len() - 8..]);
    }
    u64::from_be_bytes(b)
}

/// A count stored as a value (bytes of the log, a picture's references, a
/// cursor, the first versioned seq): eight big-endian bytes.
fn count_of(value: &[u8]) -> u64 {
    <[u8; 8]>::try_from(value).map_or(0, u64::from_be_bytes)
}

use postings::key as index_key;

/// `a/b/c` → `a`, `a/b`, `a/b/c`.
fn zone_ancestors(zone: &str) -> impl Iterator<Item = &str> {
    zone.match_indices('/')
        .map(move |(i, _)| &zone[..i])
        .chain(std::iter::once(zone))
}

impl Store {
    /// Open (or create) the store in `dir`. `flush_every_ms` is sled's own
    /// background flush; the bus flushes explicitly where the policy needs it.
    pub fn open(dir: &Path, flush_every_ms: Option<u64>) -> Result<Self, BusError> {
        let db = sled::Config::new()
            .path(dir)
            .flush_every_ms(flush_every_ms)
            .open()
            .map_err(|e| BusError::Open {
                path: dir.display().to_string(),
                source: e.into(),
            })?;
        let tree = |name: &str| db.open_tree(name).map_err(BusError::from_sled);
        let store = Store {
            events: tree("events")?,
            by_zone: tree("by_zone")?,
            by_kind: tree("by_kind")?,
            by_device: tree("by_device")?,
            by_time: tree("by_time")?,
            cursors: tree("cursors")?,
            meta: tree("meta")?,
            media: tree("media")?,
            media_refs: tree("media_refs")?,
            db,
            versioned_from: 0,
        };
        let mut store = store;
        store.versioned_from = match store
            .meta
            .get(VERSIONED_FROM_KEY)
            .map_err(BusError::from_sled)?
        {
            Some(v) => count_of(&v),
            None => {
                // A new store, or one from before format bytes: events from
                // here on carry them.
                let from = store
                    .events
                    .last()
                    .map_err(BusError::from_sled)?
                    .map_or(0, |(k, _)| seq_of(&k) + 1);
                store
                    .meta
                    .insert(VERSIONED_FROM_KEY, &be(from))
                    .map_err(BusError::from_sled)?;
                from
            }
        };
        store.repair_indexes()?;
        Ok(store)
    }

    /// Rebuild index entries for events written after the last indexed one.
    fn repair_indexes(&self) -> Result<(), BusError> {
        let last_indexed = self
            .by_time
            .last()
            .map_err(BusError::from_sled)?
            .map(|(k, v)| time_entry_last(&k, &v));
        let from = last_indexed.map_or(0, |s| s + 1);
        let tail = self.range(from, usize::MAX)?;
        if !tail.is_empty() {
            tracing::warn!(
                events = tail.len(),
                from,
                "re-indexing events written before an unclean stop"
            );
            // Entries the interrupted write did make start at `from` or
            // later; they go, so the rebuilt lists hold each seq once.
            for chunk in tail.chunks(4096) {
                let lists = IndexLists::of(chunk);
                for (tree, l) in self.posting_trees(&lists) {
                    let mut b = sled::Batch::default();
                    for value in l.values() {
                        for item in tree.range(index_key(value, from)..=index_key(value, u64::MAX))
                        {
                            b.remove(item.map_err(BusError::from_sled)?.0);
                        }
                    }
                    tree.apply_batch(b).map_err(BusError::from_sled)?;
                }
            }
            for chunk in tail.chunks(4096) {
                self.write_indexes(chunk)?;
            }
        }
        if self
            .meta
            .get(BYTES_KEY)
            .map_err(BusError::from_sled)?
            .is_none()
        {
            let mut total = 0u64;
            for item in self.events.iter() {
                let (_, v) = item.map_err(BusError::from_sled)?;
                total += v.len() as u64;
            }
            self.meta
                .insert(BYTES_KEY, &be(total))
                .map_err(BusError::from_sled)?;
        }
        Ok(())
    }

    /// Sequence number and receive time of the newest event.
    pub fn last(&self) -> Result<Option<(u64, i64)>, BusError> {
        match self.events.last().map_err(BusError::from_sled)? {
            None => Ok(None),
            Some((k, v)) => Ok(self
                .entry_events(&k, &v)?
                .last()
                .map(|e| (e.seq, e.time_ms))),
        }
    }

    /// Sequence number of the oldest retained event.
    pub fn first_seq(&self) -> Result<Option<u64>, BusError> {
        Ok(self
            .events
            .first()
            .map_err(BusError::from_sled)?
            .map(|(k, _)| seq_of(&k)))
    }

    /// Approximate bytes of stored events (encoded size).
    pub fn bytes(&self) -> u64 {
        self.meta
            .get(BYTES_KEY)
            .ok()
            .flatten()
            .map_or(0, |v| count_of(&v))
    }

    /// Write events (already numbered, consecutive) and their index entries.
    pub fn write(&self, events: &[Event]) -> Result<(), BusError> {
        let bodies = events
            .iter()
            .map(|e| {
                postcard::to_stdvec(e).map_err(|err| BusError::Encode {
                    seq: e.seq,
                    message: err.to_string(),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut batch = sled::Batch::default();
        let mut bytes = 0u64;
        for run in chunk::runs(&bodies) {
            let v = chunk::pack(&bodies[run.clone()]);
            bytes += v.len() as u64;
            batch.insert(&be(events[run.start].seq), v);
        }
        self.events
            .apply_batch(batch)
            .map_err(BusError::from_sled)?;
        self.write_indexes(events)?;
        let mut refs: Vec<(&str, i64)> = Vec::new();
        for m in events.iter().flat_map(|e| &e.body.media) {
            match refs.iter_mut().find(|(h, _)| *h == m.hash) {
                Some((_, n)) => *n += 1,
                None => refs.push((&m.hash, 1)),
            }
        }
        for (hash, n) in refs {
            self.count_media_ref(hash, n)?;
        }
        self.add_bytes(bytes as i64)
    }

    /// Add `delta` to the references to picture `hash`; at zero the picture
    /// is removed and its bytes freed.
    fn count_media_ref(&self, hash: &str, delta: i64) -> Result<(), BusError> {
        let left = self
            .media_refs
            .update_and_fetch(hash, |old| {
                let n = old.map_or(0, count_of).saturating_add_signed(delta);
                (n > 0).then(|| be(n).to_vec())
            })
            .map_err(BusError::from_sled)?;
        if left.is_none()
            && delta < 0
            && let Some(v) = self.media.remove(hash).map_err(BusError::from_sled)?
        {
            self.add_bytes(-(v.len() as i64))?;
        }
        Ok(())
    }

    fn add_bytes(&self, delta: i64) -> Result<(), BusError> {
        self.meta
            .update_and_fetch(BYTES_KEY, |old| {
                let cur = old.map_or(0, count_of);
                Some(be(cur.saturating_add_signed(delta)).to_vec())
            })
            .map_err(BusError::from_sled)?;
        Ok(())
    }

    fn posting_trees<'a, 'b>(
        &'a self,
        lists: &'b IndexLists<'b>,
    ) -> [(&'a sled::Tree, &'b Lists<'b>); 3] {
        [
            (&self.by_zone, &lists.zone),
            (&self.by_kind, &lists.kind),
            (&self.by_device, &lists.device),
        ]
    }

    fn write_indexes(&self, events: &[Event]) -> Result<(), BusError> {
        let lists = IndexLists::of(events);
        for (tree, l) in self.posting_trees(&lists) {
            let mut b = sled::Batch::default();
            for (k, v) in l.entries() {
                b.insert(k, v);
            }
            tree.apply_batch(b).map_err(BusError::from_sled)?;
        }
        // Time index last: its newest entry marks how far indexing got.
        let mut t = sled::Batch::default();
        let mut run: Option<(i64, u64, u64)> = None;
        for e in events {
            match &mut run {
                Some((time, _, last)) if *time == e.time_ms => *last = e.seq,
                _ => {
                    if let Some((time, first, last)) = run {
                        t.insert(time_key(time, first).as_slice(), time_entry(first, last));
                    }
                    run = Some((e.time_ms, e.seq, e.seq));
                }
            }
        }
        if let Some((time, first, last)) = run {
            t.insert(time_key(time, first).as_slice(), time_entry(first, last));
        }
        self.by_time.apply_batch(t).map_err(BusError::from_sled)?;
        Ok(())
    }

    /// Make everything written so far durable.
    pub fn flush(&self) -> Result<(), BusError> {
        self.db.flush().map(|_| ()).map_err(BusError::from_sled)
    }

    /// The key of the entry that holds `seq` or, if none does, of the
    /// first entry after it.
    fn entry_from(&self, seq: u64) -> Result<[u8; 8], BusError> {
        match self.events.range(..=be(seq)).next_back() {
            Some(item) => {
                let (k, v) = item.map_err(BusError::from_sled)?;
                let holds = self.entry_last(&k, &v)? >= seq;
                Ok(if holds { be(seq_of(&k)) } else { be(seq) })
            }
            None => Ok(be(seq)),
        }
    }

    /// Up to `limit` events with seq ≥ `from`, in order.
    pub fn range(&self, from: u64, limit: usize) -> Result<Vec<Event>, BusError> {
        let mut out = Vec::new();
        for item in self.events.range(self.entry_from(from)?..) {
            if out.len() >= limit {
                break;
            }
            let (k, v) = item.map_err(BusError::from_sled)?;
            out.extend(self.entry_events_from(&k, &v, from, limit - out.len())?);
        }
        Ok(out)
    }

    /// Up to `limit` events with seq < `before`, newest first.
    pub fn range_rev(&self, before: u64, limit: usize) -> Result<Vec<Event>, BusError> {
        let mut out = Vec::new();
        for item in self.events.range(..be(before)).rev() {
            if out.len() >= limit {
                break;
            }
            let (k, v) = item.map_err(BusError::from_sled)?;
            let mut events = self.entry_events_from(&k, &v, seq_of(&k), usize::MAX)?;
            events.retain(|e| e.seq < before);
            out.extend(events.into_iter().rev().take(limit - out.len()));
        }
        Ok(out)
    }

    /// One event.
    pub fn get(&self, seq: u64) -> Result<Option<Event>, BusError> {
        let Some(item) = self.events.range(..=be(seq)).next_back() else {
            return Ok(None);
        };
        let (k, v) = item.map_err(BusError::from_sled)?;
        let first = seq_of(&k);
        match self.chunk(first, &v) {
            Some(c) => c
                .body(usize::try_from(seq - first).unwrap_or(usize::MAX))
                .map(|b| decode_body(seq, b))
                .transpose(),
            None if first == seq => self.decode(&k, &v).map(Some),
            None => Ok(None),
        }
    }

    /// Sequence numbers under `index` = `value`, newest first.
    pub fn index_seqs_rev(
        &self,
        index: Index,
        value: &str,
    ) -> impl Iterator<Item = Result<u64, BusError>> + '_ {
        let tree = match index {
            Index::Zone => &self.by_zone,
            Index::Kind => &self.by_kind,
            Index::Device => &self.by_device,
        };
        let value = value.to_owned();
        tree.range(index_key(&value, 0)..=index_key(&value, u64::MAX))
            .rev()
            .flat_map(move |r| -> Vec<Result<u64, BusError>> {
                match r {
                    Err(e) => vec![Err(BusError::from_sled(e))],
                    Ok((k, v)) => match postings::decode(seq_of(&k), &v) {
                        Some(seqs) => seqs.into_iter().rev().map(Ok).collect(),
                        None => vec![Err(BusError::Decode(format!(
                            "index entry `{value}` at seq {} is damaged ({} bytes)",
                            seq_of(&k),
                            v.len()
                        )))],
                    },
                }
            })
    }

    /// Sequence numbers under `index` = `value`, from `from` on, in order.
    pub fn index_seqs(
        &self,
        index: Index,
        value: &str,
        from: u64,
    ) -> impl Iterator<Item = Result<u64, BusError>> + '_ {
        let tree = match index {
            Index::Zone => &self.by_zone,
            Index::Kind => &self.by_kind,
            Index::Device => &self.by_device,
        };
        // The entry that starts at or before `from` may hold it, then every
        // entry after.
        let head = tree
            .range(index_key(value, 0)..=index_key(value, from))
            .next_back();
        let rest =
            tree.range(index_key(value, from.saturating_add(1))..=index_key(value, u64::MAX));
        let value = value.to_owned();
        head.into_iter()
            .chain(rest)
            .flat_map(move |r| -> Vec<Result<u64, BusError>> {
                match r {
                    Err(e) => vec![Err(BusError::from_sled(e))],
                    Ok((k, v)) => match postings::decode(seq_of(&k), &v) {
                        Some(seqs) => seqs.into_iter().filter(|s| *s >= from).map(Ok).collect(),
                        None => vec![Err(BusError::Decode(format!(
                            "index entry `{value}` at seq {} is damaged ({} bytes)",
                            seq_of(&k),
                            v.len()
                        )))],
                    },
                }
            })
    }

    /// The first seq whose receive time is ≥ `time_ms`.
    pub fn seq_at_time(&self, time_ms: i64) -> Result<Option<u64>, BusError> {
        Ok(self
            .by_time
            .range(time_key(time_ms, 0)..)
            .next()
            .transpose()
            .map_err(BusError::from_sled)?
            .map(|(k, _)| seq_of(&k)))
    }

    /// Store a picture under its content hash (a no-op when already there).
    /// The value is the content type, a NUL, then the bytes.
    pub fn put_media(&self, hash: &str, content_type: &str, data: &[u8]) -> Result<(), BusError> {
        let mut v = Vec::with_capacity(content_type.len() + 1 + data.len());
        v.extend_from_slice(content_type.as_bytes());
        v.push(0);
        v.extend_from_slice(data);
        // Already stored (same hash, same bytes): keep the first.
        let len = v.len() as i64;
        let stored = self
            .media
            .compare_and_swap(hash, None as Option<&[u8]>, Some(v))
            .map_err(BusError::from_sled)?;
        if stored.is_ok() {
            // Pictures count towards the log's size limit.
            self.add_bytes(len)?;
        }
        Ok(())
    }

    /// A stored picture: its content type and bytes.
    pub fn media(&self, hash: &str) -> Result<Option<(String, Vec<u8>)>, BusError> {
        let Some(v) = self.media.get(hash).map_err(BusError::from_sled)? else {
            return Ok(None);
        };
        let split = v
            .iter()
            .position(|b| *b == 0)
            .ok_or_else(|| BusError::Decode(format!("media {hash} has no content type")))?;
        Ok(Some((
            String::from_utf8_lossy(&v[..split]).into_owned(),
            v[split + 1..].to_vec(),
        )))
    }

    /// A durable consumer's position: the next seq it wants.
    pub fn cursor(&self, name: &str) -> Result<Option<u64>, BusError> {
        Ok(self
            .cursors
            .get(name)
            .map_err(BusError::from_sled)?
            .map(|v| count_of(&v)))
    }

    /// Store a consumer's position.
    pub fn set_cursor(&self, name: &str, next: u64) -> Result<(), BusError> {
        self.cursors
            .insert(name, &be(next))
            .map_err(BusError::from_sled)?;
        Ok(())
    }
}

/// One write's events under one index.
struct IndexLists<'a> {
    zone: Lists<'a>,
    kind: Lists<'a>,
    device: Lists<'a>,
}

impl<'a> IndexLists<'a> {
    fn of(events: &'a [Event]) -> Self {
        let mut l = IndexLists {
            zone: Lists::default(),
            kind: Lists::default(),
            device: Lists::default(),
        };
        for e in events {
            for anc in zone_ancestors(&e.body.zone) {
                l.zone.add(anc, e.seq);
            }
            l.kind.add(&e.body.kind, e.seq);
            if let Some(dev) = &e.body.device {
                l.device.add(dev, e.seq);
            }
        }
        l
    }
}

#[cfg(test)]
mod tests;
