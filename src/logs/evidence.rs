//! Bounded samples of raw lines: unparsed lines (for `--show-unparsed N`) and one account's
//! lines (for `--account NAME`), each with its file and line number.

use std::collections::BTreeMap;

use serde::Serialize;

use super::record::LineRef;

/// Lines kept for one account.
pub const DETAIL_LINES: usize = 200;
/// Lines buffered per open session or message until its account is known.
pub const PENDING_LINES: usize = 50;

/// A line no parser understood.
#[derive(Debug, Clone, Serialize)]
pub struct UnparsedSample {
    /// The syslog tag, or `?` when the line has no syslog prefix.
    pub program: String,
    pub location: LineRef,
    /// The raw bytes (not necessarily UTF-8; render with escaping).
    pub text: Vec<u8>,
}

/// One line of an account's evidence.
#[derive(Debug, Clone, Serialize)]
pub struct DetailLine {
    pub location: LineRef,
    pub text: Vec<u8>,
}

/// The first lines (in input order) that concern one account: its sessions, its messages
/// (including the relay hop), its logins and failures.
#[derive(Debug, Clone, Serialize)]
pub struct AccountDetail {
    pub account: String,
    pub lines: Vec<DetailLine>,
    /// More lines concerned the account than were kept.
    pub truncated: bool,
}

/// Collects an account's lines, keeping the first `DETAIL_LINES` by position.
#[derive(Debug)]
pub struct DetailCollector {
    pub wanted: String,
    /// (input index, line) → line.
    lines: BTreeMap<(usize, u64), DetailLine>,
    truncated: bool,
}

impl DetailCollector {
    pub fn new(wanted: &str) -> Self {
        DetailCollector {
            wanted: wanted.to_string(),
            lines: BTreeMap::new(),
            truncated: false,
        }
    }

    /// Does a logged account name mean the wanted one (ASCII case-insensitive)?
    pub fn is_wanted(&self, name: &[u8]) -> bool {
        name.eq_ignore_ascii_case(self.wanted.as_bytes())
    }

    pub fn add(&mut self, input: usize, line: DetailLine) {
        let key = (input, line.location.line);
        if self.lines.len() >= DETAIL_LINES {
            self.truncated = true;
            match self.lines.last_key_value() {
                Some((last, _)) if *last > key => {
                    self.lines.pop_last();
                }
                _ => return,
            }
        }
        self.lines.insert(key, line);
    }

    pub fn finish(self) -> AccountDetail {
        AccountDetail {
            account: self.wanted,
            lines: self.lines.into_values().collect(),
            truncated: self.truncated,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn keeps_the_first_lines_in_order() {
        let f: Arc<str> = Arc::from("mail.log");
        let mut d = DetailCollector::new("Bob");
        assert!(d.is_wanted(b"bob"));
        for n in (1..=DETAIL_LINES as u64 + 10).rev() {
            d.add(
                0,
                DetailLine {
                    location: LineRef {
                        file: Arc::clone(&f),
                        line: n,
                    },
                    text: b"x".to_vec(),
                },
            );
        }
        let out = d.finish();
        assert!(out.truncated);
        assert_eq!(out.lines.len(), DETAIL_LINES);
        assert_eq!(out.lines[0].location.line, 1);
        assert_eq!(
            out.lines[DETAIL_LINES - 1].location.to_string(),
            "mail.log:200"
        );
    }
}
