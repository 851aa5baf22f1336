//! What a driver's store holds and the host imports it may call: `log`,
//! `now-ms`, crypto with the device's keys (0.2 on), and an empty WASI whose
//! stderr goes to the hub log. The same state serves every contract version.

use std::collections::HashMap;
use std::sync::Arc;

use bytes::Bytes;
use wasmtime::component::ResourceTable;
use wasmtime::{StoreLimits, StoreLimitsBuilder};
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamError};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use super::v0_1::twinwall::driver as v1;
use super::v0_2::twinwall::driver as v2;
use super::v0_3::twinwall::driver as v3;
use super::v0_4::twinwall::driver::{crypto, host, types};

/// State of one driver instance's store.
pub struct HostState {
    wasi: WasiCtx,
    table: ResourceTable,
    pub(super) limits: Metered,
    driver: Arc<str>,
    /// The device the current call serves (crypto picks its keys).
    pub(super) device: Option<String>,
    /// Keys per device, by name. Never handed to the guest.
    pub(super) keys: HashMap<String, HashMap<String, Vec<u8>>>,
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
        let limits = Metered { limits, peak: 0 };
        HostState {
            wasi,
            table: ResourceTable::new(),
            limits,
            driver,
            device: None,
            keys: HashMap::new(),
        }
    }
}

/// The store's limits, remembering the largest linear memory granted
/// (the conformance kit's memory check reads it).
pub(super) struct Metered {
    limits: StoreLimits,
    pub(super) peak: usize,
}

impl wasmtime::ResourceLimiter for Metered {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let ok = self.limits.memory_growing(current, desired, maximum)?;
        if ok {
            self.peak = self.peak.max(desired);
        }
        Ok(ok)
    }

    fn memory_grow_failed(&mut self, error: wasmtime::Error) -> wasmtime::Result<()> {
        self.limits.memory_grow_failed(error)
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.limits.table_growing(current, desired, maximum)
    }

    fn table_grow_failed(&mut self, error: wasmtime::Error) -> wasmtime::Result<()> {
        self.limits.table_grow_failed(error)
    }

    fn instances(&self) -> usize {
        self.limits.instances()
    }

    fn tables(&self) -> usize {
        self.limits.tables()
    }

    fn memories(&self) -> usize {
        self.limits.memories()
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
impl v3::types::Host for HostState {}
impl v2::types::Host for HostState {}
impl v1::types::Host for HostState {}

impl HostState {
    fn log_line(&self, level: host::LogLevel, message: &str) {
        let driver = &*self.driver;
        let device = self.device.as_deref().unwrap_or("-");
        let message = truncate(message, 2000);
        match level {
            host::LogLevel::Trace => tracing::trace!(driver, device, "{message}"),
            host::LogLevel::Debug => tracing::debug!(driver, device, "{message}"),
            host::LogLevel::Info => tracing::info!(driver, device, "{message}"),
            host::LogLevel::Warn => tracing::warn!(driver, device, "{message}"),
            host::LogLevel::Error => tracing::error!(driver, device, "{message}"),
        }
    }

    fn key(&self, name: &str) -> Result<&[u8], String> {
        let device = self
            .device
            .as_deref()
            .ok_or("crypto is only available while serving a device")?;
        self.keys
            .get(device)
            .and_then(|k| k.get(name))
            .map(Vec::as_slice)
            .ok_or_else(|| format!("device `{device}` has no key `{name}` in the hub config"))
    }
}

impl host::Host for HostState {
    fn log(&mut self, level: host::LogLevel, message: String) {
        self.log_line(level, &message);
    }

    fn now_ms(&mut self) -> i64 {
        crate::bus::now_ms()
    }
}

/// The host imports of an older contract: the same calls, their own types.
macro_rules! older_host {
    ($v:ident) => {
        impl $v::host::Host for HostState {
            fn log(&mut self, level: $v::host::LogLevel, message: String) {
                let level = match level {
                    $v::host::LogLevel::Trace => host::LogLevel::Trace,
                    $v::host::LogLevel::Debug => host::LogLevel::Debug,
                    $v::host::LogLevel::Info => host::LogLevel::Info,
                    $v::host::LogLevel::Warn => host::LogLevel::Warn,
                    $v::host::LogLevel::Error => host::LogLevel::Error,
                };
                self.log_line(level, &message);
            }

            fn now_ms(&mut self) -> i64 {
                crate::bus::now_ms()
            }
        }
    };
}

older_host!(v1);
older_host!(v2);
older_host!(v3);

/// The crypto imports of an older contract (0.2 on): the same calls.
macro_rules! older_crypto {
    ($v:ident) => {
        impl $v::crypto::Host for HostState {
            fn encrypt(
                &mut self,
                key: String,
                cipher: $v::crypto::Cipher,
                iv: Vec<u8>,
                data: Vec<u8>,
            ) -> Result<Vec<u8>, String> {
                let $v::crypto::Cipher::AesCbc = cipher;
                crypto::Host::encrypt(self, key, crypto::Cipher::AesCbc, iv, data)
            }

            fn decrypt(
                &mut self,
                key: String,
                cipher: $v::crypto::Cipher,
                iv: Vec<u8>,
                data: Vec<u8>,
            ) -> Result<Vec<u8>, String> {
                let $v::crypto::Cipher::AesCbc = cipher;
                crypto::Host::decrypt(self, key, crypto::Cipher::AesCbc, iv, data)
            }
        }
    };
}

older_crypto!(v2);
older_crypto!(v3);

impl crypto::Host for HostState {
    fn encrypt(
        &mut self,
        key: String,
        cipher: crypto::Cipher,
        iv: Vec<u8>,
        data: Vec<u8>,
    ) -> Result<Vec<u8>, String> {
        let crypto::Cipher::AesCbc = cipher;
        twinwall_plugin_sdk::crypto::aes_cbc(self.key(&key)?, &iv, &data, true)
    }

    fn decrypt(
        &mut self,
        key: String,
        cipher: crypto::Cipher,
        iv: Vec<u8>,
        data: Vec<u8>,
    ) -> Result<Vec<u8>, String> {
        let crypto::Cipher::AesCbc = cipher;
        twinwall_plugin_sdk::crypto::aes_cbc(self.key(&key)?, &iv, &data, false)
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
