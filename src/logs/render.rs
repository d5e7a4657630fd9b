//! `logs` reports as tables: what was read, the accounts ranked by score with their evidence,
//! the suspicious IPs, and on request one account's timeline and log lines. Log text is
//! attacker-controlled (user names, senders, whole lines), and every cell goes through
//! [`Table`], which escapes it.

use std::io::{self, Write};

use serde::Serialize;

use super::evidence::{AccountDetail, UnparsedSample};
use super::human;
use super::input::InputInfo;
use super::signals::{AccountVerdict, GeoStatus, HomeDecision, IpVerdict};
use super::stats::{AccountStats, Timestamp, Totals};
use crate::geo::Country;
use crate::output::{sanitize::escape, Render, Table};

/// Everything after the `accounts` of a JSON document; as tables, the whole report.
#[derive(Debug, Serialize)]
pub struct Report<'a> {
    pub ips: &'a [IpVerdict],
    pub home_countries: &'a [Country],
    pub home: &'a HomeDecision,
    pub geo: &'a GeoStatus,
    pub totals: &'a Totals,
    pub inputs: &'a [InputInfo],
    /// `--account NAME`: the account's aggregates, timeline and log lines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<AccountView<'a>>,
    /// `--show-unparsed N`: lines no parser understood.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub unparsed: &'a [UnparsedSample],
    /// Tables draw the accounts here (JSON has them as items); at most `top` rows.
    #[serde(skip)]
    pub accounts: &'a [AccountVerdict],
    #[serde(skip)]
    pub top: usize,
}

/// One account in full, for `--account`.
#[derive(Debug, Serialize)]
pub struct AccountView<'a> {
    pub name: &'a str,
    /// The judgement, when the account had any signal.
    pub verdict: Option<&'a AccountVerdict>,
    /// The engine's aggregates (null when the logs never mention the account).
    pub stats: Option<&'a AccountStats>,
    pub lines: Option<&'a AccountDetail>,
}

fn when(t: Option<Timestamp>) -> String {
    t.map(human::utc).unwrap_or_else(|| "-".into())
}

fn share(v: Option<f64>) -> String {
    v.map(human::percent).unwrap_or_else(|| "-".into())
}

impl Render for Report<'_> {
    fn render(&self, out: &mut dyn Write, color: bool) -> io::Result<()> {
        let t = self.totals;
        writeln!(
            out,
            "{} lines ({} parsed, {} not understood), {} messages, {} recipients, {} to {}",
            human::count(t.lines),
            human::count(t.parsed),
            human::count(t.unparsed),
            human::count(t.messages),
            human::count(t.recipients),
            when(t.first),
            when(t.last),
        )?;
        if !t.unparsed_by_program.is_empty() {
            let by: Vec<String> = t
                .unparsed_by_program
                .iter()
                .map(|(p, n)| format!("{} {}", escape(p), human::count(*n)))
                .collect();
            writeln!(out, "not understood, by program: {}", by.join(", "))?;
        }
        writeln!(out, "{}", escape(&self.home.note))?;
        if self.geo.sources.is_empty() {
            writeln!(out, "{}", escape(&self.geo.note))?;
        } else {
            let sources: Vec<String> = self
                .geo
                .sources
                .iter()
                .map(|s| format!("{} ({}, {})", s.path.display(), s.kind, s.detail))
                .collect();
            writeln!(out, "countries from {}", escape(&sources.join(", ")))?;
        }

        let flagged = self.accounts.iter().filter(|a| a.flagged).count();
        let noted: Vec<&AccountVerdict> = self
            .accounts
            .iter()
            .filter(|a| !a.signals.is_empty())
            .collect();
        writeln!(
            out,
            "\nAccounts: {} authenticated, {flagged} flagged, {} with signals",
            self.accounts.len(),
            noted.len()
        )?;
        if !noted.is_empty() {
            let mut table = Table::new(
                &[
                    "Account",
                    "Score",
                    "Msgs",
                    "Rcpts",
                    "Peak/1h",
                    "IPs",
                    "Countries",
                    "Foreign",
                    "Fails",
                    "Signals",
                ],
                color,
            );
            let shown = &noted[..noted.len().min(self.top)];
            for a in shown {
                let name = if a.flagged {
                    format!("{} [FLAGGED]", a.account)
                } else {
                    a.account.clone()
                };
                table.row([
                    name,
                    format!("{:.1}", a.score),
                    human::count(a.messages),
                    human::count(a.recipients),
                    human::count(a.peak_recipients_1h),
                    a.distinct_ips.to_string(),
                    a.distinct_countries
                        .map(|c| c.to_string())
                        .unwrap_or_else(|| "-".into()),
                    share(a.foreign_share),
                    human::count(a.auth_failures),
                    a.signals.len().to_string(),
                ]);
            }
            writeln!(out, "{table}")?;
            if noted.len() > self.top {
                writeln!(
                    out,
                    "({} more accounts with signals; --top N or --json shows them)",
                    noted.len() - self.top
                )?;
            }
            // The evidence of flagged accounts as plain lines: sentences read badly when
            // wrapped in a narrow cell.
            for a in shown.iter().filter(|a| a.flagged) {
                writeln!(
                    out,
                    "\n{} (score {:.1}): {}",
                    escape(&a.account),
                    a.score,
                    escape(&a.summary)
                )?;
                for s in &a.signals {
                    writeln!(out, "  - {}: {}", s.code, escape(&s.message))?;
                }
            }
        }

        let flagged_ips = self.ips.iter().filter(|i| i.flagged).count();
        writeln!(
            out,
            "\nClient IPs: {flagged_ips} flagged, {} with signals",
            self.ips.len()
        )?;
        if !self.ips.is_empty() {
            let mut table = Table::new(
                &["IP", "Country", "Fails", "Accounts", "Logins", "Signals"],
                color,
            );
            for ip in self.ips.iter().take(self.top) {
                let name = if ip.flagged {
                    format!("{} [FLAGGED]", ip.ip)
                } else {
                    ip.ip.to_string()
                };
                table.lines_row(&[
                    vec![name],
                    vec![ip
                        .country
                        .map(|c| c.to_string())
                        .unwrap_or_else(|| "-".into())],
                    vec![human::count(ip.auth_failures)],
                    vec![ip.accounts_tried.to_string()],
                    vec![human::count(ip.successes)],
                    ip.signals
                        .iter()
                        .map(|s| format!("{}: {}", s.code, s.message))
                        .collect(),
                ]);
            }
            writeln!(out, "{table}")?;
            if self.ips.len() > self.top {
                writeln!(
                    out,
                    "({} more IPs with signals; --top N or --json shows them)",
                    self.ips.len() - self.top
                )?;
            }
        }
        if let Some(view) = &self.account {
            view.render(out, color)?;
        }
        if !self.unparsed.is_empty() {
            writeln!(
                out,
                "\nLines not understood (first {}):",
                self.unparsed.len()
            )?;
            let mut table = Table::new(&["Where", "Program", "Line"], color);
            for u in self.unparsed {
                table.row([
                    u.location.to_string(),
                    u.program.clone(),
                    String::from_utf8_lossy(&u.text).into_owned(),
                ]);
            }
            writeln!(out, "{table}")?;
        }
        Ok(())
    }
}

impl Render for AccountView<'_> {
    fn render(&self, out: &mut dyn Write, color: bool) -> io::Result<()> {
        writeln!(out, "\n== Account {}", escape(self.name))?;
        let Some(stats) = self.stats else {
            return writeln!(out, "not found in these logs");
        };
        if let Some(v) = self.verdict {
            writeln!(
                out,
                "score {:.1}{}: {}",
                v.score,
                if v.flagged { " (FLAGGED)" } else { "" },
                escape(&v.summary)
            )?;
        }
        writeln!(
            out,
            "{} messages, {} recipients (peak {} in 1 h, {} in 10 min), {} auth failures, \
             first seen {}, last seen {}",
            human::count(stats.messages),
            human::count(stats.recipients),
            human::count(stats.peak_recipients_1h),
            human::count(stats.peak_recipients_10m),
            human::count(stats.auth_failures),
            when(stats.first_seen),
            when(stats.last_seen),
        )?;
        let mut hours = Table::new(&["Hour (UTC)", "Messages", "Recipients"], color);
        for (hour, bucket) in &stats.hourly {
            hours.row([
                human::utc(*hour),
                human::count(bucket.messages),
                human::count(bucket.recipients),
            ]);
        }
        if !hours.is_empty() {
            writeln!(out, "{hours}")?;
        }
        if !stats.sample_queue_ids.is_empty() {
            let ids: Vec<String> = stats
                .sample_queue_ids
                .iter()
                .map(|(host, id)| format!("{}:{}", escape(host), escape(id)))
                .collect();
            writeln!(out, "sample queue ids: {}", ids.join(" "))?;
        }
        if let Some(detail) = self.lines {
            let mut table = Table::new(&["Where", "Line"], color);
            for line in &detail.lines {
                table.row([
                    line.location.to_string(),
                    String::from_utf8_lossy(&line.text).into_owned(),
                ]);
            }
            if !table.is_empty() {
                writeln!(out, "{table}")?;
            }
            if detail.truncated {
                writeln!(out, "(more lines than shown; the first ones are kept)")?;
            }
        }
        Ok(())
    }
}
