//! The devices' side of authentication: WS-Security UsernameToken digests
//! (ONVIF) and HTTP Digest (RFC 7616, MD5, qop=auth; ONVIF, RTSP, ISAPI).
//! Written apart from the hub's client side, so the two cannot agree on a
//! mistake.

use std::collections::VecDeque;
use std::sync::Mutex;

use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use md5::{Digest as _, Md5};
use sha1::Sha1;

use crate::camera::soap::UsernameToken;

/// Why credentials were refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denied {
    /// Present but wrong, and why.
    Wrong(&'static str),
}

/// `Base64(SHA1(nonce + created + password))`.
pub fn ws_digest(nonce_b64: &str, created: &str, password: &str) -> Option<String> {
    let nonce = B64.decode(nonce_b64.trim()).ok()?;
    let mut h = Sha1::new();
    h.update(&nonce);
    h.update(created.as_bytes());
    h.update(password.as_bytes());
    Some(B64.encode(h.finalize()))
}

/// Check a UsernameToken against the camera's account.
pub fn check_token(t: &UsernameToken, user: &str, password: &str) -> Result<(), Denied> {
    if t.username != user {
        return Err(Denied::Wrong("unknown user"));
    }
    let ok = if t.digest {
        ws_digest(&t.nonce, &t.created, password).as_deref() == Some(t.password.trim())
    } else {
        t.password == password
    };
    if ok {
        Ok(())
    } else {
        Err(Denied::Wrong("bad password digest"))
    }
}

fn md5_hex(s: &str) -> String {
    Md5::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Fields of a `Digest` Authorization header.
fn fields(header: &str) -> Option<Vec<(String, String)>> {
    let rest = header.trim().strip_prefix("Digest")?.trim();
    let mut out = Vec::new();
    let mut s = rest;
    while !s.is_empty() {
        let (k, after) = s.split_once('=')?;
        let after = after.trim_start();
        let (v, next) = if let Some(q) = after.strip_prefix('"') {
            let end = q.find('"')?;
            (&q[..end], &q[end + 1..])
        } else {
            match after.find(',') {
                Some(i) => (&after[..i], &after[i..]),
                None => (after, ""),
            }
        };
        out.push((k.trim().to_ascii_lowercase(), v.to_owned()));
        s = next.trim_start().trim_start_matches(',').trim_start();
        if out.len() > 32 {
            return None;
        }
    }
    Some(out)
}

/// Check an HTTP Digest `Authorization` header for `method` on the camera's
/// account; `known_nonce` says whether the camera issued the nonce.
pub fn check_digest(
    header: &str,
    method: &str,
    realm: &str,
    user: &str,
    password: &str,
    known_nonce: impl Fn(&str) -> bool,
) -> Result<(), Denied> {
    let f = fields(header).ok_or(Denied::Wrong("malformed Digest header"))?;
    let get = |k: &str| f.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let (Some(u), Some(nonce), Some(uri), Some(resp)) =
        (get("username"), get("nonce"), get("uri"), get("response"))
    else {
        return Err(Denied::Wrong(
            "Digest header lacks username, nonce, uri or response",
        ));
    };
    if u != user {
        return Err(Denied::Wrong("unknown user"));
    }
    if get("realm") != Some(realm) || !known_nonce(nonce) {
        return Err(Denied::Wrong("stale or foreign nonce"));
    }
    let ha1 = md5_hex(&format!("{user}:{realm}:{password}"));
    let ha2 = md5_hex(&format!("{method}:{uri}"));
    let expect = match (get("qop"), get("nc"), get("cnonce")) {
        (Some(qop), Some(nc), Some(cnonce)) => {
            md5_hex(&format!("{ha1}:{nonce}:{nc}:{cnonce}:{qop}:{ha2}"))
        }
        _ => md5_hex(&format!("{ha1}:{nonce}:{ha2}")),
    };
    if expect == resp {
        Ok(())
    } else {
        Err(Denied::Wrong("bad Digest response"))
    }
}

/// A device's Digest challenges: it issues nonces and accepts only its own.
#[derive(Debug)]
pub struct DigestGuard {
    realm: String,
    nonces: Mutex<VecDeque<String>>,
}

impl DigestGuard {
    /// A guard for `realm`.
    pub fn new(realm: &str) -> Self {
        DigestGuard {
            realm: realm.to_owned(),
            nonces: Mutex::new(VecDeque::new()),
        }
    }

    /// A fresh `WWW-Authenticate` value.
    pub fn challenge(&self) -> String {
        let nonce: String = (0..16)
            .map(|_| format!("{:02x}", fastrand::u8(..)))
            .collect();
        let mut n = self.nonces.lock().unwrap_or_else(|p| p.into_inner());
        n.push_back(nonce.clone());
        while n.len() > 1024 {
            n.pop_front();
        }
        format!(
            "Digest realm=\"{}\", qop=\"auth\", nonce=\"{nonce}\", algorithm=MD5",
            self.realm
        )
    }

    /// Check an `Authorization` header (`None`: absent) for `method`.
    pub fn check(
        &self,
        header: Option<&str>,
        method: &str,
        user: &str,
        password: &str,
    ) -> Result<(), Denied> {
        let h = header
            .filter(|h| h.trim_start().starts_with("Digest"))
            .ok_or(Denied::Wrong("no Digest credentials"))?;
        let known = |n: &str| {
            self.nonces
                .lock()
                .map(|ns| ns.iter().any(|x| x == n))
                .unwrap_or(false)
        };
        check_digest(h, method, &self.realm, user, password, known)
    }

    /// A `401` carrying a fresh challenge.
    pub fn refusal(&self) -> Response {
        (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, self.challenge())],
            "",
        )
            .into_response()
    }

    /// Check an HTTP request's `Authorization`; refused: the `401` to send.
    pub fn authorize(
        &self,
        headers: &HeaderMap,
        method: &Method,
        user: &str,
        password: &str,
    ) -> Result<(), Box<Response>> {
        let h = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        self.check(h, method.as_str(), user, password)
            .map_err(|_| Box::new(self.refusal()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ws_security_digest_matches_the_onvif_formula() {
        // Known answer from the ONVIF Application Programmer's Guide example.
        let d = ws_digest(
            "LKqI6G/AikKCQrN0zqZFlg==",
            "2010-09-16T07:50:45Z",
            "userpassword",
        )
        .unwrap();
        assert_eq!(d, "tuOSpGlFlIXsozq4HFNeeGeFLEI=");
        let t = UsernameToken {
            username: "admin".into(),
            password: d,
            digest: true,
            nonce: "LKqI6G/AikKCQrN0zqZFlg==".into(),
            created: "2010-09-16T07:50:45Z".into(),
        };
        assert_eq!(check_token(&t, "admin", "userpassword"), Ok(()));
        assert!(check_token(&t, "admin", "other").is_err());
        assert!(check_token(&t, "root", "userpassword").is_err());
    }

    #[test]
    fn http_digest_matches_rfc_2617_example() {
        // RFC 2617 §3.5.
        let h = r#"Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41""#;
        let known = |n: &str| n == "dcd98b7102dd2f0e8b11d0f600bfb0c093";
        assert_eq!(
            check_digest(
                h,
                "GET",
                "testrealm@host.com",
                "Mufasa",
                "Circle Of Life",
                known
            ),
            Ok(())
        );
        assert!(check_digest(h, "GET", "testrealm@host.com", "Mufasa", "wrong", known).is_err());
        assert!(
            check_digest(
                h,
                "GET",
                "testrealm@host.com",
                "Mufasa",
                "Circle Of Life",
                |_| false
            )
            .is_err()
        );
    }

    proptest! {
        #[test]
        fn digest_header_parser_never_panics(h in ".{0,300}") {
            let _ = check_digest(&h, "POST", "r", "u", "p", |_| true);
            let _ = fields(&format!("Digest {h}"));
        }
    }
}
