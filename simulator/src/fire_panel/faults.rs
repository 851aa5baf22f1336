//! Faults on demand: what a flaky panel or network does to a client.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// Faults a panel applies to every request until cleared.
#[derive(Debug, Default)]
pub struct Faults {
    delay_ms: AtomicU64,
    exception: AtomicU8,
    malformed: AtomicBool,
    silent: AtomicBool,
    down: AtomicBool,
    /// Bumped to cut every open connection.
    generation: AtomicU64,
}

/// One fault, as scenario files and the API name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case", tag = "fault")]
pub enum Fault {
    /// Cut every open connection once (clients reconnect).
    Drop,
    /// Delay every reply by `ms`.
    Delay {
        /// Milliseconds.
        ms: u64,
    },
    /// Answer every request with Modbus exception `code`.
    Exception {
        /// Exception code (1 illegal function, 2 illegal address, 4 device failure, 6 busy …).
        code: u8,
    },
    /// Send replies with a corrupt MBAP header.
    Malformed,
    /// Read requests and never answer.
    Silent,
    /// The panel is unreachable: connections are cut and new ones closed at once.
    Down,
    /// Clear every fault.
    Clear,
}

impl Faults {
    /// Apply `f`.
    pub fn apply(&self, f: Fault) {
        match f {
            Fault::Drop => {
                self.generation.fetch_add(1, Ordering::SeqCst);
            }
            Fault::Delay { ms } => self.delay_ms.store(ms, Ordering::SeqCst),
            Fault::Exception { code } => self.exception.store(code, Ordering::SeqCst),
            Fault::Malformed => self.malformed.store(true, Ordering::SeqCst),
            Fault::Silent => self.silent.store(true, Ordering::SeqCst),
            Fault::Down => {
                self.down.store(true, Ordering::SeqCst);
                self.generation.fetch_add(1, Ordering::SeqCst);
            }
            Fault::Clear => {
                self.delay_ms.store(0, Ordering::SeqCst);
                self.exception.store(0, Ordering::SeqCst);
                self.malformed.store(false, Ordering::SeqCst);
                self.silent.store(false, Ordering::SeqCst);
                self.down.store(false, Ordering::SeqCst);
            }
        }
    }

    pub(super) fn delay(&self) -> Option<Duration> {
        let ms = self.delay_ms.load(Ordering::SeqCst);
        (ms > 0).then(|| Duration::from_millis(ms))
    }

    pub(super) fn exception(&self) -> Option<u8> {
        let c = self.exception.load(Ordering::SeqCst);
        (c != 0).then_some(c)
    }

    pub(super) fn silent(&self) -> bool {
        self.silent.load(Ordering::SeqCst)
    }

    pub(super) fn down(&self) -> bool {
        self.down.load(Ordering::SeqCst)
    }

    pub(super) fn stream(self: &Arc<Self>, inner: TcpStream) -> FaultyStream {
        FaultyStream {
            inner,
            faults: self.clone(),
            generation: self.generation.load(Ordering::SeqCst),
        }
    }
}

/// A TCP stream that the panel's faults can cut or corrupt.
pub struct FaultyStream {
    inner: TcpStream,
    faults: Arc<Faults>,
    generation: u64,
}

impl FaultyStream {
    fn cut(&self) -> bool {
        self.faults.generation.load(Ordering::SeqCst) != self.generation
    }
}

fn reset() -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::ConnectionReset,
        "connection cut by fault injection",
    )
}

impl AsyncRead for FaultyStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        if self.cut() {
            return Poll::Ready(Err(reset()));
        }
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for FaultyStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        if self.cut() {
            return Poll::Ready(Err(reset()));
        }
        let this = self.get_mut();
        if this.faults.malformed.load(Ordering::SeqCst) && buf.len() >= 4 {
            // Protocol id (bytes 2..4 of the MBAP header) must be 0: break it.
            let mut bad = buf.to_vec();
            bad[2] = 0xde;
            bad[3] = 0xad;
            return match Pin::new(&mut this.inner).poll_write(cx, &bad) {
                Poll::Ready(Ok(n)) => Poll::Ready(Ok(n.min(buf.len()))),
                other => other,
            };
        }
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}
