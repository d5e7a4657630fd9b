//! Reading RFC 1035 zone files (and their fault lines) for [`ZoneServer`](super::ZoneServer),
//! with errors that name the file and line.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use hickory_proto::rr::rdata::TXT;
use hickory_proto::rr::{Name, RData, RecordSet, RecordType, RrKey};
use hickory_proto::serialize::txt::Parser;

use super::faults::Faults;

/// Why zone files could not be served.
#[derive(Debug, thiserror::Error)]
pub enum ZoneError {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error("{}:{line}: {message}", path.display())]
    Syntax {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("{}: {message}", path.display())]
    Zone { path: PathBuf, message: String },
    #[error("cannot start the DNS server on 127.0.0.1: {0}")]
    Server(String),
}

/// One parsed zone.
pub(crate) struct ZoneData {
    pub(crate) path: PathBuf,
    pub(crate) origin: Name,
    pub(crate) records: BTreeMap<RrKey, RecordSet>,
}

/// Expands `paths` (files, or directories whose `*.zone` files are taken in name order) and
/// parses each file.
pub(crate) fn load(paths: &[PathBuf]) -> Result<(Vec<ZoneData>, Faults), ZoneError> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let entries = std::fs::read_dir(path).map_err(|source| ZoneError::Io {
                path: path.clone(),
                source,
            })?;
            let mut found = Vec::new();
            for entry in entries {
                let entry = entry.map_err(|source| ZoneError::Io {
                    path: path.clone(),
                    source,
                })?;
                let p = entry.path();
                if p.extension().is_some_and(|e| e == "zone") && p.is_file() {
                    found.push(p);
                }
            }
            found.sort();
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    let mut zones = Vec::new();
    let mut faults = Faults::new();
    for path in files {
        let text = std::fs::read_to_string(&path).map_err(|source| ZoneError::Io {
            path: path.clone(),
            source,
        })?;
        let (zone, file_faults) = parse(&path, &text)?;
        zones.push(zone);
        faults.extend(file_faults);
    }
    Ok((zones, faults))
}

/// Parses one zone file's text. The origin is the file's `$ORIGIN` if it sets one before its
/// first record, otherwise the file name without `.zone` (`example.com.zone` → `example.com.`).
pub(crate) fn parse(path: &Path, text: &str) -> Result<(ZoneData, Faults), ZoneError> {
    let mut faults = Faults::new();
    for (i, line) in text.lines().enumerate() {
        faults.add_line(line).map_err(|message| ZoneError::Syntax {
            path: path.to_path_buf(),
            line: i + 1,
            message,
        })?;
    }
    let default_origin = path
        .file_name()
        .and_then(|n| n.to_str())
        .map(|n| n.strip_suffix(".zone").unwrap_or(n))
        .and_then(|n| Name::from_ascii(n).ok());
    let (text, escaped) = super::escaped_names::protect(text);
    let text = &protect_octets(&text);
    let parser = |t: &str| {
        Parser::new(
            t.to_string(),
            Some(path.to_path_buf()),
            default_origin.clone(),
        )
        .parse()
    };
    let (origin, mut records) = match parser(text) {
        Ok(parsed) => parsed,
        Err(err) => {
            return Err(ZoneError::Syntax {
                path: path.to_path_buf(),
                line: failing_line(text, |prefix| parser(prefix).is_err()),
                message: err.to_string(),
            })
        }
    };
    restore_octets(&mut records);
    let records = super::escaped_names::restore(records, &escaped);
    Ok((
        ZoneData {
            path: path.to_path_buf(),
            origin,
            records,
        },
        faults,
    ))
}

/// First of the 256 private-use characters that carry `\DDD` octets through hickory's lexer.
const OCTET_BASE: u32 = 0xF_0000;

/// hickory 0.26's zone lexer decodes `\DDD` wrongly (as `d1<<16 | d2<<8 | d3`) and cannot hold
/// bytes above 127 at all (its tokens are `String`s). Inside quoted strings, each `\DDD` is
/// therefore replaced by a private-use character that [`restore_octets`] turns back into the
/// byte after parsing. Lines and quotes are kept, so error positions stay right.
fn protect_octets(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let (mut quoted, mut comment) = (false, false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => comment = false,
            _ if comment => {}
            ';' if !quoted => comment = true,
            '"' => quoted = !quoted,
            '\\' if quoted => {
                let digits: String = chars.clone().take(3).collect();
                let value = (digits.len() == 3 && digits.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| digits.parse::<u32>().ok())
                    .flatten()
                    .filter(|v| *v <= 255);
                match value.and_then(|v| char::from_u32(OCTET_BASE + v)) {
                    Some(sentinel) => {
                        out.push(sentinel);
                        chars.nth(2);
                    }
                    None => {
                        out.push(c);
                        if let Some(next) = chars.next() {
                            out.push(next);
                        }
                    }
                }
                continue;
            }
            _ => {}
        }
        out.push(c);
    }
    out
}

/// Turns the private-use characters of [`protect_octets`] in TXT data back into their bytes.
fn restore_octets(records: &mut BTreeMap<RrKey, RecordSet>) {
    for set in records.values_mut() {
        if set.record_type() != RecordType::TXT {
            continue;
        }
        let fixed: Vec<_> = set
            .records_without_rrsigs()
            .map(|record| {
                let mut record = record.clone();
                if let RData::TXT(txt) = &record.data {
                    let strings: Vec<Vec<u8>> = txt.txt_data.iter().map(|s| unprotect(s)).collect();
                    record.data =
                        RData::TXT(TXT::from_bytes(strings.iter().map(Vec::as_slice).collect()));
                }
                record
            })
            .collect();
        set.set_records(fixed);
    }
}

fn unprotect(bytes: &[u8]) -> Vec<u8> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return bytes.to_vec();
    };
    let mut out = Vec::with_capacity(bytes.len());
    for c in text.chars() {
        match u32::from(c)
            .checked_sub(OCTET_BASE)
            .and_then(|v| u8::try_from(v).ok())
        {
            Some(b) => out.push(b),
            None => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
        }
    }
    out
}

/// Finds the line where the entry that breaks parsing starts: hickory's parser reports no
/// positions, so parse growing prefixes cut at entry boundaries (binary search, only on the
/// error path) and return the first line of the first entry whose prefix fails.
fn failing_line(text: &str, fails: impl Fn(&str) -> bool) -> usize {
    let bounds = entry_bounds(text);
    // bounds[k] = (byte offset where entry k starts, its line number); the prefix up to
    // bounds[k + 1] contains entries 0..=k.
    let (mut lo, mut hi) = (0usize, bounds.len());
    // Invariant: prefix with `lo` entries parses, prefix with `hi` entries fails (the whole
    // text failed, so `hi = len` is known to fail).
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        let end = bounds.get(mid).map_or(text.len(), |b| b.0);
        if fails(&text[..end]) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    bounds.get(hi - 1).map_or(1, |b| b.1)
}

/// Start offsets and line numbers of the logical entries of a zone file: an entry ends at a
/// newline outside parentheses and quotes (RFC 1035 §5.1).
fn entry_bounds(text: &str) -> Vec<(usize, usize)> {
    let mut bounds = vec![(0, 1)];
    let (mut depth, mut quoted, mut escaped, mut comment) = (0u32, false, false, false);
    let mut line = 1;
    for (i, b) in text.bytes().enumerate() {
        if b == b'\n' {
            line += 1;
            comment = false;
            escaped = false;
            if depth == 0 && !quoted {
                bounds.push((i + 1, line));
            }
            continue;
        }
        if comment {
            continue;
        }
        if escaped {
            escaped = false;
            continue;
        }
        match b {
            b'\\' => escaped = true,
            b'"' => quoted = !quoted,
            b';' if !quoted => comment = true,
            b'(' if !quoted => depth += 1,
            b')' if !quoted => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    if bounds.last().is_some_and(|b| b.0 >= text.len()) && bounds.len() > 1 {
        bounds.pop();
    }
    bounds
}

#[cfg(test)]
mod tests {
    use super::*;

    fn syntax_line(text: &str) -> (usize, String) {
        match parse(Path::new("t/example.test.zone"), text) {
            Err(ZoneError::Syntax { line, message, .. }) => (line, message),
            Err(other) => panic!("unexpected error {other}"),
            Ok(_) => panic!("parsed"),
        }
    }

    const HEAD: &str = "$TTL 300\n@ IN SOA ns. host. 1 2 3 4 5\n";

    #[test]
    fn origin_from_file_name_or_dollar_origin() {
        let (z, _) = parse(
            Path::new("d/example.test.zone"),
            &format!("{HEAD}a IN A 192.0.2.1\n"),
        )
        .unwrap();
        assert_eq!(z.origin.to_string(), "example.test.");
        let (z, _) = parse(
            Path::new("d/whatever.zone"),
            &format!("$ORIGIN other.test.\n{HEAD}a IN A 192.0.2.1\n"),
        )
        .unwrap();
        assert_eq!(z.origin.to_string(), "other.test.");
        assert_eq!(z.records.len(), 2);
    }

    #[test]
    fn errors_name_the_line() {
        let text =
            format!("{HEAD}a IN A 192.0.2.1\n; comment\nb IN A 300.1.1.1\nc IN A 192.0.2.3\n");
        let (line, message) = syntax_line(&text);
        assert_eq!(line, 5, "{message}");
        // A multi-line entry: the error is reported at the line where the entry starts.
        let text = format!("{HEAD}x IN TXT \"ok\"\ny IN MX (\n  10\n  \"bad\" )\n");
        assert_eq!(syntax_line(&text).0, 4);
        let text = format!("{HEAD}z IN BOGUS 1\n");
        assert_eq!(syntax_line(&text).0, 3);
    }

    #[test]
    fn txt_octet_escapes_are_bytes() {
        let text = format!("{HEAD}t IN TXT \"\\065\\255\\\\\\\"x\" \"\\000\"\n");
        let (z, _) = parse(Path::new("o.test.zone"), &text).unwrap();
        let set = z
            .records
            .values()
            .find(|s| s.record_type() == RecordType::TXT)
            .unwrap();
        let Some(RData::TXT(txt)) = set.records_without_rrsigs().next().map(|r| &r.data) else {
            panic!("no TXT");
        };
        let strings: Vec<&[u8]> = txt.txt_data.iter().map(|s| &s[..]).collect();
        assert_eq!(strings, vec![&b"A\xff\\\"x"[..], &b"\0"[..]]);
    }

    #[test]
    fn bad_fault_line_names_the_line() {
        let text = format!("{HEAD}; mailsleuth-fault: melt a.example.test\n");
        assert_eq!(syntax_line(&text).0, 3);
        let err = parse(
            Path::new("f.zone"),
            &format!("{HEAD}; mailsleuth-fault: melt a.f\n"),
        )
        .err()
        .unwrap()
        .to_string();
        assert!(err.starts_with("f.zone:3: unknown fault \"melt\""), "{err}");
    }

    #[test]
    fn missing_file_names_the_path() {
        let err = load(&[PathBuf::from("/nonexistent/x.zone")])
            .err()
            .unwrap()
            .to_string();
        assert!(err.starts_with("/nonexistent/x.zone: "), "{err}");
    }
}
