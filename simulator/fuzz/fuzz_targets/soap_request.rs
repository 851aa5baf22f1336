//! The camera's SOAP request parser on arbitrary bytes: it must never panic.
//! Run with `cargo fuzz run soap_request` from `simulator/`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = twinwall_simulator::camera::soap::parse(data);
});
