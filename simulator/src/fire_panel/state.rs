//! The panel model behind register map TW-FP1 (see `docs/fire-panel-map.md`):
//! points with latched fire alarms, non-latching faults, supervisory and
//! pre-alarm conditions, disablement, power faults, action counters, and the
//! reset, silence and acknowledge actions.

/// Map version reported in input register 0.
pub const MAP_VERSION: u16 = 1;

/// Point word bits (Notifier style, upper byte).
pub mod bits {
    /// Trouble/other acknowledged.
    pub const ACK_BLOCK: u16 = 1 << 15;
    /// Pre-alarm.
    pub const PREALARM: u16 = 1 << 14;
    /// Trouble (fault).
    pub const TROUBLE: u16 = 1 << 13;
    /// Inactive (normal).
    pub const INACTIVE: u16 = 1 << 12;
    /// Active (in alarm / supervisory).
    pub const ACTIVE: u16 = 1 << 11;
    /// Enabled.
    pub const ENABLED: u16 = 1 << 10;
    /// Disabled (屏蔽).
    pub const DISABLED: u16 = 1 << 9;
    /// Fire acknowledged.
    pub const ACK_FIRE: u16 = 1 << 8;
}

/// Low byte: what the point reports when active.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PointType {
    /// A fire detector or call point (1).
    Fire,
    /// A supervisory input (2), e.g. a sprinkler valve.
    Supervisory,
    /// Not programmed (255): the panel has no device there.
    NotProgrammed,
}

impl PointType {
    fn code(self) -> u16 {
        match self {
            PointType::Fire => 1,
            PointType::Supervisory => 2,
            PointType::NotProgrammed => 255,
        }
    }
}

/// One point.
#[derive(Debug, Clone)]
pub struct Point {
    /// What it reports.
    pub kind: PointType,
    /// GB/T 26875.3 component type code (40 smoke, 30 heat, 23 call point …).
    pub component: u16,
    /// Latched alarm (fire points) or current supervisory state.
    pub active: bool,
    /// Pre-alarm (clears on reset or restore).
    pub prealarm: bool,
    /// Trouble (follows the fault).
    pub trouble: bool,
    /// Disabled (屏蔽).
    pub disabled: bool,
    /// Fire acknowledged.
    pub ack_fire: bool,
    /// Trouble acknowledged.
    pub ack_block: bool,
}

/// Summary LEDs (discrete inputs 0..8).
pub mod leds {
    /// Any fire alarm.
    pub const FIRE: usize = 0;
    /// Any pre-alarm.
    pub const PREALARM: usize = 1;
    /// Any fault.
    pub const FAULT: usize = 2;
    /// Any supervisory.
    pub const SUPERVISORY: usize = 3;
    /// Any point disabled.
    pub const DISABLED: usize = 4;
    /// Sounders silenced.
    pub const SILENCED: usize = 5;
    /// Mains power failed.
    pub const MAIN_POWER_FAULT: usize = 6;
    /// Battery failed.
    pub const BATTERY_FAULT: usize = 7;
    /// Number of LEDs.
    pub const COUNT: usize = 8;
}

/// Command coils.
pub mod coils {
    /// Reset.
    pub const RESET: u16 = 0;
    /// Silence.
    pub const SILENCE: u16 = 1;
    /// Acknowledge.
    pub const ACKNOWLEDGE: u16 = 2;
    /// Number of coils.
    pub const COUNT: u16 = 3;
}

/// Input register addresses.
pub mod inputs {
    /// Map version.
    pub const MAP_VERSION: u16 = 0;
    /// Number of points.
    pub const POINT_COUNT: u16 = 1;
    /// Reset counter.
    pub const RESETS: u16 = 2;
    /// Silence counter.
    pub const SILENCES: u16 = 3;
    /// Acknowledge counter.
    pub const ACKNOWLEDGES: u16 = 4;
    /// First component type register (point p at TYPES + p - 1).
    pub const TYPES: u16 = 100;
}

/// A whole panel.
#[derive(Debug, Clone)]
pub struct PanelState {
    /// Points 1..=n at index 0..n.
    pub points: Vec<Point>,
    /// Sounders silenced.
    pub silenced: bool,
    /// Mains failed.
    pub main_power_fault: bool,
    /// Battery failed.
    pub battery_fault: bool,
    /// Action counters: reset, silence, acknowledge.
    pub counters: [u16; 3],
}

impl PanelState {
    /// `n` points: fire detectors with a call point every eighth, and a
    /// supervisory sprinkler valve as the last point.
    pub fn new(n: u16) -> Self {
        let points = (1..=n)
            .map(|p| {
                let (kind, component) = if p == n && n > 1 {
                    (PointType::Supervisory, 85)
                } else if p % 8 == 0 {
                    (PointType::Fire, 23)
                } else {
                    (PointType::Fire, 40)
                };
                Point {
                    kind,
                    component,
                    active: false,
                    prealarm: false,
                    trouble: false,
                    disabled: false,
                    ack_fire: false,
                    ack_block: false,
                }
            })
            .collect();
        PanelState {
            points,
            silenced: false,
            main_power_fault: false,
            battery_fault: false,
            counters: [0; 3],
        }
    }

    fn point(&mut self, p: u16) -> Option<&mut Point> {
        self.points.get_mut(usize::from(p).checked_sub(1)?)
    }

    /// The detector at `p` senses fire (fire points latch until reset) or a
    /// supervisory input goes active. Disabled points report nothing.
    pub fn alarm(&mut self, p: u16) -> bool {
        match self.point(p) {
            Some(pt) if !pt.disabled && pt.kind != PointType::NotProgrammed => {
                pt.active = true;
                pt.ack_fire = false;
                self.silenced = false;
                true
            }
            _ => false,
        }
    }

    /// A supervisory input returns to normal (fire alarms stay latched).
    pub fn restore(&mut self, p: u16) -> bool {
        match self.point(p) {
            Some(pt) => {
                if pt.kind == PointType::Supervisory {
                    pt.active = false;
                }
                pt.prealarm = false;
                true
            }
            None => false,
        }
    }

    /// Set or clear a pre-alarm.
    pub fn set_prealarm(&mut self, p: u16, on: bool) -> bool {
        self.point(p)
            .map(|pt| pt.prealarm = on && !pt.disabled)
            .is_some()
    }

    /// Set or clear a fault.
    pub fn set_fault(&mut self, p: u16, on: bool) -> bool {
        self.point(p)
            .map(|pt| {
                pt.trouble = on;
                pt.ack_block = false;
            })
            .is_some()
    }

    /// Disable (屏蔽) or enable a point.
    pub fn set_disabled(&mut self, p: u16, on: bool) -> bool {
        self.point(p).map(|pt| pt.disabled = on).is_some()
    }

    /// Reset: clear latched alarms and pre-alarms, un-silence.
    pub fn reset(&mut self) {
        for pt in &mut self.points {
            if pt.kind == PointType::Fire {
                pt.active = false;
            }
            pt.prealarm = false;
            pt.ack_fire = false;
        }
        self.silenced = false;
        self.counters[0] = self.counters[0].wrapping_add(1);
    }

    /// Silence the sounders.
    pub fn silence(&mut self) {
        self.silenced = true;
        self.counters[1] = self.counters[1].wrapping_add(1);
    }

    /// Acknowledge every alarm and fault.
    pub fn acknowledge(&mut self) {
        for pt in &mut self.points {
            pt.ack_fire |= pt.active && pt.kind == PointType::Fire;
            pt.ack_block |= pt.trouble;
        }
        self.counters[2] = self.counters[2].wrapping_add(1);
    }

    /// The point word of `p` (1-based).
    pub fn word(&self, p: u16) -> Option<u16> {
        let pt = self.points.get(usize::from(p).checked_sub(1)?)?;
        let mut w = pt.kind.code();
        if pt.kind == PointType::NotProgrammed {
            return Some(w);
        }
        let set = |w: &mut u16, bit: u16, on: bool| {
            if on {
                *w |= bit;
            }
        };
        set(&mut w, bits::ACTIVE, pt.active && !pt.disabled);
        set(&mut w, bits::INACTIVE, !pt.active || pt.disabled);
        set(&mut w, bits::PREALARM, pt.prealarm);
        set(&mut w, bits::TROUBLE, pt.trouble);
        set(&mut w, bits::DISABLED, pt.disabled);
        set(&mut w, bits::ENABLED, !pt.disabled);
        set(&mut w, bits::ACK_FIRE, pt.ack_fire);
        set(&mut w, bits::ACK_BLOCK, pt.ack_block);
        Some(w)
    }

    /// Summary LEDs.
    pub fn leds(&self) -> [bool; leds::COUNT] {
        let any = |f: fn(&Point) -> bool| self.points.iter().any(f);
        let mut l = [false; leds::COUNT];
        l[leds::FIRE] = any(|p| p.active && p.kind == PointType::Fire && !p.disabled);
        l[leds::PREALARM] = any(|p| p.prealarm);
        l[leds::FAULT] = any(|p| p.trouble) || self.main_power_fault || self.battery_fault;
        l[leds::SUPERVISORY] = any(|p| p.active && p.kind == PointType::Supervisory && !p.disabled);
        l[leds::DISABLED] = any(|p| p.disabled);
        l[leds::SILENCED] = self.silenced;
        l[leds::MAIN_POWER_FAULT] = self.main_power_fault;
        l[leds::BATTERY_FAULT] = self.battery_fault;
        l
    }

    /// Input register `a`, if mapped.
    pub fn input_register(&self, a: u16) -> Option<u16> {
        let n = self.points.len() as u16;
        match a {
            inputs::MAP_VERSION => Some(MAP_VERSION),
            inputs::POINT_COUNT => Some(n),
            inputs::RESETS => Some(self.counters[0]),
            inputs::SILENCES => Some(self.counters[1]),
            inputs::ACKNOWLEDGES => Some(self.counters[2]),
            a if a >= inputs::TYPES && a < inputs::TYPES + n => {
                Some(self.points[usize::from(a - inputs::TYPES)].component)
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fire_alarm_latches_until_reset_and_words_follow_the_map() {
        let mut s = PanelState::new(8);
        assert_eq!(s.word(3), Some(bits::ENABLED | bits::INACTIVE | 1));
        assert!(s.alarm(3));
        assert_eq!(s.word(3), Some(bits::ENABLED | bits::ACTIVE | 1));
        assert!(s.leds()[leds::FIRE]);
        s.restore(3);
        assert_eq!(
            s.word(3).map(|w| w & bits::ACTIVE),
            Some(bits::ACTIVE),
            "fire alarms latch"
        );
        s.acknowledge();
        assert_eq!(s.word(3).map(|w| w & bits::ACK_FIRE), Some(bits::ACK_FIRE));
        s.reset();
        assert_eq!(s.word(3), Some(bits::ENABLED | bits::INACTIVE | 1));
        assert_eq!(s.counters, [1, 0, 1]);
    }

    #[test]
    fn disabled_points_do_not_alarm() {
        let mut s = PanelState::new(4);
        s.set_disabled(2, true);
        assert!(!s.alarm(2));
        assert_eq!(s.word(2), Some(bits::DISABLED | bits::INACTIVE | 1));
        assert!(s.leds()[leds::DISABLED]);
    }

    #[test]
    fn input_registers_and_unmapped_addresses() {
        let s = PanelState::new(16);
        assert_eq!(s.input_register(0), Some(MAP_VERSION));
        assert_eq!(s.input_register(1), Some(16));
        assert_eq!(
            s.input_register(100 + 7),
            Some(23),
            "point 8 is a call point"
        );
        assert_eq!(
            s.input_register(100 + 15),
            Some(85),
            "last point is supervisory"
        );
        assert_eq!(s.input_register(5), None);
        assert_eq!(s.input_register(116), None);
        assert_eq!(s.word(17), None);
        assert_eq!(s.word(0), None);
    }
}
