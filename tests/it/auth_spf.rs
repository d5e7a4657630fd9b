//! `mailsleuth auth` with its SPF check (the default `--checks`): the client IP, HELO and MAIL
//! FROM taken from the message's origin hop and Return-Path, SPF feeding DMARC, and the exit
//! rules that depend on SPF, against a real DNS server.

use std::path::PathBuf;

use serde_json::Value;

use crate::authutil::{auth, key_record, message, sign, write_zone, Signing};
use crate::util::{DnsServer, Run};

const SPF: &str = "v=spf1 ip4:203.0.113.0/24 -all";

struct Case {
    _dir: tempfile::TempDir,
    file: PathBuf,
    server: DnsServer,
}

/// A message received from `client` (HELO mail.example.com), with Return-Path
/// bounce@example.com, optionally DKIM-signed, and the DNS serving `records`.
fn case(client: &str, dkim: bool, records: &[(&str, String)], faults: &[&str]) -> Case {
    let dir = tempfile::tempdir().unwrap();
    let body = message("", "Hello.\r\n");
    let signed = if dkim {
        format!("{}{body}", sign(&body, &Signing::default()))
    } else {
        body
    };
    let text = format!(
        "Return-Path: <bounce@example.com>\r\n\
         Received: from mail.example.com (mail.example.com [{client}])\r\n\
         \tby mx.example.net with ESMTPS id 4cXk2; Sun, 22 Nov 2026 07:00:05 +0000\r\n{signed}"
    );
    let file = dir.path().join("message.eml");
    std::fs::write(&file, text).unwrap();
    let records: Vec<(String, String)> = records
        .iter()
        .map(|(n, v)| (n.to_string(), v.clone()))
        .collect();
    let zone = write_zone(dir.path(), &records, &[]);
    let server = DnsServer::serving(&[zone], faults);
    Case {
        _dir: dir,
        file,
        server,
    }
}

fn run(case: &Case, extra: &[&str]) -> (Run, Value) {
    let mut args = vec!["--dns-timeout", "0.5", "--dns-attempts", "1"];
    args.extend_from_slice(extra);
    let run = auth(&case.server, &case.file, &args);
    let message = run.json()["messages"][0].clone();
    (run, message)
}

#[test]
fn spf_takes_the_origin_hop_and_return_path_and_aligns_for_dmarc() {
    let c = case(
        "203.0.113.9",
        false,
        &[
            ("example.com", SPF.into()),
            ("_dmarc.example.com", "v=DMARC1; p=reject".into()),
        ],
        &[],
    );
    let (run, m) = run(&c, &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let spf = &m["spf"]["mail_from"];
    assert_eq!(spf["result"], "pass", "{spf}");
    assert_eq!(spf["domain"], "example.com");
    assert_eq!(spf["mechanism"], "ip4:203.0.113.0/24");
    assert_eq!(m["spf"]["helo"]["domain"], "mail.example.com");
    // mail.example.com has no record at all.
    assert_eq!(m["spf"]["helo"]["result"], "none");
    assert_eq!(m["dmarc"]["result"], "pass", "{}", m["dmarc"]);
}

#[test]
fn an_spf_fail_without_dkim_fails_dmarc_and_exits_1() {
    let c = case(
        "198.51.100.7",
        false,
        &[
            ("example.com", SPF.into()),
            ("_dmarc.example.com", "v=DMARC1; p=reject".into()),
        ],
        &[],
    );
    let (run, m) = run(&c, &[]);
    assert_eq!(m["spf"]["mail_from"]["result"], "fail");
    assert_eq!(m["spf"]["mail_from"]["mechanism"], "-all");
    assert_eq!(m["dmarc"]["result"], "fail");
    assert_eq!(run.code, 1, "{}", run.stdout);
}

#[test]
fn without_dmarc_an_spf_fail_flags_only_when_no_dkim_signature_passes() {
    let records = [
        ("example.com", SPF.to_string()),
        ("sel._domainkey.example.com", key_record("rsa2048")),
    ];
    let unsigned = case("198.51.100.7", false, &records, &[]);
    let (run1, m) = run(&unsigned, &[]);
    assert_eq!(m["spf"]["mail_from"]["result"], "fail");
    assert_eq!(m["dmarc"]["result"], "none");
    assert_eq!(run1.code, 1, "{}", run1.stdout);

    let signed = case("198.51.100.7", true, &records, &[]);
    let (run2, m) = run(&signed, &[]);
    assert_eq!(m["spf"]["mail_from"]["result"], "fail");
    assert_eq!(m["dkim"][0]["result"], "pass");
    assert_eq!(run2.code, 0, "{}", run2.stdout);
}

#[test]
fn an_spf_timeout_is_temperror_and_exit_3_never_a_pass() {
    let c = case(
        "203.0.113.9",
        false,
        &[("example.com", SPF.into())],
        &["drop example.com TXT"],
    );
    let (run, m) = run(&c, &[]);
    assert_eq!(m["spf"]["mail_from"]["result"], "temperror", "{}", m["spf"]);
    assert_eq!(run.code, 3, "{}", run.stdout);
}

#[test]
fn flags_override_what_the_message_says() {
    let c = case(
        "198.51.100.7",
        false,
        &[
            ("example.com", SPF.into()),
            ("other.example", "v=spf1 ip4:192.0.2.0/24 -all".into()),
        ],
        &[],
    );
    let (_, m) = run(
        &c,
        &[
            "--ip",
            "192.0.2.44",
            "--mail-from",
            "x@other.example",
            "--helo",
            "h.other.example",
        ],
    );
    assert_eq!(m["spf"]["mail_from"]["result"], "pass", "{}", m["spf"]);
    assert_eq!(m["spf"]["mail_from"]["domain"], "other.example");
    assert_eq!(m["spf"]["helo"]["domain"], "h.other.example");
}

#[test]
fn without_return_path_mail_from_is_unknown_not_the_null_sender() {
    let c = case(
        "203.0.113.9",
        false,
        &[
            ("example.com", SPF.into()),
            ("mail.example.com", "v=spf1 ip4:203.0.113.9 -all".into()),
        ],
        &[],
    );
    let text = std::fs::read_to_string(&c.file).unwrap();
    std::fs::write(
        &c.file,
        text.replace("Return-Path: <bounce@example.com>\r\n", ""),
    )
    .unwrap();
    let (_, m) = run(&c, &[]);
    let spf = &m["spf"]["mail_from"];
    assert_eq!(spf["result"], "none", "{spf}");
    assert!(
        spf["reason"].as_str().unwrap().contains("no Return-Path"),
        "{spf}"
    );
    // HELO is still judged on its own.
    assert_eq!(m["spf"]["helo"]["result"], "pass");
}
