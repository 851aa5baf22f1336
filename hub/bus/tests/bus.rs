//! The event bus on a real sled store in a temporary folder.

use std::collections::HashSet;
use std::time::Duration;

use twinwall_bus::{Bus, BusOptions, Filter, FlushPolicy, Level, NewEvent, Retention};

fn options(flush: FlushPolicy) -> BusOptions {
    BusOptions {
        site: "test".into(),
        flush,
        retention: Retention {
            max_age_ms: None,
            max_bytes: None,
            every: Duration::from_secs(3600),
            ..Retention::default()
        },
    }
}

fn ev(kind: &str, zone: &str, device: &str, n: u64) -> NewEvent {
    NewEvent::new(kind, zone).device(device).attr("n", n)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn subscribers_see_every_event_once_across_replay_and_live() {
    let dir = tempfile::tempdir().unwrap();
    let bus = Bus::open(dir.path(), options(FlushPolicy::Interval(50))).unwrap();
    // A backlog on disk before anyone subscribes.
    for i in 0..500u64 {
        bus.submit(vec![ev("fire.alarm", "campus/a", "d1", i)])
            .await
            .unwrap();
    }
    let total: u64 = 500 + 4 * 2_000;
    let writers: Vec<_> = (0..4u64)
        .map(|w| {
            let bus = bus.clone();
            tokio::spawn(async move {
                for i in 0..2_000u64 {
                    let batch = vec![ev("fire.fault", "campus/b", &format!("w{w}"), i)];
                    if i % 3 == 0 {
                        bus.append(batch).await.map(|_| ())
                    } else {
                        bus.submit(batch).await
                    }
                    .unwrap();
                }
            })
        })
        .collect();
    // Subscribers join at different moments while the writers run: each must
    // see every seq from its start, in order, once.
    let mut readers = Vec::new();
    for (k, from) in [0u64, 250, 499].into_iter().enumerate() {
        let bus = bus.clone();
        tokio::time::sleep(Duration::from_millis(5 * k as u64)).await;
        readers.push(tokio::spawn(async move {
            let mut sub = bus.subscribe(from, Filter::default());
            let mut expect = from;
            while expect < total {
                let e = tokio::time::timeout(Duration::from_secs(20), sub.next())
                    .await
                    .expect("stalled")
                    .unwrap();
                assert_eq!(e.seq, expect, "gap or duplicate");
                expect += 1;
            }
            expect - from
        }));
    }
    for w in writers {
        w.await.unwrap();
    }
    for (r, from) in readers.into_iter().zip([0u64, 250, 499]) {
        assert_eq!(r.await.unwrap(), total - from);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn acknowledged_events_survive_reopening_and_cursors_resume() {
    let dir = tempfile::tempdir().unwrap();
    let seqs = {
        let bus = Bus::open(dir.path(), options(FlushPolicy::EveryBatch)).unwrap();
        let mut seqs = Vec::new();
        for i in 0..100 {
            seqs.extend(
                bus.append(vec![
                    ev("fire.alarm", "campus/a", "d1", i).level(Level::Red),
                ])
                .await
                .unwrap(),
            );
        }
        let mut sub = bus
            .subscribe_durable("northbound", 0, Filter::default())
            .unwrap();
        for _ in 0..40 {
            let e = sub.next().await.unwrap();
            bus.commit_cursor("northbound", e.seq + 1).unwrap();
        }
        seqs
    };
    assert_eq!(seqs, (0..100).collect::<Vec<u64>>());
    let bus = Bus::open(dir.path(), options(FlushPolicy::EveryBatch)).unwrap();
    assert_eq!(bus.next_seq(), 100);
    let page = bus
        .query(&Filter {
            limit: Some(1000),
            ..Filter::default()
        })
        .unwrap();
    assert_eq!(page.events.len(), 100);
    assert_eq!(bus.cursor("northbound").unwrap(), Some(40));
    let mut sub = bus
        .subscribe_durable("northbound", 0, Filter::default())
        .unwrap();
    assert_eq!(
        sub.next().await.unwrap().seq,
        40,
        "resumes where the consumer stopped"
    );
    // New events continue the numbering.
    assert_eq!(
        bus.append(vec![ev("fire.alarm", "campus/a", "d1", 100)])
            .await
            .unwrap(),
        vec![100]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn queries_filter_by_kind_zone_device_level_and_page() {
    let dir = tempfile::tempdir().unwrap();
    let bus = Bus::open(dir.path(), options(FlushPolicy::Interval(100))).unwrap();
    let mut batch = Vec::new();
    for i in 0..300u64 {
        let (kind, zone, dev) = match i % 3 {
            0 => ("fire.alarm", "campus/chem/f2", "fp-1"),
            1 => ("fire.fault", "campus/chem", "fp-1"),
            _ => ("device.offline", "campus/library", "fp-2"),
        };
        batch.push(ev(kind, zone, dev, i).level(if i % 3 == 0 { Level::Red } else { Level::Info }));
    }
    bus.append(batch).await.unwrap();
    let q = |f: Filter| bus.query(&f).unwrap();
    let alarms = q(Filter {
        kind: Some("fire.alarm".into()),
        limit: Some(1000),
        ..Default::default()
    });
    assert_eq!(alarms.events.len(), 100);
    assert!(alarms.events.iter().all(|e| e.body.kind == "fire.alarm"));
    let fire = q(Filter {
        kind: Some("fire.*".into()),
        limit: Some(1000),
        ..Default::default()
    });
    assert_eq!(fire.events.len(), 200);
    let chem = q(Filter {
        zone: Some("campus/chem".into()),
        limit: Some(1000),
        ..Default::default()
    });
    assert_eq!(chem.events.len(), 200, "a zone includes the zones below it");
    let f2 = q(Filter {
        zone: Some("campus/chem/f2".into()),
        limit: Some(1000),
        ..Default::default()
    });
    assert_eq!(f2.events.len(), 100);
    let fp2 = q(Filter {
        device: Some("fp-2".into()),
        level: Some(Level::Info),
        limit: Some(1000),
        ..Default::default()
    });
    assert_eq!(fp2.events.len(), 100);
    let red = q(Filter {
        level: Some(Level::Red),
        limit: Some(1000),
        ..Default::default()
    });
    assert_eq!(red.events.len(), 100);
    // Paging: 100 alarms in pages of 30, no overlap, no gap.
    let mut seen = HashSet::new();
    let mut after = None;
    loop {
        let page = q(Filter {
            kind: Some("fire.alarm".into()),
            after,
            limit: Some(30),
            ..Default::default()
        });
        for e in &page.events {
            assert!(seen.insert(e.seq));
        }
        match page.next_after {
            Some(a) => after = Some(a),
            None => break,
        }
    }
    assert_eq!(seen.len(), 100);
    // Time window: everything was appended in one batch, at one receive time.
    let t = alarms.events[0].time_ms;
    assert_eq!(
        q(Filter {
            since_ms: Some(t + 1),
            ..Default::default()
        })
        .events
        .len(),
        0
    );
    assert_eq!(
        q(Filter {
            until_ms: Some(t),
            ..Default::default()
        })
        .events
        .len(),
        0
    );
    assert_eq!(
        q(Filter {
            since_ms: Some(t),
            limit: Some(1000),
            ..Default::default()
        })
        .events
        .len(),
        300
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_newest_events_come_from_the_end_through_an_index_or_a_scan() {
    let dir = tempfile::tempdir().unwrap();
    let bus = Bus::open(dir.path(), options(FlushPolicy::Interval(100))).unwrap();
    // Several group commits (chunks and posting lists of their own).
    for round in 0..5u64 {
        let batch: Vec<NewEvent> = (0..700u64)
            .map(|j| {
                let i = round * 700 + j;
                let (kind, dev) = if i % 2 == 0 {
                    ("access.granted", "fg-1")
                } else {
                    ("vehicle.plate", "bg-1")
                };
                ev(kind, "campus/gate", dev, i)
            })
            .collect();
        bus.append(batch).await.unwrap();
    }
    let q = |f: Filter| bus.query(&f).unwrap();
    let all_of = |dev: &str| -> Vec<u64> {
        let mut seqs = Vec::new();
        let mut after = None;
        loop {
            let p = q(Filter {
                device: Some(dev.into()),
                after,
                limit: Some(1000),
                ..Default::default()
            });
            seqs.extend(p.events.iter().map(|e| e.seq));
            match p.next_after {
                Some(a) => after = Some(a),
                None => return seqs,
            }
        }
    };
    let gate = all_of("fg-1");
    assert_eq!(gate.len(), 1750);
    for f in [
        // Through the device index, the kind index, and a scan (a family kind).
        Filter {
            device: Some("fg-1".into()),
            limit: Some(6),
            newest: true,
            ..Default::default()
        },
        Filter {
            kind: Some("access.granted".into()),
            limit: Some(6),
            newest: true,
            ..Default::default()
        },
        Filter {
            kind: Some("access.*".into()),
            limit: Some(6),
            newest: true,
            ..Default::default()
        },
    ] {
        let page = q(f.clone());
        let got: Vec<u64> = page.events.iter().map(|e| e.seq).collect();
        assert_eq!(
            got,
            gate[gate.len() - 6..],
            "{f:?}: the last six, oldest first"
        );
        assert_eq!(page.next_after, None);
    }
    // Bounded below: `after` (and `since`) stop the walk back.
    let cut = gate[gate.len() - 3] - 1;
    let page = q(Filter {
        device: Some("fg-1".into()),
        after: Some(cut),
        limit: Some(6),
        newest: true,
        ..Default::default()
    });
    assert_eq!(
        page.events.iter().map(|e| e.seq).collect::<Vec<_>>(),
        gate[gate.len() - 3..]
    );
    let page = q(Filter {
        kind: Some("access.*".into()),
        after: Some(cut),
        limit: Some(6),
        newest: true,
        ..Default::default()
    });
    assert_eq!(page.events.len(), 3);
    // Bounded above: `until` skips the newest.
    let t = page.events[0].time_ms;
    let none = q(Filter {
        device: Some("fg-1".into()),
        until_ms: Some(t),
        since_ms: Some(t),
        newest: true,
        ..Default::default()
    });
    assert!(none.events.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn retention_by_size_drops_the_oldest_only() {
    let dir = tempfile::tempdir().unwrap();
    let opts = BusOptions {
        site: "test".into(),
        flush: FlushPolicy::Interval(100),
        retention: Retention {
            max_age_ms: None,
            max_bytes: Some(20_000),
            every: Duration::from_millis(100),
            ..Retention::default()
        },
    };
    let bus = Bus::open(dir.path(), opts).unwrap();
    for chunk in 0..10u64 {
        let batch = (0..100)
            .map(|i| ev("fire.fault", "campus/a", "d1", chunk * 100 + i).message("x".repeat(50)))
            .collect();
        bus.append(batch).await.unwrap();
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while bus.bytes() > 20_000 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "retention did not run: {} bytes",
            bus.bytes()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let first = bus.first_seq().unwrap().unwrap();
    assert!(first > 0);
    let page = bus
        .query(&Filter {
            limit: Some(10_000),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(page.events.first().map(|e| e.seq), Some(first));
    assert_eq!(
        page.events.last().map(|e| e.seq),
        Some(999),
        "the newest events stay"
    );
    // The kind index no longer returns removed events.
    let by_kind = bus
        .query(&Filter {
            kind: Some("fire.fault".into()),
            limit: Some(10_000),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(by_kind.events.len(), page.events.len());
}

/// 1,000 events of about 100 bytes each, seq 0..1000.
async fn thousand(bus: &Bus) {
    for chunk in 0..10u64 {
        let batch = (0..100)
            .map(|i| ev("fire.fault", "campus/a", "d1", chunk * 100 + i).message("x".repeat(50)))
            .collect();
        bus.append(batch).await.unwrap();
    }
}

fn protecting(max: u64, hard: u64) -> BusOptions {
    BusOptions {
        site: "test".into(),
        flush: FlushPolicy::Interval(100),
        retention: Retention {
            max_age_ms: None,
            max_bytes: Some(max),
            every: Duration::from_millis(100),
            protect_cursors: &["nb"],
            hard_max_bytes: Some(hard),
        },
    }
}

async fn settled(bus: &Bus, pred: impl Fn(&Bus) -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !pred(bus) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "retention did not get there: first {:?}, {} bytes",
            bus.first_seq().unwrap(),
            bus.bytes()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn retention_keeps_what_the_northbound_broker_has_not_had() {
    let dir = tempfile::tempdir().unwrap();
    let bus = Bus::open(dir.path(), protecting(20_000, 1 << 30)).unwrap();
    bus.commit_cursor("nb", 500).unwrap();
    thousand(&bus).await;
    // Everything read goes (the log is over its limit); nothing unread does.
    settled(&bus, |b| b.first_seq().unwrap() == Some(500)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(bus.first_seq().unwrap(), Some(500), "unread events stay");
    assert!(
        bus.bytes() > 20_000,
        "over the soft limit, under the hard cap"
    );
    let gaps = bus
        .query(&Filter {
            kind: Some("bus.gap".into()),
            ..Default::default()
        })
        .unwrap();
    assert!(gaps.events.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn past_the_hard_cap_unread_events_go_and_a_gap_event_names_them() {
    let dir = tempfile::tempdir().unwrap();
    let bus = Bus::open(dir.path(), protecting(20_000, 30_000)).unwrap();
    bus.commit_cursor("nb", 500).unwrap();
    thousand(&bus).await;
    let gap = loop {
        let page = bus
            .query(&Filter {
                kind: Some("bus.gap".into()),
                ..Default::default()
            })
            .unwrap();
        if let Some(e) = page.events.first() {
            break e.clone();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(gap.body.level, Level::Orange);
    assert_eq!(gap.body.int("first_seq"), Some(500));
    let last = gap.body.int("last_seq").unwrap();
    assert!((500..1000).contains(&last), "{last}");
    assert_eq!(
        bus.first_seq().unwrap(),
        Some(last as u64 + 1),
        "removed up to what the gap event names"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn pictures_go_with_the_last_event_that_shows_them() {
    use twinwall_bus::MediaRef;
    let dir = tempfile::tempdir().unwrap();
    let bus = Bus::open(dir.path(), protecting(2_000, 1 << 30)).unwrap();
    bus.commit_cursor("nb", u64::MAX).unwrap();
    let pic = |hash: &str| MediaRef {
        role: "face".into(),
        hash: hash.into(),
        content_type: "image/jpeg".into(),
    };
    let (old, shared) = ("a".repeat(64), "b".repeat(64));
    bus.put_media(&old, "image/jpeg", &[0xff; 4000]).unwrap();
    bus.put_media(&shared, "image/jpeg", &[0xfe; 100]).unwrap();
    let bytes_with_pictures = bus.bytes();
    assert!(
        bytes_with_pictures >= 4100,
        "pictures count towards the size"
    );
    let mut first = ev("access.granted", "campus/a", "g1", 0);
    first.media = vec![pic(&old), pic(&shared)];
    bus.append(vec![first]).await.unwrap();
    // Newer events keep the shared picture.
    for n in 1..40 {
        let mut e = ev("access.granted", "campus/a", "g1", n).message("y".repeat(20));
        e.media = vec![pic(&shared)];
        bus.append(vec![e]).await.unwrap();
    }
    settled(&bus, |b| b.media(&old).unwrap().is_none()).await;
    assert!(bus.first_seq().unwrap().unwrap() > 0);
    assert!(
        bus.media(&shared).unwrap().is_some(),
        "still shown by a kept event"
    );
}
