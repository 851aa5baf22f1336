//! A person of the demo signed in to the API (session cookie and CSRF
//! token, so the log names them as the actor of what they do).

use std::time::Duration;

use serde_json::{Value, json};

pub(super) struct Api {
    client: reqwest::Client,
    url: String,
    cookie: String,
    csrf: String,
    /// Who they are, for the log lines when the hub refuses them.
    who: &'static str,
}

impl Api {
    fn new(
        client: reqwest::Client,
        url: String,
        cookie: String,
        csrf: String,
        who: &'static str,
    ) -> Self {
        Api {
            client,
            url,
            cookie,
            csrf,
            who,
        }
    }

    /// Sign `login` in at `url`; `None` (and a log line) when that fails.
    pub(super) async fn sign_in(
        url: &str,
        login: &str,
        password: &str,
        who: &'static str,
    ) -> Option<Self> {
        let client = reqwest::Client::new();
        match sign_in(&client, url, login, password).await {
            Some((cookie, csrf)) => Some(Api::new(client, url.to_owned(), cookie, csrf, who)),
            None => {
                tracing::warn!(who, "could not sign in");
                None
            }
        }
    }

    pub(super) async fn get(&self, path: &str) -> Option<Value> {
        let r = self
            .client
            .get(format!("{}{path}", self.url))
            .header("cookie", &self.cookie)
            .send()
            .await
            .ok()?;
        r.json().await.ok()
    }

    /// POST `body` as JSON; the answer when the hub took it.
    pub(super) async fn post(&self, path: &str, body: Value) -> Option<Value> {
        let r = self
            .client
            .post(format!("{}{path}", self.url))
            .header("cookie", &self.cookie)
            .header("x-csrf-token", &self.csrf)
            .json(&body);
        self.answer(path, r).await
    }

    /// Like `post`, tried again every second (ten times at most) while the
    /// hub is busy or refuses: what a person would do at start-up.
    pub(super) async fn post_until(&self, path: &str, body: Value) -> Option<Value> {
        for _ in 0..10 {
            if let Some(v) = self.post(path, body.clone()).await {
                return Some(v);
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        None
    }

    /// POST a spreadsheet as the body; the answer when the hub took it.
    pub(super) async fn post_sheet(&self, path: &str, body: &'static str) -> Option<Value> {
        let r = self
            .client
            .post(format!("{}{path}", self.url))
            .header("cookie", &self.cookie)
            .header("x-csrf-token", &self.csrf)
            .header("content-type", "text/csv")
            .body(body);
        self.answer(path, r).await
    }

    async fn answer(&self, path: &str, r: reqwest::RequestBuilder) -> Option<Value> {
        match r.send().await {
            Ok(r) if r.status().is_success() => Some(r.json().await.unwrap_or(Value::Null)),
            Ok(r) => {
                let status = r.status();
                let why = r.text().await.unwrap_or_default();
                tracing::warn!(who = self.who, path, %status, why, "the hub refused");
                None
            }
            Err(e) => {
                tracing::warn!(who = self.who, path, error = %e, "could not reach the hub");
                None
            }
        }
    }

    /// The first alarm of `query` for which `pred` holds, asked every second.
    pub(super) async fn wait_alarm(&self, query: &str, pred: impl Fn(&Value) -> bool) -> Value {
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
