//! A driver as an integrator would build it against a contract 1.1 that adds
//! one interface (`notes`, `wit/notes.wit`) to 1.0: raw `wit-bindgen`
//! bindings of `wit/` (1.0's files linked in, the world and the addition
//! its own), no SDK. On `start` it posts a note through the addition and
//! asks for a one-second timer; each timer is a `sensor.heartbeat`.
//!
//! Built only for wasm32 (natively it is empty: the raw bindings import host
//! functions that exist only in a hub).
#![allow(missing_docs, unsafe_code, reason = "generated bindings")]

#[cfg(target_arch = "wasm32")]
mod component;
