//! A tap on what drivers are given: every input a device's driver handles
//! and every frame a driver routes, handed to an observer as it happens.
//! The conformance kit records a driver's real traffic with it and replays
//! it, cut and garbled, into a fresh instance; production hubs set none.

use std::sync::Arc;

use twinwall_transport::types::Input;

/// What a driver was given.
#[derive(Debug)]
pub enum Tapped<'a> {
    /// `handle(input)` for `device`.
    Input {
        /// Device id.
        device: &'a str,
        /// The input.
        input: &'a Input,
    },
    /// `route(port, frame)`: a frame on a shared port, before any device owns it.
    Frame {
        /// Listen id.
        port: &'a str,
        /// The bytes.
        data: &'a [u8],
    },
}

type Observer = dyn Fn(&str, Tapped<'_>) + Send + Sync;

/// An observer of driver inputs, called with the driver's name and what
/// it was given, on the driver's supervisor task (keep it quick).
#[derive(Clone)]
pub struct InputTap(Arc<Observer>);

impl InputTap {
    /// A tap calling `f`.
    pub fn new(f: impl Fn(&str, Tapped<'_>) + Send + Sync + 'static) -> Self {
        InputTap(Arc::new(f))
    }

    pub(crate) fn record(&self, driver: &str, what: Tapped<'_>) {
        (self.0)(driver, what)
    }
}

impl std::fmt::Debug for InputTap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("InputTap")
    }
}
