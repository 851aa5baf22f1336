//! The centre's API: the campuses, their alarms on one wall, their devices,
//! history from the streams, pictures from the object stores, and actions
//! sent to the owning hub. Every call but `hello` needs an API token of this
//! centre (`Authorization: Bearer …`); an action also needs the campus to
//! know the token's name as one of its own people, with the role for it.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Shared, Site, history};
use crate::alarms::list::StateFilter;
use crate::auth::{Principal, Role};
use crate::bus::{Level, format_ms, now_ms};
use crate::northbound::jetstream::subjects::{Subjects, media_bucket};

/// How long an action waits for the campus to answer.
const ANSWER_WITHIN: Duration = Duration::from_secs(10);

type Answer = Result<Response, Fail>;

/// A refusal: its status, code and message.
#[derive(Debug)]
struct Fail(StatusCode, String, String);

impl IntoResponse for Fail {
    fn into_response(self) -> Response {
        (
            self.0,
            axum::Json(json!({"error": {"code": self.1, "message": self.2}})),
        )
            .into_response()
    }
}

fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Fail {
    Fail(status, code.to_owned(), message.into())
}

fn who(s: &Shared, headers: &HeaderMap, needs: Role) -> Result<Principal, Fail> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| {
            error(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "send a token of this centre: Authorization: Bearer <token> (twinwall central token --name N --role R)",
            )
        })?;
    let p = s.tokens.verify(token).ok_or_else(|| {
        error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "the token is not one of this centre's",
        )
    })?;
    if p.role < needs {
        return Err(error(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("`{}` has role {}; this needs {needs}", p.name, p.role),
        ));
    }
    Ok(p)
}

fn site_of(s: &Shared, id: &str) -> Result<Arc<Site>, Fail> {
    s.site(id).ok_or_else(|| {
        error(
            StatusCode::NOT_FOUND,
            "not-found",
            format!("no campus `{id}` (GET /api/v1/central lists them)"),
        )
    })
}

/// The routes.
pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/api/v1/central/hello", get(hello))
        .route("/api/v1/health", get(health))
        .route("/api/v1/central", get(central))
        .route("/api/v1/alarms", get(alarms))
        .route("/api/v1/devices", get(devices))
        .route("/api/v1/events", get(events))
        .route("/api/v1/sites/{site}/alarms/{id}/{action}", post(act))
        .route("/api/v1/sites/{site}/devices/{id}/commands", post(command))
        .route("/api/v1/sites/{site}/media/{hash}", get(media))
        .route("/", get(crate::api::console::page))
        .route("/{file}", get(crate::api::console::asset))
        .with_state(shared)
}

async fn hello(State(s): State<Arc<Shared>>) -> Response {
    axum::Json(json!({"central": true, "id": s.config.central.id, "name": s.config.central.name}))
        .into_response()
}

async fn health(State(s): State<Arc<Shared>>) -> Response {
    let sites = s.all();
    let reading = sites
        .iter()
        .filter(|x| x.connected.load(std::sync::atomic::Ordering::Relaxed))
        .count();
    axum::Json(json!({
        "status": "ok",
        "nats": s.client.connection_state().to_string(),
        "sites": sites.len(),
        "reading": reading,
    }))
    .into_response()
}

async fn central(State(s): State<Arc<Shared>>, headers: HeaderMap) -> Answer {
    who(&s, &headers, Role::Viewer)?;
    let sites: Vec<Value> = s
        .all()
        .iter()
        .filter_map(|x| {
            let connected = x.connected.load(std::sync::atomic::Ordering::Relaxed);
            let held = x.held.load(std::sync::atomic::Ordering::Relaxed);
            x.view.lock().ok().map(|v| {
                let mut j = v.summary(connected);
                j["held"] = json!(held);
                j
            })
        })
        .collect();
    Ok(axum::Json(
        json!({"id": s.config.central.id, "name": s.config.central.name, "sites": sites}),
    )
    .into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AlarmQuery {
    site: Option<String>,
    state: Option<StateFilter>,
    level: Option<Level>,
}

fn chosen(s: &Shared, site: &Option<String>) -> Result<Vec<Arc<Site>>, Fail> {
    match site {
        Some(id) => Ok(vec![site_of(s, id)?]),
        None => Ok(s.all()),
    }
}

async fn alarms(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    q: Result<Query<AlarmQuery>, axum::extract::rejection::QueryRejection>,
) -> Answer {
    who(&s, &headers, Role::Viewer)?;
    let Query(q) = q.map_err(|e| error(StatusCode::BAD_REQUEST, "bad-request", e.body_text()))?;
    let now = now_ms();
    let selection = crate::alarms::list::Selection {
        state: q.state.unwrap_or_default(),
        level: q.level,
        ..Default::default()
    };
    let mut out: Vec<(i64, Level, Value)> = Vec::new();
    for site in chosen(&s, &q.site)? {
        let Ok(v) = site.view.lock() else { continue };
        for a in v.book().iter().filter(|a| selection.admits(a, now)) {
            let mut j = a.to_json(now);
            j["site"] = json!(v.site);
            j["site_name"] = json!(v.name);
            out.push((a.opened_ms, a.level, j));
        }
    }
    // The worst first, then the newest: one wall across campuses.
    out.sort_by(|a, b| b.1.cmp(&a.1).then(b.0.cmp(&a.0)));
    let alarms: Vec<Value> = out.into_iter().map(|(.., j)| j).collect();
    Ok(axum::Json(json!({"alarms": alarms})).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SiteQuery {
    site: Option<String>,
}

async fn devices(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    q: Result<Query<SiteQuery>, axum::extract::rejection::QueryRejection>,
) -> Answer {
    who(&s, &headers, Role::Viewer)?;
    let Query(q) = q.map_err(|e| error(StatusCode::BAD_REQUEST, "bad-request", e.body_text()))?;
    let mut out = Vec::new();
    for site in chosen(&s, &q.site)? {
        let Ok(v) = site.view.lock() else { continue };
        for (id, d) in v.devices() {
            out.push(json!({
                "site": v.site, "site_name": v.name, "id": id, "zone": d.zone,
                "online": d.online, "since": d.since_ms.map(format_ms), "last": format_ms(d.last_ms),
            }));
        }
    }
    Ok(axum::Json(json!({"devices": out})).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EventQuery {
    site: Option<String>,
    kind: Option<String>,
    /// RFC 3339; default an hour ago.
    since: Option<String>,
    limit: Option<usize>,
}

/// Most events one history answer holds.
const MAX_LIMIT: usize = 1_000;

async fn events(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    q: Result<Query<EventQuery>, axum::extract::rejection::QueryRejection>,
) -> Answer {
    who(&s, &headers, Role::Viewer)?;
    let Query(q) = q.map_err(|e| error(StatusCode::BAD_REQUEST, "bad-request", e.body_text()))?;
    let limit = q.limit.unwrap_or(200);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "bad-request",
            format!("limit = {limit}: between 1 and {MAX_LIMIT}"),
        ));
    }
    let since_ms = match &q.since {
        None => now_ms() - 3_600_000,
        Some(t) => humantime::parse_rfc3339_weak(t)
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_millis() as i64)
            .ok_or_else(|| {
                error(
                    StatusCode::BAD_REQUEST,
                    "bad-request",
                    format!("since = `{t}` is no RFC 3339 time"),
                )
            })?,
    };
    let mut all = Vec::new();
    let mut cut = Vec::new();
    let sites = chosen(&s, &q.site)?;
    // Every campus at once: one slow stream is not every campus's wait.
    let answers = futures_util::future::join_all(sites.iter().map(|site| {
        history::query(
            site,
            &s.config.central.subject_prefix,
            q.kind.as_deref(),
            since_ms,
            limit,
        )
    }))
    .await;
    for (site, answer) in sites.iter().zip(answers) {
        let (events, short) =
            answer.map_err(|e| error(StatusCode::SERVICE_UNAVAILABLE, "unavailable", e))?;
        if short {
            cut.push(site.view.lock().map(|v| v.site.clone()).unwrap_or_default());
        }
        all.extend(events);
    }
    all.sort_by(|a, b| b["time"].as_str().cmp(&a["time"].as_str()));
    all.truncate(limit);
    Ok(axum::Json(json!({"events": all, "scan_budget_reached": cut})).into_response())
}

/// Send `body` to `subject` at the owning hub; its answer as HTTP.
async fn ask(s: &Shared, site: &str, subject: String, body: Value) -> Answer {
    let reply = tokio::time::timeout(
        ANSWER_WITHIN,
        s.client.request(subject.clone(), body.to_string().into()),
    )
    .await;
    let msg = match reply {
        Ok(Ok(m)) => m,
        Ok(Err(e)) if e.kind() == async_nats::RequestErrorKind::NoResponders => {
            return Err(error(
                StatusCode::SERVICE_UNAVAILABLE,
                "campus-unavailable",
                format!(
                    "campus `{site}` does not answer central commands: its hub is offline, cut off, or takes none ([jetstream.commands] enabled = false)"
                ),
            ));
        }
        Ok(Err(e)) => {
            return Err(error(
                StatusCode::SERVICE_UNAVAILABLE,
                "campus-unavailable",
                format!("campus `{site}`: {e}"),
            ));
        }
        Err(_) => {
            return Err(error(
                StatusCode::GATEWAY_TIMEOUT,
                "campus-timeout",
                format!(
                    "campus `{site}` did not answer within {} s",
                    ANSWER_WITHIN.as_secs()
                ),
            ));
        }
    };
    let v: Value = serde_json::from_slice(&msg.payload).unwrap_or(Value::Null);
    if v["ok"] == json!(true) {
        return Ok(axum::Json(v).into_response());
    }
    let code = v["error"]["code"].as_str().unwrap_or("campus-error");
    let status = match code {
        "not-found" => StatusCode::NOT_FOUND,
        "forbidden" | "not-allowed" => StatusCode::FORBIDDEN,
        "refused" => StatusCode::CONFLICT,
        "bad-request" => StatusCode::BAD_REQUEST,
        "unavailable" => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::BAD_GATEWAY,
    };
    let message = v["error"]["message"]
        .as_str()
        .unwrap_or("the campus answered with no reason");
    Err(error(status, code, format!("campus `{site}`: {message}")))
}

async fn act(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Path((site, id, action)): Path<(String, String, String)>,
    body: Option<axum::Json<Value>>,
) -> Answer {
    let (name, needs) = match action.as_str() {
        "ack" => ("acknowledge", Role::Guard),
        "assign" => ("assign", Role::Operator),
        "hold" => ("hold", Role::Operator),
        "close" => ("close", Role::Operator),
        other => {
            return Err(error(
                StatusCode::NOT_FOUND,
                "not-found",
                format!("no alarm action `{other}` here: ack, assign, hold, close"),
            ));
        }
    };
    let p = who(&s, &headers, needs)?;
    site_of(&s, &site)?;
    let mut req = body.map(|b| b.0).unwrap_or_else(|| json!({}));
    let Some(obj) = req.as_object_mut() else {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "bad-request",
            "the body is a JSON object",
        ));
    };
    // The campus checks the person: the centre says only who it is.
    obj.insert("login".into(), json!(p.name));
    obj.insert("role".into(), json!(p.role));
    obj.insert("centre".into(), json!(s.config.central.id));
    obj.insert("alarm".into(), json!(id));
    let subject = Subjects::new(&s.config.central.subject_prefix, &site).command("alarm", name);
    ask(&s, &site, subject, req).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CommandBody {
    command: String,
    #[serde(default)]
    args: Option<Value>,
}

async fn command(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Path((site, id)): Path<(String, String)>,
    body: Result<axum::Json<CommandBody>, axum::extract::rejection::JsonRejection>,
) -> Answer {
    let p = who(&s, &headers, Role::Guard)?;
    site_of(&s, &site)?;
    let b = body
        .map_err(|e| error(StatusCode::BAD_REQUEST, "bad-request", e.body_text()))?
        .0;
    let subject = Subjects::new(&s.config.central.subject_prefix, &site).command("device", &id);
    let req = json!({"login": p.name, "role": p.role, "centre": s.config.central.id,
        "command": b.command, "args": b.args});
    ask(&s, &site, subject, req).await
}

fn picture_type(bytes: &[u8]) -> &'static str {
    match bytes {
        [0xFF, 0xD8, ..] => "image/jpeg",
        [0x89, b'P', b'N', b'G', ..] => "image/png",
        _ => "application/octet-stream",
    }
}

async fn media(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Path((site, hash)): Path<(String, String)>,
) -> Answer {
    who(&s, &headers, Role::Viewer)?;
    let x = site_of(&s, &site)?;
    let stream = x.view.lock().map(|v| v.stream.clone()).unwrap_or_default();
    let gone = |why: String| error(StatusCode::NOT_FOUND, "not-found", why);
    let bucket =
        x.js.get_object_store(media_bucket(&stream))
            .await
            .map_err(|e| {
                gone(format!(
                    "campus `{site}` keeps no pictures in JetStream: {e}"
                ))
            })?;
    let mut obj = bucket
        .get(&hash)
        .await
        .map_err(|e| gone(format!("picture {hash} of `{site}`: {e}")))?;
    let mut bytes = Vec::new();
    tokio::io::AsyncReadExt::read_to_end(&mut obj, &mut bytes)
        .await
        .map_err(|e| {
            error(
                StatusCode::BAD_GATEWAY,
                "campus-error",
                format!("picture {hash}: {e}"),
            )
        })?;
    Ok(([(header::CONTENT_TYPE, picture_type(&bytes))], bytes).into_response())
}
