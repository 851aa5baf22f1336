//! A one-page duty-room console: devices and live events, from the API itself.

use axum::http::header;
use axum::response::{Html, IntoResponse};

/// `GET /`: the page may run its own inline script and talk to this hub,
/// nothing else, and may not be framed by another site (clickjacking of
/// the command buttons).
pub async fn page() -> impl IntoResponse {
    (
        [
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
            ),
            (header::X_FRAME_OPTIONS, "DENY"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::REFERRER_POLICY, "no-referrer"),
        ],
        Html(include_str!("console.html")),
    )
}
