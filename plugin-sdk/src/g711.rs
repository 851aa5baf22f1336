//! G.711 (ITU-T G.711) μ-law and A-law: 16-bit linear PCM to and from one
//! byte per sample, the codecs every IP speaker and paging gateway accepts
//! (the hub's RTP sender and clip reader, the simulator's paging microphone).

const BIAS: i32 = 0x84;
const CLIP: i32 = 32_635;

/// Encode one sample as μ-law.
pub fn ulaw_encode(sample: i16) -> u8 {
    let mut s = i32::from(sample);
    let sign = if s < 0 {
        s = -s;
        0x80
    } else {
        0
    };
    s = s.min(CLIP) + BIAS;
    // The biased magnitude is at least 128: its top bit (7..=14) picks the segment.
    let exponent = (31 - (s as u32).leading_zeros()) as i32 - 7;
    let mantissa = (s >> (exponent + 3)) & 0x0F;
    !((sign | (exponent << 4) | mantissa) as u8)
}

/// Decode one μ-law byte.
pub fn ulaw_decode(byte: u8) -> i16 {
    let u = !byte;
    let sign = u & 0x80;
    let exponent = i32::from((u >> 4) & 0x07);
    let mantissa = i32::from(u & 0x0F);
    let magnitude = (((mantissa << 3) + BIAS) << exponent) - BIAS;
    (if sign != 0 { -magnitude } else { magnitude }) as i16
}

/// Encode one sample as A-law.
pub fn alaw_encode(sample: i16) -> u8 {
    let mut s = i32::from(sample) >> 3; // 13-bit magnitude
    let sign = if s >= 0 {
        0x80
    } else {
        s = -s - 1;
        0
    };
    let s = s.min(0x0FFF);
    let code = if s < 32 {
        (s >> 1) as u8
    } else {
        let exponent = 31 - (s as u32).leading_zeros() - 4; // 1..=7
        let mantissa = (s >> exponent) & 0x0F;
        ((exponent as u8) << 4) | mantissa as u8
    };
    (code | sign) ^ 0x55
}

/// Decode one A-law byte.
pub fn alaw_decode(byte: u8) -> i16 {
    let a = byte ^ 0x55;
    let exponent = i32::from((a >> 4) & 0x07);
    let mantissa = i32::from(a & 0x0F);
    let magnitude = if exponent == 0 {
        (mantissa << 4) + 8
    } else {
        ((mantissa << 4) + 0x108) << (exponent - 1)
    };
    (if a & 0x80 != 0 { magnitude } else { -magnitude }) as i16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ulaw_matches_the_reference_points() {
        // Values from the G.711 tables: silence, full scale and a mid value.
        assert_eq!(ulaw_encode(0), 0xFF);
        assert_eq!(ulaw_encode(-1), 0x7F);
        assert_eq!(ulaw_encode(32_767), 0x80);
        assert_eq!(ulaw_encode(-32_768), 0x00);
        assert_eq!(ulaw_decode(0xFF), 0);
        assert_eq!(ulaw_decode(0x80), 32_124);
        assert_eq!(ulaw_decode(0x00), -32_124);
    }

    #[test]
    fn alaw_matches_the_reference_points() {
        assert_eq!(alaw_encode(0), 0xD5);
        assert_eq!(alaw_encode(-1), 0x55);
        assert_eq!(alaw_encode(32_767), 0xAA);
        assert_eq!(alaw_encode(-32_768), 0x2A);
        assert_eq!(alaw_decode(0xD5), 8);
        assert_eq!(alaw_decode(0xAA), 32_256);
    }

    #[test]
    fn every_code_survives_decode_then_encode() {
        for b in 0..=255u8 {
            // 0x7F is μ-law's negative zero; it encodes back as 0xFF.
            if b != 0x7F {
                assert_eq!(ulaw_encode(ulaw_decode(b)), b, "μ-law {b:#04x}");
            }
            // A-law has one code per value; 0xD5/0x55 both decode near zero.
            assert_eq!(alaw_encode(alaw_decode(b)), b, "A-law {b:#04x}");
        }
    }

    #[test]
    fn round_trip_error_stays_within_the_segment_step() {
        for s in (-32_768i32..=32_767).step_by(97) {
            let s = s as i16;
            let u = i32::from(ulaw_decode(ulaw_encode(s)));
            let a = i32::from(alaw_decode(alaw_encode(s)));
            let tol = (i32::from(s).abs() / 16).max(16);
            assert!((u - i32::from(s)).abs() <= tol, "μ-law {s} -> {u}");
            assert!((a - i32::from(s)).abs() <= tol.max(32), "A-law {s} -> {a}");
        }
    }
}
