//! Bytes from devices that dial in are cut into frames by the hub: any byte
//! stream, in any chunking, must be safe and bounded. Run with
//! `cargo fuzz run framing` from `hub/`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use twinwall_hub::transport::framing::Framer;
use twinwall_hub::transport::types::Framing;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else { return };
    let framing = match sel % 3 {
        0 => Framing::Delimited { start: vec![b'\n'], end: vec![b'\r'] },
        1 => Framing::LengthPrefixed { offset: u32::from(sel >> 4), width: [1, 2, 4][usize::from(sel >> 2) % 3], big_endian: sel & 2 == 0, adjust: -1 },
        _ => Framing::Raw,
    };
    let mut f = Framer::new(framing, 256).unwrap();
    for chunk in rest.chunks(usize::from(sel % 17) + 1) {
        match f.push(chunk) {
            Ok(frames) => assert!(frames.iter().all(|x| x.len() <= 256)),
            Err(_) => return,
        }
    }
});
