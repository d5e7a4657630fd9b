//! The evaluation trace: every record fetched, every term tried with its DNS queries and
//! outcome, `include` and `redirect` as nested evaluations. Serializable for JSON; `render.rs`
//! draws it for the terminal.

use serde::Serialize;

use crate::auth::AuthResult;

/// One check_host() run: a domain's record and its terms.
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    pub domain: String,
    /// The SPF record's text, when one was selected.
    pub record: Option<String>,
    /// The record look-up (TXT) and any other look-up made before the terms.
    pub queries: Vec<Query>,
    pub terms: Vec<Term>,
    pub result: AuthResult,
    pub reason: String,
}

/// What trying one term gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TermOutcome {
    Match,
    NoMatch,
    /// The term ended the evaluation with temperror or permerror.
    Error,
    /// A modifier that was acted on (`redirect=`, `exp=`).
    Applied,
}

impl TermOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            TermOutcome::Match => "match",
            TermOutcome::NoMatch => "no match",
            TermOutcome::Error => "error",
            TermOutcome::Applied => "applied",
        }
    }
}

/// One term tried, in order.
#[derive(Debug, Clone, Serialize)]
pub struct Term {
    /// As written in the record (`-include:_spf.example.com`).
    pub term: String,
    pub outcome: TermOutcome,
    /// What was compared or why it did not match.
    pub detail: String,
    pub queries: Vec<Query>,
    /// The nested evaluation of `include:` or `redirect=`.
    pub child: Option<Box<Evaluation>>,
}

/// One DNS question and what came back.
#[derive(Debug, Clone, Serialize)]
pub struct Query {
    pub name: String,
    #[serde(rename = "type")]
    pub rtype: crate::dns::RecordType,
    /// `answer`, `nxdomain`, `nodata`, `timeout`, `servfail`, `refused`, `error` or
    /// `not_queried` (a name no DNS query can carry, e.g. a label over 63 bytes).
    pub status: &'static str,
    /// The records' data in presentation form (TXT strings joined).
    pub answers: Vec<String>,
    /// True when it counted as a void look-up (section 4.6.4).
    pub void: bool,
}
