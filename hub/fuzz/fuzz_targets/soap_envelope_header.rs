//! Drivers hand the hub SOAP bodies to sign: whatever they send, inserting the
//! WS-Security header must not panic. Run with `cargo fuzz run soap_envelope_header`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = twinwall_hub::transport::http::insert_header(text, "<wsse:Security/>");
    }
});
