//! ANPR documents come from cameras: any bytes must give a report or an
//! error. Run with `cargo fuzz run anpr_xml` from `drivers/anpr/`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = anpr::read::report(data);
});
