//! End to end: simulated IP speakers (TW-SP1 multicast + TTS, TW-SP2
//! unicast), the real ip-speaker wasm driver, the hub's RTP sender and its
//! broadcast jobs: what each speaker actually received is measured.

use std::time::Duration;

use serde_json::{Value, json};
use twinwall_simulator::speaker::{Model, Speaker, SpeakerFault};
use twinwall_tests::{TestHub, wait_for};

/// Zones, and multicast groups of their own (`n`: tests run side by side).
fn zones(n: u8) -> String {
    format!(
        "[[zones]]\nid = \"campus\"\n[[zones]]\nid = \"chem-north\"\nname = \"化学北楼\"\nparent = \"campus\"\n\
         [[zones]]\nid = \"chem-north-f1\"\nparent = \"chem-north\"\n[[zones]]\nid = \"canteen\"\nparent = \"campus\"\n\
         [broadcast]\nmulticast_interface = \"127.0.0.1\"\nmulticast_group = \"239.255.{n}.1\"\nstart_timeout_ms = 1500\n"
    )
}

fn device(s: &Speaker, zone: &str) -> String {
    let profile = if s.status().tts {
        "twinwall-sp1"
    } else {
        "twinwall-sp2"
    };
    format!(
        "[[devices]]\nid = \"{}\"\ndriver = \"ip-speaker\"\nprofile = \"speaker/{profile}\"\nzone = \"{zone}\"\naddress = \"{}\"\n\
         offline_after_ms = 3000\nrequest_timeout_ms = 1000\n",
        s.id(),
        s.addr()
    )
}

async fn speakers(prefix: &str, n: usize) -> Vec<Speaker> {
    let mut v = Vec::new();
    for i in 0..n {
        let model = if i % 2 == 0 {
            Model::sp1()
        } else {
            Model::sp2()
        };
        v.push(
            Speaker::start(
                &format!("{prefix}-{i}"),
                "127.0.0.1:0".parse().unwrap(),
                model,
            )
            .await
            .unwrap(),
        );
    }
    v
}

fn tone(ms: usize) -> Vec<u8> {
    twinwall_tests::tone_wav(ms)
}

async fn upload(hub: &TestHub, wav: Vec<u8>) -> String {
    hub.upload_clip(wav).await.unwrap()
}

async fn broadcast(hub: &TestHub, body: Value) -> (u16, Value) {
    let r = hub
        .http
        .post(format!("{}/api/v1/broadcasts", hub.url))
        // A caller's word about who it is counts for nothing: the token does.
        .header("x-twinwall-actor", "duty room")
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

/// A request the hub must refuse with `status` and a message naming `why`.
async fn refused(hub: &TestHub, body: Value, status: u16, why: &str) {
    let (s, v) = broadcast(hub, body).await;
    assert_eq!(s, status, "{v}");
    let message = v["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains(why), "{v}");
}

async fn job_until(
    hub: &TestHub,
    id: &str,
    within: Duration,
    pred: impl Fn(&Value) -> bool,
) -> Value {
    let path = format!("/api/v1/broadcasts/{id}");
    match wait_for(within, || async {
        let v = hub.get(&path).await.ok()?;
        pred(&v).then_some(v)
    })
    .await
    {
        Some(v) => v,
        None => panic!(
            "job {id} never got there: {}",
            hub.get(&path).await.unwrap()
        ),
    }
}

async fn all_online(hub: &TestHub, speakers: &[Speaker]) {
    for s in speakers {
        hub.wait_online(s.id()).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_zone_of_fifty_speakers_receives_the_whole_clip() {
    let sp = speakers("sp", 50).await;
    // Half on the floor below the building: child zones are included.
    let devices: String = sp
        .iter()
        .enumerate()
        .map(|(i, s)| {
            device(
                s,
                if i < 25 {
                    "chem-north"
                } else {
                    "chem-north-f1"
                },
            )
        })
        .collect();
    let hub = TestHub::start(&["ip-speaker"], &format!("{}{devices}", zones(71)))
        .await
        .unwrap();
    all_online(&hub, &sp).await;
    let clip = upload(&hub, tone(2000)).await;
    let (status, v) = broadcast(
        &hub,
        json!({"zones": ["chem-north"], "source": {"clip": clip}, "priority": 120, "volume": 80}),
    )
    .await;
    assert_eq!(status, 202, "{v}");
    assert_eq!(v["speakers"], 50);
    let id = v["id"].as_str().unwrap().to_owned();
    let job = job_until(&hub, &id, Duration::from_secs(10), |j| {
        j["answered"] == true
    })
    .await;
    assert_eq!(job["summary"]["started"], 50, "{job}");
    let job = job_until(&hub, &id, Duration::from_secs(15), |j| j["done"] == true).await;
    assert_eq!(job["summary"]["finished"], 50, "{job}");
    for s in &sp {
        let played = wait_for(Duration::from_secs(5), || async {
            s.played().into_iter().find(|p| p.job == id)
        })
        .await
        .unwrap_or_else(|| panic!("{} never ended job {id}: {:?}", s.id(), s.status()));
        let r = &played.reception;
        // The hub says stop when its stream has played out.
        assert!(
            played.end == "finished" || played.end == "stopped",
            "{}: {played:?}",
            s.id()
        );
        assert_eq!(r.gaps, 0, "{}: {r:?}", s.id());
        assert!(
            r.duration_ms.abs_diff(2000) <= 100 && r.audio_ms.abs_diff(2000) <= 100,
            "{}: {r:?}",
            s.id()
        );
        // TW-SP1 joined the zone's multicast group; TW-SP2 got unicast.
        let want = if s.status().multicast {
            "multicast"
        } else {
            "rtp"
        };
        assert_eq!(played.source, want, "{}", s.id());
        assert_eq!(s.status().volume, 80);
    }
    let ev = hub.events("kind=broadcast.started").await.unwrap();
    assert_eq!(ev.len(), 50);
    let audit = hub.events("kind=broadcast.requested").await.unwrap();
    let actor = audit[0]["actor"].as_str().unwrap();
    assert!(actor.starts_with("test admin#"), "{actor}");
}

#[tokio::test(flavor = "multi_thread")]
async fn fire_evacuation_preempts_the_lunchtime_music_which_resumes() {
    let sp = speakers("pre", 2).await;
    let devices: String = sp.iter().map(|s| device(s, "canteen")).collect();
    let hub = TestHub::start(&["ip-speaker"], &format!("{}{devices}", zones(72)))
        .await
        .unwrap();
    all_online(&hub, &sp).await;
    let music = upload(&hub, tone(500)).await;
    let evac = upload(&hub, tone(1000)).await;
    let (_, v) = broadcast(
        &hub,
        json!({"zones": ["canteen"], "source": {"clip": music}, "priority": 20, "repeat": 0, "on_preempt": "resume"}),
    )
    .await;
    let low = v["id"].as_str().unwrap().to_owned();
    job_until(&hub, &low, Duration::from_secs(10), |j| {
        j["summary"]["started"] == 2
    })
    .await;
    // Equal priority does not cut in.
    let (_, v) = broadcast(
        &hub,
        json!({"zones": ["canteen"], "source": {"clip": evac}, "priority": 20}),
    )
    .await;
    let same = v["id"].as_str().unwrap().to_owned();
    let j = job_until(&hub, &same, Duration::from_secs(10), |j| {
        j["answered"] == true
    })
    .await;
    assert_eq!(j["summary"]["failed"], 2, "{j}");
    assert!(
        j["speakers"]["pre-0"]["reason"]
            .as_str()
            .unwrap()
            .contains(&low),
        "{j}"
    );

    let (_, v) = broadcast(
        &hub,
        json!({"all": true, "source": {"clip": evac}, "priority": 255}),
    )
    .await;
    let fire = v["id"].as_str().unwrap().to_owned();
    job_until(&hub, &fire, Duration::from_secs(10), |j| {
        j["summary"]["started"] == 2
    })
    .await;
    let j = job_until(&hub, &low, Duration::from_secs(5), |j| {
        j["summary"]["preempted"] == 2
    })
    .await;
    assert!(
        j["speakers"]["pre-1"]["reason"]
            .as_str()
            .unwrap()
            .contains(&fire),
        "{j}"
    );
    // The evacuation plays out; the music comes back by itself.
    job_until(&hub, &fire, Duration::from_secs(10), |j| {
        j["summary"]["finished"] == 2
    })
    .await;
    let j = job_until(&hub, &low, Duration::from_secs(10), |j| {
        j["summary"]["started"] == 2
    })
    .await;
    assert_eq!(j["speakers"]["pre-0"]["reason"], "resumed", "{j}");
    for s in &sp {
        let p = s.played();
        assert!(
            p.iter().any(|p| p.job == low && p.end == "preempted"),
            "{p:?}"
        );
        let f = p.iter().find(|p| p.job == fire).unwrap();
        assert_eq!((f.priority, f.reception.gaps), (255, 0), "{f:?}");
    }
    assert_eq!(
        hub.events("kind=broadcast.preempted").await.unwrap().len(),
        2
    );
    // An alarm cancelled by the duty room gives the speakers back to the music.
    let (_, v) = broadcast(
        &hub,
        json!({"zones": ["canteen"], "source": {"clip": evac}, "priority": 250, "repeat": 0}),
    )
    .await;
    let alarm = v["id"].as_str().unwrap().to_owned();
    job_until(&hub, &alarm, Duration::from_secs(10), |j| {
        j["summary"]["started"] == 2
    })
    .await;
    job_until(&hub, &low, Duration::from_secs(5), |j| {
        j["summary"]["preempted"] == 2
    })
    .await;
    let r = hub
        .http
        .delete(format!("{}/api/v1/broadcasts/{alarm}", hub.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    job_until(&hub, &low, Duration::from_secs(10), |j| {
        j["summary"]["started"] == 2
    })
    .await;
    // Cancelling stops it everywhere.
    let r = hub
        .http
        .delete(format!("{}/api/v1/broadcasts/{low}", hub.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    for s in &sp {
        wait_for(Duration::from_secs(5), || async {
            (s.status().state == "idle").then_some(())
        })
        .await
        .unwrap_or_else(|| panic!("{} still plays: {:?}", s.id(), s.status()));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_offline_or_faulty_speaker_fails_without_holding_the_job() {
    let sp = speakers("off", 4).await;
    let devices: String = sp.iter().map(|s| device(s, "canteen")).collect();
    let hub = TestHub::start(&["ip-speaker"], &format!("{}{devices}", zones(73)))
        .await
        .unwrap();
    all_online(&hub, &sp).await;
    sp[1].set_down(true);
    sp[2].fault(SpeakerFault::Amplifier);
    let clip = upload(&hub, tone(300)).await;
    let asked = std::time::Instant::now();
    let (_, v) = broadcast(
        &hub,
        json!({"zones": ["canteen"], "source": {"clip": clip}}),
    )
    .await;
    let id = v["id"].as_str().unwrap().to_owned();
    let j = job_until(&hub, &id, Duration::from_secs(10), |j| {
        j["answered"] == true
    })
    .await;
    assert!(
        asked.elapsed() < Duration::from_secs(4),
        "held {:?}",
        asked.elapsed()
    );
    for ok in ["off-0", "off-3"] {
        let st = &j["speakers"][ok]["state"];
        assert!(st == "started" || st == "finished", "{j}");
    }
    assert_eq!(j["speakers"]["off-1"]["state"], "failed");
    assert_eq!(j["speakers"]["off-2"]["state"], "failed");
    let why = j["speakers"]["off-2"]["reason"].as_str().unwrap();
    assert!(why.contains("amplifier"), "{why}");
    hub.wait_event(
        "kind=speaker.fault&device=off-2",
        Duration::from_secs(10),
        |_| true,
    )
    .await
    .unwrap();
    // Text: TW-SP1 speaks it itself; TW-SP2 needs the hub's TTS engine.
    let (_, v) = broadcast(
        &hub,
        json!({"zones": ["canteen"], "source": {"text": "请立即疏散"}, "priority": 200}),
    )
    .await;
    let id = v["id"].as_str().unwrap().to_owned();
    let j = job_until(&hub, &id, Duration::from_secs(10), |j| {
        j["answered"] == true
    })
    .await;
    assert_eq!(j["speakers"]["off-0"]["state"], "started", "{j}");
    let tts_engine = j["clip"].is_string();
    let sp2 = &j["speakers"]["off-3"];
    if tts_engine {
        assert_ne!(sp2["state"], "failed", "{j}");
    } else {
        assert!(
            sp2["reason"].as_str().unwrap().contains("no built-in TTS"),
            "{j}"
        );
    }
    // A speaker that drops off the network while playing fails its job.
    let (_, v) = broadcast(
        &hub,
        json!({"zones": ["canteen"], "source": {"clip": clip}, "priority": 250, "repeat": 0}),
    )
    .await;
    let id = v["id"].as_str().unwrap().to_owned();
    job_until(&hub, &id, Duration::from_secs(10), |j| {
        j["speakers"]["off-3"]["state"] == "started"
    })
    .await;
    sp[3].set_down(true);
    let j = job_until(&hub, &id, Duration::from_secs(15), |j| {
        j["speakers"]["off-3"]["state"] == "failed"
    })
    .await;
    let why = j["speakers"]["off-3"]["reason"].as_str().unwrap();
    assert!(why.contains("went offline"), "{j}");
    assert_eq!(j["speakers"]["off-0"]["state"], "started", "{j}");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_clips_and_bad_requests_get_clear_errors() {
    let sp = speakers("bad", 1).await;
    let hub = TestHub::start(
        &["ip-speaker"],
        &format!("{}{}", zones(74), device(&sp[0], "canteen")),
    )
    .await
    .unwrap();
    let post = |ct: &'static str, body: Vec<u8>| {
        hub.http
            .post(format!("{}/api/v1/clips", hub.url))
            .header("content-type", ct)
            .body(body)
            .send()
    };
    let r = post("audio/wav", b"ID3\x03 not a wav".to_vec())
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not a WAV"),
        "{v}"
    );
    let mut cut = tone(100);
    cut.truncate(200);
    let v: Value = post("audio/wav", cut).await.unwrap().json().await.unwrap();
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("truncated"),
        "{v}"
    );
    assert_eq!(
        post("audio/mpeg", vec![1, 2, 3]).await.unwrap().status(),
        415
    );
    assert_eq!(hub.get("/api/v1/clips").await.unwrap()["clips"], json!([]));

    let clip = json!({"clip": "00".repeat(32)});
    refused(
        &hub,
        json!({"zones": ["canteen"], "source": clip}),
        404,
        "no clip",
    )
    .await;
    let text = json!({"text": "hi"});
    refused(
        &hub,
        json!({"zones": ["atlantis"], "source": text}),
        400,
        "unknown zone `atlantis`",
    )
    .await;
    refused(
        &hub,
        json!({"zones": ["canteen"], "source": text, "priority": 256}),
        400,
        "priority",
    )
    .await;
    refused(
        &hub,
        json!({"zones": ["chem-north"], "source": text}),
        422,
        "no speaker in",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_fire_alarm_starts_the_evacuation_broadcast_and_takes_pictures_by_rule() {
    use twinwall_simulator::camera::Camera;
    use twinwall_simulator::fire_panel::FirePanel;

    let sp = speakers("rule", 3).await;
    let panel = FirePanel::start("fp-1", "127.0.0.1:0".parse().unwrap(), 16)
        .await
        .unwrap();
    let cam = Camera::start("cam-1", "127.0.0.1:0".parse().unwrap(), "admin", "pw")
        .await
        .unwrap();
    let rules_dir = tempfile::tempdir().unwrap();
    let rules = rules_dir.path().join("rules.toml");
    std::fs::write(&rules, "").unwrap();
    let devices: String = sp.iter().map(|s| device(s, "chem-north-f1")).collect();
    let body = format!(
        "{}[linkage]\nfile = {:?}\nreload_ms = 100\n{devices}{}\
         [[devices]]\nid = \"cam-1\"\ndriver = \"onvif-camera\"\nprofile = \"camera/twinwall-cam1\"\nzone = \"chem-north\"\n\
         address = \"{}\"\nusername = \"admin\"\npassword = \"pw\"\noffline_after_ms = 6000\n",
        zones(75),
        rules.display().to_string(),
        twinwall_tests::panel_device("fp-1", "chem-north", panel.addr(), ""),
        cam.addr()
    );
    let hub = TestHub::start(&["ip-speaker", "modbus-fire-panel", "onvif-camera"], &body)
        .await
        .unwrap();
    all_online(&hub, &sp).await;
    for d in ["fp-1", "cam-1"] {
        hub.wait_online(d).await.unwrap();
    }
    let clip = upload(&hub, tone(1500)).await;

    // A bad file is refused with its line; nothing is in force.
    std::fs::write(
        &rules,
        "[[rules]]\nid = \"evacuate\"\nwhen = { kind = [\"fire.alarm\"], zone = \"chem-north\" }\n\
         actions = [{ broadcast = { zones = [\"$zone\"], clip = \"x\", text = \"y\" } }]\n",
    )
    .unwrap();
    let v = wait_for(Duration::from_secs(5), || async {
        let v = hub.get("/api/v1/rules").await.ok()?;
        v["rejected"].is_string().then_some(v)
    })
    .await
    .expect("the bad rules file is refused");
    let why = v["rejected"].as_str().unwrap();
    assert!(
        why.contains("rules.toml:4: ") && why.contains("exactly one of"),
        "{why}"
    );
    assert_eq!(v["rules"], json!([]));
    hub.wait_event("kind=rule.rejected", Duration::from_secs(5), |_| true)
        .await
        .unwrap();

    // The good one is taken without a restart.
    std::fs::write(
        &rules,
        format!(
            "[[rules]]\nid = \"evacuate\"\nwhen = {{ kind = [\"fire.alarm\"], zone = \"chem-north\", min_level = \"red\" }}\n\
             actions = [\n  {{ broadcast = {{ zones = [\"$zone\"], clip = \"{clip}\", repeat = 1 }} }},\n  {{ snapshot = {{ zone = \"$zone\" }} }},\n\
               {{ command = {{ zone = \"chem-north\", command = \"stream_uri\" }} }},\n]\n"
        ),
    )
    .unwrap();
    wait_for(Duration::from_secs(5), || async {
        let v = hub.get("/api/v1/rules").await.ok()?;
        (v["rules"][0]["id"] == "evacuate" && v["rejected"].is_null()).then_some(())
    })
    .await
    .expect("the fixed rules file is taken");

    panel.with_state(|s| s.alarm(3));
    let alarm = hub
        .wait_event(
            "kind=fire.alarm&device=fp-1",
            Duration::from_secs(10),
            |_| true,
        )
        .await
        .unwrap();
    let fired = hub
        .wait_event("kind=rule.fired", Duration::from_secs(10), |_| true)
        .await
        .unwrap();
    assert_eq!(fired["attrs"]["cause"], alarm["seq"], "{fired}");
    assert_eq!(fired["attrs"]["rule"], "evacuate");
    assert_eq!(fired["level"], "red");
    let pics = fired["media"].as_array().unwrap();
    let actions = hub.events("kind=rule.action").await.unwrap();
    assert_eq!(pics.len(), 1, "{fired} {actions:?}");
    assert!(
        hub.media(&pics[0])
            .await
            .unwrap()
            .starts_with(&[0xFF, 0xD8])
    );
    let started = wait_for(Duration::from_secs(10), || async {
        let ev = hub.events("kind=broadcast.started").await.ok()?;
        (ev.len() == 3).then_some(ev)
    })
    .await
    .expect("every speaker of the building starts");
    assert!(started.iter().all(|e| e["attrs"]["priority"] == 255));
    assert_eq!(actions.len(), 3, "{actions:?}");
    assert!(
        actions.iter().all(|a| a["attrs"]["result"] == "ok"),
        "{actions:?}"
    );
    // The command went to every device of the zone that accepts it: the camera.
    let uri = hub
        .wait_event(
            "kind=camera.stream_uri&device=cam-1",
            Duration::from_secs(5),
            |_| true,
        )
        .await
        .unwrap();
    assert!(
        uri["attrs"]["uri"].as_str().unwrap().starts_with("rtsp://"),
        "{uri}"
    );
    for s in &sp {
        let p = wait_for(Duration::from_secs(10), || async {
            s.played().into_iter().find(|p| p.priority == 255)
        })
        .await
        .unwrap_or_else(|| panic!("{} never played the evacuation", s.id()));
        assert!(p.reception.audio_ms.abs_diff(1500) <= 75, "{p:?}");
    }
    // The panel re-reports: the rule is debounced, not fired twice.
    panel.with_state(|s| s.alarm(4));
    hub.wait_event(
        "kind=fire.alarm&device=fp-1",
        Duration::from_secs(10),
        |e| e["attrs"]["point"] == 4,
    )
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(hub.events("kind=rule.fired").await.unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn scheduled_jobs_run_after_a_restart() {
    let sp = speakers("sch", 2).await;
    let devices: String = sp.iter().map(|s| device(s, "canteen")).collect();
    let hub = TestHub::start(&["ip-speaker"], &format!("{}{devices}", zones(76)))
        .await
        .unwrap();
    all_online(&hub, &sp).await;
    let clip = upload(&hub, tone(400)).await;
    let soon = twinwall_hub::bus::format_ms(twinwall_hub::bus::now_ms() + 4000);
    let (s, once) = broadcast(
        &hub,
        json!({"zones": ["canteen"], "source": {"clip": clip}, "schedule": {"at": soon}}),
    )
    .await;
    assert_eq!(s, 202, "{once}");
    assert_eq!(once["next"], soon.as_str());
    let (_, bell) = broadcast(
        &hub,
        json!({"zones": ["canteen"], "source": {"clip": clip}, "schedule": {"daily": "07:50"}}),
    )
    .await;
    let (s, v) = broadcast(
        &hub,
        json!({"zones": ["canteen"], "source": {"clip": clip}, "schedule": {"daily": "7h50"}}),
    )
    .await;
    assert_eq!(s, 400, "{v}");
    let (s, v) = broadcast(
        &hub,
        json!({"zones": ["canteen"], "source": {"clip": clip}, "schedule": {"at": "2020-01-01T00:00:00Z"}}),
    )
    .await;
    assert!(
        s == 400
            && v["error"]["message"]
                .as_str()
                .unwrap()
                .contains("in the past"),
        "{v}"
    );

    // The hub goes down before the time and comes back: the job still plays.
    let hub = hub.restart().await.unwrap();
    let listed = hub.get("/api/v1/schedules").await.unwrap();
    let ids: Vec<&str> = listed["schedules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        vec![once["id"].as_str().unwrap(), bell["id"].as_str().unwrap()]
    );
    all_online(&hub, &sp).await;
    let started = hub
        .wait_event("kind=broadcast.requested", Duration::from_secs(15), |e| {
            e["actor"]
                .as_str()
                .unwrap_or("")
                .starts_with(&format!("schedule {}", once["id"].as_str().unwrap()))
        })
        .await
        .unwrap();
    let job = started["attrs"]["job"].as_str().unwrap().to_owned();
    job_until(&hub, &job, Duration::from_secs(10), |j| {
        j["summary"]["finished"] == 2
    })
    .await;
    // A one-off is gone once run; the daily bell stays, and can be removed.
    let left = hub.get("/api/v1/schedules").await.unwrap();
    assert_eq!(left["schedules"].as_array().unwrap().len(), 1, "{left}");
    let r = hub
        .http
        .delete(format!(
            "{}/api/v1/schedules/{}",
            hub.url,
            bell["id"].as_str().unwrap()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(
        hub.get("/api/v1/schedules").await.unwrap()["schedules"],
        json!([])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_paging_microphone_is_relayed_live() {
    use twinwall_simulator::speaker::mic::PagingMic;

    let mic = PagingMic::start("127.0.0.1:0".parse().unwrap(), 523.0, 1500)
        .await
        .unwrap();
    let sp = speakers("live", 3).await;
    let devices: String = sp.iter().map(|s| device(s, "canteen")).collect();
    let body = format!(
        "{}live_sources = [\"http://127.0.0.1:\"]\n{devices}",
        zones(77)
    );
    let hub = TestHub::start(&["ip-speaker"], &body).await.unwrap();
    all_online(&hub, &sp).await;
    let stranger = json!({"live": "http://192.0.2.1/mic"});
    refused(
        &hub,
        json!({"zones": ["canteen"], "source": stranger}),
        400,
        "is not allowed",
    )
    .await;
    let (s, v) = broadcast(
        &hub,
        json!({"zones": ["canteen"], "source": {"live": mic.url()}, "priority": 200}),
    )
    .await;
    assert_eq!(s, 202, "{v}");
    let id = v["id"].as_str().unwrap().to_owned();
    let j = job_until(&hub, &id, Duration::from_secs(10), |j| {
        j["summary"]["finished"] == 3
    })
    .await;
    assert!(j["clip"].as_str().unwrap().starts_with("live:"), "{j}");
    for s in &sp {
        let p = wait_for(Duration::from_secs(5), || async {
            s.played().into_iter().find(|p| p.job == id)
        })
        .await
        .unwrap();
        // Live: what was said after the speaker joined, in real time, no gap.
        let r = &p.reception;
        assert_eq!(r.gaps, 0, "{r:?}");
        assert!((1300..=1520).contains(&r.audio_ms), "{r:?}");
        assert!(
            r.wall_ms.abs_diff(r.audio_ms) <= 150,
            "paced by the source: {r:?}"
        );
    }
}
