//! The simulated alarm hosts against an independent SIA DC-09 receiver:
//! pysiaalarm (the library behind Home Assistant's SIA integration) checks
//! CRC, length, Contact ID, time stamps and AES, and answers ACK; the hosts
//! must hear every ACK. The test command installs it from
//! `tests/interop/requirements.txt`.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use twinwall_simulator::alarm_host::{AlarmHost, HostOptions, Link, codes};
use twinwall_tests::{wait_for, workspace};

const KEY: &str = "0123456789ABCDEF";

#[tokio::test(flavor = "multi_thread")]
async fn pysiaalarm_accepts_and_acknowledges_the_simulated_hosts() {
    let script = workspace().join("tests/interop/sia_receiver.py");
    let mut child = Command::new("python3")
        .arg(script)
        .args(["4", KEY])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("python3 runs (peers: pip install -r tests/interop/requirements.txt)");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    let ports: Vec<u16> = first
        .split_whitespace()
        .skip(1)
        .map(|p| p.parse().unwrap())
        .collect();
    assert_eq!(ports.len(), 2, "the receiver announces its ports: {first}");
    let at = |p: u16| std::net::SocketAddr::from(([127, 0, 0, 1], p));
    let clear = AlarmHost::start(
        "ph-c",
        "127.0.0.1:0".parse().unwrap(),
        HostOptions::new("1234", at(ports[0])),
    )
    .await
    .unwrap();
    let mut o = HostOptions::new("5678", at(ports[0]));
    o.key = Some(KEY.as_bytes().to_vec());
    let secret = AlarmHost::start("ph-e", "127.0.0.1:0".parse().unwrap(), o)
        .await
        .unwrap();
    let mut o = HostOptions::new("1234", at(ports[1]));
    o.link = Link::Udp;
    o.sia = true;
    let udp = AlarmHost::start("ph-u", "127.0.0.1:0".parse().unwrap(), o)
        .await
        .unwrap();
    clear.fence_touch(3, true);
    secret.report(1, codes::CUT, 1, 4);
    secret.panic(9);
    udp.report(1, codes::PERIMETER, 1, 2);
    wait_for(Duration::from_secs(15), || async {
        (clear.acked() == 1 && secret.acked() == 2 && udp.acked() == 1).then_some(())
    })
    .await
    .unwrap_or_else(|| {
        panic!(
            "pysiaalarm did not acknowledge every report: clear {} (naks {}), encrypted {} (naks {}), udp {}",
            clear.acked(),
            clear.naks(),
            secret.acked(),
            secret.naks(),
            udp.acked()
        )
    });
    let v: serde_json::Value = tokio::task::spawn_blocking(move || {
        let mut rest = String::new();
        for l in out.lines() {
            rest = l.unwrap();
        }
        let _ = child.wait();
        serde_json::from_str(&rest).expect("the receiver prints JSON")
    })
    .await
    .unwrap();
    let events: Vec<&serde_json::Value> = v["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["message_type"] != "NULL")
        .collect();
    let find = |acct: &str, code: &str, zone: &str| {
        events
            .iter()
            .find(|e| e["account"] == acct && e["code"] == code && e["ri"] == zone)
            .unwrap_or_else(|| panic!("no {code} from {acct} zone {zone} in {v}"))
    };
    // pysiaalarm maps Contact ID to SIA codes: 131 → BA, 120 → PA.
    let touch = find("1234", "BA", "003");
    assert_eq!(touch["response"], "ACK");
    let udp_report = events
        .iter()
        .find(|e| e["account"] == "1234" && e["code"] == "BA" && e["ri"] == "01")
        .unwrap_or_else(|| panic!("no SIA-DCS report over UDP in {v}"));
    assert_eq!(udp_report["response"], "ACK", "SIA-DCS over UDP too");
    let panic = find("5678", "PA", "009");
    assert_eq!(panic["encrypted"], true);
    assert_eq!(panic["valid_timestamp"], true);
    assert!(
        v["counts"]["tcp"]["valid_events"].as_u64().unwrap() >= 3,
        "{v}"
    );
    for link in ["tcp", "udp"] {
        let c = &v["counts"][link];
        assert_eq!(
            (
                c["error_crc"].as_u64(),
                c["error_format"].as_u64(),
                c["error_timestamp"].as_u64()
            ),
            (Some(0), Some(0), Some(0)),
            "{link}: {c}"
        );
    }
}
