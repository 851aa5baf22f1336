//! Simulated fire-alarm panels over Modbus TCP (register map TW-FP1,
//! documented in `simulator/docs/fire-panel-map.md`).

mod faults;
mod server;
pub mod state;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use faults::{Fault, Faults};
pub use state::{MAP_VERSION, PanelState, PointType};

/// A running simulated panel. Dropping it stops the panel.
pub struct FirePanel {
    id: String,
    addr: SocketAddr,
    state: Arc<Mutex<PanelState>>,
    faults: Arc<Faults>,
    task: JoinHandle<()>,
}

impl FirePanel {
    /// Start a panel with `points` points listening on `bind` (port 0 picks a free one).
    pub async fn start(id: &str, bind: SocketAddr, points: u16) -> std::io::Result<Self> {
        let listener = TcpListener::bind(bind).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(Mutex::new(PanelState::new(points)));
        let faults = Arc::new(Faults::default());
        let task = tokio::spawn(server::serve(listener, state.clone(), faults.clone()));
        Ok(FirePanel {
            id: id.to_owned(),
            addr,
            state,
            faults,
            task,
        })
    }

    /// Panel id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Look at or change the panel (as a person at the panel, or a detector, would).
    pub fn with_state<R>(&self, f: impl FnOnce(&mut PanelState) -> R) -> R {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut s)
    }

    /// Inject (or clear) a fault.
    pub fn fault(&self, f: Fault) {
        tracing::info!(panel = %self.id, ?f, "fault");
        self.faults.apply(f);
    }
}

impl Drop for FirePanel {
    fn drop(&mut self) {
        self.task.abort();
        self.faults.apply(Fault::Down);
    }
}
