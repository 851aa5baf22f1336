//! Wiring: config → bus, device edge, runtime and devices, services, API,
//! each a named stage (`stages`); the drivers and the plugin-folder watcher
//! (`plugins`); the devices of a config (`specs`).

mod plugins;
mod specs;
mod stages;

pub use specs::device_specs;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::task::JoinHandle;

use crate::bus::{Bus, BusError};
use crate::clock::Clock;
use crate::config::{ConfigError, HubConfig};
use crate::devices::Devices;
use crate::runtime::{Runtime, RuntimeError};

/// Why the hub did not start.
#[derive(Debug, thiserror::Error)]
pub enum HubError {
    /// Bad config.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Event store.
    #[error(transparent)]
    Bus(#[from] BusError),
    /// wasm engine.
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
    /// The map's dragged places.
    #[error(transparent)]
    Places(#[from] crate::places::PlacesError),
    /// A file or folder.
    #[error("{path}: {message}")]
    Io {
        /// Path.
        path: String,
        /// Why.
        message: String,
    },
    /// The HTTP listener.
    #[error("cannot listen on {addr}: {message}")]
    Bind {
        /// Address.
        addr: String,
        /// Why.
        message: String,
    },
}

/// A running hub.
pub struct Hub {
    http_addr: SocketAddr,
    push_addr: SocketAddr,
    sockets: crate::transport::socket::SharedSockets,
    bus: Bus,
    devices: Arc<Devices>,
    tasks: Vec<JoinHandle<()>>,
}

impl Hub {
    /// Start everything `config` describes.
    pub async fn start(config: HubConfig) -> Result<Self, HubError> {
        Self::start_with_clock(config, Clock::system()).await
    }

    /// Start with a clock of the caller's for the rules that wait (visits,
    /// stays): tests drive it. The stages, in order: the data folder and
    /// the bus; the device edge (push listener, named ports, RTP senders);
    /// the devices and their drivers; the services; the API.
    pub async fn start_with_clock(config: HubConfig, clock: Clock) -> Result<Self, HubError> {
        // Before anything records: a gauge set before the recorder exists
        // (a poll's configured rate, set once when a driver starts) is lost.
        crate::metrics::handle();
        let data = stages::data_folder(&config)?;
        let bus = stages::bus(&config, &data)?;
        let edge = stages::Edge::open(&config, &data).await?;
        let runtime = Runtime::new(config.plugins.runtime(&data))?;
        let devices = stages::devices(&config, &bus, &edge)?;
        let drivers = plugins::Drivers::load(runtime, devices.clone(), &config).await;
        let services = stages::Services::spawn(&config, &data, &bus, &devices, &edge, clock)?;
        let api = stages::Api::bind(&config).await?;
        let (push_addr, sockets) = (edge.push_addr, edge.sockets.clone());
        let mut tasks = edge.tasks;
        tasks.push(tokio::spawn(crate::transport::push::serve(
            edge.push_listener,
            edge.push,
        )));
        tasks.extend(services.tasks);
        let state = stages::api_state(&config, &data, &bus, &devices, &drivers, services.parts)?;
        let http_addr = api.addr;
        let server = api.serve(&config, state)?;
        tasks.push(drivers.watch(&config));
        tracing::info!(site = %config.site.id, http = %http_addr, push = %push_addr, "hub running");
        tasks.insert(0, server);
        Ok(Hub {
            http_addr,
            push_addr,
            sockets,
            bus,
            devices,
            tasks,
        })
    }

    /// Where the HTTP API listens.
    pub fn http_addr(&self) -> SocketAddr {
        self.http_addr
    }

    /// Where the push listener (device pushes) listens.
    pub fn push_addr(&self) -> SocketAddr {
        self.push_addr
    }

    /// Where the named device port (`[listen.ports]`) listens.
    pub fn port_addr(&self, name: &str) -> Option<SocketAddr> {
        self.sockets.addr(name)
    }

    /// The event bus.
    pub fn bus(&self) -> &Bus {
        &self.bus
    }

    /// The device registry.
    pub fn devices(&self) -> &Arc<Devices> {
        &self.devices
    }

    /// Run until the HTTP server stops (normally: until the process ends).
    pub async fn wait(mut self) {
        if let Some(server) = self.tasks.first_mut() {
            let _ = server.await;
        }
    }

    /// Stop serving, drivers and sessions, and flush the bus.
    pub async fn stop(self) {
        for t in &self.tasks {
            t.abort();
        }
        self.devices.stop();
        let _ = self.bus.flush();
    }
}
