//! People sign in: a session cookie and a CSRF token, the actor of what
//! they do named by the person, the same answer for a wrong login and a
//! wrong password, lock-out with back-off, and live streams that end when
//! the session or token that opened them is revoked.

use std::time::Duration;

use serde_json::{Value, json};
use twinwall_simulator::fire_panel::FirePanel;
use twinwall_tests::{TestHub, panel_device, wait_for};

const ZONES: &str = "[[zones]]\nid = \"campus\"\n[[zones]]\nid = \"chem-north\"\nparent = \"campus\"\n\
                     [[zones]]\nid = \"gate-north\"\nparent = \"campus\"\n";

async fn sign_in(hub: &TestHub, login: &str, password: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}/api/v1/session", hub.url))
        .json(&json!({"login": login, "password": password}))
        .send()
        .await
        .unwrap()
}

/// A signed-in browser: its cookie and CSRF token.
struct Browser {
    cookie: String,
    csrf: String,
    url: String,
}

impl Browser {
    async fn new(hub: &TestHub, login: &str, password: &str) -> Self {
        let r = sign_in(hub, login, password).await;
        assert_eq!(r.status(), 200);
        let set = r.headers()["set-cookie"].to_str().unwrap().to_owned();
        for attr in ["HttpOnly", "SameSite=Strict", "Path=/"] {
            assert!(set.contains(attr), "{set}");
        }
        assert!(!set.contains("Secure"), "no TLS here: {set}");
        let body: Value = r.json().await.unwrap();
        Browser {
            cookie: set.split(';').next().unwrap().to_owned(),
            csrf: body["csrf_token"].as_str().unwrap().to_owned(),
            url: hub.url.clone(),
        }
    }

    fn get(&self, path: &str) -> reqwest::RequestBuilder {
        reqwest::Client::new()
            .get(format!("{}{path}", self.url))
            .header("cookie", &self.cookie)
    }

    async fn post(&self, path: &str, body: Value, csrf: bool) -> (u16, Value) {
        let mut r = reqwest::Client::new()
            .post(format!("{}{path}", self.url))
            .header("cookie", &self.cookie)
            .json(&body);
        if csrf {
            r = r.header("x-csrf-token", &self.csrf);
        }
        let r = r.send().await.unwrap();
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_person_signs_in_and_acts_under_their_own_name_with_the_csrf_token() {
    let p = FirePanel::start("fp-1", "127.0.0.1:0".parse().unwrap(), 8)
        .await
        .unwrap();
    let dev = panel_device("fp-1", "chem-north", p.addr(), "settings = { points = 8 }");
    let hub = TestHub::start(&["modbus-fire-panel"], &format!("{ZONES}{dev}"))
        .await
        .unwrap();
    hub.wait_online("fp-1").await.unwrap();
    let pw = hub.add_person("wang.fang", "王芳", "operator", &[]).await;
    let me = Browser::new(&hub, "wang.fang", &pw).await;
    let who: Value = me
        .get("/api/v1/session")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (who["actor"].as_str(), who["role"].as_str()),
        (Some("王芳#wang.fang"), Some("operator"))
    );

    p.with_state(|s| s.alarm(2));
    let list = wait_for(Duration::from_secs(10), || async {
        let v: Value = me
            .get("/api/v1/alarms")
            .send()
            .await
            .ok()?
            .json()
            .await
            .ok()?;
        (v["total"] == 1).then_some(v)
    })
    .await
    .expect("the alarm, read with the cookie");
    let id = list["alarms"][0]["id"].as_str().unwrap().to_owned();
    // A page elsewhere can make the browser send the cookie, not the token.
    let (status, body) = me
        .post(&format!("/api/v1/alarms/{id}/ack"), json!({}), false)
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("csrf")),
        "{body}"
    );
    let (status, body) = me
        .post(&format!("/api/v1/alarms/{id}/ack"), json!({}), true)
        .await;
    assert_eq!(status, 200, "{body}");
    let acked = hub.events("kind=alarm.acknowledged").await.unwrap();
    assert_eq!(acked[0]["actor"], "王芳#wang.fang");
    let started = hub.events("kind=session.started").await.unwrap();
    assert_eq!(started[0]["actor"], "王芳#wang.fang");

    // Sign out: the cookie is cleared and worth nothing any more.
    let r = reqwest::Client::new()
        .delete(format!("{}/api/v1/session", hub.url))
        .header("cookie", &me.cookie)
        .header("x-csrf-token", &me.csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    assert_eq!(me.get("/api/v1/alarms").send().await.unwrap().status(), 401);
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_logins_and_passwords_answer_alike_and_lock_out() {
    let hub = TestHub::start(&[], ZONES).await.unwrap();
    let pw = hub
        .add_person("li", "李强", "guard", &["campus/gate-north"])
        .await;
    let answer =
        |r: reqwest::Response| async move { (r.status().as_u16(), r.text().await.unwrap()) };
    let wrong_pw = answer(sign_in(&hub, "li", "not his password").await).await;
    let no_one = answer(sign_in(&hub, "nobody", "not his password").await).await;
    assert_eq!(wrong_pw.0, 401);
    assert_eq!(wrong_pw, no_one, "no telling who has an account");
    // Four more failures make five: locked, even with the right password.
    for _ in 0..4 {
        sign_in(&hub, "li", "still wrong").await;
    }
    let r = sign_in(&hub, "li", &pw).await;
    assert_eq!(r.status(), 429);
    let wait: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=30).contains(&wait), "{wait}");
    // The same for a login nobody has.
    for _ in 0..4 {
        sign_in(&hub, "nobody", "x").await;
    }
    assert_eq!(sign_in(&hub, "nobody", "x").await.status(), 429);
    let refused = hub.events("kind=session.refused").await.unwrap();
    assert_eq!(refused.len(), 10);
    // Someone else signs in meanwhile; a guard's zones come with the session.
    let pw2 = hub
        .add_person("zhao", "赵敏", "guard", &["campus/gate-north"])
        .await;
    let zhao = Browser::new(&hub, "zhao", &pw2).await;
    let who: Value = zhao
        .get("/api/v1/session")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(who["zones"], json!(["campus/gate-north"]));
    // Unknown zones are refused when a person is added.
    let r = hub
        .http
        .post(format!("{}/api/v1/users", hub.url))
        .json(&json!({"login": "x", "name": "X", "role": "guard", "zones": ["gate-north"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
}

/// Read `r`'s body until it ends; false if it is still open after `within`.
async fn ends_within(mut r: reqwest::Response, within: Duration) -> bool {
    tokio::time::timeout(within, async { while let Ok(Some(_)) = r.chunk().await {} })
        .await
        .is_ok()
}

#[tokio::test(flavor = "multi_thread")]
async fn revoking_a_person_or_a_token_ends_the_streams_they_opened() {
    let hub = TestHub::start(&[], ZONES).await.unwrap();
    let pw = hub.add_person("wang", "王伟", "operator", &[]).await;
    let me = Browser::new(&hub, "wang", &pw).await;
    let stream = me.get("/api/v1/events/stream").send().await.unwrap();
    assert_eq!(stream.status(), 200);
    let alarms = me.get("/api/v1/alarms/stream").send().await.unwrap();
    assert_eq!(alarms.status(), 200);
    // Both stay open while the person may sign in.
    let (stream, alarms) = {
        let mut s = stream;
        let early = tokio::time::timeout(Duration::from_millis(1500), s.chunk()).await;
        assert!(
            early.is_err() || matches!(early, Ok(Ok(Some(_)))),
            "still open"
        );
        (s, alarms)
    };
    hub.post("/api/v1/users/wang/disable", &json!({}))
        .await
        .unwrap();
    assert!(
        ends_within(stream, Duration::from_secs(5)).await,
        "the event stream ended"
    );
    assert!(
        ends_within(alarms, Duration::from_secs(5)).await,
        "the alarm stream ended"
    );
    assert_eq!(me.get("/api/v1/alarms").send().await.unwrap().status(), 401);
    assert!(sign_in(&hub, "wang", &pw).await.status() == 401, "disabled");

    // A token's stream ends when the token is revoked.
    let made = hub
        .post(
            "/api/v1/tokens",
            &json!({"name": "wall screen", "role": "viewer"}),
        )
        .await
        .unwrap();
    let wall = twinwall_tests::client_with(made["secret"].as_str().unwrap());
    let s = wall
        .get(format!("{}/api/v1/events/stream", hub.url))
        .send()
        .await
        .unwrap();
    assert_eq!(s.status(), 200);
    let r = hub
        .http
        .delete(format!(
            "{}/api/v1/tokens/{}",
            hub.url,
            made["id"].as_str().unwrap()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        ends_within(s, Duration::from_secs(5)).await,
        "the token's stream ended"
    );

    // A password change ends the sessions made before it.
    let pw3 = hub.add_person("sun", "孙丽", "viewer", &[]).await;
    let sun = Browser::new(&hub, "sun", &pw3).await;
    hub.post("/api/v1/users/sun/password", &json!({}))
        .await
        .unwrap();
    assert_eq!(
        sun.get("/api/v1/alarms").send().await.unwrap().status(),
        401
    );
}
