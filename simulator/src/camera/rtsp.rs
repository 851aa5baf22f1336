//! The camera's RTSP 1.0 server (rtsp-types): OPTIONS, DESCRIBE (SDP with
//! sprop-parameter-sets), SETUP for RTP/AVP/TCP interleaved or RTP/AVP over
//! UDP (to the client's ports, from a server port pair), PLAY, PAUSE,
//! GET/SET_PARAMETER keepalives (answered while streaming), TEARDOWN; HTTP
//! Digest on DESCRIBE, SETUP and PLAY. URLs are Hikvision-style:
//! `/Streaming/Channels/101` (main) and `/102` (sub).

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use rtsp_types::{Message, Method, ParseError, Request, Response, StatusCode, Version, headers};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::Shared;
use super::video::{self, FPS, Video};

/// Largest request accepted before the connection is dropped.
const MAX_REQUEST: usize = 64 * 1024;
const MTU: usize = 1400;

pub(super) async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    while let Ok((stream, _)) = listener.accept().await {
        let _ = stream.set_nodelay(true);
        tokio::spawn(connection(stream, shared.clone()));
    }
}

fn channel_of(uri: &str) -> Option<&str> {
    let path = uri
        .split_once("://")
        .map_or(uri, |(_, r)| r.find('/').map_or("", |i| &r[i..]));
    let rest = path.strip_prefix("/Streaming/Channels/")?;
    Some(rest.split(['/', '?']).next().unwrap_or(rest))
}

fn sdp(v: &Video, ip: &str) -> String {
    let profile = v
        .sps
        .get(1..4)
        .map(|b| b.iter().map(|x| format!("{x:02X}")).collect::<String>())
        .unwrap_or_default();
    format!(
        "v=0\r\no=- 0 0 IN IP4 {ip}\r\ns=Twinwall camera\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\n\
         a=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1;profile-level-id={profile};sprop-parameter-sets={},{}\r\n\
         a=framerate:{FPS}\r\na=control:trackID=1\r\n",
        B64.encode(&v.sps),
        B64.encode(&v.pps)
    )
}

struct Conn {
    shared: Arc<Shared>,
    out: mpsc::Sender<Vec<u8>>,
    session: String,
    channel: Option<String>,
    /// Where RTP goes, as the client's SETUP asked.
    sink: Sink,
    /// The client's address, for UDP.
    peer: std::net::SocketAddr,
    streaming: Option<JoinHandle<()>>,
}

/// Where a session's RTP packets go.
#[derive(Clone)]
enum Sink {
    /// Interleaved on the RTSP connection, on this channel.
    Interleaved(u8),
    /// UDP from the server's RTP socket to the client's RTP port.
    Udp(Arc<UdpSocket>, std::net::SocketAddr),
}

async fn connection(stream: TcpStream, shared: Arc<Shared>) {
    let Ok(peer) = stream.peer_addr() else { return };
    let (mut rd, mut wr) = stream.into_split();
    let (out, mut outgoing) = mpsc::channel::<Vec<u8>>(512);
    let writer = tokio::spawn(async move {
        while let Some(b) = outgoing.recv().await {
            if wr.write_all(&b).await.is_err() {
                return;
            }
        }
    });
    let mut c = Conn {
        shared,
        out,
        session: format!("{:016x}", fastrand::u64(..)),
        channel: None,
        sink: Sink::Interleaved(0),
        peer,
        streaming: None,
    };
    let mut buf: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; 16 * 1024];
    'read: loop {
        if c.shared.down.load(Ordering::SeqCst) {
            break;
        }
        let n = match rd.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        buf.extend_from_slice(&chunk[..n]);
        loop {
            match Message::<Vec<u8>>::parse(&buf) {
                Ok((msg, used)) => {
                    buf.drain(..used);
                    // Interleaved RTCP from the client, and stray responses, are ignored.
                    if let Message::Request(req) = msg
                        && !c.request(req).await
                    {
                        break 'read;
                    }
                }
                Err(ParseError::Incomplete(_)) => {
                    if buf.len() > MAX_REQUEST {
                        break 'read;
                    }
                    break;
                }
                Err(ParseError::Error) => break 'read,
            }
        }
    }
    if let Some(s) = c.streaming.take() {
        s.abort();
    }
    drop(c);
    let _ = writer.await;
}

impl Conn {
    /// Answer one request; `false` ends the connection.
    async fn request(&mut self, req: Request<Vec<u8>>) -> bool {
        let cseq = req
            .header(&headers::CSEQ)
            .map(|v| v.as_str().to_owned())
            .unwrap_or_else(|| "0".into());
        let uri = req.request_uri().map(|u| u.to_string()).unwrap_or_default();
        let method = req.method().clone();
        let reply = |status: StatusCode| {
            Response::builder(Version::V1_0, status).header(headers::CSEQ, cseq.clone())
        };
        if matches!(method, Method::Describe | Method::Setup | Method::Play) {
            let m = <&str>::from(&method);
            let ok = self
                .shared
                .digest_ok(req.header(&headers::AUTHORIZATION).map(|h| h.as_str()), m);
            if !ok {
                let challenge = self.shared.new_challenge();
                return self
                    .send(
                        reply(StatusCode::Unauthorized)
                            .header(headers::WWW_AUTHENTICATE, challenge)
                            .build(Vec::new()),
                    )
                    .await;
            }
        }
        match method {
            Method::Options => {
                let r = reply(StatusCode::Ok).header(
                    headers::PUBLIC,
                    "OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, TEARDOWN, GET_PARAMETER, SET_PARAMETER",
                );
                self.send(r.build(Vec::new())).await
            }
            Method::Describe => match channel_of(&uri).and_then(video::stream) {
                Some(v) => {
                    let base = if uri.ends_with('/') {
                        uri.clone()
                    } else {
                        format!("{uri}/")
                    };
                    let body = sdp(v, &self.shared.addr.ip().to_string()).into_bytes();
                    let r = reply(StatusCode::Ok)
                        .header(headers::CONTENT_TYPE, "application/sdp")
                        .header(headers::CONTENT_BASE, base);
                    self.send(r.build(body)).await
                }
                None => {
                    self.send(reply(StatusCode::NotFound).build(Vec::new()))
                        .await
                }
            },
            Method::Setup => {
                let transport = req
                    .header(&headers::TRANSPORT)
                    .map(|v| v.as_str().to_owned())
                    .unwrap_or_default();
                let param = |name: &str| -> Option<(u16, u16)> {
                    let v = transport
                        .split(';')
                        .find_map(|p| p.trim().strip_prefix(name))?;
                    let (a, b) = v.split_once('-').unwrap_or((v, v));
                    Some((a.parse().ok()?, b.parse().ok()?))
                };
                let udp_only = self.shared.udp_only.load(Ordering::SeqCst);
                let t = if transport.contains("RTP/AVP/TCP") && !udp_only {
                    let ch = param("interleaved=").map_or(0, |(a, _)| a as u8);
                    self.sink = Sink::Interleaved(ch);
                    format!(
                        "RTP/AVP/TCP;unicast;interleaved={}-{};ssrc={:08X}",
                        ch,
                        ch.wrapping_add(1),
                        0x7717_7a11u32
                    )
                } else if let Some((rtp, rtcp)) = param("client_port=")
                    && transport.starts_with("RTP/AVP")
                {
                    // A server port pair: RTP from the first, the second
                    // (RTCP) held so no one else takes it.
                    let Some((sock, rtcp_sock)) = udp_pair(self.peer.ip()).await else {
                        return self
                            .send(reply(StatusCode::InternalServerError).build(Vec::new()))
                            .await;
                    };
                    let (a, b) = (
                        sock.local_addr().map_or(0, |x| x.port()),
                        rtcp_sock.local_addr().map_or(0, |x| x.port()),
                    );
                    self.sink = Sink::Udp(
                        Arc::new(sock),
                        std::net::SocketAddr::new(self.peer.ip(), rtp),
                    );
                    format!(
                        "RTP/AVP;unicast;client_port={rtp}-{rtcp};server_port={a}-{b};ssrc={:08X}",
                        0x7717_7a11u32
                    )
                } else {
                    return self
                        .send(reply(StatusCode::UnsupportedTransport).build(Vec::new()))
                        .await;
                };
                let base = uri.split("/trackID").next().unwrap_or(&uri).to_owned();
                self.channel = channel_of(&base).map(str::to_owned);
                let r = reply(StatusCode::Ok)
                    .header(headers::TRANSPORT, t)
                    .header(headers::SESSION, format!("{};timeout=60", self.session));
                self.send(r.build(Vec::new())).await
            }
            Method::Play => {
                let Some(v) = self.channel.as_deref().and_then(video::stream) else {
                    return self
                        .send(reply(StatusCode::MethodNotValidInThisState).build(Vec::new()))
                        .await;
                };
                let r = reply(StatusCode::Ok)
                    .header(headers::SESSION, self.session.clone())
                    .header(headers::RTP_INFO, format!("url={uri};seq=0;rtptime=0"));
                let ok = self.send(r.build(Vec::new())).await;
                if self.streaming.is_none() {
                    self.streaming = Some(tokio::spawn(stream_video(
                        v,
                        self.sink.clone(),
                        self.out.clone(),
                        self.shared.clone(),
                    )));
                }
                ok
            }
            Method::Pause => {
                if let Some(s) = self.streaming.take() {
                    s.abort();
                }
                self.send(
                    reply(StatusCode::Ok)
                        .header(headers::SESSION, self.session.clone())
                        .build(Vec::new()),
                )
                .await
            }
            Method::Teardown => {
                if let Some(s) = self.streaming.take() {
                    s.abort();
                }
                let _ = self.send(reply(StatusCode::Ok).build(Vec::new())).await;
                false
            }
            Method::GetParameter | Method::SetParameter => {
                self.send(
                    reply(StatusCode::Ok)
                        .header(headers::SESSION, self.session.clone())
                        .build(Vec::new()),
                )
                .await
            }
            _ => {
                self.send(reply(StatusCode::MethodNotAllowed).build(Vec::new()))
                    .await
            }
        }
    }

    async fn send(&self, r: Response<Vec<u8>>) -> bool {
        let mut b = Vec::new();
        if r.write(&mut b).is_err() {
            return false;
        }
        self.out.send(b).await.is_ok()
    }
}

/// Two UDP sockets on the camera's side for the client at `ip` (loopback
/// for a loopback client), the RTCP one held only: an even port and the one
/// above it, as RFC 3550 §11 pairs them (clients such as retina refuse any
/// other pair).
async fn udp_pair(ip: std::net::IpAddr) -> Option<(UdpSocket, UdpSocket)> {
    let local: std::net::IpAddr = if ip.is_loopback() {
        ip
    } else {
        std::net::Ipv4Addr::UNSPECIFIED.into()
    };
    for _ in 0..64 {
        let rtp = UdpSocket::bind((local, 0)).await.ok()?;
        let port = rtp.local_addr().ok()?.port();
        if port % 2 != 0 || port == u16::MAX - 1 {
            continue;
        }
        if let Ok(rtcp) = UdpSocket::bind((local, port + 1)).await {
            return Some((rtp, rtcp));
        }
    }
    None
}

/// Frames at `FPS` as RTP (interleaved, or over UDP) until the connection
/// goes; skipped while the camera's stream is stalled (the session stays
/// open).
async fn stream_video(
    v: &'static Video,
    sink: Sink,
    out: mpsc::Sender<Vec<u8>>,
    shared: Arc<Shared>,
) {
    shared.playing.fetch_add(1, Ordering::SeqCst);
    let _playing = Playing(shared.clone());
    let mut tick = tokio::time::interval(Duration::from_millis(1000 / u64::from(FPS)));
    let (mut seq, ssrc) = (0u16, 0x7717_7a11u32);
    let mut n: u32 = 0;
    loop {
        tick.tick().await;
        if shared.down.load(Ordering::SeqCst) {
            return;
        }
        n = n.wrapping_add(1);
        if shared.stalled.load(Ordering::SeqCst) {
            continue;
        }
        let ts = n.wrapping_mul(90_000 / FPS);
        let frame = &v.frames[n as usize % v.frames.len()];
        let per_frame = shared.bitrate_kbps.load(Ordering::SeqCst) as usize * 125 / FPS as usize;
        let filler =
            video::filler(per_frame.saturating_sub(frame.len() + v.sps.len() + v.pps.len()));
        // Parameter sets ahead of every frame: all frames are IDR, any can start a decoder.
        let nals: [&[u8]; 4] = [&v.sps, &v.pps, frame, &filler];
        let last = if filler.is_empty() { 2 } else { 3 };
        for (i, nal) in nals.iter().enumerate().take(last + 1) {
            for pkt in video::packetize(nal, &mut seq, ts, ssrc, i == last, MTU) {
                shared
                    .rtp_bytes
                    .fetch_add(pkt.len() as u64, Ordering::Relaxed);
                match &sink {
                    Sink::Interleaved(channel) => {
                        let mut framed = Vec::with_capacity(pkt.len() + 4);
                        framed.push(b'$');
                        framed.push(*channel);
                        framed.extend_from_slice(&(pkt.len() as u16).to_be_bytes());
                        framed.extend_from_slice(&pkt);
                        if out.send(framed).await.is_err() {
                            return;
                        }
                    }
                    // A lost datagram is lost, as on a real network; the
                    // session ends with its RTSP connection.
                    Sink::Udp(sock, to) => {
                        let _ = sock.send_to(&pkt, to).await;
                    }
                }
            }
        }
    }
}

/// Counts a session in `playing` while it sends.
struct Playing(Arc<Shared>);

impl Drop for Playing {
    fn drop(&mut self) {
        self.0.playing.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_from_urls() {
        assert_eq!(
            channel_of("rtsp://127.0.0.1:554/Streaming/Channels/101"),
            Some("101")
        );
        assert_eq!(
            channel_of("rtsp://h/Streaming/Channels/102/trackID=1"),
            Some("102")
        );
        assert_eq!(channel_of("rtsp://h/other"), None);
    }

    #[test]
    fn sdp_carries_parameter_sets() {
        let v = video::stream("102").unwrap();
        let s = sdp(v, "127.0.0.1");
        assert!(
            s.contains("sprop-parameter-sets=")
                && s.contains("packetization-mode=1")
                && s.contains("a=control:trackID=1")
        );
    }
}
