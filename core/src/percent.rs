//! The one rule for a share shown as a percentage, on the phones, the dashboard pages and the
//! reports alike: floored to a tenth of a percent and written the Vietnamese way, with a
//! decimal comma ("83,3%", and "100%" when there are no tenths).
//!
//! Floor, not round: 79.96% shows as "79,9%", never as "80%" while it is still below an 80%
//! threshold. Thresholds are whole percents, so comparing the shown figure with a threshold
//! (`Percent::reaches`) always agrees with the exact comparison `part × 100 ≥ threshold × whole`.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A share in tenths of a percent, floored (833 for 5 of 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
pub struct Percent {
    tenths: u32,
}

impl Percent {
    /// `part` of `whole`; 0 when there is nothing to count.
    pub fn of(part: u64, whole: u64) -> Percent {
        let tenths = (u128::from(part) * 1000).checked_div(u128::from(whole)).unwrap_or(0);
        Percent { tenths: u32::try_from(tenths).unwrap_or(u32::MAX) }
    }

    /// Tenths of a percent: 833 for "83,3%".
    pub fn tenths(self) -> u32 {
        self.tenths
    }

    /// In percent, for drawing (bar lengths): 83.3.
    pub fn value(self) -> f64 {
        f64::from(self.tenths) / 10.0
    }

    /// As a fraction, for a spreadsheet cell with a percent format: 0.833.
    pub fn fraction(self) -> f64 {
        f64::from(self.tenths) / 1000.0
    }

    /// Whether the share reaches a threshold in whole percent. Exact: because the share is
    /// floored, `tenths ≥ 10 × threshold` holds exactly when `part × 100 ≥ threshold × whole`.
    pub fn reaches(self, threshold_pct: u32) -> bool {
        u64::from(self.tenths) >= u64::from(threshold_pct) * 10
    }

    /// "83,3%", "100%", "0%".
    pub fn text(self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.tenths % 10 {
            0 => write!(f, "{}%", self.tenths / 10),
            tenth => write!(f, "{},{}%", self.tenths / 10, tenth),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(part: u64, whole: u64) -> String {
        Percent::of(part, whole).text()
    }

    #[test]
    fn written_with_a_decimal_comma_and_no_empty_tenths() {
        assert_eq!(text(5, 6), "83,3%");
        assert_eq!(text(171, 200), "85,5%");
        assert_eq!(text(4, 4), "100%");
        assert_eq!(text(1, 2), "50%");
        assert_eq!(text(0, 7), "0%");
        assert_eq!(text(0, 0), "0%", "nothing to count");
        assert_eq!(text(1, 1000), "0,1%");
        assert_eq!(text(1, 1001), "0%", "0.0999% floors to 0");
    }

    #[test]
    fn floored_so_a_share_below_a_threshold_never_shows_it() {
        // 79.96%: rounding would show 80,0%.
        assert_eq!(text(7996, 10_000), "79,9%");
        assert!(!Percent::of(7996, 10_000).reaches(80));
        // 2/3 = 66.67%: 66,6%, not 66,7%.
        assert_eq!(text(2, 3), "66,6%");
        // 99.99% is not 100%.
        assert_eq!(text(9999, 10_000), "99,9%");
        assert!(!Percent::of(9999, 10_000).reaches(100));
        assert_eq!(text(8, 10), "80%");
        assert!(Percent::of(8, 10).reaches(80));
        assert!(Percent::of(0, 0).reaches(0));
    }

    #[test]
    fn reaching_a_threshold_agrees_with_the_exact_comparison() {
        for whole in 1..=60u64 {
            for part in 0..=whole {
                for threshold in [0u32, 1, 33, 50, 66, 67, 80, 99, 100] {
                    let exact = part * 100 >= u64::from(threshold) * whole;
                    assert_eq!(Percent::of(part, whole).reaches(threshold), exact, "{part}/{whole} against {threshold}%");
                }
            }
        }
    }

    #[test]
    fn huge_counts_do_not_overflow() {
        assert_eq!(text(u64::MAX, u64::MAX), "100%");
        assert_eq!(Percent::of(u64::MAX / 3, u64::MAX).tenths(), 333);
    }

    #[test]
    fn spreadsheet_and_drawing_values_are_the_shown_figure() {
        let p = Percent::of(9, 11);
        assert_eq!(p.text(), "81,8%");
        assert_eq!(p.fraction(), 0.818);
        assert_eq!(p.value(), 81.8);
    }
}
