//! Ademco Contact ID as carried by DC-09 `ADM-CID`: `QEEE GG ZZZ`, with Q the
//! qualifier (1 new event or opening, 3 restore or closing, 6 previous event),
//! EEE the event code, GG the partition and ZZZ the zone (or user number).

/// One Contact ID event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cid {
    /// 1, 3 or 6.
    pub qualifier: u8,
    /// Event code, 100..999.
    pub code: u16,
    /// Partition (area), 0..99.
    pub partition: u8,
    /// Zone or user, 0..999.
    pub zone: u16,
}

impl Cid {
    /// Read `QEEE GG ZZZ`.
    pub fn parse(data: &str) -> Result<Cid, &'static str> {
        let b = data.trim().as_bytes();
        if b.len() != 11 || b[4] != b' ' || b[7] != b' ' {
            return Err("Contact ID data is not `QEEE GG ZZZ`");
        }
        let digits = |r: std::ops::Range<usize>| -> Result<u32, &'static str> {
            let s = &b[r];
            if s.iter().all(u8::is_ascii_digit) {
                Ok(s.iter().fold(0, |a, d| a * 10 + u32::from(d - b'0')))
            } else {
                Err("Contact ID fields are decimal digits")
            }
        };
        let qualifier = digits(0..1)? as u8;
        if !matches!(qualifier, 1 | 3 | 6) {
            return Err("Contact ID qualifier is 1, 3 or 6");
        }
        Ok(Cid {
            qualifier,
            code: digits(1..4)? as u16,
            partition: digits(5..7)? as u8,
            zone: digits(8..11)? as u16,
        })
    }

    /// Read SIA-DCS data (`Nri01/BA003`, optionally with `ti…/` and `id…/`
    /// blocks), with `sia` giving each two-letter code's qualifier and code.
    pub fn from_sia(
        data: &str,
        sia: impl Fn(&str) -> Option<(u8, u16)>,
    ) -> Result<Cid, &'static str> {
        let mut d = data.trim().strip_prefix('N').unwrap_or(data.trim());
        let mut partition = 0u8;
        while let Some((block, rest)) = d.split_once('/') {
            if let Some(ri) = block.strip_prefix("ri") {
                partition = ri.parse().map_err(|_| "SIA `ri` (area) is not a number")?;
            } else if !(block.starts_with("ti") || block.starts_with("id") || block.is_empty()) {
                break;
            }
            d = rest;
        }
        let code = d.get(..2).ok_or("SIA data has no event code")?;
        let zone = d[2..].trim();
        let zone: u16 = if zone.is_empty() {
            0
        } else {
            zone.parse().map_err(|_| "SIA zone is not a number")?
        };
        if zone > 999 {
            return Err("SIA zone is over 999");
        }
        let (qualifier, cid) = sia(code).ok_or("SIA code not in the profile")?;
        Ok(Cid {
            qualifier,
            code: cid,
            partition,
            zone,
        })
    }

    /// New event (or opening, for open/close codes).
    pub fn is_new(&self) -> bool {
        self.qualifier == 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_four_fields() {
        assert_eq!(
            Cid::parse("1131 01 003"),
            Ok(Cid {
                qualifier: 1,
                code: 131,
                partition: 1,
                zone: 3
            })
        );
        assert_eq!(Cid::parse("3401 02 012").unwrap().zone, 12);
        for bad in [
            "",
            "2131 01 003",
            "1131 1 003",
            "1131-01-003",
            "113a 01 003",
            "1131 01 0003",
        ] {
            assert!(Cid::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sia_dcs_data_becomes_contact_id() {
        let sia = |c: &str| (c == "BA").then_some((1u8, 131u16));
        assert_eq!(
            Cid::from_sia("Nri01/BA003", sia),
            Ok(Cid {
                qualifier: 1,
                code: 131,
                partition: 1,
                zone: 3
            })
        );
        assert_eq!(
            Cid::from_sia("Nti10:15/id7/ri2/BA12", sia).map(|c| (c.partition, c.zone)),
            Ok((2, 12))
        );
        assert!(Cid::from_sia("Nri01/XX003", sia).is_err());
        assert!(Cid::from_sia("Nri01/BAzz", sia).is_err());
    }
}
