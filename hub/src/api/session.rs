//! `/api/v1/session`: a person signs in with login and password and gets a
//! session cookie (HttpOnly, SameSite=Strict, Secure over TLS) and the
//! CSRF token its page sends with every change. Wrong logins and wrong
//! passwords get the same answer, and repeated failures lock the login out
//! with back-off, whether or not such a person exists.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::json;

use super::{ApiError, ApiState};
use crate::auth::{Principal, SESSION_COOKIE, session_cookie, session_principal};
use crate::bus::{NewEvent, now_ms};
use crate::devices::HUB_ZONE;

/// Body of `POST /api/v1/session`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    /// The person's login.
    login: String,
    /// Their password.
    password: String,
}

fn cookie(s: &ApiState, value: &str, max_age_s: i64) -> HeaderValue {
    let secure = if s.secure_cookies { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_s}{secure}"
    ))
    .expect("hex and fixed text")
}

/// `POST /api/v1/session`
pub async fn sign_in(
    State(s): State<ApiState>,
    body: Result<Json<SignIn>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let req = super::error::json_body("sign-in", body)?;
    // No account can have such a login: the same answer, at no cost.
    if !crate::accounts::valid_login(&req.login) {
        return Err(ApiError::unauthorized("wrong login or password"));
    }
    let now = now_ms();
    let lockout = || s.sessions.lockout.lock().unwrap_or_else(|p| p.into_inner());
    // Counted before the check, so tries sent at once cannot all get past.
    let counted = lockout().attempt(&req.login, now);
    if let Err(until) = counted {
        return Ok(locked_out(until - now));
    }
    let person = {
        let _check = s
            .sessions
            .checks
            .acquire()
            .await
            .map_err(|_| ApiError::unavailable("the hub is stopping"))?;
        let (accounts, login, password) = (s.accounts.clone(), req.login.clone(), req.password);
        // argon2 takes tens of milliseconds of CPU: not on the async threads.
        tokio::task::spawn_blocking(move || accounts.verify(&login, &password))
            .await
            .map_err(|e| ApiError::unavailable(format!("checking the password: {e}")))?
    };
    let Some(person) = person else {
        let lock = lockout().locked_until(&req.login, now);
        s.bus
            .append(vec![
                NewEvent::new("session.refused", HUB_ZONE)
                    .attr("login", req.login.as_str())
                    .attr("locked", lock.is_some())
                    .message(format!("a sign-in as `{}` was refused", req.login)),
            ])
            .await?;
        if let Some(until) = lock {
            return Ok(locked_out(until - now));
        }
        return Err(ApiError::unauthorized("wrong login or password"));
    };
    s.sessions
        .lockout
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .succeeded(&person.login);
    let (sid, session) = s.sessions.start(&person, now);
    let actor = format!("{}#{}", person.name, person.login);
    s.bus
        .append(vec![
            NewEvent::new("session.started", HUB_ZONE)
                .actor(&actor)
                .attr("login", person.login.as_str())
                .attr("role", person.role.as_str())
                .message(format!("{actor} signed in")),
        ])
        .await?;
    let body = json!({
        "login": person.login, "name": person.name, "role": person.role, "zones": person.zones,
        "unit": person.unit, "csrf_token": session.csrf, "max_age_s": s.sessions.max_ms() / 1000,
        "utc_offset_minutes": s.utc_offset_minutes,
    });
    let mut r = Json(body).into_response();
    r.headers_mut().insert(
        header::SET_COOKIE,
        cookie(&s, &sid, s.sessions.max_ms() / 1000),
    );
    Ok(r)
}

fn locked_out(ms: i64) -> Response {
    let secs = (ms + 999) / 1000;
    let mut r = (
        StatusCode::TOO_MANY_REQUESTS,
        Json(json!({"error": {"code": "locked-out", "message": format!(
            "too many failed sign-ins for this login: try again in {secs} s"
        )}})),
    )
        .into_response();
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
    r
}

/// `GET /api/v1/session`: who is calling; with a session, its CSRF token.
pub async fn whoami(
    State(s): State<ApiState>,
    Extension(who): Extension<Principal>,
    headers: HeaderMap,
) -> Json<serde_json::Value> {
    let csrf = session_cookie(&headers)
        .and_then(|sid| session_principal(&s.accounts, &s.sessions, &sid, false))
        .map(|(_, session)| session.csrf);
    Json(json!({
        "name": who.name, "role": who.role, "zones": who.zones, "actor": who.actor(), "unit": who.unit,
        "session": csrf.is_some(), "csrf_token": csrf, "utc_offset_minutes": s.utc_offset_minutes,
    }))
}

/// `DELETE /api/v1/session`: sign out (the cookie is cleared; its streams end).
pub async fn sign_out(
    State(s): State<ApiState>,
    Extension(who): Extension<Principal>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Some(sid) = session_cookie(&headers) else {
        return Err(ApiError::bad_request(
            "no session cookie: a token is revoked with DELETE /api/v1/tokens/{id}",
        ));
    };
    s.sessions.end(&sid);
    let actor = who.actor();
    s.bus
        .append(vec![
            NewEvent::new("session.ended", HUB_ZONE)
                .actor(&actor)
                .message(format!("{actor} signed out")),
        ])
        .await?;
    let mut r = Json(json!({"signed_out": true})).into_response();
    r.headers_mut()
        .insert(header::SET_COOKIE, cookie(&s, "", 0));
    Ok(r)
}
