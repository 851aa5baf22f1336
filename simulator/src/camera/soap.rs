//! Reading SOAP requests: the operation (first element of the Body, by
//! namespace and local name), the WS-Security UsernameToken, and the few
//! parameters the camera needs. Namespace-aware (quick-xml `NsReader`), so any
//! prefix works; bounded, so hostile input cannot make it allocate without limit.

use quick_xml::NsReader;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;

/// Largest SOAP request accepted.
pub const MAX_BODY: usize = 256 * 1024;

/// What a SOAP request asks and carries.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SoapRequest {
    /// Namespace URI of the operation element.
    pub ns: String,
    /// Local name of the operation element, e.g. `GetProfiles`.
    pub op: String,
    /// WS-Security UsernameToken, when present.
    pub token: Option<UsernameToken>,
    /// Text of the leaf elements inside the operation, by local name (first wins).
    pub params: Vec<(String, String)>,
    /// WS-Addressing `MessageID` from the header, when present.
    pub message_id: Option<String>,
}

/// A WS-Security UsernameToken.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct UsernameToken {
    /// User.
    pub username: String,
    /// Base64 digest (or clear text for PasswordText).
    pub password: String,
    /// Whether the password is a digest.
    pub digest: bool,
    /// Base64 nonce.
    pub nonce: String,
    /// Creation time, as sent.
    pub created: String,
}

/// Why a request could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SoapError {
    /// Too big.
    #[error("request larger than {MAX_BODY} bytes")]
    TooLarge,
    /// Not XML, or not a SOAP envelope with a body.
    #[error("malformed SOAP request: {0}")]
    Malformed(String),
}

const SOAP_ENV: &[&str] = &[
    "http://www.w3.org/2003/05/soap-envelope",
    "http://schemas.xmlsoap.org/soap/envelope/",
];

impl SoapRequest {
    /// A parameter's text.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Parse a SOAP 1.1/1.2 request.
pub fn parse(body: &[u8]) -> Result<SoapRequest, SoapError> {
    if body.len() > MAX_BODY {
        return Err(SoapError::TooLarge);
    }
    let mut r = NsReader::from_reader(body);
    r.config_mut().trim_text(true);
    let mut buf = Vec::new();
    let mut path: Vec<String> = Vec::new();
    let mut in_body = false;
    let mut in_header = false;
    let mut op_depth = None;
    let mut out = SoapRequest::default();
    let mut token: Option<UsernameToken> = None;
    let mut current: Option<String> = None;
    loop {
        let ev = r
            .read_resolved_event_into(&mut buf)
            .map_err(|e| SoapError::Malformed(e.to_string()))?;
        match ev {
            (ns, ev @ (Event::Start(_) | Event::Empty(_))) => {
                let (Event::Start(e) | Event::Empty(e)) = &ev else {
                    unreachable!()
                };
                let empty = matches!(ev, Event::Empty(_));
                let local = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                let ns = match ns {
                    ResolveResult::Bound(n) => String::from_utf8_lossy(n.as_ref()).into_owned(),
                    _ => String::new(),
                };
                if path.len() > 64 {
                    return Err(SoapError::Malformed(
                        "elements nested deeper than 64".into(),
                    ));
                }
                let depth = path.len();
                if depth == 1 && SOAP_ENV.contains(&ns.as_str()) && !empty {
                    in_body = local == "Body";
                    in_header = local == "Header";
                }
                if in_body && depth == 2 && out.op.is_empty() {
                    out.op = local.clone();
                    out.ns = ns.clone();
                    op_depth = Some(depth);
                }
                if in_header && local == "UsernameToken" {
                    token = Some(UsernameToken::default());
                }
                if in_header && local == "Password" {
                    let digest = e.attributes().flatten().any(|a| {
                        a.key.local_name().as_ref() == b"Type"
                            && a.value.ends_with(b"#PasswordDigest")
                    });
                    if let Some(t) = &mut token {
                        t.digest = digest;
                    }
                }
                if !empty {
                    current = Some(local.clone());
                    path.push(local);
                }
            }
            (_, Event::End(_)) => {
                path.pop();
                current = None;
                if path.len() == 1 {
                    in_body = false;
                    in_header = false;
                }
            }
            (_, Event::Text(t)) => {
                let text = t
                    .decode()
                    .map_err(|e| SoapError::Malformed(e.to_string()))?
                    .into_owned();
                let Some(name) = current.clone() else {
                    continue;
                };
                if in_header && name == "MessageID" {
                    out.message_id = Some(text.chars().take(256).collect());
                } else if in_header {
                    if let Some(tok) = &mut token {
                        match name.as_str() {
                            "Username" => tok.username = text,
                            "Password" => tok.password = text,
                            "Nonce" => tok.nonce = text,
                            "Created" => tok.created = text,
                            _ => {}
                        }
                    }
                } else if in_body
                    && op_depth.is_some()
                    && out.params.len() < 64
                    && !out.params.iter().any(|(k, _)| *k == name)
                {
                    out.params.push((name, text.chars().take(1024).collect()));
                }
            }
            (_, Event::Eof) => break,
            _ => {}
        }
        buf.clear();
    }
    if out.op.is_empty() {
        return Err(SoapError::Malformed("no operation in a SOAP Body".into()));
    }
    out.token = token;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const REQ: &str = r#"<?xml version="1.0"?>
<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:trt="http://www.onvif.org/ver10/media/wsdl">
 <s:Header><wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">
  <wsse:UsernameToken><wsse:Username>admin</wsse:Username>
   <wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">abc=</wsse:Password>
   <wsse:Nonce>bm9uY2U=</wsse:Nonce><wsu:Created>2026-11-29T10:00:00Z</wsu:Created></wsse:UsernameToken></wsse:Security></s:Header>
 <s:Body><trt:GetStreamUri><trt:StreamSetup><Stream>RTP-Unicast</Stream></trt:StreamSetup><trt:ProfileToken>main</trt:ProfileToken></trt:GetStreamUri></s:Body>
</s:Envelope>"#;

    #[test]
    fn reads_operation_token_and_params_whatever_the_prefixes() {
        let r = parse(REQ.as_bytes()).unwrap();
        assert_eq!(
            (r.ns.as_str(), r.op.as_str()),
            ("http://www.onvif.org/ver10/media/wsdl", "GetStreamUri")
        );
        assert_eq!(r.param("ProfileToken"), Some("main"));
        assert_eq!(r.param("Stream"), Some("RTP-Unicast"));
        let t = r.token.unwrap();
        assert_eq!(
            (t.username.as_str(), t.digest, t.nonce.as_str()),
            ("admin", true, "bm9uY2U=")
        );
        let other = REQ
            .replace("<s:", "<env:")
            .replace("</s:", "</env:")
            .replace("xmlns:s=", "xmlns:env=")
            .replace("<trt:", "<m:")
            .replace("</trt:", "</m:")
            .replace("xmlns:trt=", "xmlns:m=");
        assert_eq!(parse(other.as_bytes()).unwrap().op, "GetStreamUri");
    }

    #[test]
    fn a_self_closing_operation_is_an_operation() {
        let r = parse(br#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:trt="http://www.onvif.org/ver10/media/wsdl"><s:Body><trt:GetProfiles/></s:Body></s:Envelope>"#).unwrap();
        assert_eq!(r.op, "GetProfiles");
    }

    #[test]
    fn refuses_what_is_not_a_soap_request() {
        assert!(parse(b"").is_err());
        assert!(parse(b"<a><b/></a>").is_err());
        assert!(parse(b"<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body></s:Body></s:Envelope>").is_err());
        assert_eq!(parse(&vec![b' '; MAX_BODY + 1]), Err(SoapError::TooLarge));
        let deep = format!("{}{}", "<a>".repeat(100), "</a>".repeat(100));
        assert!(parse(deep.as_bytes()).is_err());
    }

    proptest! {
        #[test]
        fn never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
            let _ = parse(&bytes);
        }

        #[test]
        fn never_panics_on_mutated_requests(cut in 0usize..REQ.len(), junk in "[<>/:=\"a-z ]{0,40}") {
            let mut s = REQ[..cut].to_owned();
            s.push_str(&junk);
            s.push_str(&REQ[cut..]);
            let _ = parse(s.as_bytes());
        }
    }
}
