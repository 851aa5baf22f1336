//! WS-Discovery answers are read from the network: any datagram must be safe.
//! Run with `cargo fuzz run probe_matches` from `hub/`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = twinwall_hub::discovery::parse_matches(data);
});
