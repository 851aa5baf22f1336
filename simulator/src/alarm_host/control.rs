//! The host's vendor-style HTTP control channel (ISAPI `SecurityCP` paths,
//! HTTP Digest): arm, disarm, bypass and restore zones, switch the fence's
//! high voltage. The host reports what changed over DC-09, as a real one
//! does, so the hub learns the result from the alarm channel.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::{Shared, codes};
use crate::auth::DigestGuard;
use crate::isapi::response_status;

/// User number a host reports for changes made over the control channel.
const REMOTE_USER: u16 = 99;

struct Control {
    host: Arc<Shared>,
    guard: DigestGuard,
}

pub(super) async fn serve(listener: tokio::net::TcpListener, host: Arc<Shared>) {
    let state = Arc::new(Control {
        host,
        guard: DigestGuard::new("twinwall-alarm-host"),
    });
    let app = Router::new()
        .route(
            "/ISAPI/SecurityCP/control/{action}/{arg}",
            axum::routing::put(control),
        )
        .with_state(state);
    if let Err(e) = axum::serve(listener, app).await {
        tracing::warn!("alarm host control channel stopped: {e}");
    }
}

#[derive(serde::Deserialize)]
struct Params {
    state: Option<String>,
    #[allow(dead_code, reason = "accepted as real hosts accept it (`ways=away`)")]
    ways: Option<String>,
}

async fn control(
    State(c): State<Arc<Control>>,
    Path((action, arg)): Path<(String, String)>,
    Query(q): Query<Params>,
    method: Method,
    headers: HeaderMap,
) -> Response {
    let o = c.host.opts();
    if let Err(r) = c.guard.authorize(&headers, &method, &o.user, &o.password) {
        return *r;
    }
    let url = format!("/ISAPI/SecurityCP/control/{action}/{arg}");
    let n: Option<u16> = arg.parse().ok();
    let h = &c.host;
    let ok = match (action.as_str(), n) {
        ("arm", Some(p)) if (1..=99).contains(&p) => {
            h.armed.store(true, Ordering::SeqCst);
            h.report(3, codes::OPEN_CLOSE, p as u8, REMOTE_USER);
            true
        }
        ("disarm", Some(p)) if (1..=99).contains(&p) => {
            h.armed.store(false, Ordering::SeqCst);
            h.report(1, codes::OPEN_CLOSE, p as u8, REMOTE_USER);
            true
        }
        ("bypass", Some(z)) if (1..=999).contains(&z) => {
            h.bypassed.lock().unwrap_or_else(|p| p.into_inner()).push(z);
            h.report(1, codes::BYPASS, 1, z);
            true
        }
        ("bypassRecover", Some(z)) if (1..=999).contains(&z) => {
            h.bypassed
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .retain(|b| *b != z);
            h.report(3, codes::BYPASS, 1, z);
            true
        }
        ("fence", None) if arg == "hv" => match q.state.as_deref() {
            Some("on") => {
                h.hv_on.store(true, Ordering::SeqCst);
                true
            }
            Some("off") => {
                h.hv_on.store(false, Ordering::SeqCst);
                true
            }
            _ => false,
        },
        _ => false,
    };
    let (status, code, text, sub) = if ok {
        (StatusCode::OK, 1, "OK", "ok")
    } else {
        (
            StatusCode::BAD_REQUEST,
            4,
            "Invalid Operation",
            "badParameters",
        )
    };
    (
        status,
        [(header::CONTENT_TYPE, "application/xml")],
        response_status(&url, code, text, sub),
    )
        .into_response()
}
