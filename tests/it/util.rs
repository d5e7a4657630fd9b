//! Running the binary hermetically: a fixed environment, captured output, parsed JSON.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The path of a file under `tests/fixtures/`.
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

/// What one run of the binary did.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// stdout as one JSON document.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

/// Runs mailsleuth with `args`, optionally feeding `stdin`. The environment is pinned so a
/// developer's NO_COLOR or COLUMNS cannot change what the tests see.
pub fn run_with_stdin(args: &[&str], stdin: Option<&[u8]>) -> Run {
    run_full(args, stdin, &[])
}

/// Runs mailsleuth with extra environment variables.
pub fn run_with_env(args: &[&str], env: &[(&str, &str)]) -> Run {
    run_full(args, None, env)
}

fn run_full(args: &[&str], stdin: Option<&[u8]>, env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mailsleuth"));
    // A developer's own key must not change what the tests see.
    cmd.env_remove("MAILSLEUTH_SPAMHAUS_DQS_KEY");
    cmd.envs(env.iter().copied());
    cmd.args(args)
        .env_remove("NO_COLOR")
        .env_remove("COLUMNS")
        .env("LC_ALL", "C")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn mailsleuth");
    if let Some(data) = stdin {
        let mut pipe = child.stdin.take().unwrap();
        let data = data.to_vec();
        std::thread::spawn(move || {
            let _ = pipe.write_all(&data);
        });
    }
    let Output {
        status,
        stdout,
        stderr,
    } = child.wait_with_output().expect("wait for mailsleuth");
    Run {
        code: status.code().expect("mailsleuth was killed by a signal"),
        stdout: String::from_utf8(stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(stderr).expect("stderr is UTF-8"),
    }
}

pub fn run(args: &[&str]) -> Run {
    run_with_stdin(args, None)
}

/// `headers --json` on one path; returns the run and its first message.
pub fn headers_json(path: &Path, extra: &[&str]) -> (Run, serde_json::Value) {
    let p = path.to_str().unwrap();
    let mut args = vec!["headers", "--json", p];
    args.extend_from_slice(extra);
    let run = run(&args);
    let doc = run.json();
    let message = doc["messages"][0].clone();
    (run, message)
}

/// The codes of a message's findings.
pub fn codes(message: &serde_json::Value) -> Vec<String> {
    message["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| f["code"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// A real authoritative DNS server on 127.0.0.1 (UDP and TCP) over the fixture zones in
/// `tests/fixtures/dns`, with optional injected faults; it stops when dropped.
pub struct DnsServer {
    server: mailsleuth::dns::ZoneServer,
}

impl DnsServer {
    pub fn start() -> DnsServer {
        DnsServer::with_faults(&[])
    }

    /// `faults` are lines of the fault syntax (`servfail NAME`, `drop NAME A`, ...).
    pub fn with_faults(faults: &[&str]) -> DnsServer {
        DnsServer::serving(&[fixture("dns")], faults)
    }

    /// A server over other zone files or folders (e.g. zones a test wrote to a temp dir).
    pub fn serving(zones: &[PathBuf], faults: &[&str]) -> DnsServer {
        let mut set = mailsleuth::dns::Faults::new();
        for line in faults {
            set.add_line(&format!("; {} {line}", mailsleuth::dns::FAULT_MARKER))
                .unwrap_or_else(|e| panic!("fault {line:?}: {e}"));
        }
        let server = mailsleuth::dns::ZoneServer::start(zones, set).expect("start the DNS server");
        DnsServer { server }
    }

    /// `--resolver 127.0.0.1:PORT`, ready to splice into an argument list.
    pub fn resolver_arg(&self) -> String {
        self.server.addr().to_string()
    }
}

/// Mirror of one `inputs` entry of every JSON report (path, size, SHA-256 of an input read),
/// for the schema tests that refuse unknown fields.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceInput {
    #[allow(dead_code)] // Checked by deserialisation; no test reads it.
    pub path: String,
    pub size: u64,
    pub sha256: String,
}
