//! Hub-wide TCP and UDP listeners on ports the config names
//! (`[listen.ports]`), for devices that dial in (alarm hosts reporting over
//! SIA DC-09, say). The hub accepts, cuts the bytes into frames as the
//! driver asked, gives each connection (for UDP: each peer) an id, and
//! routes every frame to the configured device it belongs to: directly when
//! one device has the port to itself, else through the driver's `route`
//! export, which names a key (an account number) that a device claimed.
//!
//! Bytes a driver sends back (an ACK) wait until the events of the same
//! outcome are committed, and leave in order per connection: a device is
//! never acknowledged for an event the hub did not keep.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::framing::Framer;
use super::session::{Commit, InputSink, committed};
use super::types::{Failure, FailureKind, Framing, Input, SocketKind, SocketListen};

/// A frame on a shared port, for the owning driver's `route`.
#[derive(Debug, Clone)]
pub struct RouteFrame {
    /// Port name.
    pub port: String,
    /// Connection.
    pub conn: u64,
    /// Sender.
    pub peer: String,
    /// The frame.
    pub data: Vec<u8>,
}

/// Where a driver's supervisor takes frames to route.
pub type FrameRouter = mpsc::Sender<RouteFrame>;

struct Claim {
    device: String,
    driver: String,
    listen: SocketListen,
    sink: InputSink,
    router: FrameRouter,
}

#[derive(Default)]
struct PortState {
    claims: Vec<Claim>,
}

struct Port {
    addr: SocketAddr,
    state: Mutex<PortState>,
    udp: Arc<UdpSocket>,
    udp_peers: Mutex<HashMap<SocketAddr, u64>>,
}

enum Out {
    Data(Vec<u8>, Commit, bool),
    Close,
}

struct Conn {
    port: String,
    peer: SocketAddr,
    kind: SocketKind,
    tx: mpsc::Sender<Out>,
    /// Devices the connection was bound to, with the listen id.
    bound: HashMap<String, (String, InputSink)>,
}

/// The hub's socket listeners.
pub struct SocketHub {
    ports: BTreeMap<String, Arc<Port>>,
    conns: Mutex<HashMap<u64, Conn>>,
    next: AtomicU64,
}

impl std::fmt::Debug for SocketHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SocketHub")
            .field("ports", &self.ports.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// A shared socket hub.
pub type SharedSockets = Arc<SocketHub>;

/// Most UDP peers remembered per port.
const MAX_UDP_PEERS: usize = 65_536;

impl SocketHub {
    /// Bind every named port (TCP and UDP on the same address) and start
    /// accepting. Errors name the port and address.
    pub async fn bind(
        ports: &BTreeMap<String, String>,
    ) -> Result<(SharedSockets, Vec<JoinHandle<()>>), (String, String)> {
        let mut bound = BTreeMap::new();
        let mut listeners = Vec::new();
        for (name, addr) in ports {
            let err = |e: std::io::Error| (format!("{name} = {addr}"), e.to_string());
            let tcp = TcpListener::bind(addr).await.map_err(err)?;
            let at = tcp.local_addr().map_err(err)?;
            // UDP on the same port as TCP, so one number serves both.
            let udp = UdpSocket::bind(at).await.map_err(err)?;
            bound.insert(
                name.clone(),
                Arc::new(Port {
                    addr: at,
                    state: Mutex::default(),
                    udp: Arc::new(udp),
                    udp_peers: Mutex::default(),
                }),
            );
            listeners.push((name.clone(), tcp));
        }
        let hub = Arc::new(SocketHub {
            ports: bound,
            conns: Mutex::default(),
            next: AtomicU64::new(1),
        });
        let mut tasks = Vec::new();
        for (name, tcp) in listeners {
            tasks.push(tokio::spawn(accept(hub.clone(), name.clone(), tcp)));
            tasks.push(tokio::spawn(receive_udp(hub.clone(), name)));
        }
        Ok((hub, tasks))
    }

    /// Where port `name` listens.
    pub fn addr(&self, name: &str) -> Option<SocketAddr> {
        self.ports.get(name).map(|p| p.addr)
    }

    /// A device's driver listens on a port.
    pub fn claim(
        &self,
        device: &str,
        driver: &str,
        listen: SocketListen,
        sink: InputSink,
        router: FrameRouter,
    ) -> Result<(), Failure> {
        let fail = |kind, m: String| Failure::new(&listen.id, kind, m);
        let Some(port) = self.ports.get(&listen.port) else {
            return Err(fail(
                FailureKind::Unsupported,
                format!(
                    "port `{}` is not in [listen.ports] of the hub's config (it has: {})",
                    listen.port,
                    self.ports.keys().cloned().collect::<Vec<_>>().join(", ")
                ),
            ));
        };
        Framer::new(listen.framing.clone(), listen.max_frame as usize)
            .map_err(|e| fail(FailureKind::Refused, e.to_string()))?;
        let mut st = port.state.lock().unwrap_or_else(|p| p.into_inner());
        for c in st
            .claims
            .iter()
            .filter(|c| c.device != device || c.listen.id != listen.id)
        {
            if c.driver != driver {
                return Err(fail(
                    FailureKind::Refused,
                    format!(
                        "port `{}` belongs to driver `{}` (device `{}`)",
                        listen.port, c.driver, c.device
                    ),
                ));
            }
            if c.listen.kind == listen.kind
                && (c.listen.framing != listen.framing || c.listen.max_frame != listen.max_frame)
            {
                return Err(fail(
                    FailureKind::Refused,
                    format!(
                        "port `{}` already frames differently for device `{}`",
                        listen.port, c.device
                    ),
                ));
            }
            if let Some(k) = c.listen.routes.iter().find(|k| listen.routes.contains(k))
                && c.device != device
                && c.listen.kind == listen.kind
            {
                return Err(fail(
                    FailureKind::Refused,
                    format!(
                        "key `{k}` on port `{}` is already device `{}`'s",
                        listen.port, c.device
                    ),
                ));
            }
        }
        st.claims
            .retain(|c| !(c.device == device && c.listen.id == listen.id));
        st.claims.push(Claim {
            device: device.to_owned(),
            driver: driver.to_owned(),
            listen,
            sink,
            router,
        });
        Ok(())
    }

    /// A device stops listening (`None`: on every port).
    pub fn unclaim(&self, device: &str, listen: Option<&str>) {
        for p in self.ports.values() {
            p.state
                .lock()
                .unwrap_or_else(|x| x.into_inner())
                .claims
                .retain(|c| c.device != device || listen.is_some_and(|l| c.listen.id != l));
        }
    }

    /// The device owning `key` on `port`, with its listen id and input queue.
    pub fn claimant(
        &self,
        port: &str,
        kind: SocketKind,
        key: &str,
    ) -> Option<(String, String, InputSink)> {
        let p = self.ports.get(port)?;
        let st = p.state.lock().unwrap_or_else(|x| x.into_inner());
        st.claims
            .iter()
            .find(|c| c.listen.kind == kind && c.listen.routes.iter().any(|r| r == key))
            .map(|c| (c.device.clone(), c.listen.id.clone(), c.sink.clone()))
    }

    /// The kind of connection `conn`.
    pub fn kind(&self, conn: u64) -> Option<SocketKind> {
        self.conns.lock().ok()?.get(&conn).map(|c| c.kind)
    }

    /// Hand a frame to `device`, opening the binding first if it is new.
    pub async fn deliver(
        &self,
        conn: u64,
        device: &str,
        via: &str,
        sink: &InputSink,
        data: Vec<u8>,
    ) {
        let opened = {
            let mut m = self.conns.lock().unwrap_or_else(|x| x.into_inner());
            match m.get_mut(&conn) {
                Some(c) if !c.bound.contains_key(device) => {
                    c.bound
                        .insert(device.to_owned(), (via.to_owned(), sink.clone()));
                    Some(c.peer.to_string())
                }
                Some(_) => None,
                None => return,
            }
        };
        if let Some(peer) = opened {
            let input = Input::SocketOpened {
                conn,
                via: via.to_owned(),
                peer,
            };
            let _ = sink.send((device.to_owned(), input)).await;
        }
        metrics::counter!("twinwall_socket_frames_total", "result" => "delivered").increment(1);
        let _ = sink
            .send((device.to_owned(), Input::SocketFrame { conn, data }))
            .await;
    }

    /// Queue bytes for `conn`, sent once `commit` resolves true.
    pub async fn send(
        &self,
        conn: u64,
        data: Vec<u8>,
        close: bool,
        commit: Commit,
    ) -> Result<(), Failure> {
        let tx = self
            .conns
            .lock()
            .unwrap_or_else(|x| x.into_inner())
            .get(&conn)
            .map(|c| c.tx.clone());
        let tx = tx.ok_or_else(|| {
            Failure::new(
                &format!("conn:{conn}"),
                FailureKind::Closed,
                format!("connection {conn} is closed"),
            )
        })?;
        tx.send(Out::Data(data, commit, close)).await.map_err(|_| {
            Failure::new(
                &format!("conn:{conn}"),
                FailureKind::Closed,
                format!("connection {conn} is closed"),
            )
        })
    }

    /// Close `conn` (after what was queued before).
    pub async fn close(&self, conn: u64) {
        let tx = self
            .conns
            .lock()
            .ok()
            .and_then(|m| m.get(&conn).map(|c| c.tx.clone()));
        if let Some(tx) = tx {
            let _ = tx.send(Out::Close).await;
        }
    }

    /// Route or deliver one frame that arrived on `port`.
    async fn dispatch(
        &self,
        port: &str,
        kind: SocketKind,
        conn: u64,
        peer: SocketAddr,
        data: Vec<u8>,
    ) {
        let Some(p) = self.ports.get(port) else {
            return;
        };
        let target = {
            let st = p.state.lock().unwrap_or_else(|x| x.into_inner());
            let claims: Vec<&Claim> = st.claims.iter().filter(|c| c.listen.kind == kind).collect();
            match claims.as_slice() {
                [] => None,
                [one] if one.listen.routes.is_empty() => Some(Ok((
                    one.device.clone(),
                    one.listen.id.clone(),
                    one.sink.clone(),
                ))),
                [first, ..] => Some(Err(first.router.clone())),
            }
        };
        match target {
            None => {
                metrics::counter!("twinwall_socket_frames_total", "result" => "no-listener")
                    .increment(1);
            }
            Some(Ok((device, via, sink))) => self.deliver(conn, &device, &via, &sink, data).await,
            Some(Err(router)) => {
                let f = RouteFrame {
                    port: port.to_owned(),
                    conn,
                    peer: peer.to_string(),
                    data,
                };
                let _ = router.send(f).await;
            }
        }
    }

    fn framing(&self, port: &str, kind: SocketKind) -> Option<(Framing, u32)> {
        let p = self.ports.get(port)?;
        let st = p.state.lock().unwrap_or_else(|x| x.into_inner());
        st.claims
            .iter()
            .find(|c| c.listen.kind == kind)
            .map(|c| (c.listen.framing.clone(), c.listen.max_frame))
    }

    fn open(&self, port: &str, kind: SocketKind, peer: SocketAddr, tx: mpsc::Sender<Out>) -> u64 {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        self.conns.lock().unwrap_or_else(|x| x.into_inner()).insert(
            id,
            Conn {
                port: port.to_owned(),
                peer,
                kind,
                tx,
                bound: HashMap::new(),
            },
        );
        id
    }

    async fn closed(&self, conn: u64, reason: String) {
        let c = self
            .conns
            .lock()
            .unwrap_or_else(|x| x.into_inner())
            .remove(&conn);
        if let Some(c) = c {
            tracing::debug!(port = %c.port, peer = %c.peer, conn, "connection closed: {reason}");
            for (device, (_, sink)) in c.bound {
                let _ = sink
                    .send((
                        device,
                        Input::SocketClosed {
                            conn,
                            reason: reason.clone(),
                        },
                    ))
                    .await;
            }
        }
    }
}

async fn accept(hub: SharedSockets, port: String, listener: TcpListener) {
    loop {
        let Ok((stream, peer)) = listener.accept().await else {
            continue;
        };
        let hub = hub.clone();
        let port = port.clone();
        tokio::spawn(async move { tcp_conn(hub, port, stream, peer).await });
    }
}

async fn tcp_conn(hub: SharedSockets, port: String, stream: TcpStream, peer: SocketAddr) {
    let Some((framing, max)) = hub.framing(&port, SocketKind::Tcp) else {
        // Nobody listens on this port (yet): do not hold the connection.
        metrics::counter!("twinwall_socket_frames_total", "result" => "no-listener").increment(1);
        return;
    };
    let Ok(mut framer) = Framer::new(framing, max as usize) else {
        return;
    };
    let (mut rd, mut wr) = stream.into_split();
    let (tx, mut rx) = mpsc::channel::<Out>(256);
    let conn = hub.open(&port, SocketKind::Tcp, peer, tx);
    let writer = tokio::spawn(async move {
        while let Some(out) = rx.recv().await {
            match out {
                Out::Data(data, commit, close) => {
                    // Acknowledge only what was kept; in order, one after the other.
                    if commit.await && wr.write_all(&data).await.is_err() {
                        return;
                    }
                    if close {
                        let _ = wr.shutdown().await;
                        return;
                    }
                }
                Out::Close => {
                    let _ = wr.shutdown().await;
                    return;
                }
            }
        }
    });
    let mut buf = vec![0u8; 16 * 1024];
    let reason = loop {
        let n = match rd.read(&mut buf).await {
            Ok(0) => break "the peer closed the connection".to_owned(),
            Ok(n) => n,
            Err(e) => break e.to_string(),
        };
        match framer.push(&buf[..n]) {
            Ok(frames) => {
                for f in frames {
                    hub.dispatch(&port, SocketKind::Tcp, conn, peer, f).await;
                }
            }
            Err(e) => {
                metrics::counter!("twinwall_socket_frames_total", "result" => "too-large")
                    .increment(1);
                break format!("{e}; connection closed");
            }
        }
        if writer.is_finished() {
            break "closed by the hub".to_owned();
        }
    };
    writer.abort();
    hub.closed(conn, reason).await;
}

async fn receive_udp(hub: SharedSockets, port: String) {
    let Some(p) = hub.ports.get(&port).cloned() else {
        return;
    };
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let Ok((n, peer)) = p.udp.recv_from(&mut buf).await else {
            continue;
        };
        let Some((_, max)) = hub.framing(&port, SocketKind::Udp) else {
            metrics::counter!("twinwall_socket_frames_total", "result" => "no-listener")
                .increment(1);
            continue;
        };
        if n > max as usize {
            metrics::counter!("twinwall_socket_frames_total", "result" => "too-large").increment(1);
            continue;
        }
        let known = p.udp_peers.lock().ok().and_then(|m| m.get(&peer).copied());
        let conn = match known {
            Some(c) => c,
            None => {
                let (tx, mut rx) = mpsc::channel::<Out>(256);
                let c = hub.open(&port, SocketKind::Udp, peer, tx);
                let udp = p.udp.clone();
                tokio::spawn(async move {
                    while let Some(Out::Data(data, commit, _)) = rx.recv().await {
                        if commit.await {
                            let _ = udp.send_to(&data, peer).await;
                        }
                    }
                });
                let forgotten: Vec<u64> = {
                    let mut m = p.udp_peers.lock().unwrap_or_else(|x| x.into_inner());
                    let old = if m.len() >= MAX_UDP_PEERS {
                        m.drain().map(|(_, id)| id).collect()
                    } else {
                        Vec::new()
                    };
                    m.insert(peer, c);
                    old
                };
                // Too many peers remembered: the oldest mappings go, and with
                // them their writers (a peer that sends again gets a new id).
                if !forgotten.is_empty() {
                    let mut conns = hub.conns.lock().unwrap_or_else(|x| x.into_inner());
                    for id in forgotten {
                        conns.remove(&id);
                    }
                }
                c
            }
        };
        hub.dispatch(&port, SocketKind::Udp, conn, peer, buf[..n].to_vec())
            .await;
    }
}

/// Send bytes now (a routing reply that follows no events).
pub async fn reply_now(hub: &SocketHub, conn: u64, data: Vec<u8>) {
    let _ = hub.send(conn, data, false, committed()).await;
}
