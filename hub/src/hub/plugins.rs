//! The drivers in the plugins folder: loaded at start, watched for new and
//! replaced files, each load's failure kept for the API to show.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::task::JoinHandle;

use crate::api::LoadFailure;
use crate::config::HubConfig;
use crate::devices::Devices;
use crate::runtime::Runtime;
use crate::runtime::watch::FolderWatch;

/// The driver runtime and what it loaded.
pub(super) struct Drivers {
    runtime: Arc<Runtime>,
    devices: Arc<Devices>,
    /// Files that did not load, and why.
    pub failures: Arc<Mutex<Vec<LoadFailure>>>,
    watch: FolderWatch,
}

impl Drivers {
    /// Load every driver in the config's plugins folder and attach it.
    pub(super) async fn load(
        runtime: Arc<Runtime>,
        devices: Arc<Devices>,
        config: &HubConfig,
    ) -> Self {
        let failures: Arc<Mutex<Vec<LoadFailure>>> = Arc::default();
        let dir = &config.plugins.dir;
        let mut watch = FolderWatch::default();
        match watch.scan(dir) {
            Ok(changes) => load_all(&runtime, &devices, &failures, changes.changed).await,
            Err(e) => tracing::warn!(dir = %dir.display(), "plugins folder unreadable: {e}"),
        }
        Drivers {
            runtime,
            devices,
            failures,
            watch,
        }
    }

    /// Watch the folder from now on: new and replaced files are loaded.
    pub(super) fn watch(self, config: &HubConfig) -> JoinHandle<()> {
        let every = Duration::from_millis(config.plugins.watch_interval_ms.max(100));
        tokio::spawn(watch_plugins(
            self.runtime,
            self.devices,
            self.failures,
            config.plugins.dir.clone(),
            self.watch,
            every,
        ))
    }
}

async fn load_all(
    runtime: &Arc<Runtime>,
    devices: &Arc<Devices>,
    failures: &Arc<Mutex<Vec<LoadFailure>>>,
    paths: Vec<PathBuf>,
) {
    for path in paths {
        let rt = runtime.clone();
        let p = path.clone();
        // Compiling is CPU work: keep it off the async workers.
        let loaded = tokio::task::spawn_blocking(move || rt.load(&p)).await;
        let failure = match loaded {
            Ok(Ok(d)) => {
                devices.attach(d).await;
                None
            }
            Ok(Err(e)) => {
                tracing::error!("{e}");
                Some(e.to_string())
            }
            Err(e) => Some(format!("loader panicked: {e}")),
        };
        let file = path.display().to_string();
        let mut f = failures.lock().unwrap_or_else(|p| p.into_inner());
        f.retain(|x| x.path != file);
        if let Some(error) = failure {
            f.push(LoadFailure { path: file, error });
        }
    }
}

async fn watch_plugins(
    runtime: Arc<Runtime>,
    devices: Arc<Devices>,
    failures: Arc<Mutex<Vec<LoadFailure>>>,
    dir: PathBuf,
    mut watch: FolderWatch,
    every: Duration,
) {
    loop {
        tokio::time::sleep(every).await;
        match watch.scan(&dir) {
            Ok(changes) => {
                for p in &changes.removed {
                    tracing::warn!(file = %p.display(), "driver file removed; the running driver stays until replaced");
                }
                load_all(&runtime, &devices, &failures, changes.changed).await;
            }
            Err(e) => tracing::debug!(dir = %dir.display(), "plugins folder unreadable: {e}"),
        }
    }
}
