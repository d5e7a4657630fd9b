//! The evaluation trace: every record fetched, every term tried with its DNS queries and
//! outcome, `include` and `redirect` as nested evaluations. Serializable for JSON, and drawn
//! as an indented tree for the terminal.

use std::fmt::Write;

use serde::Serialize;

use crate::auth::AuthResult;
use crate::output::sanitize::escape;

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
pub enum Outcome {
    Match,
    NoMatch,
    /// The term ended the evaluation with temperror or permerror.
    Error,
    /// A modifier that was acted on (`redirect=`, `exp=`).
    Applied,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Match => "match",
            Outcome::NoMatch => "no match",
            Outcome::Error => "error",
            Outcome::Applied => "applied",
        }
    }
}

/// One term tried, in order.
#[derive(Debug, Clone, Serialize)]
pub struct Term {
    /// As written in the record (`-include:_spf.example.com`).
    pub term: String,
    pub outcome: Outcome,
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

/// Writes `evaluation` as an indented tree (two spaces per level); untrusted text escaped.
pub fn render_tree(evaluation: &Evaluation, out: &mut String) {
    render_node(evaluation, 0, out);
}

fn render_node(e: &Evaluation, depth: usize, out: &mut String) {
    let pad = "  ".repeat(depth);
    let _ = writeln!(out, "{pad}{} → {}", escape(&e.domain), e.result);
    for q in &e.queries {
        render_query(q, depth + 1, out);
    }
    if let Some(record) = &e.record {
        let _ = writeln!(out, "{pad}  record: {}", escape(record));
    }
    for t in &e.terms {
        let _ = write!(out, "{pad}  {}: {}", escape(&t.term), t.outcome.as_str());
        if !t.detail.is_empty() {
            let _ = write!(out, " ({})", escape(&t.detail));
        }
        out.push('\n');
        for q in &t.queries {
            render_query(q, depth + 2, out);
        }
        if let Some(child) = &t.child {
            render_node(child, depth + 2, out);
        }
    }
    if e.terms.is_empty() || e.record.is_none() {
        let _ = writeln!(out, "{pad}  {}", escape(&e.reason));
    }
}

fn render_query(q: &Query, depth: usize, out: &mut String) {
    let pad = "  ".repeat(depth);
    let _ = write!(out, "{pad}? {} {}: {}", escape(&q.name), q.rtype, q.status);
    if !q.answers.is_empty() {
        let shown: Vec<String> = q.answers.iter().map(|a| escape(a).into_owned()).collect();
        let _ = write!(out, " {}", shown.join(", "));
    }
    if q.void {
        out.push_str(" (void)");
    }
    out.push('\n');
}
