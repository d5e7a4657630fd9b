//! The openspf RFC 7208 suite (tests/fixtures/conformance/spf, from pyspf) run through the
//! real binary: each scenario's zonedata becomes a zone file served by the test DNS server,
//! and every test runs `mailsleuth spf --format json` against it.
//!
//! Zone data follows the suite's own driver (pyspf's testspf.py): an `SPF` (type 99) entry is
//! served as TXT only when the name has no `TXT` entry; a `TXT: NONE` entry stands for no
//! record; `TIMEOUT` makes every query type that has no record listed before it time out
//! (a `drop` fault). A name with no entry is NXDOMAIN, one without the asked type NODATA.
//! The driver's default explanation is the word `DEFAULT`, so a test expecting `DEFAULT`
//! expects no explanation from us.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use serde::Deserialize;
use serde_yaml::Value;

use crate::util::{fixture, run, DnsServer};

/// Tests of the suite that pass. Raise it when a fix makes more pass; a drop is a regression.
const EXPECTED_PASSES: usize = 203;
const TOTAL: usize = 203;

/// Record types a `drop` fault can name (those our resolver asks for).
const TYPES: [&str; 8] = ["A", "AAAA", "PTR", "TXT", "MX", "CNAME", "NS", "SOA"];

#[derive(Deserialize)]
struct Scenario {
    description: String,
    #[serde(default)]
    zonedata: Option<serde_yaml::Mapping>,
    tests: serde_yaml::Mapping,
}

#[derive(Deserialize)]
struct Case {
    helo: String,
    host: String,
    mailfrom: String,
    result: Value,
    explanation: Option<String>,
}

/// A zone-file string: quoted, with `"` and `\` escaped and other bytes outside printable
/// ASCII written as `\DDD` (decimal).
fn quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for b in text.bytes() {
        match b {
            b'"' | b'\\' => {
                out.push('\\');
                out.push(char::from(b));
            }
            0x20..=0x7e => out.push(char::from(b)),
            _ => {
                let _ = write!(out, "\\{b:03}");
            }
        }
    }
    out.push('"');
    out
}

fn absolute(host: &str) -> String {
    if host.is_empty() {
        ".".into()
    } else if host.ends_with('.') {
        host.into()
    } else {
        format!("{host}.")
    }
}

/// A name in zone-file form: bytes other than letters, digits, `-`, `_` and `.` escaped
/// (RFC 1035 §5.1), e.g. `foo\:bar\/baz.example.com`.
fn zone_name(name: &str) -> String {
    let mut out = String::new();
    for b in name.bytes() {
        match b {
            b'.' | b'-' | b'_' => out.push(char::from(b)),
            _ if b.is_ascii_alphanumeric() => out.push(char::from(b)),
            0x21..=0x7e => {
                out.push('\\');
                out.push(char::from(b));
            }
            _ => {
                let _ = write!(out, "\\{b:03}");
            }
        }
    }
    out
}

/// Writes the scenario's zone (one root zone) into `dir`.
fn write_zone(zonedata: &serde_yaml::Mapping, dir: &Path) {
    let mut text = String::from(
        "$ORIGIN .\n$TTL 300\n. IN SOA ns.invalid. hostmaster.invalid. 1 3600 600 86400 300\n",
    );
    for (name, entries) in zonedata {
        let name = name.as_str().expect("zonedata names are strings");
        let entries = entries.as_sequence().expect("zonedata entries are lists");
        let owner = absolute(&zone_name(name));
        let has_txt = entries
            .iter()
            .any(|e| e.as_mapping().is_some_and(|m| m.contains_key("TXT")));
        let mut seen_before_timeout: BTreeSet<&str> = BTreeSet::new();
        let mut timeout = false;
        for entry in entries {
            if entry.as_str() == Some("TIMEOUT") {
                timeout = true;
                continue;
            }
            let map = entry.as_mapping().expect("an entry is TIMEOUT or a map");
            for (rtype, value) in map {
                let rtype = rtype.as_str().unwrap();
                let served = match rtype {
                    "SPF" if has_txt => continue,
                    "SPF" | "TXT" => "TXT",
                    other => other,
                };
                let data = match (rtype, value) {
                    ("TXT", Value::String(s)) if s == "NONE" => continue,
                    ("SPF" | "TXT", Value::String(s)) => quoted(s),
                    ("SPF" | "TXT", Value::Sequence(parts)) if parts.is_empty() => quoted(""),
                    ("SPF" | "TXT", Value::Sequence(parts)) => parts
                        .iter()
                        .map(|p| quoted(p.as_str().unwrap()))
                        .collect::<Vec<_>>()
                        .join(" "),
                    ("MX", Value::Sequence(mx)) => format!(
                        "{} {}",
                        mx[0].as_u64().unwrap(),
                        absolute(&zone_name(mx[1].as_str().unwrap()))
                    ),
                    ("PTR" | "CNAME", Value::String(host)) => absolute(&zone_name(host)),
                    (_, Value::String(s)) => s.clone(),
                    other => panic!("unexpected zonedata entry {other:?}"),
                };
                if !timeout {
                    // What pyspf's driver yields before a TIMEOUT answers; SPF-type entries
                    // answer only type 99, which we never ask.
                    seen_before_timeout.insert(if rtype == "SPF" { "SPF" } else { served });
                }
                let _ = writeln!(text, "{owner} IN {served} {data}");
            }
        }
        if timeout {
            if seen_before_timeout.is_empty() {
                let _ = writeln!(text, "; mailsleuth-fault: drop {owner}");
            }
            for t in TYPES {
                if !seen_before_timeout.is_empty() && !seen_before_timeout.contains(t) {
                    let _ = writeln!(text, "; mailsleuth-fault: drop {owner} {t}");
                }
            }
        }
    }
    std::fs::write(dir.join("root.zone"), text).unwrap();
}

fn result_ok(expected: &Value, got: &str) -> bool {
    match expected {
        Value::String(s) => s == got,
        Value::Sequence(list) => list.iter().any(|v| v.as_str() == Some(got)),
        _ => false,
    }
}

fn shown(expected: &Value) -> String {
    match expected {
        Value::String(s) => s.clone(),
        Value::Sequence(list) => list
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join("|"),
        _ => format!("{expected:?}"),
    }
}

#[test]
fn rfc7208_suite() {
    let text = std::fs::read_to_string(fixture("conformance/spf/rfc7208-tests.yml")).unwrap();
    let mut passed = 0;
    let mut total = 0;
    let mut failures = Vec::new();
    for doc in serde_yaml::Deserializer::from_str(&text) {
        let scenario = Scenario::deserialize(doc).unwrap();
        let dir = tempfile::tempdir().unwrap();
        write_zone(
            scenario
                .zonedata
                .as_ref()
                .unwrap_or(&serde_yaml::Mapping::new()),
            dir.path(),
        );
        let server = DnsServer::serving(&[dir.path().to_path_buf()], &[]);
        let resolver = server.resolver_arg();
        for (id, case) in &scenario.tests {
            let id = id.as_str().unwrap();
            let case: Case = serde_yaml::from_value(case.clone()).unwrap();
            total += 1;
            // A one-second timeout: long enough that a busy machine does not turn an answer
            // into a timeout, short enough for the suite's eight TIMEOUT cases.
            let out = run(&[
                "spf",
                "--format",
                "json",
                "--resolver",
                &resolver,
                "--dns-timeout",
                "1",
                "--dns-attempts",
                "1",
                "--ip",
                &case.host,
                "--mail-from",
                &case.mailfrom,
                "--helo",
                &case.helo,
            ]);
            if out.stdout.is_empty() {
                failures.push(format!(
                    "{id} ({}): no report, exit {}: {}",
                    scenario.description,
                    out.code,
                    out.stderr.trim()
                ));
                continue;
            }
            let doc = out.json();
            let got = doc["result"].as_str().unwrap_or("?").to_string();
            let explanation = doc["explanation"].as_str().unwrap_or("DEFAULT").to_string();
            let exp_ok = case
                .explanation
                .as_ref()
                .is_none_or(|want| *want == explanation);
            if result_ok(&case.result, &got) && exp_ok {
                passed += 1;
            } else {
                failures.push(format!(
                    "{id} ({}): got {got} (explanation {explanation:?}), expected {}{} — {}",
                    scenario.description,
                    shown(&case.result),
                    case.explanation
                        .as_ref()
                        .map(|e| format!(" (explanation {e:?})"))
                        .unwrap_or_default(),
                    doc["reason"].as_str().unwrap_or("")
                ));
            }
        }
    }
    println!("spf rfc7208: {passed}/{total}");
    for f in &failures {
        println!("  FAILED {f}");
    }
    assert_eq!(total, TOTAL, "the suite changed size");
    assert_eq!(
        passed, EXPECTED_PASSES,
        "spf rfc7208: {passed}/{total}, expected {EXPECTED_PASSES}"
    );
}
