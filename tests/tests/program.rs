//! The dual prevention program through the API, on real fire panels over
//! Modbus and a real sled on disk: a canteen panel's mains fault held past
//! its rule's time opens exactly one hazard, owned by the canteen's unit,
//! and not again after a restart; three people take it through the loop
//! (notice, rectification with a photo, a refused acceptance while the
//! fault lasts, a failed acceptance, acceptance); an overdue hazard
//! escalates to its unit and then to the program office on a clock the test
//! drives; a 重大 hazard cannot move on without its plan nor close without
//! the office; the register's LEC score gives the zone its colour; a
//! spreadsheet with a bad row is refused naming row and column, and what the
//! hub exports reads back; a unit's term from a known history scores what
//! the plan's articles give by hand.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use serde_json::{Value, json};
use twinwall_simulator::fire_panel::FirePanel;
use twinwall_tests::{TestHub, interop, panel_device, wait_for};

const DAY_MS: i64 = 86_400_000;

/// A 1 × 1 PNG, as a phone's photo would be sent.
const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

const ZONES: &str = "[[zones]]\nid = \"campus\"\nname = \"主校区\"\n\
    [[zones]]\nid = \"chem-north\"\nname = \"化学北楼\"\nparent = \"campus\"\nrisk = \"blue\"\n\
    [[zones]]\nid = \"canteen\"\nname = \"学苑餐厅\"\nparent = \"campus\"\n";

/// The program's settings: the canteen panel's mains fault is a hazard
/// after an hour; deadlines of a day; a term that holds any test day.
const PROGRAM: &str = "[program]\n\
    deadline_days = { general = 1, major = 2 }\n\
    office_after_days = 1\n\
    [[program.hazard_rules]]\nid = \"panel-mains\"\nkinds = [\"fire.fault\"]\n\
    attrs = { fault = \"main_power\" }\nheld_s = 3600\ncategory = \"fire\"\n\
    description = \"火灾报警控制器主电故障\"\n\
    [[program.terms]]\nid = \"all-years\"\nname = \"测试学期\"\nfrom = \"2000-01-01\"\nto = \"2099-12-31\"\n";

fn sys() -> i64 {
    twinwall_hub::bus::now_ms()
}

async fn panel(id: &str) -> FirePanel {
    FirePanel::start(id, "127.0.0.1:0".parse().unwrap(), 8)
        .await
        .unwrap()
}

/// A person signed in: their session cookie and CSRF token.
struct Person {
    url: String,
    http: reqwest::Client,
    cookie: String,
    csrf: String,
}

impl Person {
    async fn get(&self, path: &str) -> (u16, Value) {
        let r = self
            .http
            .get(format!("{}{path}", self.url))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let r = self
            .http
            .post(format!("{}{path}", self.url))
            .header("cookie", &self.cookie)
            .header("x-csrf-token", &self.csrf)
            .json(&body)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }

    /// A step of hazard `id`'s loop, which must be taken.
    async fn step(&self, id: &str, step: &str, body: Value) -> Value {
        let (status, v) = self
            .post(&format!("/api/v1/hazards/{id}/{step}"), body)
            .await;
        assert_eq!(status, 200, "{step} of {id}: {v}");
        v
    }
}

/// Add unit `id` answering for `zones`.
async fn unit(hub: &TestHub, id: &str, name: &str, zones: &[&str]) {
    hub.post(
        "/api/v1/units",
        &json!({"id": id, "name": name, "zones": zones}),
    )
    .await
    .unwrap();
}

/// Add a person of `unit` with `role` and sign them in.
async fn person(hub: &TestHub, login: &str, name: &str, role: &str, unit: &str) -> Person {
    let made = hub
        .post(
            "/api/v1/users",
            &json!({"login": login, "name": name, "role": role, "unit": unit}),
        )
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let r = http
        .post(format!("{}/api/v1/session", hub.url))
        .json(&json!({"login": login, "password": made["password"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{login} signs in");
    let cookie = r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let body: Value = r.json().await.unwrap();
    Person {
        url: hub.url.clone(),
        http,
        cookie,
        csrf: body["csrf_token"].as_str().unwrap().to_owned(),
    }
}

/// The hazards once `pred` holds of the list.
async fn hazards_when(hub: &TestHub, query: &str, pred: impl Fn(&Value) -> bool) -> Value {
    wait_for(Duration::from_secs(10), || async {
        hub.get(&format!("/api/v1/hazards?{query}"))
            .await
            .ok()
            .filter(|v| pred(v))
    })
    .await
    .unwrap_or_else(|| panic!("hazards?{query} never matched"))
}

fn count(v: &Value) -> usize {
    v["hazards"].as_array().map_or(0, Vec::len)
}

fn step_kinds(h: &Value) -> Vec<(String, String)> {
    h["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["kind"].as_str().unwrap().to_owned(),
                s["actor"].as_str().unwrap_or("hub").to_owned(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_held_panel_fault_is_one_hazard_of_its_unit_closed_by_three_people() {
    let canteen = panel("fp-canteen").await;
    let chem = panel("fp-chem").await;
    let now = Arc::new(AtomicI64::new(sys()));
    let devices = format!(
        "{}{}",
        panel_device(
            "fp-canteen",
            "canteen",
            canteen.addr(),
            "settings = { points = 8 }"
        ),
        panel_device(
            "fp-chem",
            "chem-north",
            chem.addr(),
            "settings = { points = 8 }"
        ),
    );
    let mut hub = TestHub::start_with_clock(
        &["modbus-fire-panel"],
        &format!("{ZONES}{PROGRAM}{devices}"),
        now.clone(),
    )
    .await
    .unwrap();
    unit(&hub, "logistics", "后勤保障部", &["campus/canteen"]).await;
    unit(&hub, "chem", "化学化工学院", &["campus/chem-north"]).await;
    unit(&hub, "program-office", "双重预防办公室", &[]).await;
    hub.wait_online("fp-canteen").await.unwrap();
    hub.wait_online("fp-chem").await.unwrap();

    // The mains fail.
    canteen.with_state(|s| s.main_power_fault = true);
    let fault = hub
        .wait_event(
            "kind=fire.fault&device=fp-canteen",
            Duration::from_secs(10),
            |_| true,
        )
        .await
        .expect("the panel reports its mains fault");
    let fault_seq = fault["seq"].as_u64().unwrap();
    // Past the hour, by the hub's clock: one hazard, the fault its evidence.
    now.store(sys() + 3_601_000, Ordering::SeqCst);
    let list = hazards_when(&hub, "", |v| count(v) == 1).await;
    let h = &list["hazards"][0];
    let id = h["id"].as_str().unwrap().to_owned();
    assert_eq!(
        (
            h["origin"].as_str(),
            h["rule"].as_str(),
            h["unit"].as_str(),
            h["zone"].as_str(),
            h["state"].as_str(),
            h["condition_active"].as_bool(),
        ),
        (
            Some("rule"),
            Some("panel-mains"),
            Some("logistics"),
            Some("campus/canteen"),
            Some("reported"),
            Some(true)
        ),
        "{h}"
    );
    assert!(
        h["evidence"]
            .as_array()
            .unwrap()
            .contains(&json!(fault_seq)),
        "{h}"
    );

    // A restart replays the fault (still held, long past its hour) and the
    // hazard: the chemistry panel's fault after it opens a hazard of its
    // own, so the rules ran, and the canteen still has exactly one.
    hub = hub.restart_with_clock(now.clone()).await.unwrap();
    hub.wait_online("fp-chem").await.unwrap();
    chem.with_state(|s| s.main_power_fault = true);
    hub.wait_event(
        "kind=fire.fault&device=fp-chem",
        Duration::from_secs(10),
        |_| true,
    )
    .await
    .unwrap();
    now.store(sys() + 3_601_000, Ordering::SeqCst);
    let both = hazards_when(&hub, "", |v| count(v) == 2).await;
    let units: Vec<(&str, &str)> = both["hazards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["zone"].as_str().unwrap(), h["unit"].as_str().unwrap()))
        .collect();
    assert!(units.contains(&("campus/chem-north", "chem")), "{both}");
    assert_eq!(
        units.iter().filter(|(z, _)| *z == "campus/canteen").count(),
        1,
        "{both}"
    );
    let opened = hub.events("kind=hazard.opened").await.unwrap();
    assert_eq!(opened.len(), 2, "{opened:?}");

    // Three people: the office's safety officer, the canteen's worker, and
    // the logistics unit's own safety officer.
    let officer = person(&hub, "zhang.office", "张敏", "safety", "program-office").await;
    let worker = person(&hub, "li.canteen", "李强", "guard", "logistics").await;
    let head = person(&hub, "wang.logistics", "王伟", "safety", "logistics").await;
    let chem_worker = person(&hub, "zhao.chem", "赵磊", "guard", "chem").await;

    // A unit's people see their unit's hazards, not another's.
    let (_, theirs) = chem_worker.get("/api/v1/hazards").await;
    assert_eq!(count(&theirs), 1, "{theirs}");
    assert_eq!(theirs["hazards"][0]["unit"], "chem");
    // …and may not act on another unit's.
    let (status, v) = chem_worker
        .post(
            &format!("/api/v1/hazards/{id}/fix"),
            json!({"note": "修好了"}),
        )
        .await;
    assert_eq!(status, 403, "{v}");
    // A step out of order is refused naming the state.
    let (status, v) = worker
        .post(&format!("/api/v1/hazards/{id}/start"), json!({}))
        .await;
    assert_eq!(status, 409, "{v}");

    officer
        .step(
            &id,
            "notice",
            json!({"person": "李强", "note": "请限期恢复主电"}),
        )
        .await;
    worker
        .step(&id, "start", json!({"note": "已联系电工"}))
        .await;
    let progressed = worker
        .step(
            &id,
            "progress",
            json!({"note": "更换主电开关", "photos": [{"content_type": "image/png", "data": PNG}]}),
        )
        .await;
    let photo = progressed["steps"].as_array().unwrap().last().unwrap()["media"][0].clone();
    assert_eq!(photo["role"], "photo", "{progressed}");
    let bytes = hub.media(&photo).await.unwrap();
    assert_eq!(bytes[..4], [0x89, b'P', b'N', b'G']);
    worker
        .step(&id, "submit", json!({"note": "已恢复，请验收"}))
        .await;

    // The panel still reports the fault: acceptance is refused.
    let (status, v) = head
        .post(
            &format!("/api/v1/hazards/{id}/accept"),
            json!({"note": "验收"}),
        )
        .await;
    assert_eq!(status, 409, "{v}");
    assert!(v.to_string().contains("still active"), "{v}");
    // A failed acceptance returns it to rectification.
    let back = head
        .step(&id, "reject", json!({"note": "主电仍故障"}))
        .await;
    assert_eq!(back["state"], "rectifying", "{back}");

    canteen.with_state(|s| s.main_power_fault = false);
    hazards_when(&hub, "", |v| {
        v["hazards"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["id"] == id.as_str() && h["condition_active"] == false)
    })
    .await;
    worker
        .step(&id, "submit", json!({"note": "主电已恢复"}))
        .await;
    let closed = officer
        .step(&id, "accept", json!({"note": "验收合格，销号"}))
        .await;
    assert_eq!(closed["state"], "closed", "{closed}");
    assert_eq!(
        step_kinds(&closed)
            .into_iter()
            .map(|(k, a)| format!("{k} {}", a.split('#').next().unwrap()))
            .collect::<Vec<_>>(),
        [
            "hazard.opened hub",
            "hazard.notified 张敏",
            "hazard.started 李强",
            "hazard.progress 李强",
            "hazard.submitted 李强",
            "hazard.rejected 王伟",
            "hazard.submitted 李强",
            "hazard.accepted 张敏",
        ],
        "{closed}"
    );
    // Every step is an event of the log with its actor.
    let trail = hub
        .events("")
        .await
        .unwrap()
        .into_iter()
        .filter(|e| {
            e["kind"].as_str().unwrap().starts_with("hazard.")
                && (e["attrs"]["hazard"] == id.as_str() || format!("HZ{}", e["seq"]) == id)
        })
        .count();
    assert_eq!(trail, 8);
}

#[tokio::test(flavor = "multi_thread")]
async fn overdue_escalates_and_a_major_hazard_needs_its_plan_and_the_office() {
    let now = Arc::new(AtomicI64::new(sys()));
    let hub = TestHub::start_with_clock(&[], &format!("{ZONES}{PROGRAM}"), now.clone())
        .await
        .unwrap();
    unit(&hub, "chem", "化学化工学院", &["campus/chem-north"]).await;
    unit(&hub, "program-office", "双重预防办公室", &[]).await;
    let officer = person(&hub, "zhang.office", "张敏", "safety", "program-office").await;
    let head = person(&hub, "wang.chem", "王伟", "safety", "chem").await;
    let worker = person(&hub, "zhao.chem", "赵磊", "guard", "chem").await;

    // Reported twice by a phone that lost the answer: one hazard.
    let report = json!({
        "zone": "chem-north", "description": "通风橱排风故障", "category": "chemical",
        "client_id": "phone-1-0001",
        "photos": [{"content_type": "image/png", "data": PNG}],
    });
    let (status, first) = worker.post("/api/v1/hazards", report.clone()).await;
    assert_eq!(status, 201, "{first}");
    let (_, again) = worker.post("/api/v1/hazards", report).await;
    assert_eq!(first["id"], again["id"]);
    let id = first["id"].as_str().unwrap().to_owned();
    assert_eq!(
        (first["origin"].as_str(), first["unit"].as_str()),
        (Some("person"), Some("chem"))
    );
    assert_eq!(hub.events("kind=hazard.opened").await.unwrap().len(), 1);

    // Notice with the default deadline (a day); past it, the unit hears;
    // a day after that, the program office.
    // The unit's own safety officer does not give his unit its deadline
    // (第十七条: the office does).
    let (status, v) = head
        .post(&format!("/api/v1/hazards/{id}/notice"), json!({}))
        .await;
    assert_eq!(status, 403, "{v}");
    let noticed = officer.step(&id, "notice", json!({})).await;
    let deadline = noticed["deadline_ms"].as_i64().unwrap();
    assert_eq!(deadline, now.load(Ordering::SeqCst) + DAY_MS);
    worker.step(&id, "start", json!({})).await;
    now.store(deadline + 60_000, Ordering::SeqCst);
    let first = hub
        .wait_event("kind=hazard.overdue", Duration::from_secs(10), |_| true)
        .await
        .expect("overdue reaches the unit");
    assert_eq!(
        (
            first["attrs"]["stage"].as_i64(),
            first["attrs"]["to"].as_str()
        ),
        (Some(1), Some("chem"))
    );
    let listed = hub.get("/api/v1/hazards?overdue=true").await.unwrap();
    assert_eq!(count(&listed), 1, "{listed}");
    now.store(deadline + DAY_MS + 60_000, Ordering::SeqCst);
    let both = hub
        .wait_count("kind=hazard.overdue", 2, Duration::from_secs(10))
        .await
        .expect("then the office");
    assert_eq!(
        (
            both[1]["attrs"]["stage"].as_i64(),
            both[1]["attrs"]["to"].as_str()
        ),
        (Some(2), Some("program-office")),
        "{both:?}"
    );

    // A 重大 hazard: no rectification before its plan, a plan with a field
    // missing is refused naming it, and only the office accepts it.
    let (_, major) = head
        .post(
            "/api/v1/hazards",
            json!({"zone": "chem-north", "description": "危化品库房超量存放", "level": "major", "category": "chemical"}),
        )
        .await;
    let mid = major["id"].as_str().unwrap().to_owned();
    let (status, v) = head
        .post(
            &format!("/api/v1/hazards/{mid}/fix"),
            json!({"note": "已清理"}),
        )
        .await;
    assert_eq!(status, 409, "{v}");
    officer.step(&mid, "notice", json!({})).await;
    let (status, v) = worker
        .post(&format!("/api/v1/hazards/{mid}/start"), json!({}))
        .await;
    assert_eq!(status, 409, "{v}");
    assert!(v.to_string().contains("第十八条"), "{v}");
    let mut plan = json!({
        "goal": "库存降至限量以下", "measures": "转移至危化品中心库", "funds": "2万元",
        "people": "化学化工学院实验室管理科", "deadline": "2099-01-31", "safety": "转移期间专人值守，配备应急器材",
    });
    plan["funds"] = json!("");
    let (status, v) = worker
        .post(
            &format!("/api/v1/hazards/{mid}/plan"),
            json!({"plan": plan}),
        )
        .await;
    assert_eq!(status, 400, "{v}");
    assert!(v.to_string().contains("plan.funds"), "{v}");
    plan["funds"] = json!("2万元");
    worker.step(&mid, "plan", json!({"plan": plan})).await;
    worker.step(&mid, "start", json!({})).await;
    worker.step(&mid, "submit", json!({"note": "已转移"})).await;
    let (status, v) = head
        .post(
            &format!("/api/v1/hazards/{mid}/accept"),
            json!({"note": "合格"}),
        )
        .await;
    assert_eq!(status, 403, "{v}");
    let closed = officer
        .step(&mid, "accept", json!({"note": "合格，销号"}))
        .await;
    assert_eq!(closed["state"], "closed");

    // The command centre's figures: two found this week, one closed, the
    // open one overdue: chemistry's whole open share.
    let (_, f) = officer.get("/api/v1/program/figures?weeks=4").await;
    let weeks = f["weeks"].as_array().unwrap();
    assert_eq!(weeks.len(), 4, "{f}");
    let found: u64 = weeks.iter().map(|w| w["found"].as_u64().unwrap()).sum();
    let closed_n: u64 = weeks.iter().map(|w| w["closed"].as_u64().unwrap()).sum();
    assert_eq!((found, closed_n), (2, 1), "{f}");
    assert_eq!(f["time_to_close"]["closed"], 1, "{f}");
    assert_eq!(
        f["by_unit"],
        json!([{"unit": "chem", "open": 1, "overdue": 1, "overdue_share": 1.0}]),
        "{f}"
    );

    // The same as `twinwall hazards --overdue` prints it, then withdrawn by
    // the office (an admin).
    let overdue = hub.get("/api/v1/hazards?overdue=true").await.unwrap();
    let table = twinwall_hub::program::cli::hazards_table(&overdue);
    let line = table
        .lines()
        .find(|l| l.starts_with(&id))
        .unwrap_or_else(|| panic!("{table}"));
    assert!(
        line.contains("[OVERDUE]") && line.contains("通风橱排风故障"),
        "{table}"
    );
    let done = hub
        .post(
            &format!("/api/v1/hazards/{id}/cancel"),
            &json!({"reason": "重复上报"}),
        )
        .await
        .unwrap();
    assert_eq!(done["state"], "cancelled", "{done}");
}

/// A register point of chemistry's laboratory, assessed by LEC.
fn lab_point(review_days: u32) -> Value {
    json!({
        "id": "CHEM-LAB-01", "name": "化学北楼有机合成实验室", "zone": "chem-north",
        "sources": [
            {"name": "易燃有机溶剂", "category": "chemical", "consequence": "火灾、中毒"},
            {"name": "通风橱", "category": "electrical"}
        ],
        "assessment": {"method": "lec", "l": 6, "e": 6, "c": 7},
        "measures": [
            {"kind": "engineering", "text": "通风橱每日开机检查", "person": "赵磊"},
            {"kind": "management", "text": "危化品双人双锁管理", "unit": "chem"}
        ],
        "review_every_days": review_days,
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn the_register_grades_points_colours_zones_and_reads_its_own_spreadsheets() {
    let hub = TestHub::start(&[], &format!("{ZONES}{PROGRAM}"))
        .await
        .unwrap();
    unit(&hub, "chem", "化学化工学院", &["campus/chem-north"]).await;
    // Before any point, the zone keeps its configured colour.
    let zones = hub.get("/api/v1/zones").await.unwrap();
    let chem = |z: &Value| {
        z["zones"]
            .as_array()
            .unwrap()
            .iter()
            .find(|z| z["path"] == "campus/chem-north")
            .cloned()
            .unwrap()
    };
    assert_eq!(
        (
            chem(&zones)["risk"].as_str(),
            chem(&zones)["risk_from"].as_str()
        ),
        (Some("blue"), Some("config"))
    );
    // 6 × 6 × 7 = 252: orange with the bands 320 / 160 / 70.
    let saved = hub
        .post("/api/v1/risks/points", &lab_point(365))
        .await
        .unwrap();
    assert_eq!(
        (saved["score"].as_f64(), saved["level"].as_str()),
        (Some(252.0), Some("orange")),
        "{saved}"
    );
    assert_eq!(saved["unit"], "chem", "the zone's unit answers for it");
    let zones = hub.get("/api/v1/zones").await.unwrap();
    assert_eq!(
        (
            chem(&zones)["risk"].as_str(),
            chem(&zones)["risk_from"].as_str()
        ),
        (Some("orange"), Some("points"))
    );
    // The campus shows its worst zone's colour.
    let campus = zones["zones"]
        .as_array()
        .unwrap()
        .iter()
        .find(|z| z["path"] == "campus")
        .cloned()
        .unwrap();
    assert_eq!(campus["risk"], "orange", "{campus}");
    // A factor off LEC's scale is refused naming it.
    let mut bad = lab_point(365);
    bad["assessment"]["e"] = json!(5);
    let r = hub
        .http
        .post(format!("{}/api/v1/risks/points", hub.url))
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let text = r.text().await.unwrap();
    assert!(text.contains("assessment") && text.contains('5'), "{text}");

    // The six lists, and the three register lists' roundtrip: what the hub
    // writes as XLSX reads back as the same register.
    let lists = hub.get("/api/v1/lists").await.unwrap();
    assert_eq!(lists["lists"].as_array().unwrap().len(), 6, "{lists}");
    let mut sheets = Vec::new();
    for list in ["risk-points", "risk-levels", "hazard-sources"] {
        let r = hub
            .http
            .get(format!("{}/api/v1/lists/{list}?format=xlsx", hub.url))
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.headers()["content-type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        let book = r.bytes().await.unwrap();
        assert_eq!(&book[..2], b"PK");
        sheets.push((list, book));
    }
    hub.http
        .delete(format!("{}/api/v1/risks/points/CHEM-LAB-01", hub.url))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    assert!(hub.get("/api/v1/risks/points/CHEM-LAB-01").await.is_err());
    for (list, book) in sheets {
        let r = hub
            .http
            .post(format!("{}/api/v1/lists/{list}", hub.url))
            .body(book.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{list}: {}", r.text().await.unwrap());
    }
    let back = hub.get("/api/v1/risks/points/CHEM-LAB-01").await.unwrap();
    assert_eq!(
        (back["score"].as_f64(), back["level"].as_str()),
        (Some(252.0), Some("orange")),
        "{back}"
    );
    assert_eq!(back["sources"], saved["sources"], "{back}");
    assert_eq!(back["measures"], saved["measures"], "{back}");

    // Another program (openpyxl) reads what the hub wrote, Chinese column
    // names and all, and writes a workbook the hub reads: numbers as
    // numbers, a bad row named by row and column.
    let file = hub.dir.path().join("risk-points.xlsx");
    let sheet = hub
        .http
        .get(format!("{}/api/v1/lists/risk-points?format=xlsx", hub.url))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    std::fs::write(&file, &sheet).unwrap();
    let read = interop(
        "xlsx_peer.py",
        vec!["read".into(), file.display().to_string()],
    )
    .await;
    assert_eq!(read["header"][0], "风险点编号", "{read}");
    assert_eq!(
        (read["rows"][0][0].as_str(), read["rows"][0][1].as_str()),
        (Some("CHEM-LAB-01"), Some("化学北楼有机合成实验室")),
        "{read}"
    );
    let written = hub.dir.path().join("levels.xlsx");
    let levels = |e: i64| {
        json!({"header": ["风险点编号", "风险点名称", "评价方法", "L", "E", "C"],
               "rows": [["CHEM-LAB-01", "化学北楼有机合成实验室", "LEC", 3, e, 7]]})
        .to_string()
    };
    let import = |spec: String| {
        let (hub, written) = (&hub, written.clone());
        async move {
            interop(
                "xlsx_peer.py",
                vec!["write".into(), written.display().to_string(), spec],
            )
            .await;
            let r = hub
                .http
                .post(format!("{}/api/v1/lists/risk-levels", hub.url))
                .body(std::fs::read(&written).unwrap())
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let (status, text) = import(levels(5)).await;
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("row 2, column E"), "{text}");
    let (status, text) = import(levels(6)).await;
    assert_eq!(status, 200, "{text}");
    let graded = hub.get("/api/v1/risks/points/CHEM-LAB-01").await.unwrap();
    // 3 × 6 × 7 = 126: yellow.
    assert_eq!(
        (graded["score"].as_f64(), graded["level"].as_str()),
        (Some(126.0), Some("yellow")),
        "{graded}"
    );

    // A CSV with a bad third data row (an unknown zone) is refused as a
    // whole, naming the row as the spreadsheet numbers it and the column.
    let csv = "风险点编号,风险点名称,所在区域,责任单位,管控措施,责任人\n\
        CHEM-LAB-02,化学北楼仪器分析室,chem-north,chem,管理：气瓶固定,赵磊\n\
        \n\
        CHEM-LAB-03,化学北楼危化品库,campus/nowhere,chem,管理：双人双锁,赵磊\n";
    let r = hub
        .http
        .post(format!("{}/api/v1/lists/risk-points", hub.url))
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let text = r.text().await.unwrap();
    assert!(
        text.contains("row 4") && text.contains("所在区域"),
        "{text}"
    );
    assert!(
        hub.get("/api/v1/risks/points/CHEM-LAB-02").await.is_err(),
        "nothing of a refused sheet is saved"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_units_term_scores_the_plans_deductions_from_its_history() {
    let t0 = sys();
    let now = Arc::new(AtomicI64::new(t0));
    let hub = TestHub::start_with_clock(&[], &format!("{ZONES}{PROGRAM}"), now.clone())
        .await
        .unwrap();
    unit(&hub, "chem", "化学化工学院", &["campus/chem-north"]).await;
    unit(&hub, "program-office", "双重预防办公室", &[]).await;
    let officer = person(&hub, "zhang.office", "张敏", "safety", "program-office").await;
    let worker = person(&hub, "zhao.chem", "赵磊", "guard", "chem").await;

    // The history, all at t0: a point to review every day, a daily round
    // from today, a hazard the office found, one the unit found and was
    // given a day for, and the office's entry for training not monitored.
    let (status, v) = officer.post("/api/v1/risks/points", lab_point(1)).await;
    assert_eq!(status, 200, "{v}");
    let (status, v) = officer
        .post(
            "/api/v1/inspections/tasks",
            json!({"id": "CHEM-LAB-01-daily", "point": "CHEM-LAB-01", "every": "daily",
                   "checklist": ["通风橱运行正常", "危化品柜上锁"]}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let (_, found) = officer
        .post(
            "/api/v1/hazards",
            json!({"zone": "chem-north", "description": "实验室门口堆放杂物"}),
        )
        .await;
    assert_eq!(found["found_by_office"], true, "{found}");
    let (_, own) = worker
        .post(
            "/api/v1/hazards",
            json!({"zone": "chem-north", "description": "洗眼器水压不足"}),
        )
        .await;
    let own_id = own["id"].as_str().unwrap().to_owned();
    officer.step(&own_id, "notice", json!({})).await;
    let (status, v) = officer
        .post(
            "/api/v1/assessment/entries",
            json!({"unit": "chem", "term": "all-years", "article": "第十二条", "points": 10,
                   "reason": "本学期未进行教育培训效果监测"}),
        )
        .await;
    assert_eq!(status, 201, "{v}");

    // Today's round ends at the site's midnight.
    let (_, ins) = officer.get("/api/v1/inspections").await;
    let today_ends = ins["tasks"][0]["period"]["end_ms"].as_i64().unwrap();

    // A day and a minute later (events are stamped by the system's clock):
    // today's round missed (and tomorrow's, when today ends within that
    // minute), the review late, the unit's hazard past its deadline.
    let later = t0 + DAY_MS + 60_000;
    now.store(later, Ordering::SeqCst);
    let missed = 1 + usize::from(today_ends + DAY_MS <= later);
    hub.wait_count("kind=inspection.missed", missed, Duration::from_secs(10))
        .await
        .expect("the day's round is missed");
    // The book judges on its own tick: wait until it has all five kinds.
    let a = wait_for(Duration::from_secs(10), || async {
        let (_, a) = officer
            .get("/api/v1/assessment?unit=chem&term=all-years")
            .await;
        let n = a["units"][0]["deductions"].as_array().map_or(0, Vec::len);
        (n >= 4 + missed).then_some(a)
    })
    .await
    .expect("every deduction judged");
    let chem = &a["units"][0];
    let mut got: Vec<(String, i64)> = chem["deductions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["article"].as_str().unwrap().to_owned(),
                d["points"].as_i64().unwrap(),
            )
        })
        .collect();
    got.sort();
    // By hand: 第十二条 10 (entered), 第十三条 10 (review), 第十五条 5 per
    // missed round and 5 for the office's find, 第十七条 5 (late).
    let mut want = vec![
        ("第十二条".to_owned(), 10),
        ("第十三条".to_owned(), 10),
        ("第十五条".to_owned(), 5),
        ("第十七条".to_owned(), 5),
    ];
    want.extend((0..missed).map(|_| ("第十五条".to_owned(), 5)));
    want.sort();
    assert_eq!(got, want, "{a}");
    assert_eq!(chem["score"], 100 - 30 - 5 * missed as i64, "{a}");
    for d in chem["deductions"].as_array().unwrap() {
        assert!(!d["cause"].as_str().unwrap().is_empty(), "{d}");
        assert!(!d["links"].as_array().unwrap().is_empty(), "{d}");
    }
    // The same as an exported workbook.
    let xlsx = hub
        .http
        .get(format!(
            "{}/api/v1/assessment?unit=chem&term=all-years&format=xlsx",
            hub.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(xlsx.status(), 200);
    assert_eq!(&xlsx.bytes().await.unwrap()[..2], b"PK");
    // The unit's people may not enter their own deductions.
    let (status, _) = worker
        .post(
            "/api/v1/assessment/entries",
            json!({"unit": "chem", "term": "all-years", "article": "第十二条", "points": -10, "reason": "x"}),
        )
        .await;
    assert_eq!(status, 403);
}

/// Add a person; their `login:password`.
async fn login_of(
    hub: &TestHub,
    login: &str,
    name: &str,
    role: &str,
    unit: &str,
    zones: &[&str],
) -> String {
    let made = hub
        .post(
            "/api/v1/users",
            &json!({"login": login, "name": name, "role": role, "unit": unit, "zones": zones}),
        )
        .await
        .unwrap();
    format!("{login}:{}", made["password"].as_str().unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn on_a_phone_a_round_carries_its_photo_and_a_report_whose_answer_was_lost_is_recorded_once()
{
    let hub = TestHub::start(&[], &format!("{ZONES}{PROGRAM}"))
        .await
        .unwrap();
    unit(&hub, "chem", "化学化工学院", &["campus/chem-north"]).await;
    unit(&hub, "program-office", "双重预防办公室", &[]).await;
    hub.post("/api/v1/risks/points", &lab_point(365))
        .await
        .unwrap();
    hub.post(
        "/api/v1/inspections/tasks",
        &json!({"id": "CHEM-LAB-01-daily", "point": "CHEM-LAB-01", "every": "daily",
                "name": "有机合成实验室日常巡查"}),
    )
    .await
    .unwrap();
    let inspector = login_of(
        &hub,
        "zhao.chem",
        "赵磊",
        "guard",
        "chem",
        &["campus/chem-north"],
    )
    .await;
    let officer = login_of(
        &hub,
        "zhang.office",
        "张敏",
        "safety",
        "program-office",
        &[],
    )
    .await;
    let shots = twinwall_tests::target_dir().join("console-shots");
    let report = interop(
        "program_browser.py",
        vec![
            "--url".into(),
            hub.url.clone(),
            "--inspector".into(),
            inspector,
            "--officer".into(),
            officer,
            "--task".into(),
            "CHEM-LAB-01-daily".into(),
            "--shots".into(),
            shots.display().to_string(),
        ],
    )
    .await;
    assert_eq!(report["foreign"], json!([]), "{report}");
    assert!(report["scroll_width"].as_i64().unwrap() <= 390, "{report}");
    // The office's officer is offered the notice of a reported hazard.
    let steps = report["officer_steps"].as_array().unwrap();
    assert!(steps.contains(&json!("notice")), "{report}");

    // One round, by the inspector, its last item the hazard with its photo.
    let ins = hub.get("/api/v1/inspections").await.unwrap();
    let rounds = ins["rounds"].as_array().unwrap();
    assert_eq!(rounds.len(), 1, "{ins}");
    let round = &rounds[0];
    assert!(
        round["by"].as_str().unwrap().starts_with("赵磊#"),
        "{round}"
    );
    let items = round["items"].as_array().unwrap();
    assert!(
        items[..items.len() - 1].iter().all(|i| i["ok"] == true),
        "{round}"
    );
    assert_eq!(items.last().unwrap()["ok"], false, "{round}");
    let photo = &round["media"][0];
    let bytes = hub.media(photo).await.unwrap();
    assert!(
        bytes.starts_with(&[0x89, b'P', b'N', b'G']) || bytes.starts_with(&[0xFF, 0xD8]),
        "a picture"
    );

    // The report the page sent again after losing its answer: one hazard.
    let all = hub.get("/api/v1/hazards?state=all").await.unwrap();
    let offline: Vec<&Value> = all["hazards"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["description"].as_str().unwrap().contains("离线上报"))
        .collect();
    assert_eq!(offline.len(), 1, "{all}");
    assert_eq!(offline[0]["unit"], "chem");
    let found: Vec<&Value> = all["hazards"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["round"].is_array())
        .collect();
    assert_eq!(found.len(), 1, "the round's hazard: {all}");
}
