//! Who may do what through the API: every route asks for its role, the
//! audit actor comes from the token, bodies past their limits are refused
//! with nothing changed, and the API answers to its own host names only.

use std::sync::{Arc, Mutex};

use reqwest::StatusCode;
use serde_json::{Value, json};
use twinwall_hub::auth::Role;
use twinwall_tests::{TestHub, client_with, make_token, tone_wav};

const ZONES: &str = "[[zones]]\nid = \"campus\"\n";

/// The test config of site `site` with `extra` lines in its `[http]`.
fn with_http(site: &str, extra: &str) -> String {
    let text = twinwall_tests::config_text(site, ZONES).replace(
        "listen = \"127.0.0.1:0\"\n[listen]",
        &format!("listen = \"127.0.0.1:0\"\n{extra}\n[listen]"),
    );
    assert!(text.contains(extra), "{text}");
    text
}

/// A request for each documented route, with path parameters filled in and
/// queries that keep its traffic on loopback.
fn concrete(path: &str) -> String {
    let p = path
        .replace("{seq}", "1")
        .replace("{hash}", &"0".repeat(64))
        .replace(['{', '}'], "");
    if p.ends_with("/discovery/onvif") {
        format!("{p}?target=127.0.0.1:9&wait_ms=10")
    } else {
        p
    }
}

async fn send(http: &reqwest::Client, method: &str, url: &str) -> (StatusCode, Value) {
    let r = http
        .request(method.parse().unwrap(), url)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    let status = r.status();
    // A live stream that was let in never ends: its headers say enough.
    if status.is_success() && url.contains("/stream") {
        return (status, Value::Null);
    }
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread")]
async fn every_route_in_the_openapi_document_asks_for_its_role() {
    let hub = TestHub::start(&[], ZONES).await.unwrap();
    let dir = hub.dir.path();
    let viewer = client_with(&make_token(dir, Role::Viewer, "viewer").unwrap());
    let guard = client_with(&make_token(dir, Role::Guard, "guard").unwrap());
    let safety = client_with(&make_token(dir, Role::Safety, "safety").unwrap());
    let operator = client_with(&make_token(dir, Role::Operator, "operator").unwrap());
    let anonymous = reqwest::Client::new();
    // The document needs no token: tools read it before they have one.
    let doc = twinwall_tests::get_json(&anonymous, &format!("{}/api/v1/openapi.json", hub.url))
        .await
        .unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    // An independent validator takes the document as OpenAPI 3.1.
    let file = hub.dir.path().join("openapi.json");
    std::fs::write(&file, doc.to_string()).unwrap();
    let v = twinwall_tests::interop("validate_openapi.py", vec![file.display().to_string()]).await;
    assert_eq!(v["valid"], true, "{v}");
    let paths = doc["paths"].as_object().unwrap();
    let mut checked = 0;
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            let url = format!("{}{}", hub.url, concrete(path));
            let method = method.to_ascii_uppercase();
            let role = op["x-twinwall-role"].as_str();
            let Some(role) = role else {
                let (status, body) = send(&anonymous, &method, &url).await;
                if path == "/api/v1/session" {
                    // Signing in is open; an empty body is simply not a sign-in.
                    assert_eq!(status, StatusCode::BAD_REQUEST, "{method} {path}: {body}");
                } else if path == "/{file}" {
                    // The console's files: open, and a made-up name is none of them.
                    assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {body}");
                } else {
                    assert!(status.is_success(), "{method} {path} is open: {status}");
                }
                continue;
            };
            assert_eq!(op["security"], json!([{"bearer": []}]), "{method} {path}");
            let (status, body) = send(&anonymous, &method, &url).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path}: {body}");
            assert_eq!(body["error"]["code"], "unauthorized", "{method} {path}");
            let forged = client_with("tw_00000000_0000");
            let (status, _) = send(&forged, &method, &url).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path} forged");
            let below = match role {
                "viewer" => None,
                "guard" => Some(&viewer),
                "operator" => Some(&guard),
                "safety" => Some(&operator),
                "admin" => Some(&safety),
                other => panic!("{method} {path}: unknown role {other}"),
            };
            if let Some(below) = below {
                let (status, body) = send(below, &method, &url).await;
                assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}: {body}");
                assert_eq!(body["error"]["code"], "forbidden");
                assert!(
                    body["error"]["message"].as_str().unwrap().contains(role),
                    "{body}"
                );
            }
            // The role itself passes the gate (what happens next is the
            // route's own answer to a made-up id or an empty body).
            let enough = match role {
                "viewer" => &viewer,
                "guard" => &guard,
                "operator" => &operator,
                "safety" => &safety,
                _ => &hub.http,
            };
            let (status, body) = send(enough, &method, &url).await;
            assert!(
                status != StatusCode::UNAUTHORIZED && status != StatusCode::FORBIDDEN,
                "{method} {path} with role {role}: {status} {body}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 30, "only {checked} guarded routes documented");
    // Bodies and queries are described from the types the handlers read,
    // and every reference in the document resolves.
    let body = &paths["/api/v1/broadcasts"]["post"]["requestBody"]["content"]["application/json"]["schema"];
    let name = body["$ref"].as_str().unwrap().rsplit('/').next().unwrap();
    let req = &doc["components"]["schemas"][name];
    for field in ["zones", "source", "priority", "schedule"] {
        assert!(req["properties"][field].is_object(), "{field} in {req}");
    }
    let query: Vec<&str> = paths["/api/v1/events"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["in"] == "query")
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for q in [
        "kind", "zone", "device", "level", "after", "since", "until", "limit",
    ] {
        assert!(query.contains(&q), "{q} not in {query:?}");
    }
    let text = doc.to_string();
    for r in text.split("\"$ref\":\"").skip(1) {
        let target = r.split('"').next().unwrap();
        let name = target
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("{target}"));
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "{target} does not resolve"
        );
    }
    // The page for people lists the same routes.
    let page = reqwest::get(format!("{}/api/docs", hub.url))
        .await
        .and_then(|r| r.error_for_status())
        .unwrap();
    let page = page.text().await.unwrap();
    for path in paths.keys() {
        assert!(
            page.contains(&format!("<code>{path}</code>")),
            "{path} not on /api/docs"
        );
    }
    // Every mutating route takes more than a viewer, but signing in (open)
    // and out (anyone signed in).
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            if method != "get" && path != "/api/v1/session" {
                assert_ne!(op["x-twinwall-role"], "viewer", "{method} {path}");
                assert!(op["x-twinwall-role"].is_string(), "{method} {path}");
            }
        }
    }
    // The router serves what the document says and nothing else: a method
    // the document does not list is refused by the router (405), and a
    // probe of the network is never a GET.
    let (status, _) = send(
        &hub.http,
        "GET",
        &format!("{}/api/v1/discovery/onvif", hub.url),
    )
    .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    let (status, _) = send(
        &hub.http,
        "PUT",
        &format!("{}/api/v1/devices/x/commands", hub.url),
    )
    .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_actor_is_the_tokens_holder_whatever_the_headers_say() {
    let hub = TestHub::start(&[], ZONES).await.unwrap();
    let dir = hub.dir.path();
    let alice = make_token(dir, Role::Operator, "alice").unwrap();
    let viewer = make_token(dir, Role::Viewer, "visitor desk").unwrap();
    let upload = |token: String| {
        let url = format!("{}/api/v1/clips?name=chime", hub.url);
        async move {
            client_with(&token)
                .post(url)
                .header("content-type", "audio/wav")
                .header("x-twinwall-actor", "mallory")
                .body(tone_wav(200))
                .send()
                .await
                .unwrap()
        }
    };
    // A viewer may not, and nothing is stored.
    assert_eq!(upload(viewer).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(hub.get("/api/v1/clips").await.unwrap()["clips"], json!([]));
    assert!(hub.events("kind=clip.uploaded").await.unwrap().is_empty());
    let r = upload(alice.clone()).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let audit = hub.events("kind=clip.uploaded").await.unwrap();
    let id = &alice[3..11];
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0]["actor"], format!("alice#{id}"), "{}", audit[0]);
}

#[tokio::test(flavor = "multi_thread")]
async fn admins_make_and_revoke_tokens_and_both_are_audited() {
    let hub = TestHub::start(&[], ZONES).await.unwrap();
    let made = hub
        .post(
            "/api/v1/tokens",
            &json!({"name": "night shift", "role": "operator"}),
        )
        .await
        .unwrap();
    let secret = made["secret"].as_str().unwrap().to_owned();
    let id = made["id"].as_str().unwrap().to_owned();
    assert!(secret.starts_with(&format!("tw_{id}_")));
    let night = client_with(&secret);
    let r = night
        .get(format!("{}/api/v1/devices", hub.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // An operator cannot make tokens (no climbing to admin).
    let r = night
        .post(format!("{}/api/v1/tokens", hub.url))
        .json(&json!({"name": "me too", "role": "admin"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Listed without secrets or hashes.
    let listed = hub.get("/api/v1/tokens").await.unwrap().to_string();
    assert!(listed.contains("night shift") && !listed.contains(&secret[12..]));
    assert!(!listed.contains("hash"), "{listed}");
    let r = hub
        .http
        .delete(format!("{}/api/v1/tokens/{id}", hub.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = night
        .get(format!("{}/api/v1/devices", hub.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "revoked at once");
    let admin_actor = format!("test admin#{}", &hub.token[3..11]);
    for kind in ["token.created", "token.revoked"] {
        let e = hub.events(&format!("kind={kind}")).await.unwrap();
        assert_eq!(e.len(), 1, "{kind}");
        assert_eq!(e[0]["actor"], admin_actor.as_str(), "{kind}");
        assert_eq!(e[0]["attrs"]["token"], id.as_str());
        assert!(
            !e[0].to_string().contains(&secret[12..]),
            "no secret on the bus"
        );
    }
    // Bad requests are named.
    let r = hub
        .http
        .post(format!("{}/api/v1/tokens", hub.url))
        .json(&json!({"name": "x", "role": "root"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = hub
        .http
        .delete(format!("{}/api/v1/tokens/ffffffff", hub.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread")]
async fn oversized_bodies_are_refused_and_change_nothing() {
    let hub = TestHub::start(&[], ZONES).await.unwrap();
    let before = hub.get("/api/v1/health").await.unwrap()["bus"]["next_seq"].clone();
    let big = "x".repeat(twinwall_hub::api::MAX_JSON_BODY + 1);
    for path in ["/api/v1/devices/fp-1/commands", "/api/v1/broadcasts"] {
        let r = hub
            .http
            .post(format!("{}{path}", hub.url))
            .json(&json!({"command": "reset", "args": {"pad": big}}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE, "{path}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "too-large", "{path}: {body}");
    }
    let r = hub
        .http
        .post(format!("{}/api/v1/devices/fp-1/commands", hub.url))
        .header("content-type", "text/plain")
        .body("reset")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let after = hub.get("/api/v1/health").await.unwrap()["bus"]["next_seq"].clone();
    assert_eq!(before, after, "nothing was written");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_loopback_api_answers_to_loopback_names_only() {
    let hub = TestHub::start(&[], ZONES).await.unwrap();
    let port = hub.hub.http_addr().port();
    // A page from elsewhere whose name resolves to 127.0.0.1 (DNS
    // rebinding) still sends its own name.
    let r = hub
        .http
        .get(format!("{}/api/v1/devices", hub.url))
        .header("host", format!("attacker.example:{port}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::MISDIRECTED_REQUEST);
    let r = hub
        .http
        .get(format!("{}/api/v1/devices", hub.url))
        .header("host", format!("localhost:{port}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

/// An RTSP server on another loopback address that refuses everyone and
/// keeps every request it was sent.
async fn rtsp_recorder() -> (std::net::SocketAddr, Arc<Mutex<Vec<String>>>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.2:0").await.unwrap();
    let at = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut conn, _)) = listener.accept().await {
            let log = log.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                while let Ok(n) = conn.read(&mut chunk).await {
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    while let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&buf[..end]).into_owned();
                        buf.drain(..end + 4);
                        let cseq = head
                            .lines()
                            .find_map(|l| l.strip_prefix("CSeq:").or(l.strip_prefix("cseq:")))
                            .unwrap_or("1")
                            .trim()
                            .to_owned();
                        log.lock().unwrap().push(head);
                        let answer = format!(
                            "RTSP/1.0 401 Unauthorized\r\nCSeq: {cseq}\r\n\
                             WWW-Authenticate: Digest realm=\"cam\", nonce=\"0123456789abcdef\"\r\n\
                             WWW-Authenticate: Basic realm=\"cam\"\r\nContent-Length: 0\r\n\r\n"
                        );
                        if conn.write_all(answer.as_bytes()).await.is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
    (at, seen)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stream_on_another_host_never_gets_the_cameras_password() {
    use twinwall_simulator::camera::Camera;
    let (elsewhere, seen) = rtsp_recorder().await;
    let cam = Camera::start("cam-x", "127.0.0.1:0".parse().unwrap(), "admin", "s3cret")
        .await
        .unwrap();
    cam.advertise_stream_at(Some(elsewhere));
    let hub = TestHub::start(
        &["onvif-camera"],
        &format!(
            "{ZONES}[[devices]]\nid = \"cam-x\"\ndriver = \"onvif-camera\"\nprofile = \"camera/twinwall-cam1\"\nzone = \"campus\"\n\
             address = \"{}\"\nusername = \"admin\"\npassword = \"s3cret\"\n",
            cam.addr()
        ),
    )
    .await
    .unwrap();
    hub.wait_online("cam-x").await.unwrap();
    // Two attempts at the stream (each refused), so a retry with
    // credentials would have been seen.
    twinwall_tests::wait_for(std::time::Duration::from_secs(30), || async {
        (seen.lock().unwrap().len() >= 3).then_some(())
    })
    .await
    .expect("the hub probed the stream it was told of");
    for head in seen.lock().unwrap().iter() {
        let lower = head.to_ascii_lowercase();
        assert!(
            !lower.contains("authorization"),
            "credentials sent elsewhere: {head}"
        );
        assert!(
            !head.contains("s3cret") && !head.contains("admin"),
            "{head}"
        );
    }
}

/// One HTTP/1.1 GET over TLS trusting only `ca`; the status line and body.
async fn https_get(
    addr: std::net::SocketAddr,
    ca: &std::path::Path,
    path: &str,
    token: &str,
) -> std::io::Result<String> {
    use rustls::pki_types::pem::PemObject;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut roots = rustls::RootCertStore::empty();
    for c in rustls::pki_types::CertificateDer::pem_file_iter(ca).unwrap() {
        roots.add(c.unwrap()).unwrap();
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(addr).await?;
    let name = rustls::pki_types::ServerName::IpAddress(addr.ip().into());
    let mut tls = connector.connect(name, tcp).await?;
    let req = format!(
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    );
    tls.write_all(req.as_bytes()).await?;
    let mut out = Vec::new();
    tls.read_to_end(&mut out).await.ok();
    Ok(String::from_utf8_lossy(&out).into_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_api_serves_tls_from_pem_files() {
    let dir = tempfile::tempdir().unwrap();
    twinwall_tests::pki::certificates(dir.path());
    let text = with_http("tls", "tls_cert = \"server.pem\"\ntls_key = \"server.key\"");
    let hub = TestHub::run(dir, text).await.unwrap();
    let addr = hub.hub.http_addr();
    let ca = hub.dir.path().join("ca.pem");
    let answer = https_get(addr, &ca, "/api/v1/health", &hub.token)
        .await
        .unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"site\":\"tls\""), "{answer}");
    let answer = https_get(addr, &ca, "/api/v1/health", "tw_00000000_00")
        .await
        .unwrap();
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    // An independent client (CPython's ssl, OpenSSL) agrees.
    let v = twinwall_tests::interop(
        "https_get.py",
        vec![
            format!("https://127.0.0.1:{}/api/v1/health", addr.port()),
            ca.display().to_string(),
            hub.token.clone(),
        ],
    )
    .await;
    assert_eq!(v["status"], 200, "{v}");
    assert!(
        v["body"].as_str().unwrap().contains("\"site\":\"tls\""),
        "{v}"
    );
    assert!(v["version"].as_str().unwrap().starts_with("TLSv1."), "{v}");
    // Plain HTTP to the TLS port gets nothing useful.
    let plain = hub
        .http
        .get(format!("{}/api/v1/health", hub.url))
        .send()
        .await;
    assert!(plain.is_err() || !plain.unwrap().status().is_success());
    // A client stalled in its handshake holds up nobody.
    let _stalled = tokio::net::TcpStream::connect(addr).await.unwrap();
    let answer = https_get(addr, &ca, "/api/v1/health", &hub.token)
        .await
        .unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[test]
fn half_a_tls_setting_is_refused_by_name() {
    let text = with_http("tls", "tls_cert = \"server.pem\"");
    let e = twinwall_hub::config::HubConfig::parse(&text, "hub.toml", std::path::Path::new("."))
        .unwrap_err()
        .to_string();
    assert!(e.contains("tls_key") && e.contains("hub.toml"), "{e}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_device_redirect_is_not_followed() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use twinwall_hub::transport::http::{DigestState, device_client, run};
    use twinwall_hub::transport::types::HttpRequest;
    // Where the redirect points: it must never be asked.
    let elsewhere = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let target = elsewhere.local_addr().unwrap();
    let asked = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = asked.clone();
    tokio::spawn(async move {
        while let Ok((_c, _)) = elsewhere.accept().await {
            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    });
    let device = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", device.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut c, _)) = device.accept().await {
            let mut buf = [0u8; 4096];
            let _ = c.read(&mut buf).await;
            let answer = format!(
                "HTTP/1.1 302 Found\r\nLocation: http://{target}/steal\r\nContent-Length: 0\r\n\r\n"
            );
            let _ = c.write_all(answer.as_bytes()).await;
        }
    });
    let req = HttpRequest {
        id: "r1".into(),
        method: "GET".into(),
        path: "/ISAPI/System/deviceInfo".into(),
        headers: vec![],
        body: vec![],
        ws_security: false,
        timeout_ms: 2000,
    };
    let resp = run(&device_client(), &base, &req, None, &DigestState::default())
        .await
        .unwrap();
    assert_eq!(resp.status, 302, "the driver sees the redirect");
    assert_eq!(asked.load(std::sync::atomic::Ordering::SeqCst), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn live_streams_are_capped_and_a_closed_one_frees_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let hub = TestHub::run(dir, with_http("streams", "max_streams = 2"))
        .await
        .unwrap();
    let url = format!("{}/api/v1/events/stream", hub.url);
    let a = hub.http.get(&url).send().await.unwrap();
    let b = hub.http.get(&url).send().await.unwrap();
    assert_eq!((a.status(), b.status()), (StatusCode::OK, StatusCode::OK));
    let c = hub.http.get(&url).send().await.unwrap();
    assert_eq!(c.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = c.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("max_streams"),
        "{body}"
    );
    // Other requests are served all along.
    hub.get("/api/v1/devices").await.unwrap();
    drop(a);
    let again = twinwall_tests::wait_for(std::time::Duration::from_secs(10), || async {
        let r = hub.http.get(&url).send().await.ok()?;
        (r.status() == StatusCode::OK).then_some(r)
    })
    .await;
    assert!(again.is_some(), "a closed stream frees its place");
}

#[tokio::test(flavor = "multi_thread")]
async fn connections_past_the_cap_wait_until_one_closes() {
    let dir = tempfile::tempdir().unwrap();
    let hub = TestHub::run(dir, with_http("conns", "max_connections = 3"))
        .await
        .unwrap();
    let addr = hub.hub.http_addr();
    let mut idle = Vec::new();
    for _ in 0..3 {
        idle.push(tokio::net::TcpStream::connect(addr).await.unwrap());
    }
    // The accept loop has taken the three: a fourth request waits.
    let mut waiting = {
        let (http, url) = (hub.http.clone(), format!("{}/api/v1/devices", hub.url));
        tokio::spawn(async move { http.get(url).send().await.map(|r| r.status()) })
    };
    let early = tokio::time::timeout(std::time::Duration::from_millis(500), &mut waiting).await;
    assert!(
        early.is_err(),
        "answered although every connection slot was taken"
    );
    drop(idle);
    let status = tokio::time::timeout(std::time::Duration::from_secs(10), waiting)
        .await
        .expect("served once a slot is free")
        .unwrap()
        .unwrap();
    assert_eq!(status, StatusCode::OK);
}
