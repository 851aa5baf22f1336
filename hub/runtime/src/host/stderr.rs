//! The guest's stderr (a panic message, say) as warnings in the hub log:
//! the only WASI a driver gets.

use std::sync::Arc;

use bytes::Bytes;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamError};

use super::truncate;

/// Guest stderr (a panic message, say) as warnings in the hub log.
#[derive(Clone)]
pub(crate) struct StderrToLog {
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

impl StderrToLog {
    pub(crate) fn new(driver: Arc<str>) -> Self {
        StderrToLog { driver }
    }
}
