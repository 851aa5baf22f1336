//! The simulator's command line (`twinwall-sim`), the README's demo
//! ([`demo`]: a simulated campus and a hub wired to it) and the driver conformance
//! kit: a driver is loaded in a real hub, run through scripted scenarios of
//! its family against simulated devices, and its recorded traffic replayed,
//! cut and garbled, into a fresh instance. The result is a check list in
//! tiers (bronze: the contract; silver: behaviour; gold: robustness).
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use twinwall_sim::conformance::{self, Options};
//! let report = conformance::run(Options::new("target/wasm32-wasip2/guest/modbus_fire_panel.wasm", "fire-panel")?).await;
//! println!("{}", report.table());
//! assert_eq!(report.tier(), Some(conformance::Tier::Gold));
//! # Ok(()) }
//! ```

pub mod conformance;
pub mod demo;
