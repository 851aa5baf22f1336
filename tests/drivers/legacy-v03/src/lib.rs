//! A driver as an integrator built it against contract 0.3.0, before 0.4
//! existed: raw `wit-bindgen` bindings of `plugin-sdk/wit/v0.3.0`, no SDK. It
//! asks for an RTSP probe of the stream in its `uri` setting (0.3 could not
//! say how to look at it: the hub samples it at its `[rtsp]` interval) and
//! reports each status as `camera.stream` with what 0.3's status record
//! carries, so a test sees the adapter carry the old probe and its answers.
//!
//! Built only for wasm32 (natively it is empty: the raw bindings import host
//! functions that exist only in the hub).
#![allow(missing_docs, unsafe_code, reason = "generated bindings")]

#[cfg(target_arch = "wasm32")]
mod component;
