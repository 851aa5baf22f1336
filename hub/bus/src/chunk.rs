//! Events stored in chunks: one sled entry per run of consecutive events of
//! one group commit, not one per event. sled's cost is per key (a node
//! rewrite, allocations, a log reservation), so a batch of 2,048 events
//! costs a handful of inserts instead of 2,048; one event is still read
//! without decoding its neighbours, through the chunk's offset table.
//!
//! A chunk is stored under its first seq: the layout byte [`CHUNK`], the
//! event count (u32 little-endian), the end offset of each event (u32 LE,
//! from the start of the bodies), then the postcard bodies.

/// The layout byte of a chunk (layout 1 is one event per entry).
pub const CHUNK: u8 = 2;
/// A chunk is closed past this many bytes of bodies: well under sled's
/// segment, so a chunk never becomes a blob of its own.
pub const MAX_BYTES: usize = 32 << 10;
/// …or this many events.
pub const MAX_EVENTS: usize = 512;

/// Pack encoded event bodies (consecutive seqs) into one chunk value.
pub fn pack(bodies: &[Vec<u8>]) -> Vec<u8> {
    let total: usize = bodies.iter().map(Vec::len).sum();
    let mut v = Vec::with_capacity(5 + 4 * bodies.len() + total);
    v.push(CHUNK);
    v.extend_from_slice(&(bodies.len() as u32).to_le_bytes());
    let mut end = 0u32;
    for b in bodies {
        end += b.len() as u32;
        v.extend_from_slice(&end.to_le_bytes());
    }
    for b in bodies {
        v.extend_from_slice(b);
    }
    v
}

/// Split `bodies` into the runs that become chunks: ranges of indexes.
pub fn runs(bodies: &[Vec<u8>]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (i, b) in bodies.iter().enumerate() {
        if i > start && (bytes + b.len() > MAX_BYTES || i - start >= MAX_EVENTS) {
            out.push(start..i);
            (start, bytes) = (i, 0);
        }
        bytes += b.len();
    }
    if start < bodies.len() {
        out.push(start..bodies.len());
    }
    out
}

/// A stored chunk, read in place.
pub struct Chunk<'a> {
    count: usize,
    offsets: &'a [u8],
    bodies: &'a [u8],
}

impl<'a> Chunk<'a> {
    /// Read the chunk value `v` (layout byte included); `None` when it is
    /// not a well-formed chunk.
    pub fn parse(v: &'a [u8]) -> Option<Self> {
        let (&CHUNK, rest) = v.split_first()? else {
            return None;
        };
        let count = u32::from_le_bytes(rest.get(..4)?.try_into().ok()?) as usize;
        let table = 4usize.checked_add(count.checked_mul(4)?)?;
        let offsets = rest.get(4..table)?;
        let bodies = rest.get(table..)?;
        let c = Chunk {
            count,
            offsets,
            bodies,
        };
        // Offsets rise and end at the bodies' end.
        let mut prev = 0;
        for i in 0..count {
            let end = c.end(i);
            if end < prev {
                return None;
            }
            prev = end;
        }
        (count > 0 && prev == bodies.len()).then_some(c)
    }

    fn end(&self, i: usize) -> usize {
        let b = &self.offsets[i * 4..i * 4 + 4];
        u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize
    }

    /// How many events.
    pub fn len(&self) -> usize {
        self.count
    }

    /// The body of the `i`-th event.
    pub fn body(&self, i: usize) -> Option<&'a [u8]> {
        if i >= self.count {
            return None;
        }
        let start = if i == 0 { 0 } else { self.end(i - 1) };
        self.bodies.get(start..self.end(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn bodies_come_back_one_by_one() {
        let bodies = vec![b"one".to_vec(), Vec::new(), b"three".to_vec()];
        let v = pack(&bodies);
        let c = Chunk::parse(&v).unwrap();
        assert_eq!(c.len(), 3);
        for (i, b) in bodies.iter().enumerate() {
            assert_eq!(c.body(i), Some(b.as_slice()));
        }
        assert_eq!(c.body(3), None);
    }

    #[test]
    fn runs_close_at_the_byte_and_event_caps() {
        let big = vec![vec![0u8; MAX_BYTES / 2 + 1]; 3];
        assert_eq!(runs(&big), vec![0..1, 1..2, 2..3]);
        let small = vec![vec![0u8; 10]; MAX_EVENTS + 1];
        assert_eq!(
            runs(&small),
            vec![0..MAX_EVENTS, MAX_EVENTS..MAX_EVENTS + 1]
        );
        let huge = vec![vec![0u8; MAX_BYTES * 2]];
        assert_eq!(
            runs(&huge),
            vec![0..1],
            "one event bigger than a chunk is a chunk"
        );
        assert!(runs(&[]).is_empty());
    }

    proptest! {
        #[test]
        fn damaged_chunks_are_refused_not_misread(v in proptest::collection::vec(any::<u8>(), 0..64)) {
            let mut with_layout = vec![CHUNK];
            with_layout.extend_from_slice(&v);
            if let Some(c) = Chunk::parse(&with_layout) {
                for i in 0..c.len() {
                    prop_assert!(c.body(i).is_some());
                }
            }
        }
    }
}
