//! DKIM verification benchmark: `mailsleuth auth --checks dkim` on 10,000 RSA-2048-signed
//! messages, their key served by the in-process zone server, against dkimpy (`dkim.verify`,
//! PyPI `dkimpy`) on the same messages in the same run.
//!
//! ```text
//! pip install dkimpy            # once
//! cargo bench --bench auth
//! cargo bench --bench auth -- --messages 2000 --python python3
//! ```
//!
//! The messages are written once to `target/auth-bench/N/` (signing is not measured) and
//! reused. Each tool runs as one child process over the whole folder (wall time, peak RSS);
//! every message must pass in both, or the bench fails. mailsleuth verifies each signature
//! twice (mail-auth and viadkim) and parses every header block as `headers` does; dkimpy
//! verifies once and is handed the key from memory (no DNS at all), so the comparison
//! favours dkimpy.

#[path = "common/child.rs"]
mod child;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use mail_auth::common::crypto::{RsaKey, Sha256};
use mail_auth::common::headers::HeaderWriter;
use mail_auth::dkim::DkimSigner;
use mailsleuth::dns::{Faults, ZoneServer};

struct Args {
    messages: usize,
    python: String,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        messages: 10_000,
        python: "python3".into(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(key) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{key} needs a value"));
        match key.as_str() {
            "--bench" => {}
            "--messages" => args.messages = value()?.parse().map_err(|e| format!("{e}"))?,
            "--python" => args.python = value()?,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(args)
}

const DKIMPY: &str = r#"
import os, sys, dkim
folder, record = sys.argv[1], sys.argv[2].encode()
def dnsfunc(name, timeout=5):
    return record
passed = total = 0
for name in sorted(n for n in os.listdir(folder) if n.endswith(".eml")):
    with open(os.path.join(folder, name), "rb") as f:
        message = f.read()
    total += 1
    if dkim.verify(message, dnsfunc=dnsfunc):
        passed += 1
print(passed, total)
"#;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/auth")
        .join(name)
}

/// Writes `n` signed messages (distinct subjects and bodies) unless they are there already.
fn corpus(n: usize) -> Result<PathBuf, String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/auth-bench")
        .join(n.to_string());
    let done = dir.with_extension("complete");
    if done.exists() {
        return Ok(dir);
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let der = std::fs::read(fixture("rsa2048.der")).map_err(|e| e.to_string())?;
    let key = RsaKey::<Sha256>::from_key_der(rustls_pki_types::PrivateKeyDer::Pkcs1(
        rustls_pki_types::PrivatePkcs1KeyDer::from(der),
    ))
    .map_err(|e| e.to_string())?;
    let signer = DkimSigner::from_key(key)
        .domain("example.com")
        .selector("sel")
        .headers(["From", "To", "Subject", "Date", "Message-ID"]);
    for i in 0..n {
        let text = format!(
            "Received: from mail.example.com (mail.example.com [192.0.2.10])\r\n\tby mx.example.net with ESMTPS id b{i}; Sun, 22 Nov 2026 07:00:05 +0000\r\nFrom: Alice <alice@example.com>\r\nTo: bob{i}@example.net\r\nSubject: Newsletter {i}\r\nDate: Sun, 22 Nov 2026 06:58:00 +0000\r\nMessage-ID: <n{i}@example.com>\r\n\r\nHello,\r\n\r\nthis is message {i} of the benchmark, with a few lines of text\r\nso that the body hash has something to do.\r\n\r\nAlice\r\n"
        );
        let signature = signer.sign(text.as_bytes()).map_err(|e| e.to_string())?;
        let message = format!("{}{text}", signature.to_header());
        std::fs::write(dir.join(format!("{i:06}.eml")), message).map_err(|e| e.to_string())?;
    }
    std::fs::write(&done, b"").map_err(|e| e.to_string())?;
    Ok(dir)
}

fn main() -> ExitCode {
    match bench() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("auth bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn bench() -> Result<(), String> {
    let args = parse_args()?;
    let dir = corpus(args.messages)?;
    let public = std::fs::read_to_string(fixture("rsa2048.pub")).map_err(|e| e.to_string())?;
    let record = format!("v=DKIM1; k=rsa; p={}", public.trim());
    let work = tempfile::tempdir().map_err(|e| e.to_string())?;
    let chunks: Vec<String> = record
        .as_bytes()
        .chunks(250)
        .map(|c| format!("\"{}\"", String::from_utf8_lossy(c)))
        .collect();
    let zone = work.path().join("root.zone");
    std::fs::write(
        &zone,
        format!(
            "$ORIGIN .\n$TTL 300\n. IN SOA ns.invalid. h.invalid. 1 3600 600 86400 300\nsel._domainkey.example.com. IN TXT {}\n",
            chunks.join(" ")
        ),
    )
    .map_err(|e| e.to_string())?;
    let server = ZoneServer::start(&[zone], Faults::new()).map_err(|e| e.to_string())?;

    // 1. mailsleuth, first, so its peak RSS is its own.
    let out_path = work.path().join("out.ndjson");
    let out = std::fs::File::create(&out_path).map_err(|e| e.to_string())?;
    let ours = child::run(
        Command::new(env!("CARGO_BIN_EXE_mailsleuth"))
            .args([
                "auth",
                "--checks",
                "dkim",
                "--format",
                "ndjson",
                "--resolver",
            ])
            .arg(server.addr().to_string())
            .arg(&dir)
            .stdout(out)
            .stderr(Stdio::inherit()),
    )?;
    let text = std::fs::read_to_string(&out_path).map_err(|e| e.to_string())?;
    let mut passed = 0;
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
        if v["dkim"][0]["result"] == "pass" && v["dkim"][0]["viadkim"]["result"] == "pass" {
            passed += 1;
        }
    }
    if ours.code != 0 || passed != args.messages {
        return Err(format!(
            "mailsleuth: exit {}, {passed}/{} passed",
            ours.code, args.messages
        ));
    }

    // 2. dkimpy over the same files.
    let script = work.path().join("dkimpy_bench.py");
    std::fs::write(&script, DKIMPY).map_err(|e| e.to_string())?;
    let py_out = work.path().join("dkimpy.out");
    let theirs = child::run(
        Command::new(&args.python)
            .arg(&script)
            .arg(&dir)
            .arg(&record)
            .stdout(std::fs::File::create(&py_out).map_err(|e| e.to_string())?)
            .stderr(Stdio::inherit()),
    )?;
    let counts = std::fs::read_to_string(&py_out).map_err(|e| e.to_string())?;
    let expected = format!("{} {}", args.messages, args.messages);
    if theirs.code != 0 || counts.trim() != expected {
        return Err(format!(
            "dkimpy: exit {}, output {:?} (is dkimpy installed? pip install dkimpy)",
            theirs.code,
            counts.trim()
        ));
    }

    let rate = |wall: std::time::Duration| args.messages as f64 / wall.as_secs_f64();
    let (r_ours, r_theirs) = (rate(ours.wall), rate(theirs.wall));
    println!(
        "DKIM, {} RSA-2048 messages (all pass in both)",
        args.messages
    );
    println!(
        "  mailsleuth auth --checks dkim: {:>8.0} messages/s  ({:.2} s, peak RSS {} MiB; two verifiers)",
        r_ours,
        ours.wall.as_secs_f64(),
        ours.maxrss_kib / 1024
    );
    println!(
        "  dkimpy dkim.verify:            {:>8.0} messages/s  ({:.2} s, peak RSS {} MiB)",
        r_theirs,
        theirs.wall.as_secs_f64(),
        theirs.maxrss_kib / 1024
    );
    println!("  ratio: {:.2}x dkimpy", r_ours / r_theirs);
    Ok(())
}
