//! Host imports, with native stand-ins so drivers run under the test harness.

pub use crate::wit::twinwall::driver::host::LogLevel;

/// Write to the hub's log, tagged with the driver and device.
pub fn log(level: LogLevel, message: &str) {
    #[cfg(target_arch = "wasm32")]
    crate::wit::twinwall::driver::host::log(level, message);
    #[cfg(not(target_arch = "wasm32"))]
    crate::testing::record_log(level, message);
}

/// Hub wall-clock time in milliseconds since the Unix epoch. Under the
/// [`Harness`](crate::Harness) it is the harness's clock.
pub fn now_ms() -> i64 {
    #[cfg(target_arch = "wasm32")]
    return crate::wit::twinwall::driver::host::now_ms();
    #[cfg(not(target_arch = "wasm32"))]
    return crate::testing::harness_now();
}
