//! One alarm host (or fence energiser, or one-key post) reporting over DC-09:
//! check each frame, answer ACK, NAK or DUH (the ACK leaves only once the
//! events are kept), turn Contact ID into events, and drive the vendor's
//! control channel for operators' commands.

use std::collections::{BTreeMap, VecDeque};

use twinwall_plugin_sdk::prelude::*;
use twinwall_plugin_sdk::{Framing, SocketKind, crypto};

use crate::cid::Cid;
use crate::commands;
use crate::dc09::{self, Message};
use crate::profile::Profile;

/// How many recent messages are remembered to drop repeats.
const RECENT: usize = 64;
const ZERO_IV: [u8; 16] = [0; 16];

/// What a zone is.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Zone {
    /// `fence`, `beam`, `fibre`, `post`, …
    sensor: String,
    /// Sub-zone below the device's zone.
    area: Option<String>,
    /// Level for alarms in this zone, when it differs from the profile's.
    level: Option<Level>,
}

/// State of one host.
pub struct Host {
    id: String,
    profile: Profile,
    account: String,
    key: Option<String>,
    zones: BTreeMap<u16, Zone>,
    /// (seq, data) of recently accepted messages.
    recent: VecDeque<(String, String)>,
}

/// `1=fence/north-a/red, 2=beam/east-wall` → zones.
fn parse_zones(spec: &str) -> Result<BTreeMap<u16, Zone>, String> {
    let mut out = BTreeMap::new();
    for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (n, rest) = item
            .split_once('=')
            .ok_or_else(|| format!("`{item}` is not `zone=sensor/area[/level]`"))?;
        let n: u16 = n
            .trim()
            .parse()
            .ok()
            .filter(|n| *n <= 999)
            .ok_or_else(|| format!("`{n}` in `{item}` is not a zone number 0..=999"))?;
        let mut parts = rest.trim().split('/');
        let sensor = parts.next().unwrap_or_default().to_owned();
        if !matches!(
            sensor.as_str(),
            "fence" | "beam" | "fibre" | "post" | "door" | "other"
        ) {
            return Err(format!(
                "sensor `{sensor}` in `{item}`: use fence, beam, fibre, post, door or other"
            ));
        }
        let area = parts.next().filter(|a| !a.is_empty()).map(str::to_owned);
        let level = match parts.next() {
            None => None,
            Some(l) => Some(Level::parse(l).ok_or_else(|| format!("level `{l}` in `{item}`"))?),
        };
        out.insert(
            n,
            Zone {
                sensor,
                area,
                level,
            },
        );
    }
    Ok(out)
}

impl Driver for Host {
    fn describe() -> DriverInfo {
        let mut info = DriverInfo::new("perimeter", env!("CARGO_PKG_VERSION"))
            .family("perimeter")
            .family("panic-post")
            .setting("account", "the host's DC-09 account number (3–16 hex digits)", true)
            .setting("zones", "zone map: `1=fence/north-fence-a, 9=post/library-post/red` (sensor: fence, beam, fibre, post, door, other; sub-zone; optional level)", false)
            .setting("key", "name of the device's AES key in the hub config (then only encrypted messages are accepted)", false)
            .command_for::<commands::Partition>("arm", "Arm a partition (vendor control channel)")
            .command_for::<commands::Partition>("disarm", "Disarm a partition")
            .command_for::<commands::ZoneNumber>("bypass", "Bypass a zone")
            .command_for::<commands::ZoneNumber>("unbypass", "Restore a bypassed zone")
            .command_for::<commands::FenceVoltage>("fence.hv", "Switch the pulse fence's high voltage");
        for k in Profile::kinds() {
            info = info.emits(k);
        }
        info
    }

    fn open(config: DeviceConfig) -> Result<Self, DriverError> {
        let id = config.id.clone();
        let bad = |m: String| DriverError::bad_config(format!("device `{id}`: {m}"));
        let text = config.profile.as_deref().ok_or_else(|| {
            bad("this driver needs a profile (e.g. `perimeter/twinwall-ph1`)".into())
        })?;
        let profile = Profile::parse(text)?;
        let account = config
            .setting("account")
            .map(|a| a.trim().to_uppercase())
            .filter(|a| (3..=16).contains(&a.len()) && a.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| bad("setting `account` must be 3 to 16 hex digits".into()))?;
        let zones = parse_zones(config.setting("zones").unwrap_or(""))
            .map_err(|m| bad(format!("setting `zones`: {m}")))?;
        let key = config.setting("key").map(str::to_owned);
        if let Some(k) = &key
            && !config.keys.contains(k)
        {
            return Err(bad(format!(
                "setting `key` names `{k}`, but the hub holds no such key for this device (`keys` in hub.toml)"
            )));
        }
        Ok(Host {
            id: config.id,
            profile,
            account,
            key,
            zones,
            recent: VecDeque::new(),
        })
    }

    fn start(&mut self) -> Vec<Request> {
        let d = &self.profile.dc09;
        [SocketKind::Tcp, SocketKind::Udp]
            .into_iter()
            .map(|kind| {
                Request::listen_socket(
                    if kind == SocketKind::Tcp {
                        "dc09-tcp"
                    } else {
                        "dc09-udp"
                    },
                    &d.port,
                    kind,
                    Framing::delimited(b"\n", b"\r"),
                    d.max_frame,
                    vec![self.account.clone()],
                )
            })
            .collect()
    }

    /// Frames on the shared receiver port go to the device of their account;
    /// a frame that is not DC-09 at all is NAKed at once.
    fn route(_port: &str, frame: &[u8]) -> Routing {
        let now = now_ms() / 1000;
        match dc09::parse(frame) {
            Ok(m) => Routing::Key(twinwall_plugin_sdk::Keyed {
                key: m.account,
                unclaimed: Some(dc09::nak(now)),
            }),
            Err(_) => Routing::Reply(dc09::nak(now)),
        }
    }

    fn handle(&mut self, input: Input) -> Outcome {
        let mut out = Outcome::default();
        match input {
            Input::SocketFrame(f) => self.on_frame(f.conn, &f.data, &mut out),
            Input::HttpResponse(r) if r.status >= 300 => log(
                LogLevel::Warn,
                &format!(
                    "{}: control `{}` refused: HTTP {}: {}",
                    self.id,
                    r.id,
                    r.status,
                    String::from_utf8_lossy(&r.body)
                ),
            ),
            Input::Failed(f) => log(
                LogLevel::Warn,
                &format!(
                    "{}: `{}` failed: {:?}: {}",
                    self.id, f.id, f.kind, f.message
                ),
            ),
            _ => {}
        }
        out
    }

    fn command(&mut self, name: &str, args: &str) -> Result<Vec<Request>, DriverError> {
        let c = &self.profile.control;
        let path = match name {
            "arm" | "disarm" => {
                let p = commands::partition(name, args)?.to_string();
                if name == "arm" { &c.arm } else { &c.disarm }.replace("{partition}", &p)
            }
            "bypass" => c
                .bypass
                .replace("{zone}", &commands::zone(name, args)?.to_string()),
            "unbypass" => c
                .unbypass
                .replace("{zone}", &commands::zone(name, args)?.to_string()),
            "fence.hv" => {
                let on = commands::fence_on(name, args)?;
                c.fence_hv.replace("{state}", if on { "on" } else { "off" })
            }
            _ => return Err(DriverError::unknown_command(name)),
        };
        Ok(vec![HttpRequest::new("control", "PUT", &path).into()])
    }
}

impl Host {
    fn now_s() -> i64 {
        now_ms().div_euclid(1000)
    }

    fn nak(&self, conn: u64, why: &str, out: &mut Outcome) {
        log(LogLevel::Warn, &format!("{}: NAK: {why}", self.id));
        out.request(Request::send(conn, dc09::nak(Self::now_s())));
    }

    fn on_frame(&mut self, conn: u64, frame: &[u8], out: &mut Outcome) {
        let m = match dc09::parse(frame) {
            Ok(m) => m,
            Err(e) => return self.nak(conn, &e.to_string(), out),
        };
        if m.account != self.account {
            return self.nak(
                conn,
                &format!("account {} is not this host's", m.account),
                out,
            );
        }
        let (text, decrypted) = match (m.encrypted, &self.key) {
            (true, Some(key)) => {
                let plain = dc09::unhex(&m.rest)
                    .ok_or("encrypted data is not hex")
                    .and_then(|c| crypto::decrypt(key, &ZERO_IV, &c).map_err(|_| "cannot decrypt"))
                    .map(|p| String::from_utf8_lossy(&p).into_owned());
                match plain {
                    Ok(p) => (p, true),
                    Err(why) => return self.nak(conn, why, out),
                }
            }
            (true, None) => {
                return self.nak(conn, "encrypted message, but no `key` is configured", out);
            }
            (false, Some(_)) => {
                return self.nak(conn, "clear message from an account that must encrypt", out);
            }
            (false, None) => (m.rest.clone(), false),
        };
        let c = match dc09::content(&text, decrypted) {
            Ok(c) => c,
            // Wrong key: the decrypted text is noise.
            Err(why) => return self.nak(conn, why, out),
        };
        let now = Self::now_s();
        if let Some(ts) = c.timestamp {
            let d = &self.profile.dc09;
            if ts < now - d.behind_s || ts > now + d.ahead_s {
                return self.nak(
                    conn,
                    &format!(
                        "time stamp {} outside the receiver's window",
                        dc09::format_timestamp(ts)
                    ),
                    out,
                );
            }
        } else if m.encrypted {
            return self.nak(conn, "an encrypted message needs a time stamp", out);
        }
        let key = (m.seq.clone(), c.data.clone());
        let repeat = self.recent.contains(&key);
        match m.id.as_str() {
            "NULL" => {}
            "ADM-CID" if !repeat => match Cid::parse(&c.data) {
                Ok(cid) => match self.event(&cid, c.timestamp) {
                    Some(Some(e)) => out.push(e),
                    Some(None) => {}
                    None => {
                        log(
                            LogLevel::Warn,
                            &format!(
                                "{}: Contact ID code {} is not in the profile: DUH",
                                self.id, cid.code
                            ),
                        );
                        out.request(Request::send(conn, dc09::duh(&m)));
                        return;
                    }
                },
                Err(why) => {
                    log(LogLevel::Warn, &format!("{}: {why}: DUH", self.id));
                    out.request(Request::send(conn, dc09::duh(&m)));
                    return;
                }
            },
            "SIA-DCS" if !repeat => match Cid::from_sia(&c.data, |code| self.profile.sia(code)) {
                Ok(cid) => match self.event(&cid, c.timestamp) {
                    Some(Some(e)) => out.push(e.attr("protocol", "SIA-DCS")),
                    Some(None) => {}
                    None => {
                        out.request(Request::send(conn, dc09::duh(&m)));
                        return;
                    }
                },
                Err(why) => {
                    log(LogLevel::Warn, &format!("{}: {why}: DUH", self.id));
                    out.request(Request::send(conn, dc09::duh(&m)));
                    return;
                }
            },
            "ADM-CID" | "SIA-DCS" => {}
            _ => {
                log(
                    LogLevel::Warn,
                    &format!(
                        "{}: `{}` messages are not read by this driver: DUH",
                        self.id, m.id
                    ),
                );
                out.request(Request::send(conn, dc09::duh(&m)));
                return;
            }
        }
        if !repeat {
            self.recent.push_back(key);
            if self.recent.len() > RECENT {
                self.recent.pop_front();
            }
        }
        // The ACK goes with the events: the hub sends it once they are kept.
        out.request(Request::send(conn, self.ack(&m)));
    }

    fn ack(&self, m: &Message) -> Vec<u8> {
        match (&self.key, m.encrypted) {
            (Some(key), true) => {
                let plain = dc09::ack_plaintext(Self::now_s(), b'0');
                match crypto::encrypt(key, &ZERO_IV, &plain) {
                    Ok(c) => dc09::ack_encrypted(m, &c),
                    Err(e) => {
                        log(
                            LogLevel::Error,
                            &format!("{}: cannot encrypt the ACK: {e}", self.id),
                        );
                        dc09::nak(Self::now_s())
                    }
                }
            }
            _ => dc09::ack(m),
        }
    }

    /// The event of a Contact ID report: `None` if the code is unknown,
    /// `Some(None)` for reports that carry no event (tests, supervision).
    fn event(&self, cid: &Cid, time_s: Option<i64>) -> Option<Option<Event>> {
        let map = self.profile.code(cid.code)?;
        let restore = cid.qualifier == 3;
        let kind = match (&map.restore_kind, restore) {
            (Some(k), true) => k.clone(),
            _ => map.kind.clone(),
        };
        if kind.is_empty() {
            return Some(None);
        }
        let zone = (!map.user).then(|| self.zones.get(&cid.zone)).flatten();
        let mut level = map
            .level
            .as_deref()
            .and_then(Level::parse)
            .unwrap_or(Level::Info);
        if let Some(l) = zone.and_then(|z| z.level) {
            level = l;
        }
        let conditional = !map.instant && map.restore_kind.is_none();
        let mut e = Event::new(&kind)
            .attr("code", i64::from(cid.code))
            .attr("qualifier", i64::from(cid.qualifier))
            .attr("partition", i64::from(cid.partition));
        if conditional {
            e = e
                .phase_if(!restore)
                .level(if restore { Level::Info } else { level });
        } else {
            e = e.level(level);
        }
        if let Some(t) = time_s {
            e = e.device_time_ms(t * 1000);
        }
        let subtype = match map.subtype.as_deref() {
            Some("sensor") => zone.map(|z| match z.sensor.as_str() {
                "fence" => "touch",
                "beam" => "beam_break",
                "fibre" => "vibration",
                _ => "intrusion",
            }),
            Some(s) => Some(s),
            None => None,
        };
        if let Some(s) = subtype {
            e = e.attr("subtype", s);
        }
        let what = kind.replace(['.', '_'], " ");
        let message = if map.user {
            e = e.attr("by", format!("user {}", cid.zone));
            format!("{what} by user {} (partition {})", cid.zone, cid.partition)
        } else {
            e = e.attr("zone_number", i64::from(cid.zone));
            if let Some(z) = zone {
                e = e.attr("sensor_kind", z.sensor.as_str());
                if let Some(a) = &z.area {
                    e = e.zone(a.clone()).attr("area", a.as_str());
                }
            }
            let place = zone
                .and_then(|z| z.area.clone())
                .unwrap_or_else(|| format!("zone {}", cid.zone));
            let sub = subtype
                .map(|s| format!(" ({})", s.replace('_', " ")))
                .unwrap_or_default();
            if conditional && restore {
                format!("{what}{sub} restored at {place}")
            } else {
                format!("{what}{sub} at {place}")
            }
        };
        Some(Some(e.message(message)))
    }
}
