//! `dnsbl` reports as tables: one row per address, host names against domain lists, and the
//! per-zone totals. Every cell is escaped by [`Table`]: PTR names and TXT reasons come from
//! other people's DNS.

use std::io::{self, Write};

use serde::Serialize;

use super::{IpResult, NameResult, ProbeResult, Status, ZoneResult, ZoneSummary};
use crate::output::evidence::InputInfo;
use crate::output::{Render, Table};

/// What follows the `results` of a JSON document; as a table, the whole report.
#[derive(Debug, Serialize)]
pub struct Trailer<'a> {
    pub names: &'a [NameResult],
    pub probes: &'a [ProbeResult],
    pub summary: &'a [ZoneSummary],
    /// The target lists read (`-f FILE`, stdin) as evidence.
    pub inputs: &'a [InputInfo],
    /// Tables show the addresses here, at the end (one aligned table); JSON has them as items.
    #[serde(skip)]
    pub ips: &'a [IpResult],
}

/// `zone: meaning (codes)` lines for the listings of one result, allow lists marked.
fn listings(zones: &[ZoneResult]) -> Vec<String> {
    zones
        .iter()
        .filter(|z| z.status == Status::Listed)
        .map(|z| {
            let codes: Vec<String> = z.codes.iter().map(|c| c.to_string()).collect();
            let allow = if z.kind.is_block() { "" } else { " [allow]" };
            // The label of each decoded code ("XBL", "PBL (ISP maintained)"); JSON has the
            // whole sentences.
            let labels: Vec<&str> = z
                .meaning
                .as_deref()
                .unwrap_or("listed")
                .split("; ")
                .map(|m| m.split_once(": ").map_or(m, |(label, _)| label))
                .collect();
            let mut line = format!(
                "{}{allow}: {} ({})",
                z.zone,
                labels.join(", "),
                codes.join(", ")
            );
            if let Some(txt) = &z.txt {
                line.push_str(&format!(" \"{txt}\""));
            }
            line
        })
        .collect()
}

fn errors(zones: &[ZoneResult]) -> Vec<String> {
    zones
        .iter()
        .filter(|z| z.status == Status::Error)
        .map(|z| format!("{}: {}", z.zone, z.error.as_deref().unwrap_or("error")))
        .collect()
}

fn fcrdns(ip: &IpResult) -> String {
    match (ip.fcrdns, ip.ptr.is_empty()) {
        (_, true) if ip.ptr_error.is_none() => "-".into(),
        (Some(true), _) => "yes".into(),
        (Some(false), _) => "no".into(),
        (None, _) => "error".into(),
    }
}

impl Render for Trailer<'_> {
    fn render(&self, out: &mut dyn Write, color: bool) -> io::Result<()> {
        if !self.ips.is_empty() {
            let mut table = Table::new(
                &["Address", "PTR", "FCrDNS", "Dynamic", "Listed", "Errors"],
                color,
            );
            for ip in self.ips {
                let mut ptr = ip.ptr.clone();
                if let Some(e) = &ip.ptr_error {
                    ptr.push(format!("({e})"));
                }
                let (listed, mut errs) = match &ip.skipped {
                    Some(why) => (Vec::new(), vec![why.clone()]),
                    None => (listings(&ip.zones), errors(&ip.zones)),
                };
                if listed.is_empty() && errs.is_empty() {
                    errs.push(String::new());
                }
                let dynamic = if ip.dynamic.looks_dynamic {
                    // The reason starts with the PTR name, already in its own column.
                    let reason = &ip.dynamic.reason;
                    let reason = ip
                        .ptr
                        .iter()
                        .find_map(|p| reason.strip_prefix(p.as_str())?.strip_prefix(": "))
                        .unwrap_or(reason);
                    format!("yes: {reason}")
                } else {
                    "no".to_string()
                };
                table.lines_row(&[
                    vec![ip.ip.to_string()],
                    if ptr.is_empty() {
                        vec!["-".into()]
                    } else {
                        ptr
                    },
                    vec![fcrdns(ip)],
                    vec![dynamic],
                    if listed.is_empty() && ip.skipped.is_none() {
                        vec!["-".into()]
                    } else {
                        listed
                    },
                    errs,
                ]);
            }
            writeln!(out, "{table}")?;
        }
        if !self.names.is_empty() {
            let mut table = Table::new(&["Host name", "Addresses", "Listed", "Errors"], color);
            for name in self.names {
                let addrs: Vec<String> = name.addresses.iter().map(|a| a.to_string()).collect();
                let listed = listings(&name.zones);
                let mut errs = errors(&name.zones);
                errs.extend(name.error.iter().cloned());
                table.lines_row(&[
                    vec![name.name.clone()],
                    if addrs.is_empty() {
                        vec!["-".into()]
                    } else {
                        addrs
                    },
                    if listed.is_empty() {
                        vec!["-".into()]
                    } else {
                        listed
                    },
                    errs,
                ]);
            }
            writeln!(out, "{table}")?;
        }
        // Totals per zone help on ranges; for one address the row above says it all.
        if self.ips.len() + self.names.len() > 1 || self.summary.iter().any(|z| z.stopped.is_some())
        {
            let mut table = Table::new(
                &["Zone", "Kind", "Listed", "Not listed", "Errors", "Stopped"],
                color,
            );
            for z in self.summary {
                table.row([
                    z.zone.clone(),
                    z.kind.to_string(),
                    z.listed.to_string(),
                    z.not_listed.to_string(),
                    z.error.to_string(),
                    z.stopped.clone().unwrap_or_else(|| "-".into()),
                ]);
            }
            writeln!(out, "{table}")?;
        }
        Ok(())
    }
}
