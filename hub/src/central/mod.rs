//! `twinwall central`: one command centre over every campus hub. It reads
//! each campus's JetStream stream with a durable pull consumer of its own,
//! keeps the hub's own views of it (alarm book, devices, counts), and
//! serves them across sites; history comes from the streams; actions go
//! back to the owning hub over request/reply, which checks them against its
//! own people. It keeps nothing the streams cannot give back: a restarted
//! centre reads them again from their first message.
//!
//! ```text
//! campus streams ─durable pull consumer per site─▶ SiteView (alarm book, devices)
//!                                                    └▶ API: sites, alarms, devices
//! API history ─ordered consumer, filtered─▶ stream      API action ─request─▶ owning hub
//! ```

mod api;
pub mod cli;
pub mod config;
mod history;
mod intake;
mod site;
mod wire;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use async_nats::jetstream::Context;

pub use config::CentralConfig;
pub use site::SiteView;

/// One campus as the centre reads it.
pub struct Site {
    /// The view.
    pub view: Mutex<SiteView>,
    /// Its JetStream context (its domain's).
    pub js: Context,
    /// Whether its consumer is reading.
    pub connected: std::sync::atomic::AtomicBool,
    /// Messages held back because one before them was missing (delivered
    /// and lost, waiting for its redelivery).
    pub held: std::sync::atomic::AtomicU64,
}

/// What every part of the centre shares.
pub struct Shared {
    /// The config.
    pub config: CentralConfig,
    /// The NATS client.
    pub client: async_nats::Client,
    /// Campuses by id.
    pub sites: Mutex<BTreeMap<String, Arc<Site>>>,
    /// API tokens.
    pub tokens: crate::auth::Tokens,
}

impl Shared {
    /// The campus `id`.
    pub fn site(&self, id: &str) -> Option<Arc<Site>> {
        self.sites.lock().ok()?.get(id).cloned()
    }

    /// Every campus, by id.
    pub fn all(&self) -> Vec<Arc<Site>> {
        self.sites
            .lock()
            .map(|s| s.values().cloned().collect())
            .unwrap_or_default()
    }
}

/// A running centre.
pub struct Central {
    /// Where its API listens.
    pub addr: SocketAddr,
    /// Its parts.
    pub shared: Arc<Shared>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for Central {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// Why a centre did not start.
#[derive(Debug, thiserror::Error)]
pub enum CentralError {
    /// The config.
    #[error("{0}")]
    Config(String),
    /// NATS.
    #[error("NATS: {0}")]
    Nats(String),
    /// The API's address, the tokens' folder.
    #[error("{what}: {source}")]
    Io {
        /// What.
        what: String,
        /// Why.
        source: std::io::Error,
    },
}

impl Central {
    /// Connect, find the campuses, start reading them, and listen.
    pub async fn start(config: CentralConfig) -> Result<Central, CentralError> {
        config.check().map_err(CentralError::Config)?;
        std::fs::create_dir_all(&config.central.data_dir).map_err(|e| CentralError::Io {
            what: format!("data_dir {}", config.central.data_dir.display()),
            source: e,
        })?;
        let tokens = crate::auth::Tokens::open(&config.central.data_dir)
            .map_err(|e| CentralError::Config(format!("tokens: {e}")))?;
        let client = config.link().connect().await.map_err(CentralError::Nats)?;
        let listener = tokio::net::TcpListener::bind(config.central.http)
            .await
            .map_err(|e| CentralError::Io {
                what: format!("central.http {}", config.central.http),
                source: e,
            })?;
        let addr = listener.local_addr().map_err(|e| CentralError::Io {
            what: "the API's address".into(),
            source: e,
        })?;
        let shared = Arc::new(Shared {
            config,
            client,
            sites: Mutex::new(BTreeMap::new()),
            tokens,
        });
        let mut tasks = vec![tokio::spawn(intake::find_sites(shared.clone()))];
        let app = api::router(shared.clone());
        tasks.push(tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!("central API stopped: {e}");
            }
        }));
        tracing::info!(%addr, id = %shared.config.central.id, "central listening");
        Ok(Central {
            addr,
            shared,
            tasks,
        })
    }
}
