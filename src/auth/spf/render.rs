//! `spf` reports for the terminal: each identity's verdict with its evidence, then each
//! evaluation as an indented tree. Records, explanations and names come from other people's
//! DNS, so every piece of them is escaped.

use std::fmt::Write;

use super::trace::{Evaluation, Query};
use super::{SpfOutcome, SpfReport, MAX_LOOKUPS, MAX_VOID_LOOKUPS};
use crate::auth::AuthResult;
use crate::output::sanitize::escape;

/// The whole report: MAIL FROM, HELO when checked, then the evaluation trees.
pub fn text(outcome: &SpfOutcome, color: bool) -> String {
    let mut text = String::new();
    summary("MAIL FROM", &outcome.mail_from, color, &mut text);
    if let Some(helo) = &outcome.helo {
        text.push('\n');
        summary("HELO", helo, color, &mut text);
    }
    let identities = [
        ("MAIL FROM", Some(&outcome.mail_from)),
        ("HELO", outcome.helo.as_ref()),
    ];
    for (label, report) in identities {
        let Some(report) = report else { continue };
        let _ = writeln!(text, "\nEvaluation ({label}):");
        for e in &report.trace {
            tree(e, 0, &mut text);
        }
    }
    text
}

fn summary(label: &str, r: &SpfReport, color: bool, out: &mut String) {
    let word = r.result.as_str();
    let shown = if color {
        let code = match r.result {
            AuthResult::Pass => "32",
            AuthResult::Fail | AuthResult::PermError => "31",
            AuthResult::SoftFail | AuthResult::TempError => "33",
            AuthResult::Neutral | AuthResult::None => "36",
        };
        format!("\x1b[{code}m{word}\x1b[0m")
    } else {
        word.to_string()
    };
    let none = "-";
    let _ = writeln!(out, "{label}: {shown} ({})", escape(&r.sender));
    let rows = [
        ("reason", Some(r.reason.as_str())),
        ("mechanism", r.mechanism.as_deref()),
        ("record", r.record.as_deref()),
        ("explanation", r.explanation.as_deref()),
    ];
    for (name, value) in rows {
        let _ = writeln!(out, "  {name:<12} {}", escape(value.unwrap_or(none)));
    }
    let _ = writeln!(
        out,
        "  {:<12} {}/{MAX_LOOKUPS}, void {}/{MAX_VOID_LOOKUPS}",
        "lookups", r.lookups, r.void_lookups
    );
}

/// One evaluation as an indented tree (two spaces per level).
fn tree(e: &Evaluation, depth: usize, out: &mut String) {
    let pad = "  ".repeat(depth);
    let _ = writeln!(out, "{pad}{} → {}", escape(&e.domain), e.result);
    for q in &e.queries {
        query(q, depth + 1, out);
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
            query(q, depth + 2, out);
        }
        if let Some(child) = &t.child {
            tree(child, depth + 2, out);
        }
    }
    if e.terms.is_empty() || e.record.is_none() {
        let _ = writeln!(out, "{pad}  {}", escape(&e.reason));
    }
}

fn query(q: &Query, depth: usize, out: &mut String) {
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
