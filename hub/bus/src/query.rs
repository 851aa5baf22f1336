//! Filtered, paged reads of the log through the secondary indexes.

use serde::Deserialize;

use super::store::{Index, Store};
use super::{BusError, Event, Level};

/// Which events to return. Every field narrows; all empty means everything.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filter {
    /// Exact kind (`fire.alarm`) or a family with a star (`fire.*`).
    pub kind: Option<String>,
    /// A zone path; matches the zone and every zone below it.
    pub zone: Option<String>,
    /// Device id.
    pub device: Option<String>,
    /// Minimum level.
    pub level: Option<Level>,
    /// Only events with seq greater than this (paging and resuming).
    pub after: Option<u64>,
    /// Only events received at or after this time (ms since the epoch).
    pub since_ms: Option<i64>,
    /// Only events received before this time (ms since the epoch).
    pub until_ms: Option<i64>,
    /// Page size (default 100, at most 10 000).
    pub limit: Option<usize>,
    /// The newest `limit` matching events instead of the oldest (still
    /// oldest first in the page; no next page): "the last faces at this
    /// gate" without reading the hour before them.
    #[serde(default)]
    pub newest: bool,
}

/// One page of a query.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// Matching events, oldest first.
    pub events: Vec<Event>,
    /// Pass as `after` to get the next page; `None` when this page reached the end.
    pub next_after: Option<u64>,
}

/// Default page size.
pub const DEFAULT_LIMIT: usize = 100;
/// Largest page.
pub const MAX_LIMIT: usize = 10_000;

impl Filter {
    /// Whether `e` passes every field but the seq/time window.
    pub fn matches(&self, e: &Event) -> bool {
        let b = &e.body;
        if let Some(k) = &self.kind {
            let ok = match k.strip_suffix('*') {
                Some(prefix) => b.kind.starts_with(prefix),
                None => &b.kind == k,
            };
            if !ok {
                return false;
            }
        }
        if let Some(z) = &self.zone
            && !twinwall_base::zone_within(&b.zone, z)
        {
            return false;
        }
        if let Some(d) = &self.device
            && b.device.as_deref() != Some(d.as_str())
        {
            return false;
        }
        if let Some(l) = self.level
            && b.level < l
        {
            return false;
        }
        true
    }
}

/// The index that narrows `f` most: a device, an exact kind, a zone.
fn index_of(f: &Filter) -> Option<(Index, &str)> {
    if let Some(d) = &f.device {
        Some((Index::Device, d.as_str()))
    } else if let Some(k) = f.kind.as_deref().filter(|k| !k.ends_with('*')) {
        Some((Index::Kind, k))
    } else {
        f.zone
            .as_deref()
            .map(|z| (Index::Zone, z.trim_end_matches('/')))
    }
}

/// The newest `limit` events of `f` with seq ≥ `from`, read from the end back.
fn newest(
    store: &Store,
    f: &Filter,
    index: Option<(Index, &str)>,
    from: u64,
    limit: usize,
) -> Result<Page, BusError> {
    let mut events = Vec::new();
    let mut take = |e: Event| -> bool {
        if e.seq < from {
            return false;
        }
        if f.until_ms.is_none_or(|u| e.time_ms < u) && f.matches(&e) {
            events.push(e);
        }
        events.len() < limit
    };
    match index {
        Some((index, value)) => {
            for seq in store.index_seqs_rev(index, value) {
                if let Some(e) = store.get(seq?)?
                    && !take(e)
                {
                    break;
                }
            }
        }
        None => {
            let mut before = u64::MAX;
            'scan: loop {
                let chunk = store.range_rev(before, 512)?;
                let Some(last) = chunk.last() else { break };
                before = last.seq;
                for e in chunk {
                    if !take(e) {
                        break 'scan;
                    }
                }
            }
        }
    }
    events.reverse();
    Ok(Page {
        events,
        next_after: None,
    })
}

pub(super) fn run(store: &Store, f: &Filter) -> Result<Page, BusError> {
    let limit = f.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let mut from = f.after.map_or(0, |a| a.saturating_add(1));
    if let Some(since) = f.since_ms {
        match store.seq_at_time(since)? {
            Some(s) => from = from.max(s),
            None => {
                return Ok(Page {
                    events: Vec::new(),
                    next_after: None,
                });
            }
        }
    }
    if f.newest {
        return newest(store, f, index_of(f), from, limit);
    }
    let index = index_of(f);
    let mut events = Vec::new();
    let mut more = false;
    let mut take = |e: Event| -> bool {
        if f.until_ms.is_some_and(|u| e.time_ms >= u) {
            return false;
        }
        if f.matches(&e) {
            if events.len() == limit {
                more = true;
                return false;
            }
            events.push(e);
        }
        true
    };
    match index {
        Some((index, value)) => {
            for seq in store.index_seqs(index, value, from) {
                // An index entry whose event retention removed is skipped.
                if let Some(e) = store.get(seq?)?
                    && !take(e)
                {
                    break;
                }
            }
        }
        None => 'scan: loop {
            let chunk = store.range(from, 512)?;
            let Some(last) = chunk.last() else { break };
            from = last.seq + 1;
            for e in chunk {
                if !take(e) {
                    break 'scan;
                }
            }
        },
    }
    let next_after = if more {
        events.last().map(|e| e.seq)
    } else {
        None
    };
    Ok(Page { events, next_after })
}
