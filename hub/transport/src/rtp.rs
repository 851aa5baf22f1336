//! RTP audio out: the hub reads a stored clip (or a live source), encodes it
//! as G.711 and paces one packet per `packet-ms` to a device or a multicast
//! group. Drivers only
//! say where and what. Sends to the same group with the same id and clip
//! share one stream (one multicast stream per zone, however many speakers
//! listen to it); every requester hears `rtp-finished` when it ends.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use tokio::net::UdpSocket;
use tokio::sync::watch;
use tokio::time::Instant;

use super::session::InputSink;
use super::types::{AudioCodec, Failure, FailureKind, Input, RtpFinished, RtpSend};
use crate::audio::{Clips, LiveSources, g711};

/// What a stream plays.
enum Audio {
    /// A stored clip, played `repeat` times (0: until cancelled).
    Clip(Arc<[i16]>),
    /// A live source, until it ends.
    Live(tokio::sync::broadcast::Receiver<Arc<[i16]>>),
}

/// Delay before a multicast stream's first packet.
pub const MULTICAST_PREROLL: Duration = Duration::from_millis(400);

/// The hub's RTP senders.
pub type SharedRtp = Arc<RtpHub>;

type Key = (SocketAddr, String, String);

/// Every stream being sent.
pub struct RtpHub {
    clips: Clips,
    live: LiveSources,
    multicast_if: Option<Ipv4Addr>,
    streams: Mutex<HashMap<Key, Arc<Stream>>>,
    next: AtomicU64,
}

struct Listener {
    device: String,
    id: String,
    sink: InputSink,
}

struct Stream {
    listeners: Mutex<HashMap<u64, Listener>>,
    stop: watch::Sender<bool>,
    packets: AtomicU64,
    packet_ms: u64,
}

impl Stream {
    fn finished(&self, l: Listener, cancelled: bool) {
        let packets = self.packets.load(Ordering::Relaxed);
        let input = Input::RtpFinished(RtpFinished {
            id: l.id,
            packets,
            sent_ms: packets * self.packet_ms,
            cancelled,
        });
        if let Ok(h) = tokio::runtime::Handle::try_current() {
            h.spawn(async move {
                let _ = l.sink.send((l.device, input)).await;
            });
        }
    }
}

/// A device's hold on a stream: dropping it (a cancel, a replacing send,
/// the device closing) leaves the stream, which stops when nobody is left.
pub struct RtpTicket {
    hub: Weak<RtpHub>,
    key: Key,
    ticket: u64,
    stream: Arc<Stream>,
}

impl Drop for RtpTicket {
    fn drop(&mut self) {
        let (left, empty) = match self.stream.listeners.lock() {
            Ok(mut l) => (l.remove(&self.ticket), l.is_empty()),
            Err(_) => (None, true),
        };
        if let Some(l) = left {
            self.stream.finished(l, true);
        }
        if empty {
            let _ = self.stream.stop.send(true);
            if let Some(hub) = self.hub.upgrade()
                && let Ok(mut s) = hub.streams.lock()
                && s.get(&self.key)
                    .is_some_and(|x| Arc::ptr_eq(x, &self.stream))
            {
                s.remove(&self.key);
            }
        }
    }
}

impl std::fmt::Debug for RtpHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RtpHub")
            .field("active", &self.active())
            .finish()
    }
}

impl RtpHub {
    /// Senders playing from `clips` and `live` sources; multicast leaves by
    /// `multicast_if` when given (else the route the system picks).
    pub fn new(clips: Clips, live: LiveSources, multicast_if: Option<Ipv4Addr>) -> SharedRtp {
        Arc::new(RtpHub {
            clips,
            live,
            multicast_if,
            streams: Mutex::default(),
            next: AtomicU64::new(1),
        })
    }

    /// Streams being sent now.
    pub fn active(&self) -> usize {
        self.streams.lock().map(|s| s.len()).unwrap_or(0)
    }

    /// Start (or join) the stream `send` asks for on behalf of `device`,
    /// whose own host is `device_host`.
    pub fn start(
        self: &Arc<Self>,
        device: &str,
        device_host: Option<IpAddr>,
        send: &RtpSend,
        sink: InputSink,
    ) -> Result<RtpTicket, Failure> {
        let refuse = |why: String| Failure::new(&send.id, FailureKind::Refused, why);
        let host = target_host(device, device_host, send).map_err(refuse)?;
        let audio = if send.source.starts_with("live:") {
            Audio::Live(
                self.live
                    .subscribe(&send.source)
                    .map_err(|e| refuse(e.to_string()))?,
            )
        } else {
            Audio::Clip(
                self.clips
                    .samples(&send.source)
                    .map_err(|e| refuse(e.to_string()))?,
            )
        };
        let target = SocketAddr::new(host, send.port);
        let key = (target, send.id.clone(), send.source.clone());
        let ticket = self.next.fetch_add(1, Ordering::Relaxed);
        let listener = Listener {
            device: device.to_owned(),
            id: send.id.clone(),
            sink,
        };
        let mut streams = self
            .streams
            .lock()
            .map_err(|_| Failure::new(&send.id, FailureKind::Refused, "RTP table poisoned"))?;
        let stream = match streams.get(&key) {
            Some(s) if host.is_multicast() => s.clone(),
            _ => {
                let (stop, stopped) = watch::channel(false);
                let s = Arc::new(Stream {
                    listeners: Mutex::default(),
                    stop,
                    packets: AtomicU64::new(0),
                    packet_ms: u64::from(send.packet_ms),
                });
                if let Some(old) = streams.insert(key.clone(), s.clone()) {
                    let _ = old.stop.send(true);
                }
                tokio::spawn(run(
                    Arc::downgrade(self),
                    key.clone(),
                    s.clone(),
                    audio,
                    send.clone(),
                    self.multicast_if,
                    stopped,
                ));
                s
            }
        };
        if let Ok(mut l) = stream.listeners.lock() {
            l.insert(ticket, listener);
        }
        Ok(RtpTicket {
            hub: Arc::downgrade(self),
            key,
            ticket,
            stream,
        })
    }
}

/// Where `device`'s send may go: its own host, or a multicast group; the
/// port and packet time checked too.
fn target_host(
    device: &str,
    device_host: Option<IpAddr>,
    send: &RtpSend,
) -> Result<IpAddr, String> {
    let host = if send.host.is_empty() {
        device_host.ok_or_else(|| {
            format!("device `{device}` has no IP address in the config to send RTP to")
        })?
    } else {
        let ip: IpAddr = send
            .host
            .parse()
            .map_err(|_| format!("RTP host `{}` is not an IP address", send.host))?;
        if !ip.is_multicast() && Some(ip) != device_host {
            return Err(format!(
                "RTP host {ip} is neither device `{device}`'s own host nor a multicast group"
            ));
        }
        ip
    };
    if send.port == 0 {
        return Err("RTP port 0".into());
    }
    if !(10..=60).contains(&send.packet_ms) {
        return Err(format!("packet-ms {} is outside 10..=60", send.packet_ms));
    }
    Ok(host)
}

async fn socket(target: SocketAddr, multicast_if: Option<Ipv4Addr>) -> std::io::Result<UdpSocket> {
    let local: SocketAddr = if target.ip().is_loopback() {
        (Ipv4Addr::LOCALHOST, 0).into()
    } else {
        (Ipv4Addr::UNSPECIFIED, 0).into()
    };
    let sock = socket2::Socket::new(
        socket2::Domain::IPV4,
        socket2::Type::DGRAM,
        Some(socket2::Protocol::UDP),
    )?;
    if target.ip().is_multicast() {
        if let Some(i) = multicast_if {
            sock.set_multicast_if_v4(&i)?;
        }
        sock.set_multicast_loop_v4(true)?;
        sock.set_multicast_ttl_v4(4)?;
    }
    sock.set_nonblocking(true)?;
    sock.bind(&local.into())?;
    UdpSocket::from_std(sock.into())
}

/// One RTP header: version 2, no padding, extension or CSRC.
fn header(marker: bool, pt: u8, seq: u16, ts: u32, ssrc: u32) -> [u8; 12] {
    let mut h = [0u8; 12];
    h[0] = 0x80;
    h[1] = (u8::from(marker) << 7) | pt;
    h[2..4].copy_from_slice(&seq.to_be_bytes());
    h[4..8].copy_from_slice(&ts.to_be_bytes());
    h[8..12].copy_from_slice(&ssrc.to_be_bytes());
    h
}

async fn run(
    hub: Weak<RtpHub>,
    key: Key,
    stream: Arc<Stream>,
    mut audio: Audio,
    send: RtpSend,
    multicast_if: Option<Ipv4Addr>,
    mut stop: watch::Receiver<bool>,
) {
    let target = key.0;
    let (pt, encode): (u8, fn(i16) -> u8) = match send.codec {
        AudioCodec::Pcmu => (0, g711::ulaw_encode),
        AudioCodec::Pcma => (8, g711::alaw_encode),
    };
    let per = usize::from(send.packet_ms) * 8;
    let ptime = Duration::from_millis(u64::from(send.packet_ms));
    let mut seq: u16 = fastrand::u16(..);
    let mut ts: u32 = fastrand::u32(..);
    let mut failed = None;
    let sock = match socket(target, multicast_if).await {
        Ok(s) => Some(s),
        Err(e) => {
            failed = Some(e.to_string());
            None
        }
    };
    // Speakers of a zone join its group as they are asked; a short pre-roll
    // lets the last of them in before the first word.
    if target.ip().is_multicast() {
        tokio::select! {
            _ = tokio::time::sleep(MULTICAST_PREROLL) => {}
            _ = stop.changed() => return,
        }
    }
    let start = Instant::now();
    let mut sent: u32 = 0;
    let mut next = Cursor {
        repeat: send.repeat,
        ..Cursor::default()
    };
    let mut packet = Vec::with_capacity(12 + per);
    'play: while let Some(sock) = &sock {
        // The next packet's samples: from the clip (by position), or from
        // the live source as it arrives.
        let chunk = match next.take(&mut audio, per, &mut stop).await {
            Next::Samples(c) => c,
            Next::End => break 'play,
            Next::Stopped => return,
        };
        packet.clear();
        packet.extend_from_slice(&header(sent == 0, pt, seq, ts, send.ssrc));
        packet.extend(chunk.iter().map(|&s| encode(s)));
        // A short last packet is padded with silence to a whole ptime.
        packet.resize(12 + per, encode(0));
        if let Err(e) = sock.send_to(&packet, target).await {
            failed = Some(format!("send to {target}: {e}"));
            break 'play;
        }
        metrics::counter!("twinwall_rtp_packets_sent_total").increment(1);
        sent += 1;
        stream.packets.fetch_add(1, Ordering::Relaxed);
        seq = seq.wrapping_add(1);
        ts = ts.wrapping_add(per as u32);
        // Paced by the clock, a live source too: it arrives in bursts (TCP
        // coalesces its frames), and a speaker wants one packet per ptime.
        tokio::select! {
            _ = tokio::time::sleep_until(start + ptime * sent) => {}
            _ = stop.changed() => return,
        }
        if *stop.borrow() {
            return;
        }
    }
    if let Some(why) = &failed {
        tracing::warn!(target = %target, id = %send.id, "RTP send failed: {why}");
    }
    finish(hub, &key, &stream, failed).await;
}

/// Where the audio of a send stands.
#[derive(Default)]
struct Cursor {
    /// Plays of a clip asked for (0: until stopped), and those done.
    repeat: u32,
    round: u32,
    /// Position in the clip.
    pos: usize,
    /// Live samples received and not yet sent.
    pending: Vec<i16>,
}

/// What the next packet carries.
enum Next {
    Samples(Vec<i16>),
    /// Played out, or the live source ended.
    End,
    /// The send was stopped.
    Stopped,
}

impl Cursor {
    /// The next `per` samples (fewer at a clip's end).
    async fn take(
        &mut self,
        audio: &mut Audio,
        per: usize,
        stop: &mut watch::Receiver<bool>,
    ) -> Next {
        match audio {
            Audio::Clip(samples) => {
                if samples.is_empty() {
                    return Next::End;
                }
                if self.pos >= samples.len() {
                    self.round += 1;
                    if self.repeat != 0 && self.round >= self.repeat {
                        return Next::End;
                    }
                    self.pos = 0;
                }
                let end = (self.pos + per).min(samples.len());
                let chunk = samples[self.pos..end].to_vec();
                self.pos = end;
                Next::Samples(chunk)
            }
            Audio::Live(rx) => {
                while self.pending.len() < per {
                    tokio::select! {
                        frame = rx.recv() => match frame {
                            Ok(f) => self.pending.extend_from_slice(&f),
                            // Too slow for the source: skip what was missed.
                            Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                            Err(tokio::sync::broadcast::error::RecvError::Closed) => return Next::End,
                        },
                        _ = stop.changed() => return Next::Stopped,
                    }
                }
                Next::Samples(self.pending.drain(..per).collect())
            }
        }
    }
}

/// Played out (or failed): tell every listener, and free the key.
async fn finish(hub: Weak<RtpHub>, key: &Key, stream: &Arc<Stream>, failed: Option<String>) {
    if let Some(hub) = hub.upgrade()
        && let Ok(mut s) = hub.streams.lock()
        && s.get(key).is_some_and(|x| Arc::ptr_eq(x, stream))
    {
        s.remove(key);
    }
    let listeners: Vec<Listener> = stream
        .listeners
        .lock()
        .map(|mut l| l.drain().map(|(_, v)| v).collect())
        .unwrap_or_default();
    for l in listeners {
        if let Some(why) = &failed {
            let input = Input::Failed(Failure::new(&l.id, FailureKind::Unreachable, why.clone()));
            let _ = l.sink.send((l.device, input)).await;
        } else {
            stream.finished(l, false);
        }
    }
}
