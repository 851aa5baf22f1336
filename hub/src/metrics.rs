//! Prometheus metrics (the `metrics` facade, exposed at `/metrics`).
//!
//! | metric | labels |
//! |---|---|
//! | `twinwall_events_ingested_total` | `kind`, `driver` |
//! | `twinwall_bus_append_seconds` (histogram, per group commit) | |
//! | `twinwall_driver_call_seconds` (histogram) | `driver`, `call` |
//! | `twinwall_driver_traps_total` | `driver` |
//! | `twinwall_devices` | `state` (`online`, `offline`, `unknown`) |
//! | `twinwall_northbound_lag_events`, `twinwall_northbound_lag_seconds` | |
//! | `twinwall_northbound_published_total` | |
//! | `twinwall_http_requests_total` | `method`, `route`, `status` |

use std::sync::OnceLock;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

/// The process-wide recorder (installed once; several hubs in one test
/// process share it).
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets(&[
                0.000_01, 0.000_05, 0.000_1, 0.000_5, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0,
            ])
            .map(|b| b.build_recorder())
            .unwrap_or_else(|_| PrometheusBuilder::new().build_recorder());
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!(
                "a metrics recorder was already installed; /metrics shows only what this one sees"
            );
        }
        handle
    })
}
