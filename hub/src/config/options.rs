//! What each section of `hub.toml` means to the part it configures: the
//! bus's options, the runtime's limits, the drivers' policy, the probes'
//! limits. The parts take their own types; only here are they made from
//! the file.

use std::path::Path;
use std::time::Duration;

use super::{BusConfig, FlushMode, Plugins, RtspConfig};
use crate::bus::{BusOptions, FlushPolicy, Retention};
use crate::devices::DriverPolicy;
use crate::devices::quota::EventLimits;
use crate::runtime::RuntimeOptions;
use crate::transport::rtsp::limits::ProbeLimits;

impl BusConfig {
    /// The bus of site `site`; `protect` names the cursors whose
    /// unacknowledged events outlive the age and size limits (the
    /// northbound bridges').
    pub fn options(&self, site: &str, protect: &'static [&'static str]) -> BusOptions {
        let retention = Retention {
            max_age_ms: (self.retention_days > 0).then(|| self.retention_days as i64 * 86_400_000),
            max_bytes: (self.retention_max_mb > 0).then_some(self.retention_max_mb << 20),
            protect_cursors: protect,
            hard_max_bytes: (self.retention_hard_max_mb > 0)
                .then_some(self.retention_hard_max_mb << 20),
            ..Retention::default()
        };
        let flush = match self.flush {
            FlushMode::EveryBatch => FlushPolicy::EveryBatch,
            FlushMode::Interval => FlushPolicy::Interval(self.flush_interval_ms),
        };
        BusOptions {
            site: site.to_owned(),
            flush,
            retention,
        }
    }
}

impl Plugins {
    /// The runtime's limits, its precompile cache in `data`.
    pub fn runtime(&self, data: &Path) -> RuntimeOptions {
        RuntimeOptions {
            cache_dir: data.join("plugin-cache"),
            call_timeout: Duration::from_millis(self.call_timeout_ms),
            memory_limit: (self.memory_limit_mb << 20) as usize,
        }
    }

    /// How every driver is held: quotas, crashes, start pacing.
    pub fn policy(&self) -> DriverPolicy {
        DriverPolicy {
            events: EventLimits {
                per_call: self.max_events_per_call.max(1),
                per_second: self.max_events_per_s.max(1),
                burst: self.max_events_burst.max(1),
                max_bytes: self.max_event_kb.max(1) << 10,
                max_attrs: 64,
            },
            max_crashes: self.max_crashes,
            window: Duration::from_secs(self.crash_window_s),
            quarantine: Duration::from_secs(self.quarantine_s.max(1)),
            command_timeout: Duration::from_secs(5),
            starts_per_s: self.device_starts_per_s.max(1),
            tap: self.tap.clone(),
        }
    }
}

impl RtspConfig {
    /// The probe limits these settings make.
    pub fn limits(&self) -> ProbeLimits {
        ProbeLimits {
            max_in_flight: self.max_probes_in_flight.max(1),
            max_bytes_per_s: (self.max_probe_mbit_s.max(0.1) * 125_000.0) as u64,
        }
    }
}
