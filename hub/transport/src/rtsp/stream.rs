//! Opening a camera's stream with retina (DESCRIBE, SETUP over TCP or UDP,
//! PLAY) and reading what it carries: one bounded sample, or every frame for
//! as long as the stream is watched.

use std::time::Duration;

use futures_util::StreamExt;
use retina::client::{
    Demuxed, PlayOptions, Session, SessionOptions, SetupOptions, TcpTransportOptions, Transport,
    UdpTransportOptions,
};
use retina::codec::{CodecItem, ParametersRef};

use super::limits::Probes;
use crate::http::Credentials;
use twinwall_base::now_ms;

/// The RTP transport of one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Carrier {
    /// Interleaved on the RTSP connection.
    Tcp,
    /// RTP/AVP over UDP.
    Udp,
}

impl Carrier {
    /// As the status names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Carrier::Tcp => "tcp",
            Carrier::Udp => "udp",
        }
    }

    /// The other one.
    pub fn other(self) -> Self {
        match self {
            Carrier::Tcp => Carrier::Udp,
            Carrier::Udp => Carrier::Tcp,
        }
    }
}

/// Why a stream could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamError {
    /// What went wrong, in the camera's or the network's words.
    pub why: String,
    /// The camera answered PLAY: it is up, its stream is not.
    pub playing: bool,
    /// The camera refused the transport (461 Unsupported Transport).
    pub transport_refused: bool,
}

impl StreamError {
    fn before_play(why: impl Into<String>) -> Self {
        let why = why.into();
        StreamError {
            transport_refused: why.contains("461"),
            why,
            playing: false,
        }
    }

    fn after_play(why: impl Into<String>) -> Self {
        StreamError {
            why: why.into(),
            playing: true,
            transport_refused: false,
        }
    }
}

/// What the stream carries.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    /// RFC 6381 codec.
    pub codec: Option<String>,
    /// Pixels.
    pub width: Option<u32>,
    /// Pixels.
    pub height: Option<u32>,
}

/// What one sample found.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// Codec and resolution.
    pub facts: Facts,
    /// Frames per second over the window.
    pub fps: f32,
    /// PLAY answered → first keyframe, ms.
    pub first_frame_ms: u32,
    /// When the last frame came (ms since the epoch).
    pub last_frame_ms: i64,
    /// The transport that carried it.
    pub carrier: Carrier,
}

/// A stream being read.
pub struct Open {
    playing: Demuxed,
    video: usize,
    /// The transport carrying it.
    pub carrier: Carrier,
}

impl Open {
    /// DESCRIBE, SETUP the video track over `carrier`, PLAY; each step
    /// within `timeout`.
    pub async fn start(
        uri: &url::Url,
        creds: Option<&Credentials>,
        carrier: Carrier,
        timeout: Duration,
    ) -> Result<Open, StreamError> {
        let options = SessionOptions::default()
            .creds(creds.map(|c| retina::client::Credentials {
                username: c.username.clone(),
                password: c.password.clone(),
            }))
            .user_agent(format!("twinwall-hub/{}", env!("CARGO_PKG_VERSION")));
        let step = |what: &'static str| {
            move |_| StreamError::before_play(format!("no answer to {what} within {timeout:?}"))
        };
        let mut described = tokio::time::timeout(timeout, Session::describe(uri.clone(), options))
            .await
            .map_err(step("DESCRIBE"))?
            .map_err(|e| StreamError::before_play(e.to_string()))?;
        let video = described
            .streams()
            .iter()
            .position(|s| s.media() == "video")
            .ok_or_else(|| StreamError::before_play("the stream has no video track"))?;
        let transport = match carrier {
            Carrier::Tcp => Transport::Tcp(TcpTransportOptions::default()),
            Carrier::Udp => Transport::Udp(UdpTransportOptions::default()),
        };
        tokio::time::timeout(
            timeout,
            described.setup(video, SetupOptions::default().transport(transport)),
        )
        .await
        .map_err(step("SETUP"))?
        .map_err(|e| StreamError::before_play(e.to_string()))?;
        let playing = tokio::time::timeout(timeout, described.play(PlayOptions::default()))
            .await
            .map_err(step("PLAY"))?
            .and_then(|p| p.demuxed())
            .map_err(|e| StreamError::before_play(e.to_string()))?;
        Ok(Open {
            playing,
            video,
            carrier,
        })
    }

    /// Codec and resolution as far as known.
    pub fn facts(&self) -> Facts {
        match self.playing.streams()[self.video].parameters() {
            Some(ParametersRef::Video(v)) => {
                let (w, h) = v.pixel_dimensions();
                Facts {
                    codec: Some(v.rfc6381_codec().to_owned()),
                    width: Some(w),
                    height: Some(h),
                }
            }
            _ => Facts::default(),
        }
    }

    /// The next video frame's size and whether it is a keyframe.
    pub async fn next_frame(&mut self) -> Result<(usize, bool), StreamError> {
        loop {
            match self.playing.next().await {
                Some(Ok(CodecItem::VideoFrame(f))) => {
                    return Ok((f.data().len(), f.is_random_access_point()));
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(StreamError::after_play(e.to_string())),
                None => return Err(StreamError::after_play("the server ended the stream")),
            }
        }
    }

    /// Read for one sample: the first keyframe (the first picture a
    /// decoder can show) within `first_within`, then frames for `window`;
    /// the bytes count against `probes`' budget. The stream is torn down
    /// when `self` is dropped.
    pub async fn sample(
        mut self,
        first_within: Duration,
        window: Duration,
        probes: &Probes,
    ) -> Result<Sample, StreamError> {
        let played = tokio::time::Instant::now();
        let keyframe = async {
            loop {
                let (bytes, key) = self.next_frame().await?;
                probes.spend(bytes as u64, false);
                if key {
                    return Ok::<_, StreamError>(());
                }
            }
        };
        tokio::time::timeout(first_within, keyframe)
            .await
            .map_err(|_| {
                StreamError::after_play(format!(
                    "stream stalled: no keyframe within {} ms of PLAY",
                    first_within.as_millis()
                ))
            })??;
        let first = tokio::time::Instant::now();
        let first_frame_ms =
            u32::try_from(first.duration_since(played).as_millis()).unwrap_or(u32::MAX);
        let mut frames = 0u32;
        let mut last_frame_ms = now_ms();
        let end = first + window;
        loop {
            match tokio::time::timeout_at(end, self.next_frame()).await {
                Err(_) => break,
                Ok(Ok((bytes, _))) => {
                    probes.spend(bytes as u64, false);
                    frames += 1;
                    last_frame_ms = now_ms();
                }
                // A stream that ends inside the window still measured what it sent.
                Ok(Err(e)) if frames > 0 => {
                    tracing::debug!(error = %e.why, "stream ended inside the sample window");
                    break;
                }
                Ok(Err(e)) => return Err(e),
            }
        }
        Ok(Sample {
            facts: self.facts(),
            fps: frames as f32 / window.as_secs_f32(),
            first_frame_ms,
            last_frame_ms,
            carrier: self.carrier,
        })
    }
}
