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
pub(crate) fn name_text(name: &Name) -> String {
    let text = name.to_string();
    match text.strip_suffix('.') {
        Some(stripped) if !stripped.is_empty() => stripped.to_string(),
        _ => text,
    }
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
