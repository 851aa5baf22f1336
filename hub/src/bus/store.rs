//! The on-disk log: the only module that knows about sled.
//!
//! Trees: `events` (big-endian seq → format byte + postcard event; events
//! from before format bytes have none, see [`FORMAT`]), one index tree each for
//! zone (every ancestor of the zone path), kind, device and time (key bytes,
//! 0x00, big-endian seq → empty), `cursors` (name → big-endian seq) and
//! `meta`. The events tree is the truth: on open, index entries missing after
//! a crash are rebuilt from it.

use std::path::Path;

use super::BusError;
use super::event::Event;

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

/// The layout events are written in: a byte before each stored event, so a
/// later hub that adds fields can still read what this one wrote (and say
/// so clearly when it meets a layout newer than it knows).
pub const FORMAT: u8 = 1;

fn be(seq: u64) -> [u8; 8] {
    seq.to_be_bytes()
}

fn seq_of(key: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    if key.len() >= 8 {
        b.copy_from_slice(&key[key.len() - 8..]);
    }
    u64::from_be_bytes(b)
}

fn index_key(value: &str, seq: u64) -> Vec<u8> {
    let mut k = Vec::with_capacity(value.len() + 9);
    k.extend_from_slice(value.as_bytes());
    k.push(0);
    k.extend_from_slice(&be(seq));
    k
}

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
            Some(v) => seq_of(&v),
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
            .map(|(k, _)| seq_of(&k));
        let from = last_indexed.map_or(0, |s| s + 1);
        let mut tail = Vec::new();
        for item in self.events.range(be(from)..) {
            let (k, v) = item.map_err(BusError::from_sled)?;
            tail.push(self.decode(&k, &v)?);
        }
        if !tail.is_empty() {
            tracing::warn!(
                events = tail.len(),
                from,
                "re-indexing events written before an unclean stop"
            );
            self.write_indexes(&tail)?;
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
            Some((k, v)) => Ok(Some((seq_of(&k), self.decode(&k, &v)?.time_ms))),
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
            .map_or(0, |v| seq_of(&v))
    }

    /// Write events (already numbered) and their index entries.
    pub fn write(&self, events: &[Event]) -> Result<(), BusError> {
        let mut batch = sled::Batch::default();
        let mut bytes = 0u64;
        for e in events {
            let mut v = vec![FORMAT];
            postcard::to_io(e, &mut v).map_err(|err| BusError::Encode {
                seq: e.seq,
                message: err.to_string(),
            })?;
            bytes += v.len() as u64;
            batch.insert(&be(e.seq), v);
        }
        self.events
            .apply_batch(batch)
            .map_err(BusError::from_sled)?;
        self.write_indexes(events)?;
        for e in events {
            for m in &e.body.media {
                self.count_media_ref(&m.hash, 1)?;
            }
        }
        self.add_bytes(bytes as i64)
    }

    /// Add `delta` to the references to picture `hash`; at zero the picture
    /// is removed and its bytes freed.
    fn count_media_ref(&self, hash: &str, delta: i64) -> Result<(), BusError> {
        let left = self
            .media_refs
            .update_and_fetch(hash, |old| {
                let n = old.map_or(0, seq_of).saturating_add_signed(delta);
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
                let cur = old.map_or(0, seq_of);
                Some(be(cur.saturating_add_signed(delta)).to_vec())
            })
            .map_err(BusError::from_sled)?;
        Ok(())
    }

    fn write_indexes(&self, events: &[Event]) -> Result<(), BusError> {
        let (mut z, mut k, mut d, mut t) = (
            sled::Batch::default(),
            sled::Batch::default(),
            sled::Batch::default(),
            sled::Batch::default(),
        );
        for e in events {
            for anc in zone_ancestors(&e.body.zone) {
                z.insert(index_key(anc, e.seq), &[]);
            }
            k.insert(index_key(&e.body.kind, e.seq), &[]);
            if let Some(dev) = &e.body.device {
                d.insert(index_key(dev, e.seq), &[]);
            }
            t.insert(time_key(e.time_ms, e.seq).as_slice(), &[]);
        }
        self.by_zone.apply_batch(z).map_err(BusError::from_sled)?;
        self.by_kind.apply_batch(k).map_err(BusError::from_sled)?;
        self.by_device.apply_batch(d).map_err(BusError::from_sled)?;
        // Time index last: its newest entry marks how far indexing got.
        self.by_time.apply_batch(t).map_err(BusError::from_sled)?;
        Ok(())
    }

    /// Make everything written so far durable.
    pub fn flush(&self) -> Result<(), BusError> {
        self.db.flush().map(|_| ()).map_err(BusError::from_sled)
    }

    /// Up to `limit` events with seq ≥ `from`, in order.
    pub fn range(&self, from: u64, limit: usize) -> Result<Vec<Event>, BusError> {
        let mut out = Vec::new();
        for item in self.events.range(be(from)..).take(limit) {
            let (k, v) = item.map_err(BusError::from_sled)?;
            out.push(self.decode(&k, &v)?);
        }
        Ok(out)
    }

    /// One event.
    pub fn get(&self, seq: u64) -> Result<Option<Event>, BusError> {
        self.events
            .get(be(seq))
            .map_err(BusError::from_sled)?
            .map(|v| self.decode(&be(seq), &v))
            .transpose()
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
        let start = index_key(value, from);
        let end = index_key(value, u64::MAX);
        tree.range(start..=end)
            .map(|r| r.map(|(k, _)| seq_of(&k)).map_err(BusError::from_sled))
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
            .map(|v| seq_of(&v)))
    }

    /// Store a consumer's position.
    pub fn set_cursor(&self, name: &str, next: u64) -> Result<(), BusError> {
        self.cursors
            .insert(name, &be(next))
            .map_err(BusError::from_sled)?;
        Ok(())
    }

    /// Delete the oldest events while `doomed(event)` says so, at most `max`
    /// at a time; returns how many went.
    pub fn delete_oldest(
        &self,
        max: usize,
        mut doomed: impl FnMut(&Event, u64) -> bool,
    ) -> Result<usize, BusError> {
        let mut gone = Vec::new();
        let mut bytes = self.bytes();
        // References this pass drops, so the size the next decision sees
        // includes the pictures that go with their last event.
        let mut dropped_refs: std::collections::HashMap<String, u64> = Default::default();
        for item in self.events.iter().take(max) {
            let (k, v) = item.map_err(BusError::from_sled)?;
            let e = self.decode(&k, &v)?;
            if !doomed(&e, bytes) {
                break;
            }
            bytes = bytes.saturating_sub(v.len() as u64);
            for m in &e.body.media {
                let n = dropped_refs.entry(m.hash.clone()).or_default();
                *n += 1;
                let refs = self
                    .media_refs
                    .get(&m.hash)
                    .map_err(BusError::from_sled)?
                    .map_or(0, |r| seq_of(&r));
                if refs == *n
                    && let Some(pic) = self.media.get(&m.hash).map_err(BusError::from_sled)?
                {
                    bytes = bytes.saturating_sub(pic.len() as u64);
                }
            }
            gone.push((e, v.len() as i64));
        }
        if gone.is_empty() {
            return Ok(0);
        }
        let (mut ev, mut z, mut k, mut d, mut t) = (
            sled::Batch::default(),
            sled::Batch::default(),
            sled::Batch::default(),
            sled::Batch::default(),
            sled::Batch::default(),
        );
        let mut freed = 0i64;
        for (e, len) in &gone {
            freed += len;
            ev.remove(&be(e.seq));
            for anc in zone_ancestors(&e.body.zone) {
                z.remove(index_key(anc, e.seq));
            }
            k.remove(index_key(&e.body.kind, e.seq));
            if let Some(dev) = &e.body.device {
                d.remove(index_key(dev, e.seq));
            }
            t.remove(time_key(e.time_ms, e.seq).as_slice());
        }
        // Indexes first: an index entry without its event is skipped by readers.
        self.by_zone.apply_batch(z).map_err(BusError::from_sled)?;
        self.by_kind.apply_batch(k).map_err(BusError::from_sled)?;
        self.by_device.apply_batch(d).map_err(BusError::from_sled)?;
        self.events.apply_batch(ev).map_err(BusError::from_sled)?;
        // Time index last, as in `write_indexes`.
        self.by_time.apply_batch(t).map_err(BusError::from_sled)?;
        self.add_bytes(-freed)?;
        // Pictures expire with the last event that shows them.
        for (e, _) in &gone {
            for m in &e.body.media {
                self.count_media_ref(&m.hash, -1)?;
            }
        }
        Ok(gone.len())
    }
}

fn time_key(time_ms: i64, seq: u64) -> [u8; 16] {
    let mut k = [0u8; 16];
    // Shift to unsigned so that byte order is time order.
    k[..8].copy_from_slice(&((time_ms as u64) ^ (1 << 63)).to_be_bytes());
    k[8..].copy_from_slice(&be(seq));
    k
}

impl Store {
    /// The event stored under `key`, in whichever layout it was written.
    fn decode(&self, key: &[u8], v: &[u8]) -> Result<Event, BusError> {
        let seq = seq_of(key);
        let body = if seq < self.versioned_from {
            v
        } else {
            match v.split_first() {
                Some((&FORMAT, rest)) => rest,
                Some((other, _)) => {
                    return Err(BusError::Decode(format!(
                        "event {seq} is in layout {other}; this hub reads layouts up to {FORMAT} (a newer hub wrote it)"
                    )));
                }
                None => return Err(BusError::Decode(format!("event {seq} is empty"))),
            }
        };
        postcard::from_bytes(body).map_err(|e| BusError::Decode(format!("event {seq}: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zone_ancestors_cover_the_path() {
        let v: Vec<_> = zone_ancestors("main/chem-north/f2").collect();
        assert_eq!(v, ["main", "main/chem-north", "main/chem-north/f2"]);
        assert_eq!(zone_ancestors("main").collect::<Vec<_>>(), ["main"]);
    }

    fn event(seq: u64) -> Event {
        Event {
            seq,
            time_ms: 1_000 + seq as i64,
            site: "s".into(),
            body: crate::bus::NewEvent::new("fire.alarm", "campus").attr("point", seq as i64),
        }
    }

    #[test]
    fn a_log_from_before_format_bytes_is_read_beside_new_events() {
        let dir = tempfile::tempdir().unwrap();
        {
            // The first layout: postcard with no format byte, no meta key.
            let db = sled::open(dir.path()).unwrap();
            let events = db.open_tree("events").unwrap();
            for seq in 0..3 {
                events
                    .insert(be(seq), postcard::to_stdvec(&event(seq)).unwrap())
                    .unwrap();
            }
            db.flush().unwrap();
        }
        let store = Store::open(dir.path(), None).unwrap();
        assert_eq!(store.versioned_from, 3);
        store.write(&[event(3), event(4)]).unwrap();
        let raw = store.events.get(be(4)).unwrap().unwrap();
        assert_eq!(raw[0], FORMAT, "new events carry their layout");
        let all = store.range(0, 10).unwrap();
        assert_eq!(all, (0..5).map(event).collect::<Vec<_>>());
        drop(store);
        let again = Store::open(dir.path(), None).unwrap();
        assert_eq!(again.range(0, 10).unwrap().len(), 5, "after a reopen too");
        assert_eq!(again.last().unwrap().map(|(s, _)| s), Some(4));
        // A layout from a newer hub is named, not misread.
        again.events.insert(be(5), vec![9, 1, 2]).unwrap();
        let e = again.get(5).unwrap_err().to_string();
        assert!(e.contains("layout 9") && e.contains("event 5"), "{e}");
    }

    #[test]
    fn time_keys_sort_by_time_then_seq() {
        assert!(time_key(-5, 9) < time_key(0, 0));
        assert!(time_key(10, 1) < time_key(10, 2));
        assert!(time_key(10, 99) < time_key(11, 0));
    }
}
