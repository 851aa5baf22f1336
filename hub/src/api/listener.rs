//! A cap on the API's open connections: past it, new ones wait in the
//! kernel's backlog until one closes, so a flood of idle connections cannot
//! take the hub's memory or file descriptors.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::serve::Listener;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// `L` with at most `max` connections open at once.
pub struct Limited<L> {
    inner: L,
    slots: Arc<Semaphore>,
}

impl<L> Limited<L> {
    /// Wrap `inner`.
    pub fn new(inner: L, max: usize) -> Self {
        Limited {
            inner,
            slots: Arc::new(Semaphore::new(max.max(1))),
        }
    }
}

/// A connection holding its slot until it is dropped.
pub struct Counted<Io> {
    io: Io,
    _slot: OwnedSemaphorePermit,
}

impl<L> Listener for Limited<L>
where
    L: Listener,
    L::Io: Unpin,
{
    type Io = Counted<L::Io>;
    type Addr = L::Addr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let slot = match self.slots.clone().acquire_owned().await {
            Ok(s) => s,
            // The semaphore is never closed.
            Err(_) => std::future::pending().await,
        };
        if self.slots.available_permits() == 0 {
            metrics::counter!("twinwall_http_connection_cap_reached_total").increment(1);
        }
        let (io, addr) = self.inner.accept().await;
        (Counted { io, _slot: slot }, addr)
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

impl<Io: AsyncRead + Unpin> AsyncRead for Counted<Io> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl<Io: AsyncWrite + Unpin> AsyncWrite for Counted<Io> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
}
