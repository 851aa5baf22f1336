//! A driver as an integrator built it against contract 0.1.0, before 0.2
//! existed: raw `wit-bindgen` bindings of `plugin-sdk/wit/v0.1.0`, no SDK. It
//! polls a fire panel's summary LEDs (TW-FP1 discrete inputs 0..8) over
//! Modbus and reports `fire.summary` when the fire LED changes, and answers
//! the command `ping` with a timer. The hub must keep loading it beside 0.2
//! drivers.
//!
//! Built only for wasm32 (natively it is empty: the raw bindings import host
//! functions that exist only in the hub).
#![allow(missing_docs, unsafe_code, reason = "generated bindings")]

#[cfg(target_arch = "wasm32")]
mod component;
