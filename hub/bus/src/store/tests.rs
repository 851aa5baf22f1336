//! The store on real sled in a temporary folder: layouts side by side,
//! index lists, repair after a cut write, chunks.

use super::*;

/// Open the store in `dir`. sled lets go of a folder's lock when its last
/// handle's background flusher ends, a moment after the handle is dropped:
/// a reopen waits for it (up to five seconds) as a restarted hub would.
fn open(dir: &std::path::Path) -> Store {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        match Store::open(dir, None) {
            Ok(s) => return s,
            Err(e)
                if e.to_string().contains("could not acquire lock")
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(e) => panic!("the store opens: {e}"),
        }
    }
}

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
        body: crate::NewEvent::new("fire.alarm", "campus").attr("point", seq as i64),
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
    let store = open(dir.path());
    assert_eq!(store.versioned_from, 3);
    store.write(&[event(3), event(4)]).unwrap();
    let raw = store.events.get(be(3)).unwrap().unwrap();
    assert_eq!(raw[0], chunk::CHUNK, "new events carry their layout");
    let all = store.range(0, 10).unwrap();
    assert_eq!(all, (0..5).map(event).collect::<Vec<_>>());
    drop(store);
    let again = open(dir.path());
    assert_eq!(again.range(0, 10).unwrap().len(), 5, "after a reopen too");
    assert_eq!(again.last().unwrap().map(|(s, _)| s), Some(4));
    // A layout from a newer hub is named, not misread.
    again.events.insert(be(5), vec![9, 1, 2]).unwrap();
    let e = again.get(5).unwrap_err().to_string();
    assert!(e.contains("layout 9") && e.contains("event 5"), "{e}");
}

fn kind_seqs(store: &Store, kind: &str, from: u64) -> Vec<u64> {
    store
        .index_seqs(Index::Kind, kind, from)
        .map(|s| s.unwrap())
        .collect()
}

fn batch(seqs: std::ops::Range<u64>, time_ms: i64) -> Vec<Event> {
    seqs.map(|seq| Event {
        time_ms,
        ..event(seq)
    })
    .collect()
}

#[test]
fn one_write_makes_one_index_entry_per_value() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    store.write(&batch(0..100, 5)).unwrap();
    store.write(&batch(100..150, 6)).unwrap();
    assert_eq!(store.by_kind.len(), 2, "one entry per write");
    assert_eq!(store.by_time.len(), 2);
    assert_eq!(
        kind_seqs(&store, "fire.alarm", 0),
        (0..150).collect::<Vec<_>>()
    );
    assert_eq!(
        kind_seqs(&store, "fire.alarm", 42),
        (42..150).collect::<Vec<_>>()
    );
    assert_eq!(
        kind_seqs(&store, "fire.alarm", 120),
        (120..150).collect::<Vec<_>>()
    );
    assert!(kind_seqs(&store, "fire.alarm", 150).is_empty());
    assert_eq!(store.seq_at_time(6).unwrap(), Some(100));
    assert_eq!(store.seq_at_time(7).unwrap(), None);
}

#[test]
fn entries_of_one_event_each_from_older_stores_read_beside_lists() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    // The earlier layout: an entry per event, empty values.
    for e in batch(0..3, 5) {
        store.events.insert(be(e.seq), encode(&e).unwrap()).unwrap();
        store
            .by_kind
            .insert(index_key("fire.alarm", e.seq), &[])
            .unwrap();
        store.by_time.insert(time_key(5, e.seq), &[]).unwrap();
    }
    store.write(&batch(3..10, 6)).unwrap();
    assert_eq!(
        kind_seqs(&store, "fire.alarm", 1),
        (1..10).collect::<Vec<_>>()
    );
    assert_eq!(store.seq_at_time(5).unwrap(), Some(0));
    drop(store);
    let again = open(dir.path());
    assert_eq!(
        kind_seqs(&again, "fire.alarm", 0),
        (0..10).collect::<Vec<_>>(),
        "nothing re-indexed twice"
    );
}

#[test]
fn a_write_cut_between_events_and_indexes_is_reindexed_once() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = open(dir.path());
        store.write(&batch(0..10, 5)).unwrap();
        // The next write stopped after the events and the kind index,
        // before the time index that marks it done.
        let cut = batch(10..20, 6);
        for e in &cut {
            store.events.insert(be(e.seq), encode(e).unwrap()).unwrap();
        }
        store
            .by_kind
            .insert(
                index_key("fire.alarm", 10),
                postings::encode(&(10..20).collect::<Vec<_>>()),
            )
            .unwrap();
        store.flush().unwrap();
    }
    let store = open(dir.path());
    assert_eq!(
        kind_seqs(&store, "fire.alarm", 0),
        (0..20).collect::<Vec<_>>()
    );
    let zone: Vec<u64> = store
        .index_seqs(Index::Zone, "campus", 0)
        .map(|s| s.unwrap())
        .collect();
    assert_eq!(zone, (0..20).collect::<Vec<_>>());
    assert_eq!(store.seq_at_time(6).unwrap(), Some(10));
}

#[test]
fn a_group_commit_is_stored_in_chunks_read_one_event_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let n = chunk::MAX_EVENTS as u64 + 88;
    store.write(&batch(0..n, 5)).unwrap();
    assert_eq!(store.events.len(), 2, "two chunks");
    assert_eq!(store.get(0).unwrap().unwrap().seq, 0);
    assert_eq!(store.get(n - 1).unwrap().unwrap().seq, n - 1);
    assert_eq!(store.get(n).unwrap(), None);
    let page = store.range(500, 30).unwrap();
    assert_eq!(
        page.iter().map(|e| e.seq).collect::<Vec<_>>(),
        (500..530).collect::<Vec<_>>()
    );
    // Pages that start and end inside chunks, walked to the end, see every
    // event once.
    let (mut from, mut seen) = (3, Vec::new());
    loop {
        let page = store.range(from, 97).unwrap();
        let Some(last) = page.last() else { break };
        from = last.seq + 1;
        seen.extend(page.iter().map(|e| e.seq));
    }
    assert_eq!(seen, (3..n).collect::<Vec<_>>());
    assert!(store.range(n, 10).unwrap().is_empty());
    assert_eq!(store.last().unwrap(), Some((n - 1, 5)));
    // A damaged chunk is named, not misread.
    store
        .events
        .insert(be(n), vec![chunk::CHUNK, 9, 9])
        .unwrap();
    let e = store.get(n).unwrap_err().to_string();
    assert!(e.contains("chunk") && e.contains(&n.to_string()), "{e}");
}

#[test]
fn retention_keeps_lists_that_reach_past_it_until_their_last_event_goes() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let n = chunk::MAX_EVENTS as u64 + 88;
    store.write(&batch(0..n, 5)).unwrap();
    store.write(&batch(n..n + 10, 6)).unwrap();
    // The first chunk goes whole; the second is not all doomed and stays.
    let gone = store.delete_oldest(1, |e, _| e.seq < 520).unwrap();
    assert_eq!(gone, (0..chunk::MAX_EVENTS as u64).collect::<Vec<_>>());
    let left: Vec<u64> = kind_seqs(&store, "fire.alarm", 0)
        .into_iter()
        .filter(|s| store.get(*s).unwrap().is_some())
        .collect();
    assert_eq!(left, (chunk::MAX_EVENTS as u64..n + 10).collect::<Vec<_>>());
    assert_eq!(
        store.by_kind.len(),
        2,
        "the first write's list reaches past the cut and stays"
    );
    assert_eq!(
        store.seq_at_time(0).unwrap(),
        Some(0),
        "the straddling write's start"
    );
    assert_eq!(store.first_seq().unwrap(), Some(chunk::MAX_EVENTS as u64));
    assert_eq!(store.delete_oldest(10_000, |_, _| true).unwrap().len(), 98);
    assert_eq!(store.by_kind.len(), 0);
    assert_eq!(store.by_zone.len(), 0);
    assert_eq!(store.by_time.len(), 0);
    assert_eq!(store.bytes(), 0);
}

#[test]
fn time_keys_sort_by_time_then_seq() {
    assert!(time_key(-5, 9) < time_key(0, 0));
    assert!(time_key(10, 1) < time_key(10, 2));
    assert!(time_key(10, 99) < time_key(11, 0));
}
