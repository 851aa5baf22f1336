//! Gold: the inputs recorded in the behaviour run, replayed into a fresh
//! instance of the driver. Once with every frame also cut short, garbled,
//! emptied and doubled (and every command given broken arguments): no call
//! may trap. Then many rounds as they came: call time, linear memory and
//! the requests the driver makes must stay flat.

use std::sync::Arc;
use std::time::{Duration, Instant};

use twinwall_hub::runtime::{CallError, DriverInstance, LoadedDriver};
use twinwall_hub::transport::types::Input;

use super::behaviour::{Recorded, Session};
use super::contract::Loaded;
use super::rig::DEVICE;
use super::{Options, Report, Tier, Verdict, add};

const CHECKS: [(&str, &str); 5] = [
    (
        "robustness.malformed",
        "cut, garbled, empty and doubled frames never trap the driver",
    ),
    (
        "robustness.bad-args",
        "broken command arguments are refused, never trap",
    ),
    (
        "robustness.memory",
        "linear memory stays under the cap and stops growing over a long run",
    ),
    (
        "robustness.call-time",
        "driver calls stay under the time budget at the 99th percentile",
    ),
    (
        "robustness.requests",
        "the requests a driver makes per round do not grow",
    ),
];

/// Growth of linear memory over the second half of the long run above
/// which a driver is taken to keep what it should let go.
const LEAK_BYTES: usize = 256 << 10;

pub(crate) async fn run(options: &Options, loaded: &Loaded, session: Session, report: &mut Report) {
    let started = Instant::now();
    let driver = loaded.driver.clone();
    let commands: Vec<String> = loaded
        .info
        .commands
        .iter()
        .map(|c| c.name.clone())
        .collect();
    let options = options.clone();
    let verdicts =
        tokio::task::spawn_blocking(move || replay(&options, driver, session, &commands))
            .await
            .unwrap_or_else(|e| {
                let v = Verdict::Fail(format!("the replay panicked: {e}"));
                vec![v.clone(), v.clone(), v.clone(), v.clone(), v]
            });
    for ((id, title), verdict) in CHECKS.into_iter().zip(verdicts) {
        add(report, id, Tier::Gold, title, started, verdict);
    }
}

fn replay(
    options: &Options,
    driver: Arc<LoadedDriver>,
    session: Session,
    commands: &[String],
) -> Vec<Verdict> {
    let Some((config, keys)) = session.device else {
        return vec![Verdict::Fail("nothing recorded: the behaviour run did not start".into()); 5];
    };
    if session.inputs.is_empty() {
        return vec![Verdict::Fail("nothing recorded: the driver was given no input".into()); 5];
    }
    let fresh = || -> Result<DriverInstance, CallError> {
        let mut i = DriverInstance::new(driver.clone())?;
        i.open(&config, keys.clone())?;
        i.start(&config.id)?;
        Ok(i)
    };
    let mut inst = match fresh() {
        Ok(i) => i,
        Err(e) => return vec![Verdict::Fail(format!("a fresh instance did not open: {e}")); 5],
    };

    // Damaged frames, each before the frame as it came.
    let mut traps = Vec::new();
    let mut damaged = 0;
    for rec in &session.inputs {
        for (how, m) in mutants(rec) {
            damaged += 1;
            if let Err(e) = call(&mut inst, &m)
                && e.is_trap()
            {
                traps.push(format!(
                    "{} {how}: {}",
                    name(rec),
                    first_line(&e.to_string())
                ));
                match fresh() {
                    Ok(i) => inst = i,
                    Err(_) => break,
                }
            }
        }
        if let Err(e) = call(&mut inst, rec)
            && e.is_trap()
        {
            traps.push(format!(
                "{} as recorded: {}",
                name(rec),
                first_line(&e.to_string())
            ));
            if let Ok(i) = fresh() {
                inst = i;
            }
        }
    }
    let malformed = if traps.is_empty() {
        Verdict::Pass(format!(
            "{damaged} damaged inputs from {} recorded ({}), no trap",
            session.inputs.len(),
            summary(&session.inputs)
        ))
    } else {
        Verdict::Fail(format!(
            "{} calls trapped (of {damaged} damaged and {} recorded inputs): {}",
            traps.len(),
            session.inputs.len(),
            distinct(&traps)
        ))
    };

    let bad_args = bad_args(&mut inst, commands, &fresh);

    // The long run, on an instance of its own.
    let mut inst = match fresh() {
        Ok(i) => i,
        Err(e) => {
            let v = Verdict::Fail(format!("a fresh instance did not open: {e}"));
            return vec![malformed, bad_args, v.clone(), v.clone(), v];
        }
    };
    let mut times = Vec::new();
    let mut memory = Vec::new();
    let mut requests = Vec::new();
    let mut trapped = None;
    'rounds: for round in 0..options.rounds.max(2) {
        let mut n = 0;
        for rec in &session.inputs {
            let t = thread_cpu();
            match call(&mut inst, rec) {
                Ok(r) => n += r,
                Err(e) if e.is_trap() => {
                    trapped = Some(format!(
                        "round {round}, {}: {}",
                        name(rec),
                        first_line(&e.to_string())
                    ));
                    break 'rounds;
                }
                Err(_) => {}
            }
            times.push(thread_cpu().saturating_sub(t));
        }
        requests.push(n);
        memory.push(inst.memory_peak());
    }
    if let Some(t) = trapped {
        let v = Verdict::Fail(format!("the long run trapped at {t}"));
        return vec![malformed, bad_args, v.clone(), v.clone(), v];
    }
    vec![
        malformed,
        bad_args,
        memory_verdict(&memory, options.memory_cap),
        time_verdict(&mut times, options.call_budget),
        requests_verdict(&requests),
    ]
}

/// CPU time of this thread: a call's own cost, not the time the machine
/// spent elsewhere while it ran (a loaded CI runner preempts it).
#[cfg(unix)]
fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    #[allow(
        unsafe_code,
        reason = "clock_gettime has no safe wrapper in std; it only writes the timespec it is given"
    )]
    // SAFETY: `ts` is a valid, writable timespec for the call's duration.
    let ok = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) } == 0;
    if ok {
        Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
    } else {
        Duration::ZERO
    }
}

/// Elsewhere, wall time since the first call.
#[cfg(not(unix))]
fn thread_cpu() -> Duration {
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    START.get_or_init(Instant::now).elapsed()
}

fn call(inst: &mut DriverInstance, rec: &Recorded) -> Result<usize, CallError> {
    match rec {
        Recorded::Input(i) => inst.handle(DEVICE, i.clone()).map(|o| o.requests.len()),
        Recorded::Frame { port, data } => inst.route(port, data).map(|_| 0),
    }
}

fn bad_args(
    inst: &mut DriverInstance,
    commands: &[String],
    fresh: &dyn Fn() -> Result<DriverInstance, CallError>,
) -> Verdict {
    if commands.is_empty() {
        return Verdict::NotApplicable("the driver declares no commands".into());
    }
    let huge = format!("{{\"x\":\"{}\"}}", "A".repeat(100_000));
    let broken = [
        "",
        "not json",
        "{",
        "[]",
        "null",
        "42",
        "{\"door\":-1,\"zone\":\"x\",\"level\":1e400}",
        huge.as_str(),
    ];
    let mut traps = Vec::new();
    let mut n = 0;
    for c in commands
        .iter()
        .map(String::as_str)
        .chain(["no.such-command"])
    {
        for args in broken {
            n += 1;
            if let Err(e) = inst.command(DEVICE, c, args)
                && e.is_trap()
            {
                traps.push(format!(
                    "`{c}` with {:?}: {}",
                    args.chars().take(40).collect::<String>(),
                    first_line(&e.to_string())
                ));
                match fresh() {
                    Ok(i) => *inst = i,
                    Err(_) => break,
                }
            }
        }
    }
    if traps.is_empty() {
        Verdict::Pass(format!(
            "{n} broken calls over {} commands and an unknown one, no trap",
            commands.len()
        ))
    } else {
        Verdict::Fail(distinct(&traps))
    }
}

fn memory_verdict(memory: &[usize], cap: usize) -> Verdict {
    let mib = |b: usize| b as f64 / (1 << 20) as f64;
    let last = memory.last().copied().unwrap_or(0);
    let half = memory[memory.len() / 2];
    if last > cap {
        return Verdict::Fail(format!(
            "{:.1} MiB, over the cap of {:.0} MiB",
            mib(last),
            mib(cap)
        ));
    }
    if last > half + LEAK_BYTES {
        return Verdict::Fail(format!(
            "grew {:.2} MiB over the second half of {} rounds ({:.2} → {:.2} MiB): it keeps something per input",
            mib(last - half),
            memory.len(),
            mib(half),
            mib(last)
        ));
    }
    Verdict::Pass(format!(
        "{:.2} MiB after round 1, {:.2} MiB after {} (cap {:.0} MiB)",
        mib(memory[0]),
        mib(last),
        memory.len(),
        mib(cap)
    ))
}

fn time_verdict(times: &mut [Duration], budget: Duration) -> Verdict {
    if times.is_empty() {
        return Verdict::Fail("no call completed".into());
    }
    times.sort_unstable();
    let at = |q: f64| times[((times.len() - 1) as f64 * q) as usize];
    let (p50, p99, max) = (at(0.5), at(0.99), times[times.len() - 1]);
    let text = format!(
        "{} calls, CPU time: p50 {:.0} µs, p99 {:.0} µs, max {:.0} µs (budget {} ms)",
        times.len(),
        p50.as_secs_f64() * 1e6,
        p99.as_secs_f64() * 1e6,
        max.as_secs_f64() * 1e6,
        budget.as_millis()
    );
    if p99 > budget {
        Verdict::Fail(text)
    } else {
        Verdict::Pass(text)
    }
}

fn requests_verdict(requests: &[usize]) -> Verdict {
    // Round 1 starts from a fresh device; round 2 on is the steady state.
    let steady = requests.get(1).copied().unwrap_or(0);
    let last = requests.last().copied().unwrap_or(0);
    let allowed = steady + steady / 10 + 2;
    let text = format!(
        "requests per round: {} (round 1), {steady} (round 2), {last} (round {})",
        requests[0],
        requests.len()
    );
    if last > allowed {
        Verdict::Fail(format!("{text}: more each round"))
    } else if requests.iter().all(|n| *n == 0) {
        Verdict::Pass(format!(
            "{text}: it asks for nothing per input (what it started with repeats in the hub)"
        ))
    } else {
        Verdict::Pass(text)
    }
}

/// Damaged copies of a recorded input.
fn mutants(rec: &Recorded) -> Vec<(&'static str, Recorded)> {
    match rec {
        Recorded::Frame { port, data } => bytes(data)
            .into_iter()
            .map(|(how, d)| {
                (
                    how,
                    Recorded::Frame {
                        port: port.clone(),
                        data: d,
                    },
                )
            })
            .collect(),
        Recorded::Input(input) => inputs(input)
            .into_iter()
            .map(|(how, i)| (how, Recorded::Input(i)))
            .collect(),
    }
}

fn inputs(input: &Input) -> Vec<(&'static str, Input)> {
    let with = |f: &dyn Fn(&[u8]) -> Input, data: &[u8]| -> Vec<(&'static str, Input)> {
        bytes(data)
            .into_iter()
            .map(|(how, d)| (how, f(&d)))
            .collect()
    };
    match input {
        Input::ModbusResponse {
            id,
            table,
            address,
            values,
        } => {
            let v = |values: Vec<u16>| Input::ModbusResponse {
                id: id.clone(),
                table: *table,
                address: *address,
                values,
            };
            vec![
                ("empty", v(Vec::new())),
                ("cut in half", v(values[..values.len() / 2].to_vec())),
                ("all bits set", v(vec![0xFFFF; values.len()])),
                (
                    "doubled",
                    v([values.as_slice(), values.as_slice()].concat()),
                ),
            ]
        }
        Input::ModbusException { id, .. } => vec![(
            "unknown exception code",
            Input::ModbusException {
                id: id.clone(),
                code: 0xFF,
            },
        )],
        Input::HttpResponse(r) => {
            let mut out = with(
                &|d| {
                    let mut x = r.clone();
                    x.body = d.to_vec();
                    Input::HttpResponse(x)
                },
                &r.body,
            );
            let mut e = r.clone();
            e.status = 500;
            out.push(("status 500", Input::HttpResponse(e)));
            let mut h = r.clone();
            h.headers.clear();
            out.push(("no headers", Input::HttpResponse(h)));
            out
        }
        Input::HttpPush(p) => {
            let mut out = with(
                &|d| {
                    let mut x = p.clone();
                    x.body = d.to_vec();
                    Input::HttpPush(x)
                },
                &p.body,
            );
            let mut h = p.clone();
            h.headers.clear();
            out.push(("no headers", Input::HttpPush(h)));
            out
        }
        Input::StreamPart { id, headers, body } => with(
            &|d| Input::StreamPart {
                id: id.clone(),
                headers: headers.clone(),
                body: d.to_vec(),
            },
            body,
        ),
        Input::SocketFrame { conn, data } => with(
            &|d| Input::SocketFrame {
                conn: *conn,
                data: d.to_vec(),
            },
            data,
        ),
        Input::StreamOpened { id, headers, .. } => vec![(
            "status 500",
            Input::StreamOpened {
                id: id.clone(),
                status: 500,
                headers: headers.clone(),
            },
        )],
        Input::RtspStatus(s) => {
            let mut x = s.clone();
            x.connected = false;
            x.codec = None;
            x.width = None;
            x.height = None;
            x.fps = Some(f32::NAN);
            x.error = Some(String::new());
            vec![("nothing known, fps NaN", Input::RtspStatus(x))]
        }
        _ => Vec::new(),
    }
}

/// Cut, garbled, emptied and doubled copies of `data`.
fn bytes(data: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
    let mut out = vec![("empty", Vec::new()), ("noise", noise(data.len().max(16)))];
    if data.len() >= 2 {
        out.push(("first byte only", data[..1].to_vec()));
        out.push(("cut in half", data[..data.len() / 2].to_vec()));
        out.push(("last byte cut", data[..data.len() - 1].to_vec()));
        let mut g = data.to_vec();
        for b in g.iter_mut().step_by(7) {
            *b ^= 0x5A;
        }
        out.push(("garbled", g));
        out.push(("doubled", [data, data].concat()));
    }
    out
}

/// Noise from a fixed seed, so a failure replays the same way.
fn noise(n: usize) -> Vec<u8> {
    let mut rng = fastrand::Rng::with_seed(0x2545_F491);
    (0..n).map(|_| rng.u8(..)).collect()
}

fn name(rec: &Recorded) -> String {
    match rec {
        Recorded::Frame { port, data } => format!("frame on `{port}` ({} B)", data.len()),
        Recorded::Input(i) => match i {
            Input::ModbusResponse {
                address, values, ..
            } => {
                format!("modbus answer @{address} ({} words)", values.len())
            }
            Input::HttpResponse(r) => format!("HTTP answer {} ({} B)", r.status, r.body.len()),
            Input::HttpPush(p) => format!("push {} {} ({} B)", p.method, p.path, p.body.len()),
            Input::StreamPart { body, .. } => format!("stream part ({} B)", body.len()),
            Input::SocketFrame { data, .. } => format!("socket frame ({} B)", data.len()),
            other => format!("{other:?}").chars().take(60).collect(),
        },
    }
}

fn summary(inputs: &[Recorded]) -> String {
    let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
    for r in inputs {
        let k = match r {
            Recorded::Frame { .. } => "routed frames",
            Recorded::Input(Input::ModbusResponse { .. }) => "modbus answers",
            Recorded::Input(Input::HttpResponse(_)) => "HTTP answers",
            Recorded::Input(Input::HttpPush(_)) => "pushes",
            Recorded::Input(Input::StreamPart { .. }) => "stream parts",
            Recorded::Input(Input::SocketFrame { .. }) => "socket frames",
            Recorded::Input(Input::Timer(_)) => "timers",
            Recorded::Input(_) => "other",
        };
        *counts.entry(k).or_default() += 1;
    }
    counts
        .iter()
        .map(|(k, n)| format!("{n} {k}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The first five different traps, each with how often it came.
fn distinct(traps: &[String]) -> String {
    let mut seen: Vec<(&String, usize)> = Vec::new();
    for t in traps {
        match seen.iter_mut().find(|(s, _)| *s == t) {
            Some((_, n)) => *n += 1,
            None => seen.push((t, 1)),
        }
    }
    seen.iter()
        .take(5)
        .map(|(t, n)| {
            if *n > 1 {
                format!("{n}× {t}")
            } else {
                (*t).clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" | ")
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").to_owned()
}
