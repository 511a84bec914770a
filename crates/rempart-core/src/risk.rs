//! The risk formula of seed 000: risk = threats x vulnerabilities / capacities.

use serde::{Deserialize, Serialize};

/// Threats, vulnerabilities and capacities, each scored 1..=10.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskFactors {
    threats: u8,
    vulnerabilities: u8,
    capacities: u8,
}

/// A factor outside 1..=10.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{factor} must be scored from 1 to 10, got {value}")]
pub struct RiskError {
    pub factor: &'static str,
    pub value: i64,
}

impl RiskFactors {
    pub const MIN: i64 = 1;
    pub const MAX: i64 = 10;

    pub fn new(threats: i64, vulnerabilities: i64, capacities: i64) -> Result<Self, RiskError> {
        let check = |factor: &'static str, value: i64| {
            if (Self::MIN..=Self::MAX).contains(&value) { Ok(value as u8) } else { Err(RiskError { factor, value }) }
        };
        Ok(Self {
            threats: check("threats", threats)?,
            vulnerabilities: check("vulnerabilities", vulnerabilities)?,
            capacities: check("capacities", capacities)?,
        })
    }

    pub fn threats(self) -> u8 {
        self.threats
    }
    pub fn vulnerabilities(self) -> u8 {
        self.vulnerabilities
    }
    pub fn capacities(self) -> u8 {
        self.capacities
    }

    /// threats x vulnerabilities / capacities, from 0.1 (1x1/10) to 100 (10x10/1).
    pub fn score(self) -> f64 {
        f64::from(self.threats) * f64::from(self.vulnerabilities) / f64::from(self.capacities)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn score_follows_the_formula() {
        let r = RiskFactors::new(8, 6, 4).expect("in range");
        assert_eq!(r.score(), 12.0);
        assert_eq!(RiskFactors::new(1, 1, 10).map(RiskFactors::score), Ok(0.1));
        assert_eq!(RiskFactors::new(10, 10, 1).map(RiskFactors::score), Ok(100.0));
        assert_eq!(RiskFactors::new(7, 3, 9).map(RiskFactors::score), Ok(21.0 / 9.0));
    }

    #[test]
    fn factors_out_of_range_are_named() {
        assert_eq!(RiskFactors::new(0, 5, 5), Err(RiskError { factor: "threats", value: 0 }));
        assert_eq!(RiskFactors::new(5, 11, 5), Err(RiskError { factor: "vulnerabilities", value: 11 }));
        assert_eq!(RiskFactors::new(5, 5, -1), Err(RiskError { factor: "capacities", value: -1 }));
    }

    proptest! {
        #[test]
        fn more_capacity_never_raises_risk(t in 1i64..=10, v in 1i64..=10, c in 1i64..10) {
            let low = RiskFactors::new(t, v, c + 1).map(RiskFactors::score).unwrap_or(f64::NAN);
            let high = RiskFactors::new(t, v, c).map(RiskFactors::score).unwrap_or(f64::NAN);
            prop_assert!(low < high, "{} !< {}", low, high);
        }

        #[test]
        fn score_stays_in_bounds(t in 1i64..=10, v in 1i64..=10, c in 1i64..=10) {
            let s = RiskFactors::new(t, v, c).map(RiskFactors::score).unwrap_or(f64::NAN);
            prop_assert!((0.1..=100.0).contains(&s));
        }
    }
}
