//! The demo's duty room, a person signed in to the API (session cookie and
//! CSRF token, so the log names her as the actor): she takes the chemistry building's fire
//! alarm, acknowledges it, resets the panel and closes the alarm with a
//! note; the canteen's alarm it leaves unanswered, so it escalates.

use std::time::Duration;

use serde_json::json;

use super::session::Api;

const CHEM: &str = "campus/chem-north";

/// Sign in as the duty room's operator and handle the chemistry building's
/// fire alarm to closure.
pub(super) async fn run(url: String, login: String, password: String) {
    let Some(api) = Api::sign_in(&url, &login, &password, "the demo duty room").await else {
        return;
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
