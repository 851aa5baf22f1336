//! Host bindings of `plugin-sdk/wit` (twinwall:driver@0.1.0).
#![allow(missing_docs, reason = "generated; the WIT file is the documentation")]

wasmtime::component::bindgen!({
    path: "../plugin-sdk/wit",
    world: "plugin",
});
