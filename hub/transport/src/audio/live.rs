//! Live sources: a paging microphone or an audio gateway streaming G.711
//! over HTTP (`audio/basic` μ-law, `audio/PCMA` A-law, 8 kHz), relayed to
//! every speaker of a broadcast as it arrives. Only URLs the hub's config
//! allows are opened: a broadcast request must not make the hub fetch
//! anything on the network.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use futures_util::StreamExt;
use tokio::sync::broadcast;

use super::g711;

/// 20 ms of audio at 8 kHz.
pub const FRAME: usize = 160;

/// A live source no speaker listens to within this long is closed.
const NOBODY_CAME: std::time::Duration = std::time::Duration::from_secs(10);

/// Why a live source cannot be opened.
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    /// Not on the allow list.
    #[error("live source `{url}` is not allowed (allowed: {allowed})")]
    NotAllowed {
        /// The URL asked for.
        url: String,
        /// What `[broadcast] live_sources` lists.
        allowed: String,
    },
    /// It did not answer as a G.711 stream.
    #[error("live source `{url}`: {message}")]
    Open {
        /// The URL.
        url: String,
        /// Why.
        message: String,
    },
    /// No such live source (it ended).
    #[error("no live source `{0}`")]
    Unknown(String),
}

/// Where a live source's 20 ms frames go.
pub type Frames = broadcast::Sender<Arc<[i16]>>;

/// The live sources being relayed.
#[derive(Clone)]
pub struct LiveSources {
    allowed: Arc<Vec<String>>,
    http: reqwest::Client,
    open: Arc<Mutex<HashMap<String, Frames>>>,
    next: Arc<AtomicU64>,
}

impl std::fmt::Debug for LiveSources {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveSources")
            .field("allowed", &self.allowed)
            .finish()
    }
}

impl LiveSources {
    /// Sources whose URL starts with one of `allowed`.
    pub fn new(allowed: Vec<String>) -> Self {
        LiveSources {
            allowed: Arc::new(allowed),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap_or_default(),
            open: Arc::default(),
            next: Arc::new(AtomicU64::new(1)),
        }
    }

    /// Whether `url` may be opened.
    pub fn check(&self, url: &str) -> Result<(), LiveError> {
        if !self.allowed.iter().any(|a| url.starts_with(a.as_str())) {
            return Err(LiveError::NotAllowed {
                url: url.to_owned(),
                allowed: if self.allowed.is_empty() {
                    "none; list them in [broadcast] live_sources".into()
                } else {
                    self.allowed.join(", ")
                },
            });
        }
        Ok(())
    }

    /// Open `url` and start relaying it; answers its id (`live:<n>`) once the
    /// source has answered as G.711.
    pub async fn open(&self, url: &str) -> Result<String, LiveError> {
        self.check(url)?;
        let fail = |message: String| LiveError::Open {
            url: url.to_owned(),
            message,
        };
        let resp = self
            .http
            .get(url)
            .send()
            .await
            .map_err(|e| fail(e.to_string()))?;
        if !resp.status().is_success() {
            return Err(fail(format!("HTTP {}", resp.status())));
        }
        let ct = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        let decode: fn(u8) -> i16 = match ct.split(';').next().unwrap_or("").trim() {
            "audio/basic" | "audio/pcmu" => g711::ulaw_decode,
            "audio/pcma" => g711::alaw_decode,
            other => {
                return Err(fail(format!(
                    "content type `{other}`: a live source sends audio/basic (μ-law) or audio/PCMA at 8 kHz"
                )));
            }
        };
        let id = format!("live:{}", self.next.fetch_add(1, Ordering::Relaxed));
        let (tx, _) = broadcast::channel(256);
        if let Ok(mut m) = self.open.lock() {
            m.insert(id.clone(), tx.clone());
        }
        let open = self.open.clone();
        let key = id.clone();
        tokio::spawn(async move {
            let mut body = resp.bytes_stream();
            let mut pending: Vec<i16> = Vec::with_capacity(FRAME * 2);
            let opened = tokio::time::Instant::now();
            let mut heard = false;
            while let Some(chunk) = body.next().await {
                let Ok(chunk) = chunk else { break };
                // Nobody listens any more (the job was cancelled), or nobody
                // came: stop pulling the stream.
                let listeners = tx.receiver_count();
                heard |= listeners > 0;
                if listeners == 0 && (heard || opened.elapsed() > NOBODY_CAME) {
                    break;
                }
                pending.extend(chunk.iter().map(|&b| decode(b)));
                while pending.len() >= FRAME {
                    let frame: Arc<[i16]> = pending.drain(..FRAME).collect();
                    let _ = tx.send(frame);
                }
            }
            if !pending.is_empty() {
                pending.resize(FRAME, 0);
                let _ = tx.send(pending.into());
            }
            // Receivers see the channel close: the stream has ended.
            if let Ok(mut m) = open.lock() {
                m.remove(&key);
            }
        });
        Ok(id)
    }

    /// Listen to a live source from now on.
    pub fn subscribe(&self, id: &str) -> Result<broadcast::Receiver<Arc<[i16]>>, LiveError> {
        self.open
            .lock()
            .ok()
            .and_then(|m| m.get(id).map(broadcast::Sender::subscribe))
            .ok_or_else(|| LiveError::Unknown(id.to_owned()))
    }
}
