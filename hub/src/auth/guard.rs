//! The API's gate: every request passes the `Host` check, then needs a
//! token whose role is at least the one its route asks for.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::{Principal, Role, Tokens};
use crate::accounts::{Accounts, Sessions};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "twinwall_session";
/// The header a cookie-authorised request that changes state must carry.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Whether the credential of a request is still good: a live stream asks
/// it as it goes and ends when a token is revoked, a session ends or its
/// person is disabled.
#[derive(Clone)]
pub struct Liveness(Arc<dyn Fn() -> bool + Send + Sync>);

impl Liveness {
    /// Whether the credential is still good now.
    pub fn alive(&self) -> bool {
        (self.0)()
    }
}

/// The session id the request's cookie carries.
pub fn session_cookie(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| {
            let (k, v) = c.trim().split_once('=')?;
            (k == SESSION_COOKIE && !v.is_empty()).then(|| v.to_owned())
        })
}

/// The person signed in with session `sid` now, if it and they are live.
pub fn session_principal(
    accounts: &Accounts,
    sessions: &Sessions,
    sid: &str,
    touch: bool,
) -> Option<(Principal, crate::accounts::Session)> {
    let s = sessions.get(sid, crate::bus::now_ms(), touch)?;
    let p = accounts.get(&s.login);
    match p {
        Some(p) if !p.disabled && p.generation == s.generation => Some((
            Principal {
                token_id: p.login.clone(),
                name: p.name.clone(),
                role: p.role,
                zones: p.zones.clone(),
                unit: p.unit.clone(),
            },
            s,
        )),
        _ => {
            sessions.end(sid);
            None
        }
    }
}

fn same(a: &str, b: &str) -> bool {
    use sha2::Digest;
    // Compare digests: no early exit on the first differing byte of the token.
    sha2::Sha256::digest(a.as_bytes()) == sha2::Sha256::digest(b.as_bytes())
}

/// The role each route asks for, by method and route pattern; `None` for
/// routes open to anyone (the console's page).
#[derive(Debug, Default, Clone)]
pub struct AccessMap(HashMap<(Method, String), Option<Role>>);

impl AccessMap {
    /// Record what `method path` asks for.
    pub fn insert(&mut self, method: Method, path: &str, role: Option<Role>) {
        self.0.insert((method, path.to_owned()), role);
    }

    fn get(&self, method: &Method, path: &str) -> Option<Option<Role>> {
        let method = if method == Method::HEAD {
            &Method::GET
        } else {
            method
        };
        self.0.get(&(method.clone(), path.to_owned())).copied()
    }
}

/// The names the API answers to (`Host` header, without the port); empty
/// for any. Against DNS rebinding: a page from elsewhere that resolves its
/// own name to 127.0.0.1 still sends its own name.
#[derive(Debug, Clone, Default)]
pub struct HostAllowList(Vec<String>);

impl HostAllowList {
    /// The configured names, or, when there are none and the API listens on
    /// loopback only, the loopback names.
    pub fn new(configured: &[String], listen: std::net::SocketAddr) -> Self {
        if !configured.is_empty() {
            return HostAllowList(configured.iter().map(|h| h.to_ascii_lowercase()).collect());
        }
        if listen.ip().is_loopback() {
            return HostAllowList(vec!["localhost".into(), "127.0.0.1".into(), "[::1]".into()]);
        }
        HostAllowList(Vec::new())
    }

    fn allows(&self, host: Option<&HeaderValue>) -> bool {
        if self.0.is_empty() {
            return true;
        }
        let Some(host) = host.and_then(|h| h.to_str().ok()) else {
            return false;
        };
        let name = match host.rfind(':') {
            // `[::1]:8080` and `name:8080`, but not a bare `[::1]`.
            Some(i) if !host[i..].contains(']') => &host[..i],
            _ => host,
        };
        self.0.iter().any(|h| h.eq_ignore_ascii_case(name))
    }
}

/// What the gate needs.
#[derive(Clone)]
pub struct Gate {
    /// The token store.
    pub tokens: Arc<Tokens>,
    /// The people who sign in.
    pub accounts: Arc<Accounts>,
    /// Their sessions.
    pub sessions: Arc<Sessions>,
    /// Roles per route.
    pub access: Arc<AccessMap>,
    /// Names the API answers to.
    pub hosts: Arc<HostAllowList>,
}

fn refuse(status: StatusCode, code: &str, message: String) -> Response {
    let mut r = (
        status,
        axum::Json(json!({"error": {"code": code, "message": message}})),
    )
        .into_response();
    if status == StatusCode::UNAUTHORIZED {
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"twinwall\""),
        );
    }
    r
}

/// The middleware: `Host` allowed, token present and live, role enough;
/// the caller's [`super::Principal`] goes into the request's extensions.
pub async fn guard(State(gate): State<Gate>, mut req: Request, next: Next) -> Response {
    if !gate.hosts.allows(req.headers().get(header::HOST)) {
        let host = req
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("")
            .to_owned();
        return refuse(
            StatusCode::MISDIRECTED_REQUEST,
            "host-not-allowed",
            format!("this hub does not answer to host `{host}` ([http] allowed_hosts)"),
        );
    }
    let Some(path) = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
    else {
        // No route: the router answers 404 with nothing to give away.
        return next.run(req).await;
    };
    let needed = match gate.access.get(req.method(), &path) {
        Some(None) => return next.run(req).await,
        Some(Some(role)) => role,
        // A method the route does not serve: the router answers 405.
        None => return next.run(req).await,
    };
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, rest) = v.split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| rest.trim().to_owned())
        });
    let (who, live) = if let Some(bearer) = bearer {
        let Some(who) = gate.tokens.verify(&bearer) else {
            return refuse(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "the token is not one of this hub's (revoked, mistyped, or from another hub)"
                    .into(),
            );
        };
        let tokens = gate.tokens.clone();
        (
            who,
            Liveness(Arc::new(move || tokens.verify(&bearer).is_some())),
        )
    } else if let Some(sid) = session_cookie(req.headers()) {
        let Some((who, session)) = session_principal(&gate.accounts, &gate.sessions, &sid, true)
        else {
            return refuse(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "the session has ended (signed out, expired, or the person was disabled or changed password): sign in again".into(),
            );
        };
        // A cookie goes with every request the browser makes, whoever's
        // page asks: a change must also show the token only our page has.
        if req.method() != Method::GET && req.method() != Method::HEAD {
            let sent = req
                .headers()
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !same(sent, &session.csrf) {
                return refuse(
                    StatusCode::FORBIDDEN,
                    "csrf",
                    format!(
                        "{} {path} with a session cookie needs the session's CSRF token in the X-CSRF-Token header (GET /api/v1/session gives it)",
                        req.method()
                    ),
                );
            }
        }
        let (accounts, sessions) = (gate.accounts.clone(), gate.sessions.clone());
        (
            who,
            Liveness(Arc::new(move || {
                // A wall that only watches a stream is in use: it keeps
                // the session from idling out (not past its lifetime).
                session_principal(&accounts, &sessions, &sid, true).is_some()
            })),
        )
    } else {
        return refuse(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            format!(
                "{} {path} needs a token with role {needed} or above (Authorization: Bearer <token>; `twinwall token create`) or a signed-in session (POST /api/v1/session)",
                req.method()
            ),
        );
    };
    if who.role < needed {
        return refuse(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!(
                "{} {path} needs role {needed}; token `{}` ({}) has {}",
                req.method(),
                who.name,
                who.token_id,
                who.role
            ),
        );
    }
    req.extensions_mut().insert(who);
    req.extensions_mut().insert(live);
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_listeners_answer_to_loopback_names_only() {
        let l = HostAllowList::new(&[], "127.0.0.1:8080".parse().unwrap());
        for ok in [
            "localhost:8080",
            "127.0.0.1:8080",
            "[::1]:8080",
            "LOCALHOST",
            "[::1]",
        ] {
            assert!(l.allows(Some(&HeaderValue::from_static(ok))), "{ok}");
        }
        for bad in ["evil.example:8080", "127.0.0.1.evil.example", ""] {
            assert!(!l.allows(Some(&HeaderValue::from_static(bad))), "{bad}");
        }
        assert!(!l.allows(None));
        let any = HostAllowList::new(&[], "0.0.0.0:8080".parse().unwrap());
        assert!(any.allows(Some(&HeaderValue::from_static("hub.campus.example"))));
        let named =
            HostAllowList::new(&["hub.campus.example".into()], "0.0.0.0:1".parse().unwrap());
        assert!(named.allows(Some(&HeaderValue::from_static("hub.campus.example:443"))));
        assert!(!named.allows(Some(&HeaderValue::from_static("other.example"))));
    }
}
