//! Fault injection for [`ZoneServer`](super::ZoneServer): per-name misbehaviour (no reply,
//! SERVFAIL, REFUSED, truncation, delay), so timeouts and temporary errors can be tested and
//! replayed offline exactly like real answers.
//!
//! # Syntax
//!
//! Faults live in zone files as comment lines, so that a plain DNS server ignores them and one
//! recorded file replays everything:
//!
//! ```text
//! ; mailsleuth-fault: KIND NAME [TYPE]
//! ; mailsleuth-fault: servfail broken.example.
//! ; mailsleuth-fault: drop *.slow.example TXT
//! ; mailsleuth-fault: delay=300 lagging.example
//! ```
//!
//! - `KIND` is `drop` (no reply at all: the client times out), `servfail`, `refused`,
//!   `nxdomain`, `truncate` (over UDP: an empty reply with the TC bit set; over TCP the real
//!   answer) or `delay=MS` (the real answer after MS milliseconds).
//! - `NAME` is an absolute name (the trailing dot is optional, case does not matter), or
//!   `*.SUFFIX` for every name strictly below SUFFIX. It is never relative to `$ORIGIN`.
//! - `TYPE` (optional) limits the fault to one query type (`A`, `AAAA`, `PTR`, `TXT`, `MX`,
//!   `CNAME`, `NS`, `SOA`).
//!
//! An exact name wins over a `*.SUFFIX` pattern, a rule with a type over one without; among
//! suffix patterns the longest suffix wins.

use std::collections::HashMap;
use std::time::Duration;

use super::RecordType;

/// What the server does instead of answering normally.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Send nothing back: the client sees a timeout.
    Drop,
    ServFail,
    Refused,
    /// Answer NXDOMAIN even where the zone has data (replays a recorded NXDOMAIN exactly).
    NxDomain,
    /// Over UDP, an empty reply with TC set; over TCP, the normal answer.
    Truncate,
    /// The normal answer, late.
    Delay(Duration),
}

impl Fault {
    /// Reads a `KIND` word of the fault syntax.
    pub fn parse(kind: &str) -> Result<Fault, String> {
        let lower = kind.to_ascii_lowercase();
        if let Some(ms) = lower.strip_prefix("delay=") {
            let ms: u64 = ms
                .parse()
                .map_err(|_| format!("delay needs milliseconds (delay=300), got {kind:?}"))?;
            return Ok(Fault::Delay(Duration::from_millis(ms)));
        }
        match lower.as_str() {
            "drop" => Ok(Fault::Drop),
            "servfail" => Ok(Fault::ServFail),
            "refused" => Ok(Fault::Refused),
            "nxdomain" => Ok(Fault::NxDomain),
            "truncate" => Ok(Fault::Truncate),
            _ => Err(format!(
                "unknown fault {kind:?} (expected drop, servfail, refused, nxdomain, truncate or delay=MS)"
            )),
        }
    }

    /// The `KIND` word for this fault, as [`Fault::parse`] reads it.
    pub fn keyword(&self) -> String {
        match self {
            Fault::Drop => "drop".into(),
            Fault::ServFail => "servfail".into(),
            Fault::Refused => "refused".into(),
            Fault::NxDomain => "nxdomain".into(),
            Fault::Truncate => "truncate".into(),
            Fault::Delay(d) => format!("delay={}", d.as_millis()),
        }
    }
}

/// The marker that starts a fault line inside a zone file (after `;` and blanks).
pub const FAULT_MARKER: &str = "mailsleuth-fault:";

/// A set of per-name faults, matched against every query the server receives.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    exact: HashMap<(String, Option<RecordType>), Fault>,
    /// (suffix, type, fault): matches names strictly below `suffix`.
    suffixes: Vec<(String, Option<RecordType>, Fault)>,
}

impl Faults {
    /// No faults.
    pub fn new() -> Faults {
        Faults::default()
    }

    /// Adds a rule; `pattern` is an absolute name or `*.SUFFIX` (see the module docs).
    pub fn add(
        &mut self,
        pattern: &str,
        rtype: Option<RecordType>,
        fault: Fault,
    ) -> Result<(), String> {
        let norm = normalize(pattern);
        if norm.is_empty() && pattern.trim() != "." {
            return Err(format!("fault needs a name, got {pattern:?}"));
        }
        if let Some(suffix) = norm.strip_prefix("*.") {
            self.suffixes.push((suffix.to_string(), rtype, fault));
            // Longest suffix first, so the most specific pattern wins.
            self.suffixes
                .sort_by_key(|(s, t, _)| (std::cmp::Reverse(s.len()), t.is_none()));
        } else if norm == "*" {
            self.suffixes.push((String::new(), rtype, fault));
        } else {
            self.exact.insert((norm, rtype), fault);
        }
        Ok(())
    }

    /// Builder form of [`Faults::add`] for tests and literals.
    pub fn with(mut self, pattern: &str, fault: Fault) -> Result<Faults, String> {
        self.add(pattern, None, fault)?;
        Ok(self)
    }

    /// Reads one zone-file line; `Ok(false)` when it is not a fault line.
    pub fn add_line(&mut self, line: &str) -> Result<bool, String> {
        let Some(rest) = line.trim_start().strip_prefix(';') else {
            return Ok(false);
        };
        let Some(spec) = rest.trim_start().strip_prefix(FAULT_MARKER) else {
            return Ok(false);
        };
        let mut words = spec.split_whitespace();
        let (Some(kind), Some(name)) = (words.next(), words.next()) else {
            return Err(format!("expected `; {FAULT_MARKER} KIND NAME [TYPE]`"));
        };
        let fault = Fault::parse(kind)?;
        let rtype = match words.next() {
            None => None,
            Some(t) => Some(
                RecordType::from_mnemonic(t).ok_or_else(|| format!("unknown record type {t:?}"))?,
            ),
        };
        if let Some(extra) = words.next() {
            return Err(format!("unexpected {extra:?} after the fault's type"));
        }
        self.add(name, rtype, fault)?;
        Ok(true)
    }

    /// Merges another set into this one (later files add to earlier ones).
    pub fn extend(&mut self, other: Faults) {
        self.exact.extend(other.exact);
        for (suffix, rtype, fault) in other.suffixes {
            self.suffixes.push((suffix, rtype, fault));
        }
        self.suffixes
            .sort_by_key(|(s, t, _)| (std::cmp::Reverse(s.len()), t.is_none()));
    }

    /// True when no rule is set (the server then skips matching).
    pub fn is_empty(&self) -> bool {
        self.exact.is_empty() && self.suffixes.is_empty()
    }

    /// The fault for a query, if any. `rtype` is `None` for types outside [`RecordType`].
    pub fn find(&self, name: &str, rtype: Option<RecordType>) -> Option<Fault> {
        let name = normalize(name);
        if let Some(t) = rtype {
            if let Some(f) = self.exact.get(&(name.clone(), Some(t))) {
                return Some(*f);
            }
        }
        if let Some(f) = self.exact.get(&(name.clone(), None)) {
            return Some(*f);
        }
        self.suffixes
            .iter()
            .find(|(suffix, t, _)| {
                (t.is_none() || *t == rtype)
                    && (suffix.is_empty() && !name.is_empty()
                        || name.len() > suffix.len() + 1
                            && name.ends_with(suffix.as_str())
                            && name.as_bytes()[name.len() - suffix.len() - 1] == b'.')
            })
            .map(|(_, _, f)| *f)
    }
}

/// Lower-case, without the trailing dot.
fn normalize(name: &str) -> String {
    name.trim().trim_end_matches('.').to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lines_and_matches() {
        let mut f = Faults::new();
        assert_eq!(f.add_line("a.example. IN A 192.0.2.1"), Ok(false));
        assert_eq!(f.add_line("; just a comment"), Ok(false));
        assert_eq!(
            f.add_line("  ;  mailsleuth-fault: servfail Broken.Example."),
            Ok(true)
        );
        assert_eq!(
            f.add_line("; mailsleuth-fault: drop *.slow.example TXT"),
            Ok(true)
        );
        assert_eq!(
            f.add_line("; mailsleuth-fault: delay=250 late.example"),
            Ok(true)
        );
        assert_eq!(
            f.find("broken.example", Some(RecordType::A)),
            Some(Fault::ServFail)
        );
        assert_eq!(f.find("BROKEN.example.", None), Some(Fault::ServFail));
        assert_eq!(
            f.find("x.slow.example", Some(RecordType::Txt)),
            Some(Fault::Drop)
        );
        assert_eq!(f.find("x.slow.example", Some(RecordType::A)), None);
        assert_eq!(f.find("slow.example", Some(RecordType::Txt)), None);
        assert_eq!(f.find("xslow.example", Some(RecordType::Txt)), None);
        assert_eq!(
            f.find("late.example", Some(RecordType::Mx)),
            Some(Fault::Delay(Duration::from_millis(250)))
        );
        assert_eq!(f.find("other.example", Some(RecordType::A)), None);
    }

    #[test]
    fn exact_and_typed_rules_win() {
        let mut f = Faults::new();
        f.add("*.example", None, Fault::Refused).unwrap();
        f.add("a.example", None, Fault::Drop).unwrap();
        f.add("a.example", Some(RecordType::Txt), Fault::Truncate)
            .unwrap();
        assert_eq!(
            f.find("a.example", Some(RecordType::Txt)),
            Some(Fault::Truncate)
        );
        assert_eq!(f.find("a.example", Some(RecordType::A)), Some(Fault::Drop));
        assert_eq!(
            f.find("b.example", Some(RecordType::A)),
            Some(Fault::Refused)
        );
    }

    #[test]
    fn bad_lines_are_errors() {
        let mut f = Faults::new();
        for bad in [
            "; mailsleuth-fault: explode a.example",
            "; mailsleuth-fault: drop",
            "; mailsleuth-fault: delay=soon a.example",
            "; mailsleuth-fault: drop a.example BOGUS",
            "; mailsleuth-fault: drop a.example A extra",
        ] {
            assert!(f.add_line(bad).is_err(), "{bad}");
        }
        assert!(f.is_empty());
    }

    #[test]
    fn keyword_round_trips() {
        for fault in [
            Fault::Drop,
            Fault::ServFail,
            Fault::Refused,
            Fault::NxDomain,
            Fault::Truncate,
            Fault::Delay(Duration::from_millis(40)),
        ] {
            assert_eq!(Fault::parse(&fault.keyword()), Ok(fault));
        }
    }
}
