//! Wall time and the hybrid logical clock that orders every change.
//!
//! A hybrid logical clock (Kulkarni et al.) keeps the physical time of the device but never goes
//! backwards and always moves past any time it has seen from others, so "last writer wins" per
//! field is well defined even when phone clocks disagree.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Vietnam has one time zone (UTC+7, no daylight saving): deadlines are reckoned in it.
pub fn vietnam() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("UTC+7 is a valid offset")
}

/// Source of physical time. Tests and the sync client's server-offset correction plug in here.
pub trait WallClock: Send + Sync {
    fn now_millis(&self) -> i64;
}

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl WallClock for SystemClock {
    fn now_millis(&self) -> i64 {
        Utc::now().timestamp_millis()
    }
}

/// A clock fixed at a settable instant, for tests and benchmarks.
#[derive(Debug, Default)]
pub struct ManualClock(std::sync::atomic::AtomicI64);

impl ManualClock {
    pub fn at(millis: i64) -> Arc<Self> {
        Arc::new(ManualClock(std::sync::atomic::AtomicI64::new(millis)))
    }
    pub fn set(&self, millis: i64) {
        self.0.store(millis, std::sync::atomic::Ordering::SeqCst)
    }
    pub fn advance(&self, millis: i64) {
        self.0.fetch_add(millis, std::sync::atomic::Ordering::SeqCst);
    }
}

impl WallClock for ManualClock {
    fn now_millis(&self) -> i64 {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

pub fn to_datetime(millis: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(millis).unwrap_or_default()
}

/// Today's date in Vietnam at the given instant.
pub fn today_in_vietnam(millis: i64) -> NaiveDate {
    to_datetime(millis).with_timezone(&vietnam()).date_naive()
}

/// dd/mm/yyyy, the way dates are shown to people.
pub fn format_date_vi(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// A hybrid logical clock reading: physical milliseconds, a counter for events in the same
/// millisecond, and the node (device) that made it as the final tie-break.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Hlc {
    pub millis: u64,
    pub counter: u32,
    pub node: u64,
}

impl Hlc {
    pub const ZERO: Hlc = Hlc { millis: 0, counter: 0, node: 0 };

    /// The next reading after `last`, given the physical time `now`.
    pub fn tick(last: Hlc, now_millis: i64, node: u64) -> Hlc {
        let now = now_millis.max(0) as u64;
        if now > last.millis {
            Hlc { millis: now, counter: 0, node }
        } else {
            Hlc { millis: last.millis, counter: last.counter.saturating_add(1), node }
        }
    }

    /// The reading after receiving `remote`, so that later local events order after it.
    pub fn observe(last: Hlc, remote: Hlc, now_millis: i64, node: u64) -> Hlc {
        let now = now_millis.max(0) as u64;
        let millis = now.max(last.millis).max(remote.millis);
        let counter = if millis == last.millis && millis == remote.millis {
            last.counter.max(remote.counter).saturating_add(1)
        } else if millis == last.millis {
            last.counter.saturating_add(1)
        } else if millis == remote.millis {
            remote.counter.saturating_add(1)
        } else {
            0
        };
        Hlc { millis, counter, node }
    }
}

/// Fixed-width hex so that the text form sorts like the value: 12 + 4 + 16 characters.
impl fmt::Display for Hlc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:012x}{:04x}{:016x}", self.millis, self.counter.min(0xffff), self.node)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a clock reading: expected 32 hex digits")]
pub struct HlcParseError;

impl FromStr for Hlc {
    type Err = HlcParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() != 32 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(HlcParseError);
        }
        let millis = u64::from_str_radix(&s[..12], 16).map_err(|_| HlcParseError)?;
        let counter = u32::from_str_radix(&s[12..16], 16).map_err(|_| HlcParseError)?;
        let node = u64::from_str_radix(&s[16..], 16).map_err(|_| HlcParseError)?;
        Ok(Hlc { millis, counter, node })
    }
}

impl Serialize for Hlc {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Hlc {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_never_goes_backwards_when_the_wall_clock_does() {
        let a = Hlc::tick(Hlc::ZERO, 1_000, 1);
        let b = Hlc::tick(a, 500, 1);
        assert!(b > a);
        assert_eq!(b.millis, 1_000);
        assert_eq!(b.counter, 1);
    }

    #[test]
    fn observe_moves_past_a_remote_reading_from_the_future() {
        let local = Hlc::tick(Hlc::ZERO, 1_000, 1);
        let remote = Hlc { millis: 90_000, counter: 3, node: 2 };
        let after = Hlc::observe(local, remote, 1_001, 1);
        assert!(after > remote);
        assert_eq!(Hlc::tick(after, 1_002, 1).millis, 90_000);
    }

    #[test]
    fn text_form_round_trips_and_sorts_like_the_value() {
        let a = Hlc { millis: 1_700_000_000_000, counter: 2, node: 0xabc };
        let b = Hlc { millis: 1_700_000_000_000, counter: 10, node: 0x1 };
        assert_eq!(a.to_string().parse::<Hlc>(), Ok(a));
        assert_eq!(a < b, a.to_string() < b.to_string());
        assert!("xyz".parse::<Hlc>().is_err());
    }

    #[test]
    fn today_is_reckoned_in_vietnam() {
        // 2023-05-29 18:30 UTC is already 30/05 in Vietnam.
        let t = DateTime::parse_from_rfc3339("2023-05-29T18:30:00Z").unwrap().timestamp_millis();
        assert_eq!(format_date_vi(today_in_vietnam(t)), "30/05/2023");
    }
}
