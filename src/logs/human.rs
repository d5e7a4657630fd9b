//! Numbers, times and durations written the way an analyst reads them in evidence sentences
//! ("5,366 recipients in 2 h 10 m"), without a date-time dependency: log times are UTC Unix
//! seconds, and only the proleptic Gregorian calendar is needed.

use super::stats::Timestamp;

/// `5366` → `"5,366"`.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A share as a whole percentage: `0.934` → `"93%"`.
pub fn percent(share: f64) -> String {
    format!("{:.0}%", share * 100.0)
}

/// A duration in its two largest units: `"3 d 4 h"`, `"2 h 10 m"`, `"45 m"`, `"12 s"`.
pub fn duration(seconds: i64) -> String {
    let s = seconds.max(0);
    let (d, h, m) = (s / 86_400, s % 86_400 / 3_600, s % 3_600 / 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s} s"),
        (0, 0, m) => format!("{m} m"),
        (0, h, m) => format!("{h} h {m} m"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

/// `"2026-11-20"`.
pub fn date(t: Timestamp) -> String {
    let (y, m, d) = crate::civil::civil_from_days(t.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

/// `"2026-11-20 04:07 UTC"`.
pub fn utc(t: Timestamp) -> String {
    let secs = t.rem_euclid(86_400);
    format!(
        "{} {:02}:{:02} UTC",
        date(t),
        secs / 3_600,
        secs % 3_600 / 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_have_thousands_separators() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(5_366), "5,366");
        assert_eq!(count(1_234_567), "1,234,567");
    }

    #[test]
    fn durations_use_two_units() {
        assert_eq!(duration(12), "12 s");
        assert_eq!(duration(45 * 60 + 3), "45 m");
        assert_eq!(duration(2 * 3600 + 10 * 60), "2 h 10 m");
        assert_eq!(duration(3 * 86_400 + 4 * 3600 + 59), "3 d 4 h");
        assert_eq!(duration(-5), "0 s");
    }

    #[test]
    fn dates_are_utc_calendar_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00 UTC");
        // 2026-11-16T00:00:00Z, genlog's default start.
        assert_eq!(utc(1_763_251_200 + 365 * 86_400), "2026-11-16 00:00 UTC");
        assert_eq!(date(951_782_400), "2000-02-29");
        assert_eq!(utc(-1), "1969-12-31 23:59 UTC");
        assert_eq!(percent(0.934), "93%");
    }
}
