//! How events and the time index lie on disk: chunks of one group commit
//! (layout 2, [`chunk::CHUNK`]), events stored alone with a format byte
//! (layout 1) and without one (the first layout, below `versioned_from`),
//! each read beside the others.

use super::{FORMAT, Store, be, seq_of};
use crate::BusError;
use crate::chunk::{self, Chunk};
use twinwall_base::Event;

/// An event as stored alone (layout 1: the format byte, then postcard), as
/// stores before chunks held every event.
pub fn encode(e: &Event) -> Result<Vec<u8>, BusError> {
    let mut v = Vec::with_capacity(160);
    v.push(FORMAT);
    postcard::to_io(e, &mut v).map_err(|err| BusError::Encode {
        seq: e.seq,
        message: err.to_string(),
    })?;
    Ok(v)
}

/// A time entry's value: the write's last seq (empty when it is the first,
/// the layout of stores from before, with one entry per event).
pub(super) fn time_entry(first: u64, last: u64) -> Vec<u8> {
    if first == last {
        Vec::new()
    } else {
        be(last).to_vec()
    }
}

/// The last seq a time entry covers.
pub(super) fn time_entry_last(key: &[u8], value: &[u8]) -> u64 {
    if value.len() == 8 {
        seq_of(value)
    } else {
        seq_of(key)
    }
}

pub(super) fn time_key(time_ms: i64, seq: u64) -> [u8; 16] {
    let mut k = [0u8; 16];
    // Shift to unsigned so that byte order is time order.
    k[..8].copy_from_slice(&((time_ms as u64) ^ (1 << 63)).to_be_bytes());
    k[8..].copy_from_slice(&be(seq));
    k
}

pub(super) fn decode_body(seq: u64, body: &[u8]) -> Result<Event, BusError> {
    postcard::from_bytes(body).map_err(|e| BusError::Decode(format!("event {seq}: {e}")))
}

impl Store {
    /// The entry starting at `first` as a chunk, when it is one (entries of
    /// the first, unmarked layout never are, whatever their first byte).
    pub(super) fn chunk<'v>(&self, first: u64, v: &'v [u8]) -> Option<Chunk<'v>> {
        Chunk::parse(v).filter(|_| first >= self.versioned_from)
    }

    /// Every event of the entry under `key`: a chunk, or one event.
    pub(super) fn entry_events(&self, key: &[u8], v: &[u8]) -> Result<Vec<Event>, BusError> {
        self.entry_events_from(key, v, 0, usize::MAX)
    }

    /// At most `max` events of the entry under `key` from seq `from` on;
    /// the chunk's other events are not decoded (a replay reads a chunk
    /// across two calls, and decoding is most of its cost).
    pub(super) fn entry_events_from(
        &self,
        key: &[u8],
        v: &[u8],
        from: u64,
        max: usize,
    ) -> Result<Vec<Event>, BusError> {
        let first = seq_of(key);
        match self.chunk(first, v) {
            Some(c) => {
                let start = usize::try_from(from.saturating_sub(first)).unwrap_or(usize::MAX);
                (start.min(c.len())..c.len())
                    .take(max)
                    .map(|i| decode_body(first + i as u64, c.body(i).unwrap_or_default()))
                    .collect()
            }
            None if first >= from && max > 0 => Ok(vec![self.decode(key, v)?]),
            None => Ok(Vec::new()),
        }
    }

    /// The last seq the entry under `key` holds.
    pub(super) fn entry_last(&self, key: &[u8], v: &[u8]) -> Result<u64, BusError> {
        let first = seq_of(key);
        Ok(match self.chunk(first, v) {
            Some(c) => first + c.len() as u64 - 1,
            None => first,
        })
    }

    /// The event stored alone under `key`, in whichever layout it was written.
    pub(super) fn decode(&self, key: &[u8], v: &[u8]) -> Result<Event, BusError> {
        let seq = seq_of(key);
        let body = if seq < self.versioned_from {
            v
        } else {
            match v.split_first() {
                Some((&FORMAT, rest)) => rest,
                Some((&chunk::CHUNK, _)) => {
                    return Err(BusError::Decode(format!(
                        "the chunk of events from {seq} is damaged ({} bytes)",
                        v.len()
                    )));
                }
                Some((other, _)) => {
                    return Err(BusError::Decode(format!(
                        "event {seq} is in layout {other}; this hub reads layouts up to {} (a newer hub wrote it)",
                        chunk::CHUNK
                    )));
                }
                None => return Err(BusError::Decode(format!("event {seq} is empty"))),
            }
        };
        decode_body(seq, body)
    }
}
