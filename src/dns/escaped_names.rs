//! Names with RFC 1035 §5.1 escapes (`\X`, `\DDD` decimal) in zone files, which hickory 0.26's
//! zone parser cannot read: it takes `\DDD` as octal and accepts only letters, digits, `-` and
//! `_` in labels. DNS labels are octets (RFC 2181 §11), and SPF macros build names such as
//! `foo:bar/baz.example.com` that real zones publish, so [`protect`] swaps each label that needs
//! escapes, in owner names and in the names of PTR, CNAME, NS, MX and DNAME data, for a
//! placeholder label before parsing, and [`restore`] puts the raw labels back afterwards.

use std::collections::BTreeMap;

use hickory_proto::rr::{LowerName, Name, RData, RecordSet, RrKey};

/// The raw labels that placeholders stand for, by index.
#[derive(Debug, Default)]
pub(crate) struct Escaped {
    labels: Vec<Vec<u8>>,
}

const PLACEHOLDER: &str = "mailsleuth-escaped-label-";

/// Record types whose (last) data field is a name.
const NAME_TYPES: [&str; 5] = ["PTR", "CNAME", "NS", "MX", "DNAME"];

/// Replaces escaped labels in owner names and name data by placeholders. Lines are kept, so
/// error positions stay right; text inside quotes and comments is left alone.
pub(crate) fn protect(text: &str) -> (String, Escaped) {
    let mut escaped = Escaped::default();
    if !text.contains('\\') {
        return (text.to_string(), escaped);
    }
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&protect_line(line, &mut escaped));
    }
    (out, escaped)
}

/// The words of a line before any comment, with their byte ranges; a quoted string is one word.
fn words(line: &str) -> Vec<(usize, usize)> {
    let mut words = Vec::new();
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b';' => break,
            b' ' | b'\t' | b'\r' | b'(' | b')' => i += 1,
            b'"' => {
                let start = i;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
                words.push((start, i.min(bytes.len())));
            }
            _ => {
                let start = i;
                while i < bytes.len() && !b" \t\r();\"".contains(&bytes[i]) {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                let end = i.min(bytes.len());
                words.push((start, end));
            }
        }
    }
    words
}

fn protect_line(line: &str, escaped: &mut Escaped) -> String {
    if !line.contains('\\') || line.starts_with('$') {
        return line.to_string();
    }
    let words = words(line);
    let mut targets = Vec::new();
    // The owner name starts in the first column.
    if let Some(first) = words.first() {
        if first.0 == 0 && !line.starts_with('"') {
            targets.push(*first);
        }
    }
    let names_data = words.iter().any(|&(s, e)| {
        NAME_TYPES
            .iter()
            .any(|t| line[s..e].eq_ignore_ascii_case(t))
    });
    if names_data {
        if let Some(last) = words.last() {
            if !targets.contains(last) {
                targets.push(*last);
            }
        }
    }
    let mut out = String::with_capacity(line.len());
    let mut at = 0;
    for (start, end) in targets {
        let word = &line[start..end];
        if !word.contains('\\') {
            continue;
        }
        out.push_str(&line[at..start]);
        out.push_str(&protect_name(word, escaped));
        at = end;
    }
    out.push_str(&line[at..]);
    out
}

/// One name: labels that need escapes become placeholders, the others stay as written.
fn protect_name(word: &str, escaped: &mut Escaped) -> String {
    let mut labels: Vec<Vec<u8>> = vec![Vec::new()];
    let mut raw: Vec<bool> = vec![false];
    let mut chars = word.chars().peekable();
    while let Some(c) = chars.next() {
        let last = labels.len() - 1;
        match c {
            '.' => {
                labels.push(Vec::new());
                raw.push(false);
            }
            '\\' => {
                let digits: String = chars.clone().take(3).collect();
                let value = (digits.len() == 3 && digits.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| digits.parse::<u16>().ok())
                    .flatten()
                    .and_then(|v| u8::try_from(v).ok());
                match value {
                    Some(byte) => {
                        labels[last].push(byte);
                        chars.nth(2);
                    }
                    None => {
                        if let Some(next) = chars.next() {
                            let mut buf = [0; 4];
                            labels[last].extend_from_slice(next.encode_utf8(&mut buf).as_bytes());
                        }
                    }
                }
                raw[last] = true;
            }
            c => {
                let mut buf = [0; 4];
                labels[last].extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    let mut parts = Vec::with_capacity(labels.len());
    for (label, is_raw) in labels.into_iter().zip(raw) {
        let plain = label
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_');
        if is_raw && !plain {
            parts.push(format!("{PLACEHOLDER}{}", escaped.labels.len()));
            escaped.labels.push(label);
        } else {
            parts.push(String::from_utf8_lossy(&label).into_owned());
        }
    }
    parts.join(".")
}

/// Puts the raw labels back into owner names and name data.
pub(crate) fn restore(
    records: BTreeMap<RrKey, RecordSet>,
    escaped: &Escaped,
) -> BTreeMap<RrKey, RecordSet> {
    if escaped.labels.is_empty() {
        return records;
    }
    let mut out = BTreeMap::new();
    for (_, set) in records {
        let name = escaped.name(set.name());
        let mut fixed = RecordSet::with_ttl(name.clone(), set.record_type(), set.ttl());
        let records: Vec<_> = set
            .records_without_rrsigs()
            .map(|record| {
                let mut record = record.clone();
                record.name = name.clone();
                match &mut record.data {
                    RData::PTR(p) => p.0 = escaped.name(&p.0),
                    RData::CNAME(c) => c.0 = escaped.name(&c.0),
                    RData::NS(n) => n.0 = escaped.name(&n.0),
                    RData::MX(mx) => mx.exchange = escaped.name(&mx.exchange),
                    _ => {}
                }
                record
            })
            .collect();
        fixed.set_records(records);
        out.insert(
            RrKey::new(LowerName::new(&name), fixed.record_type()),
            fixed,
        );
    }
    out
}

impl Escaped {
    fn name(&self, name: &Name) -> Name {
        let mut changed = false;
        let labels: Vec<Vec<u8>> = name
            .iter()
            .map(|label| {
                let found = std::str::from_utf8(label)
                    .ok()
                    .and_then(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix(PLACEHOLDER)
                            .map(str::to_string)
                    })
                    .and_then(|n| n.parse::<usize>().ok())
                    .and_then(|n| self.labels.get(n));
                match found {
                    Some(raw) => {
                        changed = true;
                        raw.clone()
                    }
                    None => label.to_vec(),
                }
            })
            .collect();
        if !changed {
            return name.clone();
        }
        let mut fixed = Name::from_labels(labels).unwrap_or_else(|_| name.clone());
        fixed.set_fqdn(name.is_fqdn());
        fixed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_owner_and_name_data_are_protected() {
        let text = "foo\\:bar\\/baz.example.com. IN MX 0 foo\\:bar\\/baz.example.com.\n\
                    t IN TXT \"a\\032b\"\n\
                    plain\\-ok IN A 192.0.2.1 ; comment \\:\n";
        let (out, escaped) = protect(text);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines[0],
            "mailsleuth-escaped-label-0.example.com. IN MX 0 mailsleuth-escaped-label-1.example.com."
        );
        assert_eq!(lines[1], "t IN TXT \"a\\032b\"");
        assert_eq!(lines[2], "plain-ok IN A 192.0.2.1 ; comment \\:");
        assert_eq!(escaped.labels[0], b"foo:bar/baz");
        let name = Name::from_ascii("Mailsleuth-Escaped-Label-0.example.com.").unwrap();
        let raw = escaped.name(&name);
        assert_eq!(raw.iter().next(), Some(&b"foo:bar/baz"[..]));
        assert!(raw.is_fqdn());
    }

    #[test]
    fn decimal_escapes_are_bytes() {
        let (out, escaped) = protect("a\\032\\037b.test. IN A 192.0.2.1");
        assert!(
            out.starts_with("mailsleuth-escaped-label-0.test. "),
            "{out}"
        );
        assert_eq!(escaped.labels[0], b"a %b");
    }
}
