//! Template driver: the dry-contact inputs of a Modbus TCP I/O module.
//!
//! Campus plant rooms are full of contacts that close on trouble: a water
//! leak rope, a gas detector's relay, a server-room door, the "common alarm"
//! relay of a panel the hub has no protocol for. An I/O module (ADAM, ICP
//! DAS, Moxa ioLogik and many more) turns them into Modbus discrete inputs.
//! This driver polls them and reports `sensor.alarm` as a begin/end pair
//! when a contact changes, and nothing while it does not.
//!
//! It is also the template the SDK guide (`plugin-sdk/README.md`) walks
//! through: copy this crate to start a driver.
//!
//! Device settings:
//! - `inputs` (required): `<input>=<sensor>` pairs, e.g.
//!   `"0=water_leak, 1=gas, 4=door"` (0-based discrete input numbers).
//! - `poll_ms`: how often to read them (default 500).
//! - `active_low`: `true` when an open contact is the alarm (default false).

use twinwall_plugin_sdk::{kinds, prelude::*};

/// One configured device: which inputs mean what, and what they were.
pub struct Contacts {
    /// (input number, sensor name), by input number.
    inputs: Vec<(u16, String)>,
    poll_ms: u32,
    active_low: bool,
    /// The state last reported, once the first read came.
    last: Option<Vec<bool>>,
}

/// The poll's id: answers come back under it.
const POLL: &str = "inputs";

impl Contacts {
    /// The block to read: from the lowest to the highest configured input.
    fn block(&self) -> (u16, u16) {
        let first = self.inputs.first().map_or(0, |i| i.0);
        let last = self.inputs.last().map_or(0, |i| i.0);
        (first, last - first + 1)
    }
}

fn parse_inputs(text: &str) -> Result<Vec<(u16, String)>, DriverError> {
    let mut inputs = Vec::new();
    for pair in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (n, name) = pair.split_once('=').ok_or_else(|| {
            DriverError::bad_config(format!(
                "setting `inputs`: `{pair}` is not <input>=<sensor>"
            ))
        })?;
        let n: u16 = n.trim().parse().map_err(|_| {
            DriverError::bad_config(format!(
                "setting `inputs`: `{n}` in `{pair}` is not an input number"
            ))
        })?;
        inputs.push((n, name.trim().to_owned()));
    }
    if inputs.is_empty() {
        return Err(DriverError::bad_config(
            "setting `inputs` names no input (e.g. \"0=water_leak, 1=gas\")",
        ));
    }
    inputs.sort_by_key(|i| i.0);
    if let Some(w) = inputs.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(DriverError::bad_config(format!(
            "setting `inputs`: input {} is named twice",
            w[0].0
        )));
    }
    if inputs.last().map_or(0, |i| i.0) - inputs[0].0 >= 2000 {
        return Err(DriverError::bad_config(
            "setting `inputs` spans more than 2000 inputs (one Modbus read)",
        ));
    }
    Ok(inputs)
}

impl Driver for Contacts {
    /// What the hub and the conformance kit read before anything runs.
    fn describe() -> DriverInfo {
        DriverInfo::new("modbus-contacts", env!("CARGO_PKG_VERSION"))
            .family("sensor")
            .emits(kinds::SENSOR_ALARM)
            .setting(
                "inputs",
                "<input>=<sensor> pairs, e.g. \"0=water_leak, 1=gas\"",
                true,
            )
            .setting(
                "poll_ms",
                "how often the inputs are read, ms (default 500)",
                false,
            )
            .setting(
                "active_low",
                "true when an open contact is the alarm (default false)",
                false,
            )
    }

    /// Check the settings once; a bad one refuses the device with why.
    fn open(config: DeviceConfig) -> Result<Self, DriverError> {
        let inputs = parse_inputs(config.setting("inputs").unwrap_or(""))?;
        let poll_ms = match config.setting("poll_ms") {
            None => 500,
            Some(v) => v
                .parse::<u32>()
                .ok()
                .filter(|ms| (100..=60_000).contains(ms))
                .ok_or_else(|| {
                    DriverError::bad_config(format!("setting `poll_ms` = `{v}`: give 100 to 60000"))
                })?,
        };
        let active_low = config.setting("active_low") == Some("true");
        Ok(Contacts {
            inputs,
            poll_ms,
            active_low,
            last: None,
        })
    }

    /// Ask the hub to poll the block; it connects, retries and reports
    /// online/offline itself.
    fn start(&mut self) -> Vec<Request> {
        let (address, count) = self.block();
        vec![Request::poll(
            POLL,
            ModbusTable::DiscreteInputs,
            address,
            count,
            self.poll_ms,
        )]
    }

    /// An answer: report what changed since the last one.
    fn handle(&mut self, input: Input) -> Outcome {
        let mut out = Outcome::default();
        let Input::ModbusResponse(r) = input else {
            return out;
        };
        if r.id != POLL {
            return out;
        }
        let (address, _) = self.block();
        let now: Vec<bool> = self
            .inputs
            .iter()
            .map(|(n, _)| {
                let raw = r.values.get(usize::from(n - address)) == Some(&1);
                raw != self.active_low
            })
            .collect();
        for (i, (n, sensor)) in self.inputs.iter().enumerate() {
            let was = self.last.as_ref().map(|l| l[i]);
            // The first read reports contacts already in alarm, not the quiet ones.
            if was == Some(now[i]) || (was.is_none() && !now[i]) {
                continue;
            }
            out.push(
                Event::new(kinds::SENSOR_ALARM)
                    .level(Level::Orange)
                    .phase_if(now[i])
                    .attr("input", i64::from(*n))
                    .attr("sensor", sensor.as_str())
                    .message(format!(
                        "{sensor} (input {n}) {}",
                        if now[i] { "in alarm" } else { "back to normal" }
                    )),
            );
        }
        self.last = Some(now);
        out
    }
}

twinwall_plugin_sdk::export_driver!(Contacts);
