//! Range files: the registries' delegated statistics and CSV maps, turned into sorted,
//! non-overlapping ranges that one binary search answers.
//!
//! Accepted lines (a file may mix them; blank lines and `#` comments are skipped):
//! - RIR `delegated-*-extended` (and plain `delegated-*`) records:
//!   `registry|CC|ipv4|start|count|date|status[|opaque-id[|extensions]]` where `count` is a number
//!   of addresses (not always a power of two), and `registry|CC|ipv6|prefix|length|date|status`.
//!   The version line (`2|apnic|...`), summary lines (`apnic|*|ipv4|*|N|summary`), `asn`
//!   records, `available`/`reserved` records and records without a country are skipped.
//! - CSV `cidr,country` (`192.0.2.0/24,DE`; a bare address means one host) or
//!   `start,end,country` (DB-IP and ip-location-db country CSVs), fields optionally quoted. A
//!   first line that does not parse is taken as a header (`cidr,country`).
//!
//! The country `ZZ` (unknown) is skipped like an empty one. Where ranges of one file overlap,
//! the most specific (smallest) range wins, then the earlier line.

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};

use super::{Country, GeoError};

/// One answer range, bounds inclusive; IPv4 addresses are stored as their `u32` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Range {
    start: u128,
    end: u128,
    country: Country,
}

/// A parsed range file: sorted non-overlapping IPv4 and IPv6 ranges.
#[derive(Debug)]
pub struct RangeTable {
    path: PathBuf,
    v4: Vec<Range>,
    v6: Vec<Range>,
}

/// A range as read, before overlaps are resolved.
struct Raw {
    start: u128,
    end: u128,
    country: Country,
    line: usize,
}

/// What one line holds.
enum Line {
    Skip,
    V4(Raw),
    V6(Raw),
}

impl RangeTable {
    /// Reads and parses `path`.
    pub fn load(path: &Path) -> Result<RangeTable, GeoError> {
        let bytes = std::fs::read(path).map_err(|source| GeoError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        match std::str::from_utf8(&bytes) {
            Ok(text) => RangeTable::parse(path, text),
            Err(e) => {
                let line = 1 + bytes[..e.valid_up_to()]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count();
                Err(parse_error(path, line, "not UTF-8 text".to_string()))
            }
        }
    }

    /// Parses the text of a range file; `path` is only used in error messages and the report.
    pub fn parse(path: &Path, text: &str) -> Result<RangeTable, GeoError> {
        let mut v4 = Vec::new();
        let mut v6 = Vec::new();
        let mut first_data_line = true;
        for (i, raw_line) in text.lines().enumerate() {
            let line_no = i + 1;
            let line = raw_line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let parsed = if line.contains('|') {
                parse_rir(line, line_no)
            } else if line.contains(',') {
                match parse_csv(line, line_no) {
                    // A header such as `cidr,country` is allowed on the first data line only.
                    Err(_) if first_data_line => Ok(Line::Skip),
                    other => other,
                }
            } else {
                Err("neither an RIR record (|-separated) nor a CSV line (cidr,country)".into())
            };
            first_data_line = false;
            match parsed.map_err(|m| parse_error(path, line_no, m))? {
                Line::Skip => {}
                Line::V4(r) => v4.push(r),
                Line::V6(r) => v6.push(r),
            }
        }
        Ok(RangeTable {
            path: path.to_path_buf(),
            v4: flatten(v4),
            v6: flatten(v6),
        })
    }

    /// The country of `ip`, if a range holds it. IPv4-mapped IPv6 addresses are looked up as
    /// IPv4, as Postfix may log them either way.
    pub fn country(&self, ip: IpAddr) -> Option<Country> {
        let (ranges, key) = match crate::ip::canonical(ip) {
            IpAddr::V4(v4) => (&self.v4, u128::from(u32::from(v4))),
            IpAddr::V6(v6) => (&self.v6, u128::from(v6)),
        };
        let idx = ranges.partition_point(|r| r.start <= key);
        let r = ranges.get(idx.checked_sub(1)?)?;
        (key <= r.end).then_some(r.country)
    }

    /// The file this table came from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Number of (merged, non-overlapping) ranges.
    pub fn len(&self) -> usize {
        self.v4.len() + self.v6.len()
    }

    /// True when the file held no usable range.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn parse_error(path: &Path, line: usize, message: String) -> GeoError {
    GeoError::Parse {
        path: path.to_path_buf(),
        line,
        message,
    }
}

/// A country field, or `None` for the registries' "no country" values.
fn country_field(field: &str) -> Result<Option<Country>, String> {
    let field = field.trim();
    if field.is_empty() || field.eq_ignore_ascii_case("ZZ") {
        return Ok(None);
    }
    Country::parse(field)
        .map(Some)
        .ok_or_else(|| format!("bad country code {:?}", clip(field)))
}

/// Quotes at most 40 characters of a bad field in an error message.
fn clip(field: &str) -> String {
    field.chars().take(40).collect()
}

fn parse_rir(line: &str, line_no: usize) -> Result<Line, String> {
    let f: Vec<&str> = line.split('|').map(str::trim).collect();
    // Version line: `2|apnic|20240101|...` or `2.3|...`.
    if f[0].parse::<f64>().is_ok() {
        return Ok(Line::Skip);
    }
    if f.len() >= 6 && f[1] == "*" && f[5] == "summary" {
        return Ok(Line::Skip);
    }
    if f.len() < 7 {
        return Err(format!(
            "RIR record has {} fields, expected registry|cc|type|start|value|date|status",
            f.len()
        ));
    }
    let (cc, kind, start, value, status) = (f[1], f[2], f[3], f[4], f[6]);
    if kind == "asn" || status == "available" || status == "reserved" {
        return Ok(Line::Skip);
    }
    let Some(country) = country_field(cc)? else {
        return Ok(Line::Skip);
    };
    match kind {
        "ipv4" => {
            let start: Ipv4Addr = start
                .parse()
                .map_err(|_| format!("bad IPv4 start address {:?}", clip(start)))?;
            let count: u64 = value
                .parse()
                .ok()
                .filter(|&c| c > 0)
                .ok_or_else(|| format!("bad IPv4 address count {:?}", clip(value)))?;
            let start = u64::from(u32::from(start));
            let end = start + count - 1;
            if end > u64::from(u32::MAX) {
                return Err(format!(
                    "{count} addresses from {start} run past 255.255.255.255"
                ));
            }
            Ok(Line::V4(Raw {
                start: u128::from(start),
                end: u128::from(end),
                country,
                line: line_no,
            }))
        }
        "ipv6" => {
            let addr: Ipv6Addr = start
                .parse()
                .map_err(|_| format!("bad IPv6 prefix {:?}", clip(start)))?;
            let len: u8 = value
                .parse()
                .ok()
                .filter(|&l| l <= 128)
                .ok_or_else(|| format!("bad IPv6 prefix length {:?}", clip(value)))?;
            let (start, end) = v6_bounds(addr, len);
            Ok(Line::V6(Raw {
                start,
                end,
                country,
                line: line_no,
            }))
        }
        other => Err(format!(
            "unknown record type {:?} (expected ipv4, ipv6 or asn)",
            clip(other)
        )),
    }
}

fn v6_bounds(addr: Ipv6Addr, len: u8) -> (u128, u128) {
    let host_bits = 128 - u32::from(len);
    let mask = u128::MAX.checked_shl(host_bits).unwrap_or(0);
    let start = u128::from(addr) & mask;
    (start, start | !mask)
}

fn v4_bounds(addr: Ipv4Addr, len: u8) -> (u128, u128) {
    let host_bits = 32 - u32::from(len);
    let mask = u32::MAX.checked_shl(host_bits).unwrap_or(0);
    let start = u32::from(addr) & mask;
    (u128::from(start), u128::from(start | !mask))
}

fn unquote(field: &str) -> &str {
    let f = field.trim();
    f.strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .unwrap_or(f)
}

fn parse_csv(line: &str, line_no: usize) -> Result<Line, String> {
    let f: Vec<&str> = line.split(',').map(unquote).collect();
    // `start,end,country` when the first two fields are both addresses.
    if f.len() >= 3 {
        if let (Ok(a), Ok(b)) = (f[0].parse::<IpAddr>(), f[1].parse::<IpAddr>()) {
            let Some(country) = country_field(f[2])? else {
                return Ok(Line::Skip);
            };
            return match (a, b) {
                (IpAddr::V4(a), IpAddr::V4(b)) if a <= b => Ok(Line::V4(Raw {
                    start: u128::from(u32::from(a)),
                    end: u128::from(u32::from(b)),
                    country,
                    line: line_no,
                })),
                (IpAddr::V6(a), IpAddr::V6(b)) if a <= b => Ok(Line::V6(Raw {
                    start: u128::from(a),
                    end: u128::from(b),
                    country,
                    line: line_no,
                })),
                _ => Err(format!("bad address range {a} - {b}")),
            };
        }
    }
    let net = f[0];
    let (addr, len) = match net.split_once('/') {
        Some((a, l)) => (a, Some(l)),
        None => (net, None),
    };
    let addr: IpAddr = addr
        .parse()
        .map_err(|_| format!("bad network {:?} (expected cidr,country)", clip(net)))?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    let len: u8 = match len {
        None => max,
        Some(l) => l
            .parse()
            .ok()
            .filter(|&l| l <= max)
            .ok_or_else(|| format!("bad prefix length in {:?}", clip(net)))?,
    };
    let cc = f.get(1).copied().unwrap_or("");
    if cc.is_empty() {
        return Err(format!("no country after {:?}", clip(net)));
    }
    let Some(country) = country_field(cc)? else {
        return Ok(Line::Skip);
    };
    Ok(match addr {
        IpAddr::V4(a) => {
            let (start, end) = v4_bounds(a, len);
            Line::V4(Raw {
                start,
                end,
                country,
                line: line_no,
            })
        }
        IpAddr::V6(a) => {
            let (start, end) = v6_bounds(a, len);
            Line::V6(Raw {
                start,
                end,
                country,
                line: line_no,
            })
        }
    })
}

/// Sorts ranges and resolves overlaps (most specific range wins, then the earlier line), then
/// merges neighbours of the same country, so a look-up is one binary search.
fn flatten(mut raw: Vec<Raw>) -> Vec<Range> {
    raw.sort_by_key(|r| (r.start, r.end));
    let disjoint = raw.windows(2).all(|w| w[0].end < w[1].start);
    let mut out: Vec<Range> = Vec::with_capacity(raw.len());
    let mut push = |start: u128, end: u128, country: Country| match out.last_mut() {
        Some(last) if last.country == country && last.end.checked_add(1) == Some(start) => {
            last.end = end
        }
        _ => out.push(Range {
            start,
            end,
            country,
        }),
    };
    if disjoint {
        for r in &raw {
            push(r.start, r.end, r.country);
        }
        return out;
    }
    // Sweep over the boundaries: at each point the active range with the smallest size (then
    // the lowest line number) decides the country until the next boundary.
    let mut events: Vec<(u128, bool, usize)> = Vec::with_capacity(raw.len() * 2);
    for (i, r) in raw.iter().enumerate() {
        events.push((r.start, true, i));
        if let Some(after) = r.end.checked_add(1) {
            events.push((after, false, i));
        }
    }
    events.sort_unstable();
    let mut active: BTreeSet<(u128, usize, usize)> = BTreeSet::new();
    let mut k = 0;
    while k < events.len() {
        let pos = events[k].0;
        while k < events.len() && events[k].0 == pos {
            let (_, add, i) = events[k];
            let key = (raw[i].end - raw[i].start, raw[i].line, i);
            if add {
                active.insert(key);
            } else {
                active.remove(&key);
            }
            k += 1;
        }
        if let Some(&(_, _, i)) = active.first() {
            let end = match events.get(k) {
                Some(&(next, _, _)) => next - 1,
                None => u128::MAX,
            };
            push(pos, end, raw[i].country);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> RangeTable {
        RangeTable::parse(Path::new("t.txt"), text).unwrap()
    }

    fn cc(t: &RangeTable, ip: &str) -> Option<String> {
        t.country(ip.parse().unwrap()).map(|c| c.to_string())
    }

    fn err(text: &str) -> String {
        RangeTable::parse(Path::new("bad.txt"), text)
            .unwrap_err()
            .to_string()
    }

    const RIR: &str = "\
2|ripencc|20261116|4|19830705|20261115|+0100
ripencc|*|ipv4|*|3|summary
ripencc|*|ipv6|*|1|summary
ripencc|*|asn|*|1|summary
ripencc|FR|ipv4|2.0.0.0|1048576|20100712|allocated|a1b2
ripencc|DE|ipv4|5.1.0.0|768|20120101|assigned|c3d4
ripencc||ipv4|5.2.0.0|256||available
ripencc|ZZ|ipv4|5.3.0.0|256||reserved
ripencc|NL|ipv6|2001:db8::|32|20050101|allocated|e5f6
ripencc|SE|asn|3301|1|19930901|allocated|g7h8
";

    #[test]
    fn rir_extended_records_load() {
        let t = table(RIR);
        assert_eq!(t.len(), 3);
        assert_eq!(cc(&t, "2.0.0.0").as_deref(), Some("FR"));
        assert_eq!(cc(&t, "2.15.255.255").as_deref(), Some("FR"));
        assert_eq!(cc(&t, "2.16.0.0"), None);
        // 768 addresses: not a power of two, spans 5.1.0.0 - 5.1.2.255.
        assert_eq!(cc(&t, "5.1.2.255").as_deref(), Some("DE"));
        assert_eq!(cc(&t, "5.1.3.0"), None);
        assert_eq!(cc(&t, "5.2.0.1"), None);
        assert_eq!(cc(&t, "5.3.0.1"), None);
        assert_eq!(cc(&t, "2001:db8:ffff::1").as_deref(), Some("NL"));
        assert_eq!(cc(&t, "2001:db9::1"), None);
        assert_eq!(cc(&t, "::ffff:2.0.0.1").as_deref(), Some("FR"));
    }

    #[test]
    fn csv_with_header_hosts_and_ranges_load() {
        let t = table(
            "cidr,country\n# comment\n\n10.0.0.0/8,de\n\"192.0.2.7\",\"JP\"\n\
             198.51.100.0,198.51.100.99,BR\n2001:db8::/48,US\n203.0.113.0/24,ZZ\n",
        );
        assert_eq!(cc(&t, "10.255.0.1").as_deref(), Some("DE"));
        assert_eq!(cc(&t, "192.0.2.7").as_deref(), Some("JP"));
        assert_eq!(cc(&t, "192.0.2.8"), None);
        assert_eq!(cc(&t, "198.51.100.99").as_deref(), Some("BR"));
        assert_eq!(cc(&t, "198.51.100.100"), None);
        assert_eq!(cc(&t, "2001:db8:0:1::1").as_deref(), Some("US"));
        assert_eq!(cc(&t, "2001:db8:1::1"), None);
        assert_eq!(cc(&t, "203.0.113.1"), None);
    }

    #[test]
    fn overlaps_resolve_to_the_most_specific_range() {
        let t =
            table("10.0.0.0/8,DE\n10.1.0.0/16,FR\n10.1.2.0/24,IT\n0.0.0.0/0,US\n10.1.0.0/16,ES\n");
        assert_eq!(cc(&t, "10.0.0.1").as_deref(), Some("DE"));
        assert_eq!(
            cc(&t, "10.1.0.1").as_deref(),
            Some("FR"),
            "earlier line wins a tie"
        );
        assert_eq!(cc(&t, "10.1.2.3").as_deref(), Some("IT"));
        assert_eq!(cc(&t, "10.1.3.0").as_deref(), Some("FR"));
        assert_eq!(cc(&t, "10.2.0.0").as_deref(), Some("DE"));
        assert_eq!(cc(&t, "11.0.0.0").as_deref(), Some("US"));
        assert_eq!(cc(&t, "255.255.255.255").as_deref(), Some("US"));
        assert_eq!(cc(&t, "0.0.0.0").as_deref(), Some("US"));
    }

    #[test]
    fn adjacent_ranges_of_one_country_merge() {
        let t = table("10.0.0.0/25,DE\n10.0.0.128/25,DE\n10.0.1.0/24,FR\n");
        assert_eq!(t.len(), 2);
        assert_eq!(cc(&t, "10.0.0.200").as_deref(), Some("DE"));
    }

    #[test]
    fn bad_lines_name_file_and_line() {
        assert_eq!(
            err("cidr,country\n10.0.0.0/8,DE\n10.0.0.0/33,FR\n"),
            "bad.txt:3: bad prefix length in \"10.0.0.0/33\""
        );
        assert_eq!(
            err("10.0.0.0/8,DE\nnot-an-ip,FR\n"),
            "bad.txt:2: bad network \"not-an-ip\" (expected cidr,country)"
        );
        assert_eq!(
            err("x|DE|ipv4|1.2.3.4|0|2010|allocated\n"),
            "bad.txt:1: bad IPv4 address count \"0\""
        );
        assert_eq!(
            err("x|DE|ipv4|255.255.255.0|512|2010|allocated\n"),
            "bad.txt:1: 512 addresses from 4294967040 run past 255.255.255.255"
        );
        assert_eq!(
            err("x|DE|ipv4|1.2.3|256|2010|allocated\n"),
            "bad.txt:1: bad IPv4 start address \"1.2.3\""
        );
        assert_eq!(
            err("x|DE|ipv6|2001:db8::|129|2010|allocated\n"),
            "bad.txt:1: bad IPv6 prefix length \"129\""
        );
        assert_eq!(
            err("x|DEU|ipv4|1.2.3.0|256|2010|allocated\n"),
            "bad.txt:1: bad country code \"DEU\""
        );
        assert_eq!(
            err("x|DE|ipv5|1.2.3.0|256|2010|allocated\n"),
            "bad.txt:1: unknown record type \"ipv5\" (expected ipv4, ipv6 or asn)"
        );
        assert_eq!(
            err("x|DE|ipv4|1.2.3.0\n"),
            "bad.txt:1: RIR record has 4 fields, expected registry|cc|type|start|value|date|status"
        );
        assert_eq!(
            err("10.0.0.0/8,DE\njunk\n"),
            "bad.txt:2: neither an RIR record (|-separated) nor a CSV line (cidr,country)"
        );
        assert_eq!(
            err("10.0.0.0/8,DE\n10.1.0.0/16\t,\n"),
            "bad.txt:2: no country after \"10.1.0.0/16\""
        );
        assert_eq!(
            err("10.0.0.0/8,DE\n10.0.0.9,10.0.0.1,FR\n"),
            "bad.txt:2: bad address range 10.0.0.9 - 10.0.0.1"
        );
    }

    #[test]
    fn non_utf8_file_names_the_line() {
        let dir = std::env::temp_dir().join(format!("mailsleuth-geo-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("latin1.csv");
        std::fs::write(&path, b"10.0.0.0/8,DE\n10.1.0.0/16,\xc4\n").unwrap();
        let e = RangeTable::load(&path).unwrap_err().to_string();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(e.ends_with("latin1.csv:2: not UTF-8 text"), "{e}");
    }

    /// genlog (the project's log generator) writes its `--geo` map in both formats; they
    /// must load and agree.
    #[test]
    fn genlog_geo_formats_load() {
        let csv = table("cidr,country\n1.27.0.0/16,PE\n2a01:1234::/32,DE\n");
        let rir = table(
            "2|synthetic|20261116|2|19700101|20261116|+0000\n\
             synthetic|PE|ipv4|1.27.0.0|65536|20100101|allocated\n\
             synthetic|DE|ipv6|2a01:1234::|32|20120101|allocated\n",
        );
        for t in [&csv, &rir] {
            assert_eq!(cc(t, "1.27.200.3").as_deref(), Some("PE"));
            assert_eq!(cc(t, "2a01:1234:5:6::7").as_deref(), Some("DE"));
            assert_eq!(cc(t, "1.28.0.0"), None);
        }
    }
}
