//! A driver that misbehaves on purpose, to show the hub contains it.
//!
//! Its device asks for a repeating timer and, on every tick, does what the
//! device setting `mode` says: `panic`, `spin` (an endless loop), `hog`
//! (allocate without bound), `flood` (2,000 events a tick, far past any
//! quota) or `calm` (emit a heartbeat event). The command
//! `misbehave {"mode": ...}` switches the mode at run time.

use twinwall_plugin_sdk::prelude::*;

/// One hostile device.
pub struct Hostile {
    mode: String,
    ticks: u64,
}

const MODES: [&str; 5] = ["calm", "panic", "spin", "hog", "flood"];

/// Events a `flood` tick emits (40,000 a second at the 50 ms tick).
const FLOOD: u64 = 2000;

impl Driver for Hostile {
    fn describe() -> DriverInfo {
        DriverInfo::new("hostile-test-driver", env!("CARGO_PKG_VERSION"))
            .family("test")
            .setting("mode", "calm | panic | spin | hog | flood", false)
            .setting("tick_ms", "timer period (default 50)", false)
            .command("misbehave", "switch mode: {\"mode\": \"panic\"}")
    }

    fn open(config: DeviceConfig) -> Result<Self, DriverError> {
        let mode = config.setting("mode").unwrap_or("calm").to_owned();
        if !MODES.contains(&mode.as_str()) {
            return Err(DriverError::bad_config(format!(
                "setting `mode` = `{mode}`; known: {}",
                MODES.join(", ")
            )));
        }
        Ok(Hostile { mode, ticks: 0 })
    }

    fn start(&mut self) -> Vec<Request> {
        vec![Request::timer("tick", 50, true)]
    }

    fn handle(&mut self, input: Input) -> Outcome {
        let mut out = Outcome::default();
        if let Input::Timer(_) = input {
            self.ticks += 1;
            match self.mode.as_str() {
                "panic" => panic!("hostile driver panics on purpose (tick {})", self.ticks),
                "spin" => spin(),
                "hog" => hog(),
                "flood" => {
                    for n in 0..FLOOD {
                        out.push(
                            Event::new("test.flood").attr("n", (self.ticks * FLOOD + n) as i64),
                        );
                    }
                }
                _ => out.push(Event::new("device.heartbeat").attr("ticks", self.ticks as i64)),
            }
        }
        out
    }

    fn command(&mut self, name: &str, args: &str) -> Result<Vec<Request>, DriverError> {
        if name != "misbehave" {
            return Err(DriverError::unknown_command(name));
        }
        let mode = MODES
            .iter()
            .find(|m| args.contains(&format!("\"{m}\"")))
            .ok_or_else(|| {
                DriverError::bad_args(format!(
                    "expected {{\"mode\": one of {}}}, got {args}",
                    MODES.join(", ")
                ))
            })?;
        self.mode = (*mode).to_owned();
        Ok(Vec::new())
    }
}

#[allow(clippy::empty_loop, reason = "the point is a loop that never ends")]
fn spin() -> ! {
    let mut x: u64 = 0;
    loop {
        x = std::hint::black_box(x.wrapping_add(1));
    }
}

fn hog() {
    let mut keep: Vec<Vec<u8>> = Vec::new();
    loop {
        keep.push(vec![1u8; 1 << 20]);
        std::hint::black_box(&keep);
    }
}

twinwall_plugin_sdk::export_driver!(Hostile);
