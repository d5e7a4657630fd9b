//! `mailsleuth trace`: read the complaints, stream the logs once keeping only what the
//! complaints ask for, judge each complaint, and group them by account.

use std::io::{self, Write};

use anyhow::{bail, Context as _};

use crate::cli::TraceArgs;
use crate::exit::Outcome;
use crate::geo::Geo;
use crate::headers;
use crate::logs::{self, EngineOptions, InputSpec};
use crate::message::source::{RawMessage, Reader};
use crate::message::EmptyHeaders;
use crate::output::progress::{Progress, Unit};
use crate::output::{Emitter, OutputConfig};
use crate::received::{boundary::Boundary, chain::Limits};
use crate::trace::{
    self, by_account, collect::Collected, hosts::OurHosts, Complaint, Context, Coverage, Settings,
    Summary, Totals, Verdict,
};

pub fn run(
    args: &TraceArgs,
    output: OutputConfig,
    quiet: bool,
    out: impl Write,
) -> anyhow::Result<Outcome> {
    if args.clock_skew < 0 {
        bail!("--clock-skew {}: must not be negative", args.clock_skew);
    }
    let settings = Settings {
        our: OurHosts::new(&args.our_host)?,
        skew: args.clock_skew,
        window: args.window,
    };
    let geo = Geo::load(&args.geoip, &args.rir)?;
    let log_inputs: Vec<InputSpec> = args
        .logs
        .iter()
        .map(|p| InputSpec::parse(&p.to_string_lossy()))
        .collect();
    let stdin_uses = log_inputs
        .iter()
        .filter(|i| matches!(i, InputSpec::Stdin))
        .count()
        + args
            .complaints
            .iter()
            .filter(|p| p.as_os_str() == "-")
            .count();
    if stdin_uses > 1 {
        bail!("`-` (stdin) can be given only once, for the complaints or for the logs");
    }
    let options = EngineOptions {
        year: args.year.map(i64::from),
        classic_offset: args
            .utc_offset
            .as_deref()
            .map(super::logs::parse_offset)
            .transpose()
            .context("--utc-offset")?,
        ..EngineOptions::default()
    };

    // 1. The complaints: what each asks of the logs.
    let header_settings = headers::Settings {
        boundary: Boundary::default(),
        limits: Limits {
            max_delay: 3600,
            max_skew: 300,
        },
        max_date_skew: 7200,
        empty: EmptyHeaders::Refuse,
    };
    let mut reader = Reader::new(header_settings.empty);
    let mut complaints = Vec::new();
    let mut errors = 0;
    for path in &args.complaints {
        let mut visit = |raw: RawMessage<'_>| -> io::Result<()> {
            match headers::analyse(&raw, &header_settings) {
                Ok(report) => complaints.push(Complaint::from_report(report)),
                Err(e) => {
                    errors += 1;
                    crate::output::sanitize::print_error(e);
                }
            }
            Ok(())
        };
        let read_errors = reader
            .read_reporting(path, &mut visit)
            .context("reading the complaints")?;
        errors += read_errors;
    }

    // 2. The logs, read once for all complaints.
    let wanted = trace::wanted(&complaints, &settings);
    let mut collected = Collected::default();
    let total = logs::total_size(&log_inputs).unwrap_or(0);
    let progress = Progress::new(args.progress, quiet, total, Unit::Bytes);
    let result = logs::run_with_sink(
        &log_inputs,
        &options,
        &|done| progress.set(done),
        &mut |r| collected.take(&wanted, r),
    );
    progress.finish();
    let engine = result?;
    collected.index();
    let files: Vec<String> = engine.inputs.iter().map(|i| i.path.clone()).collect();
    let log_totals = &engine.stats.totals;
    if !quiet && log_totals.lines == 0 {
        eprintln!("mailsleuth: note: no log lines were read");
    } else if !quiet && log_totals.parsed == 0 {
        eprintln!(
            "mailsleuth: note: none of the {} log lines is a Postfix, Dovecot or Exim line; is \
             this a mail log?",
            log_totals.lines
        );
    }

    // 3. Judge each complaint.
    let (our, our_from) = if settings.our.is_empty() {
        (
            OurHosts::learnt(collected.hosts.iter().map(String::as_str)),
            "learnt",
        )
    } else {
        (settings.our.clone(), "given")
    };
    let coverage = log_totals.first.zip(log_totals.last);
    let cx = Context {
        collected: &collected,
        our: &our,
        coverage,
        settings: &settings,
        geo: &geo,
        files: &files,
    };
    let traced: Vec<_> = complaints.iter().map(|c| trace::judge(c, &cx)).collect();

    let mut emitter =
        Emitter::new(output, out, trace::SCHEMA, "complaints").context("writing the report")?;
    for t in &traced {
        emitter.item(t).context("writing the report")?;
    }
    let groups = by_account(&traced);
    let count = |v: Verdict| traced.iter().filter(|t| t.verdict == v).count();
    let totals = Totals {
        complaints: traced.len(),
        ours: count(Verdict::Ours),
        not_ours: count(Verdict::NotOurs),
        not_found: count(Verdict::NotFound),
        forged: count(Verdict::Forged),
        accounts: groups.len(),
        errors,
    };
    let mut inputs = std::mem::take(&mut reader.inputs);
    inputs.extend(engine.inputs);
    let summary = Summary {
        by_account: groups,
        totals,
        our_hosts: our.names(),
        our_hosts_from: our_from,
        logs_cover: coverage.map(|(a, b)| Coverage {
            from: crate::civil::rfc3339_utc(a),
            to: crate::civil::rfc3339_utc(b),
        }),
        clock_skew_s: settings.skew,
        window_s: settings.window,
        inputs,
    };
    let traced_to_account = summary.totals.accounts > 0;
    emitter.finish(&summary).context("writing the report")?;
    Outcome::note_unreadable(errors, quiet);
    Ok(Outcome::from_counts(
        errors,
        usize::from(traced_to_account),
        0,
    ))
}
