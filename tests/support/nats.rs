//! Real NATS servers for the tests: a JetStream cluster of nats-server
//! processes on loopback, started and killed by the test. Every port is the
//! server's own choice (`-1`), read back from its ports file; the routes and
//! the client addresses go through forwarders the test holds, so a node
//! restarted on new ports is found at the same address, and a campus's
//! link can be cut and restored.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// The nats-server binary: `TWINWALL_TEST_NATS_SERVER`, else `nats-server`
/// on the PATH (`tests/setup test` installs Debian's).
pub fn server_binary() -> PathBuf {
    std::env::var_os("TWINWALL_TEST_NATS_SERVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| "nats-server".into())
}

/// A TCP forwarder to a target that may move, which can be cut.
pub struct Forward {
    /// Where to connect.
    pub addr: SocketAddr,
    target: Arc<Mutex<Option<SocketAddr>>>,
    /// `(up, generation)`: a new generation drops every connection.
    state: watch::Sender<(bool, u64)>,
}

impl Forward {
    /// A forwarder to `target` (none yet: connections are dropped).
    pub async fn start(target: Option<SocketAddr>) -> Forward {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let target = Arc::new(Mutex::new(target));
        let (state, _) = watch::channel((true, 0u64));
        let (t, s) = (target.clone(), state.clone());
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let (up, generation) = *s.borrow();
                let to = *t.lock().unwrap();
                let (true, Some(to)) = (up, to) else {
                    continue;
                };
                let mut watch = s.subscribe();
                tokio::spawn(async move {
                    let Ok(mut server) = TcpStream::connect(to).await else {
                        return;
                    };
                    // As NATS sets on its own sockets: without it Nagle's
                    // algorithm meets delayed acks and holds small frames
                    // (a route's replication acks) for tens of ms.
                    let _ = client.set_nodelay(true);
                    let _ = server.set_nodelay(true);
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = watch.wait_for(|(_, g)| *g != generation) => {}
                    }
                });
            }
        });
        Forward {
            addr,
            target,
            state,
        }
    }

    /// Forward to `to` from now on.
    pub fn point(&self, to: SocketAddr) {
        *self.target.lock().unwrap() = Some(to);
    }

    /// Drop every connection and refuse new ones.
    pub fn cut(&self) {
        self.state.send_modify(|(up, g)| {
            *up = false;
            *g += 1;
        });
    }

    /// Take connections again.
    pub fn restore(&self) {
        self.state.send_modify(|(up, _)| *up = true);
    }

    /// The URL a NATS client is given.
    pub fn url(&self) -> String {
        format!("nats://{}", self.addr)
    }

    /// Where it forwards to now.
    pub fn target(&self) -> Option<SocketAddr> {
        *self.target.lock().unwrap()
    }
}

/// One nats-server.
pub struct Node {
    name: String,
    dir: PathBuf,
    child: Option<Child>,
    /// The client port, as the forwarder sees it.
    pub client: Forward,
    route: Forward,
}

/// A JetStream cluster of `n` nodes.
pub struct Cluster {
    /// The nodes.
    pub nodes: Vec<Node>,
    _dir: tempfile::TempDir,
}

fn read_ports(dir: &Path, single: bool) -> Option<(SocketAddr, Option<SocketAddr>)> {
    for f in std::fs::read_dir(dir).ok()? {
        let p = f.ok()?.path();
        if p.extension().is_some_and(|e| e == "ports") {
            let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&p).ok()?).ok()?;
            let parse = |k: &str| -> Option<SocketAddr> {
                v[k][0].as_str()?.strip_prefix("nats://")?.parse().ok()
            };
            let cluster = parse("cluster");
            if cluster.is_none() && !single {
                return None;
            }
            return Some((parse("nats")?, cluster));
        }
    }
    None
}

impl Cluster {
    /// Start `n` nodes and wait until JetStream answers on every one.
    pub async fn start(n: usize) -> Cluster {
        let dir = tempfile::tempdir().unwrap();
        let mut nodes = Vec::new();
        for i in 0..n {
            nodes.push(Node {
                name: format!("n{i}"),
                dir: dir.path().join(format!("n{i}")),
                child: None,
                client: Forward::start(None).await,
                route: Forward::start(None).await,
            });
        }
        let mut c = Cluster { nodes, _dir: dir };
        for i in 0..n {
            c.spawn(i);
        }
        // Every route forwarder points at its node before any node can
        // form the cluster.
        for i in 0..n {
            c.wait_ports(i).await;
        }
        for i in 0..n {
            c.wait_ready(i).await;
        }
        c
    }

    fn spawn(&mut self, i: usize) {
        let routes: Vec<String> = self
            .nodes
            .iter()
            .map(|n| format!("\"nats://{}\"", n.route.addr))
            .collect();
        let node = &mut self.nodes[i];
        let ports = node.dir.join("ports");
        let _ = std::fs::remove_dir_all(&ports);
        std::fs::create_dir_all(&ports).unwrap();
        let conf = node.dir.join("server.conf");
        // One node is a server of its own: JetStream's cluster mode needs peers.
        let cluster = if routes.len() > 1 {
            format!(
                "cluster {{ name: tw, host: 127.0.0.1, port: -1, no_advertise: true, routes: [{}] }}\n",
                routes.join(", ")
            )
        } else {
            String::new()
        };
        std::fs::write(
            &conf,
            format!(
                "server_name: {name}\nhost: 127.0.0.1\nport: -1\n\
                 jetstream {{ store_dir: \"{store}\" }}\n{cluster}",
                name = node.name,
                store = node.dir.join("store").display(),
            ),
        )
        .unwrap();
        let log = std::fs::File::create(node.dir.join("server.log")).unwrap();
        let child = Command::new(server_binary())
            .arg("-c")
            .arg(&conf)
            .arg("-ports_file_dir")
            .arg(&ports)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start {}: {e} (tests/setup test installs nats-server)",
                    server_binary().display()
                )
            });
        node.child = Some(child);
    }

    async fn wait_ports(&self, i: usize) {
        let node = &self.nodes[i];
        let ports = node.dir.join("ports");
        let single = self.nodes.len() == 1;
        let (client, cluster) = crate::wait_for(Duration::from_secs(20), || async {
            read_ports(&ports, single)
        })
        .await
        .unwrap_or_else(|| panic!("{} wrote no ports file", node.name));
        node.client.point(client);
        if let Some(c) = cluster {
            node.route.point(c);
        }
    }

    async fn wait_ready(&self, i: usize) {
        let node = &self.nodes[i];
        // JetStream answers once the meta group has a leader.
        let url = node.client.url();
        crate::wait_for(Duration::from_secs(30), || async {
            let c = async_nats::connect(&url).await.ok()?;
            let m = c.request("$JS.API.INFO", "".into()).await.ok()?;
            let v: serde_json::Value = serde_json::from_slice(&m.payload).ok()?;
            v.get("error").is_none().then_some(())
        })
        .await
        .unwrap_or_else(|| panic!("JetStream of {} never answered", node.name));
    }

    /// SIGKILL node `i`.
    pub fn kill(&mut self, i: usize) {
        if let Some(mut c) = self.nodes[i].child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Start node `i` again on its store, and wait for it.
    pub async fn restart(&mut self, i: usize) {
        self.spawn(i);
        self.wait_ports(i).await;
        self.wait_ready(i).await;
    }

    /// The client URLs, one per node.
    pub fn urls(&self) -> Vec<String> {
        self.nodes.iter().map(|n| n.client.url()).collect()
    }

    /// The nodes' own client URLs, past the forwarders (a benchmark's: the
    /// nodes cannot be cut off from these clients, nor moved).
    pub fn direct_urls(&self) -> Vec<String> {
        self.nodes
            .iter()
            .filter_map(|n| n.client.target())
            .map(|a| format!("nats://{a}"))
            .collect()
    }

    /// The client addresses, one per node (for forwarders of one's own).
    pub fn addrs(&self) -> Vec<SocketAddr> {
        self.nodes.iter().map(|n| n.client.addr).collect()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for i in 0..self.nodes.len() {
            self.kill(i);
        }
    }
}

/// A campus's own link to the cluster: a forwarder per node, cut together.
pub struct CampusLink {
    /// The forwarders.
    pub forwards: Vec<Forward>,
}

impl CampusLink {
    /// A link to every node of `cluster`.
    pub async fn to(cluster: &Cluster) -> CampusLink {
        let mut forwards = Vec::new();
        for a in cluster.addrs() {
            forwards.push(Forward::start(Some(a)).await);
        }
        CampusLink { forwards }
    }

    /// The `servers = [...]` value for `[jetstream]`.
    pub fn servers_toml(&self) -> String {
        let urls: Vec<String> = self
            .forwards
            .iter()
            .map(|f| format!("\"{}\"", f.url()))
            .collect();
        format!("[{}]", urls.join(", "))
    }

    /// Cut the campus off.
    pub fn cut(&self) {
        self.forwards.iter().for_each(Forward::cut);
    }

    /// Link it again.
    pub fn restore(&self) {
        self.forwards.iter().for_each(Forward::restore);
    }
}

/// One nats-server with a config of the test's (a JetStream domain, a leaf
/// node remote): its client and leaf node ports read back from its ports file.
pub struct Server {
    /// The client port.
    pub client: SocketAddr,
    /// The leaf node port, if it listens for leaf nodes.
    pub leafnodes: Option<SocketAddr>,
    /// Its monitoring endpoint (`/varz`, `/leafz`).
    pub monitoring: String,
    child: Child,
    /// Its folder (config, log, store).
    pub dir: tempfile::TempDir,
}

impl Server {
    /// Start one with `conf` (besides `host`, `port` and the store) and
    /// wait until its JetStream answers.
    pub async fn start(name: &str, conf: &str) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let ports = dir.path().join("ports");
        std::fs::create_dir_all(&ports).unwrap();
        let file = dir.path().join("server.conf");
        std::fs::write(
            &file,
            format!(
                "server_name: {name}\nhost: 127.0.0.1\nport: -1\nhttp: \"127.0.0.1:-1\"\n{}\n",
                conf.replace("{store}", &dir.path().join("store").display().to_string())
            ),
        )
        .unwrap();
        let log = std::fs::File::create(dir.path().join("server.log")).unwrap();
        let child = Command::new(server_binary())
            .arg("-c")
            .arg(&file)
            .arg("-ports_file_dir")
            .arg(&ports)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("nats-server starts (tests/setup test installs it)");
        let v = crate::wait_for(Duration::from_secs(20), || async {
            for f in std::fs::read_dir(&ports).ok()? {
                let p = f.ok()?.path();
                if p.extension().is_some_and(|e| e == "ports") {
                    return serde_json::from_slice::<serde_json::Value>(&std::fs::read(&p).ok()?)
                        .ok();
                }
            }
            None
        })
        .await
        .expect("a ports file");
        let addr = |k: &str| -> Option<SocketAddr> {
            let url = v[k][0].as_str()?;
            url.split_once("://")?.1.parse().ok()
        };
        // The leaf node port is not in 2.9's ports file: its monitoring says it.
        let leafnodes = match v["monitoring"][0].as_str() {
            Some(m) if conf.contains("leafnodes {") && conf.contains("port: -1") => {
                let varz: serde_json::Value = reqwest::get(format!("{m}/varz"))
                    .await
                    .expect("monitoring answers")
                    .json()
                    .await
                    .expect("varz");
                varz["leaf"]["port"]
                    .as_u64()
                    .map(|p| SocketAddr::from(([127, 0, 0, 1], p as u16)))
            }
            _ => None,
        };
        let s = Server {
            client: addr("nats").expect("a client port"),
            leafnodes,
            monitoring: v["monitoring"][0].as_str().unwrap_or_default().to_owned(),
            child,
            dir,
        };
        let url = s.url();
        crate::wait_for(Duration::from_secs(30), || async {
            let c = async_nats::connect(&url).await.ok()?;
            let m = c.request("$JS.API.INFO", "".into()).await.ok()?;
            let v: serde_json::Value = serde_json::from_slice(&m.payload).ok()?;
            v.get("error").is_none().then_some(())
        })
        .await
        .expect("its JetStream answers");
        s
    }

    /// Its client URL.
    pub fn url(&self) -> String {
        format!("nats://{}", self.client)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
