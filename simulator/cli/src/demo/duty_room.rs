//! The demo's duty room, a person signed in to the API (session cookie and
//! CSRF token, so the log names her as the actor): she takes the chemistry building's fire
//! alarm, acknowledges it, resets the panel and closes the alarm with a
//! note; the canteen's alarm it leaves unanswered, so it escalates.

use std::time::Duration;

use serde_json::{Value, json};

const CHEM: &str = "campus/chem-north";

struct Api {
    client: reqwest::Client,
    url: String,
    cookie: String,
    csrf: String,
}

impl Api {
    async fn get(&self, path: &str) -> Option<Value> {
        let r = self
            .client
            .get(format!("{}{path}", self.url))
            .header("cookie", &self.cookie)
            .send()
            .await
            .ok()?;
        r.json().await.ok()
    }

    async fn post(&self, path: &str, body: Value) {
        let r = self
            .client
            .post(format!("{}{path}", self.url))
            .header("cookie", &self.cookie)
            .header("x-csrf-token", &self.csrf)
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

/// Sign in as `login`; the session's cookie and CSRF token.
async fn sign_in(
    client: &reqwest::Client,
    url: &str,
    login: &str,
    password: &str,
) -> Option<(String, String)> {
    let r = client
        .post(format!("{url}/api/v1/session"))
        .json(&json!({"login": login, "password": password}))
        .send()
        .await
        .ok()?;
    let cookie = r
        .headers()
        .get("set-cookie")?
        .to_str()
        .ok()?
        .split(';')
        .next()?
        .to_owned();
    let body: Value = r.json().await.ok()?;
    Some((cookie, body["csrf_token"].as_str()?.to_owned()))
}

/// Sign in as the duty room's operator and handle the chemistry building's
/// fire alarm to closure.
pub(super) async fn run(url: String, login: String, password: String) {
    let client = reqwest::Client::new();
    let Some((cookie, csrf)) = sign_in(&client, &url, &login, &password).await else {
        tracing::warn!("the demo duty room could not sign in");
        return;
    };
    let api = Api {
        client,
        url,
        cookie,
        csrf,
    };
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
