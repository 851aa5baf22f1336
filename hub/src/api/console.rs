//! A one-page duty-room console: devices and live events, from the API itself.

use axum::response::Html;

/// `GET /`
pub async fn page() -> Html<&'static str> {
    Html(include_str!("console.html"))
}
