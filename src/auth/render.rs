//! `auth` reports as tables: per message the judgement time, SPF, each DKIM signature with
//! both verdicts, DMARC with its alignment, ARC, what the message recorded, and findings.

use std::io::{self, Write};

use serde::Serialize;

use super::AuthReport;
use crate::message::source::InputInfo;
use crate::output::{sanitize::escape, Render, Table};

/// The end of a run: the inputs as evidence and the totals.
#[derive(Debug, Serialize)]
pub struct RunSummary {
    pub inputs: Vec<InputInfo>,
    pub totals: Totals,
}

#[derive(Debug, Default, Serialize)]
pub struct Totals {
    pub messages: usize,
    /// Messages whose authentication failed (see the exit codes).
    pub flagged: usize,
    /// Messages with a verdict left temperror by DNS.
    pub incomplete: usize,
    /// Messages or inputs that could not be read.
    pub errors: usize,
}

fn dash(v: Option<&str>) -> &str {
    v.filter(|s| !s.is_empty()).unwrap_or("-")
}

impl Render for AuthReport {
    fn render(&self, out: &mut dyn Write, color: bool) -> io::Result<()> {
        writeln!(
            out,
            "== {} #{}: {}",
            escape(&self.input),
            self.index,
            escape(self.subject.as_deref().unwrap_or("(no subject)"))
        )?;
        for w in &self.wrappers {
            writeln!(
                out,
                "   unwrapped {} from {}",
                if w.kind == "arf" {
                    "ARF report"
                } else {
                    "forward"
                },
                escape(dash(w.from.as_deref()))
            )?;
        }
        writeln!(
            out,
            "   judged at {} ({}: {})",
            self.judged_at.time, self.judged_at.source, self.judged_at.reason
        )?;

        let mut table = Table::new(
            &["Check", "Identity", "Result", "Reason", "Recorded"],
            color,
        );
        let recorded = |method: &str| {
            self.recorded
                .iter()
                .filter(|r| r.method == method)
                .map(|r| {
                    format!(
                        "{} by {}{}",
                        r.result,
                        dash(r.authserv_id.as_deref()),
                        if r.differs { " (differs)" } else { "" }
                    )
                })
                .collect::<Vec<_>>()
                .join("; ")
        };
        if let Some(spf) = &self.spf {
            let inputs = format!(
                "ip {} ({})",
                self.spf_inputs
                    .ip
                    .map_or_else(|| "-".to_string(), |ip| ip.to_string()),
                self.spf_inputs.source
            );
            table.row([
                "spf mail-from",
                &format!("{} {inputs}", dash(Some(&spf.mail_from.domain))),
                spf.mail_from.result.as_str(),
                &spf.mail_from.reason,
                &recorded("spf"),
            ]);
            if let Some(h) = &spf.helo {
                table.row(["spf helo", &h.domain, h.result.as_str(), &h.reason, ""]);
            }
        }
        for d in &self.dkim {
            let via = d.viadkim.as_ref().map_or_else(
                || "-".to_string(),
                |v| format!("{} ({})", v.result, v.reason),
            );
            let mut reason = format!(
                "{}; mail-auth: {} ({}); viadkim: {via}",
                d.reason, d.mail_auth.result, d.mail_auth.reason
            );
            if let Some(k) = &d.key {
                if let Some(bits) = k.bits {
                    reason.push_str(&format!("; key {} {bits} bits", k.key_type.unwrap_or("")));
                }
            }
            for note in &d.notes {
                reason.push_str("; ");
                reason.push_str(note);
            }
            table.row([
                format!("dkim #{}", d.index),
                format!(
                    "d={} s={} a={}",
                    dash(d.domain.as_deref()),
                    dash(d.selector.as_deref()),
                    d.algorithm.unwrap_or("-")
                ),
                format!("{}{}", d.result, if d.agree { "" } else { " (disagree)" }),
                reason,
                recorded("dkim"),
            ]);
        }
        if let Some(m) = &self.dmarc {
            let align: Vec<String> = m
                .alignment
                .iter()
                .map(|a| {
                    format!(
                        "{} {} {} {}",
                        a.method,
                        a.domain,
                        a.result,
                        if a.aligned { "aligned" } else { "not aligned" }
                    )
                })
                .collect();
            table.row([
                "dmarc".to_string(),
                format!(
                    "{} (org {})",
                    dash(m.domain.as_deref()),
                    dash(m.org_domain.as_deref())
                ),
                m.result.as_str().to_string(),
                {
                    let mut why = format!(
                        "{}; policy {}, disposition {}; record {}",
                        m.reason,
                        m.policy.unwrap_or("-"),
                        m.disposition,
                        m.record.as_ref().map_or("-", |r| r.text.as_str()),
                    );
                    if !align.is_empty() {
                        why = format!("{why}; {}", align.join(", "));
                    }
                    why
                },
                recorded("dmarc"),
            ]);
        }
        if let Some(a) = &self.arc {
            let sets: Vec<String> = a
                .sets
                .iter()
                .map(|s| format!("i={} cv={}", s.instance, s.cv))
                .collect();
            table.row([
                "arc".to_string(),
                format!("{} set(s) {}", a.instances, sets.join(" ")),
                a.result.as_str().to_string(),
                match a.broken_at {
                    Some(i) => format!("{} (broken at i={i})", a.reason),
                    None => a.reason.clone(),
                },
                recorded("arc"),
            ]);
        }
        writeln!(out, "{table}")?;
        if !self.findings.is_empty() {
            let mut table = Table::new(&["Severity", "Code", "Finding"], color);
            for f in &self.findings {
                table.severity_row(f.severity, [f.code, f.message.as_str()]);
            }
            writeln!(out, "{table}")?;
        }
        Ok(())
    }
}

impl Render for RunSummary {
    fn render(&self, out: &mut dyn Write, _color: bool) -> io::Result<()> {
        writeln!(
            out,
            "{} message(s): {} failed authentication, {} incomplete (DNS), {} unreadable",
            self.totals.messages, self.totals.flagged, self.totals.incomplete, self.totals.errors
        )?;
        for input in &self.inputs {
            writeln!(
                out,
                "input {} ({} bytes, sha256 {})",
                escape(&input.path),
                input.size,
                input.sha256
            )?;
        }
        Ok(())
    }
}
