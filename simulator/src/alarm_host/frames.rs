//! The transmitter's side of SIA DC-09: building `ADM-CID` and `NULL`
//! frames (clear or AES-encrypted, with time stamps) and reading the
//! receiver's `ACK`, `NAK` and `DUH`. Written apart from the hub driver's
//! receiving side, so the two cannot share a mistake; pysiaalarm checks
//! these frames in the interop tests.

use aes::cipher::block_padding::NoPadding;
use aes::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};

/// CRC-16/ARC of `data` (DC-09's frame check).
pub fn crc(data: &[u8]) -> u16 {
    data.iter().fold(0u16, |mut c, &b| {
        c ^= u16::from(b);
        for _ in 0..8 {
            c = if c & 1 == 1 {
                (c >> 1) ^ 0xA001
            } else {
                c >> 1
            };
        }
        c
    })
}

/// `HH:MM:SS,MM-DD-YYYY` (UTC) of `secs` since the epoch.
pub fn stamp(secs: i64) -> String {
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs.max(0) as u64);
    // humantime gives `YYYY-MM-DDTHH:MM:SSZ`; DC-09 wants time first.
    let iso = humantime::format_rfc3339_seconds(t).to_string();
    format!(
        "{},{}-{}-{}",
        &iso[11..19],
        &iso[5..7],
        &iso[8..10],
        &iso[0..4]
    )
}

/// Read a DC-09 time stamp back to seconds since the epoch.
pub fn parse_stamp(s: &str) -> Option<i64> {
    if s.len() != 19 {
        return None;
    }
    let iso = format!(
        "{}-{}-{}T{}Z",
        s.get(15..19)?,
        s.get(9..11)?,
        s.get(12..14)?,
        s.get(0..8)?
    );
    let t = humantime::parse_rfc3339(&iso).ok()?;
    Some(t.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs() as i64)
}

fn cipher(key: &[u8], data: &[u8], encrypt: bool) -> Option<Vec<u8>> {
    let iv = [0u8; 16];
    macro_rules! go {
        ($c:ty) => {
            if encrypt {
                Some(
                    cbc::Encryptor::<$c>::new_from_slices(key, &iv)
                        .ok()?
                        .encrypt_padded_vec_mut::<NoPadding>(data),
                )
            } else {
                cbc::Decryptor::<$c>::new_from_slices(key, &iv)
                    .ok()?
                    .decrypt_padded_vec_mut::<NoPadding>(data)
                    .ok()
            }
        };
    }
    match key.len() {
        16 => go!(aes::Aes128),
        24 => go!(aes::Aes192),
        32 => go!(aes::Aes256),
        _ => None,
    }
}

/// What goes in one message.
#[derive(Debug, Clone)]
pub struct Outgoing<'a> {
    /// `ADM-CID` or `NULL`.
    pub id: &'a str,
    /// 1..=9999.
    pub seq: u16,
    /// Receiver number.
    pub receiver: &'a str,
    /// Line number.
    pub line: &'a str,
    /// Account.
    pub account: &'a str,
    /// `QEEE GG ZZZ` (empty for NULL).
    pub data: &'a str,
    /// Time stamp, seconds since the epoch.
    pub time_s: i64,
    /// AES key, when the account encrypts.
    pub key: Option<&'a [u8]>,
}

/// The frame of `m`.
pub fn build(m: &Outgoing<'_>) -> Vec<u8> {
    let inner = if m.data.is_empty() {
        format!("]_{}", stamp(m.time_s))
    } else {
        format!("#{}|{}]_{}", m.account, m.data, stamp(m.time_s))
    };
    let head = format!("{:04}R{}L{}#{}[", m.seq, m.receiver, m.line, m.account);
    let body = match m.key {
        None => format!("\"{}\"{head}{inner}", m.id),
        Some(key) => {
            // Padding (no `|`, `[` or `]`) up to whole blocks, then `|`.
            let need = (16 - (inner.len() + 1) % 16) % 16;
            let pad: String = (0..need).map(|_| fastrand::alphanumeric()).collect();
            let plain = format!("{pad}|{inner}");
            let c = cipher(key, plain.as_bytes(), true).unwrap_or_default();
            let hex: String = c.iter().map(|b| format!("{b:02X}")).collect();
            format!("\"*{}\"{head}{hex}", m.id)
        }
    };
    format!("\n{:04X}{:04X}{body}\r", crc(body.as_bytes()), body.len()).into_bytes()
}

/// A receiver's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Accepted (sequence echoed).
    Ack(String),
    /// Refused: bad frame or time; the receiver's time, if it said.
    Nak(Option<i64>),
    /// Understood but not processed.
    Duh(String),
}

/// Read an answer frame (`LF … CR`); `None` if it is not one. An encrypted
/// ACK is accepted only if it decrypts with `key`.
pub fn answer(frame: &[u8], key: Option<&[u8]>) -> Option<Answer> {
    let s = std::str::from_utf8(frame).ok()?.trim_matches(['\n', '\r']);
    let body = s.get(8..)?;
    if u16::from_str_radix(s.get(..4)?, 16).ok()? != crc(body.as_bytes()) {
        return None;
    }
    let (kind, rest) = body.strip_prefix('"')?.split_once('"')?;
    let seq = rest.get(..4).unwrap_or("").to_owned();
    match kind {
        "ACK" => Some(Answer::Ack(seq)),
        "*ACK" => {
            let hex = rest.split_once('[')?.1;
            let bytes: Option<Vec<u8>> = (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
                .collect();
            let plain = cipher(key?, &bytes?, false)?;
            String::from_utf8(plain)
                .ok()?
                .contains(']')
                .then_some(Answer::Ack(seq))
        }
        "NAK" => Some(Answer::Nak(
            rest.rsplit_once('_').and_then(|(_, t)| parse_stamp(t)),
        )),
        "DUH" => Some(Answer::Duh(seq)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_carry_crc_length_and_time() {
        assert_eq!(crc(b"123456789"), 0xBB3D);
        let f = build(&Outgoing {
            id: "ADM-CID",
            seq: 7,
            receiver: "1",
            line: "1",
            account: "1234",
            data: "1131 01 003",
            time_s: 1_795_947_802,
            key: None,
        });
        let s = String::from_utf8(f).unwrap();
        assert!(
            s.ends_with("\"ADM-CID\"0007R1L1#1234[#1234|1131 01 003]_10:23:22,11-29-2026\r"),
            "{s}"
        );
        assert_eq!(usize::from_str_radix(&s[5..9], 16).unwrap(), s.len() - 10);
        assert_eq!(parse_stamp("10:23:22,11-29-2026"), Some(1_795_947_802));
        let nak = format!("\"NAK\"0000R0L0A0[]_{}", stamp(1_795_947_802));
        let nak = format!("\n{:04X}{:04X}{nak}\r", crc(nak.as_bytes()), nak.len());
        assert_eq!(
            answer(nak.as_bytes(), None),
            Some(Answer::Nak(Some(1_795_947_802)))
        );
    }
}
