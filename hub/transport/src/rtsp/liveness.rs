//! The cheap check between samples: one RTSP `OPTIONS` on a fresh
//! connection. Any RTSP answer (even 401) proves the camera's RTSP server is
//! up; no media flows.

use std::time::Duration;

use rtsp_types::{Message, Method, Request, Version, headers};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Largest answer read.
const MAX_ANSWER: usize = 8 * 1024;

/// Ask the server of `uri` for `OPTIONS`, within `timeout`: its status code,
/// or why there was no RTSP answer.
pub async fn options(uri: &url::Url, timeout: Duration) -> Result<u16, String> {
    tokio::time::timeout(timeout, ask(uri))
        .await
        .unwrap_or_else(|_| {
            Err(format!(
                "no answer to OPTIONS within {} ms",
                timeout.as_millis()
            ))
        })
}

async fn ask(uri: &url::Url) -> Result<u16, String> {
    let host = uri
        .host_str()
        .ok_or_else(|| format!("stream URI `{uri}` names no host"))?;
    let port = uri.port().unwrap_or(554);
    let mut plain = uri.clone();
    // The account never goes on the wire in clear.
    let _ = plain.set_username("");
    let _ = plain.set_password(None);
    let req = Request::builder(Method::Options, Version::V1_0)
        .request_uri(plain)
        .header(headers::CSEQ, "1")
        .header(
            headers::USER_AGENT,
            format!("twinwall-hub/{}", env!("CARGO_PKG_VERSION")),
        )
        .empty();
    let mut out = Vec::new();
    req.write(&mut out)
        .map_err(|e| format!("cannot write OPTIONS: {e}"))?;
    let mut conn = tokio::net::TcpStream::connect((host.trim_matches(['[', ']']), port))
        .await
        .map_err(|e| format!("connect {host}:{port}: {e}"))?;
    conn.write_all(&out)
        .await
        .map_err(|e| format!("send OPTIONS: {e}"))?;
    let mut buf = Vec::with_capacity(512);
    loop {
        let mut chunk = [0u8; 1024];
        let n = conn
            .read(&mut chunk)
            .await
            .map_err(|e| format!("read the OPTIONS answer: {e}"))?;
        if n == 0 {
            return Err("the camera closed the connection without answering OPTIONS".into());
        }
        buf.extend_from_slice(&chunk[..n]);
        match Message::<Vec<u8>>::parse(&buf) {
            Ok((Message::Response(r), _)) => return Ok(u16::from(r.status())),
            Ok(_) => return Err("the camera answered OPTIONS with a request".into()),
            Err(rtsp_types::ParseError::Incomplete(_)) if buf.len() < MAX_ANSWER => {}
            Err(e) => {
                let head = String::from_utf8_lossy(&buf[..buf.len().min(80)]).into_owned();
                return Err(format!("not an RTSP answer to OPTIONS ({e:?}): {head:?}"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::TcpListener;

    async fn server(answer: &'static [u8]) -> (url::Url, tokio::task::JoinHandle<Vec<u8>>) {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let uri = url::Url::parse(&format!(
            "rtsp://admin:secret@{}/stream1",
            l.local_addr().unwrap()
        ))
        .unwrap();
        let task = tokio::spawn(async move {
            let (mut c, _) = l.accept().await.unwrap();
            let mut got = vec![0u8; 4096];
            let n = c.read(&mut got).await.unwrap();
            got.truncate(n);
            c.write_all(answer).await.unwrap();
            got
        });
        (uri, task)
    }

    #[tokio::test]
    async fn any_rtsp_answer_is_alive_and_the_account_stays_home() {
        let (uri, task) = server(b"RTSP/1.0 401 Unauthorized\r\nCSeq: 1\r\n\r\n").await;
        assert_eq!(options(&uri, Duration::from_secs(2)).await, Ok(401));
        let sent = String::from_utf8(task.await.unwrap()).unwrap();
        assert!(sent.starts_with("OPTIONS rtsp://127.0.0.1:"), "{sent}");
        assert!(
            !sent.contains("secret") && !sent.contains("admin"),
            "{sent}"
        );
    }

    #[tokio::test]
    async fn an_http_server_on_the_port_is_not_a_camera() {
        let (uri, _task) = server(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n").await;
        let err = options(&uri, Duration::from_secs(2)).await.unwrap_err();
        assert!(err.contains("not an RTSP answer"), "{err}");
    }

    #[tokio::test]
    async fn nobody_listening_says_where() {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        drop(l);
        let uri = url::Url::parse(&format!("rtsp://{addr}/x")).unwrap();
        let err = options(&uri, Duration::from_secs(2)).await.unwrap_err();
        assert!(
            err.contains(&format!("connect 127.0.0.1:{}", addr.port())),
            "{err}"
        );
    }
}
