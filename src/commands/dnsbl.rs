//! `mailsleuth dnsbl`: expand the targets, pick the zones, run the look-ups through the run's
//! resolver, and stream or print the results.

use std::io::{self, Read, Write};

use anyhow::Context;
use serde::Serialize;

use crate::cli::{DnsblArgs, Format};
use crate::commands::dns::DnsSession;
use crate::dnsbl::{
    self, apply_dqs_key, render::Trailer, Catalogue, Item, Observer, Plan, ProbeResult,
    ProbeStatus, RunOptions, Sourced,
};
use crate::exit::Outcome;
use crate::output::evidence::InputInfo;
use crate::output::progress::{Progress, Unit};
use crate::output::sanitize::escape;
use crate::output::{Emitter, OutputConfig, Render, Table};

/// The JSON schema of a `dnsbl` report.
pub const SCHEMA: &str = "mailsleuth.dnsbl/1";

pub fn run(
    args: &DnsblArgs,
    output: OutputConfig,
    quiet: bool,
    out: impl Write + Send,
) -> anyhow::Result<Outcome> {
    let mut catalogue = Catalogue::builtin()?;
    for file in &args.zone_file {
        catalogue.add_file(file)?;
    }
    if args.list_zones {
        return list_zones(&catalogue, output, out);
    }
    let mut zones = catalogue.select(&args.zones)?;
    if let Some(key) = &args.spamhaus_dqs_key {
        apply_dqs_key(&mut zones, key)?;
    }

    // Every target is read and every range sized before the first query: a typo on line
    // 9,000 of a file is a usage error, not a half-finished run.
    // Lists are read whole (they are small) so that each one's SHA-256 goes into the report.
    let mut targets: Vec<Sourced> = Vec::new();
    let mut inputs: Vec<InputInfo> = Vec::new();
    for text in &args.targets {
        if text == "-" {
            let mut bytes = Vec::new();
            io::stdin()
                .lock()
                .read_to_end(&mut bytes)
                .context("reading stdin")?;
            targets.extend(dnsbl::read_list(&bytes[..], "-")?);
            inputs.push(InputInfo::of_bytes("-", &bytes));
        } else {
            targets.push(dnsbl::parse_arg(text)?);
        }
    }
    for path in &args.files {
        let origin = path.display().to_string();
        let bytes = std::fs::read(path).with_context(|| format!("-f {origin}"))?;
        targets.extend(dnsbl::read_list(&bytes[..], &origin)?);
        inputs.push(InputInfo::of_bytes(&origin, &bytes));
    }
    if targets.is_empty() {
        anyhow::bail!("no targets: give addresses, ranges or host names, -f FILE, or - for stdin");
    }
    let max_ips = usize::try_from(args.max_ips).unwrap_or(usize::MAX);
    let plan = Plan::new(&targets, max_ips)?;
    drop(targets);

    let session = DnsSession::new(&args.dns)?;
    let options = RunOptions {
        concurrency: args.dns.dns_concurrency,
        txt: args.txt,
        max_ips,
        // JSON and tables list every result in input order at the end; NDJSON has streamed
        // each one already, so keeping them would only hold the whole input in memory.
        keep_results: output.format != Format::Ndjson,
    };
    let mut emitter = Emitter::new(output, out, SCHEMA, "results").context("writing the report")?;
    let mut observer = Streaming {
        emitter: (output.format == Format::Ndjson).then_some(&mut emitter),
        progress: Progress::new(args.progress, quiet, 0, Unit::Items("results")),
        failure: None,
        quiet,
    };
    let runtime = crate::dns::runtime().context("starting the DNS runtime")?;
    let report = runtime.block_on(dnsbl::run(
        session.resolver.clone(),
        zones,
        plan,
        &options,
        &mut observer,
    ));
    observer.progress.finish();
    if let Some(e) = observer.failure {
        return Err(e).context("writing the report");
    }
    session.finish()?;

    if output.format != Format::Ndjson {
        for ip in &report.ips {
            emitter.row_item(ip).context("writing the report")?;
        }
    }
    let trailer = Trailer {
        names: &report.names,
        probes: &report.probes,
        summary: &report.summary,
        inputs: &inputs,
        ips: if output.format == Format::Table {
            &report.ips
        } else {
            &[]
        },
    };
    emitter.finish(&trailer).context("writing the report")?;
    Ok(report.outcome())
}

/// Streams NDJSON lines and moves the progress bar as results complete.
struct Streaming<'a, W: Write> {
    emitter: Option<&'a mut Emitter<W>>,
    progress: Progress,
    /// The first write error (a closed pipe): later results are not written.
    failure: Option<io::Error>,
    quiet: bool,
}

impl<W: Write + Send> Observer for Streaming<'_, W> {
    fn probed(&mut self, probe: &ProbeResult) {
        if probe.status == ProbeStatus::Failed && !self.quiet {
            eprintln!(
                "mailsleuth: zone {} stopped for this run: {}",
                escape(&probe.zone),
                escape(probe.reason.as_deref().unwrap_or("its test entries failed"))
            );
        }
    }

    fn started(&mut self, total: usize) {
        self.progress.set_length(total as u64);
    }

    fn result(&mut self, item: &Item, progress: dnsbl::Progress) {
        self.progress.set(progress.done as u64);
        if let (Some(emitter), None) = (self.emitter.as_mut(), &self.failure) {
            if let Err(e) = emitter.row_item(item) {
                self.failure = Some(e);
            }
        }
    }
}

/// One catalogue entry for `--list-zones`.
#[derive(Serialize)]
struct ZoneEntry<'a> {
    id: &'a str,
    zone: &'a str,
    kind: String,
    free: bool,
    default: bool,
    ipv6: bool,
    dead: Option<&'a str>,
    description: &'a str,
}

#[derive(Serialize)]
struct ZoneList<'a> {
    #[serde(skip)]
    zones: &'a [ZoneEntry<'a>],
}

impl Render for ZoneList<'_> {
    fn render(&self, out: &mut dyn Write, color: bool) -> io::Result<()> {
        let mut table = Table::new(
            &[
                "Id",
                "Zone",
                "Kind",
                "Free",
                "Default",
                "IPv6",
                "Description",
            ],
            color,
        );
        for z in self.zones {
            let yes = |b: bool| if b { "yes" } else { "no" };
            let description = match z.dead {
                Some(why) => format!("DEAD: {why}"),
                None => z.description.to_string(),
            };
            table.row([
                z.id,
                z.zone,
                &z.kind,
                yes(z.free),
                yes(z.default),
                yes(z.ipv6),
                &description,
            ]);
        }
        writeln!(out, "{table}")
    }
}

fn list_zones(
    catalogue: &Catalogue,
    output: OutputConfig,
    out: impl Write,
) -> anyhow::Result<Outcome> {
    let entries: Vec<ZoneEntry> = catalogue
        .zones()
        .iter()
        .map(|z| ZoneEntry {
            id: &z.id,
            zone: &z.name,
            kind: z.kind.to_string(),
            free: z.free,
            default: z.default,
            ipv6: z.ipv6,
            dead: z.dead.as_deref(),
            description: &z.description,
        })
        .collect();
    let mut emitter = Emitter::new(output, out, "mailsleuth.dnsbl-zones/1", "zones")?;
    for entry in &entries {
        emitter.row_item(entry)?;
    }
    let list = ZoneList {
        zones: if output.format == Format::Table {
            &entries
        } else {
            &[]
        },
    };
    emitter.finish(&list)?;
    Ok(Outcome::Clean)
}
