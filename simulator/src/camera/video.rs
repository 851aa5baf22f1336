//! Generated H.264 video (less-avc, all-intra I_PCM: decodable by any H.264
//! decoder, nothing binary in the repository) and RFC 6184 packetization.

use std::sync::OnceLock;

use less_avc::ycbcr_image::{DataPlane, Planes, YCbCrImage};
use less_avc::{BitDepth, LessEncoder};

/// One encoded stream: parameter sets and a loop of frames (NAL units without start codes).
pub struct Video {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Sequence parameter set.
    pub sps: Vec<u8>,
    /// Picture parameter set.
    pub pps: Vec<u8>,
    /// Frame NAL units, played in a loop.
    pub frames: Vec<Vec<u8>>,
}

/// Frames per second of every simulated stream.
pub const FPS: u32 = 5;
const LOOP: usize = 10;

fn encode(width: u32, height: u32) -> Video {
    let (w, h) = (width as usize, height as usize);
    let mut frames = Vec::with_capacity(LOOP);
    let mut parameter_sets = None;
    let mut encoder: Option<LessEncoder> = None;
    for f in 0..LOOP {
        // A bar that moves across a gradient, so consecutive frames differ.
        let y: Vec<u8> = (0..w * h)
            .map(|i| {
                let (x, row) = (i % w, i / w);
                if (x + f * w / LOOP) % w < w / 10 {
                    235
                } else {
                    (16 + (row * 200 / h)) as u8
                }
            })
            .collect();
        let c = vec![128u8; (w / 2) * (h / 2)];
        let img = YCbCrImage {
            planes: Planes::YCbCr((
                DataPlane {
                    data: &y,
                    stride: w,
                    bit_depth: BitDepth::Depth8,
                },
                DataPlane {
                    data: &c,
                    stride: w / 2,
                    bit_depth: BitDepth::Depth8,
                },
                DataPlane {
                    data: &c,
                    stride: w / 2,
                    bit_depth: BitDepth::Depth8,
                },
            )),
            width,
            height,
        };
        match encoder.as_mut() {
            None => {
                let (initial, enc) =
                    LessEncoder::new(&img).expect("dimensions are multiples of 16");
                parameter_sets = Some((initial.sps.to_nal_unit(), initial.pps.to_nal_unit()));
                frames.push(initial.frame.to_nal_unit());
                encoder = Some(enc);
            }
            Some(enc) => frames.push(enc.encode(&img).expect("same dimensions").to_nal_unit()),
        }
    }
    let (sps, pps) = parameter_sets.expect("at least one frame");
    Video {
        width,
        height,
        sps,
        pps,
        frames,
    }
}

/// The main (320×192) and sub (160×96) streams, encoded once per process.
pub fn stream(channel: &str) -> Option<&'static Video> {
    static MAIN: OnceLock<Video> = OnceLock::new();
    static SUB: OnceLock<Video> = OnceLock::new();
    match channel {
        "101" => Some(MAIN.get_or_init(|| encode(320, 192))),
        "102" => Some(SUB.get_or_init(|| encode(160, 96))),
        _ => None,
    }
}

/// A JPEG of the camera's current picture (the same moving bar as the
/// stream, in grey), for `GetSnapshotUri`.
pub fn snapshot_jpeg(width: u16, height: u16, n: u64) -> Vec<u8> {
    let (w, h) = (usize::from(width), usize::from(height));
    let shift = (n as usize * w / LOOP) % w.max(1);
    let y: Vec<u8> = (0..w * h)
        .map(|i| {
            if (i % w + shift) % w < w / 10 {
                235
            } else {
                (16 + (i / w) * 200 / h.max(1)) as u8
            }
        })
        .collect();
    let mut out = Vec::new();
    let enc = jpeg_encoder::Encoder::new(&mut out, 80);
    enc.encode(&y, width, height, jpeg_encoder::ColorType::Luma)
        .expect("in-memory JPEG encoding cannot fail for a valid size");
    out
}

/// A filler-data NAL unit (type 12) of `len` bytes, or nothing when `len`
/// is under 2: decoders skip it, so it pads a stream to a bitrate.
pub fn filler(len: usize) -> Vec<u8> {
    if len < 2 {
        return Vec::new();
    }
    let mut nal = vec![0xffu8; len];
    nal[0] = 12;
    // rbsp_trailing_bits: a stop bit and alignment.
    nal[len - 1] = 0x80;
    nal
}

/// RTP packets (12-byte header, payload type 96) carrying one NAL unit:
/// whole when it fits `mtu`, else FU-A fragments. `last` sets the marker bit
/// on the final packet (end of the access unit).
pub fn packetize(
    nal: &[u8],
    seq: &mut u16,
    timestamp: u32,
    ssrc: u32,
    last: bool,
    mtu: usize,
) -> Vec<Vec<u8>> {
    let header = |seq: u16, marker: bool| {
        let mut h = Vec::with_capacity(12);
        h.push(0x80);
        h.push(if marker { 0x80 | 96 } else { 96 });
        h.extend_from_slice(&seq.to_be_bytes());
        h.extend_from_slice(&timestamp.to_be_bytes());
        h.extend_from_slice(&ssrc.to_be_bytes());
        h
    };
    let mut out = Vec::new();
    if nal.len() <= mtu {
        let mut p = header(*seq, last);
        p.extend_from_slice(nal);
        out.push(p);
        *seq = seq.wrapping_add(1);
        return out;
    }
    let (nal_header, payload) = (nal[0], &nal[1..]);
    let indicator = (nal_header & 0xe0) | 28;
    let chunks: Vec<&[u8]> = payload.chunks(mtu - 2).collect();
    for (i, chunk) in chunks.iter().enumerate() {
        let (start, end) = (i == 0, i == chunks.len() - 1);
        let mut p = header(*seq, last && end);
        p.push(indicator);
        p.push((nal_header & 0x1f) | if start { 0x80 } else { 0 } | if end { 0x40 } else { 0 });
        p.extend_from_slice(chunk);
        out.push(p);
        *seq = seq.wrapping_add(1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragments_reassemble_to_the_nal() {
        let nal: Vec<u8> = std::iter::once(0x65)
            .chain((0..5000).map(|i| (i % 251) as u8))
            .collect();
        let mut seq = 65534;
        let pkts = packetize(&nal, &mut seq, 9000, 7, true, 1400);
        assert_eq!(
            seq,
            65534u16.wrapping_add(pkts.len() as u16),
            "sequence numbers wrap"
        );
        assert!(pkts.iter().all(|p| p.len() <= 1400 + 12));
        let mut re = vec![(pkts[0][12] & 0xe0) | (pkts[0][13] & 0x1f)];
        for p in &pkts {
            re.extend_from_slice(&p[14..]);
        }
        assert_eq!(re, nal);
        assert_eq!(
            pkts.iter().filter(|p| p[1] & 0x80 != 0).count(),
            1,
            "one marker, on the last packet"
        );
        assert!(pkts.last().unwrap()[1] & 0x80 != 0);
        assert_eq!(
            packetize(&[0x67, 1, 2], &mut seq, 0, 7, false, 1400).len(),
            1
        );
    }

    #[test]
    fn snapshots_are_jpeg() {
        let j = snapshot_jpeg(320, 192, 3);
        assert_eq!(&j[..2], &[0xff, 0xd8]);
        assert_eq!(&j[j.len() - 2..], &[0xff, 0xd9]);
    }

    #[test]
    fn streams_have_parameter_sets_and_frames() {
        let v = stream("102").unwrap();
        assert_eq!((v.width, v.height), (160, 96));
        assert_eq!(v.sps[0] & 0x1f, 7);
        assert_eq!(v.pps[0] & 0x1f, 8);
        assert_eq!(v.frames.len(), LOOP);
        assert!(
            v.frames
                .iter()
                .all(|f| f[0] & 0x1f == 5 || f[0] & 0x1f == 1)
        );
        assert!(stream("103").is_none());
    }
}
