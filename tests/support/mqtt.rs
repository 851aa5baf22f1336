//! A broker for the tests (the one `TWINWALL_TEST_MQTT` names, or a Mosquitto
//! the test starts on a free port), a TCP proxy that can cut the hub off from
//! it, and a subscriber that collects what arrives.

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use crate::wait_for;

/// A broker the tests can use.
pub struct Broker {
    /// host:port.
    pub addr: SocketAddr,
    child: Option<Child>,
    /// Holds the started broker's config file.
    _conf: Option<tempfile::TempDir>,
}

impl Drop for Broker {
    fn drop(&mut self) {
        if let Some(c) = &mut self.child {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Broker {
    /// `TWINWALL_TEST_MQTT` (e.g. `mqtt://127.0.0.1:1883`) or a new Mosquitto.
    pub async fn get() -> Broker {
        if let Ok(url) = std::env::var("TWINWALL_TEST_MQTT") {
            let hostport = url.trim_start_matches("mqtt://").trim_end_matches('/');
            let addr = tokio::net::lookup_host(hostport)
                .await
                .expect("TWINWALL_TEST_MQTT resolves")
                .next()
                .expect("an address");
            return Broker {
                addr,
                child: None,
                _conf: None,
            };
        }
        Broker::start(&[]).await
    }

    /// A new Mosquitto on a free loopback port with these extra
    /// `mosquitto.conf` lines (the benchmark sets its queue limits so the
    /// figure does not depend on the machine's broker).
    pub async fn start(conf: &[&str]) -> Broker {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("mosquitto.conf");
        let mut text = format!("listener {port} 127.0.0.1\nallow_anonymous true\n");
        for line in conf {
            text.push_str(line);
            text.push('\n');
        }
        std::fs::write(&file, text).unwrap();
        let child = Command::new("mosquitto")
            .arg("-c")
            .arg(&file)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("no TWINWALL_TEST_MQTT and no `mosquitto` to start: install mosquitto or name a broker");
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        wait_for(Duration::from_secs(10), || async {
            TcpStream::connect(addr).await.ok().map(|_| ())
        })
        .await
        .expect("mosquitto did not start listening");
        Broker {
            addr,
            child: Some(child),
            _conf: Some(dir),
        }
    }
}

/// A TCP proxy in front of the broker; `cut` makes the broker unreachable.
pub struct Proxy {
    /// Where the hub connects.
    pub addr: SocketAddr,
    up: Arc<AtomicBool>,
    generation: watch::Sender<u64>,
}

impl Proxy {
    /// Forward to `target`.
    pub async fn start(target: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let up = Arc::new(AtomicBool::new(true));
        let (generation, _) = watch::channel(0u64);
        let (u, g) = (up.clone(), generation.clone());
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if !u.load(Ordering::SeqCst) {
                    continue; // dropped: connection closed at once
                }
                let mut cut = g.subscribe();
                tokio::spawn(async move {
                    let Ok(mut server) = TcpStream::connect(target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = cut.changed() => {}
                    }
                });
            }
        });
        Proxy {
            addr,
            up,
            generation,
        }
    }

    /// Cut every connection and refuse new ones.
    pub fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        self.generation.send_modify(|g| *g += 1);
    }

    /// Accept connections again.
    pub fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

/// Messages received by a subscriber: (topic, payload, when it arrived).
pub type Inbox = Arc<Mutex<Vec<(String, Vec<u8>, std::time::Instant)>>>;

/// A subscriber to every event the hub of `site` forwards.
pub async fn event_subscriber(broker: SocketAddr, site: &str) -> (AsyncClient, Inbox) {
    subscriber(
        broker,
        &format!("sub-{site}"),
        &format!("twinwall/{site}/events/#"),
    )
    .await
}

/// Subscribe to `filter` on `broker`; returns the client (to publish) and the inbox.
pub async fn subscriber(broker: SocketAddr, id: &str, filter: &str) -> (AsyncClient, Inbox) {
    let mut o = MqttOptions::new(id, broker.ip().to_string(), broker.port());
    o.set_keep_alive(Duration::from_secs(10))
        .set_max_packet_size(1 << 20, 1 << 20);
    let (client, mut eventloop) = AsyncClient::new(o, 64);
    let inbox: Inbox = Arc::default();
    let (subscribed_tx, mut subscribed) = watch::channel(false);
    let (c, i, f) = (client.clone(), inbox.clone(), filter.to_owned());
    tokio::spawn(async move {
        loop {
            match eventloop.poll().await {
                Ok(Event::Incoming(Packet::ConnAck(_))) => {
                    let _ = c.subscribe(f.clone(), QoS::AtLeastOnce).await;
                }
                Ok(Event::Incoming(Packet::SubAck(_))) => {
                    let _ = subscribed_tx.send(true);
                }
                Ok(Event::Incoming(Packet::Publish(p))) => i.lock().unwrap().push((
                    p.topic.clone(),
                    p.payload.to_vec(),
                    std::time::Instant::now(),
                )),
                Ok(_) => {}
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    });
    tokio::time::timeout(Duration::from_secs(10), subscribed.wait_for(|s| *s))
        .await
        .expect("subscribed in time")
        .unwrap();
    (client, inbox)
}

/// The `seq` of every event message in the inbox, in arrival order.
pub fn seqs(inbox: &Inbox) -> Vec<u64> {
    inbox
        .lock()
        .unwrap()
        .iter()
        .filter(|(t, _, _)| t.contains("/events/"))
        .filter_map(|(_, p, _)| {
            serde_json::from_slice::<serde_json::Value>(p).ok()?["seq"].as_u64()
        })
        .collect()
}

/// Check at-least-once delivery in order: every seq below `upto` arrived, and
/// first arrivals are in increasing order (redeliveries after a reconnect may repeat).
pub fn assert_complete_in_order(seqs: &[u64], upto: u64) {
    let mut next = 0u64;
    let mut seen = std::collections::BTreeSet::new();
    for &s in seqs {
        if seen.insert(s) {
            assert!(
                s >= next,
                "seq {s} arrived for the first time after {}",
                next.saturating_sub(1)
            );
            next = s + 1;
        }
    }
    let missing: Vec<u64> = (0..upto).filter(|s| !seen.contains(s)).collect();
    assert!(missing.is_empty(), "missing seqs: {missing:?}");
}
