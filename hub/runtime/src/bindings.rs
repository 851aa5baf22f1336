//! The generated bindings of `twinwall:driver@1.0.0` (`plugin-sdk/wit`).
//! Nothing outside this crate names them: the runtime converts to and from
//! the hub's own types (`model`, the base crate's `wire`).
#![allow(
    missing_docs,
    reason = "generated; the WIT files are the documentation"
)]

wasmtime::component::bindgen!({
    path: "../../plugin-sdk/wit",
    world: "plugin",
    // A host call can refuse by trapping (a request outside a device call,
    // a call that asks for too much).
    imports: { default: trappable },
    with: { "twinwall:driver/types.input": crate::model::LentInput },
    additional_derives: [PartialEq],
});

pub(crate) use twinwall::driver::types as core;
