//! Log timestamps: classic syslog (`Nov 22 04:03:14`, no year, no offset), RFC 3339
//! (`2026-11-22T04:03:14.123456+09:00`) and Exim's own (`2026-11-22 04:03:14 [+0100]`), all
//! turned into Unix seconds (UTC).
//!
//! Classic stamps lack the year and the UTC offset, so they are parsed on the worker threads into
//! a year-less packed form and resolved on the join thread, which sees the lines of an input in
//! order (`ClassicClock`). The rules, in full:
//!
//! * **Offset.** `EngineOptions::classic_offset` if given; otherwise the offset of the first
//!   RFC 3339 stamp found in the first or last 64 KiB of a plain input file (so a file that
//!   switched from classic to RFC 3339 stamps, as after an rsyslog config change, gets its
//!   classic half in the same zone); otherwise, for compressed inputs and stdin, the offset of
//!   the latest RFC 3339 stamp seen earlier in the same input; otherwise UTC. Exim's own stamps
//!   without `+HHMM` use the same offset.
//! * **Year of the first classic stamp of an input.** `EngineOptions::year` if given (used as
//!   is). Otherwise the year of the reference time — the file's modification time, or now for
//!   stdin — and, if that would put the stamp more than one day after the reference time (a
//!   line cannot be newer than the file it is in), the year before. The year of the file's
//!   mtime rather than the current year keeps old evidence copied with its mtime (`cp -p`,
//!   `tar`) right.
//! * **Every later classic stamp** gets whichever of the years before, equal to and after the
//!   current one puts it closest to the previous stamp of the same input (of any kind). Logs are
//!   written in time order, so `Dec 31 23:59:59` → `Jan 1 00:00:00` advances the year, while a
//!   line a second out of order across midnight of a month's end never does.

use super::stats::Timestamp;

pub use crate::civil::days_from_civil;

/// The year of a Unix time (UTC).
pub fn year_of(t: Timestamp) -> i64 {
    crate::civil::civil_from_days(t.div_euclid(86_400)).0
}

/// A timestamp as the worker threads parse it, before the join thread resolves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stamp {
    /// Classic syslog: `((month * 32) + day) * 86400 + second of day`; year and offset unknown.
    Classic(u32),
    /// A complete date and time without an offset (Exim's own stamp): seconds as if UTC.
    Naive(i64),
    /// A complete instant (RFC 3339, or Exim with `+HHMM`), and the offset it was written with.
    Abs(Timestamp, i32),
}

fn two(b: &[u8], i: usize) -> Option<u32> {
    let (a, c) = (*b.get(i)?, *b.get(i + 1)?);
    if a.is_ascii_digit() && c.is_ascii_digit() {
        Some(u32::from(a - b'0') * 10 + u32::from(c - b'0'))
    } else {
        None
    }
}

/// `HH:MM:SS` at `i`, as seconds of the day.
fn hms(b: &[u8], i: usize) -> Option<u32> {
    let (h, m, s) = (two(b, i)?, two(b, i + 3)?, two(b, i + 6)?);
    if b.get(i + 2) != Some(&b':') || b.get(i + 5) != Some(&b':') || h > 23 || m > 59 || s > 60 {
        return None;
    }
    Some(h * 3600 + m * 60 + s.min(59))
}

fn month_of(b: &[u8]) -> Option<u32> {
    let m = match b.get(..3)? {
        b"Jan" => 1,
        b"Feb" => 2,
        b"Mar" => 3,
        b"Apr" => 4,
        b"May" => 5,
        b"Jun" => 6,
        b"Jul" => 7,
        b"Aug" => 8,
        b"Sep" => 9,
        b"Oct" => 10,
        b"Nov" => 11,
        b"Dec" => 12,
        _ => return None,
    };
    Some(m)
}

/// Classic `Mmm dd HH:MM:SS` (day padded with a space or a zero); 15 bytes.
pub fn parse_classic(b: &[u8]) -> Option<u32> {
    let month = month_of(b)?;
    if b.get(3) != Some(&b' ') || b.get(6) != Some(&b' ') {
        return None;
    }
    let d1 = *b.get(4)?;
    let d2 = *b.get(5)?;
    if !d2.is_ascii_digit() || !(d1 == b' ' || d1.is_ascii_digit()) {
        return None;
    }
    let day = if d1 == b' ' {
        0
    } else {
        u32::from(d1 - b'0') * 10
    } + u32::from(d2 - b'0');
    if day == 0 || day > 31 {
        return None;
    }
    let sod = hms(b, 7)?;
    Some((month * 32 + day) * 86_400 + sod)
}

/// `YYYY-MM-DD` at the start of `b`, as days since the epoch.
fn date(b: &[u8]) -> Option<i64> {
    let y = two(b, 0)? * 100 + two(b, 2)?;
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let (m, d) = (two(b, 5)?, two(b, 8)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    Some(days_from_civil(i64::from(y), m, d))
}

/// RFC 3339 `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`; returns the stamp and its length.
pub fn parse_rfc3339(b: &[u8]) -> Option<(Stamp, usize)> {
    let days = date(b)?;
    if !matches!(b.get(10), Some(b'T' | b't')) {
        return None;
    }
    let sod = hms(b, 11)?;
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        i += 1;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    let off = match *b.get(i)? {
        b'Z' | b'z' => {
            i += 1;
            0
        }
        s @ (b'+' | b'-') => {
            let (h, m) = (two(b, i + 1)?, two(b, i + 4)?);
            if b.get(i + 3) != Some(&b':') || h > 23 || m > 59 {
                return None;
            }
            i += 6;
            let o = (h * 3600 + m * 60) as i32;
            if s == b'-' {
                -o
            } else {
                o
            }
        }
        _ => return None,
    };
    let local = days * 86_400 + i64::from(sod);
    Some((Stamp::Abs(local - i64::from(off), off), i))
}

/// Exim's `YYYY-MM-DD HH:MM:SS` with an optional ` ±HHMM` (log_timezone); returns the stamp and
/// its length.
pub fn parse_exim(b: &[u8]) -> Option<(Stamp, usize)> {
    let days = date(b)?;
    if b.get(10) != Some(&b' ') {
        return None;
    }
    let local = days * 86_400 + i64::from(hms(b, 11)?);
    if b.get(19) == Some(&b' ') {
        if let (Some(s @ (b'+' | b'-')), Some(h), Some(m)) = (b.get(20), two(b, 21), two(b, 23)) {
            if b.get(25).is_none_or(|c| *c == b' ') && h <= 23 && m <= 59 {
                let o = (h * 3600 + m * 60) as i32;
                let off = if *s == b'-' { -o } else { o };
                return Some((Stamp::Abs(local - i64::from(off), off), 25));
            }
        }
    }
    Some((Stamp::Naive(local), 19))
}

/// Resolves the stamps of one input, in order, into Unix seconds (see the module docs).
#[derive(Debug)]
pub struct ClassicClock {
    /// Offset given by the user or found by probing; fixed for the input.
    fixed_offset: Option<i32>,
    /// Offset of the latest RFC 3339 stamp seen (used when nothing is fixed).
    seen_offset: Option<i32>,
    start_year: Option<i64>,
    reference: Timestamp,
    year: i64,
    last: Option<Timestamp>,
    cache_md: u32,
    cache_base: Timestamp,
}

impl ClassicClock {
    /// `year`: the user's `--year`; `reference`: the file's mtime (or now).
    pub fn new(fixed_offset: Option<i32>, year: Option<i64>, reference: Timestamp) -> Self {
        ClassicClock {
            fixed_offset,
            seen_offset: None,
            start_year: year,
            reference,
            year: year.unwrap_or_else(|| year_of(reference)),
            last: None,
            cache_md: u32::MAX,
            cache_base: 0,
        }
    }

    fn offset(&self) -> i64 {
        i64::from(self.fixed_offset.or(self.seen_offset).unwrap_or(0))
    }

    /// Midnight (UTC seconds, offset applied) of `month/day` in `year`.
    fn base(&self, year: i64, md: u32) -> Timestamp {
        days_from_civil(year, md / 32, md % 32) * 86_400 - self.offset()
    }

    /// Resolve one stamp to Unix seconds.
    pub fn resolve(&mut self, s: Stamp) -> Timestamp {
        let t = match s {
            Stamp::Abs(t, off) => {
                if self.seen_offset != Some(off) {
                    self.seen_offset = Some(off);
                    self.cache_md = u32::MAX;
                }
                t
            }
            Stamp::Naive(t) => t - self.offset(),
            Stamp::Classic(p) => {
                let md = p / 86_400;
                let sod = i64::from(p % 86_400);
                if md != self.cache_md {
                    self.pick_year(md, sod);
                }
                self.cache_base + sod
            }
        };
        self.last = Some(t);
        t
    }

    fn pick_year(&mut self, md: u32, sod: i64) {
        let year = match self.last {
            None => {
                let y = self.year;
                if self.start_year.is_none() && self.base(y, md) + sod > self.reference + 86_400 {
                    y - 1
                } else {
                    y
                }
            }
            Some(last) => {
                let mut best = self.year;
                let mut best_gap = i64::MAX;
                for y in [self.year - 1, self.year, self.year + 1] {
                    let gap = (self.base(y, md) + sod - last).abs();
                    if gap < best_gap {
                        best_gap = gap;
                        best = y;
                    }
                }
                best
            }
        };
        self.year = year;
        self.cache_md = md;
        self.cache_base = self.base(year, md);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classic(s: &str) -> Stamp {
        Stamp::Classic(parse_classic(s.as_bytes()).expect("classic stamp"))
    }

    #[test]
    fn civil_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2026, 11, 22), 20_779);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(year_of(20_779 * 86_400), 2026);
        assert_eq!(
            year_of(days_from_civil(2024, 12, 31) * 86_400 + 86_399),
            2024
        );
        assert_eq!(year_of(days_from_civil(2025, 1, 1) * 86_400), 2025);
    }

    #[test]
    fn rfc3339_with_fraction_and_offset() {
        let (s, n) = parse_rfc3339(b"2026-11-22T04:03:14.123456+09:00 mail x").expect("parse");
        assert_eq!(n, 32);
        // 2026-11-21T19:03:14Z
        assert_eq!(s, Stamp::Abs(1_795_287_794, 9 * 3600));
        let (s, n) = parse_rfc3339(b"2026-11-22T04:03:14Z x").expect("parse");
        assert_eq!((s, n), (Stamp::Abs(1_795_320_194, 0), 20));
        assert!(parse_rfc3339(b"2026-11-22T04:03:14 x").is_none());
        assert!(parse_rfc3339(b"2026-13-22T04:03:14Z").is_none());
    }

    #[test]
    fn exim_stamps() {
        assert_eq!(
            parse_exim(b"2026-11-22 04:03:14 1tABCD-000123-4X <= a"),
            Some((Stamp::Naive(1_795_320_194), 19))
        );
        assert_eq!(
            parse_exim(b"2026-11-22 04:03:14 +0100 1tABCD"),
            Some((Stamp::Abs(1_795_320_194 - 3600, 3600), 25))
        );
    }

    #[test]
    fn classic_rejects_garbage() {
        assert!(parse_classic(b"Nov 22 04:03:14").is_some());
        assert!(parse_classic(b"Nov  2 04:03:14").is_some());
        assert!(parse_classic(b"Nov 32 04:03:14").is_none());
        assert!(parse_classic(b"Foo 22 04:03:14").is_none());
        assert!(parse_classic(b"Nov 22 24:03:14").is_none());
        assert!(parse_classic(b"Nov 22 04:03").is_none());
    }

    #[test]
    fn year_advances_at_new_year_and_not_on_jitter() {
        let mtime = days_from_civil(2027, 1, 2) * 86_400;
        let mut c = ClassicClock::new(None, None, mtime);
        let a = c.resolve(classic("Dec 31 23:59:58"));
        assert_eq!(a, days_from_civil(2026, 12, 31) * 86_400 + 86_398);
        let b = c.resolve(classic("Jan  1 00:00:01"));
        assert_eq!(b, days_from_civil(2027, 1, 1) * 86_400 + 1);
        // A line slightly out of order stays in the old year.
        let j = c.resolve(classic("Dec 31 23:59:59"));
        assert_eq!(j, a + 1);
        let d = c.resolve(classic("Jan  1 00:00:02"));
        assert_eq!(d, b + 1);
    }

    #[test]
    fn first_stamp_in_future_of_mtime_means_last_year() {
        let mtime = days_from_civil(2026, 1, 5) * 86_400;
        let mut c = ClassicClock::new(None, None, mtime);
        assert_eq!(
            c.resolve(classic("Dec 30 10:00:00")),
            days_from_civil(2025, 12, 30) * 86_400 + 36_000
        );
        // --year is honoured as given.
        let mut c = ClassicClock::new(None, Some(2026), mtime);
        assert_eq!(
            c.resolve(classic("Dec 30 10:00:00")),
            days_from_civil(2026, 12, 30) * 86_400 + 36_000
        );
    }

    #[test]
    fn offsets_fixed_and_learnt() {
        let mtime = days_from_civil(2026, 12, 1) * 86_400;
        let mut c = ClassicClock::new(Some(3600), None, mtime);
        let base = days_from_civil(2026, 11, 22) * 86_400;
        assert_eq!(c.resolve(classic("Nov 22 04:03:14")), base + 14_594 - 3600);
        let mut c = ClassicClock::new(None, None, mtime);
        assert_eq!(c.resolve(classic("Nov 22 04:03:14")), base + 14_594);
        c.resolve(Stamp::Abs(base + 20_000, -7200));
        // New date, learnt offset applies.
        assert_eq!(
            c.resolve(classic("Nov 23 04:03:14")),
            base + 86_400 + 14_594 + 7200
        );
        assert_eq!(c.resolve(Stamp::Naive(base)), base + 7200);
    }
}
