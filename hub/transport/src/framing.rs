//! Cutting a byte stream into frames as a driver asked (raw reads, start and
//! end markers, or a length field), with the frame size capped while
//! reading: a sender that never ends a frame cannot make the hub buffer more
//! than `max_frame` bytes.

use super::types::Framing;

/// A frame that cannot be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// Longer than allowed.
    #[error("a frame exceeds {0} bytes")]
    TooLarge(usize),
    /// The framing itself is unusable.
    #[error("bad framing: {0}")]
    Bad(&'static str),
}

/// An incremental framer for one connection.
#[derive(Debug, Clone)]
pub struct Framer {
    framing: Framing,
    max: usize,
    buf: Vec<u8>,
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

impl Framer {
    /// A framer; `max` is the largest frame.
    pub fn new(framing: Framing, max: usize) -> Result<Self, FrameError> {
        match &framing {
            Framing::Delimited { end, .. } if end.is_empty() => {
                return Err(FrameError::Bad("a delimited frame needs an end marker"));
            }
            Framing::LengthPrefixed { width, .. } if !matches!(width, 1 | 2 | 4) => {
                return Err(FrameError::Bad("a length field is 1, 2 or 4 bytes"));
            }
            _ => {}
        }
        Ok(Framer {
            framing,
            max: max.max(1),
            buf: Vec::new(),
        })
    }

    /// Feed bytes; returns the frames they completed. After an error the
    /// connection should be closed.
    pub fn push(&mut self, data: &[u8]) -> Result<Vec<Vec<u8>>, FrameError> {
        if let Framing::Raw = self.framing {
            if data.len() > self.max {
                return Err(FrameError::TooLarge(self.max));
            }
            return Ok(if data.is_empty() {
                vec![]
            } else {
                vec![data.to_vec()]
            });
        }
        self.buf.extend_from_slice(data);
        let mut out = Vec::new();
        loop {
            match self.next()? {
                Some(f) => out.push(f),
                None => return Ok(out),
            }
        }
    }

    fn next(&mut self) -> Result<Option<Vec<u8>>, FrameError> {
        match &self.framing {
            Framing::Raw => Ok(None),
            Framing::Delimited { start, end } => {
                if !start.is_empty() {
                    match find(&self.buf, start) {
                        Some(i) => {
                            self.buf.drain(..i);
                        }
                        None => {
                            // Noise between frames: keep only what may begin a marker.
                            let keep = start.len() - 1;
                            let cut = self.buf.len().saturating_sub(keep);
                            self.buf.drain(..cut);
                            return Ok(None);
                        }
                    }
                }
                let from = start.len();
                match find(&self.buf[from.min(self.buf.len())..], end) {
                    Some(j) => {
                        let len = from + j + end.len();
                        if len > self.max {
                            return Err(FrameError::TooLarge(self.max));
                        }
                        Ok(Some(self.buf.drain(..len).collect()))
                    }
                    None if self.buf.len() > self.max => Err(FrameError::TooLarge(self.max)),
                    None => Ok(None),
                }
            }
            Framing::LengthPrefixed {
                offset,
                width,
                big_endian,
                adjust,
            } => {
                let (off, w) = (*offset as usize, usize::from(*width));
                if self.buf.len() < off + w {
                    return Ok(None);
                }
                let field = &self.buf[off..off + w];
                let mut n: u64 = 0;
                for i in 0..w {
                    let b = if *big_endian {
                        field[i]
                    } else {
                        field[w - 1 - i]
                    };
                    n = (n << 8) | u64::from(b);
                }
                let total = (off + w) as i64 + n as i64 + i64::from(*adjust);
                if total <= 0 || total as u64 > self.max as u64 {
                    return Err(FrameError::TooLarge(self.max));
                }
                let total = total as usize;
                if self.buf.len() < total {
                    return Ok(None);
                }
                Ok(Some(self.buf.drain(..total).collect()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn dc09() -> Framer {
        Framer::new(
            Framing::Delimited {
                start: vec![b'\n'],
                end: vec![b'\r'],
            },
            64,
        )
        .unwrap()
    }

    #[test]
    fn delimited_frames_skip_noise_and_cap() {
        let mut f = dc09();
        assert_eq!(f.push(b"junk\nAB").unwrap(), Vec::<Vec<u8>>::new());
        assert_eq!(
            f.push(b"C\r\nD\r").unwrap(),
            vec![b"\nABC\r".to_vec(), b"\nD\r".to_vec()]
        );
        let mut f = dc09();
        assert_eq!(f.push(&[b'\n'; 70]), Err(FrameError::TooLarge(64)));
        assert!(
            Framer::new(
                Framing::Delimited {
                    start: vec![],
                    end: vec![]
                },
                8
            )
            .is_err()
        );
    }

    #[test]
    fn length_prefixed_frames() {
        let mut f = Framer::new(
            Framing::LengthPrefixed {
                offset: 0,
                width: 2,
                big_endian: true,
                adjust: 0,
            },
            16,
        )
        .unwrap();
        assert_eq!(f.push(&[0, 3, 1, 2]).unwrap(), Vec::<Vec<u8>>::new());
        assert_eq!(
            f.push(&[3, 0, 1, 9]).unwrap(),
            vec![vec![0, 3, 1, 2, 3], vec![0, 1, 9]]
        );
        assert_eq!(f.push(&[0, 200]), Err(FrameError::TooLarge(16)));
    }

    proptest! {
        #[test]
        fn any_input_any_chunking_is_safe_and_bounded(
            data in proptest::collection::vec(any::<u8>(), 0..500),
            chunk in 1usize..40,
            kind in 0u8..3,
        ) {
            let framing = match kind {
                0 => Framing::Raw,
                1 => Framing::Delimited { start: vec![b'\n'], end: vec![b'\r'] },
                _ => Framing::LengthPrefixed { offset: 1, width: 1, big_endian: true, adjust: 0 },
            };
            let mut f = Framer::new(framing, 32).unwrap();
            for c in data.chunks(chunk) {
                match f.push(c) {
                    Ok(frames) => for fr in frames { prop_assert!(fr.len() <= 32) },
                    Err(_) => break,
                }
                prop_assert!(f.buf.len() <= 32 + chunk);
            }
        }

        #[test]
        fn chunking_does_not_change_delimited_frames(
            frames in proptest::collection::vec("[A-Z0-9]{0,20}", 0..6),
            chunk in 1usize..30,
        ) {
            let wire: Vec<u8> = frames.iter().flat_map(|f| format!("\n{f}\r").into_bytes()).collect();
            let mut f = dc09();
            let mut got = Vec::new();
            for c in wire.chunks(chunk) { got.extend(f.push(c).unwrap()); }
            let want: Vec<Vec<u8>> = frames.iter().map(|f| format!("\n{f}\r").into_bytes()).collect();
            prop_assert_eq!(got, want);
        }
    }
}
