//! The speaker's RTP receiver: it measures what actually arrived (packets,
//! sequence gaps, audio duration from the RTP timestamps, source, SSRC,
//! codec), so a test can assert that the audio reached the speaker whole.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde::Serialize;
use tokio::net::UdpSocket;

/// What one stream delivered, since the speaker was told to play it.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Reception {
    /// Packets received.
    pub packets: u64,
    /// Packets missing by sequence number (lost or reordered past).
    pub gaps: u64,
    /// Audio received, ms (payload bytes at 8 kHz, one byte per sample).
    pub audio_ms: u64,
    /// Span of the stream's timestamps plus one packet, ms.
    pub duration_ms: u64,
    /// Wall time from the first packet to the last, ms.
    pub wall_ms: u64,
    /// `ip:port` of the sender.
    pub source: Option<String>,
    /// SSRC of the stream.
    pub ssrc: Option<u32>,
    /// `pcmu`, `pcma`, or the payload type number.
    pub codec: Option<String>,
    /// Datagrams that were not RTP.
    pub malformed: u64,
    /// Packets of other streams (another SSRC) while this one played.
    pub foreign: u64,
}

#[derive(Default)]
struct Track {
    r: Reception,
    first_ts: Option<u32>,
    last_seq: Option<u16>,
    last_ts: u32,
    last_len: u32,
    first_at: Option<Instant>,
    last_at: Option<Instant>,
}

/// A receiver's shared measurement.
#[derive(Clone, Default)]
pub struct Meter {
    track: Arc<Mutex<Track>>,
}

impl Meter {
    /// Start measuring afresh (a new job).
    pub fn reset(&self) {
        if let Ok(mut t) = self.track.lock() {
            *t = Track::default();
        }
    }

    /// What arrived so far.
    pub fn reception(&self) -> Reception {
        let t = self.track.lock().unwrap_or_else(|p| p.into_inner());
        let mut r = t.r.clone();
        if let Some(first) = t.first_ts {
            let span = t.last_ts.wrapping_sub(first).wrapping_add(t.last_len);
            r.duration_ms = u64::from(span) / 8;
        }
        if let (Some(a), Some(b)) = (t.first_at, t.last_at) {
            r.wall_ms = b.duration_since(a).as_millis() as u64;
        }
        r
    }

    /// When the last packet arrived.
    pub fn last_packet(&self) -> Option<Instant> {
        self.track.lock().ok()?.last_at
    }

    /// Take one datagram.
    pub fn take(&self, from: SocketAddr, d: &[u8]) {
        let mut t = self.track.lock().unwrap_or_else(|p| p.into_inner());
        if d.len() < 12 || d[0] >> 6 != 2 {
            t.r.malformed += 1;
            return;
        }
        let csrc = usize::from(d[0] & 0x0F) * 4;
        let pt = d[1] & 0x7F;
        let seq = u16::from_be_bytes([d[2], d[3]]);
        let ts = u32::from_be_bytes([d[4], d[5], d[6], d[7]]);
        let ssrc = u32::from_be_bytes([d[8], d[9], d[10], d[11]]);
        let Some(payload) = d.get(12 + csrc..) else {
            t.r.malformed += 1;
            return;
        };
        // A speaker locks onto the first stream after it was told to play.
        if t.r.ssrc.is_some_and(|s| s != ssrc) {
            t.r.foreign += 1;
            return;
        }
        if let Some(prev) = t.last_seq {
            let step = seq.wrapping_sub(prev);
            if step == 0 || step > 0x8000 {
                return; // duplicate or late
            }
            t.r.gaps += u64::from(step - 1);
        }
        let now = Instant::now();
        t.first_at.get_or_insert(now);
        t.last_at = Some(now);
        t.first_ts.get_or_insert(ts);
        t.last_seq = Some(seq);
        t.last_ts = ts;
        t.last_len = payload.len() as u32;
        t.r.packets += 1;
        t.r.audio_ms += payload.len() as u64 / 8;
        t.r.source = Some(from.to_string());
        t.r.ssrc = Some(ssrc);
        t.r.codec = Some(match pt {
            0 => "pcmu".to_owned(),
            8 => "pcma".to_owned(),
            n => n.to_string(),
        });
    }
}

/// Receive on `sock` for ever into `meter`.
pub async fn receive(sock: UdpSocket, meter: Meter) {
    let mut buf = vec![0u8; 2048];
    while let Ok((n, from)) = sock.recv_from(&mut buf).await {
        meter.take(from, &buf[..n]);
    }
}

/// A socket joined to multicast `group:port` on `interface`; several
/// speakers on one machine share the port, as speakers of one zone do.
pub fn multicast(group: Ipv4Addr, port: u16, interface: Ipv4Addr) -> std::io::Result<UdpSocket> {
    let s = socket2::Socket::new(
        socket2::Domain::IPV4,
        socket2::Type::DGRAM,
        Some(socket2::Protocol::UDP),
    )?;
    s.set_reuse_address(true)?;
    s.bind(&SocketAddr::from((group, port)).into())?;
    s.join_multicast_v4(&group, &interface)?;
    s.set_nonblocking(true)?;
    UdpSocket::from_std(s.into())
}
