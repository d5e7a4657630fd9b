//! `trace` reports as text: per complaint the verdict line, the account's window and the
//! evidence lines; at the end "N complaints, M accounts" and the accounts table. Complaint
//! text and log lines are attacker-controlled: everything passes through `escape` or `Table`.

use std::io::{self, Write};

use super::{Summary, Traced};
use crate::output::{sanitize::escape, Render, Table};

/// `1 complaint`, `27 complaints`.
fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Evidence lines shown per complaint in a table (JSON has them all).
const EVIDENCE_SHOWN: usize = 12;

impl Render for Traced {
    fn render(&self, out: &mut dyn Write, _color: bool) -> io::Result<()> {
        let who = match (&self.account, self.client_ip, self.origin) {
            (Some(a), Some(ip), _) => format!(": {} from {ip}", escape(a)),
            (Some(a), None, _) => format!(": {}", escape(a)),
            (None, Some(ip), Some(origin)) => format!(": no login ({origin}) from {ip}"),
            (None, None, Some(origin)) => format!(": no login ({origin})"),
            _ => String::new(),
        };
        writeln!(
            out,
            "{}#{}: {}{who}",
            escape(&self.input),
            self.index,
            self.verdict.as_str().to_uppercase(),
        )?;
        if !self.unwrapped.is_empty() {
            writeln!(out, "   unwrapped: {}", self.unwrapped.join(", "))?;
        }
        writeln!(out, "   {}", escape(&self.reason))?;
        if let Some(m) = &self.message {
            writeln!(
                out,
                "   message: queue id {} on {}, {} to {}, sender {}, {}, Message-ID {}",
                escape(&m.queue_ids.join(" -> ")),
                escape(super::host_label(&m.host)),
                m.first_seen,
                m.last_seen,
                escape(m.sender.as_deref().unwrap_or("-")),
                plural(m.recipients.len() as u64, "recipient"),
                escape(self.message_id.as_deref().unwrap_or("-")),
            )?;
        }
        if let Some(a) = &self.activity {
            let ips: Vec<String> = a
                .ips
                .iter()
                .map(|i| match &i.country {
                    Some(c) => format!("{} ({c}, {})", i.ip, i.messages),
                    None => format!("{} ({})", i.ip, i.messages),
                })
                .collect();
            writeln!(
                out,
                "   activity {} to {}: {}, {}, {}{}",
                a.from,
                a.to,
                plural(a.messages, "message"),
                plural(a.recipients, "recipient"),
                plural(a.ips.len() as u64, "IP"),
                if a.countries.is_empty() {
                    String::new()
                } else {
                    format!(", countries {}", a.countries.join(" "))
                }
            )?;
            if !ips.is_empty() {
                writeln!(out, "     IPs: {}", ips.join(", "))?;
            }
        }
        if !self.evidence.is_empty() {
            writeln!(out, "   evidence:")?;
            for l in self.evidence.iter().take(EVIDENCE_SHOWN) {
                writeln!(out, "     {}  {}", escape(&l.location), escape(&l.text))?;
            }
            if self.evidence.len() > EVIDENCE_SHOWN {
                writeln!(
                    out,
                    "     ({} more lines in --json)",
                    self.evidence.len() - EVIDENCE_SHOWN
                )?;
            }
        }
        Ok(())
    }
}

impl Render for Summary {
    fn render(&self, out: &mut dyn Write, color: bool) -> io::Result<()> {
        let t = &self.totals;
        writeln!(
            out,
            "{}, {}: {} ours, {} not ours, {} not found in the logs, {} likely forged",
            plural(t.complaints as u64, "complaint"),
            plural(t.accounts as u64, "account"),
            t.ours,
            t.not_ours,
            t.not_found,
            t.forged
        )?;
        if !self.by_account.is_empty() {
            let mut table = Table::new(&["account", "complaints", "client IPs", "inputs"], color);
            for g in &self.by_account {
                table.lines_row(&[
                    vec![g.account.clone()],
                    vec![g.complaints.to_string()],
                    g.client_ips.iter().map(ToString::to_string).collect(),
                    g.inputs.clone(),
                ]);
            }
            writeln!(out, "{table}")?;
        }
        writeln!(
            out,
            "our hosts ({}): {}",
            self.our_hosts_from,
            escape(&self.our_hosts.join(", "))
        )?;
        if let Some(c) = &self.logs_cover {
            writeln!(out, "logs cover {} to {}", c.from, c.to)?;
        }
        for i in &self.inputs {
            writeln!(
                out,
                "input {}  {} bytes  sha256 {}",
                escape(&i.path),
                i.size,
                i.sha256
            )?;
        }
        Ok(())
    }
}
