//! The WebAssembly driver runtime: one engine (pooling allocator, epoch
//! interruption on a 1 ms ticker), components precompiled and cached on disk,
//! one `InstancePre` per driver, and instances that hold every device of their
//! driver. Calls are synchronous and bounded by an epoch deadline.

mod cache;
pub mod convert;
mod host;
mod instance;
mod translate;
pub mod v0_1;
pub mod v0_2;
pub mod v0_3;
pub mod v0_4;
pub mod watch;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use wasmtime::component::Linker;
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Store};

pub use cache::content_hash;
pub use instance::{CallError, DriverInstance};
/// The current contract's types (`twinwall:driver@0.4.0`).
pub use v0_4::twinwall::driver::types as wit;

use host::HostState;

/// Contract versions this hub loads, newest first.
pub const CONTRACTS: [&str; 4] = [
    "twinwall:driver@0.4.0",
    "twinwall:driver@0.3.0",
    "twinwall:driver@0.2.0",
    "twinwall:driver@0.1.0",
];

/// Transports this hub carries out for drivers.
pub const TRANSPORTS: [&str; 10] = [
    "modbus-tcp",
    "http-client",
    "http-listener",
    "http-stream",
    "tcp-listener",
    "udp-listener",
    "rtsp",
    "timer",
    "rtp-sender",
    "crypto",
];

/// What one driver call produced, in the hub's terms.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Events, as the current contract spells them.
    pub events: Vec<wit::Event>,
    /// Work for the transport.
    pub requests: Vec<crate::transport::types::Request>,
}

/// Which device a frame on a shared port belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Routing {
    /// The device owning `key`; `unclaimed` goes back when none does.
    Key {
        /// Routing key.
        key: String,
        /// Reply when no device owns the key.
        unclaimed: Option<Vec<u8>>,
    },
    /// Answer the sender and drop the frame.
    Reply(Vec<u8>),
    /// Drop the frame.
    Drop,
}

/// A linked component, by contract version.
#[derive(Clone)]
enum Pre {
    V1(v0_1::PluginPre<HostState>),
    V2(v0_2::PluginPre<HostState>),
    V3(v0_3::PluginPre<HostState>),
    V4(v0_4::PluginPre<HostState>),
}

/// Runtime failures, naming the driver file or driver at fault.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// The engine could not be built.
    #[error("cannot build the wasm engine: {0}")]
    Engine(String),
    /// A plugin file could not be read.
    #[error("cannot read driver {path}: {message}")]
    Read {
        /// File.
        path: String,
        /// Why.
        message: String,
    },
    /// Not a valid component, or not one of a contract version this hub loads.
    #[error(
        "driver {path} is not a usable twinwall:driver component (this hub loads 0.4.0, 0.3.0, 0.2.0 and 0.1.0): {message}"
    )]
    Compile {
        /// File.
        path: String,
        /// Why.
        message: String,
    },
    /// The precompile cache failed.
    #[error("driver cache {path}: {message}")]
    Cache {
        /// File.
        path: String,
        /// Why.
        message: String,
    },
    /// Instantiation or `describe` failed.
    #[error("driver {path}: {message}")]
    Instantiate {
        /// File.
        path: String,
        /// Why.
        message: String,
    },
    /// The driver needs transports this hub does not have.
    #[error(
        "driver {driver} ({path}) needs transport(s) this hub lacks: {missing} (this hub has: {have})"
    )]
    MissingTransport {
        /// File.
        path: String,
        /// `name@version`.
        driver: String,
        /// What it lacks.
        missing: String,
        /// What the hub has.
        have: String,
    },
}

/// Runtime limits.
#[derive(Debug, Clone)]
pub struct RuntimeOptions {
    /// Where precompiled drivers are cached.
    pub cache_dir: PathBuf,
    /// Longest a single call may run.
    pub call_timeout: Duration,
    /// Linear memory cap per instance, bytes.
    pub memory_limit: usize,
}

/// The shared engine and linker.
pub struct Runtime {
    engine: Engine,
    linker: Linker<HostState>,
    options: RuntimeOptions,
}

/// Epoch tick; deadlines are counted in these.
const TICK: Duration = Duration::from_millis(1);
/// Most instances alive at once (drivers plus rebuilds in flight).
const MAX_INSTANCES: u32 = 256;

impl Runtime {
    /// Build the engine and start its epoch ticker.
    pub fn new(options: RuntimeOptions) -> Result<Arc<Self>, RuntimeError> {
        let mut pool = PoolingAllocationConfig::default();
        pool.total_component_instances(MAX_INSTANCES)
            .total_core_instances(MAX_INSTANCES * 4)
            .total_memories(MAX_INSTANCES * 2)
            .total_tables(MAX_INSTANCES * 4)
            .max_memory_size(options.memory_limit);
        let mut config = Config::new();
        config
            .epoch_interruption(true)
            // Reserve only what the cap allows, so 256 slots fit in any address space.
            .memory_reservation(options.memory_limit as u64)
            .memory_guard_size(64 << 10)
            .memory_reservation_for_growth(0)
            .allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        let engine = Engine::new(&config).map_err(|e| RuntimeError::Engine(format!("{e:#}")))?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)
            .map_err(|e| RuntimeError::Engine(format!("{e:#}")))?;
        v0_1::Plugin::add_to_linker::<_, wasmtime::component::HasSelf<_>>(&mut linker, |s| s)
            .map_err(|e| RuntimeError::Engine(format!("{e:#}")))?;
        v0_2::Plugin::add_to_linker::<_, wasmtime::component::HasSelf<_>>(&mut linker, |s| s)
            .map_err(|e| RuntimeError::Engine(format!("{e:#}")))?;
        v0_3::Plugin::add_to_linker::<_, wasmtime::component::HasSelf<_>>(&mut linker, |s| s)
            .map_err(|e| RuntimeError::Engine(format!("{e:#}")))?;
        v0_4::Plugin::add_to_linker::<_, wasmtime::component::HasSelf<_>>(&mut linker, |s| s)
            .map_err(|e| RuntimeError::Engine(format!("{e:#}")))?;
        let weak = engine.weak();
        std::thread::Builder::new()
            .name("wasm-epoch".into())
            .spawn(move || {
                while let Some(engine) = weak.upgrade() {
                    engine.increment_epoch();
                    drop(engine);
                    std::thread::sleep(TICK);
                }
            })
            .map_err(|e| RuntimeError::Engine(e.to_string()))?;
        Ok(Arc::new(Runtime {
            engine,
            linker,
            options,
        }))
    }

    /// Read, compile (or load from cache), link and describe the driver in `path`.
    pub fn load(self: &Arc<Self>, path: &Path) -> Result<Arc<LoadedDriver>, RuntimeError> {
        let bytes = std::fs::read(path).map_err(|e| RuntimeError::Read {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        let hash = cache::content_hash(&bytes);
        let started = std::time::Instant::now();
        let (component, cached) =
            cache::load(&self.engine, &self.options.cache_dir, path, &bytes, &hash)?;
        let compile_err = |e: wasmtime::Error| RuntimeError::Compile {
            path: path.display().to_string(),
            message: format!("{e:#}"),
        };
        let linked = self
            .linker
            .instantiate_pre(&component)
            .map_err(compile_err)?;
        // The export's package version says which contract the component speaks.
        let pre = match v0_4::PluginPre::new(linked.clone()) {
            Ok(p) => Pre::V4(p),
            Err(e4) => match v0_3::PluginPre::new(linked.clone()) {
                Ok(p) => Pre::V3(p),
                Err(_) => match v0_2::PluginPre::new(linked.clone()) {
                    Ok(p) => Pre::V2(p),
                    Err(_) => match v0_1::PluginPre::new(linked) {
                        Ok(p) => Pre::V1(p),
                        Err(_) => return Err(compile_err(e4)),
                    },
                },
            },
        };
        let contract = match pre {
            Pre::V4(_) => CONTRACTS[0],
            Pre::V3(_) => CONTRACTS[1],
            Pre::V2(_) => CONTRACTS[2],
            Pre::V1(_) => CONTRACTS[3],
        };
        let mut loaded = LoadedDriver {
            runtime: self.clone(),
            pre,
            path: path.to_owned(),
            hash,
            contract,
            name: String::new(),
            version: String::new(),
            info: None,
        };
        let (info, mut missing) = {
            let mut probe = DriverInstance::new(Arc::new(loaded.clone_parts())).map_err(|e| {
                RuntimeError::Instantiate {
                    path: path.display().to_string(),
                    message: e.to_string(),
                }
            })?;
            probe.describe().map_err(|e| RuntimeError::Instantiate {
                path: path.display().to_string(),
                message: e.to_string(),
            })?
        };
        for t in &info.transports {
            let name = v0_4::transport_name(*t);
            if !TRANSPORTS.contains(&name) {
                missing.push(name);
            }
        }
        if !missing.is_empty() {
            return Err(RuntimeError::MissingTransport {
                path: path.display().to_string(),
                driver: format!("{}@{}", info.name, info.version),
                missing: missing.join(", "),
                have: TRANSPORTS.join(", "),
            });
        }
        loaded.name = info.name.clone();
        loaded.version = info.version.clone();
        loaded.info = Some(info);
        tracing::info!(
            driver = %loaded.name, version = %loaded.version, contract, file = %path.display(), cached,
            ms = started.elapsed().as_secs_f64() * 1000.0, "driver loaded"
        );
        Ok(Arc::new(loaded))
    }

    fn new_store(&self, driver: &str) -> Store<HostState> {
        let mut store = Store::new(
            &self.engine,
            HostState::new(driver.into(), self.options.memory_limit),
        );
        store.limiter(|s| &mut s.limits);
        store
    }

    fn deadline_ticks(&self) -> u64 {
        (self.options.call_timeout.as_millis() as u64 / TICK.as_millis() as u64).max(1)
    }
}

/// A compiled, linked driver ready to instantiate.
pub struct LoadedDriver {
    runtime: Arc<Runtime>,
    pre: Pre,
    /// The file it came from.
    pub path: PathBuf,
    /// Hex SHA-256 of the file.
    pub hash: String,
    /// The contract version it was built against.
    pub contract: &'static str,
    /// Name from `describe`.
    pub name: String,
    /// Version from `describe`.
    pub version: String,
    info: Option<wit::DriverInfo>,
}

impl LoadedDriver {
    fn clone_parts(&self) -> LoadedDriver {
        LoadedDriver {
            runtime: self.runtime.clone(),
            pre: self.pre.clone(),
            path: self.path.clone(),
            hash: self.hash.clone(),
            contract: self.contract,
            name: self.name.clone(),
            version: self.version.clone(),
            info: self.info.clone(),
        }
    }

    /// What the driver said about itself.
    pub fn info(&self) -> Option<&wit::DriverInfo> {
        self.info.as_ref()
    }

    /// `name@version`, for logs and errors.
    pub fn label(&self) -> String {
        format!("{}@{}", self.name, self.version)
    }
}
