//! Splitting `multipart/*` bodies and line streams into parts, incrementally
//! and with limits enforced while reading: the hub uses it on HTTP streams
//! (ISAPI `alertStream`, Dahua `eventManager`), drivers on pushed bodies
//! (`multipart/form-data` with an event and its pictures).
//!
//! ```
//! use twinwall_plugin_sdk::multipart;
//! let body = b"--b\r\nContent-Type: application/json\r\n\r\n{\"a\":1}\r\n--b\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8\r\n--b--\r\n";
//! let parts = multipart::parse(body, "multipart/form-data; boundary=b", 1 << 20).unwrap();
//! assert_eq!(parts.len(), 2);
//! assert_eq!(parts[0].header("content-type"), Some("application/json"));
//! assert_eq!(parts[1].body, b"\xff\xd8");
//! ```

/// One part: its headers and body.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Part {
    /// Headers in order, names as sent.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Part {
    /// The value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// A `Content-Disposition` parameter, e.g. `name` or `filename`.
    pub fn disposition(&self, param: &str) -> Option<&str> {
        parameter(self.header("content-disposition")?, param)
    }
}

/// Why a body could not be split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SplitError {
    /// A part (or the headers of one) grew past the limit.
    TooLarge {
        /// The limit, bytes.
        limit: usize,
    },
    /// Not multipart as declared.
    Malformed(String),
}

impl std::fmt::Display for SplitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SplitError::TooLarge { limit } => write!(f, "a part exceeds {limit} bytes"),
            SplitError::Malformed(m) => write!(f, "malformed multipart: {m}"),
        }
    }
}

impl std::error::Error for SplitError {}

/// A parameter of a header value: `boundary` of a content type, `name` of a
/// content disposition. Quotes are removed.
pub fn parameter<'a>(value: &'a str, name: &str) -> Option<&'a str> {
    value.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().trim_matches('"'))
    })
}

/// The boundary of a `multipart/*` content type.
pub fn boundary(content_type: &str) -> Option<&str> {
    let ct = content_type.trim_start();
    if !ct.get(..10)?.eq_ignore_ascii_case("multipart/") {
        return None;
    }
    parameter(ct, "boundary").filter(|b| !b.is_empty() && b.len() <= 200)
}

/// Largest block of part headers.
const MAX_HEADERS: usize = 16 << 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before the first delimiter.
    Preamble,
    /// Just after a delimiter: `--` ends, a line break starts a part.
    AfterDelimiter,
    Headers,
    Body,
    /// After the closing delimiter: everything is ignored.
    Done,
}

/// An incremental `multipart/*` splitter.
#[derive(Debug, Clone)]
pub struct Splitter {
    delimiter: Vec<u8>,
    max_part: usize,
    buf: Vec<u8>,
    state: State,
    part: Part,
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

impl Splitter {
    /// A splitter for `boundary`, refusing parts over `max_part` bytes.
    pub fn new(boundary: &str, max_part: usize) -> Self {
        let mut delimiter = b"--".to_vec();
        delimiter.extend_from_slice(boundary.as_bytes());
        Splitter {
            delimiter,
            max_part,
            buf: Vec::new(),
            state: State::Preamble,
            part: Part::default(),
        }
    }

    /// Whether the closing delimiter has been seen.
    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// Feed bytes; returns the parts they completed.
    pub fn push(&mut self, data: &[u8]) -> Result<Vec<Part>, SplitError> {
        let mut out = Vec::new();
        if self.state == State::Done {
            return Ok(out);
        }
        self.buf.extend_from_slice(data);
        loop {
            match self.state {
                State::Done => {
                    self.buf.clear();
                    return Ok(out);
                }
                State::Preamble => match find(&self.buf, &self.delimiter) {
                    Some(i) => {
                        self.buf.drain(..i + self.delimiter.len());
                        self.state = State::AfterDelimiter;
                    }
                    None => {
                        // Keep only what could still begin a delimiter.
                        let keep = self.delimiter.len().saturating_sub(1);
                        if self.buf.len() > keep {
                            let cut = self.buf.len() - keep;
                            self.buf.drain(..cut);
                        }
                        return Ok(out);
                    }
                },
                State::AfterDelimiter => {
                    if self.buf.len() < 2 {
                        return Ok(out);
                    }
                    if self.buf.starts_with(b"--") {
                        self.state = State::Done;
                        continue;
                    }
                    // Transport padding, then the line break.
                    let Some(nl) = self.buf.iter().position(|b| *b == b'\n') else {
                        if self.buf.len() > 256 {
                            return Err(SplitError::Malformed(
                                "no line break after a boundary".into(),
                            ));
                        }
                        return Ok(out);
                    };
                    if self.buf[..nl]
                        .iter()
                        .any(|b| !matches!(b, b' ' | b'\t' | b'\r'))
                    {
                        return Err(SplitError::Malformed(
                            "text after a boundary on its line".into(),
                        ));
                    }
                    self.buf.drain(..=nl);
                    self.part = Part::default();
                    self.state = State::Headers;
                }
                State::Headers => {
                    let end = find(&self.buf, b"\r\n\r\n")
                        .map(|i| (i, 4))
                        .into_iter()
                        .chain(find(&self.buf, b"\n\n").map(|i| (i, 2)))
                        .min_by_key(|(i, _)| *i);
                    // A part without headers starts with its blank line.
                    let end = if self.buf.starts_with(b"\r\n") {
                        Some((0, 2))
                    } else if self.buf.starts_with(b"\n") {
                        Some((0, 1))
                    } else {
                        end
                    };
                    let Some((i, n)) = end else {
                        if self.buf.len() > MAX_HEADERS {
                            return Err(SplitError::TooLarge { limit: MAX_HEADERS });
                        }
                        return Ok(out);
                    };
                    if i > MAX_HEADERS {
                        return Err(SplitError::TooLarge { limit: MAX_HEADERS });
                    }
                    let text = String::from_utf8_lossy(&self.buf[..i]).into_owned();
                    for line in text.lines() {
                        if line.trim().is_empty() {
                            continue;
                        }
                        let Some((k, v)) = line.split_once(':') else {
                            return Err(SplitError::Malformed(format!(
                                "part header line without a colon: {:?}",
                                line.chars().take(80).collect::<String>()
                            )));
                        };
                        self.part
                            .headers
                            .push((k.trim().to_owned(), v.trim().to_owned()));
                    }
                    self.buf.drain(..i + n);
                    self.state = State::Body;
                }
                State::Body => {
                    // The body ends at a line break followed by the delimiter
                    // (tolerated: a delimiter right at the start, an empty body).
                    let found = if self.buf.starts_with(&self.delimiter) {
                        Some((0, 0))
                    } else {
                        let mut needle = b"\n".to_vec();
                        needle.extend_from_slice(&self.delimiter);
                        find(&self.buf, &needle).map(|i| {
                            let end = if i > 0 && self.buf[i - 1] == b'\r' {
                                i - 1
                            } else {
                                i
                            };
                            (end, i + 1)
                        })
                    };
                    let Some((end, at)) = found else {
                        return self.wait_body(out);
                    };
                    if end > self.max_part {
                        return Err(SplitError::TooLarge {
                            limit: self.max_part,
                        });
                    }
                    let mut part = std::mem::take(&mut self.part);
                    part.body = self.buf[..end].to_vec();
                    self.buf.drain(..at + self.delimiter.len());
                    out.push(part);
                    self.state = State::AfterDelimiter;
                }
            }
        }
    }

    fn wait_body(&self, out: Vec<Part>) -> Result<Vec<Part>, SplitError> {
        // Bytes that cannot be the line break and delimiter are the part's.
        if self.buf.len() > self.max_part + self.delimiter.len() + 2 {
            return Err(SplitError::TooLarge {
                limit: self.max_part,
            });
        }
        Ok(out)
    }
}

/// Split a whole `multipart/*` body. Parts over `max_part` bytes, a missing
/// boundary or a body that ends inside a part are errors.
pub fn parse(body: &[u8], content_type: &str, max_part: usize) -> Result<Vec<Part>, SplitError> {
    let b = boundary(content_type).ok_or_else(|| {
        SplitError::Malformed(format!(
            "content type `{}` is not multipart with a boundary",
            content_type.chars().take(100).collect::<String>()
        ))
    })?;
    let mut s = Splitter::new(b, max_part);
    let parts = s.push(body)?;
    if !s.is_done() && matches!(s.state, State::Headers | State::Body) {
        return Err(SplitError::Malformed(
            "the body ends inside a part (no closing boundary)".into(),
        ));
    }
    if parts.is_empty() {
        return Err(SplitError::Malformed("no part found".into()));
    }
    Ok(parts)
}

/// An incremental line splitter (LF or CRLF; empty lines skipped).
#[derive(Debug, Clone)]
pub struct Lines {
    max_line: usize,
    buf: Vec<u8>,
}

impl Lines {
    /// A splitter refusing lines over `max_line` bytes.
    pub fn new(max_line: usize) -> Self {
        Lines {
            max_line,
            buf: Vec::new(),
        }
    }

    /// Feed bytes; returns the lines they completed, without line endings.
    pub fn push(&mut self, data: &[u8]) -> Result<Vec<Vec<u8>>, SplitError> {
        self.buf.extend_from_slice(data);
        let mut out = Vec::new();
        while let Some(i) = self.buf.iter().position(|b| *b == b'\n') {
            let mut line: Vec<u8> = self.buf.drain(..=i).collect();
            line.pop();
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            if line.len() > self.max_line {
                return Err(SplitError::TooLarge {
                    limit: self.max_line,
                });
            }
            if !line.is_empty() {
                out.push(line);
            }
        }
        if self.buf.len() > self.max_line + 1 {
            return Err(SplitError::TooLarge {
                limit: self.max_line,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] = b"preamble\r\n--XYZ\r\nContent-Disposition: form-data; name=\"event\"\r\nContent-Type: application/json\r\n\r\n{\"x\":1}\r\n--XYZ\r\nContent-Disposition: form-data; name=\"Picture\"; filename=\"a.jpg\"\r\nContent-Type: image/jpeg\r\n\r\nJPEG--XY\r\n--XYZ--\r\n";

    #[test]
    fn splits_whole_and_in_any_chunking() {
        let parts = parse(BODY, "multipart/form-data; boundary=\"XYZ\"", 100).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].disposition("name"), Some("event"));
        assert_eq!(parts[0].body, b"{\"x\":1}");
        assert_eq!(parts[1].disposition("filename"), Some("a.jpg"));
        assert_eq!(parts[1].body, b"JPEG--XY");
        for chunk in 1..BODY.len() {
            let mut s = Splitter::new("XYZ", 100);
            let mut got = Vec::new();
            for c in BODY.chunks(chunk) {
                got.extend(s.push(c).unwrap());
            }
            assert_eq!(got, parts, "chunk size {chunk}");
            assert!(s.is_done());
        }
    }

    #[test]
    fn limits_hold_while_reading() {
        let mut s = Splitter::new("XYZ", 4);
        let mut err = None;
        for c in BODY.chunks(3) {
            if let Err(e) = s.push(c) {
                err = Some(e);
                break;
            }
        }
        assert_eq!(err, Some(SplitError::TooLarge { limit: 4 }));
        // A stream that never delimits is cut once it passes the limit, not at the end.
        let mut s = Splitter::new("B", 10);
        s.push(b"--B\r\n\r\n").unwrap();
        assert!(s.push(&[b'x'; 11]).is_ok());
        assert!(s.push(&[b'x'; 10]).is_err());
        assert!(parse(b"--B\r\n\r\nabc", "multipart/mixed; boundary=B", 10).is_err());
        assert!(parse(BODY, "application/json", 10).is_err());
    }

    #[test]
    fn lf_only_and_headerless_parts() {
        let b = b"--b\n\nplain\n--b\nX: 1\n\nv\n--b--";
        let parts = parse(b, "multipart/mixed;boundary=b", 100).unwrap();
        assert_eq!(parts[0].body, b"plain");
        assert_eq!(parts[1].header("x"), Some("1"));
        assert_eq!(parts[1].body, b"v");
    }

    #[test]
    fn lines_split_and_cap() {
        let mut l = Lines::new(5);
        assert_eq!(l.push(b"ab\r\ncd").unwrap(), vec![b"ab".to_vec()]);
        assert_eq!(
            l.push(b"\n\nx\n").unwrap(),
            vec![b"cd".to_vec(), b"x".to_vec()]
        );
        assert!(l.push(b"toolongline").is_err());
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_input_never_panics(b in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..600), chunk in 1usize..64) {
            let mut s = Splitter::new("b", 64);
            for c in b.chunks(chunk) {
                if s.push(c).is_err() { break; }
            }
            let _ = parse(&b, "multipart/mixed; boundary=b", 64);
            let _ = Lines::new(16).push(&b);
        }

        #[test]
        fn chunking_never_changes_the_parts(cut in 1usize..BODY.len(), flip in 0usize..BODY.len(), byte in proptest::prelude::any::<u8>()) {
            let mut body = BODY.to_vec();
            body[flip] = byte;
            let whole = Splitter::new("XYZ", 100).push(&body);
            let mut s = Splitter::new("XYZ", 100);
            let (a, b) = body.split_at(cut);
            let split = s.push(a).and_then(|mut p| { p.extend(s.push(b)?); Ok(p) });
            match (&whole, &split) {
                (Ok(w), Ok(sp)) => proptest::prop_assert_eq!(w, sp),
                (Err(_), Err(_)) => {}
                _ => proptest::prop_assert!(false, "whole {:?} vs split at {} {:?}", whole, cut, split),
            }
        }
    }

    #[test]
    fn boundary_is_read_from_the_content_type() {
        assert_eq!(
            boundary("multipart/mixed; boundary=boundary"),
            Some("boundary")
        );
        assert_eq!(
            boundary("Multipart/Form-Data; charset=x; Boundary=\"a b\""),
            Some("a b")
        );
        assert_eq!(boundary("text/plain; boundary=x"), None);
        assert_eq!(boundary("multipart/mixed"), None);
    }
}
