//! An IP paging microphone (寻呼话筒) as a live source: `GET /stream` answers
//! `audio/basic` (G.711 μ-law, 8 kHz) in real time, 20 ms at a time, for as
//! long as the operator "speaks" (a tone here), then ends the response.

use std::net::SocketAddr;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::header;
use axum::response::Response;
use axum::routing::get;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use twinwall_plugin_sdk::g711;

/// A running paging microphone. Dropping it stops it.
pub struct PagingMic {
    addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Drop for PagingMic {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl PagingMic {
    /// Serve on `bind`: each `GET /stream` speaks `ms` milliseconds of a
    /// `hz` tone.
    pub async fn start(bind: SocketAddr, hz: f64, ms: u64) -> std::io::Result<Self> {
        let listener = TcpListener::bind(bind).await?;
        let addr = listener.local_addr()?;
        let app = axum::Router::new().route("/stream", get(move || speak(hz, ms)));
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(PagingMic { addr, task })
    }

    /// The stream's URL.
    pub fn url(&self) -> String {
        format!("http://{}/stream", self.addr)
    }
}

async fn speak(hz: f64, ms: u64) -> Response {
    let frames = ms / 20;
    let stream = futures_util::stream::unfold(0u64, move |n| async move {
        if n >= frames {
            return None;
        }
        // Real time: frame n leaves at n × 20 ms, as a microphone produces it.
        if n > 0 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let bytes: Vec<u8> = (0..160)
            .map(|i| {
                let t = (n * 160 + i) as f64 / 8000.0;
                g711::ulaw_encode((f64::sin(t * hz * std::f64::consts::TAU) * 12_000.0) as i16)
            })
            .collect();
        Some((Ok::<_, std::io::Error>(Bytes::from(bytes)), n + 1))
    });
    Response::builder()
        .header(header::CONTENT_TYPE, "audio/basic")
        .body(Body::from_stream(stream))
        .unwrap_or_default()
}
