//! The log engine of `mailsleuth logs`: reads Postfix, Dovecot and Exim logs (plain, gzip,
//! zstd; files, rotated directories, stdin), joins lines into SMTP sessions and messages, and
//! aggregates per authenticated account and per client IP into `stats::LogStats`.
//!
//! Shape of a run (see `pipeline.rs`): per input, a reader thread decompresses the bytes and
//! cuts them into chunks at line boundaries; compute threads (the calling thread and one
//! helper per further core) parse chunks into compact events (`line.rs`, `postfix.rs`,
//! `dovecot.rs`, `exim.rs`), and hash the joined chunks for the input's SHA-256 (compressed
//! inputs: the reader hashes); the calling thread alone joins the events in file order
//! (`join.rs`) and feeds the counters (`aggregate.rs`). Memory is a
//! fixed number of chunks plus state proportional to accounts, IPs, open sessions and queued
//! messages — not to the number of lines.
//!
//! The judgement (`signals.rs`, thresholds in `config.rs`) scores the aggregates;
//! `render.rs` draws them; `access_map.rs` turns flagged accounts and IPs into Postfix maps.
//!
//! Timestamps: see `time.rs` for the year and offset rules of classic syslog stamps.
//! `Totals::messages`/`recipients` count every queue entry (a relayed message counts in each
//! instance); the `authenticated_*` totals count accounts' submissions only.

pub mod access_map;
pub mod aggregate;
pub mod config;
pub mod dovecot;
pub mod evidence;
pub mod exim;
mod human;
pub mod input;
pub mod join;
pub mod keys;
pub mod line;
pub mod pipeline;
pub mod postfix;
pub mod record;
pub mod render;
pub mod signals;
pub mod stats;
pub mod time;

#[cfg(test)]
mod quality;

use std::io;
use std::path::Path;

pub use evidence::{AccountDetail, DetailLine, UnparsedSample};
pub use input::{expand, total_size, InputInfo, InputSpec};
pub use line::Status;
pub use record::{LineRef, MessageRecord, Recipient};

use join::Join;
use stats::LogStats;
use time::ClassicClock;

/// Why a run failed: always names the input.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// The cause is part of the message and deliberately not a `source()`: `{:#}` would
    /// print it twice.
    #[error("{path}: {cause}")]
    Io { path: String, cause: io::Error },
}

impl LogError {
    pub fn io(path: &Path, cause: io::Error) -> Self {
        LogError::Io {
            path: path.display().to_string(),
            cause,
        }
    }
}

/// Knobs of a run (the CLI layer fills these).
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// Year of the first classic stamp of every input (`--year`); default: see `time.rs`.
    pub year: Option<i64>,
    /// UTC offset in seconds of classic stamps (and Exim stamps without a zone); default: the
    /// offset of RFC 3339 stamps in the same input, else UTC (see `time.rs`).
    pub classic_offset: Option<i32>,
    /// A success counts as "after failures" when the last failure from that IP against that
    /// account was at most this many seconds before.
    pub success_window: i64,
    /// Collect this account's evidence lines (`--account NAME`, ASCII case-insensitive).
    pub account: Option<String>,
    /// Unparsed lines to keep as samples (`--show-unparsed N`).
    pub unparsed_samples: usize,
    /// Compute threads (parse, join, hash), the calling thread included; default: the
    /// available cores.
    pub threads: Option<usize>,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            year: None,
            classic_offset: None,
            success_window: 3600,
            account: None,
            unparsed_samples: 0,
            threads: None,
        }
    }
}

/// Everything a run found.
#[derive(Debug)]
pub struct EngineOutput {
    pub stats: LogStats,
    pub inputs: Vec<InputInfo>,
    pub unparsed_samples: Vec<UnparsedSample>,
    pub account_detail: Option<AccountDetail>,
}

/// Read all inputs in the order given (directories expanded oldest first) and aggregate.
/// `progress` is called with the bytes on disk consumed so far (compare with `total_size`).
pub fn run(
    inputs: &[InputSpec],
    opts: &EngineOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<EngineOutput, LogError> {
    run_inner(inputs, opts, progress, None)
}

/// Like `run`, and hand every finished message's joined record to `sink` (for `trace` and
/// per-message exports). Records carry text fields, so this is slower than `run`.
pub fn run_with_sink(
    inputs: &[InputSpec],
    opts: &EngineOptions,
    progress: &(dyn Fn(u64) + Sync),
    sink: &mut dyn FnMut(&MessageRecord),
) -> Result<EngineOutput, LogError> {
    run_inner(inputs, opts, progress, Some(sink))
}

fn run_inner(
    inputs: &[InputSpec],
    opts: &EngineOptions,
    progress: &(dyn Fn(u64) + Sync),
    sink: Option<&mut dyn FnMut(&MessageRecord)>,
) -> Result<EngineOutput, LogError> {
    let files = expand(inputs)?;
    let workers = opts
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, std::num::NonZero::get));
    let mut join = Join::new(
        opts.success_window,
        opts.account.as_deref(),
        opts.unparsed_samples,
        sink,
    );
    let mut infos = Vec::with_capacity(files.len());
    let mut done_before = 0u64;
    for (index, spec) in files.iter().enumerate() {
        let opened = input::open(spec)?;
        let clock = ClassicClock::new(
            opts.classic_offset.or(opened.probed_offset),
            opts.year,
            opened.reference,
        );
        let name = opened.name.clone();
        join.begin_input(index, &name, clock);
        let want = join.wanted();
        let mut line_base = 0u64;
        let fps = join.fps.clone();
        let (size, sha256) = pipeline::run_input(opened, want, &fps, workers, |p| {
            let bytes = p.chunk.bytes();
            for ev in &p.events {
                join.event(ev, bytes, line_base + u64::from(ev.line) + 1);
            }
            join.count_lines(p.counts.lines, p.counts.quiet);
            line_base += p.counts.lines;
            progress(done_before + p.disk_pos);
        })?;
        done_before += size;
        progress(done_before);
        infos.push(InputInfo {
            path: name,
            size,
            sha256,
        });
    }
    join.close();
    let unparsed_samples = std::mem::take(&mut join.unparsed);
    let account_detail = join.take_detail();
    Ok(EngineOutput {
        stats: join.agg.finish(),
        inputs: infos,
        unparsed_samples,
        account_detail,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// One authenticated submission relayed through a second instance, a failed and a good
    /// IMAP login, and a line of another program. Rotated: `.1` is older than the live file.
    const OLDER: &str = "\
Nov 22 04:00:00 mx dovecot: auth: passwd-file(alice@example.org,203.0.113.5,<a1>): Password mismatch
Nov 22 04:00:05 mx dovecot: imap-login: Login: user=<alice@example.org>, method=PLAIN, rip=203.0.113.5, lip=192.0.2.1, mpid=7, TLS, session=<b2>
Nov 22 04:01:00 mx postfix/submission/smtpd[100]: connect from unknown[203.0.113.5]
Nov 22 04:01:01 mx postfix/submission/smtpd[100]: 4AB3C2D1E0F: client=unknown[203.0.113.5], sasl_method=PLAIN, sasl_username=alice@example.org
Nov 22 04:01:01 mx postfix/cleanup[200]: 4AB3C2D1E0F: message-id=<m1@example.org>
Nov 22 04:01:01 mx postfix/cleanup[200]: 4AB3C2D1E0F: warning: header From: Bank <secure@bank.example> from unknown[203.0.113.5]; from=<alice@example.org> to=<x@y.example> proto=ESMTP helo=<h>
";
    const NEWER: &str = "\
Nov 22 04:01:02 mx postfix/qmgr[300]: 4AB3C2D1E0F: from=<alice@example.org>, size=1234, nrcpt=3 (queue active)
Nov 22 04:01:02 mx postfix/submission/smtpd[100]: disconnect from unknown[203.0.113.5] ehlo=1 auth=1 mail=1 rcpt=3 data=1 quit=1 commands=8
Nov 22 04:01:03 mx postfix/smtp[400]: 4AB3C2D1E0F: to=<x@y.example>, relay=127.0.0.1[127.0.0.1]:10025, delay=0.3, delays=0.1/0/0.1/0.1, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 5Bcd7Fgh9Jz12)
Nov 22 04:01:03 mx postfix/smtp[400]: 4AB3C2D1E0F: to=<z@y.example>, relay=127.0.0.1[127.0.0.1]:10025, delay=0.3, delays=0.1/0/0.1/0.1, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 5Bcd7Fgh9Jz12)
Nov 22 04:01:03 mx postfix/lmtp[401]: 4AB3C2D1E0F: to=<bob@example.org>, relay=mx[private/dovecot-lmtp], delay=0.3, delays=0.1/0/0.1/0.1, dsn=2.0.0, status=sent (250 2.0.0 <bob@example.org> Saved)
Nov 22 04:01:03 mx postfix/qmgr[300]: 4AB3C2D1E0F: removed
Nov 22 04:01:03 mx postfix-out/smtpd[500]: 5Bcd7Fgh9Jz12: client=localhost[127.0.0.1]
Nov 22 04:01:03 mx postfix-out/qmgr[600]: 5Bcd7Fgh9Jz12: from=<alice@example.org>, size=1900, nrcpt=2 (queue active)
Nov 22 04:01:04 mx postfix-out/smtp[700]: 5Bcd7Fgh9Jz12: to=<x@y.example>, relay=none, delay=31, delays=1/0/30/0, dsn=4.4.1, status=deferred (connect to mx.y.example[198.51.100.7]:25: Connection timed out)
Nov 22 04:01:04 mx postfix-out/smtp[700]: 5Bcd7Fgh9Jz12: to=<z@y.example>, relay=mx.y.example[198.51.100.7]:25, delay=1, delays=0.1/0/0.5/0.4, dsn=5.1.1, status=bounced (host said: 550 5.1.1 unknown)
Nov 22 04:31:04 mx postfix-out/qmgr[600]: 5Bcd7Fgh9Jz12: from=<alice@example.org>, size=1900, nrcpt=1 (queue active)
Nov 22 04:31:05 mx postfix-out/smtp[700]: 5Bcd7Fgh9Jz12: to=<x@y.example>, relay=mx.y.example[198.51.100.7]:25, delay=1800, delays=1/0/0.5/0.4, dsn=2.0.0, status=sent (250 ok)
Nov 22 04:31:05 mx postfix-out/qmgr[600]: 5Bcd7Fgh9Jz12: removed
Nov 22 04:32:00 mx CRON[9]: (root) CMD (true)
";

    fn dir_with_rotation(zstd_older: bool) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("tempdir");
        let older = if zstd_older {
            zstd::encode_all(OLDER.as_bytes(), 1).expect("zstd")
        } else {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(OLDER.as_bytes()).expect("gz");
            e.finish().expect("gz")
        };
        std::fs::write(dir.path().join("mail.log.1"), older).expect("write");
        std::fs::write(dir.path().join("mail.log"), NEWER).expect("write");
        dir
    }

    #[test]
    fn rotated_directory_joined_across_files_and_instances() {
        for zstd_older in [false, true] {
            let dir = dir_with_rotation(zstd_older);
            let opts = EngineOptions {
                year: Some(2026),
                account: Some("ALICE@example.org".into()),
                unparsed_samples: 5,
                ..EngineOptions::default()
            };
            let mut records = Vec::new();
            let mut last_progress = 0;
            let progress_seen = std::sync::Mutex::new(Vec::new());
            let out = run_with_sink(
                &[InputSpec::Path(dir.path().to_path_buf())],
                &opts,
                &|n| progress_seen.lock().expect("lock").push(n),
                &mut |r: &MessageRecord| records.push(r.clone()),
            )
            .expect("run");
            if let Some(p) = progress_seen.lock().expect("lock").last() {
                last_progress = *p;
            }
            assert_eq!(out.inputs.len(), 2);
            assert!(out.inputs[0].path.ends_with("mail.log.1"));
            assert_eq!(
                last_progress,
                out.inputs.iter().map(|i| i.size).sum::<u64>()
            );
            assert_eq!(out.inputs[1].size, NEWER.len() as u64);
            let a = &out.stats.accounts[0];
            assert_eq!(a.account, "alice@example.org");
            assert_eq!((a.messages, a.recipients), (1, 3));
            // bob via lmtp, x after a deferral (through the hop), z bounced (through the hop).
            assert_eq!((a.sent, a.bounced, a.deferred), (2, 1, 1));
            assert_eq!((a.sender_mismatch, a.header_from_mismatch), (0, 1));
            assert_eq!((a.auth_failures, a.imap_logins), (1, 1));
            assert_eq!(a.success_after_failure.len(), 1);
            let ip: std::net::IpAddr = "203.0.113.5".parse().expect("ip");
            assert_eq!((a.ips[&ip].smtp, a.ips[&ip].imap), (1, 1));
            assert_eq!(a.first_seen, Some(1_795_320_000));
            assert!(out.stats.local_domains.contains(&"example.org".to_string()));
            let t = &out.stats.totals;
            assert_eq!((t.lines, t.unparsed, t.parsed), (20, 1, 19));
            assert_eq!(t.unparsed_by_program.get("CRON"), Some(&1));
            assert_eq!(out.unparsed_samples.len(), 1);
            assert!(out.unparsed_samples[0]
                .location
                .to_string()
                .ends_with("mail.log:14"));
            assert_eq!(records.len(), 2);
            let parent = &records[0];
            assert_eq!(parent.queue_id, "4AB3C2D1E0F");
            assert_eq!(parent.message_id.as_deref(), Some("m1@example.org"));
            assert_eq!(parent.sasl_method.as_deref(), Some("PLAIN"));
            assert_eq!(parent.recipients.len(), 3);
            assert_eq!(parent.recipients[0].status, Status::Relayed);
            // The evidence: the session's connect and client= lines, the message's own lines
            // and the disconnect in log order, across the rotated files.
            let lines: Vec<String> = parent
                .lines
                .iter()
                .map(|l| format!("{} {}", l.location, String::from_utf8_lossy(&l.text)))
                .collect();
            assert_eq!(lines.len(), 10, "{lines:#?}");
            assert!(lines[0].contains("mail.log.1:3 ") && lines[0].contains("connect from"));
            assert!(lines[1].contains("client=unknown[203.0.113.5]"));
            assert!(lines[5].contains("disconnect from"));
            assert!(lines[9].ends_with("4AB3C2D1E0F: removed"), "{lines:#?}");
            let child = &records[1];
            assert_eq!(&*child.instance, "postfix-out");
            assert_eq!(child.relayed_from.as_deref(), Some("4AB3C2D1E0F"));
            assert_eq!(child.account.as_deref(), Some("alice@example.org"));
            assert_eq!(child.recipients[0].address, "x@y.example");
            assert_eq!(child.recipients[0].deferrals, 1);
            assert_eq!(child.recipients[0].status, Status::Sent);
            let detail = out.account_detail.expect("detail");
            let texts: Vec<String> = detail
                .lines
                .iter()
                .map(|l| String::from_utf8_lossy(&l.text).into_owned())
                .collect();
            assert!(texts[0].contains("Password mismatch"), "{texts:?}");
            assert!(texts.iter().any(|l| l.contains("connect from unknown")));
            assert!(texts.iter().any(|l| l.contains("5Bcd7Fgh9Jz12: removed")));
            assert!(!texts.iter().any(|l| l.contains("CRON")));
            assert!(detail.lines[0]
                .location
                .to_string()
                .ends_with("mail.log.1:1"));
        }
    }

    /// `log` (year 2026) run without records and with them: both outputs and the records.
    fn run_both_ways(log: &str) -> (EngineOutput, EngineOutput, Vec<MessageRecord>) {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("mail.log");
        std::fs::write(&p, log).expect("write");
        let opts = EngineOptions {
            year: Some(2026),
            ..EngineOptions::default()
        };
        let input = [InputSpec::Path(p)];
        let plain = run(&input, &opts, &|_| {}).expect("run");
        let mut records = Vec::new();
        let sink = &mut |r: &MessageRecord| records.push(r.clone());
        let with_records = run_with_sink(&input, &opts, &|_| {}, sink).expect("run");
        (plain, with_records, records)
    }

    /// Recipient statuses of one large message (sent, deferred then sent, deferred until the
    /// message expired, bounced, deferred then bounced) come out the same whether the run
    /// keeps records (every recipient tracked, an index from 16) or not (only the deferred
    /// ones are).
    #[test]
    fn recipient_statuses_with_and_without_records() {
        let mut log = String::from("\
Nov 22 05:00:00 mx postfix/submission/smtpd[10]: 1A2B3C4D5E: client=unknown[192.0.2.7], sasl_method=PLAIN, sasl_username=u@example.org
Nov 22 05:00:01 mx postfix/qmgr[20]: 1A2B3C4D5E: from=<u@example.org>, size=900, nrcpt=20 (queue active)
");
        let line = |min: u32, r: u32, dsn: &str, status: &str| {
            format!("Nov 22 05:{min:02}:02 mx postfix/smtp[30]: 1A2B3C4D5E: to=<R{r}@dest.example>, relay=mx.dest.example[198.51.100.9]:25, delay=1, delays=0.1/0/0.5/0.4, dsn={dsn}, status={status} (reply)\n")
        };
        for r in 0..10 {
            log += &line(0, r, "2.0.0", "sent");
        }
        for r in 10..16 {
            log += &line(0, r, "4.4.1", "deferred");
        }
        log += &line(0, 16, "5.1.1", "bounced");
        for r in 17..20 {
            log += &line(0, r, "4.4.1", "deferred");
        }
        for r in 10..16 {
            log += &line(30, r, "4.4.1", "deferred");
        }
        for r in 10..14 {
            log += &line(31, r, "2.0.0", "sent");
        }
        for r in 17..20 {
            log += &line(32, r, "5.1.1", "bounced");
        }
        log += "Nov 22 05:59:00 mx postfix/qmgr[20]: 1A2B3C4D5E: from=<u@example.org>, status=expired, returned to sender\n";
        log += "Nov 22 05:59:01 mx postfix/qmgr[20]: 1A2B3C4D5E: removed\n";
        let (plain, with_records, records) = run_both_ways(&log);
        for out in [&plain, &with_records] {
            let a = &out.stats.accounts[0];
            assert_eq!((a.messages, a.recipients), (1, 20));
            // sent: 10 + 4 after a deferral; bounced: 1 + 3 after a deferral; deferred at
            // least once: 6 + 3; expired: the 2 still deferred when the message expired.
            assert_eq!((a.sent, a.bounced, a.deferred, a.expired), (14, 4, 9, 2));
        }
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].recipients.len(), 20);
        let expired: Vec<&str> = records[0]
            .recipients
            .iter()
            .filter(|r| r.status == Status::Expired)
            .map(|r| r.address.as_str())
            .collect();
        assert_eq!(expired, ["R14@dest.example", "R15@dest.example"]);
    }

    /// A session is one login however many messages it sends, counted the same with and
    /// without records (which alone see connect lines): here session B's connect line comes
    /// before session A's disconnect on the same pid (as genlog writes them), and session C
    /// has no connect line at all (the log starts inside it).
    #[test]
    fn sessions_count_one_login_with_and_without_records() {
        let log = "\
Nov 22 05:00:00 mx postfix/submission/smtpd[9]: 0A1B2C3D4E: client=unknown[192.0.2.3], sasl_method=PLAIN, sasl_username=c@example.org
Nov 22 05:00:01 mx postfix/submission/smtpd[9]: 0A1B2C3D4F: client=unknown[192.0.2.3], sasl_method=PLAIN, sasl_username=c@example.org
Nov 22 05:00:02 mx postfix/submission/smtpd[9]: disconnect from unknown[192.0.2.3] ehlo=1 auth=1 mail=2 rcpt=2 data=2 quit=1 commands=9
Nov 22 05:01:00 mx postfix/submission/smtpd[7]: connect from unknown[192.0.2.1]
Nov 22 05:01:00 mx postfix/submission/smtpd[7]: 1A1B2C3D4E: client=unknown[192.0.2.1], sasl_method=PLAIN, sasl_username=a@example.org
Nov 22 05:01:01 mx postfix/submission/smtpd[7]: connect from unknown[192.0.2.2]
Nov 22 05:01:01 mx postfix/submission/smtpd[7]: disconnect from unknown[192.0.2.1] ehlo=1 auth=1 mail=1 rcpt=1 data=1 quit=1 commands=6
Nov 22 05:01:02 mx postfix/submission/smtpd[7]: 2A1B2C3D4E: client=unknown[192.0.2.2], sasl_method=PLAIN, sasl_username=b@example.org
Nov 22 05:01:03 mx postfix/submission/smtpd[7]: 2A1B2C3D4F: client=unknown[192.0.2.2], sasl_method=PLAIN, sasl_username=b@example.org
Nov 22 05:01:04 mx postfix/submission/smtpd[7]: 2A1B2C3D50: client=unknown[192.0.2.2], sasl_method=PLAIN, sasl_username=b@example.org
Nov 22 05:01:05 mx postfix/submission/smtpd[7]: disconnect from unknown[192.0.2.2] ehlo=1 auth=1 mail=3 rcpt=3 data=3 quit=1 commands=12
Nov 22 05:02:00 mx postfix/submission/smtpd[7]: connect from unknown[192.0.2.2]
Nov 22 05:02:01 mx postfix/submission/smtpd[7]: 3A1B2C3D4E: client=unknown[192.0.2.2], sasl_method=PLAIN, sasl_username=b@example.org
Nov 22 05:02:02 mx postfix/submission/smtpd[7]: disconnect from unknown[192.0.2.2] ehlo=1 auth=1 mail=1 rcpt=1 data=1 quit=1 commands=6
";
        let (plain, with_records, _) = run_both_ways(log);
        for out in [&plain, &with_records] {
            let logins: Vec<(&str, u64, u64)> = out
                .stats
                .accounts
                .iter()
                .map(|a| {
                    let smtp = a.ips.values().map(|u| u.smtp).sum();
                    (a.account.as_str(), a.messages, smtp)
                })
                .collect();
            assert_eq!(
                logins,
                [
                    ("a@example.org", 1, 1),
                    ("b@example.org", 4, 2),
                    ("c@example.org", 2, 1)
                ]
            );
        }
    }

    #[test]
    fn missing_file_names_the_path() {
        let err = run(
            &[InputSpec::Path("/nonexistent/mail.log".into())],
            &EngineOptions::default(),
            &|_| {},
        )
        .expect_err("must fail");
        assert!(
            err.to_string().starts_with("/nonexistent/mail.log: "),
            "{err}"
        );
    }

    #[test]
    fn corrupt_gzip_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("mail.log.2.gz");
        std::fs::write(&p, [0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]).expect("write");
        let err = run(
            &[InputSpec::Path(p.clone())],
            &EngineOptions::default(),
            &|_| {},
        )
        .expect_err("must fail");
        assert!(err.to_string().contains("mail.log.2.gz"), "{err}");
    }

    /// Real-format lines (the sample log and the Exim fixture) with their bytes cut, changed,
    /// or spliced with the delimiters the parsers split on, through the whole engine and the
    /// judgement: a malformed line is counted or skipped, never a panic. Runs of 40
    /// consecutive lines, so that the join sees sessions, messages and their mutations
    /// together; every third run keeps an account's evidence and message records.
    #[test]
    fn mutated_log_lines_never_panic() {
        use crate::logs::config::JudgeConfig;
        let sample = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/logs/sample/mail.log"
        ))
        .expect("sample log");
        let exim: &[u8] = include_bytes!("../../tests/fixtures/logs/exim_mainlog");
        let lines: Vec<&[u8]> = sample
            .split(|&c| c == b'\n')
            .chain(exim.split(|&c| c == b'\n'))
            .filter(|l| !l.is_empty())
            .collect();
        const NASTY: &[&[u8]] = &[
            b"[",
            b"]",
            b"<",
            b">",
            b">,",
            b": ",
            b", ",
            b"=",
            b"\xff\xfe",
            b"\r",
            b"\0",
            b"\n",
            b"queued as ",
            b", relay=",
            b", dsn=",
            b", status=sent (",
            b"status=deferred",
            b"sasl_username=",
            b"sasl_method=",
            b"client=",
            b"from=<",
            b"to=<",
            b"nrcpt=",
            b"size=",
            b"[::1]",
            b"IPv6:",
            b"127.0.0.1",
            b"[127.0.0.1]:10025",
            b"99999999999999999999",
            b"-1",
            b"postfix/smtpd[",
            b"postfix/qmgr[1]: ",
            b"]: ",
            b"4AB3C2D1E0F: ",
            b"4Xk2Lm3Q9Zz8wB: ",
            b"removed",
            b"connect from ",
            b"disconnect from ",
            b"message-id=<",
            b"warning: header From: ",
            b"Nov 31 ",
            b"Dec 31 23:59:59 ",
            b"2026-11-22T04:03:14.123456+09:00 ",
            b"2026-13-45T99:99:99Z ",
            b"A=login:",
            b" <= ",
            b" => ",
            b" ** ",
            b" == ",
            b" U=",
            b" P=esmtpa ",
            b"535 Incorrect authentication data (set_id=",
            b"rip=",
            b"user=<",
            b"method=",
            b"auth: passwd-file(",
            b"Password mismatch",
            b"imap-login: Login: ",
        ];
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("mail.log");
        let geo = crate::geo::Geo::load(
            &[],
            &[concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/logs/sample-geo.csv"
            )
            .into()],
        )
        .expect("geo");
        let mut mutator = crate::mutate::Mutator::new(0x517c_c1b7_2722_0a95);
        // Whether the rounds reached both sides: lines understood (messages joined, records
        // made) and lines no parser understands.
        let (mut unparsed, mut messages, mut records) = (0, 0, 0);
        for round in 0..600usize {
            let start = (mutator.next() as usize) % lines.len();
            let mut log = Vec::new();
            let mut account = None;
            for line in lines.iter().cycle().skip(start).take(40) {
                if account.is_none() {
                    account = memchr::memmem::find(line, b"sasl_username=")
                        .map(|at| String::from_utf8_lossy(&line[at + 14..]).trim().to_string());
                }
                if mutator.next().is_multiple_of(3) {
                    log.extend(mutator.mutate(line, NASTY, 4));
                } else {
                    log.extend_from_slice(line);
                }
                log.push(b'\n');
            }
            std::fs::write(&path, &log).expect("write");
            let keep = round.is_multiple_of(3);
            let opts = EngineOptions {
                account: account.filter(|_| keep),
                unparsed_samples: 3,
                threads: Some(1 + round % 2),
                ..EngineOptions::default()
            };
            let input = [InputSpec::Path(path.clone())];
            let out = if keep {
                run_with_sink(&input, &opts, &|_| {}, &mut |_| records += 1)
            } else {
                run(&input, &opts, &|_| {})
            }
            .unwrap_or_else(|e| panic!("round {round}: {e}"));
            let lines_read = memchr::memchr_iter(b'\n', &log).count() as u64;
            assert_eq!(out.stats.totals.lines, lines_read, "round {round}");
            let judged = signals::judge(&out.stats, &geo, &JudgeConfig::default());
            assert_eq!(
                judged.accounts.len(),
                out.stats.accounts.len(),
                "round {round}"
            );
            unparsed += out.stats.totals.unparsed;
            messages += out.stats.totals.messages;
        }
        assert!(unparsed > 0 && messages > 0 && records > 0);
    }
}
