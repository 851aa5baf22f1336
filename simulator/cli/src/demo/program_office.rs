//! The demo's dual prevention program, played by three people signed in to
//! the API: the program office's safety officer imports the register of the
//! four buildings from the program's spreadsheets (the chemistry
//! laboratory graded orange by its LEC score, which the map then shows),
//! sets the laboratory's daily round from yesterday (yesterday's is missed)
//! and enters what the data cannot show for the term; the chemistry
//! inspector does today's round as her phone would and fixes at once what
//! she found; and each time the canteen panel's mains fault outlasts its
//! rule, the hazard the hub opens is taken through the loop by the office
//! and the canteen's worker, accepted once the panel has power again.

use std::time::Duration;

use serde_json::{Value, json};

use super::session::Api;

/// 风险点清单 of the four buildings.
const POINTS: &str = "风险点编号,风险点名称,所在区域,责任单位,管控措施,责任人,监测设备,复核周期(天)\n\
    CHEM-N-LAB,化学北楼有机合成实验室,chem-north,chem,\"工程技术：通风橱每日开机检查\n管理：危化品双人双锁管理\n应急处置：配备洗眼器和灭火毯\",赵磊,fp-chem-north,365\n\
    LIB-READING,图书馆阅览区,library,library,\"管理：闭馆前巡查电源\n应急处置：疏散通道保持畅通\",周婷,fp-library,365\n\
    CANTEEN-KITCHEN,学苑餐厅后厨,canteen,logistics,\"工程技术：燃气泄漏报警联动切断\n培训教育：厨师每月消防培训\",刘洋,fp-canteen,365\n\
    DORM3-FLOORS,3号宿舍楼各楼层,dorm-3,logistics,\"管理：每周检查违规电器\n个体防护：楼层配备防烟面罩\",刘洋,fp-dorm-3,365\n";

/// 风险等级清单: LEC for three, the matrix for the dormitory.
const LEVELS: &str = "风险点编号,评价方法,L,E,C,S\n\
    CHEM-N-LAB,LEC,6,6,7,\n\
    LIB-READING,LEC,1,6,15,\n\
    CANTEEN-KITCHEN,LEC,3,6,7,\n\
    DORM3-FLOORS,风险矩阵,2,,,3\n";

/// 危险源清单.
const SOURCES: &str = "风险点编号,危险源名称,类别,可能导致的事故\n\
    CHEM-N-LAB,易燃有机溶剂,危化品,火灾、中毒\n\
    CHEM-N-LAB,通风橱电机,触电,触电\n\
    LIB-READING,书库可燃物,火灾,火灾\n\
    LIB-READING,考试周人员密集,人员聚集,踩踏\n\
    CANTEEN-KITCHEN,液化气管道,燃气,爆炸、火灾\n\
    DORM3-FLOORS,违规大功率电器,触电,火灾、触电\n";

/// Who plays the program: login and password of the office's safety
/// officer, the chemistry inspector and the canteen's worker.
pub(super) struct Players {
    pub office: (String, String),
    pub inspector: (String, String),
    pub canteen: (String, String),
}

/// Set up the register, rounds and term entries, then answer the canteen's
/// hazards as they come.
pub(super) async fn run(url: String, people: Players, term: String) {
    let (Some(office), Some(inspector), Some(canteen)) = (
        Api::sign_in(
            &url,
            &people.office.0,
            &people.office.1,
            "the demo program office",
        )
        .await,
        Api::sign_in(
            &url,
            &people.inspector.0,
            &people.inspector.1,
            "the demo chemistry inspector",
        )
        .await,
        Api::sign_in(
            &url,
            &people.canteen.0,
            &people.canteen.1,
            "the demo canteen worker",
        )
        .await,
    ) else {
        return;
    };
    register(&office).await;
    rounds(&office, &inspector).await;
    office
        .post_until(
            "/api/v1/hazards",
            json!({"zone": "chem-north", "point": "CHEM-N-LAB", "category": "chemical",
                   "description": "学校检查发现：实验室门口堆放试剂纸箱，占用疏散通道",
                   "client_id": "demo-office-check-1"}),
        )
        .await;
    office
        .post_until(
            "/api/v1/assessment/entries",
            json!({"unit": "chem", "term": term, "article": "第十二条", "points": 10,
                   "reason": "本学期未进行教育培训效果监测"}),
        )
        .await;
    loop {
        canteen_hazard(&office, &canteen).await;
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

async fn register(office: &Api) {
    for (list, sheet) in [
        ("risk-points", POINTS),
        ("risk-levels", LEVELS),
        ("hazard-sources", SOURCES),
    ] {
        for _ in 0..10 {
            if office
                .post_sheet(&format!("/api/v1/lists/{list}"), sheet)
                .await
                .is_some()
            {
                break;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
}

/// The site's day `offset` days from today, `YYYY-MM-DD`.
async fn day(api: &Api, offset: i64) -> Option<String> {
    let me = api.get("/api/v1/session").await?;
    let minutes = me["utc_offset_minutes"].as_i64().unwrap_or(0);
    let now = twinwall_hub::bus::now_ms() + minutes * 60_000;
    Some(twinwall_hub::statistics::report::format_day(
        now.div_euclid(86_400_000) + offset,
    ))
}

async fn rounds(office: &Api, inspector: &Api) {
    let Some(yesterday) = day(office, -1).await else {
        return;
    };
    office
        .post_until(
            "/api/v1/inspections/tasks",
            json!({"id": "CHEM-N-LAB-daily", "point": "CHEM-N-LAB", "every": "daily",
                   "from": yesterday, "name": "有机合成实验室日常巡查"}),
        )
        .await;
    office
        .post_until(
            "/api/v1/inspections/tasks",
            json!({"id": "CANTEEN-KITCHEN-weekly", "point": "CANTEEN-KITCHEN", "every": "weekly",
                   "name": "学苑餐厅后厨每周巡查"}),
        )
        .await;
    // Today's round: the checklist is the point's measures; one of them
    // fails, and she fixes it at once.
    let Some(tasks) = inspector.get("/api/v1/inspections").await else {
        return;
    };
    let Some(task) = tasks["tasks"]
        .as_array()
        .and_then(|t| t.iter().find(|t| t["id"] == "CHEM-N-LAB-daily"))
    else {
        return;
    };
    if !task["done"].is_null() {
        return;
    }
    let checklist: Vec<&str> = task["checklist"]
        .as_array()
        .map(|c| c.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let items: Vec<Value> = checklist
        .iter()
        .enumerate()
        .map(|(i, item)| {
            if i == checklist.len() - 1 {
                json!({"item": item, "ok": false, "note": "洗眼器水压不足"})
            } else {
                json!({"item": item, "ok": true})
            }
        })
        .collect();
    let found = checklist.last().map(|item| {
        json!([{"item": item, "description": "洗眼器水压不足，冲洗水流过小", "category": "chemical"}])
    });
    let Some(round) = inspector
        .post_until(
            "/api/v1/inspections/rounds",
            json!({"task": "CHEM-N-LAB-daily", "client_id": format!("demo-round-{}", task["period"]["key"]),
                   "items": items, "hazards": found.unwrap_or_default()}),
        )
        .await
    else {
        return;
    };
    tokio::time::sleep(Duration::from_secs(5)).await;
    for id in round["hazards"].as_array().into_iter().flatten() {
        if let Some(id) = id.as_str() {
            inspector
                .post(
                    &format!("/api/v1/hazards/{id}/fix"),
                    json!({"note": "已清洗过滤网，水压恢复正常 (filter cleaned, pressure back)"}),
                )
                .await;
        }
    }
}

/// The first hazard of the canteen's panel rule in state `state`, asked
/// every second.
async fn rule_hazard(api: &Api, state: &str) -> Value {
    loop {
        if let Some(v) = api
            .get(&format!(
                "/api/v1/hazards?zone=canteen&origin=rule&state={state}"
            ))
            .await
            && let Some(h) = v["hazards"].as_array().and_then(|a| a.last())
        {
            return h.clone();
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Wait for the next hazard the canteen panel's rule opens and take it
/// through the loop.
async fn canteen_hazard(office: &Api, worker: &Api) {
    let h = rule_hazard(office, "open").await;
    let Some(id) = h["id"].as_str().map(str::to_owned) else {
        return;
    };
    let path = |step: &str| format!("/api/v1/hazards/{id}/{step}");
    if h["state"] == "reported" {
        office
            .post(
                &path("notice"),
                json!({"person": "刘洋", "note": "请后勤保障部限期恢复主电并排查原因"}),
            )
            .await;
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    worker
        .post(&path("start"), json!({"note": "已通知电工到场"}))
        .await;
    worker
        .post(
            &path("progress"),
            json!({"note": "主电开关跳闸，已更换 (the mains breaker tripped, replaced)"}),
        )
        .await;
    worker
        .post(&path("submit"), json!({"note": "主电已恢复，请验收"}))
        .await;
    // Accepted once the panel reports its mains back.
    loop {
        match office.get(&format!("/api/v1/hazards/{id}")).await {
            Some(v) if v["state"] != "submitted" => return,
            Some(v) if v["condition_active"] == false => break,
            _ => tokio::time::sleep(Duration::from_secs(1)).await,
        }
    }
    office
        .post(&path("accept"), json!({"note": "验收合格，予以销号"}))
        .await;
}
