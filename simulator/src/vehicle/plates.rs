//! Chinese licence plates as cameras read them: a province character, the
//! issuing letter, then five characters (blue for cars, yellow for large
//! vehicles), or `D`/`F` and five digits on a green new-energy plate.

/// Plate colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PlateColor {
    /// Ordinary cars.
    Blue,
    /// Large vehicles.
    Yellow,
    /// New-energy vehicles.
    Green,
}

impl PlateColor {
    /// As ISAPI spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            PlateColor::Blue => "blue",
            PlateColor::Yellow => "yellow",
            PlateColor::Green => "green",
        }
    }
}

/// A plate.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Plate {
    /// The characters, e.g. `豫A12345`.
    pub text: String,
    /// Its colour.
    pub color: PlateColor,
}

const PROVINCES: [char; 31] = [
    '京', '津', '沪', '渝', '冀', '豫', '云', '辽', '黑', '湘', '皖', '鲁', '新', '苏', '浙', '赣',
    '鄂', '桂', '甘', '晋', '蒙', '陕', '吉', '闽', '贵', '粤', '青', '藏', '川', '宁', '琼',
];
/// Letters and digits on plates: no I or O (they read as 1 and 0).
const SERIAL: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";

/// Plate number `n` of `color` from province `province` (`豫` when out of range):
/// the same arguments always give the same plate.
pub fn plate(color: PlateColor, n: u32, province: usize) -> Plate {
    let p = PROVINCES.get(province).copied().unwrap_or('豫');
    let letter = char::from(SERIAL[(n as usize / 7) % 24]);
    let mut x = n.wrapping_mul(2_654_435_761);
    let mut tail = String::new();
    match color {
        PlateColor::Green => {
            tail.push(if n.is_multiple_of(2) { 'D' } else { 'F' });
            for _ in 0..5 {
                tail.push(char::from(b'0' + (x % 10) as u8));
                x /= 10;
            }
        }
        _ => {
            for _ in 0..5 {
                tail.push(char::from(SERIAL[(x % SERIAL.len() as u32) as usize]));
                x /= SERIAL.len() as u32;
            }
        }
    }
    Plate {
        text: format!("{p}{letter}{tail}"),
        color,
    }
}

/// A plate at random: mostly blue, some green, few yellow; mostly local (豫).
pub fn random() -> Plate {
    let color = match fastrand::u8(..100) {
        0..75 => PlateColor::Blue,
        75..95 => PlateColor::Green,
        _ => PlateColor::Yellow,
    };
    let province = if fastrand::u8(..10) < 8 {
        5
    } else {
        fastrand::usize(..PROVINCES.len())
    };
    plate(color, fastrand::u32(..), province)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plates_look_chinese_and_are_stable() {
        let b = plate(PlateColor::Blue, 42, 5);
        assert_eq!(b, plate(PlateColor::Blue, 42, 5));
        assert!(b.text.starts_with('豫'));
        assert_eq!(b.text.chars().count(), 7);
        let g = plate(PlateColor::Green, 43, 0);
        assert_eq!(g.text.chars().count(), 8, "{}", g.text);
        assert!(g.text.chars().nth(2).is_some_and(|c| c == 'D' || c == 'F'));
        for _ in 0..100 {
            let r = random();
            assert!(!r.text.contains(['I', 'O']), "{}", r.text);
        }
    }
}
