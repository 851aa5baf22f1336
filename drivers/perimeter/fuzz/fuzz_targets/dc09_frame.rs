//! DC-09 frames arrive from anyone who can reach the receiver port: any bytes
//! must give a message or an error, and so must the data inside. Run with
//! `cargo fuzz run dc09_frame` from `drivers/perimeter/`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use perimeter::{cid::Cid, dc09};

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = dc09::parse(data) {
        for decrypted in [false, true] {
            if let Ok(c) = dc09::content(&m.rest, decrypted) {
                let _ = Cid::parse(&c.data);
            }
        }
        let _ = dc09::ack(&m);
        let _ = dc09::duh(&m);
    }
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = Cid::parse(s);
        let _ = dc09::timestamp(s);
        let _ = dc09::unhex(s);
    }
});
