//! Multipart bodies and streams come from devices: any bytes, in any
//! chunking, must be split safely within the limit, the same way whole or in
//! pieces. Run with `cargo fuzz run multipart` from `plugin-sdk/`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use twinwall_plugin_sdk::multipart::{Lines, Splitter, parse};

fuzz_target!(|data: &[u8]| {
    let Some((&sel, body)) = data.split_first() else { return };
    let whole = Splitter::new("b", 128).push(body);
    let mut s = Splitter::new("b", 128);
    let mut pieces = Ok(Vec::new());
    for c in body.chunks(usize::from(sel) + 1) {
        match s.push(c) {
            Ok(p) => pieces.as_mut().map(|v: &mut Vec<_>| v.extend(p)).unwrap_or(()),
            Err(e) => {
                pieces = Err(e);
                break;
            }
        }
    }
    if let (Ok(w), Ok(p)) = (&whole, &pieces) {
        assert_eq!(w, p);
        assert!(w.iter().all(|part| part.body.len() <= 128));
    }
    let _ = parse(body, "multipart/form-data; boundary=b", 128);
    let _ = Lines::new(64).push(body);
});
