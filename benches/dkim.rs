//! DKIM verification benchmark: `mailsleuth auth --checks dkim` on a folder of signed messages,
//! beside dkimpy (the Python reference, PyPI `dkimpy`) on the same messages, in one run, both
//! fetching the public key over DNS from the same local authoritative server.
//!
//! ```text
//! pip install dkimpy dnspython          # once; the dkimpy side needs them
//! cargo bench --bench dkim                        # 10,000 RSA-2048 messages
//! cargo bench --bench dkim -- --messages 2000 --key ed25519 --rounds 5
//! ```
//!
//! The messages (and the key) are made once under `target/bench-data/dkim/` with mail-auth's
//! signer and an `openssl`-generated key, then reused, and read once before timing so that
//! both tools find them in the page cache. The zone server is mailsleuth's own in-process one
//! (`dns::ZoneServer`, hickory-server on 127.0.0.1). Each tool runs as a child process (wall
//! time, peak RSS from wait4), alternating for `--rounds` rounds (default 3); every message
//! must verify as pass with both in every round, or the bench fails. It prints each round,
//! then the median run of each tool (messages/s, peak RSS) and the median of the rounds'
//! ratios, with the lowest and highest: on a shared machine one round can land on a busy
//! moment, and it then counts once.

#[path = "common/child.rs"]
mod child;

use std::fs;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use mail_auth::common::crypto::{Ed25519Key, RsaKey, Sha256, SigningKey};
use mail_auth::common::headers::HeaderWriter;
use mail_auth::dkim::DkimSigner;
use mailsleuth::dns::{Faults, ZoneServer};

use child::ChildRun;

const DOMAIN: &str = "bench.example";
const SELECTOR: &str = "s2026";

struct Args {
    messages: usize,
    key: String,
    data: PathBuf,
    mailsleuth: PathBuf,
    rounds: usize,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        messages: 10_000,
        key: "rsa".into(),
        data: PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/target/bench-data/dkim"
        )),
        mailsleuth: PathBuf::from(env!("CARGO_BIN_EXE_mailsleuth")),
        rounds: 3,
    };
    let mut it = std::env::args().skip(1);
    while let Some(key) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{key} needs a value"));
        match key.as_str() {
            "--bench" => {}
            "--messages" => {
                args.messages = value()?.parse().map_err(|e| format!("--messages: {e}"))?
            }
            "--key" => {
                args.key = value()?;
                if args.key != "rsa" && args.key != "ed25519" {
                    return Err("--key is rsa or ed25519".into());
                }
            }
            "--data" => args.data = PathBuf::from(value()?),
            "--mailsleuth" => args.mailsleuth = PathBuf::from(value()?),
            "--rounds" => {
                args.rounds = value()?.parse().map_err(|e| format!("--rounds: {e}"))?;
                if args.rounds == 0 {
                    return Err("--rounds is at least 1".into());
                }
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    match real_main() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dkim bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn sh(cmd: &mut Command) -> Result<Vec<u8>, String> {
    let out = cmd
        .output()
        .map_err(|e| format!("{:?}: {e}", cmd.get_program()))?;
    if !out.status.success() {
        return Err(format!(
            "{cmd:?} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(out.stdout)
}

/// A key pair made by openssl: the PKCS#8 DER private key and the DNS record text.
fn make_key(dir: &Path, kind: &str) -> Result<(Vec<u8>, String), String> {
    let pem = dir.join(format!("{kind}.pem"));
    if !pem.exists() {
        let mut gen = Command::new("openssl");
        match kind {
            "rsa" => gen.args([
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
            ]),
            _ => gen.args(["genpkey", "-algorithm", "ED25519"]),
        };
        gen.arg("-out").arg(&pem);
        sh(&mut gen)?;
    }
    let der = sh(Command::new("openssl")
        .args(["pkcs8", "-topk8", "-nocrypt", "-outform", "DER", "-in"])
        .arg(&pem))?;
    let public = sh(Command::new("openssl")
        .args(["pkey", "-pubout", "-outform", "DER", "-in"])
        .arg(&pem))?;
    let p = match kind {
        // The SubjectPublicKeyInfo, as DKIM's p= for RSA.
        "rsa" => base64(&public),
        // RFC 8463: p= is the raw 32-byte key, the last 32 bytes of the SPKI.
        _ => base64(&public[public.len() - 32..]),
    };
    Ok((der, format!("v=DKIM1; k={kind}; p={p}")))
}

fn base64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn message(i: usize) -> String {
    format!(
        "From: Sender {i} <sender{i}@{DOMAIN}>\r\nTo: rcpt@example.net\r\n\
         Subject: quarterly report {i}\r\nDate: Sun, 22 Nov 2026 04:{:02}:{:02} +0000\r\n\
         Message-ID: <{i}.bench@{DOMAIN}>\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n\
         Hello,\r\n\r\nthis is message {i} of the DKIM benchmark. It has a few lines of body\r\n\
         text so that the body hash is not trivial.\r\n\r\n-- \r\nThe bench\r\n",
        (i / 60) % 60,
        i % 60
    )
}

fn sign_all<K: SigningKey + Sync>(key: K, n: usize, dir: &Path) -> Result<(), String> {
    let signer = DkimSigner::from_key(key)
        .domain(DOMAIN)
        .selector(SELECTOR)
        .headers(["From", "To", "Subject", "Date", "Message-ID"]);
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                let signer = &signer;
                s.spawn(move || -> Result<(), String> {
                    for i in (t..n).step_by(threads) {
                        let m = message(i);
                        let sig = signer.sign(m.as_bytes()).map_err(|e| e.to_string())?;
                        let mut out = sig.to_header().into_bytes();
                        out.extend_from_slice(m.as_bytes());
                        fs::write(dir.join(format!("{i:06}.eml")), out)
                            .map_err(|e| e.to_string())?;
                    }
                    Ok(())
                })
            })
            .collect();
        workers
            .into_iter()
            .try_for_each(|w| w.join().map_err(|_| "signer panicked".to_string())?)
    })
}

/// The folder of signed messages and the zone folder, made once and reused.
fn prepare(args: &Args) -> Result<(PathBuf, PathBuf), String> {
    fs::create_dir_all(&args.data).map_err(|e| e.to_string())?;
    let (der, record) = make_key(&args.data, &args.key)?;
    let zones = args.data.join(format!("zones-{}", args.key));
    fs::create_dir_all(&zones).map_err(|e| e.to_string())?;
    // TXT character-strings hold at most 255 bytes.
    let strings: Vec<String> = record
        .as_bytes()
        .chunks(255)
        .map(|c| format!("\"{}\"", String::from_utf8_lossy(c)))
        .collect();
    fs::write(
        zones.join(format!("{DOMAIN}.zone")),
        format!(
            "$ORIGIN {DOMAIN}.\n$TTL 3600\n@ IN SOA ns.{DOMAIN}. hostmaster.{DOMAIN}. 1 7200 3600 1209600 3600\n\
             @ IN NS ns.{DOMAIN}.\nns IN A 127.0.0.1\n{SELECTOR}._domainkey IN TXT {}\n",
            strings.join(" ")
        ),
    )
    .map_err(|e| e.to_string())?;
    let dir = args
        .data
        .join(format!("messages-{}-{}", args.key, args.messages));
    // Beside the folder, not in it: both tools read every file of the folder.
    let done = dir.with_extension("complete");
    if !done.exists() {
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        eprintln!(
            "signing {} messages ({}) into {}",
            args.messages,
            args.key,
            dir.display()
        );
        let pkcs8 = rustls_pki_types::PrivateKeyDer::Pkcs8(der.clone().into());
        match args.key.as_str() {
            "rsa" => sign_all(
                RsaKey::<Sha256>::from_key_der(pkcs8).map_err(|e| e.to_string())?,
                args.messages,
                &dir,
            )?,
            _ => sign_all(
                Ed25519Key::from_pkcs8_der(&der).map_err(|e| e.to_string())?,
                args.messages,
                &dir,
            )?,
        }
        fs::write(&done, b"").map_err(|e| e.to_string())?;
    }
    Ok((dir, zones))
}

fn real_main() -> Result<(), String> {
    let args = parse_args()?;
    sh(Command::new("python3").args(["-c", "import dkim, dns.resolver"]))
        .map_err(|e| format!("{e}\n(install the baseline: pip install dkimpy dnspython)"))?;
    let (messages, zones) = prepare(&args)?;
    let server = ZoneServer::start(&[zones], Faults::new()).map_err(|e| e.to_string())?;
    let addr = server.addr();
    let n = args.messages;
    warm(&messages)?;

    println!("DKIM verification, {n} messages signed {} by {SELECTOR}._domainkey.{DOMAIN}, key over DNS from 127.0.0.1", args.key);
    let mut rounds: Vec<(ChildRun, ChildRun)> = Vec::new();
    let mut ratios: Vec<f64> = Vec::new();
    for round in 1..=args.rounds {
        // mailsleuth first in each round, then dkimpy: alternating, so load on the machine
        // that comes and goes lands on both.
        let ours = run_mailsleuth(&args, &messages, addr)?;
        let theirs = run_dkimpy(&args, &messages, addr)?;
        let ratio = theirs.wall.as_secs_f64() / ours.wall.as_secs_f64();
        println!(
            "  round {round}: mailsleuth {:.2} s, dkimpy {:.2} s, ratio {ratio:.2}x",
            ours.wall.as_secs_f64(),
            theirs.wall.as_secs_f64(),
        );
        ratios.push(ratio);
        rounds.push((ours, theirs));
    }
    ratios.sort_by(f64::total_cmp);
    let ours = median_run(rounds.iter().map(|r| &r.0).collect());
    let theirs = median_run(rounds.iter().map(|r| &r.1).collect());
    let rate = |w: std::time::Duration| n as f64 / w.as_secs_f64();
    let (a, b) = (rate(ours.wall), rate(theirs.wall));
    println!("  median of {} rounds:", args.rounds);
    println!(
        "  mailsleuth auth --checks dkim : {:>8.2} s  {:>9.0} msg/s  peak RSS {:.1} MiB  (both verifiers: mail-auth and viadkim)",
        ours.wall.as_secs_f64(),
        a,
        ours.maxrss_kib as f64 / 1024.0
    );
    println!(
        "  dkimpy (library loop)         : {:>8.2} s  {:>9.0} msg/s  peak RSS {:.1} MiB",
        theirs.wall.as_secs_f64(),
        b,
        theirs.maxrss_kib as f64 / 1024.0
    );
    println!(
        "  ratio: {:.2}x dkimpy (median of the rounds' ratios; lowest {:.2}x, highest {:.2}x)",
        ratios[ratios.len() / 2],
        ratios[0],
        ratios[ratios.len() - 1]
    );
    Ok(())
}

/// The run of median wall time.
fn median_run(mut runs: Vec<&ChildRun>) -> &ChildRun {
    runs.sort_by_key(|r| r.wall);
    runs[runs.len() / 2]
}

/// Reads every message once, so that neither tool's first round pays for the disk.
fn warm(dir: &Path) -> Result<(), String> {
    for entry in fs::read_dir(dir).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

/// One timed run of `mailsleuth auth`; every message must pass.
fn run_mailsleuth(args: &Args, messages: &Path, addr: SocketAddr) -> Result<ChildRun, String> {
    let n = args.messages;
    let out = args.data.join("mailsleuth.ndjson");
    let ours = child::run(
        Command::new(&args.mailsleuth)
            .args([
                "auth",
                "--checks",
                "dkim",
                "--format",
                "ndjson",
                "--at",
                "2026-11-22T05:00:00Z",
            ])
            .arg("--resolver")
            .arg(addr.to_string())
            .arg(messages)
            .stdout(fs::File::create(&out).map_err(|e| e.to_string())?)
            .stderr(Stdio::inherit()),
    )?;
    let text = fs::read_to_string(&out).map_err(|e| e.to_string())?;
    let mut our_pass = 0usize;
    let mut our_total = 0usize;
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
        our_total += 1;
        let sigs = v["dkim"].as_array().cloned().unwrap_or_default();
        if !sigs.is_empty() && sigs.iter().all(|s| s["result"] == "pass") {
            our_pass += 1;
        }
    }
    if (our_total, our_pass) != (n, n) || ours.code != 0 {
        return Err(format!(
            "mailsleuth: {our_pass} of {our_total} messages passed (expected {n} of {n}), exit {}",
            ours.code
        ));
    }

    Ok(ours)
}

/// One timed run of dkimpy's library loop; every message must pass.
fn run_dkimpy(args: &Args, messages: &Path, addr: SocketAddr) -> Result<ChildRun, String> {
    let n = args.messages;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/dkim_dkimpy.py");
    let py_out = args.data.join("dkimpy.out");
    let theirs = child::run(
        Command::new("python3")
            .arg(script)
            .arg(messages)
            .arg(addr.ip().to_string())
            .arg(addr.port().to_string())
            .stdout(fs::File::create(&py_out).map_err(|e| e.to_string())?)
            .stderr(Stdio::inherit()),
    )?;
    let py = fs::read_to_string(&py_out).map_err(|e| e.to_string())?;
    if py.trim() != format!("{n} {n}") || theirs.code != 0 {
        return Err(format!(
            "dkimpy: passed/total = {} (expected {n} {n})",
            py.trim()
        ));
    }

    Ok(theirs)
}
