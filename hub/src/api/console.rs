//! The console: a TypeScript application (`hub/console/`) built into this
//! binary at build time (`hub/build.rs`), served from `/`. Its files are
//! named by content hash, so each is cached for good; the page itself is
//! asked for anew each time, so an upgraded hub is never shown stale.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

mod built {
    include!(concat!(env!("OUT_DIR"), "/console_files.rs"));
}

/// The page may run its own scripts and talk to this hub, nothing else,
/// and may not be framed by another site (clickjacking of the command
/// buttons).
const POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; \
     img-src 'self' data:; media-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

fn file(name: &str) -> Option<&'static [u8]> {
    built::FILES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, bytes)| *bytes)
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}

fn serve(name: &str, cache: &'static str) -> Response {
    let Some(bytes) = file(name) else {
        return (StatusCode::NOT_FOUND, "no such file in the console").into_response();
    };
    (
        [
            (header::CONTENT_TYPE, content_type(name)),
            (header::CACHE_CONTROL, cache),
            (header::CONTENT_SECURITY_POLICY, POLICY),
            (header::X_FRAME_OPTIONS, "DENY"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::REFERRER_POLICY, "no-referrer"),
        ],
        bytes,
    )
        .into_response()
}

/// `GET /api/v1/central/hello` on a hub: the console stays the hub's.
pub async fn not_central() -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({"central": false}))
}

/// `GET /`: the console's page.
pub async fn page() -> Response {
    serve("index.html", "no-cache")
}

/// `GET /{file}`: one of the console's built files (named by content hash).
pub async fn asset(Path(name): Path<String>) -> Response {
    if name == "index.html" {
        return page().await;
    }
    serve(&name, "public, max-age=31536000, immutable")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_and_its_hashed_files_are_built_in() {
        let page = std::str::from_utf8(file("index.html").expect("the page is built in")).unwrap();
        let referenced: Vec<&str> = built::FILES
            .iter()
            .map(|(n, _)| *n)
            .filter(|n| *n != "index.html")
            .collect();
        assert!(!referenced.is_empty());
        for name in referenced {
            assert!(page.contains(name), "the page refers to {name}");
        }
        assert!(
            !page.contains("<script>") && !page.contains("<style"),
            "no inline script or style (the policy forbids them)"
        );
    }
}
