//! `headers` reports as tables: per message a hop table, the origin, an identities table and
//! the findings; at the end the evidence record of the inputs.

use std::io::{self, Write};

use serde::Serialize;

use super::MessageReport;
use crate::message::source::InputInfo;
use crate::output::{sanitize::escape, Render, Table};
use crate::received::chain::human_duration;

/// The end of a run: the inputs as evidence and the totals.
#[derive(Debug, Serialize)]
pub struct RunSummary {
    pub inputs: Vec<InputInfo>,
    pub totals: Totals,
}

#[derive(Debug, Default, Serialize)]
pub struct Totals {
    pub messages: usize,
    /// Messages with a finding at or above `--fail-on`.
    pub flagged: usize,
    /// Messages or inputs that could not be read.
    pub errors: usize,
}

fn or_dash(v: Option<&str>) -> &str {
    v.filter(|s| !s.is_empty()).unwrap_or("-")
}

impl Render for MessageReport {
    fn render(&self, out: &mut dyn Write, color: bool) -> io::Result<()> {
        let subject = self.summary.subject.as_deref().unwrap_or("(no subject)");
        writeln!(
            out,
            "== {} #{}: {}",
            escape(&self.input),
            self.index,
            escape(subject)
        )?;
        for w in &self.wrappers {
            let mut line = format!(
                "   unwrapped {} from {} ({})",
                if w.kind == "arf" {
                    "ARF report"
                } else {
                    "forward"
                },
                or_dash(w.from.as_deref()),
                or_dash(w.subject.as_deref())
            );
            if let Some(f) = &w.feedback {
                line.push_str(&format!(
                    "; Feedback-Type {}, Source-IP {}, Reported-Domain {}, Arrival-Date {}",
                    or_dash(f.feedback_type.as_deref()),
                    or_dash(f.source_ip.as_deref()),
                    or_dash(Some(&f.reported_domain.join(" "))),
                    or_dash(f.arrival_date.as_deref()),
                ));
            }
            if w.headers_only {
                line.push_str("; headers only");
            }
            writeln!(out, "{}", escape(&line))?;
        }

        let mut hops = Table::new(
            &[
                "#",
                "from (helo, rdns, ip)",
                "by, id",
                "with, auth",
                "time, delay",
                "trust",
            ],
            color,
        );
        for hop in &self.hops {
            let from = match hop.kind {
                "local" => vec![format!("({})", hop.comment.as_deref().unwrap_or_default())],
                "unparseable" => vec!["UNPARSEABLE:".into(), hop.raw.clone()],
                _ => vec![
                    or_dash(hop.from.helo.as_deref()).to_string(),
                    or_dash(hop.from.rdns.as_deref()).to_string(),
                    hop.from
                        .ip
                        .map(|ip| ip.to_string())
                        .unwrap_or_else(|| "-".into()),
                ],
            };
            let mut by = vec![or_dash(hop.by.as_deref()).to_string()];
            by.extend(hop.id.as_deref().map(|id| format!("id {id}")));
            let mut with = vec![or_dash(hop.with.as_deref()).to_string()];
            match (&hop.authenticated, hop.smtp_auth) {
                (Some(who), _) => with.push(format!("auth {who}")),
                (None, true) => with.push("auth".into()),
                _ => {}
            }
            let mut time = vec![or_dash(hop.time.as_deref()).to_string()];
            time.extend(
                hop.delay_s
                    .map(|d| format!("{}{}", if d >= 0 { "+" } else { "" }, human_duration(d))),
            );
            let trust = if self.origin.hop == Some(hop.index) {
                "ORIGIN"
            } else if hop.trusted {
                "trusted"
            } else {
                ""
            };
            hops.lines_row(&[
                vec![hop.index.to_string()],
                from,
                by,
                with,
                time,
                vec![trust.to_string()],
            ]);
        }
        if hops.is_empty() {
            writeln!(out, "No Received headers.")?;
        } else {
            writeln!(out, "Received chain, oldest hop first:\n{hops}")?;
        }

        let origin = &self.origin;
        let place = match (origin.ip, origin.hop) {
            (Some(ip), Some(hop)) => format!("{ip} (hop {hop})"),
            _ => "unknown".into(),
        };
        writeln!(out, "Origin: {}", escape(&place))?;
        writeln!(out, "  why: {}", escape(&origin.reason))?;
        for claim in &self.claims {
            writeln!(
                out,
                "  claim: {}: {}",
                escape(&claim.header),
                escape(&claim.value)
            )?;
        }

        let ids = &self.identities;
        let mut table = Table::new(
            &["identity", "address", "display name", "relation to From"],
            color,
        );
        let relation_of = |identity: &str, address: Option<&str>| {
            ids.relations
                .iter()
                .find(|r| r.identity == identity && Some(r.address.as_str()) == address)
                .map(|r| r.relation)
                .unwrap_or("")
        };
        let mut add = |identity: &str, address: Option<&str>, name: Option<&str>| {
            table.row([
                identity,
                or_dash(address),
                name.unwrap_or_default(),
                relation_of(identity, address),
            ]);
        };
        add("return_path", ids.return_path.as_deref(), None);
        for m in &ids.from {
            add("from", m.address.as_deref(), m.name.as_deref());
        }
        if let Some(m) = &ids.sender {
            add("sender", m.address.as_deref(), m.name.as_deref());
        }
        for m in &ids.reply_to {
            add("reply_to", m.address.as_deref(), m.name.as_deref());
        }
        if let Some(resent) = &ids.resent {
            for m in &resent.from {
                add("resent_from", m.address.as_deref(), m.name.as_deref());
            }
            if let Some(m) = &resent.sender {
                add("resent_sender", m.address.as_deref(), m.name.as_deref());
            }
        }
        add("pra", ids.pra.as_deref(), None);
        add("dmarc_domain", ids.dmarc_domain.as_deref(), None);
        if ids.authenticated.is_some() {
            add("authenticated", ids.authenticated.as_deref(), None);
        }
        writeln!(out, "Identities:\n{table}")?;

        if self.findings.is_empty() {
            writeln!(out, "Findings: none")?;
        } else {
            let mut table = Table::new(&["severity", "code", "finding", "evidence"], color);
            for f in &self.findings {
                table.severity_row(
                    f.severity,
                    [
                        f.code,
                        &f.message,
                        f.evidence.as_deref().unwrap_or_default(),
                    ],
                );
            }
            writeln!(out, "Findings:\n{table}")?;
        }
        Ok(())
    }
}

impl Render for RunSummary {
    fn render(&self, out: &mut dyn Write, color: bool) -> io::Result<()> {
        let mut table = Table::new(&["input", "bytes", "sha256"], color);
        for input in &self.inputs {
            table.row([input.path.as_str(), &input.size.to_string(), &input.sha256]);
        }
        writeln!(
            out,
            "{} message(s), {} flagged, {} error(s).",
            self.totals.messages, self.totals.flagged, self.totals.errors
        )?;
        if !table.is_empty() {
            writeln!(out, "Evidence:\n{table}")?;
        }
        Ok(())
    }
}
