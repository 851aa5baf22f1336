//! SIA DC-09 framing, as the receiving centre reads it and answers:
//! `LF crc(4 hex) len(4 hex) "ID" seq(4) Rrcvr Lline #acct [data]…_timestamp CR`.
//! The CRC is CRC-16/ARC over everything between the length and the CR; the
//! length counts the same bytes. Encrypted messages (`"*ADM-CID"`) carry the
//! part after `[` as hex of AES-CBC (zero IV), whose plain text starts with
//! padding up to a `|`. Every parse error says what was wrong.

use twinwall_plugin_sdk::time::{digits, from_civil, to_civil};

/// CRC-16/ARC (polynomial 0x8005 reflected, initial 0), as DC-09 specifies.
pub fn crc16(data: &[u8]) -> u16 {
    let mut crc: u16 = 0;
    for &b in data {
        crc ^= u16::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xA001
            } else {
                crc >> 1
            };
        }
    }
    crc
}

/// Why a frame is not a DC-09 message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameError {
    /// Not `LF … CR`, or too short.
    Shape(&'static str),
    /// The CRC does not match.
    Crc {
        /// As sent.
        sent: String,
        /// As computed.
        computed: String,
    },
    /// The length field does not match.
    Length {
        /// As sent.
        sent: usize,
        /// Counted.
        counted: usize,
    },
    /// A header field is malformed.
    Header(&'static str),
}

impl std::fmt::Display for FrameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FrameError::Shape(s) => write!(f, "not a DC-09 frame: {s}"),
            FrameError::Crc { sent, computed } => {
                write!(f, "CRC {sent} does not match the content ({computed})")
            }
            FrameError::Length { sent, counted } => {
                write!(f, "length field says {sent} bytes, the frame has {counted}")
            }
            FrameError::Header(s) => write!(f, "bad header: {s}"),
        }
    }
}

/// A DC-09 message's header and its still-raw data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// `ADM-CID`, `SIA-DCS`, `NULL`.
    pub id: String,
    /// The `*` flag.
    pub encrypted: bool,
    /// Sequence number, `0001`..`9999`.
    pub seq: String,
    /// Receiver number (`R…`), if sent.
    pub receiver: Option<String>,
    /// Line number (`L…`).
    pub line: String,
    /// Account (`#…`).
    pub account: String,
    /// Everything after the first `[` (hex cipher text when encrypted).
    pub rest: String,
}

fn hexes(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Check and read the header of one frame (`LF … CR` included).
pub fn parse(frame: &[u8]) -> Result<Message, FrameError> {
    let frame = frame
        .strip_prefix(b"\n")
        .ok_or(FrameError::Shape("no leading LF"))?;
    let frame = frame
        .strip_suffix(b"\r")
        .ok_or(FrameError::Shape("no trailing CR"))?;
    if frame.len() < 9 {
        return Err(FrameError::Shape("shorter than CRC and length"));
    }
    let text = std::str::from_utf8(frame).map_err(|_| FrameError::Shape("not ASCII"))?;
    if !text.is_ascii() {
        return Err(FrameError::Shape("not ASCII"));
    }
    let (crc, rest) = text.split_at(4);
    let (len, body) = rest.split_at(4);
    if !hexes(crc) || !hexes(len) {
        return Err(FrameError::Shape("CRC and length must be hex"));
    }
    let computed = format!("{:04X}", crc16(body.as_bytes()));
    if !crc.eq_ignore_ascii_case(&computed) {
        return Err(FrameError::Crc {
            sent: crc.to_owned(),
            computed,
        });
    }
    let sent = usize::from_str_radix(len, 16).map_err(|_| FrameError::Shape("length"))?;
    if sent != body.len() {
        return Err(FrameError::Length {
            sent,
            counted: body.len(),
        });
    }
    let b = body
        .strip_prefix('"')
        .ok_or(FrameError::Header("no opening quote"))?;
    let close = b.find('"').ok_or(FrameError::Header("no closing quote"))?;
    let (mut id, after) = (&b[..close], &b[close + 1..]);
    let encrypted = id.starts_with('*');
    if encrypted {
        id = &id[1..];
    }
    if !matches!(id, "ADM-CID" | "SIA-DCS" | "NULL") {
        return Err(FrameError::Header("unknown message id"));
    }
    let seq = after
        .get(..4)
        .filter(|s| s.bytes().all(|c| c.is_ascii_digit()))
        .ok_or(FrameError::Header("sequence is not 4 digits"))?;
    let mut at = &after[4..];
    let mut field = |prefix: char| -> Option<String> {
        let r = at.strip_prefix(prefix)?;
        let n = r.bytes().take_while(u8::is_ascii_hexdigit).count();
        let v = r[..n].to_owned();
        at = &r[n..];
        Some(v)
    };
    let receiver = field('R');
    let line = field('L').ok_or(FrameError::Header("no line (L…)"))?;
    let account = field('#').ok_or(FrameError::Header("no account (#…)"))?;
    if !(1..=6).contains(&line.len())
        || receiver
            .as_ref()
            .is_some_and(|r| !(1..=6).contains(&r.len()))
    {
        return Err(FrameError::Header(
            "receiver and line are 1 to 6 hex digits",
        ));
    }
    if !(3..=16).contains(&account.len()) {
        return Err(FrameError::Header("account is 3 to 16 hex digits"));
    }
    let rest = at
        .strip_prefix('[')
        .ok_or(FrameError::Header("no `[` after the account"))?;
    Ok(Message {
        id: id.to_owned(),
        encrypted,
        seq: seq.to_owned(),
        receiver,
        line,
        account: account.to_uppercase(),
        rest: rest.to_owned(),
    })
}

/// The account of a frame, read without checking the rest (for routing).
pub fn account_of(frame: &[u8]) -> Option<String> {
    parse(frame).ok().map(|m| m.account)
}

/// The data and time stamp of a (decrypted) message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Content {
    /// Between `[` and `]`, without the account prefix: `1130 01 003` for ADM-CID.
    pub data: String,
    /// `HH:MM:SS,MM-DD-YYYY` as seconds since the epoch (UTC), if present.
    pub timestamp: Option<i64>,
}

/// Read `[#acct|data]…_HH:MM:SS,MM-DD-YYYY` (`rest` starts after the `[`;
/// for decrypted text, with its padding up to the first `|`).
pub fn content(rest: &str, decrypted: bool) -> Result<Content, &'static str> {
    let mut r = rest;
    if decrypted {
        let bar = r
            .find('|')
            .ok_or("decrypted text has no `|` after its padding")?;
        if r[..bar].contains(['[', ']']) {
            return Err("padding holds `[` or `]`");
        }
        r = &r[bar + 1..];
    }
    let close = r.find(']').ok_or("no `]` closing the data")?;
    let mut data = &r[..close];
    if let Some(d) = data.strip_prefix('#') {
        // `#acct|…`: the account again.
        data = d.split_once('|').map_or("", |(_, x)| x);
    }
    let after = &r[close + 1..];
    let timestamp = match after.rfind('_') {
        Some(i) => Some(timestamp(&after[i + 1..]).ok_or("bad time stamp")?),
        None => None,
    };
    Ok(Content {
        data: data.to_owned(),
        timestamp,
    })
}

/// `HH:MM:SS,MM-DD-YYYY` (UTC) to seconds since the epoch.
pub fn timestamp(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 19
        || b[2] != b':'
        || b[5] != b':'
        || b[8] != b','
        || b[11] != b'-'
        || b[14] != b'-'
    {
        return None;
    }
    let n = |r| digits(s, r);
    let (h, mi, se, mo, d, y) = (
        n(0..2)?,
        n(3..5)?,
        n(6..8)?,
        n(9..11)?,
        n(12..14)?,
        n(15..19)?,
    );
    if h > 23 || mi > 59 || se > 60 || !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    Some(from_civil(y, mo, d, h, mi, se))
}

/// Seconds since the epoch as `HH:MM:SS,MM-DD-YYYY` (UTC).
pub fn format_timestamp(secs: i64) -> String {
    let (y, m, d, h, mi, s) = to_civil(secs);
    format!("{h:02}:{mi:02}:{s:02},{m:02}-{d:02}-{y:04}")
}

/// `body` wrapped as a frame: LF, CRC, length, body, CR.
pub fn frame(body: &str) -> Vec<u8> {
    format!("\n{:04X}{:04X}{body}\r", crc16(body.as_bytes()), body.len()).into_bytes()
}

/// The header part of an answer to `m`: `seq R… L… #acct`.
fn echo(m: &Message) -> String {
    let r = m
        .receiver
        .as_deref()
        .map(|r| format!("R{r}"))
        .unwrap_or_default();
    format!("{}{r}L{}#{}", m.seq, m.line, m.account)
}

/// `"ACK"` for `m` (clear); an encrypted message is answered by [`ack_encrypted`].
pub fn ack(m: &Message) -> Vec<u8> {
    frame(&format!("\"ACK\"{}[]", echo(m)))
}

/// The plain text an encrypted ACK carries (to be encrypted, then hex):
/// padding to whole blocks, `|`, `]`, and the receiver's time.
pub fn ack_plaintext(now_s: i64, pad: u8) -> Vec<u8> {
    let tail = format!("|]_{}", format_timestamp(now_s));
    let fill = (16 - tail.len() % 16) % 16;
    let mut v = vec![pad; fill];
    v.extend_from_slice(tail.as_bytes());
    v
}

/// `"*ACK"` for `m`, with the encrypted tail given as cipher text.
pub fn ack_encrypted(m: &Message, cipher: &[u8]) -> Vec<u8> {
    let hex: String = cipher.iter().map(|b| format!("{b:02X}")).collect();
    frame(&format!("\"*ACK\"{}[{hex}", echo(m)))
}

/// `"NAK"` with the receiver's time (the sender may correct its clock from it).
pub fn nak(now_s: i64) -> Vec<u8> {
    frame(&format!("\"NAK\"0000R0L0A0[]_{}", format_timestamp(now_s)))
}

/// `"DUH"`: understood the frame, cannot process its content.
pub fn duh(m: &Message) -> Vec<u8> {
    frame(&format!("\"DUH\"{}[]", echo(m)))
}

/// Hex text to bytes.
pub fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn crc_is_crc16_arc() {
        // CRC-16/ARC check value.
        assert_eq!(crc16(b"123456789"), 0xBB3D);
    }

    #[test]
    fn a_clear_adm_cid_frame_reads_back() {
        let body = "\"ADM-CID\"0042R1L1#1234[#1234|1131 01 003]_10:15:00,11-29-2026";
        let f = frame(body);
        let m = parse(&f).unwrap();
        assert_eq!(
            (
                m.id.as_str(),
                m.seq.as_str(),
                m.account.as_str(),
                m.encrypted
            ),
            ("ADM-CID", "0042", "1234", false)
        );
        let c = content(&m.rest, false).unwrap();
        assert_eq!(c.data, "1131 01 003");
        assert_eq!(
            c.timestamp.map(format_timestamp).as_deref(),
            Some("10:15:00,11-29-2026")
        );
        let a = ack(&m);
        assert_eq!(&a[9..a.len() - 1], b"\"ACK\"0042R1L1#1234[]");
        let mut bad = f.clone();
        bad[20] ^= 1;
        assert!(matches!(parse(&bad), Err(FrameError::Crc { .. })));
    }

    proptest! {
        #[test]
        fn parsing_anything_never_panics(b in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = parse(&b);
            if let Ok(s) = std::str::from_utf8(&b) {
                let _ = content(s, true);
                let _ = content(s, false);
                let _ = timestamp(s);
            }
        }

        #[test]
        fn mutated_frames_are_refused_or_read(flip in 0usize..80, byte in any::<u8>()) {
            let mut f = frame("\"ADM-CID\"0001R1L1#1234[#1234|1130 01 003]_10:15:00,11-29-2026");
            let i = flip % f.len();
            let was = f[i];
            f[i] = byte;
            let r = parse(&f);
            if was != byte && i >= 9 && i < f.len() - 1 {
                // Any change to the body is caught (CRC-16 catches every single-byte error).
                prop_assert!(r.is_err(), "{:?}", String::from_utf8_lossy(&f));
            }
        }

        #[test]
        fn timestamps_round_trip(s in 0i64..4_102_444_800) {
            prop_assert_eq!(timestamp(&format_timestamp(s)), Some(s));
        }
    }
}
