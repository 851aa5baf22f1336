//! Index entries as posting lists: one entry per index value per group
//! commit instead of one per event, so indexing a batch of 2,048 events from
//! a hundred devices costs a few hundred writes, not fourteen thousand.
//!
//! An entry's key is the value's bytes, a 0x00 and the big-endian first seq;
//! its value is the following seqs as LEB128 deltas. An entry of one seq has
//! an empty value, which is exactly the layout of stores written before
//! posting lists, so those read unchanged.

use std::collections::HashMap;

/// The index key of `value` at `seq`.
pub(super) fn key(value: &str, seq: u64) -> Vec<u8> {
    let mut k = Vec::with_capacity(value.len() + 9);
    k.extend_from_slice(value.as_bytes());
    k.push(0);
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

/// The stored value for ascending `seqs` (the first is in the key).
pub(super) fn encode(seqs: &[u64]) -> Vec<u8> {
    let mut out = Vec::new();
    for w in seqs.windows(2) {
        let mut d = w[1] - w[0];
        loop {
            let byte = (d & 0x7f) as u8;
            d >>= 7;
            if d == 0 {
                out.push(byte);
                break;
            }
            out.push(byte | 0x80);
        }
    }
    out
}

/// The seqs of an entry whose first seq is `first`; `None` for a value that
/// is not a list of deltas (a damaged entry).
pub(super) fn decode(first: u64, v: &[u8]) -> Option<Vec<u64>> {
    let mut seqs = vec![first];
    let (mut cur, mut d, mut shift) = (first, 0u64, 0u32);
    for &b in v {
        if shift > 63 {
            return None;
        }
        d |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            cur = cur.checked_add(d)?;
            seqs.push(cur);
            (d, shift) = (0, 0);
        } else {
            shift += 7;
        }
    }
    (shift == 0).then_some(seqs)
}

/// The entries one write adds to one index: value → its seqs, in the order
/// values first appear (so the batch is deterministic).
#[derive(Default)]
pub(super) struct Lists<'a> {
    at: HashMap<&'a str, usize>,
    lists: Vec<(&'a str, Vec<u64>)>,
}

impl<'a> Lists<'a> {
    /// Note that event `seq` has `value`.
    pub fn add(&mut self, value: &'a str, seq: u64) {
        let i = *self.at.entry(value).or_insert_with(|| {
            self.lists.push((value, Vec::new()));
            self.lists.len() - 1
        });
        let seqs = &mut self.lists[i].1;
        // An event names a zone ancestor once, but be safe against repeats.
        if seqs.last() != Some(&seq) {
            seqs.push(seq);
        }
    }

    /// The (key, value) pairs to store.
    pub fn entries(&self) -> impl Iterator<Item = (Vec<u8>, Vec<u8>)> + '_ {
        self.lists
            .iter()
            .map(|(value, seqs)| (key(value, seqs[0]), encode(seqs)))
    }

    /// The distinct values.
    pub fn values(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.lists.iter().map(|(v, _)| *v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn one_seq_is_the_old_layout() {
        assert!(encode(&[42]).is_empty());
        assert_eq!(decode(42, &[]), Some(vec![42]));
    }

    #[test]
    fn damaged_values_are_refused() {
        assert_eq!(decode(1, &[0x80]), None, "a delta cut short");
        assert_eq!(decode(1, &[0xff; 11]), None, "a delta too long");
        assert_eq!(decode(u64::MAX, &[1]), None, "past the last seq");
    }

    #[test]
    fn lists_group_by_value_in_first_seen_order() {
        let mut l = Lists::default();
        for (v, s) in [("a", 1), ("b", 2), ("a", 3), ("a", 3), ("b", 9)] {
            l.add(v, s);
        }
        let got: Vec<_> = l.entries().collect();
        assert_eq!(got[0], (key("a", 1), encode(&[1, 3])));
        assert_eq!(got[1], (key("b", 2), encode(&[2, 9])));
        assert_eq!(l.values().collect::<Vec<_>>(), ["a", "b"]);
    }

    proptest! {
        #[test]
        fn deltas_round_trip(first in 0u64..u64::MAX / 2, gaps in proptest::collection::vec(1u64..u64::MAX / 4096, 0..64)) {
            let mut seqs = vec![first];
            for g in gaps {
                let next = seqs.last().unwrap().saturating_add(g);
                if next == *seqs.last().unwrap() { break; }
                seqs.push(next);
            }
            prop_assert_eq!(decode(first, &encode(&seqs)), Some(seqs));
        }

        #[test]
        fn any_bytes_decode_or_are_refused(first in any::<u64>(), v in proptest::collection::vec(any::<u8>(), 0..64)) {
            if let Some(seqs) = decode(first, &v) {
                prop_assert!(seqs.windows(2).all(|w| w[0] <= w[1]));
            }
        }
    }
}
