//! Device time stamps. Devices on a Chinese campus stamp local time with an
//! offset (`2026-11-29T18:23:22+08:00`): that is not UTC, and reading it as
//! UTC puts every event eight hours off.
//!
//! ```
//! use twinwall_plugin_sdk::time::parse_iso8601;
//! assert_eq!(parse_iso8601("1970-01-01T08:00:01+08:00"), Some(1000));
//! assert_eq!(parse_iso8601("1970-01-01T00:00:01.5Z"), Some(1500));
//! assert_eq!(parse_iso8601("1970-01-01 00:00:01"), Some(1000)); // no zone: UTC
//! ```

/// Seconds since the epoch of a UTC civil date and time (no range checks).
pub fn from_civil(y: i64, m: i64, d: i64, h: i64, mi: i64, s: i64) -> i64 {
    days_from_civil(y, m, d) * 86_400 + h * 3600 + mi * 60 + s
}

/// The UTC civil date and time of `secs` since the epoch:
/// (year, month, day, hour, minute, second).
pub fn to_civil(secs: i64) -> (i64, i64, i64, i64, i64, i64) {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil from days (Howard Hinnant).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d, rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The ASCII digits at `r` of `s` as a number (`None` if any is not a
/// digit): the fields of fixed-layout time stamps.
pub fn digits(s: &str, r: std::ops::Range<usize>) -> Option<i64> {
    let t = s.get(r)?;
    t.bytes()
        .all(|c| c.is_ascii_digit())
        .then(|| t.parse().ok())?
}

/// `YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM|±HHMM]` (a space may replace `T`) to
/// milliseconds since the Unix epoch. Without a zone the time is taken as UTC.
pub fn parse_iso8601(s: &str) -> Option<i64> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() < 19
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let n = |r| digits(s, r);
    let (y, mo, d, h, mi, se) = (
        n(0..4)?,
        n(5..7)?,
        n(8..10)?,
        n(11..13)?,
        n(14..16)?,
        n(17..19)?,
    );
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    let mut rest = &s[19..];
    let mut ms = 0i64;
    if let Some(frac) = rest.strip_prefix('.').or_else(|| rest.strip_prefix(',')) {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let f = &frac[..digits];
        let mut v = 0i64;
        for (i, c) in f.bytes().take(3).enumerate() {
            v += i64::from(c - b'0') * [100, 10, 1][i];
        }
        ms = v;
        rest = &frac[digits..];
    }
    let offset_min = match rest {
        "" | "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let z = rest[1..].replace(':', "");
            if z.len() != 4 || !z.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let (oh, om) = (z[..2].parse::<i64>().ok()?, z[2..].parse::<i64>().ok()?);
            if oh > 23 || om > 59 {
                return None;
            }
            sign * (oh * 60 + om)
        }
    };
    let secs = from_civil(y, mo, d, h, mi, se) - offset_min * 60;
    Some(secs * 1000 + ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_applied() {
        let utc = parse_iso8601("2026-11-29T10:23:22Z").unwrap();
        assert_eq!(parse_iso8601("2026-11-29T18:23:22+08:00"), Some(utc));
        assert_eq!(parse_iso8601("2026-11-29T18:23:22+0800"), Some(utc));
        assert_eq!(parse_iso8601("2026-11-29T05:23:22-05:00"), Some(utc));
        assert_eq!(parse_iso8601("2026-11-29T10:23:22.123Z"), Some(utc + 123));
        assert_eq!(utc, 1_795_947_802_000);
        assert_eq!(to_civil(utc / 1000), (2026, 11, 29, 10, 23, 22));
        assert_eq!(to_civil(-1), (1969, 12, 31, 23, 59, 59));
        for bad in [
            "",
            "2026-11-29",
            "2026-13-01T00:00:00Z",
            "2026-11-29T10:23:22+8",
            "2026-11-29T10:23:22Q",
            "２０２６-11-29T10:23:22Z",
        ] {
            assert_eq!(parse_iso8601(bad), None, "{bad}");
        }
    }
}
