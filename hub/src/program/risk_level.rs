//! A risk point's assessment and the level it gives: LEC (D = L × E × C,
//! each factor from its usual scale) or a 5 × 5 risk matrix (R = L × S),
//! mapped to the four levels by the configured bands.

use serde::{Deserialize, Serialize};

use crate::bus::Level;
use crate::config::program::{Bands, ProgramConfig};

/// LEC's likelihood scale (L): 10 expected … 0.1 practically impossible.
pub const LEC_L: [f64; 7] = [10.0, 6.0, 3.0, 1.0, 0.5, 0.2, 0.1];
/// LEC's exposure scale (E): 10 continuous, 6 daily, 3 weekly, 2 monthly,
/// 1 yearly, 0.5 rarely.
pub const LEC_E: [f64; 6] = [10.0, 6.0, 3.0, 2.0, 1.0, 0.5];
/// LEC's consequence scale (C): 100 many deaths … 1 first aid.
pub const LEC_C: [f64; 6] = [100.0, 40.0, 15.0, 7.0, 3.0, 1.0];

/// How a point was assessed, with its factors.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "method", rename_all = "lowercase", deny_unknown_fields)]
pub enum RiskAssessment {
    /// 作业条件危险性分析法: D = L × E × C.
    Lec {
        /// Likelihood (L), from [`LEC_L`].
        l: f64,
        /// Exposure (E), from [`LEC_E`].
        e: f64,
        /// Consequence (C), from [`LEC_C`].
        c: f64,
    },
    /// 风险矩阵法: R = L × S, each 1 to 5.
    Matrix {
        /// Likelihood, 1–5.
        l: u8,
        /// Severity, 1–5.
        s: u8,
    },
}

fn on_scale(v: f64, scale: &[f64]) -> bool {
    scale.iter().any(|s| (s - v).abs() < 1e-9)
}

fn scale_text(scale: &[f64]) -> String {
    scale
        .iter()
        .map(|v| v.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

impl RiskAssessment {
    /// `lec` or `matrix`.
    pub fn method(&self) -> &'static str {
        match self {
            RiskAssessment::Lec { .. } => "lec",
            RiskAssessment::Matrix { .. } => "matrix",
        }
    }

    /// D or R.
    pub fn score(&self) -> f64 {
        match *self {
            RiskAssessment::Lec { l, e, c } => l * e * c,
            RiskAssessment::Matrix { l, s } => f64::from(l) * f64::from(s),
        }
    }

    /// Whether each factor is on its scale; the first that is not, named.
    pub fn check(&self) -> Result<(), String> {
        match *self {
            RiskAssessment::Lec { l, e, c } => {
                for (name, v, scale) in [("L", l, &LEC_L[..]), ("E", e, &LEC_E), ("C", c, &LEC_C)] {
                    if !on_scale(v, scale) {
                        return Err(format!(
                            "LEC {name} = {v} is not on its scale ({})",
                            scale_text(scale)
                        ));
                    }
                }
                Ok(())
            }
            RiskAssessment::Matrix { l, s } => {
                for (name, v) in [("L", l), ("S", s)] {
                    if !(1..=5).contains(&v) {
                        return Err(format!("risk matrix {name} = {v} is not 1 to 5"));
                    }
                }
                Ok(())
            }
        }
    }

    /// The level the configured bands give.
    pub fn level(&self, config: &ProgramConfig) -> Level {
        let bands = match self {
            RiskAssessment::Lec { .. } => config.lec_bands,
            RiskAssessment::Matrix { .. } => config.matrix_bands,
        };
        band(self.score(), bands)
    }
}

/// The level of `score` under `bands`.
pub fn band(score: f64, bands: Bands) -> Level {
    if score >= bands.red {
        Level::Red
    } else if score >= bands.orange {
        Level::Orange
    } else if score >= bands.yellow {
        Level::Yellow
    } else {
        Level::Blue
    }
}

/// The program's name of a level: 重大风险 … 低风险.
pub fn level_name(level: Level) -> &'static str {
    match level {
        Level::Red => "重大风险",
        Level::Orange => "较大风险",
        Level::Yellow => "一般风险",
        _ => "低风险",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lec_scores_fall_in_the_configured_bands() {
        let c = ProgramConfig::default();
        // A teaching laboratory with solvents: likely (6), daily (6),
        // serious injury (7): D = 252, 较大风险 (orange).
        let lab = RiskAssessment::Lec {
            l: 6.0,
            e: 6.0,
            c: 7.0,
        };
        assert_eq!(lab.score(), 252.0);
        assert_eq!(lab.level(&c), Level::Orange);
        // At a band's edge the higher level holds.
        let edge = RiskAssessment::Lec {
            l: 3.0,
            e: 6.0,
            c: 15.0,
        };
        assert_eq!((edge.score(), edge.level(&c)), (270.0, Level::Orange));
        let at_320 = RiskAssessment::Lec {
            l: 10.0,
            e: 2.0,
            c: 15.0,
        };
        assert_eq!(at_320.score(), 300.0);
        assert_eq!(band(320.0, c.lec_bands), Level::Red);
        assert_eq!(band(319.9, c.lec_bands), Level::Orange);
        assert_eq!(band(70.0, c.lec_bands), Level::Yellow);
        assert_eq!(band(69.0, c.lec_bands), Level::Blue);
        // Another province's bands move the same score.
        let mut other = c.clone();
        other.lec_bands = Bands {
            red: 240.0,
            orange: 120.0,
            yellow: 45.0,
        };
        assert_eq!(lab.level(&other), Level::Red);
    }

    #[test]
    fn the_matrix_multiplies_and_factors_stay_on_their_scales() {
        let c = ProgramConfig::default();
        let kitchen = RiskAssessment::Matrix { l: 3, s: 4 };
        assert_eq!((kitchen.score(), kitchen.level(&c)), (12.0, Level::Yellow));
        assert_eq!(RiskAssessment::Matrix { l: 5, s: 4 }.level(&c), Level::Red);
        assert_eq!(RiskAssessment::Matrix { l: 2, s: 2 }.level(&c), Level::Blue);
        assert!(
            RiskAssessment::Matrix { l: 6, s: 1 }
                .check()
                .unwrap_err()
                .contains("L = 6")
        );
        let bad = RiskAssessment::Lec {
            l: 4.0,
            e: 6.0,
            c: 7.0,
        };
        assert!(
            bad.check().unwrap_err().contains("L = 4"),
            "{:?}",
            bad.check()
        );
        assert!(
            RiskAssessment::Lec {
                l: 0.5,
                e: 0.5,
                c: 1.0
            }
            .check()
            .is_ok()
        );
    }
}
