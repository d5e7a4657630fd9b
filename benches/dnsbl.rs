//! Bulk DNSBL benchmark on the dnsbench NSD: `mailsleuth dnsbl` end to end, and its resolver
//! alone, against adnshost in the same run.
//!
//! Start the server first (adnshost only talks to port 53, hence `ADNS53=1`; it needs nsd and
//! adns-tools from Debian):
//!
//! ```text
//! (cd ../shared/tools/dnsbench && ADNS53=1 ./start.sh)
//! cargo bench --bench dnsbl
//! cargo bench --bench dnsbl -- --concurrency 512 --server 127.0.0.1:53535 --dnsbench DIR
//! ```
//!
//! It runs, in one run (the binary first, so its peak RSS is its own):
//! 1. the binary: `mailsleuth dnsbl --format ndjson -f ips_100k.txt` against `zen.test`
//!    (added with `--zone-file`), with PTR and forward confirmation for every address, as a
//!    child process (wall time, peak RSS from wait4). Every address must have exactly one
//!    result; the listed ones must equal `listed.txt` (its 127.255.255.254 answers must be
//!    errors, never listed);
//! 2. the resolver alone: 100,000 DNSBL A queries and 100,000 PTR queries (counting every
//!    outcome; the positives must equal `zones/listed.txt` and every PTR must answer);
//! 3. `adns_chunked.sh` (adnshost, 200 names per process) on the same DNSBL and PTR names.
//!
//! It prints q/s for each and the ratios to adnshost, and exits non-zero when an answer is
//! lost, duplicated or wrong.

#[path = "common/child.rs"]
mod child;

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use mailsleuth::dns::{
    parse_server, LookupError, Rdata, RecordType, Resolve, Resolver, ResolverOptions,
};

struct Args {
    dnsbench: PathBuf,
    server: SocketAddr,
    concurrency: usize,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        dnsbench: PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/tools/dnsbench"
        )),
        server: "127.0.0.1:53535".parse().map_err(|e| format!("{e}"))?,
        concurrency: 256,
    };
    let mut it = std::env::args().skip(1);
    while let Some(key) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{key} needs a value"));
        match key.as_str() {
            "--bench" => {}
            "--dnsbench" => args.dnsbench = PathBuf::from(value()?),
            "--server" => args.server = parse_server(&value()?)?,
            "--concurrency" => {
                args.concurrency = value()?
                    .parse()
                    .map_err(|e| format!("--concurrency: {e}"))?
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(args)
}

#[derive(Default, Debug)]
struct Tally {
    answers: usize,
    nxdomain: usize,
    nodata: usize,
    errors: HashMap<String, usize>,
}

fn read_lines(path: &PathBuf) -> Result<Vec<String>, String> {
    std::fs::read_to_string(path)
        .map(|t| t.lines().map(str::to_string).collect())
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// Runs every name through the resolver; returns the tally, the wall time and the A/PTR data
/// per name so the caller can check it.
async fn run(
    res: Arc<Resolver>,
    names: &[String],
    rtype: RecordType,
    window: usize,
) -> (Tally, Duration, HashMap<String, Vec<Rdata>>) {
    let start = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    let mut tally = Tally::default();
    let mut data = HashMap::new();
    let mut queue = names.iter();
    // Keep a bounded number of tasks, as a streaming bulk runner would, so the peak RSS
    // reflects the resolver rather than 100,000 parked tasks.
    loop {
        while set.len() < window {
            let Some(name) = queue.next() else { break };
            let res = res.clone();
            let name = name.clone();
            set.spawn(async move {
                let r = res.lookup(&name, rtype).await;
                (name, r)
            });
        }
        let Some(joined) = set.join_next().await else {
            break;
        };
        let Ok((name, r)) = joined else {
            *tally.errors.entry("task panicked".into()).or_default() += 1;
            continue;
        };
        match r {
            Ok(answer) => {
                tally.answers += 1;
                if data
                    .insert(name, answer.records.into_iter().map(|r| r.data).collect())
                    .is_some()
                {
                    *tally.errors.entry("duplicate".into()).or_default() += 1;
                }
            }
            Err(LookupError::NxDomain) => tally.nxdomain += 1,
            Err(LookupError::NoData) => tally.nodata += 1,
            Err(e) => *tally.errors.entry(e.to_string()).or_default() += 1,
        }
    }
    (tally, start.elapsed(), data)
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() -> ExitCode {
    match real_main() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dnsbl bench: {e}");
            eprintln!(
                "start the server first: (cd ../shared/tools/dnsbench && ADNS53=1 ./start.sh)"
            );
            ExitCode::FAILURE
        }
    }
}

fn real_main() -> Result<(), String> {
    let args = parse_args()?;
    let zones = args.dnsbench.join("zones");
    let dnsbl = read_lines(&zones.join("q_dnsbl_100k.txt"))?;
    let ptr = read_lines(&zones.join("q_ptr_100k.txt"))?;
    let listed: HashMap<String, String> = read_lines(&zones.join("listed.txt"))?
        .into_iter()
        .filter_map(|l| {
            let (ip, code) = l.split_once(',')?;
            let rev: Vec<&str> = ip.split('.').rev().collect();
            Some((format!("{}.zen.test", rev.join(".")), code.to_string()))
        })
        .collect();

    let res = Arc::new(
        Resolver::new(ResolverOptions {
            servers: vec![args.server],
            timeout: Duration::from_secs(2),
            attempts: 3,
            concurrency: args.concurrency,
        })
        .map_err(|e| e.to_string())?,
    );
    let rt = mailsleuth::dns::runtime().map_err(|e| e.to_string())?;
    // Warm-up: the server must be there, and sockets get opened.
    rt.block_on(res.lookup("2.0.0.127.zen.test", RecordType::A))
        .map_err(|e| format!("no answer from {}: {e}", args.server))?;

    // The binary runs first: a child's peak RSS as wait4 reports it starts from the size of
    // the process that forked it, so it must be forked before this one holds the answer maps.
    let (ours_qps, ours_problems) = run_binary(&args, &zones)?;

    let (a_tally, a_time, a_data) = rt.block_on(run(
        res.clone(),
        &dnsbl,
        RecordType::A,
        2 * args.concurrency,
    ));
    let (p_tally, p_time, p_data) = rt.block_on(run(
        res.clone(),
        &ptr,
        RecordType::Ptr,
        2 * args.concurrency,
    ));
    let a_qps = dnsbl.len() as f64 / a_time.as_secs_f64();
    let p_qps = ptr.len() as f64 / p_time.as_secs_f64();
    println!(
        "mailsleuth DNSBL A : {} queries in {:.3}s = {:.0} q/s  {:?}",
        dnsbl.len(),
        a_time.as_secs_f64(),
        a_qps,
        a_tally
    );
    println!(
        "mailsleuth PTR    : {} queries in {:.3}s = {:.0} q/s  {:?}",
        ptr.len(),
        p_time.as_secs_f64(),
        p_qps,
        p_tally
    );

    let mut problems = Vec::new();
    if a_tally.answers + a_tally.nxdomain + a_tally.nodata != dnsbl.len() {
        problems.push(format!("DNSBL outcomes not all definitive: {a_tally:?}"));
    }
    let wrong = listed
        .iter()
        .filter(|(name, code)| {
            a_data.get(*name).is_none_or(|d| {
                d.as_slice()
                    != [Rdata::A(
                        code.parse().unwrap_or(std::net::Ipv4Addr::UNSPECIFIED),
                    )]
            })
        })
        .count();
    if wrong > 0 || a_tally.answers != listed.len() {
        problems.push(format!(
            "DNSBL: {} answers, {} listed, {wrong} listed names with a wrong or missing answer",
            a_tally.answers,
            listed.len()
        ));
    }
    if p_tally.answers != ptr.len() || p_data.len() != ptr.len() {
        problems.push(format!(
            "PTR: {} of {} answered",
            p_tally.answers,
            ptr.len()
        ));
    }

    problems.extend(ours_problems);

    // adnshost on the same names, same run.
    let mut adns_queries = 0usize;
    let mut adns_time = Duration::ZERO;
    for list in ["q_dnsbl_100k.txt", "q_ptr_100k.txt"] {
        let script = args.dnsbench.join("adns_chunked.sh");
        let path = zones.join(list);
        let names = read_lines(&path)?.len();
        let run = child::run(
            Command::new(&script)
                .arg(&path)
                .arg("200")
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
        )?;
        if run.code != 0 {
            return Err(format!(
                "adnshost run failed ({}); is NSD on port 53?",
                run.code
            ));
        }
        println!(
            "adnshost {list:17}: {names} queries in {:.3}s = {:.0} q/s",
            run.wall.as_secs_f64(),
            names as f64 / run.wall.as_secs_f64()
        );
        adns_queries += names;
        adns_time += run.wall;
    }
    let adns_qps = adns_queries as f64 / adns_time.as_secs_f64();
    println!(
        "ratio to adnshost ({adns_qps:.0} q/s): resolver A {:.2}, resolver PTR {:.2}, \
         mailsleuth dnsbl end to end {:.2}",
        a_qps / adns_qps,
        p_qps / adns_qps,
        ours_qps / adns_qps
    );
    match peak_rss_kib() {
        Some(kib) => println!(
            "peak RSS of the bench process: {:.1} MiB",
            kib as f64 / 1024.0
        ),
        None => println!("peak RSS: n/a"),
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

/// The catalogue entry for dnsbench's `zen.test`, as a user would add it with --zone-file.
const ZEN_TEST: &str = r#"
[[zone]]
id = "zentest"
name = "zen.test"
kind = "ip_block"
description = "dnsbench's test DNSBL"
default = false
decode = "codes"
codes = [
  { code = "127.0.0.2", meaning = "listed (SBL-like)" },
  { code = "127.0.0.4", meaning = "listed (XBL-like)" },
]
errors = [{ code = "127.255.255.254", meaning = "public resolver refused" }]
"#;

/// Runs `mailsleuth dnsbl` on the 100,000 addresses; returns its queries per second and the
/// problems found in its results.
fn run_binary(args: &Args, zones: &std::path::Path) -> Result<(f64, Vec<String>), String> {
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&data).map_err(|e| format!("{}: {e}", data.display()))?;
    let zone_file = data.join("zen-test.toml");
    std::fs::write(&zone_file, ZEN_TEST).map_err(|e| format!("{}: {e}", zone_file.display()))?;
    let out_path = data.join("dnsbl-100k.ndjson");
    let out =
        std::fs::File::create(&out_path).map_err(|e| format!("{}: {e}", out_path.display()))?;
    let bin = std::env::var_os("MAILSLEUTH_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_mailsleuth")));
    let ips = zones.join("ips_100k.txt");
    let run = child::run(
        Command::new(&bin)
            .args([
                "dnsbl",
                "--format",
                "ndjson",
                "--progress",
                "never",
                "--zones",
                "zentest",
            ])
            .arg("--zone-file")
            .arg(&zone_file)
            .args([
                "--max-ips",
                "100000",
                "--resolver",
                &args.server.to_string(),
            ])
            .args(["--dns-concurrency", &args.concurrency.to_string()])
            .arg("-f")
            .arg(&ips)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(Stdio::inherit()),
    )?;
    let mut problems = Vec::new();
    if run.code != 1 {
        problems.push(format!(
            "mailsleuth dnsbl exited {} (expected 1: listed)",
            run.code
        ));
    }
    let expected: HashMap<String, String> = read_lines(&zones.join("listed.txt"))?
        .into_iter()
        .filter_map(|l| {
            l.split_once(',')
                .map(|(ip, c)| (ip.to_string(), c.to_string()))
        })
        .collect();
    let text =
        std::fs::read_to_string(&out_path).map_err(|e| format!("{}: {e}", out_path.display()))?;
    let (mut seen, mut listed, mut errors, mut with_ptr) = (HashSet::new(), 0usize, 0usize, 0usize);
    for line in text.lines() {
        let v: serde_json::Value =
            serde_json::from_str(line).map_err(|e| format!("bad NDJSON line ({e}): {line}"))?;
        let ip = v["ip"].as_str().unwrap_or_default().to_string();
        if !v["ptr"].as_array().is_none_or(|p| p.is_empty()) {
            with_ptr += 1;
        }
        let zone = &v["zones"][0];
        let want = expected.get(&ip).map(String::as_str);
        match (zone["status"].as_str(), want) {
            (Some("listed"), Some(code)) if zone["codes"][0] == code => listed += 1,
            (Some("not_listed"), None) => {}
            (Some("error"), Some("127.255.255.254")) => errors += 1,
            (status, want) => problems.push(format!("{ip}: {status:?}, expected {want:?}")),
        }
        if !seen.insert(ip.clone()) {
            problems.push(format!("{ip}: duplicated result"));
        }
    }
    let addresses = read_lines(&ips)?.len();
    if seen.len() != addresses {
        problems.push(format!("{} results for {addresses} addresses", seen.len()));
    }
    problems.truncate(20);
    // Per address: one DNSBL query, one PTR query, and one forward query per PTR name.
    let queries = 2 * addresses + with_ptr;
    let qps = queries as f64 / run.wall.as_secs_f64();
    println!(
        "mailsleuth dnsbl  : {addresses} addresses ({queries} queries: DNSBL, PTR, forward) in \
         {:.3}s = {:.0} addresses/s, {qps:.0} q/s; {listed} listed, {errors} error answers; \
         peak RSS {:.1} MiB",
        run.wall.as_secs_f64(),
        addresses as f64 / run.wall.as_secs_f64(),
        run.maxrss_kib as f64 / 1024.0
    );
    Ok((qps, problems))
}
