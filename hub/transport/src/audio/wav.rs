//! Reading the audio operators upload: RIFF/WAVE (PCM 8 or 16 bit, G.711
//! μ-law or A-law; any rate, mono or stereo) or raw G.711, into the 8 kHz
//! mono 16-bit samples the RTP sender encodes from.

use super::g711;

/// The rate every clip is kept at: G.711's.
pub const RATE: u32 = 8_000;

/// What an upload says it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A RIFF/WAVE file.
    Wav,
    /// Raw μ-law bytes at 8 kHz (`audio/basic`, `audio/PCMU`).
    Pcmu,
    /// Raw A-law bytes at 8 kHz (`audio/PCMA`).
    Pcma,
}

/// Why an upload is not audio we can play, naming the byte or field at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AudioError {
    /// Not a RIFF/WAVE file.
    #[error("not a WAV file: {0}")]
    NotWav(String),
    /// A chunk runs past the end of the file.
    #[error("truncated WAV: chunk `{chunk}` at byte {offset} claims {len} bytes, {left} remain")]
    Truncated {
        /// Chunk id.
        chunk: String,
        /// Where it starts.
        offset: usize,
        /// Its declared length.
        len: usize,
        /// What the file still holds.
        left: usize,
    },
    /// A format we do not decode.
    #[error("unsupported WAV format: {0}")]
    Unsupported(String),
    /// No samples.
    #[error("the clip holds no audio")]
    Empty,
    /// Longer than the hub keeps.
    #[error("the clip lasts {seconds} s; clips may last at most {max} s")]
    TooLong {
        /// Its length.
        seconds: u64,
        /// The limit.
        max: u64,
    },
}

/// Longest clip, seconds (an evacuation message with repeats fits easily).
pub const MAX_SECONDS: u64 = 600;

/// Decode an upload into 8 kHz mono samples.
pub fn decode(format: Format, bytes: &[u8]) -> Result<Vec<i16>, AudioError> {
    let samples = match format {
        Format::Pcmu => bytes.iter().map(|&b| g711::ulaw_decode(b)).collect(),
        Format::Pcma => bytes.iter().map(|&b| g711::alaw_decode(b)).collect(),
        Format::Wav => wav(bytes)?,
    };
    if samples.is_empty() {
        return Err(AudioError::Empty);
    }
    let seconds = samples.len() as u64 / u64::from(RATE);
    if seconds > MAX_SECONDS {
        return Err(AudioError::TooLong {
            seconds,
            max: MAX_SECONDS,
        });
    }
    Ok(samples)
}

struct Fmt {
    tag: u16,
    channels: u16,
    rate: u32,
    bits: u16,
}

fn u16_at(b: &[u8], i: usize) -> u16 {
    u16::from_le_bytes([b[i], b[i + 1]])
}

fn u32_at(b: &[u8], i: usize) -> u32 {
    u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}

fn wav(b: &[u8]) -> Result<Vec<i16>, AudioError> {
    if b.len() < 12 || &b[0..4] != b"RIFF" || &b[8..12] != b"WAVE" {
        return Err(AudioError::NotWav(
            "it does not start with `RIFF….WAVE`".into(),
        ));
    }
    // Writers that stream (espeak-ng, ffmpeg to a pipe) cannot know the
    // length: they leave the sizes at 0 or near 4 GiB. Their data runs to the end.
    let riff_len = u32_at(b, 4);
    let streamed = riff_len == 0 || riff_len >= 0x7FFF_F000;
    let mut fmt = None;
    let mut at = 12;
    while at + 8 <= b.len() {
        let id = String::from_utf8_lossy(&b[at..at + 4]).into_owned();
        let len = u32_at(b, at + 4) as usize;
        let body = at + 8;
        let left = b.len() - body;
        let len = if id == "data" && streamed && (len > left || len == 0) {
            left
        } else {
            len
        };
        if len > left {
            return Err(AudioError::Truncated {
                chunk: id,
                offset: at,
                len,
                left,
            });
        }
        let chunk = &b[body..body + len];
        match id.as_str() {
            "fmt " => {
                if len < 16 {
                    return Err(AudioError::NotWav(format!(
                        "`fmt ` chunk at byte {at} has {len} bytes, needs 16"
                    )));
                }
                let mut tag = u16_at(chunk, 0);
                // WAVE_FORMAT_EXTENSIBLE: the real tag opens the sub-format GUID.
                if tag == 0xFFFE && len >= 26 {
                    tag = u16_at(chunk, 24);
                }
                fmt = Some(Fmt {
                    tag,
                    channels: u16_at(chunk, 2),
                    rate: u32_at(chunk, 4),
                    bits: u16_at(chunk, 14),
                });
            }
            "data" => {
                let f = fmt.ok_or_else(|| {
                    AudioError::NotWav(format!("`data` at byte {at} comes before any `fmt `"))
                })?;
                return samples(&f, chunk);
            }
            _ => {}
        }
        at = body + len + (len & 1);
    }
    Err(AudioError::NotWav("no `data` chunk".into()))
}

fn samples(f: &Fmt, data: &[u8]) -> Result<Vec<i16>, AudioError> {
    if f.channels == 0 || f.channels > 8 {
        return Err(AudioError::Unsupported(format!("{} channels", f.channels)));
    }
    if !(4_000..=192_000).contains(&f.rate) {
        return Err(AudioError::Unsupported(format!("{} Hz", f.rate)));
    }
    let decoded: Vec<i16> = match (f.tag, f.bits) {
        (1, 16) => data
            .chunks_exact(2)
            .map(|c| i16::from_le_bytes([c[0], c[1]]))
            .collect(),
        (1, 8) => data.iter().map(|&b| (i16::from(b) - 128) << 8).collect(),
        (6, 8) => data.iter().map(|&b| g711::alaw_decode(b)).collect(),
        (7, 8) => data.iter().map(|&b| g711::ulaw_decode(b)).collect(),
        (tag, bits) => {
            return Err(AudioError::Unsupported(format!(
                "format tag {tag} with {bits} bits per sample (PCM 8/16 bit, A-law and μ-law are read)"
            )));
        }
    };
    let ch = usize::from(f.channels);
    let mono: Vec<i16> = decoded
        .chunks_exact(ch)
        .map(|frame| (frame.iter().map(|&s| i32::from(s)).sum::<i32>() / ch as i32) as i16)
        .collect();
    Ok(resample(&mono, f.rate))
}

/// Linear-interpolation resampling to 8 kHz: speech intelligibility is what
/// counts on a paging speaker, and G.711 cuts at 4 kHz anyway.
fn resample(input: &[i16], rate: u32) -> Vec<i16> {
    if rate == RATE || input.is_empty() {
        return input.to_vec();
    }
    let out_len = (input.len() as u64 * u64::from(RATE) / u64::from(rate)) as usize;
    let step = f64::from(rate) / f64::from(RATE);
    (0..out_len)
        .map(|i| {
            let pos = i as f64 * step;
            let j = pos as usize;
            let frac = pos - j as f64;
            let a = f64::from(input[j.min(input.len() - 1)]);
            let b = f64::from(input[(j + 1).min(input.len() - 1)]);
            (a + (b - a) * frac) as i16
        })
        .collect()
}

/// A WAV file of 8 kHz mono 16-bit samples (the simulator's and tests' clips).
pub fn encode_wav(samples: &[i16]) -> Vec<u8> {
    let data_len = (samples.len() * 2) as u32;
    let mut out = Vec::with_capacity(44 + samples.len() * 2);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&RATE.to_le_bytes());
    out.extend_from_slice(&(RATE * 2).to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for s in samples {
        out.extend_from_slice(&s.to_le_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        // The fuzz target's property, on every test run.
        #[test]
        fn any_bytes_decode_or_fail_cleanly(data in proptest::collection::vec(any::<u8>(), 0..400)) {
            if let Ok(s) = decode(Format::Wav, &data) {
                prop_assert!(s.len() <= data.len() * 2 + 1);
            }
        }

        #[test]
        fn any_header_over_real_samples_is_safe(
            tag in 0u16..10, ch in 0u16..4, rate in 0u32..200_000, bits in 0u16..33,
        ) {
            let mut w = encode_wav(&[1000; 64]);
            w[20..22].copy_from_slice(&tag.to_le_bytes());
            w[22..24].copy_from_slice(&ch.to_le_bytes());
            w[24..28].copy_from_slice(&rate.to_le_bytes());
            w[34..36].copy_from_slice(&bits.to_le_bytes());
            let _ = decode(Format::Wav, &w);
        }
    }

    #[test]
    fn a_written_wav_reads_back() {
        let tone: Vec<i16> = (0..8000)
            .map(|i| ((i % 40) * 500 - 10_000) as i16)
            .collect();
        assert_eq!(decode(Format::Wav, &encode_wav(&tone)).unwrap(), tone);
    }

    #[test]
    fn truncated_and_foreign_files_are_named() {
        let mut w = encode_wav(&[1, 2, 3, 4]);
        w.truncate(w.len() - 3);
        let e = decode(Format::Wav, &w).unwrap_err();
        assert!(e.to_string().contains("chunk `data` at byte 36"), "{e}");
        let e = decode(Format::Wav, b"ID3\x04 an mp3").unwrap_err();
        assert!(matches!(e, AudioError::NotWav(_)), "{e}");
        assert_eq!(decode(Format::Pcmu, b""), Err(AudioError::Empty));
    }

    #[test]
    fn a_streamed_wav_reads_to_the_end() {
        let mut w = encode_wav(&[5; 800]);
        w[4..8].copy_from_slice(&0x7FFF_F024u32.to_le_bytes());
        w[40..44].copy_from_slice(&0x7FFF_F000u32.to_le_bytes());
        w.truncate(w.len() - 2);
        assert_eq!(decode(Format::Wav, &w).unwrap().len(), 799);
    }

    #[test]
    fn sixteen_kilohertz_stereo_becomes_eight_kilohertz_mono() {
        let mut w = encode_wav(&vec![100; 16_000 * 2]);
        // channels = 2, rate = 16 kHz, byte rate and block align to match.
        w[22..24].copy_from_slice(&2u16.to_le_bytes());
        w[24..28].copy_from_slice(&16_000u32.to_le_bytes());
        w[28..32].copy_from_slice(&64_000u32.to_le_bytes());
        w[32..34].copy_from_slice(&4u16.to_le_bytes());
        let s = decode(Format::Wav, &w).unwrap();
        assert_eq!(s.len(), 8_000);
        assert!(s.iter().all(|&x| x == 100));
    }
}
