//! The demo's duty room, a client of the API with the operator's token (so
//! the log names it as the actor): it takes the chemistry building's fire
//! alarm, acknowledges it, resets the panel and closes the alarm with a
//! note; the canteen's alarm it leaves unanswered, so it escalates.

use std::time::Duration;

use serde_json::{Value, json};

const CHEM: &str = "campus/chem-north";

struct Api {
    client: reqwest::Client,
    url: String,
}

impl Api {
    async fn get(&self, path: &str) -> Option<Value> {
        let r = self
            .client
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .ok()?;
        r.json().await.ok()
    }

    async fn post(&self, path: &str, body: Value) {
        let r = self
            .client
            .post(format!("{}{path}", self.url))
            .json(&body)
            .send()
            .await;
        match r {
            Ok(r) if r.status().is_success() => {}
            Ok(r) => tracing::warn!(path, status = %r.status(), "the demo duty room was refused"),
            Err(e) => {
                tracing::warn!(path, error = %e, "the demo duty room could not reach the hub")
            }
        }
    }

    /// The first alarm of `query` for which `pred` holds, asked every second.
    async fn wait_alarm(&self, query: &str, pred: impl Fn(&Value) -> bool) -> Value {
        loop {
            if let Some(v) = self
                .get(&format!("/api/v1/alarms?group=false&{query}"))
                .await
                && let Some(a) = v["alarms"]
                    .as_array()
                    .and_then(|a| a.iter().find(|a| pred(a)))
            {
                return a.clone();
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
}

/// Handle the chemistry building's fire alarm to closure.
pub(super) async fn run(url: String, token: String) {
    let Ok(client) = twinwall_hub::auth::cli::api_client(&token) else {
        return;
    };
    let api = Api { client, url };
    let alarm = api
        .wait_alarm(&format!("zone={CHEM}&kind=fire.alarm"), |_| true)
        .await;
    let Some(id) = alarm["id"].as_str().map(str::to_owned) else {
        return;
    };
    tokio::time::sleep(Duration::from_secs(6)).await;
    api.post(
        &format!("/api/v1/alarms/{id}/ack"),
        json!({"note": "值班室已确认，保卫处已派人到场 (acknowledged, a guard is on the way)"}),
    )
    .await;
    api.post(&format!("/api/v1/alarms/{id}/assign"), json!({}))
        .await;
    tokio::time::sleep(Duration::from_secs(6)).await;
    api.post(
        "/api/v1/devices/fp-chem-north/commands",
        json!({"command": "reset"}),
    )
    .await;
    api.wait_alarm(&format!("zone={CHEM}&kind=fire.alarm"), |a| {
        a["id"] == id.as_str() && a["active"] == false
    })
    .await;
    api.post(
        &format!("/api/v1/alarms/{id}/close"),
        json!({"resolution": "real", "note": "实验室烟雾，通风后复位 (lab smoke, ventilated, panel reset)"}),
    )
    .await;
}
