//! Host bindings of `plugin-sdk/wit` (twinwall:driver@0.1.0).

wasmtime::component::bindgen!({
    path: "../plugin-sdk/wit",
    world: "plugin",
});
