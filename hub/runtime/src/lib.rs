//! # Twinwall runtime
//!
//! The WebAssembly driver runtime: one engine (pooling allocator, epoch
//! interruption on a 1 ms ticker), components precompiled and cached on
//! disk, one `InstancePre` per driver, and instances that hold every device
//! of their driver. Calls are synchronous and bounded by an epoch deadline.
//!
//! It speaks contract `twinwall:driver@1.0.0` ([`contract`]): the driver's
//! needs are read from its imports, one interface per capability
//! (`host/`: one file per interface). This crate alone names the generated
//! bindings; everything it hands out is the hub's own ([`model`], and the
//! base crate's `wire` types).

mod bindings;
mod cache;
pub mod contract;
mod host;
mod instance;
pub mod model;
pub mod watch;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use wasmtime::component::Linker;
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Store};

pub use contract::CONTRACT;
pub use host::MAX_REQUESTS_PER_CALL;
pub use instance::{CallError, DriverInstance};
pub use model::{
    CommandSpec, DeviceConfig, DriverError, DriverEvent, DriverInfo, DriverMedia, Outcome, Routing,
    SettingSpec,
};
pub use twinwall_base::content_hash;

use host::HostState;

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
    /// Not a valid component, or not a `twinwall:driver` 1.x component.
    #[error("driver {path} is not a usable {CONTRACT} component: {message}")]
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
    /// The driver imports interfaces this hub does not serve.
    #[error(
        "driver {path} (built against twinwall:driver@{contract}) needs what this hub lacks: {missing} (this hub serves {CONTRACT}: {served})",
        missing = .missing.join(", "), served = contract::SERVED.join(", ")
    )]
    Lacks {
        /// File.
        path: String,
        /// The contract the driver was built against.
        contract: contract::Version,
        /// The imports this hub does not serve, by full name.
        missing: Vec<String>,
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
        bindings::Plugin::add_to_linker::<_, wasmtime::component::HasSelf<_>>(&mut linker, |s| s)
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
        let hash = content_hash(&bytes);
        let started = std::time::Instant::now();
        let (component, cached) =
            cache::load(&self.engine, &self.options.cache_dir, path, &bytes, &hash)?;
        let shown = path.display().to_string();
        let needs = contract::needs(&component, &self.engine);
        if !needs.missing.is_empty() {
            return Err(RuntimeError::Lacks {
                path: shown,
                contract: needs.contract,
                missing: needs.missing,
            });
        }
        let compile_err = |e: wasmtime::Error| RuntimeError::Compile {
            path: shown.clone(),
            message: if needs.contract > contract::VERSION {
                // A newer minor may use a function this hub's interface lacks.
                format!(
                    "built against twinwall:driver@{}, newer than this hub's {}: {e:#}",
                    needs.contract,
                    contract::VERSION
                )
            } else {
                format!("{e:#}")
            },
        };
        let linked = self
            .linker
            .instantiate_pre(&component)
            .map_err(compile_err)?;
        let pre = bindings::PluginPre::new(linked).map_err(compile_err)?;
        let mut loaded = LoadedDriver {
            runtime: self.clone(),
            pre,
            path: path.to_owned(),
            hash,
            contract: needs.contract,
            capabilities: needs.capabilities,
            name: String::new(),
            version: String::new(),
            info: None,
        };
        let info = {
            let mut probe = DriverInstance::new(Arc::new(loaded.clone_parts())).map_err(|e| {
                RuntimeError::Instantiate {
                    path: shown.clone(),
                    message: e.to_string(),
                }
            })?;
            probe.describe().map_err(|e| RuntimeError::Instantiate {
                path: shown.clone(),
                message: e.to_string(),
            })?
        };
        loaded.name = info.name.clone();
        loaded.version = info.version.clone();
        loaded.info = Some(info);
        tracing::info!(
            driver = %loaded.name, version = %loaded.version, contract = %loaded.contract,
            capabilities = %loaded.capabilities.join(","), file = %path.display(), cached,
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
    pre: bindings::PluginPre<HostState>,
    /// The file it came from.
    pub path: PathBuf,
    /// Hex SHA-256 of the file.
    pub hash: String,
    /// The contract version it was built against (its newest import).
    pub contract: contract::Version,
    /// The capabilities it imports (`modbus`, `http-client`, …).
    pub capabilities: Vec<String>,
    /// Name from `describe`.
    pub name: String,
    /// Version from `describe`.
    pub version: String,
    info: Option<DriverInfo>,
}

impl LoadedDriver {
    fn clone_parts(&self) -> LoadedDriver {
        LoadedDriver {
            runtime: self.runtime.clone(),
            pre: self.pre.clone(),
            path: self.path.clone(),
            hash: self.hash.clone(),
            contract: self.contract,
            capabilities: self.capabilities.clone(),
            name: self.name.clone(),
            version: self.version.clone(),
            info: self.info.clone(),
        }
    }

    /// What the driver said about itself.
    pub fn info(&self) -> Option<&DriverInfo> {
        self.info.as_ref()
    }

    /// `name@version`, for logs and errors.
    pub fn label(&self) -> String {
        format!("{}@{}", self.name, self.version)
    }
}
