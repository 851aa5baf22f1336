//! Gates' event documents are read from pushes and streams: any bytes must
//! give a record or an error. Run with `cargo fuzz run access_event` from
//! `drivers/face-gate/`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = face_gate::isapi::record(data);
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = twinwall_plugin_sdk::isapi::split_url(s);
    }
});
