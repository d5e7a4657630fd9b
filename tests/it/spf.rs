//! `mailsleuth spf` against the fixture zone `tests/fixtures/dns/sender.example.zone`, served
//! by the real test DNS server; the `mailsleuth.spf/1` contract pinned by mirror types.

#![allow(dead_code)] // The fields exist to be checked by deserialisation, not read.

use serde::Deserialize;

use crate::util::{run, DnsServer};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    schema: String,
    version: String,
    query: QueryIn,
    result: String,
    domain: String,
    sender: String,
    reason: String,
    mechanism: Option<String>,
    record: Option<String>,
    explanation: Option<String>,
    lookups: u32,
    void_lookups: u32,
    trace: Vec<Evaluation>,
    helo: Option<Identity>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QueryIn {
    ip: String,
    mail_from: String,
    helo: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Identity {
    result: String,
    domain: String,
    sender: String,
    reason: String,
    mechanism: Option<String>,
    record: Option<String>,
    explanation: Option<String>,
    lookups: u32,
    void_lookups: u32,
    trace: Vec<Evaluation>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Evaluation {
    domain: String,
    record: Option<String>,
    queries: Vec<Query>,
    terms: Vec<Term>,
    result: String,
    reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Term {
    term: String,
    outcome: String,
    detail: String,
    queries: Vec<Query>,
    child: Option<Box<Evaluation>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Query {
    name: String,
    #[serde(rename = "type")]
    rtype: String,
    status: String,
    answers: Vec<String>,
    void: bool,
}

fn spf(server: &DnsServer, args: &[&str]) -> crate::util::Run {
    let resolver = server.resolver_arg();
    let mut all = vec!["spf", "--resolver", &resolver, "--dns-timeout", "1"];
    all.extend_from_slice(args);
    run(&all)
}

fn spf_json(server: &DnsServer, args: &[&str]) -> (i32, Document) {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let out = spf(server, &all);
    let doc: Document = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("not the spf schema ({e}):\n{}", out.stdout));
    (out.code, doc)
}

#[test]
fn fail_has_the_mechanism_explanation_counts_and_tree() {
    let server = DnsServer::start();
    let (code, doc) = spf_json(
        &server,
        &[
            "--ip",
            "203.0.113.9",
            "--mail-from",
            "alice@sender.example",
            "--helo",
            "mail.sender.example",
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(doc.schema, "mailsleuth.spf/1");
    assert_eq!(doc.query.ip, "203.0.113.9");
    assert_eq!(doc.result, "fail");
    assert_eq!(doc.domain, "sender.example");
    assert_eq!(doc.mechanism.as_deref(), Some("-all"));
    assert_eq!(
        doc.explanation.as_deref(),
        Some("203.0.113.9 is not one of sender.example's mail servers")
    );
    // include and mx query DNS; ip4 and all do not.
    assert_eq!((doc.lookups, doc.void_lookups), (2, 0));
    let root = &doc.trace[0];
    let terms: Vec<(&str, &str)> = root
        .terms
        .iter()
        .map(|t| (t.term.as_str(), t.outcome.as_str()))
        .collect();
    assert_eq!(
        terms,
        [
            ("ip4:192.0.2.1", "no_match"),
            ("include:_spf.sender.example", "no_match"),
            ("mx", "no_match"),
            ("-all", "match"),
            ("exp=why.sender.example", "applied"),
        ]
    );
    let include = root.terms[1].child.as_ref().expect("include is nested");
    assert_eq!(include.domain, "_spf.sender.example");
    assert_eq!(include.result, "softfail");
    let mx_queries: Vec<(&str, &str)> = root.terms[2]
        .queries
        .iter()
        .map(|q| (q.name.as_str(), q.rtype.as_str()))
        .collect();
    assert_eq!(
        mx_queries,
        [("sender.example", "MX"), ("mx.sender.example", "A")]
    );
    let helo = doc.helo.expect("HELO is checked when given");
    assert_eq!(helo.result, "fail");
    assert_eq!(helo.sender, "postmaster@mail.sender.example");
    assert_eq!(helo.explanation, None);
}

#[test]
fn pass_through_include_over_ipv6_and_ipv4_mapped_as_ipv4() {
    let server = DnsServer::start();
    let (code, doc) = spf_json(
        &server,
        &["--ip", "2001:db8::5", "--mail-from", "a@sender.example"],
    );
    assert_eq!((code, doc.result.as_str()), (0, "pass"));
    assert_eq!(
        doc.mechanism.as_deref(),
        Some("include:_spf.sender.example")
    );
    assert!(doc.helo.is_none());
    let (code, doc) = spf_json(
        &server,
        &[
            "--ip",
            "::ffff:192.0.2.1",
            "--mail-from",
            "a@sender.example",
        ],
    );
    assert_eq!((code, doc.result.as_str()), (0, "pass"));
    assert_eq!(doc.mechanism.as_deref(), Some("ip4:192.0.2.1"));
}

#[test]
fn redirect_and_null_sender() {
    let server = DnsServer::start();
    let (_, doc) = spf_json(
        &server,
        &[
            "--ip",
            "192.0.2.7",
            "--mail-from",
            "x@redirected.sender.example",
        ],
    );
    assert_eq!(doc.result, "pass");
    assert_eq!(doc.mechanism.as_deref(), Some("mx"));
    assert_eq!(doc.trace[0].terms[0].term, "redirect=sender.example");
    assert_eq!(
        doc.trace[0].terms[0].child.as_ref().unwrap().domain,
        "sender.example"
    );
    // The null sender is checked as postmaster@HELO.
    let (code, doc) = spf_json(
        &server,
        &[
            "--ip",
            "192.0.2.1",
            "--mail-from",
            "<>",
            "--helo",
            "mail.sender.example",
        ],
    );
    assert_eq!((code, doc.result.as_str()), (0, "pass"));
    assert_eq!(doc.sender, "postmaster@mail.sender.example");
    let out = spf(&server, &["--ip", "192.0.2.1", "--mail-from", ""]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--helo"), "{}", out.stderr);
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
}

#[test]
fn timeout_and_servfail_are_temperror_exit_3() {
    let server = DnsServer::start();
    let (code, doc) = spf_json(
        &server,
        &[
            "--ip",
            "192.0.2.1",
            "--mail-from",
            "x@slow.sender.example",
            "--dns-attempts",
            "1",
        ],
    );
    assert_eq!((code, doc.result.as_str()), (3, "temperror"));
    assert!(doc.reason.contains("timed out"), "{}", doc.reason);
    let term = &doc.trace[0].terms[0];
    assert_eq!(term.outcome, "error");
    let child = term.child.as_ref().unwrap();
    assert_eq!(child.queries[0].status, "timeout");

    let server = DnsServer::with_faults(&["servfail sender.example TXT"]);
    let (code, doc) = spf_json(
        &server,
        &["--ip", "192.0.2.1", "--mail-from", "x@sender.example"],
    );
    assert_eq!((code, doc.result.as_str()), (3, "temperror"));
    assert!(doc.reason.contains("SERVFAIL"), "{}", doc.reason);
}

#[test]
fn broken_records_are_permerror() {
    let server = DnsServer::start();
    let (code, doc) = spf_json(
        &server,
        &["--ip", "192.0.2.1", "--mail-from", "x@loop.sender.example"],
    );
    assert_eq!((code, doc.result.as_str()), (1, "permerror"));
    assert!(doc.reason.contains("more than 10"), "{}", doc.reason);
    assert_eq!(doc.lookups, 11);
    let (code, doc) = spf_json(
        &server,
        &["--ip", "192.0.2.1", "--mail-from", "x@twice.sender.example"],
    );
    assert_eq!((code, doc.result.as_str()), (1, "permerror"));
    assert!(doc.reason.contains("2 SPF records"), "{}", doc.reason);
    // No record at all: none, exit 0.
    let (code, doc) = spf_json(
        &server,
        &["--ip", "192.0.2.1", "--mail-from", "x@mx.sender.example"],
    );
    assert_eq!((code, doc.result.as_str()), (0, "none"));
}

#[test]
fn hostile_record_is_escaped_in_the_table() {
    let server = DnsServer::start();
    let out = spf(
        &server,
        &[
            "--ip",
            "192.0.2.1",
            "--mail-from",
            "x@hostile.sender.example",
        ],
    );
    assert_eq!(out.code, 1);
    assert!(
        out.stdout.contains("MAIL FROM: permerror"),
        "{}",
        out.stdout
    );
    assert!(
        !out.stdout.contains('\u{1b}'),
        "raw ESC reached the terminal"
    );
    assert!(out.stdout.contains("v=spf1 \\e[2J -all"), "{}", out.stdout);
    // The JSON keeps the record as published.
    let (_, doc) = spf_json(
        &server,
        &[
            "--ip",
            "192.0.2.1",
            "--mail-from",
            "x@hostile.sender.example",
        ],
    );
    assert_eq!(doc.record.as_deref(), Some("v=spf1 \u{1b}[2J -all"));
}

#[test]
fn table_shows_result_reason_counts_and_tree() {
    let server = DnsServer::start();
    let out = spf(
        &server,
        &["--ip", "203.0.113.9", "--mail-from", "alice@sender.example"],
    );
    assert_eq!(out.code, 1);
    for want in [
        "MAIL FROM: fail (alice@sender.example)",
        "  mechanism    -all",
        "  lookups      2/10, void 0/2",
        "Evaluation (MAIL FROM):",
        "  include:_spf.sender.example: no match (_spf.sender.example gave softfail)",
        "    _spf.sender.example → softfail",
    ] {
        assert!(
            out.stdout.lines().any(|l| l == want),
            "missing {want:?} in:\n{}",
            out.stdout
        );
    }
}
