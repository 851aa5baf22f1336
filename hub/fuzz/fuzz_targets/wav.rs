//! Operators upload audio: any bytes must come back as samples or a clear
//! error, never a panic, and never more samples than the file can hold. Run
//! with `cargo fuzz run wav` from `hub/`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use twinwall_hub::audio::{Format, wav};

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = wav::decode(Format::Wav, data) {
        // 8-bit at the lowest accepted rate (4 kHz) doubles to 8 kHz.
        assert!(s.len() <= data.len() * 2 + 1);
    }
});
