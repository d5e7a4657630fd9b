//! Bulk DNS benchmark: mailsleuth's resolver against adnshost on the dnsbench NSD.
//!
//! Start the server first (adnshost only talks to port 53, hence `ADNS53=1`):
//!
//! ```text
//! (cd ../shared/tools/dnsbench && ADNS53=1 ./start.sh)
//! cargo bench --bench dns_bulk
//! cargo bench --bench dns_bulk -- --concurrency 512 --server 127.0.0.1:53535 --dnsbench DIR
//! ```
//!
//! It runs, in one process and one run: 100,000 DNSBL A queries and 100,000 PTR queries with
//! our resolver (counting every outcome; the positives must equal `zones/listed.txt` and every
//! PTR must answer), then `adns_chunked.sh` (adnshost, 200 names per process) on the same
//! DNSBL names. It prints q/s for each, the ratio, and this process's peak RSS. It exits
//! non-zero when an answer is lost, duplicated or wrong.

use std::collections::HashMap;
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
            eprintln!("dns_bulk: {e}");
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

    // adnshost on the same names, same run.
    let script = args.dnsbench.join("adns_chunked.sh");
    let list = zones.join("q_dnsbl_100k.txt");
    let start = Instant::now();
    let adns = Command::new(&script)
        .arg(&list)
        .arg("200")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .output();
    let adns_time = start.elapsed();
    match adns {
        Ok(out) if out.status.success() => {
            let lines = out
                .stdout
                .split(|b| *b == b'\n')
                .filter(|l| l.contains(&b' '))
                .count();
            let adns_qps = dnsbl.len() as f64 / adns_time.as_secs_f64();
            println!(
                "adnshost DNSBL A  : {} queries in {:.3}s = {:.0} q/s  ({lines} answer lines; needs NSD on port 53)",
                dnsbl.len(),
                adns_time.as_secs_f64(),
                adns_qps
            );
            println!(
                "ratio mailsleuth/adnshost: A {:.2}, PTR {:.2}",
                a_qps / adns_qps,
                p_qps / adns_qps
            );
        }
        Ok(out) => println!("adnshost run failed ({}); skipped", out.status),
        Err(e) => println!("adnshost not run ({}: {e}); skipped", script.display()),
    }
    match peak_rss_kib() {
        Some(kib) => println!("peak RSS: {:.1} MiB", kib as f64 / 1024.0),
        None => println!("peak RSS: n/a"),
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}
