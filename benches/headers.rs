//! Throughput and memory benchmark for `mailsleuth headers`.
//!
//! One run does four things:
//!
//! 1. Generates a deterministic mbox of N realistic messages (default 100,000) into
//!    `target/bench-data/headers-v<GEN>-<N>.mbox` (plus the N/4 and N/2 files), unless the files
//!    already exist. Each message has 2–7 `Received` headers in real Postfix, Exim, Gmail,
//!    Office 365, qmail, sendmail, amavis and Dovecot forms, folded as those MTAs fold them, with
//!    times increasing toward the top; DKIM/ARC/Authentication-Results on a share of messages;
//!    RFC 2047 subjects and names; multipart/alternative or plain bodies of 0.5–4 KB; about 1%
//!    forwarded complaints (message/rfc822 inside multipart/mixed) and about 1% ARF reports.
//!    Only documentation addresses (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24,
//!    2001:db8::/32) and example.* names are used, apart from vendor host names.
//! 2. Measures the baseline: mail-parser's own mbox iterator and `MessageParser::parse` over
//!    the same file, in this process (best and median of R runs, default 3).
//! 3. Runs `mailsleuth headers --format ndjson <mbox>` as a child, counts its NDJSON lines
//!    (must equal N), and takes wall time and the child's peak RSS from `wait4`.
//!    Reports messages/s, MB/s (10^6 bytes of mbox) and the ratio mailsleuth/bare parse
//!    (target: at most 2.0).
//! 4. Runs mailsleuth on the N/4 and N/2 files too and prints the peak RSS of each, so that
//!    memory use that grows with the mailbox shows up (`rss_N/rss_N4` should stay near 1).
//!
//! Run it with:
//!
//! ```text
//! cargo bench --bench headers
//! cargo bench --bench headers -- --messages 20000 --runs 5
//! ```
//!
//! The binary under test is `$MAILSLEUTH_BIN` if set, otherwise the package's own `mailsleuth`
//! binary. The last line of output is `headers-bench: ratio=X.XX rss_N/rss_N4=Y.YY`. The run
//! exits non-zero if the child fails, prints the wrong number of lines, or the data is bad.

use std::fmt::Write as _;
use std::fs::{self, File};
use std::hint::black_box;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use mail_parser::mailbox::mbox::MessageIterator;

#[path = "common/child.rs"]
mod child;
use child::ChildRun;
use mail_parser::{MessageParser, MimeHeaders, PartType};

/// Bump whenever the generated data changes, so stale files are not reused.
const GEN_VERSION: u32 = 1;
const SEED: u64 = 0x6d61_696c_736c_6575;
const DEFAULT_MESSAGES: usize = 100_000;
const DEFAULT_RUNS: usize = 3;
/// 2026-11-01T00:00:00Z.
const T0: i64 = 1_793_491_200;

// ---------------------------------------------------------------------------------------------
// Command line and driver
// ---------------------------------------------------------------------------------------------

struct Args {
    messages: usize,
    runs: usize,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        messages: DEFAULT_MESSAGES,
        runs: DEFAULT_RUNS,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let (key, inline) = match arg.split_once('=') {
            Some((k, v)) => (k.to_string(), Some(v.to_string())),
            None => (arg.clone(), None),
        };
        match key.as_str() {
            // Cargo passes `--bench` to harness = false targets.
            "--bench" => {}
            "--messages" | "--runs" => {
                let value = inline
                    .or_else(|| it.next())
                    .ok_or_else(|| format!("{key} needs a value"))?;
                let n: usize = value
                    .parse()
                    .map_err(|_| format!("{key}: not a number: {value}"))?;
                if key == "--messages" {
                    if n < 4 {
                        return Err("--messages must be at least 4".into());
                    }
                    args.messages = n;
                } else {
                    args.runs = n.max(1);
                }
            }
            "-h" | "--help" => {
                println!("usage: cargo bench --bench headers [-- --messages N] [--runs R]");
                std::process::exit(0);
            }
            _ => return Err(format!("unknown argument: {arg}")),
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("headers-bench: {e}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("headers-bench: FAILED: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<ExitCode, String> {
    let n = args.messages;
    let sizes = [n / 4, n / 2, n];
    let dir = data_dir();
    fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let paths: Vec<PathBuf> = sizes.iter().map(|&k| mbox_path(&dir, k)).collect();

    let mut table = Table::default();

    // 1. Generate (or reuse).
    let missing: Vec<(usize, PathBuf)> = sizes
        .iter()
        .zip(&paths)
        .filter(|(_, p)| !p.is_file())
        .map(|(&k, p)| (k, p.clone()))
        .collect();
    if missing.is_empty() {
        println!("reusing {}", paths[2].display());
    } else {
        let start = Instant::now();
        generate(&missing).map_err(|e| format!("generating mbox: {e}"))?;
        let t = start.elapsed();
        let bytes = file_size(&paths[2])?;
        table.row(Row {
            step: "generate (new files)".into(),
            messages: n,
            best: t,
            median: t,
            bytes,
            rss_kib: None,
        });
    }
    let bytes = file_size(&paths[2])?;
    println!(
        "mbox: {} messages, {} bytes ({:.1} MB) at {}",
        n,
        bytes,
        bytes as f64 / 1e6,
        paths[2].display()
    );

    // Check the data itself with mail-parser (not timed).
    let stats = validate(&paths[2]).map_err(|e| format!("validating mbox: {e}"))?;
    println!(
        "validated: {} messages parsed, Received per message {}..{}, {} forwarded complaints, {} ARF reports",
        stats.messages, stats.min_received, stats.max_received, stats.forwarded, stats.arf
    );
    if stats.messages != n || stats.bad != 0 {
        return Err(format!(
            "generated data is wrong: {} messages (expected {n}), {} failed the checks",
            stats.messages, stats.bad
        ));
    }

    // 2. Baseline: bare mail-parser.
    let mut times = Vec::new();
    for _ in 0..args.runs {
        let start = Instant::now();
        let parsed = bare_parse(&paths[2]).map_err(|e| format!("bare parse: {e}"))?;
        times.push(start.elapsed());
        if parsed != n {
            return Err(format!("bare parse saw {parsed} messages, expected {n}"));
        }
    }
    let (base_best, base_median) = best_median(&mut times);
    table.row(Row {
        step: "bare mail-parser parse".into(),
        messages: n,
        best: base_best,
        median: base_median,
        bytes,
        rss_kib: None,
    });

    // 3. mailsleuth itself.
    let Some(bin) = mailsleuth_bin() else {
        table.print();
        eprintln!(
            "headers-bench: no mailsleuth binary (not built by Cargo and MAILSLEUTH_BIN unset); \
             skipped steps 3 and 4"
        );
        println!("headers-bench: ratio=NA rss_N/rss_N4=NA");
        return Ok(ExitCode::from(2));
    };
    println!("binary under test: {}", bin.display());
    let mut times = Vec::new();
    let mut rss_n = 0i64;
    for _ in 0..args.runs {
        let r = run_child(&bin, &paths[2], n)?;
        times.push(r.wall);
        rss_n = rss_n.max(r.maxrss_kib);
    }
    let (ms_best, ms_median) = best_median(&mut times);
    table.row(Row {
        step: "mailsleuth headers N".into(),
        messages: n,
        best: ms_best,
        median: ms_median,
        bytes,
        rss_kib: Some(rss_n),
    });

    // 4. Flat memory: N/4 and N/2.
    let mut rss_small = [0i64; 2];
    for (i, label) in ["mailsleuth headers N/4", "mailsleuth headers N/2"]
        .iter()
        .enumerate()
    {
        let r = run_child(&bin, &paths[i], sizes[i])?;
        rss_small[i] = r.maxrss_kib;
        table.row(Row {
            step: (*label).into(),
            messages: sizes[i],
            best: r.wall,
            median: r.wall,
            bytes: file_size(&paths[i])?,
            rss_kib: Some(r.maxrss_kib),
        });
    }
    table.print();

    let ratio = ms_best.as_secs_f64() / base_best.as_secs_f64();
    let ratio_median = ms_median.as_secs_f64() / base_median.as_secs_f64();
    let rss_ratio = rss_n as f64 / rss_small[0].max(1) as f64;
    println!();
    println!(
        "time ratio mailsleuth/bare parse: best {ratio:.2}, median {ratio_median:.2} (target <= 2.00)"
    );
    println!(
        "peak RSS: N/4 {:.1} MiB, N/2 {:.1} MiB, N {:.1} MiB; N/(N/4) = {rss_ratio:.2}",
        rss_small[0] as f64 / 1024.0,
        rss_small[1] as f64 / 1024.0,
        rss_n as f64 / 1024.0
    );
    println!("headers-bench: ratio={ratio:.2} rss_N/rss_N4={rss_ratio:.2}");
    Ok(ExitCode::SUCCESS)
}

fn data_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("bench-data")
}

fn mbox_path(dir: &Path, n: usize) -> PathBuf {
    dir.join(format!("headers-v{GEN_VERSION}-{n}.mbox"))
}

fn file_size(p: &Path) -> Result<u64, String> {
    fs::metadata(p)
        .map(|m| m.len())
        .map_err(|e| format!("{}: {e}", p.display()))
}

fn mailsleuth_bin() -> Option<PathBuf> {
    std::env::var_os("MAILSLEUTH_BIN")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| option_env!("CARGO_BIN_EXE_mailsleuth").map(PathBuf::from))
}

fn best_median(times: &mut [Duration]) -> (Duration, Duration) {
    times.sort();
    (times[0], times[times.len() / 2])
}

// ---------------------------------------------------------------------------------------------
// Output table
// ---------------------------------------------------------------------------------------------

struct Row {
    step: String,
    messages: usize,
    best: Duration,
    median: Duration,
    bytes: u64,
    rss_kib: Option<i64>,
}

#[derive(Default)]
struct Table {
    rows: Vec<Row>,
}

impl Table {
    fn row(&mut self, r: Row) {
        self.rows.push(r);
    }

    fn print(&self) {
        println!();
        println!(
            "{:<24} {:>9} {:>10} {:>10} {:>10} {:>8} {:>12}",
            "step", "messages", "best s", "median s", "msg/s", "MB/s", "peak RSS"
        );
        for r in &self.rows {
            let secs = r.best.as_secs_f64().max(1e-9);
            let rss = match r.rss_kib {
                Some(k) => format!("{:.1} MiB", k as f64 / 1024.0),
                None => "-".into(),
            };
            println!(
                "{:<24} {:>9} {:>10.3} {:>10.3} {:>10.0} {:>8.1} {:>12}",
                r.step,
                r.messages,
                secs,
                r.median.as_secs_f64(),
                r.messages as f64 / secs,
                r.bytes as f64 / 1e6 / secs,
                rss
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Baseline and validation with mail-parser
// ---------------------------------------------------------------------------------------------

fn bare_parse(path: &Path) -> io::Result<usize> {
    let reader = BufReader::with_capacity(1 << 16, File::open(path)?);
    let parser = MessageParser::default();
    let mut count = 0;
    for m in MessageIterator::new(reader) {
        let m = m?;
        let parsed = parser.parse(m.contents());
        black_box(parsed.as_ref().map(|p| p.parts.len() + p.headers().len()));
        count += 1;
    }
    Ok(count)
}

struct Stats {
    messages: usize,
    bad: usize,
    min_received: usize,
    max_received: usize,
    forwarded: usize,
    arf: usize,
}

fn validate(path: &Path) -> io::Result<Stats> {
    let reader = BufReader::with_capacity(1 << 16, File::open(path)?);
    let parser = MessageParser::default();
    let mut s = Stats {
        messages: 0,
        bad: 0,
        min_received: usize::MAX,
        max_received: 0,
        forwarded: 0,
        arf: 0,
    };
    for m in MessageIterator::new(reader) {
        let m = m?;
        s.messages += 1;
        let Some(msg) = parser.parse(m.contents()) else {
            s.bad += 1;
            eprintln!("message {} does not parse", s.messages);
            continue;
        };
        let received: Vec<_> = msg.received_all().collect();
        s.min_received = s.min_received.min(received.len());
        s.max_received = s.max_received.max(received.len());
        let dates: Vec<i64> = received
            .iter()
            .filter_map(|r| r.date.as_ref().map(|d| d.to_timestamp()))
            .collect();
        let ordered = dates.windows(2).all(|w| w[0] >= w[1]);
        if !(2..=7).contains(&received.len()) || !ordered || msg.from().is_none() {
            s.bad += 1;
            if s.bad <= 5 {
                eprintln!(
                    "message {}: {} Received, dates newest-first: {ordered}",
                    s.messages,
                    received.len()
                );
            }
        }
        let root = msg.root_part();
        let has_message_part = msg
            .parts
            .iter()
            .any(|p| matches!(p.body, PartType::Message(_)));
        if let Some(ct) = root.content_type() {
            let sub = ct.subtype().unwrap_or("");
            if ct.ctype().eq_ignore_ascii_case("multipart") {
                if sub.eq_ignore_ascii_case("mixed") && has_message_part {
                    s.forwarded += 1;
                } else if sub.eq_ignore_ascii_case("report")
                    && ct
                        .attribute("report-type")
                        .is_some_and(|v| v.eq_ignore_ascii_case("feedback-report"))
                {
                    s.arf += 1;
                }
            }
        }
    }
    Ok(s)
}

// ---------------------------------------------------------------------------------------------
// Running the binary under test
// ---------------------------------------------------------------------------------------------

/// Runs `mailsleuth headers --format ndjson` on `mbox` and checks it printed one line per
/// message.
fn run_child(bin: &Path, mbox: &Path, expected: usize) -> Result<ChildRun, String> {
    let out_path = mbox.with_extension("ndjson");
    let out = File::create(&out_path).map_err(|e| format!("{}: {e}", out_path.display()))?;
    let run = child::run(
        Command::new(bin)
            // `--fail-on never`: findings are expected in this data; exit 1 would hide a real
            // failure.
            .args(["headers", "--format", "ndjson", "--fail-on", "never"])
            .arg(mbox)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(Stdio::inherit()),
    )?;
    if run.code != 0 {
        return Err(format!(
            "{} exited with status {} on {}",
            bin.display(),
            run.code,
            mbox.display()
        ));
    }
    let lines = count_lines(&out_path).map_err(|e| format!("{}: {e}", out_path.display()))?;
    let _ = fs::remove_file(&out_path);
    if lines != expected as u64 {
        return Err(format!(
            "{} printed {lines} NDJSON lines for {expected} messages in {}",
            bin.display(),
            mbox.display()
        ));
    }
    Ok(run)
}

fn count_lines(path: &Path) -> io::Result<u64> {
    let mut file = File::open(path)?;
    let mut buf = vec![0u8; 1 << 16];
    let mut lines = 0u64;
    loop {
        let k = file.read(&mut buf)?;
        if k == 0 {
            return Ok(lines);
        }
        lines += buf[..k].iter().filter(|&&b| b == b'\n').count() as u64;
    }
}

// ---------------------------------------------------------------------------------------------
// Generator: PRNG, dates, encodings
// ---------------------------------------------------------------------------------------------

/// SplitMix64.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Inclusive range.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    fn chance(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }

    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }

    fn chars(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n).map(|_| *self.pick(alphabet) as char).collect()
    }

    fn hex(&mut self, n: usize) -> String {
        self.chars(b"0123456789abcdef", n)
    }

    fn alnum(&mut self, n: usize) -> String {
        self.chars(ALNUM, n)
    }

    /// A hop-to-hop delay in seconds: mostly immediate, sometimes queued.
    fn delay(&mut self) -> i64 {
        match self.below(100) {
            0..=79 => self.range(0, 2) as i64,
            80..=94 => self.range(3, 30) as i64,
            _ => self.range(31, 600) as i64,
        }
    }
}

const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

#[derive(Clone, Copy)]
struct Tz {
    minutes: i32,
    name: Option<&'static str>,
}

const UTC: Tz = Tz {
    minutes: 0,
    name: Some("UTC"),
};
const PLAIN_UTC: Tz = Tz {
    minutes: 0,
    name: None,
};
const PST: Tz = Tz {
    minutes: -480,
    name: Some("PST"),
};
const CET: Tz = Tz {
    minutes: 60,
    name: Some("CET"),
};
const EST: Tz = Tz {
    minutes: -300,
    name: None,
};
const CLIENT_TZS: [Tz; 7] = [
    PLAIN_UTC,
    Tz {
        minutes: 60,
        name: None,
    },
    EST,
    Tz {
        minutes: 330,
        name: None,
    },
    Tz {
        minutes: 540,
        name: None,
    },
    Tz {
        minutes: -480,
        name: None,
    },
    Tz {
        minutes: 180,
        name: None,
    },
];

/// Days since 1970-01-01 to (year, month 1-12, day).
fn civil_from_days(z: i64) -> (i64, usize, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m as usize, d)
}

struct Civil {
    weekday: &'static str,
    day: i64,
    month: &'static str,
    year: i64,
    h: i64,
    m: i64,
    s: i64,
}

fn civil(t: i64) -> Civil {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    Civil {
        weekday: WEEKDAYS[days.rem_euclid(7) as usize],
        day,
        month: MONTHS[month - 1],
        year,
        h: secs / 3600,
        m: secs / 60 % 60,
        s: secs % 60,
    }
}

/// RFC 5322 date, e.g. `Sat, 21 Nov 2026 10:00:00 +0000 (UTC)`.
fn rfc_date(t: i64, tz: Tz) -> String {
    let c = civil(t + i64::from(tz.minutes) * 60);
    let sign = if tz.minutes < 0 { '-' } else { '+' };
    let a = tz.minutes.abs();
    let mut s = format!(
        "{}, {} {} {} {:02}:{:02}:{:02} {sign}{:02}{:02}",
        c.weekday,
        c.day,
        c.month,
        c.year,
        c.h,
        c.m,
        c.s,
        a / 60,
        a % 60
    );
    if let Some(n) = tz.name {
        let _ = write!(s, " ({n})");
    }
    s
}

/// qmail's date form: `21 Nov 2026 10:00:00 -0000`.
fn qmail_date(t: i64) -> String {
    let c = civil(t);
    format!(
        "{} {} {} {:02}:{:02}:{:02} -0000",
        c.day, c.month, c.year, c.h, c.m, c.s
    )
}

/// asctime form for mbox separators: `Sat Nov 21 10:00:00 2026`.
fn asctime(t: i64) -> String {
    let c = civil(t);
    format!(
        "{} {} {:>2} {:02}:{:02}:{:02} {}",
        c.weekday, c.month, c.day, c.h, c.m, c.s, c.year
    )
}

fn base64(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Random base64 of `bytes` bytes of "signature".
fn random_b64(rng: &mut Rng, bytes: usize) -> String {
    let data: Vec<u8> = (0..bytes).map(|_| rng.next_u64() as u8).collect();
    base64(&data)
}

/// Folds a long token into lines of `width`, each continuation starting with `indent`.
fn fold_token(token: &str, first: usize, width: usize, indent: &str) -> String {
    let mut out = String::with_capacity(token.len() + token.len() / width * (indent.len() + 1));
    let (head, mut rest) = token.split_at(first.min(token.len()));
    out.push_str(head);
    while !rest.is_empty() {
        let (line, tail) = rest.split_at(width.min(rest.len()));
        out.push('\n');
        out.push_str(indent);
        out.push_str(line);
        rest = tail;
    }
    out
}

/// RFC 2047 encoded-word in B or Q form, or the text itself when it is ASCII.
fn encode_word(rng: &mut Rng, text: &str) -> String {
    if text.is_ascii() {
        return text.to_string();
    }
    if rng.chance(50) {
        format!("=?UTF-8?B?{}?=", base64(text.as_bytes()))
    } else {
        let mut s = String::from("=?utf-8?Q?");
        for &b in text.as_bytes() {
            match b {
                b' ' => s.push('_'),
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'-' | b'!' => s.push(b as char),
                _ => {
                    let _ = write!(s, "={b:02X}");
                }
            }
        }
        s.push_str("?=");
        s
    }
}

/// Quoted-printable with soft line breaks at 76 columns.
fn quoted_printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for line in text.split('\n') {
        let mut col = 0;
        for &b in line.as_bytes() {
            let enc_len = if (33..=126).contains(&b) && b != b'=' || b == b' ' {
                1
            } else {
                3
            };
            if col + enc_len > 75 {
                out.push_str("=\n");
                col = 0;
            }
            if enc_len == 1 {
                out.push(b as char);
            } else {
                let _ = write!(out, "={b:02X}");
            }
            col += enc_len;
        }
        out.push('\n');
    }
    out.pop();
    out
}

// ---------------------------------------------------------------------------------------------
// Generator: names and addresses
// ---------------------------------------------------------------------------------------------

const FIRST: &[&str] = &[
    "Alice",
    "Bob",
    "Carol",
    "Dave",
    "Erin",
    "Frank",
    "Grace",
    "Heidi",
    "Ivan",
    "Judy",
    "Mallory",
    "Niaj",
    "Olivia",
    "Peggy",
    "Rupert",
    "Sybil",
    "Trent",
    "Victor",
    "Walter",
    "Zoë",
    "José",
    "Åsa",
    "Łukasz",
    "Дмитрий",
];
const LAST: &[&str] = &[
    "Smith",
    "Jones",
    "Müller",
    "García",
    "Dubois",
    "Rossi",
    "Novák",
    "Kowalski",
    "Tanaka",
    "Nguyen",
    "Silva",
    "Jensen",
    "Schmidt",
    "O'Neill",
    "Иванова",
];
const LOCALS: &[&str] = &[
    "alice",
    "bob",
    "carol",
    "dave",
    "erin",
    "frank",
    "grace",
    "heidi",
    "ivan",
    "judy",
    "mallory",
    "olivia",
    "peggy",
    "trent",
    "victor",
    "walter",
    "info",
    "billing",
    "noreply",
    "support",
    "newsletter",
    "sales",
    "hr",
    "accounts",
    "security",
];
const SENDER_DOMAINS: &[&str] = &[
    "example.com",
    "example.org",
    "example.net",
    "example.edu",
    "shop.example",
    "bank.example",
    "news.example.com",
    "mail.example.org",
    "marketing.example.net",
    "billing.example",
    "invoices.example.com",
    "delivery.example",
    "secure-login.example",
    "cloud.example.org",
];
const RCPT_DOMAINS: &[&str] = &[
    "example.net",
    "example.com",
    "corp.example",
    "example.edu",
    "isp.example",
    "example.org",
];
const SUBJECTS: &[&str] = &[
    "Your invoice #{n} is ready",
    "Re: meeting on Thursday",
    "URGENT: verify your account",
    "Your package could not be delivered",
    "Weekly newsletter - issue {n}",
    "Password reset request",
    "Fwd: quarterly report",
    "You have (3) unread messages",
    "Payment confirmation {n}",
    "Action required: mailbox quota exceeded",
    "Re: Re: project update",
    "Congratulations! You have been selected",
    "Security alert for your account",
    "Order #{n} has shipped",
    "Ihre Rechnung für November #{n}",
    "Votre colis est arrivé à l'entrepôt",
    "Счёт на оплату №{n}",
    "ご注文の確認 #{n}",
    "Última oportunidad: 70% de descuento",
    "Ważne: potwierdź swoje konto",
    "Συνάντηση την Πέμπτη",
];
const WORDS: &[&str] = &[
    "account",
    "invoice",
    "please",
    "attached",
    "payment",
    "the",
    "your",
    "we",
    "have",
    "update",
    "meeting",
    "schedule",
    "review",
    "and",
    "of",
    "to",
    "in",
    "for",
    "with",
    "this",
    "that",
    "order",
    "delivery",
    "confirm",
    "details",
    "below",
    "thank",
    "you",
    "regards",
    "team",
    "support",
    "security",
    "password",
    "link",
    "click",
    "here",
    "within",
    "hours",
    "customer",
    "service",
    "report",
    "quarterly",
    "project",
    "status",
    "request",
    "information",
    "office",
    "week",
    "next",
    "about",
    "our",
    "new",
    "policy",
    "changes",
    "café",
    "naïve",
    "résumé",
];

struct Person {
    /// Header form: `"Name" <addr>`, `=?UTF-8?...?= <addr>` or just `addr`.
    header: String,
    addr: String,
    domain: String,
}

fn local_part(rng: &mut Rng) -> String {
    let base = *rng.pick(LOCALS);
    match rng.below(4) {
        0 => format!("{base}{}", rng.range(1, 999)),
        1 => format!("{base}.{}", rng.pick(LOCALS)),
        _ => base.to_string(),
    }
}

fn person(rng: &mut Rng, domains: &[&str]) -> Person {
    let domain = rng.pick(domains).to_string();
    let addr = format!("{}@{domain}", local_part(rng));
    let name = format!("{} {}", rng.pick(FIRST), rng.pick(LAST));
    let header = match rng.below(10) {
        0..=1 => addr.clone(),
        _ if !name.is_ascii() => format!("{} <{addr}>", encode_word(rng, &name)),
        2..=5 => format!("\"{name}\" <{addr}>"),
        _ => format!("{name} <{addr}>"),
    };
    Person {
        header,
        addr,
        domain,
    }
}

fn doc_ipv4(rng: &mut Rng) -> String {
    let net = *rng.pick(&["192.0.2", "198.51.100", "203.0.113"]);
    format!("{net}.{}", rng.range(1, 254))
}

fn doc_ipv6(rng: &mut Rng) -> String {
    format!(
        "2001:db8:{:x}:{:x}::{:x}",
        rng.below(0x10000),
        rng.below(0x10000),
        rng.range(1, 0xffff)
    )
}

// ---------------------------------------------------------------------------------------------
// Generator: Received hops
// ---------------------------------------------------------------------------------------------

/// The machine that hands the message to the next hop.
struct Peer {
    helo: String,
    rdns: Option<String>,
    ip: String,
}

impl Peer {
    fn server(host: &str, ip: String) -> Self {
        Peer {
            helo: host.to_string(),
            rdns: Some(host.to_string()),
            ip,
        }
    }
}

/// What one message's trace is about, shared by all hop writers.
struct Env {
    env_from: String,
    rcpt: String,
    rcpt_domain: String,
    sender_domain: String,
    dkim_domain: Option<String>,
    dkim_selector: String,
    origin_ip: String,
}

fn postfix_qid(rng: &mut Rng) -> String {
    if rng.chance(60) {
        // Long queue ids (enable_long_queue_ids = yes).
        format!(
            "4{}",
            rng.chars(b"BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789", 12)
        )
    } else {
        rng.chars(b"0123456789ABCDEF", 10)
    }
}

fn exim_id(rng: &mut Rng) -> String {
    format!("1t{}-{}-{}", rng.alnum(4), rng.alnum(6), rng.alnum(2))
}

fn tls_comment(rng: &mut Rng) -> &'static str {
    const COMMENTS: [&str; 4] = [
        "\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\n\t key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256)\n\t(No client certificate requested)\n",
        "\t(using TLSv1.3 with cipher TLS_AES_128_GCM_SHA256 (128/128 bits)\n\t key-exchange x25519 server-signature ECDSA (P-256) server-digest SHA256)\n\t(No client certificate requested)\n",
        "\t(using TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits))\n\t(No client certificate requested)\n",
        "\t(using TLSv1.3 with cipher TLS_CHACHA20_POLY1305_SHA256 (256/256 bits)\n\t key-exchange X25519 server-signature RSA-PSS (4096 bits) server-digest SHA256)\n\t(Client did not present a certificate)\n",
    ];
    COMMENTS[rng.below(4) as usize]
}

fn postfix_tz(rng: &mut Rng) -> Tz {
    if rng.chance(70) {
        UTC
    } else {
        CET
    }
}

/// Postfix smtpd: `from helo (rdns [ip]) ... by host (Postfix) with ESMTPS id ... for <rcpt>; date`.
fn postfix_hop(
    rng: &mut Rng,
    peer: &Peer,
    by: &str,
    t: i64,
    env: &Env,
    auth: Option<&str>,
) -> String {
    let tls = auth.is_some() || rng.chance(85);
    let rdns = peer.rdns.as_deref().unwrap_or("unknown");
    let mut s = format!("Received: from {} ({rdns} [{}])\n", peer.helo, peer.ip);
    if tls {
        s.push_str(tls_comment(rng));
    }
    if let Some(a) = auth {
        let _ = writeln!(s, "\t(Authenticated sender: {a})");
    }
    let proto = match (tls, auth.is_some()) {
        (true, true) => "ESMTPSA",
        (true, false) => "ESMTPS",
        (false, true) => "ESMTPA",
        (false, false) => "ESMTP",
    };
    let _ = write!(
        s,
        "\tby {by} (Postfix) with {proto} id {}\n\tfor <{}>; {}\n",
        postfix_qid(rng),
        env.rcpt,
        rfc_date(t, postfix_tz(rng))
    );
    s
}

fn postfix_pickup(rng: &mut Rng, host: &str, t: i64) -> String {
    format!(
        "Received: by {host} (Postfix, from userid {})\n\tid {}; {}\n",
        rng.pick(&["33", "48", "1000", "1001", "0"]),
        postfix_qid(rng),
        rfc_date(t, postfix_tz(rng))
    )
}

fn amavis_pair(rng: &mut Rng, mx: &str, t: i64, env: &Env) -> [String; 2] {
    // Newest first: Postfix re-injection, then the hop into amavisd.
    let into = format!(
        "Received: from {mx} ([127.0.0.1])\n\tby localhost ({mx} [127.0.0.1]) (amavisd-new, port 10024)\n\twith ESMTP id {} for <{}>;\n\t{}\n",
        rng.alnum(12),
        env.rcpt,
        rfc_date(t, UTC)
    );
    let back = format!(
        "Received: from localhost (localhost [127.0.0.1])\n\tby {mx} (Postfix) with ESMTP id {}\n\tfor <{}>; {}\n",
        postfix_qid(rng),
        env.rcpt,
        rfc_date(t + 1, UTC)
    );
    [back, into]
}

fn dovecot_lmtp(rng: &mut Rng, peer: &Peer, by: &str, t: i64, env: &Env) -> String {
    format!(
        "Received: from {} ([{}])\n\tby {by} with LMTPS\n\tid {} (envelope-from <{}>)\n\tfor <{}>; {}\n",
        peer.helo,
        peer.ip,
        rng.alnum(22),
        env.env_from,
        env.rcpt,
        rfc_date(t, UTC)
    )
}

fn exim_hop(rng: &mut Rng, peer: &Peer, by: &str, t: i64, env: &Env, auth: bool) -> String {
    let from = match (&peer.rdns, rng.below(3)) {
        (Some(h), 0) => format!("{h} ([{}]:{})", peer.ip, rng.range(32768, 60999)),
        (Some(h), _) => format!("{h} ([{}] helo={})", peer.ip, peer.helo),
        (None, _) => format!("[{}] (helo={})", peer.ip, peer.helo),
    };
    let cipher = *rng.pick(&["TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256"]);
    let proto = match (auth, rng.chance(85)) {
        (true, _) => format!("esmtpsa  (TLS1.3) tls {cipher}"),
        (false, true) => format!("esmtps  (TLS1.3) tls {cipher}"),
        (false, false) => "esmtp".to_string(),
    };
    format!(
        "Received: from {from}\n\tby {by} with {proto}\n\t(Exim {})\n\t(envelope-from <{}>)\n\tid {}\n\tfor {};\n\t{}\n",
        rng.pick(&["4.96", "4.96.2", "4.97.1", "4.98"]),
        env.env_from,
        exim_id(rng),
        env.rcpt,
        rfc_date(t, if rng.chance(70) { PLAIN_UTC } else { EST })
    )
}

fn exim_local(rng: &mut Rng, user: &str, host: &str, t: i64, env: &Env) -> String {
    format!(
        "Received: from {user} by {host} with local (Exim 4.96)\n\t(envelope-from <{}>)\n\tid {}; {}\n",
        env.env_from,
        exim_id(rng),
        rfc_date(t, PLAIN_UTC)
    )
}

fn sendmail_hop(rng: &mut Rng, peer: &Peer, by: &str, t: i64, env: &Env) -> String {
    let rdns = peer.rdns.as_deref().unwrap_or("may be forged");
    format!(
        "Received: from {} ({rdns} [{}])\n\tby {by} (8.17.1/8.17.1) with ESMTPS id {}\n\t(version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 bits=256 verify=NOT)\n\tfor <{}>; {}\n",
        peer.helo,
        peer.ip,
        rng.chars(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 14),
        env.rcpt,
        rfc_date(t, EST)
    )
}

fn qmail_pair(rng: &mut Rng, peer: &Peer, by: &str, t: i64) -> String {
    let pid = rng.range(1000, 99999);
    format!(
        "Received: (qmail {pid} invoked from network); {}\nReceived: from {} (HELO {}) ({})\n  by {by} with SMTP; {}\n",
        qmail_date(t),
        peer.rdns.as_deref().unwrap_or("unknown"),
        peer.helo,
        peer.ip,
        qmail_date(t)
    )
}

fn gmail_2002() -> &'static str {
    "2002:a05"
}

fn gmail_by(rng: &mut Rng, t: i64) -> String {
    format!(
        "by {}:{}:{}:b0:{}:{}:{} with SMTP id {}{}csp{}{};\n        {}",
        gmail_2002(),
        rng.hex(4),
        rng.hex(4),
        rng.hex(3),
        rng.hex(4),
        rng.hex(4),
        rng.chars(b"abcdefghijklmnopqrstuvwxyz", 1),
        rng.range(1, 99),
        rng.range(100_000, 9_999_999),
        rng.chars(b"abcdefghijklmnopqrstuvwxyz", 3),
        rfc_date(t, PST)
    )
}

fn gmail_id(rng: &mut Rng, tag: &str, t: i64) -> String {
    format!(
        "{}-{}{tag}{}{}.{}.{}",
        rng.hex(13),
        rng.hex(11),
        rng.range(1_000_000, 9_999_999),
        rng.chars(b"abcdefghijklmnopqrstuvwxyz", 3),
        rng.range(1, 499),
        t * 1000 + rng.below(1000) as i64
    )
}

fn google_out_host(rng: &mut Rng) -> String {
    format!(
        "mail-{}{}-f{}.google.com",
        rng.pick(&["wr", "lf", "ej", "pl", "qk", "yb", "oi", "sor"]),
        rng.range(1, 9),
        rng.range(41, 199)
    )
}

fn gmail_mx_hop(rng: &mut Rng, peer: &Peer, t: i64, env: &Env, internal: bool) -> String {
    let rdns = peer.rdns.as_deref().unwrap_or("unknown");
    let (with, tls) = if internal {
        ("SMTPS", "(Google Transport Security)".to_string())
    } else {
        (
            "ESMTPS",
            format!(
                "(version=TLS1_3 cipher={} bits={});",
                rng.pick(&["TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256"]),
                "256/256"
            ),
        )
    };
    let tls = if internal { format!("{tls};") } else { tls };
    format!(
        "Received: from {} ({rdns}. [{}])\n        by mx.google.com with {with} id {}\n        for <{}>\n        {tls}\n        {}\n",
        peer.helo,
        peer.ip,
        gmail_id(rng, "si", t),
        env.rcpt,
        rfc_date(t, PST)
    )
}

fn outlook_server(rng: &mut Rng) -> String {
    let (pre, region) = *rng.pick(&[
        ("AM6PR04", "eurprd04"),
        ("DB9PR08", "eurprd08"),
        ("PAXPR03", "eurprd03"),
        ("SN7PR12", "namprd12"),
        ("CH3PR11", "namprd11"),
        ("SEZPR06", "apcprd06"),
    ]);
    format!("{pre}MB{}.{region}.prod.outlook.com", rng.range(1000, 9999))
}

fn outlook_ip(rng: &mut Rng) -> String {
    format!(
        "2603:10a6:{:x}:{:x}::{:x}",
        rng.range(0x10, 0x7ff),
        rng.range(0x10, 0xfff),
        rng.range(1, 0x30)
    )
}

fn exchange_version(rng: &mut Rng) -> String {
    format!("15.20.{}.{}", rng.range(7000, 8300), rng.range(10, 40))
}

fn o365_internal(rng: &mut Rng, from: &str, by: &str, t: i64) -> String {
    let tls = *rng.pick(&[
        "(version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384)",
        "(version=TLS1_3, cipher=TLS_AES_256_GCM_SHA384)",
    ]);
    format!(
        "Received: from {from} ({}) by\n {by} ({}) with Microsoft SMTP Server\n {tls} id {};\n {}\n",
        outlook_ip(rng),
        outlook_ip(rng),
        exchange_version(rng),
        rfc_date(t, PLAIN_UTC)
    )
}

fn o365_mapi(rng: &mut Rng, host: &str, t: i64) -> String {
    let ll = format!(
        "fe80::{}:{}:{}:{}",
        rng.hex(4),
        rng.hex(4),
        rng.hex(4),
        rng.hex(4)
    );
    format!(
        "Received: from {host}\n ([{ll}]) by {host}\n ([{ll}%{}]) with mapi id {}; {}\n",
        rng.range(3, 7),
        exchange_version(rng).replace(".28", ".028"),
        rfc_date(t, PLAIN_UTC)
    )
}

fn o365_frontend(rng: &mut Rng, peer: &Peer, t: i64) -> (String, String) {
    let fe = format!(
        "{}PEPF0000{}.mail.protection.outlook.com",
        rng.pick(&["AM4", "DB1", "SN1", "CH2", "HK2"]),
        rng.chars(b"0123456789ABCDEF", 4)
    );
    let s = format!(
        "Received: from {} ({}) by\n {fe} ({}) with Microsoft SMTP\n Server (version=TLS1_3, cipher=TLS_AES_256_GCM_SHA384) id {} via\n Frontend Transport; {}\n",
        peer.rdns.as_deref().unwrap_or(&peer.helo),
        peer.ip,
        doc_ipv4(rng),
        exchange_version(rng),
        rfc_date(t, PLAIN_UTC)
    );
    (s, fe)
}

// ---------------------------------------------------------------------------------------------
// Generator: authentication headers
// ---------------------------------------------------------------------------------------------

fn dkim_signature(rng: &mut Rng, env: &Env, d: &str, t: i64) -> String {
    let bh = random_b64(rng, 32);
    let b = random_b64(rng, 256);
    let (indent, h) = if rng.chance(50) {
        (
            "        ",
            "h=to:subject:message-id:date:from:mime-version:from:to:cc:subject\n         :date:message-id:reply-to",
        )
    } else {
        (
            "\t",
            "h=From:To:Subject:Date:Message-ID:MIME-Version:Content-Type:\n\t Reply-To:List-Unsubscribe",
        )
    };
    format!(
        "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\n{indent}d={d}; s={}; t={t}; x={};\n{indent}{h};\n{indent}bh={bh};\n{indent}b={}\n",
        env.dkim_selector,
        t + 604_800,
        fold_token(&b, 70, 72, indent)
    )
}

fn auth_results(env: &Env, authserv: &str, indent: &str, dkim_b: &str) -> String {
    let dkim = match &env.dkim_domain {
        Some(d) => format!(
            "dkim=pass header.i=@{d} header.s={} header.b={dkim_b}",
            env.dkim_selector
        ),
        None => "dkim=none (message not signed)".to_string(),
    };
    let dmarc = if env.dkim_domain.is_some() {
        "pass (p=REJECT sp=REJECT dis=NONE)"
    } else {
        "fail (p=NONE sp=NONE dis=NONE)"
    };
    format!(
        "Authentication-Results: {authserv};\n{indent}{dkim};\n{indent}spf=pass ({authserv}: domain of {} designates {} as permitted sender) smtp.mailfrom={};\n{indent}dmarc={dmarc} header.from={}\n",
        env.env_from, env.origin_ip, env.env_from, env.sender_domain
    )
}

fn arc_set(rng: &mut Rng, env: &Env, d: &str, t: i64, indent: &str) -> String {
    let seal = random_b64(rng, 256);
    let ams = random_b64(rng, 256);
    let bh = random_b64(rng, 32);
    let dkim_b = rng.alnum(8);
    let aar = auth_results(env, &format!("mx.{d}"), indent, &dkim_b).replacen(
        "Authentication-Results: ",
        "ARC-Authentication-Results: i=1; ",
        1,
    );
    format!(
        "ARC-Seal: i=1; a=rsa-sha256; t={t}; cv=none;\n{indent}d={d}; s=arc-20240605;\n{indent}b={}\nARC-Message-Signature: i=1; a=rsa-sha256; c=relaxed/relaxed; d={d}; s=arc-20240605;\n{indent}h=to:subject:message-id:date:from:mime-version:dkim-signature;\n{indent}bh={bh};\n{indent}fh={}; b={}\n{aar}",
        fold_token(&seal, 70, 72, indent),
        random_b64(rng, 32),
        fold_token(&ams, 40, 72, indent)
    )
}

// ---------------------------------------------------------------------------------------------
// Generator: the trace (all Received and related headers)
// ---------------------------------------------------------------------------------------------

struct Trace {
    /// Header blocks, oldest hop first; each block is newest-first inside.
    blocks: Vec<String>,
    received: usize,
    t: i64,
}

impl Trace {
    fn add(&mut self, block: String) {
        self.received += block.matches("Received: ").count() - block.matches("-Received: ").count();
        self.blocks.push(block);
    }

    fn step(&mut self, rng: &mut Rng) -> i64 {
        self.t += rng.delay();
        self.t
    }
}

fn botnet_helo(rng: &mut Rng, ip: &str) -> String {
    match rng.below(4) {
        0 => format!("[{ip}]"),
        1 => format!(
            "DESKTOP-{}",
            rng.chars(b"ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", 7)
        ),
        2 => format!("{}.dyn.isp.example", ip.replace('.', "-")),
        _ => format!("mail.{}", rng.pick(SENDER_DOMAINS)),
    }
}

/// Builds a trace with 2–7 Received headers; returns (headers text, delivery time).
fn trace(rng: &mut Rng, env: &Env, t_sent: i64) -> (String, i64) {
    loop {
        let mut tr = Trace {
            blocks: Vec::new(),
            received: 0,
            t: t_sent + rng.range(0, 2) as i64,
        };
        let client_ip = env.origin_ip.clone();
        let sd = env.sender_domain.clone();

        // Sender side.
        let mut peer = match rng.below(100) {
            0..=29 => {
                let smtp = format!("{}.{sd}", rng.pick(&["smtp", "mail", "out"]));
                if rng.chance(30) {
                    let b = postfix_pickup(rng, &smtp, tr.t);
                    tr.add(b);
                } else {
                    let client = Peer {
                        helo: if rng.chance(50) {
                            format!("[{client_ip}]")
                        } else {
                            format!("{}-laptop", rng.pick(LOCALS))
                        },
                        rdns: None,
                        ip: client_ip.clone(),
                    };
                    let user = env.env_from.clone();
                    let b = postfix_hop(rng, &client, &smtp, tr.t, env, Some(&user));
                    tr.add(b);
                }
                Peer::server(&smtp, doc_ipv4(rng))
            }
            30..=44 => {
                let host = format!("server{}.hosting.example", rng.range(1, 400));
                if rng.chance(50) {
                    let user = local_part(rng);
                    let b = exim_local(rng, &user, &host, tr.t, env);
                    tr.add(b);
                } else {
                    let client = Peer {
                        helo: format!("[{client_ip}]"),
                        rdns: None,
                        ip: client_ip.clone(),
                    };
                    let b = exim_hop(rng, &client, &host, tr.t, env, true);
                    tr.add(b);
                }
                Peer::server(&host, doc_ipv4(rng))
            }
            45..=59 => {
                let b = format!("Received: {}\n", gmail_by(rng, tr.t));
                tr.add(b);
                let host = google_out_host(rng);
                Peer::server(&host, doc_ipv4(rng))
            }
            60..=74 => {
                let a = outlook_server(rng);
                let b = o365_mapi(rng, &a, tr.t);
                tr.add(b);
                let mut from = a;
                for _ in 0..rng.range(1, 2) {
                    let by = outlook_server(rng);
                    let t = tr.step(rng);
                    let b = o365_internal(rng, &from, &by, t);
                    tr.add(b);
                    from = by;
                }
                let host = format!(
                    "mail-{}{}{}.outbound.protection.outlook.com",
                    rng.pick(&["db8eur05on", "am7eur03on", "bn8nam12on", "sy4aus01on"]),
                    rng.range(2000, 2199),
                    rng.range(10, 99)
                );
                Peer {
                    helo: host.clone(),
                    rdns: Some(host),
                    ip: if rng.chance(50) {
                        doc_ipv4(rng)
                    } else {
                        doc_ipv6(rng)
                    },
                }
            }
            75..=81 => {
                let b = format!(
                    "Received: (qmail {} invoked by uid {}); {}\n",
                    rng.range(1000, 99999),
                    rng.pick(&["89", "1001", "503"]),
                    qmail_date(tr.t)
                );
                tr.add(b);
                let host = format!("web{}.{sd}", rng.range(1, 20));
                Peer::server(&host, doc_ipv4(rng))
            }
            _ => {
                let helo = botnet_helo(rng, &client_ip);
                let rdns = if rng.chance(40) {
                    Some(format!("{}.dyn.isp.example", client_ip.replace('.', "-")))
                } else {
                    None
                };
                Peer {
                    helo,
                    rdns,
                    ip: client_ip.clone(),
                }
            }
        };
        if !tr.blocks.is_empty() {
            tr.step(rng);
        }

        // An optional relay: outbound gateway, mailing list or forwarder.
        if rng.chance(15) {
            let relay = format!(
                "{}.{}",
                rng.pick(&["relay", "lists", "fwd", "gw1", "filter"]),
                rng.pick(SENDER_DOMAINS)
            );
            let b = if rng.chance(70) {
                postfix_hop(rng, &peer, &relay, tr.t, env, None)
            } else {
                sendmail_hop(rng, &peer, &relay, tr.t, env)
            };
            tr.add(b);
            peer = Peer::server(&relay, doc_ipv4(rng));
            tr.step(rng);
        }

        // Recipient side.
        let rd = env.rcpt_domain.clone();
        let dkim_b = rng.alnum(8);
        match rng.below(100) {
            0..=34 => {
                let mx = format!("mx{}.{rd}", rng.range(1, 2));
                let mut b = String::new();
                if rng.chance(70) {
                    b.push_str(&auth_results(env, &mx, "\t", &dkim_b));
                }
                b.push_str(&postfix_hop(rng, &peer, &mx, tr.t, env, None));
                tr.add(b);
                if rng.chance(30) {
                    let t = tr.step(rng);
                    let [back, into] = amavis_pair(rng, &mx, t, env);
                    tr.add(into);
                    tr.add(back);
                    tr.t += 1;
                }
                if rng.chance(75) {
                    let t = tr.step(rng);
                    let mxp = Peer::server(&mx, doc_ipv4(rng));
                    let b = format!(
                        "Delivered-To: {}\n{}",
                        env.rcpt,
                        dovecot_lmtp(rng, &mxp, &format!("imap.{rd}"), t, env)
                    );
                    tr.add(b);
                }
            }
            35..=59 => {
                let internal = peer.helo.ends_with(".google.com");
                let mut b = String::new();
                b.push_str(&format!("Received-SPF: pass (google.com: domain of {} designates {} as permitted sender) client-ip={};\n", env.env_from, peer.ip, peer.ip));
                b.push_str(&auth_results(env, "mx.google.com", "       ", &dkim_b));
                let hop = gmail_mx_hop(rng, &peer, tr.t, env, internal);
                let b = format!("{b}{hop}");
                let t = tr.step(rng);
                let mut top = format!(
                    "Delivered-To: {}\nReceived: {}\n",
                    env.rcpt,
                    gmail_by(rng, t)
                );
                top.push_str(&format!("X-Received: {}\n", gmail_by(rng, t)));
                top.push_str(&arc_set(rng, env, "google.com", t, "        "));
                top.push_str(&format!("Return-Path: <{}>\n", env.env_from));
                tr.add(b);
                tr.add(top);
            }
            60..=79 => {
                let (b, fe) = o365_frontend(rng, &peer, tr.t);
                tr.add(b);
                let mut from = fe;
                let hops = rng.range(1, 2);
                for i in 0..hops {
                    let by = outlook_server(rng);
                    let t = tr.step(rng);
                    let mut b = String::new();
                    if i + 1 == hops {
                        b.push_str(&auth_results(
                            env,
                            "spf.protection.outlook.com",
                            " ",
                            &dkim_b,
                        ));
                        b.push_str(&arc_set(rng, env, "microsoft.com", t, " "));
                    }
                    b.push_str(&o365_internal(rng, &from, &by, t));
                    tr.add(b);
                    from = by;
                }
            }
            80..=89 => {
                let mx = format!("mx.{rd}");
                let b = exim_hop(rng, &peer, &mx, tr.t, env, false);
                tr.add(b);
                if rng.chance(40) {
                    let t = tr.step(rng);
                    let mxp = Peer::server(&mx, doc_ipv4(rng));
                    let b = exim_hop(rng, &mxp, &format!("mail.{rd}"), t, env, false);
                    tr.add(b);
                }
            }
            90..=94 => {
                let b = qmail_pair(rng, &peer, &format!("mx.{rd}"), tr.t);
                tr.add(b);
            }
            _ => {
                let b = sendmail_hop(rng, &peer, &format!("mail.{rd}"), tr.t, env);
                tr.add(b);
            }
        }

        if (2..=7).contains(&tr.received) {
            let mut out = String::with_capacity(tr.blocks.iter().map(String::len).sum());
            if !tr.blocks.last().is_some_and(|b| b.contains("Return-Path:")) {
                let _ = writeln!(out, "Return-Path: <{}>", env.env_from);
            }
            for b in tr.blocks.iter().rev() {
                out.push_str(b);
            }
            return (out, tr.t);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Generator: bodies and messages
// ---------------------------------------------------------------------------------------------

fn paragraphs(rng: &mut Rng, target: usize) -> Vec<String> {
    let mut paras = Vec::new();
    let mut total = 0;
    while total < target {
        let mut p = String::new();
        let mut line_len = 0;
        if rng.chance(2) {
            // Body lines starting with "From " must be quoted in the mbox.
            p.push_str("From the desk of the account team:\n");
        } else if rng.chance(1) {
            p.push_str(">From the archives, quoted already:\n");
        }
        for i in 0..rng.range(12, 60) {
            let w = *rng.pick(WORDS);
            if line_len + w.len() + 1 > 72 {
                p.push('\n');
                line_len = 0;
            } else if i > 0 {
                p.push(' ');
                line_len += 1;
            }
            p.push_str(w);
            line_len += w.chars().count();
        }
        p.push('.');
        total += p.len() + 2;
        paras.push(p);
    }
    paras
}

fn boundary(rng: &mut Rng) -> String {
    match rng.below(4) {
        0 => format!("000000000000{}", rng.hex(12)),
        1 => format!(
            "----=_Part_{}_{}.{}",
            rng.range(1, 99999),
            rng.range(1, 999999999),
            rng.range(1, 1 << 40)
        ),
        2 => format!("_000_{}_", rng.alnum(30)),
        _ => format!("b1_{}", rng.alnum(32)),
    }
}

/// Returns (content-type header lines, body).
fn body(rng: &mut Rng) -> (String, String) {
    let target = rng.range(500, 4000) as usize;
    let multipart = rng.chance(72);
    let paras = paragraphs(rng, if multipart { target / 2 } else { target });
    let text = paras.join("\n\n") + "\n";
    let (text_cte, text_body) = if !text.is_ascii() && rng.chance(60) {
        ("quoted-printable", quoted_printable(&text))
    } else {
        ("8bit", text)
    };
    if !multipart {
        return (
            format!(
                "Content-Type: text/plain; charset=\"utf-8\"\nContent-Transfer-Encoding: {text_cte}\n"
            ),
            text_body,
        );
    }
    let mut html = String::from(
        "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\"></head><body>\n",
    );
    for p in &paras {
        let _ = writeln!(html, "<p>{}</p>", p.replace('\n', " "));
    }
    html.push_str("</body></html>\n");
    let (html_cte, html_body) = match rng.below(3) {
        0 => {
            let b = base64(html.as_bytes());
            ("base64", fold_token(&b, 76, 76, "") + "\n")
        }
        1 => ("quoted-printable", quoted_printable(&html)),
        _ => ("8bit", html.replace("</p>", "</p>\n")),
    };
    let bd = boundary(rng);
    let body = format!(
        "--{bd}\nContent-Type: text/plain; charset=\"utf-8\"\nContent-Transfer-Encoding: {text_cte}\n\n{text_body}\n--{bd}\nContent-Type: text/html; charset=\"utf-8\"\nContent-Transfer-Encoding: {html_cte}\n\n{html_body}\n--{bd}--\n"
    );
    (
        format!("Content-Type: multipart/alternative;\n\tboundary=\"{bd}\"\n"),
        body,
    )
}

struct Generated {
    text: String,
    env_from: String,
    delivered: i64,
    origin_ip: String,
    sender_domain: String,
}

/// A plain delivered message. `rcpt` forces the recipient (for complaints).
fn normal_message(rng: &mut Rng, t_sent: i64, forced: Option<(&Person, String)>) -> Generated {
    let sender = person(rng, SENDER_DOMAINS);
    let rcpt = person(rng, RCPT_DOMAINS);
    let (rcpt, subject_override) = match forced {
        Some((p, s)) => (
            Person {
                header: p.header.clone(),
                addr: p.addr.clone(),
                domain: p.domain.clone(),
            },
            Some(s),
        ),
        None => (rcpt, None),
    };
    let env_from = if rng.chance(25) {
        format!(
            "bounce-{}-{}@{}",
            rng.range(1000, 999999),
            rng.hex(8),
            sender.domain
        )
    } else {
        sender.addr.clone()
    };
    let signed = rng.chance(60);
    let env = Env {
        env_from: env_from.clone(),
        rcpt: rcpt.addr.clone(),
        rcpt_domain: rcpt.domain.clone(),
        sender_domain: sender.domain.clone(),
        dkim_domain: signed.then(|| sender.domain.clone()),
        dkim_selector: rng
            .pick(&["s1", "selector1", "20230601", "google", "k1", "mail"])
            .to_string(),
        origin_ip: doc_ipv4(rng),
    };
    let (trace_text, delivered) = trace(rng, &env, t_sent);

    let mut h = trace_text;
    if let Some(d) = &env.dkim_domain {
        h.push_str(&dkim_signature(rng, &env, d, t_sent));
    }
    let subject = match subject_override {
        Some(s) => s,
        None => {
            let s = rng
                .pick(SUBJECTS)
                .replace("{n}", &rng.range(1000, 99999).to_string());
            encode_word(rng, &s)
        }
    };
    let _ = writeln!(h, "From: {}", sender.header);
    let _ = writeln!(h, "To: {}", rcpt.header);
    if rng.chance(15) {
        let r = person(rng, SENDER_DOMAINS);
        let _ = writeln!(h, "Reply-To: {}", r.header);
    }
    let _ = writeln!(h, "Subject: {subject}");
    let _ = writeln!(h, "Date: {}", rfc_date(t_sent, *rng.pick(&CLIENT_TZS)));
    let _ = writeln!(
        h,
        "Message-ID: <{}.{}@{}>",
        rng.alnum(16),
        t_sent,
        sender.domain
    );
    if rng.chance(30) {
        let _ = writeln!(
            h,
            "List-Unsubscribe: <https://{}/unsubscribe?u={}>,\n <mailto:unsubscribe@{}>",
            sender.domain,
            rng.alnum(24),
            sender.domain
        );
    }
    if rng.chance(25) {
        let _ = writeln!(
            h,
            "X-Mailer: {}",
            rng.pick(&[
                "Microsoft Outlook 16.0",
                "PHPMailer 6.9.1 (https://github.com/PHPMailer/PHPMailer)",
                "Apple Mail (2.3774.300.61.1.2)",
                "Thunderbird 128.4.0"
            ])
        );
    }
    h.push_str("MIME-Version: 1.0\n");
    let (ct, b) = body(rng);
    h.push_str(&ct);
    h.push('\n');
    h.push_str(&b);
    Generated {
        text: h,
        env_from,
        delivered,
        origin_ip: env.origin_ip,
        sender_domain: env.sender_domain,
    }
}

/// A user forwarding spam to an abuse desk as an attachment.
fn forwarded_complaint(rng: &mut Rng, t: i64) -> Generated {
    let sent = t - rng.range(600, 86_400) as i64;
    let inner = normal_message(rng, sent, None);
    let abuse = Person {
        header: "abuse@example.org".into(),
        addr: "abuse@example.org".into(),
        domain: "example.org".into(),
    };
    let mut outer = normal_message(
        rng,
        t,
        Some((&abuse, "Fwd: spam received - please investigate".into())),
    );
    let cut = outer
        .text
        .find("MIME-Version: 1.0\n")
        .expect("outer has MIME-Version");
    outer.text.truncate(cut);
    let bd = boundary(rng);
    let _ = write!(
        outer.text,
        "MIME-Version: 1.0\nContent-Type: multipart/mixed;\n\tboundary=\"{bd}\"\n\nThis is a multi-part message in MIME format.\n\n--{bd}\nContent-Type: text/plain; charset=\"utf-8\"\n\nHello abuse team,\n\nI keep receiving messages like the attached one from {}.\nPlease investigate.\n\n--{bd}\nContent-Type: message/rfc822\nContent-Disposition: attachment; filename=\"spam.eml\"\n\n{}\n--{bd}--\n",
        inner.origin_ip, inner.text
    );
    outer
}

/// An ARF (RFC 5965) feedback report.
fn arf_report(rng: &mut Rng, t: i64) -> Generated {
    let arrival = t - rng.range(60, 7200) as i64;
    let inner = normal_message(rng, arrival - 5, None);
    let abuse = Person {
        header: "abuse@example.com".into(),
        addr: "abuse@example.com".into(),
        domain: "example.com".into(),
    };
    let mut outer = normal_message(
        rng,
        t,
        Some((
            &abuse,
            "FW: complaint about message from ".to_string() + &inner.origin_ip,
        )),
    );
    let cut = outer
        .text
        .find("MIME-Version: 1.0\n")
        .expect("outer has MIME-Version");
    outer.text.truncate(cut);
    let bd = boundary(rng);
    let headers_only = rng.chance(40);
    let original = if headers_only {
        let end = inner.text.find("\n\n").map_or(inner.text.len(), |i| i + 1);
        format!(
            "Content-Type: text/rfc822-headers\n\n{}",
            &inner.text[..end]
        )
    } else {
        format!(
            "Content-Type: message/rfc822\nContent-Disposition: inline\n\n{}",
            inner.text
        )
    };
    let _ = write!(
        outer.text,
        "MIME-Version: 1.0\nContent-Type: multipart/report; report-type=feedback-report;\n\tboundary=\"{bd}\"\n\n--{bd}\nContent-Type: text/plain; charset=\"US-ASCII\"\nContent-Transfer-Encoding: 7bit\n\nThis is an email abuse report for an email message received from IP\n{} on {}.\nFor more information about this format please see\nhttp://www.mipassoc.org/arf/.\n\n--{bd}\nContent-Type: message/feedback-report\n\nFeedback-Type: abuse\nUser-Agent: ExampleFBL/2.1\nVersion: 1\nOriginal-Mail-From: <{}>\nOriginal-Rcpt-To: <{}@example.net>\nArrival-Date: {}\nReported-Domain: {}\nSource-IP: {}\nAuthentication-Results: fbl.example.net; spf=pass smtp.mailfrom={}\n\n--{bd}\n{}\n--{bd}--\n",
        inner.origin_ip,
        rfc_date(arrival, PLAIN_UTC),
        inner.env_from,
        local_part(rng),
        rfc_date(arrival, PLAIN_UTC),
        inner.sender_domain,
        inner.origin_ip,
        inner.sender_domain,
        original
    );
    outer
}

fn message(index: usize) -> Generated {
    let mut rng = Rng(SEED ^ (index as u64).wrapping_mul(0xD1B5_4A32_D192_ED03));
    let t = T0 + index as i64 * 17 + rng.below(17) as i64;
    match rng.below(100) {
        0 => forwarded_complaint(&mut rng, t),
        1 => arf_report(&mut rng, t),
        _ => normal_message(&mut rng, t, None),
    }
}

/// Writes one message in mboxrd form: separator, body with `From ` lines quoted, blank line.
fn write_mbox_message(w: &mut impl Write, m: &Generated) -> io::Result<()> {
    writeln!(w, "From {} {}", m.env_from, asctime(m.delivered))?;
    for line in m.text.split_inclusive('\n') {
        let b = line.as_bytes();
        let quotes = b.iter().take_while(|&&c| c == b'>').count();
        if b[quotes..].starts_with(b"From ") {
            w.write_all(b">")?;
        }
        w.write_all(b)?;
    }
    if !m.text.ends_with('\n') {
        w.write_all(b"\n")?;
    }
    w.write_all(b"\n")
}

/// Generates every missing file in one pass; message i is the same in every file.
fn generate(files: &[(usize, PathBuf)]) -> io::Result<()> {
    let max = files.iter().map(|f| f.0).max().unwrap_or(0);
    let mut outs = Vec::new();
    for (n, path) in files {
        let tmp = path.with_extension("mbox.tmp");
        outs.push((
            *n,
            tmp.clone(),
            BufWriter::with_capacity(1 << 20, File::create(&tmp)?),
        ));
    }
    let mut buf = Vec::with_capacity(64 * 1024);
    for i in 0..max {
        buf.clear();
        write_mbox_message(&mut buf, &message(i))?;
        for (n, _, w) in outs.iter_mut() {
            if i < *n {
                w.write_all(&buf)?;
            }
        }
    }
    for ((_, tmp, w), (_, path)) in outs.into_iter().zip(files) {
        w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        fs::rename(tmp, path)?;
    }
    Ok(())
}
