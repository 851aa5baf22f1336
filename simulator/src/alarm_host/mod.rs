//! Simulated alarm hosts (perimeter hosts, pulse-fence energisers, one-key
//! alarm posts) that report to an alarm-receiving centre over SIA DC-09 with
//! Ademco Contact ID, as the hub expects them:
//!
//! - they dial the receiver (TCP, or UDP as DC-09 allows), send each event
//!   with a sequence number and a time stamp (optionally AES-encrypted with a
//!   per-account key), wait for the `ACK` with the same sequence, resend on
//!   silence, correct their clock from a `NAK`'s time stamp, and keep
//!   unacknowledged events queued in order;
//! - they send `NULL` supervision messages every `supervision_s`;
//! - a vendor-style HTTP control channel (Digest) arms, disarms, bypasses
//!   zones and switches the fence's high voltage, and the host reports the
//!   result over DC-09 (DC-09 itself is one-way).
//!
//! Codes and zones are described in `docs/alarm-host-cid.md`.

mod control;
pub mod frames;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use frames::{Answer, Outgoing};

/// Contact ID codes the simulated hosts send (see `docs/alarm-host-cid.md`).
pub mod codes {
    /// Perimeter alarm (fence touch, beam break, fibre vibration by zone kind).
    pub const PERIMETER: u16 = 131;
    /// 24-hour zone: the fence's anti-cut wire.
    pub const ANTI_CUT: u16 = 133;
    /// Protection loop open: fence wire cut.
    pub const CUT: u16 = 371;
    /// Protection loop short: fence wires shorted.
    pub const SHORT: u16 = 372;
    /// Enclosure tamper.
    pub const TAMPER: u16 = 137;
    /// AC power lost.
    pub const POWER: u16 = 301;
    /// Panic (one-key post).
    pub const PANIC: u16 = 120;
    /// Cancel by user.
    pub const CANCEL: u16 = 406;
    /// Open/close by user (1 disarm, 3 arm).
    pub const OPEN_CLOSE: u16 = 401;
    /// Zone bypass.
    pub const BYPASS: u16 = 570;
}

/// How the host reaches the receiver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Link {
    /// One TCP connection, kept open.
    Tcp,
    /// One datagram per message.
    Udp,
}

/// Faults a host can be told to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(tag = "fault", rename_all = "snake_case")]
pub enum HostFault {
    /// Back to normal.
    Clear,
    /// Frames go out with a wrong CRC.
    BadCrc,
    /// Frames go out with a wrong length field.
    WrongLength,
    /// Noise goes out before each frame.
    Garbage,
    /// Encrypted with another key than the receiver's.
    WrongKey,
    /// Every frame is sent twice.
    Duplicate,
    /// No more `NULL` supervision messages (events still go).
    Unsupervised,
    /// The host's clock is off by this many seconds.
    ClockSkew {
        /// Seconds (negative: behind).
        s: i64,
    },
}

/// A host's settings.
#[derive(Debug, Clone)]
pub struct HostOptions {
    /// DC-09 account (hex).
    pub account: String,
    /// Receiver number.
    pub receiver_no: String,
    /// Line number.
    pub line: String,
    /// Where the receiving centre listens.
    pub receiver: SocketAddr,
    /// TCP or UDP.
    pub link: Link,
    /// AES key (16, 24 or 32 bytes), when the account encrypts.
    pub key: Option<Vec<u8>>,
    /// Seconds between `NULL` supervision messages.
    pub supervision_s: u64,
    /// How long to wait for an answer before resending.
    pub ack_timeout: Duration,
    /// Report in SIA-DCS (DC-03) instead of ADM-CID, where a SIA code exists.
    pub sia: bool,
    /// Control-channel account.
    pub user: String,
    /// Control-channel password.
    pub password: String,
}

impl HostOptions {
    /// Defaults for `account` reporting to `receiver` over TCP.
    pub fn new(account: &str, receiver: SocketAddr) -> Self {
        HostOptions {
            account: account.to_owned(),
            receiver_no: "1".into(),
            line: "1".into(),
            receiver,
            link: Link::Tcp,
            key: None,
            supervision_s: 30,
            ack_timeout: Duration::from_secs(2),
            sia: false,
            user: "admin".into(),
            password: "admin123".into(),
        }
    }
}

#[derive(Debug, Clone)]
struct Report {
    seq: u16,
    /// `ADM-CID` or `SIA-DCS`.
    id: &'static str,
    data: String,
}

/// The SIA (DC-03) code of a Contact ID qualifier and code, for hosts that
/// report in SIA-DCS.
fn sia_code(qualifier: u8, code: u16) -> Option<&'static str> {
    Some(match (qualifier, code) {
        (1, 130 | 131) => "BA",
        (3, 130 | 131) => "BH",
        (1, 120) => "PA",
        (3, 120) => "PH",
        (1, 137) => "TA",
        (3, 137) => "TR",
        (1, 301) => "AT",
        (3, 301) => "AR",
        (1, 401) => "OP",
        (3, 401) => "CL",
        (1, 570) => "BB",
        (3, 570) => "BU",
        _ => return None,
    })
}

struct Shared {
    id: String,
    opts: Mutex<HostOptions>,
    queue: Mutex<VecDeque<Report>>,
    queued: Notify,
    next_seq: AtomicU64,
    fault: Mutex<HostFault>,
    clock_offset: AtomicI64,
    acked: AtomicU64,
    naks: AtomicU64,
    duhs: AtomicU64,
    resends: AtomicU64,
    armed: AtomicBool,
    hv_on: AtomicBool,
    bypassed: Mutex<Vec<u16>>,
    /// Microseconds from sending a report to its ACK (the last 10 000).
    latencies: Mutex<VecDeque<u64>>,
}

/// A running simulated alarm host. Dropping it stops it.
pub struct AlarmHost {
    shared: Arc<Shared>,
    control_addr: SocketAddr,
    tasks: Vec<JoinHandle<()>>,
}

impl AlarmHost {
    /// Start a host: its control channel on `control_bind`, its transmitter
    /// dialling `opts.receiver`.
    pub async fn start(
        id: &str,
        control_bind: SocketAddr,
        opts: HostOptions,
    ) -> std::io::Result<Self> {
        let shared = Arc::new(Shared {
            id: id.to_owned(),
            opts: Mutex::new(opts),
            queue: Mutex::default(),
            queued: Notify::new(),
            next_seq: AtomicU64::new(1),
            fault: Mutex::new(HostFault::Clear),
            clock_offset: AtomicI64::new(0),
            acked: AtomicU64::new(0),
            naks: AtomicU64::new(0),
            duhs: AtomicU64::new(0),
            resends: AtomicU64::new(0),
            armed: AtomicBool::new(true),
            hv_on: AtomicBool::new(true),
            bypassed: Mutex::default(),
            latencies: Mutex::default(),
        });
        let listener = tokio::net::TcpListener::bind(control_bind).await?;
        let control_addr = listener.local_addr()?;
        let control = tokio::spawn(control::serve(listener, shared.clone()));
        let tx = tokio::spawn(transmit(shared.clone()));
        Ok(AlarmHost {
            shared,
            control_addr,
            tasks: vec![control, tx],
        })
    }

    /// Host id.
    pub fn id(&self) -> &str {
        &self.shared.id
    }

    /// Its account.
    pub fn account(&self) -> String {
        self.shared.opts().account
    }

    /// Where its HTTP control channel listens.
    pub fn control_addr(&self) -> SocketAddr {
        self.control_addr
    }

    /// Queue a Contact ID report: qualifier 1 (new) or 3 (restore).
    pub fn report(&self, qualifier: u8, code: u16, partition: u8, zone: u16) {
        self.shared.report(qualifier, code, partition, zone);
    }

    /// A fence zone touched (131), or its restore.
    pub fn fence_touch(&self, zone: u16, active: bool) {
        self.report(if active { 1 } else { 3 }, codes::PERIMETER, 1, zone);
    }

    /// A post's panic button pressed.
    pub fn panic(&self, zone: u16) {
        self.report(1, codes::PANIC, 1, zone);
    }

    /// A post's panic cancelled at the post: the cancel and the restore.
    pub fn panic_cancel(&self, zone: u16) {
        self.report(1, codes::CANCEL, 1, zone);
        self.report(3, codes::PANIC, 1, zone);
    }

    /// Show a fault (or clear it).
    pub fn fault(&self, f: HostFault) {
        if let HostFault::ClockSkew { s } = f {
            self.shared.clock_offset.store(s, Ordering::SeqCst);
        } else if f == HostFault::Clear {
            self.shared.clock_offset.store(0, Ordering::SeqCst);
        }
        *self.shared.fault.lock().unwrap_or_else(|p| p.into_inner()) = f;
    }

    /// Point the host at another receiver (a restarted hub on a new port).
    pub fn set_receiver(&self, addr: SocketAddr) {
        self.shared
            .opts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .receiver = addr;
        self.shared.queued.notify_one();
    }

    /// Reports the receiver acknowledged.
    pub fn acked(&self) -> u64 {
        self.shared.acked.load(Ordering::Relaxed)
    }

    /// NAKs received.
    pub fn naks(&self) -> u64 {
        self.shared.naks.load(Ordering::Relaxed)
    }

    /// DUHs received.
    pub fn duhs(&self) -> u64 {
        self.shared.duhs.load(Ordering::Relaxed)
    }

    /// Reports sent again after silence or a NAK.
    pub fn resends(&self) -> u64 {
        self.shared.resends.load(Ordering::Relaxed)
    }

    /// Reports waiting for their ACK.
    pub fn pending(&self) -> usize {
        self.shared.queue.lock().map(|q| q.len()).unwrap_or(0)
    }

    /// Microseconds from sending each report to its ACK (most recent last).
    pub fn ack_latencies_us(&self) -> Vec<u64> {
        self.shared
            .latencies
            .lock()
            .map(|l| l.iter().copied().collect())
            .unwrap_or_default()
    }

    /// Whether partition 1 is armed.
    pub fn armed(&self) -> bool {
        self.shared.armed.load(Ordering::SeqCst)
    }

    /// Whether the fence's high voltage is on.
    pub fn hv_on(&self) -> bool {
        self.shared.hv_on.load(Ordering::SeqCst)
    }
}

impl Drop for AlarmHost {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

impl Shared {
    fn opts(&self) -> HostOptions {
        self.opts.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn fault(&self) -> HostFault {
        *self.fault.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn report(&self, qualifier: u8, code: u16, partition: u8, zone: u16) {
        let seq = (self.next_seq.fetch_add(1, Ordering::Relaxed) % 9999 + 1) as u16;
        let (id, data) = match sia_code(qualifier, code).filter(|_| self.opts().sia) {
            Some(sia) => ("SIA-DCS", format!("Nri{partition:02}/{sia}{zone:03}")),
            None => (
                "ADM-CID",
                format!("{qualifier}{code:03} {partition:02} {zone:03}"),
            ),
        };
        tracing::info!(host = %self.id, seq, %data, "alarm host report");
        self.queue
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push_back(Report { seq, id, data });
        self.queued.notify_one();
    }

    fn now_s(&self) -> i64 {
        crate::isapi::now_ms() / 1000 + self.clock_offset.load(Ordering::SeqCst)
    }

    /// The frame of a report (or a `NULL` with `seq` when `data` is empty).
    fn frame(&self, seq: u16, id: &str, data: &str) -> Vec<u8> {
        let o = self.opts();
        let fault = self.fault();
        let wrong = [0x5au8; 16];
        let key = match (&o.key, fault) {
            (Some(_), HostFault::WrongKey) => Some(&wrong[..]),
            (Some(k), _) => Some(k.as_slice()),
            (None, _) => None,
        };
        let mut f = frames::build(&Outgoing {
            id: if data.is_empty() { "NULL" } else { id },
            seq,
            receiver: &o.receiver_no,
            line: &o.line,
            account: &o.account,
            data,
            time_s: self.now_s(),
            key,
        });
        match fault {
            HostFault::BadCrc => f[1] = if f[1] == b'0' { b'1' } else { b'0' },
            HostFault::WrongLength => f[5] = if f[5] == b'0' { b'1' } else { b'0' },
            HostFault::Garbage => {
                let mut g = b"\x00\xff garbage \x17".to_vec();
                g.extend(f);
                f = g;
            }
            _ => {}
        }
        f
    }
}

/// A connection to the receiver, TCP or UDP.
enum Wire {
    Tcp(TcpStream, Vec<u8>),
    Udp(UdpSocket),
}

impl Wire {
    async fn open(o: &HostOptions) -> std::io::Result<Wire> {
        match o.link {
            Link::Tcp => Ok(Wire::Tcp(TcpStream::connect(o.receiver).await?, Vec::new())),
            Link::Udp => {
                let bind: SocketAddr = if o.receiver.is_ipv4() {
                    "0.0.0.0:0"
                } else {
                    "[::]:0"
                }
                .parse()
                .map_err(std::io::Error::other)?;
                let s = UdpSocket::bind(bind).await?;
                s.connect(o.receiver).await?;
                Ok(Wire::Udp(s))
            }
        }
    }

    async fn send(&mut self, f: &[u8]) -> std::io::Result<()> {
        match self {
            Wire::Tcp(s, _) => s.write_all(f).await,
            Wire::Udp(s) => s.send(f).await.map(|_| ()),
        }
    }

    /// The next answer frame, or `None` on timeout.
    async fn answer(&mut self, within: Duration) -> std::io::Result<Option<Vec<u8>>> {
        let deadline = tokio::time::Instant::now() + within;
        match self {
            Wire::Udp(s) => {
                let mut buf = vec![0u8; 2048];
                match tokio::time::timeout_at(deadline, s.recv(&mut buf)).await {
                    Ok(Ok(n)) => Ok(Some(buf[..n].to_vec())),
                    Ok(Err(e)) => Err(e),
                    Err(_) => Ok(None),
                }
            }
            Wire::Tcp(s, pending) => loop {
                if let Some(end) = pending.iter().position(|b| *b == b'\r') {
                    let f: Vec<u8> = pending.drain(..=end).collect();
                    return Ok(Some(f));
                }
                if pending.len() > 4096 {
                    pending.clear();
                }
                let mut buf = [0u8; 1024];
                match tokio::time::timeout_at(deadline, s.read(&mut buf)).await {
                    Ok(Ok(0)) => {
                        return Err(std::io::Error::new(
                            std::io::ErrorKind::UnexpectedEof,
                            "the receiver closed the connection",
                        ));
                    }
                    Ok(Ok(n)) => pending.extend_from_slice(&buf[..n]),
                    Ok(Err(e)) => return Err(e),
                    Err(_) => return Ok(None),
                }
            },
        }
    }
}

/// How soon an unacknowledged supervision message is repeated.
const NULL_RETRY: Duration = Duration::from_secs(1);

/// The transmitter: one report at a time, in order, until acknowledged.
async fn transmit(s: Arc<Shared>) {
    let mut wire: Option<Wire> = None;
    // Where the open wire goes: a host pointed elsewhere hangs up first.
    let mut wire_to: Option<SocketAddr> = None;
    let mut backoff = Duration::from_millis(200);
    let mut null_seq: u16 = 0;
    // A host announces itself with a supervision message as it comes up.
    let mut last_sent = tokio::time::Instant::now() - Duration::from_secs(3600);
    loop {
        let o = s.opts();
        if wire_to != Some(o.receiver) {
            wire = None;
        }
        let head = s.queue.lock().ok().and_then(|q| q.front().cloned());
        let supervise = Duration::from_secs(o.supervision_s.max(1));
        let (seq, id, data) = match head {
            Some(r) => (r.seq, r.id, r.data),
            None => {
                let due = last_sent + supervise;
                if tokio::time::Instant::now() < due || s.fault() == HostFault::Unsupervised {
                    tokio::select! {
                        _ = s.queued.notified() => {}
                        _ = tokio::time::sleep_until(due) => {}
                    }
                    continue;
                }
                null_seq = null_seq % 9999 + 1;
                (null_seq, "NULL", String::new())
            }
        };
        if wire.is_none() {
            match Wire::open(&o).await {
                Ok(w) => {
                    wire = Some(w);
                    wire_to = Some(o.receiver);
                    backoff = Duration::from_millis(200);
                }
                Err(e) => {
                    tracing::debug!(host = %s.id, "cannot reach the receiver {}: {e}", o.receiver);
                    tokio::select! {
                        _ = tokio::time::sleep(backoff) => {}
                        _ = s.queued.notified() => {}
                    }
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                    continue;
                }
            }
        }
        let Some(w) = wire.as_mut() else { continue };
        let f = s.frame(seq, id, &data);
        let sent_at = std::time::Instant::now();
        let mut sent = w.send(&f).await;
        if sent.is_ok() && s.fault() == HostFault::Duplicate {
            sent = w.send(&f).await;
        }
        last_sent = tokio::time::Instant::now();
        if sent.is_err() {
            wire = None;
            continue;
        }
        // Wait for the answer to this sequence; others (a late ACK for a
        // duplicate) are skipped.
        let outcome = loop {
            match w.answer(o.ack_timeout).await {
                Ok(Some(a)) => match frames::answer(&a, o.key.as_deref()) {
                    Some(Answer::Ack(q)) if q == format!("{seq:04}") => break Some(Answer::Ack(q)),
                    Some(Answer::Ack(_)) => continue,
                    Some(other) => break Some(other),
                    None => continue,
                },
                Ok(None) => break None,
                Err(_) => {
                    wire = None;
                    break None;
                }
            }
        };
        // DC-09: a message the receiver did not acknowledge is repeated,
        // a supervision message too (after a second, not a whole interval).
        if data.is_empty() && !matches!(outcome, Some(Answer::Ack(_))) {
            last_sent = tokio::time::Instant::now() - supervise + NULL_RETRY.min(supervise);
        }
        match outcome {
            Some(Answer::Ack(_)) => {
                if !data.is_empty() {
                    let mut q = s.queue.lock().unwrap_or_else(|p| p.into_inner());
                    if q.front().is_some_and(|r| r.seq == seq) {
                        q.pop_front();
                    }
                    s.acked.fetch_add(1, Ordering::Relaxed);
                    let mut l = s.latencies.lock().unwrap_or_else(|p| p.into_inner());
                    l.push_back(sent_at.elapsed().as_micros() as u64);
                    if l.len() > 10_000 {
                        l.pop_front();
                    }
                }
            }
            Some(Answer::Nak(t)) => {
                s.naks.fetch_add(1, Ordering::Relaxed);
                // DC-09: a transmitter may take the receiver's time from a NAK.
                if let Some(t) = t {
                    let local = crate::isapi::now_ms() / 1000;
                    s.clock_offset.store(t - local, Ordering::SeqCst);
                }
                s.resends.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
            Some(Answer::Duh(_)) => {
                // Not understood: resending would not help.
                s.duhs.fetch_add(1, Ordering::Relaxed);
                if !data.is_empty() {
                    s.queue
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .pop_front();
                }
            }
            None => {
                s.resends.fetch_add(1, Ordering::Relaxed);
                if o.link == Link::Tcp {
                    // Silence on TCP: start a new connection for the resend.
                    wire = None;
                }
            }
        }
    }
}
