//! What a driver's store holds and the host imports it may call: `log`,
//! `now-ms`, and an empty WASI whose stderr goes to the hub log.

use std::sync::Arc;

use bytes::Bytes;
use wasmtime::component::ResourceTable;
use wasmtime::{StoreLimits, StoreLimitsBuilder};
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamError};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use super::bindings::twinwall::driver::{host, types};

/// State of one driver instance's store.
pub struct HostState {
    wasi: WasiCtx,
    table: ResourceTable,
    pub(super) limits: StoreLimits,
    driver: Arc<str>,
}

impl HostState {
    pub(super) fn new(driver: Arc<str>, memory_bytes: usize) -> Self {
        let wasi = WasiCtx::builder()
            .stderr(StderrToLog {
                driver: driver.clone(),
            })
            .build();
        let limits = StoreLimitsBuilder::new()
            .memory_size(memory_bytes)
            .instances(4)
            .tables(8)
            .memories(2)
            .trap_on_grow_failure(true)
            .build();
        HostState {
            wasi,
            table: ResourceTable::new(),
            limits,
            driver,
        }
    }
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl types::Host for HostState {}

impl host::Host for HostState {
    fn log(&mut self, level: host::LogLevel, message: String) {
        let driver = &*self.driver;
        let message = truncate(&message, 2000);
        match level {
            host::LogLevel::Trace => tracing::trace!(driver, "{message}"),
            host::LogLevel::Debug => tracing::debug!(driver, "{message}"),
            host::LogLevel::Info => tracing::info!(driver, "{message}"),
            host::LogLevel::Warn => tracing::warn!(driver, "{message}"),
            host::LogLevel::Error => tracing::error!(driver, "{message}"),
        }
    }

    fn now_ms(&mut self) -> i64 {
        crate::bus::now_ms()
    }
}

fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Guest stderr (a panic message, say) as warnings in the hub log.
#[derive(Clone)]
struct StderrToLog {
    driver: Arc<str>,
}

impl IsTerminal for StderrToLog {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for StderrToLog {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }

    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        Box::new(tokio::io::sink())
    }
}

#[wasmtime_wasi::async_trait]
impl Pollable for StderrToLog {
    async fn ready(&mut self) {}
}

impl OutputStream for StderrToLog {
    fn write(&mut self, bytes: Bytes) -> Result<(), StreamError> {
        let text = String::from_utf8_lossy(&bytes);
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            tracing::warn!(driver = &*self.driver, "stderr: {}", truncate(line, 2000));
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), StreamError> {
        Ok(())
    }

    fn check_write(&mut self) -> Result<usize, StreamError> {
        Ok(64 * 1024)
    }
}
