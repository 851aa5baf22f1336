//! HTTP requests on a driver's behalf. The hub holds the device's credentials
//! and adds authentication itself: a WS-Security UsernameToken in SOAP bodies
//! when the driver asks, and HTTP Digest when the device challenges. Drivers
//! never see a password, and nothing here logs one.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use sha1::{Digest as _, Sha1};

use super::types::{Failure, FailureKind, Header, HttpRequest, HttpResponse};

/// A device account.
#[derive(Clone)]
pub struct Credentials {
    /// User name.
    pub username: String,
    /// Password.
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Credentials {{ username: {:?}, password: \"***\" }}",
            self.username
        )
    }
}

/// The device's last Digest challenge, reused (with a growing nonce count)
/// so that most requests need one round trip, not two.
pub type DigestState = Arc<Mutex<Option<digest_auth::WwwAuthenticateHeader>>>;

/// Largest response body handed to a driver.
const MAX_BODY: usize = 4 << 20;

const WSSE: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
const WSU: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
const DIGEST_TYPE: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest";
const NONCE_TYPE: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-soap-message-security-1.0#Base64Binary";

/// The UsernameToken header block for `creds` with `nonce` at `created`.
pub fn username_token(creds: &Credentials, nonce: &[u8], created: &str) -> String {
    let mut h = Sha1::new();
    h.update(nonce);
    h.update(created.as_bytes());
    h.update(creds.password.as_bytes());
    let digest = B64.encode(h.finalize());
    let user = creds.username.replace('&', "&amp;").replace('<', "&lt;");
    format!(
        "<wsse:Security xmlns:wsse=\"{WSSE}\" xmlns:wsu=\"{WSU}\"><wsse:UsernameToken><wsse:Username>{user}</wsse:Username>\
         <wsse:Password Type=\"{DIGEST_TYPE}\">{digest}</wsse:Password><wsse:Nonce EncodingType=\"{NONCE_TYPE}\">{}</wsse:Nonce>\
         <wsu:Created>{created}</wsu:Created></wsse:UsernameToken></wsse:Security>",
        B64.encode(nonce)
    )
}

/// Put `block` into the SOAP Header of `envelope` (making a Header if there is none).
pub fn insert_header(envelope: &str, block: &str) -> Result<String, String> {
    let start = envelope
        .find("Envelope")
        .ok_or("not a SOAP envelope (no Envelope element)")?;
    let open = envelope[..start].rfind('<').ok_or("not a SOAP envelope")?;
    let prefix = &envelope[open + 1..start];
    if !(prefix.is_empty()
        || (prefix.ends_with(':')
            && prefix[..prefix.len() - 1]
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-')))
    {
        return Err("not a SOAP envelope (odd Envelope tag)".into());
    }
    let header_open = format!("<{prefix}Header>");
    let header_empty = format!("<{prefix}Header/>");
    if let Some(i) = envelope.find(&header_open) {
        let at = i + header_open.len();
        return Ok(format!("{}{block}{}", &envelope[..at], &envelope[at..]));
    }
    if let Some(i) = envelope.find(&header_empty) {
        return Ok(format!(
            "{}<{prefix}Header>{block}</{prefix}Header>{}",
            &envelope[..i],
            &envelope[i + header_empty.len()..]
        ));
    }
    let body = envelope
        .find(&format!("<{prefix}Body"))
        .ok_or("SOAP envelope without a Body")?;
    Ok(format!(
        "{}<{prefix}Header>{block}</{prefix}Header>{}",
        &envelope[..body],
        &envelope[body..]
    ))
}

fn random_nonce() -> [u8; 16] {
    let mut n = [0u8; 16];
    for b in &mut n {
        *b = fastrand::u8(..);
    }
    n
}

/// What to send: method, path, headers and body (the parts of a request or a stream).
pub struct Outgoing<'a> {
    /// Request id, for failures.
    pub id: &'a str,
    /// Method.
    pub method: &'a str,
    /// Path and query.
    pub path: &'a str,
    /// Headers.
    pub headers: &'a [Header],
    /// Body.
    pub body: Vec<u8>,
    /// Add WS-Security.
    pub ws_security: bool,
    /// Timeout of the whole exchange (`None`: a stream, bounded by its idle timeout).
    pub timeout: Option<Duration>,
}

/// The client the hub speaks to devices with. It follows no redirect: a
/// device answering one does not send the hub, and the device's account,
/// to another host (the driver sees the 3xx and judges it).
pub fn device_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        // A camera's setup asks several things at once and opens a
        // connection for each; kept idle, 3,000 cameras held 9,000 of them
        // (and their buffers). One idle connection per device is enough for
        // what follows (renewals, commands); the long poll holds its own.
        .pool_max_idle_per_host(1)
        .build()
        .unwrap_or_default()
}

/// Send `out` to `base` (`http://host:port`), answering a Digest challenge
/// from `creds`; returns the response head with its body unread.
pub async fn send(
    client: &reqwest::Client,
    base: &str,
    out: Outgoing<'_>,
    creds: Option<&Credentials>,
    digest: &DigestState,
) -> Result<reqwest::Response, Failure> {
    let fail = |kind, message: String| Failure::new(out.id, kind, message);
    let mut body = out.body.clone();
    if out.ws_security {
        let c = creds.ok_or_else(|| fail(FailureKind::Auth, "the driver asked for WS-Security but the device has no username/password in the config".into()))?;
        let text = std::str::from_utf8(&body)
            .map_err(|_| fail(FailureKind::Refused, "SOAP body is not UTF-8".into()))?;
        let created = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
        body = insert_header(text, &username_token(c, &random_nonce(), &created))
            .map_err(|e| fail(FailureKind::Refused, e))?
            .into_bytes();
    }
    let method = reqwest::Method::from_bytes(out.method.as_bytes()).map_err(|_| {
        fail(
            FailureKind::Refused,
            format!("bad HTTP method `{}`", out.method),
        )
    })?;
    if !out.path.starts_with('/') {
        return Err(fail(
            FailureKind::Refused,
            format!("path `{}` must start with /", out.path),
        ));
    }
    let url = format!("{base}{}", out.path);
    let send = |auth: Option<String>| {
        let mut b = client.request(method.clone(), &url).body(body.clone());
        if let Some(t) = out.timeout {
            b = b.timeout(t);
        }
        for h in out.headers {
            b = b.header(h.name.as_str(), h.value.as_str());
        }
        if let Some(a) = auth {
            b = b.header(reqwest::header::AUTHORIZATION, a);
        }
        b.send()
    };
    let digest_for = |state: &mut Option<digest_auth::WwwAuthenticateHeader>| -> Option<String> {
        let (c, h) = (creds?, state.as_mut()?);
        let ctx = digest_auth::AuthContext::new_with_method(
            c.username.as_str(),
            c.password.as_str(),
            out.path,
            Some(body.as_slice()),
            digest_auth::HttpMethod::from(out.method),
        );
        h.respond(&ctx).ok().map(|a| a.to_header_string())
    };
    let cached = digest_for(&mut digest.lock().unwrap_or_else(|p| p.into_inner()));
    let mut resp = send(cached).await.map_err(|e| describe(out.id, e))?;
    if resp.status() == reqwest::StatusCode::UNAUTHORIZED && creds.is_some() {
        let challenge = resp
            .headers()
            .get(reqwest::header::WWW_AUTHENTICATE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        if let Some(parsed) = challenge
            .as_deref()
            .filter(|c| c.trim_start().starts_with("Digest"))
            .and_then(|c| digest_auth::parse(c).ok())
        {
            let auth = {
                let mut st = digest.lock().unwrap_or_else(|p| p.into_inner());
                *st = Some(parsed);
                digest_for(&mut st)
            };
            resp = send(auth).await.map_err(|e| describe(out.id, e))?;
        }
    }
    Ok(resp)
}

/// The response's headers.
pub fn headers_of(resp: &reqwest::Response) -> Vec<Header> {
    resp.headers()
        .iter()
        .filter_map(|(k, v)| Some(Header::new(k.as_str(), v.to_str().ok()?)))
        .collect()
}

/// Carry out `req` against `base` (`http://host:port`). Any HTTP answer is a
/// response (the driver judges a 4xx); only a failed exchange is an error.
/// The body is read in chunks and refused as soon as it passes the limit.
pub async fn run(
    client: &reqwest::Client,
    base: &str,
    req: &HttpRequest,
    creds: Option<&Credentials>,
    digest: &DigestState,
) -> Result<HttpResponse, Failure> {
    let timeout = Duration::from_millis(u64::from(req.timeout_ms.clamp(100, 120_000)));
    let out = Outgoing {
        id: &req.id,
        method: &req.method,
        path: &req.path,
        headers: &req.headers,
        body: req.body.clone(),
        ws_security: req.ws_security,
        timeout: Some(timeout),
    };
    let mut resp = send(client, base, out, creds, digest).await?;
    let status = resp.status().as_u16();
    let headers = headers_of(&resp);
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| describe(&req.id, e))? {
        if body.len() + chunk.len() > MAX_BODY {
            return Err(Failure::new(
                &req.id,
                FailureKind::TooLarge,
                format!("response body exceeds {MAX_BODY} bytes"),
            ));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(HttpResponse {
        id: req.id.clone(),
        status,
        headers,
        body,
    })
}

/// One HTTP exchange on a device's behalf, run in a task of its own.
pub struct Exchange {
    /// Device id.
    pub device: String,
    /// `http://host:port`, if the device has an address.
    pub base: Option<String>,
    /// HTTP client.
    pub client: reqwest::Client,
    /// The device account.
    pub credentials: Option<Credentials>,
    /// Shared Digest state.
    pub digest: DigestState,
    /// The driver's input queue.
    pub to_driver: tokio::sync::mpsc::Sender<(String, super::types::Input)>,
    /// Link reports (answered, or why not).
    pub link: tokio::sync::mpsc::Sender<Result<(), String>>,
}

impl Exchange {
    /// Carry out `req`, settle the command waiting on it, tell the link and
    /// hand the answer (or the failure) to the driver.
    pub async fn run(self, req: HttpRequest, tracker: Option<super::tracker::SharedTracker>) {
        use super::tracker::settle;
        use super::types::Input;
        let Some(base) = self.base else {
            let why = format!("device `{}` has no `address` in the config", self.device);
            settle(&tracker, Some(why.clone()));
            let f = Failure::new(&req.id, FailureKind::Refused, why);
            let _ = self.to_driver.send((self.device, Input::Failed(f))).await;
            return;
        };
        let result = run(
            &self.client,
            &base,
            &req,
            self.credentials.as_ref(),
            &self.digest,
        )
        .await;
        let (input, link) = match result {
            Ok(resp) => {
                settle(&tracker, (resp.status >= 400).then(|| refusal(&resp)));
                (Input::HttpResponse(resp), Ok(()))
            }
            Err(f) => {
                settle(&tracker, Some(f.to_string()));
                let link = Err(f.to_string());
                (Input::Failed(f), link)
            }
        };
        let _ = self.link.send(link).await;
        let _ = self.to_driver.send((self.device, input)).await;
    }
}

/// A failed exchange, typed.
pub fn describe(id: &str, e: reqwest::Error) -> Failure {
    if e.is_timeout() {
        Failure::new(id, FailureKind::Timeout, "no answer in time")
    } else if e.is_connect() {
        Failure::new(
            id,
            FailureKind::Unreachable,
            format!(
                "cannot connect: {}",
                std::error::Error::source(&e).map_or_else(|| e.to_string(), |s| s.to_string())
            ),
        )
    } else {
        Failure::new(id, FailureKind::Closed, e.to_string())
    }
}

/// A device's refusal as a command's result: the status and, when the body
/// is short text (a JSON or XML error), the body, which says why.
fn refusal(resp: &HttpResponse) -> String {
    let mut why = format!("device answered HTTP {}", resp.status);
    if let Ok(text) = std::str::from_utf8(&resp.body) {
        let text = text.trim();
        if !text.is_empty() && text.len() <= 300 {
            why.push_str(": ");
            why.push_str(text);
        }
    }
    why
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENV: &str = r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><x/></s:Body></s:Envelope>"#;

    #[test]
    fn header_goes_where_soap_wants_it() {
        let out = insert_header(ENV, "<SEC/>").unwrap();
        assert!(out.contains("<s:Header><SEC/></s:Header><s:Body>"), "{out}");
        let with = ENV.replace("<s:Body>", "<s:Header><a/></s:Header><s:Body>");
        assert!(
            insert_header(&with, "<SEC/>")
                .unwrap()
                .contains("<s:Header><SEC/><a/></s:Header>")
        );
        let empty = ENV.replace("<s:Body>", "<s:Header/><s:Body>");
        assert!(
            insert_header(&empty, "<SEC/>")
                .unwrap()
                .contains("<s:Header><SEC/></s:Header><s:Body>")
        );
        let bare = "<Envelope><Body/></Envelope>";
        assert_eq!(
            insert_header(bare, "<SEC/>").unwrap(),
            "<Envelope><Header><SEC/></Header><Body/></Envelope>"
        );
        assert!(insert_header("<a/>", "<SEC/>").is_err());
    }

    #[test]
    fn token_digest_is_the_onvif_formula() {
        // Same known answer as the simulator's check, computed here independently.
        let nonce = B64.decode("LKqI6G/AikKCQrN0zqZFlg==").unwrap();
        let t = username_token(
            &Credentials {
                username: "admin".into(),
                password: "userpassword".into(),
            },
            &nonce,
            "2010-09-16T07:50:45Z",
        );
        assert!(t.contains(">tuOSpGlFlIXsozq4HFNeeGeFLEI=<"), "{t}");
        assert!(
            format!(
                "{:?}",
                Credentials {
                    username: "u".into(),
                    password: "secret".into()
                }
            )
            .contains("***")
        );
    }
}
