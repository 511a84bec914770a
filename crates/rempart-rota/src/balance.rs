//! Team balance figures: max/mean and the Gini coefficient.

use serde::{Deserialize, Serialize};

/// How evenly something (cases received, weighted load) is spread over a team.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Balance {
    pub max: f64,
    pub mean: f64,
    /// max / mean: 1.0 is perfectly even.
    pub max_over_mean: f64,
    /// 0 is perfectly even, 1 all on one person.
    pub gini: f64,
}

impl Balance {
    pub fn of(values: &[f64]) -> Self {
        let n = values.len() as f64;
        let max = values.iter().copied().fold(0.0, f64::max);
        let mean = if values.is_empty() { 0.0 } else { values.iter().sum::<f64>() / n };
        let max_over_mean = if mean > 0.0 { max / mean } else { 1.0 };
        Self { max, mean, max_over_mean, gini: gini(values) }
    }
}

/// The Gini coefficient of non-negative values (0 when all are equal or all zero).
pub fn gini(values: &[f64]) -> f64 {
    let n = values.len();
    let total: f64 = values.iter().sum();
    if n == 0 || total <= 0.0 {
        return 0.0;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let weighted: f64 = sorted.iter().enumerate().map(|(i, v)| (i as f64 + 1.0) * v).sum();
    (2.0 * weighted) / (n as f64 * total) - (n as f64 + 1.0) / n as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gini_bounds_and_known_values() {
        assert_eq!(gini(&[]), 0.0);
        assert_eq!(gini(&[0.0, 0.0]), 0.0);
        assert!(gini(&[5.0, 5.0, 5.0, 5.0]).abs() < 1e-12);
        assert!((gini(&[0.0, 0.0, 0.0, 10.0]) - 0.75).abs() < 1e-12, "all on one of four: (n-1)/n");
        assert!((gini(&[1.0, 2.0, 3.0, 4.0]) - 0.25).abs() < 1e-12);
        let b = Balance::of(&[2.0, 4.0, 6.0]);
        assert_eq!((b.max, b.mean), (6.0, 4.0));
        assert!((b.max_over_mean - 1.5).abs() < 1e-12);
    }
}
