//! A driver as an integrator built it against contract 0.2.0, before 0.3
//! existed: raw `wit-bindgen` bindings of `plugin-sdk/wit/v0.2.0`, no SDK. A
//! timer-only "device" that, on each tick, encrypts a block with the device's
//! key through the hub's 0.2 crypto import and reports `panic.pressed` with
//! the ciphertext, so a test sees the adapter carry requests, inputs, events,
//! keys and host calls of 0.2 unchanged. The command `tick` fires again.
//!
//! Built only for wasm32 (natively it is empty: the raw bindings import host
//! functions that exist only in the hub).
#![allow(missing_docs, unsafe_code, reason = "generated bindings")]

#[cfg(target_arch = "wasm32")]
mod component;
