//! Translation between hickory's wire types and mailsleuth's typed records, so that nothing
//! outside `dns/` sees hickory.

use hickory_proto::rr::{Name, RData, Record as WireRecord, RecordType as WireType};

use super::{Rdata, Record, RecordType};

impl RecordType {
    pub(crate) fn to_wire(self) -> WireType {
        match self {
            RecordType::A => WireType::A,
            RecordType::Aaaa => WireType::AAAA,
            RecordType::Ptr => WireType::PTR,
            RecordType::Txt => WireType::TXT,
            RecordType::Mx => WireType::MX,
            RecordType::Cname => WireType::CNAME,
            RecordType::Ns => WireType::NS,
            RecordType::Soa => WireType::SOA,
        }
    }

    pub(crate) fn from_wire(t: WireType) -> Option<RecordType> {
        Some(match t {
            WireType::A => RecordType::A,
            WireType::AAAA => RecordType::Aaaa,
            WireType::PTR => RecordType::Ptr,
            WireType::TXT => RecordType::Txt,
            WireType::MX => RecordType::Mx,
            WireType::CNAME => RecordType::Cname,
            WireType::NS => RecordType::Ns,
            WireType::SOA => RecordType::Soa,
            _ => return None,
        })
    }
}

/// A name in presentation form without the trailing dot (the root stays `.`).
///
/// Labels with bytes other than letters, digits, `-`, `_` and `*` (names that SPF macros build,
/// such as `foo:bar/baz.example.com`) are written raw, with only `.`, `\`, and bytes outside
/// printable ASCII escaped as RFC 1035 §5.1 says (`\.`, `\\`, `\DDD` decimal), so that
/// [`labels_of`] reads them back; hickory would write `\:` and octal escapes that its own
/// parser then refuses.
pub(crate) fn name_text(name: &Name) -> String {
    let plain = |label: &[u8]| {
        label
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'*'))
    };
    if !name.iter().all(plain) {
        let labels: Vec<String> = name.iter().map(escape_label).collect();
        return labels.join(".");
    }
    let text = name.to_string();
    match text.strip_suffix('.') {
        Some(stripped) if !stripped.is_empty() => stripped.to_string(),
        _ => text,
    }
}

fn escape_label(label: &[u8]) -> String {
    let mut out = String::with_capacity(label.len());
    for &b in label {
        match b {
            b'.' | b'\\' => {
                out.push('\\');
                out.push(char::from(b));
            }
            0x20..=0x7e => out.push(char::from(b)),
            _ => out.push_str(&format!("\\{b:03}")),
        }
    }
    out
}

/// The labels of a name in the form [`name_text`] writes: split at unescaped dots, with `\X`
/// and `\DDD` (decimal) escapes decoded.
pub(crate) fn labels_of(text: &str) -> Vec<Vec<u8>> {
    let mut labels = vec![Vec::new()];
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let last = labels.len() - 1;
        match bytes[i] {
            b'.' => labels.push(Vec::new()),
            b'\\' => {
                let digits = bytes
                    .get(i + 1..i + 4)
                    .filter(|d| d.iter().all(u8::is_ascii_digit));
                let value = digits
                    .and_then(|d| std::str::from_utf8(d).ok())
                    .and_then(|d| d.parse::<u8>().ok());
                match value {
                    Some(byte) => {
                        labels[last].push(byte);
                        i += 3;
                    }
                    None => {
                        if let Some(&next) = bytes.get(i + 1) {
                            labels[last].push(next);
                        }
                        i += 1;
                    }
                }
            }
            b => labels[last].push(b),
        }
        i += 1;
    }
    labels
}

/// Converts one received record.
pub(crate) fn from_wire(record: &WireRecord) -> Record {
    let data = match &record.data {
        RData::A(a) => Rdata::A(a.0),
        RData::AAAA(a) => Rdata::Aaaa(a.0),
        RData::PTR(p) => Rdata::Ptr(name_text(&p.0)),
        RData::TXT(t) => Rdata::Txt(t.txt_data.iter().map(|s| s.to_vec()).collect()),
        RData::MX(mx) => Rdata::Mx {
            preference: mx.preference,
            exchange: name_text(&mx.exchange),
        },
        RData::CNAME(c) => Rdata::Cname(name_text(&c.0)),
        RData::NS(n) => Rdata::Ns(name_text(&n.0)),
        other => Rdata::Other {
            rtype: record.record_type().to_string(),
            text: other.to_string(),
        },
    };
    Record {
        name: name_text(&record.name),
        ttl: record.ttl,
        data,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_proto::rr::rdata::{A, MX, TXT};

    #[test]
    fn converts_common_types() {
        let name = Name::from_ascii("Mail.Example.").unwrap();
        let r = WireRecord::from_rdata(name.clone(), 60, RData::A(A::new(192, 0, 2, 1)));
        assert_eq!(
            from_wire(&r),
            Record {
                name: "Mail.Example".into(),
                ttl: 60,
                data: Rdata::A("192.0.2.1".parse().unwrap())
            }
        );
        let mx = MX::new(10, Name::from_ascii("mx.example.").unwrap());
        assert_eq!(
            from_wire(&WireRecord::from_rdata(name.clone(), 5, RData::MX(mx))).data,
            Rdata::Mx {
                preference: 10,
                exchange: "mx.example".into()
            }
        );
        let txt = TXT::new(vec!["v=spf1".into(), " -all".into()]);
        assert_eq!(
            from_wire(&WireRecord::from_rdata(name, 5, RData::TXT(txt))).data,
            Rdata::Txt(vec![b"v=spf1".to_vec(), b" -all".to_vec()])
        );
        assert_eq!(name_text(&Name::root()), ".");
        let odd = Name::from_labels(vec![&b"foo:bar/b.z\\"[..], b"a\x01 b", b"example"]).unwrap();
        assert_eq!(name_text(&odd), "foo:bar/b\\.z\\\\.a\\001 b.example");
        assert_eq!(
            labels_of(&name_text(&odd)),
            vec![
                b"foo:bar/b.z\\".to_vec(),
                b"a\x01 b".to_vec(),
                b"example".to_vec()
            ]
        );
        for t in [
            RecordType::A,
            RecordType::Aaaa,
            RecordType::Soa,
            RecordType::Ns,
        ] {
            assert_eq!(RecordType::from_wire(t.to_wire()), Some(t));
        }
    }
}
