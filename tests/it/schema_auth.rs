//! The `mailsleuth.auth/1` JSON contract, pinned by mirror types that refuse unknown fields:
//! adding, renaming or dropping a field fails here, so a schema change is deliberate.

#![allow(dead_code)] // The fields exist to be checked by deserialisation, not read.

use serde::Deserialize;
use serde_json::Value;

use crate::util::{fixture, run, EvidenceInput};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    schema: String,
    version: String,
    messages: Vec<Message>,
    inputs: Vec<EvidenceInput>,
    totals: Totals,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Totals {
    messages: usize,
    flagged: usize,
    incomplete: usize,
    errors: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Message {
    input: String,
    index: usize,
    wrappers: Vec<Value>,
    subject: Option<String>,
    judged_at: JudgedAt,
    spf_inputs: SpfInputs,
    spf: Option<Value>,
    dkim: Vec<Dkim>,
    dkim_total: usize,
    dmarc: Option<Dmarc>,
    arc: Option<Arc>,
    recorded: Vec<Recorded>,
    differs: bool,
    findings: Vec<Finding>,
    dns: Vec<Dns>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JudgedAt {
    time: String,
    source: String,
    reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SpfInputs {
    ip: Option<String>,
    helo: Option<String>,
    mail_from: Option<String>,
    source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Verdict {
    result: String,
    reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Key {
    name: String,
    record: Option<String>,
    dns: Option<String>,
    key_type: Option<String>,
    bits: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Dkim {
    index: usize,
    domain: Option<String>,
    selector: Option<String>,
    algorithm: Option<String>,
    canonicalization: Option<String>,
    identity: Option<String>,
    headers: Vec<String>,
    headers_total: usize,
    body_length: Option<u64>,
    timestamp: Option<u64>,
    expiration: Option<u64>,
    result: String,
    reason: String,
    mail_auth: Verdict,
    viadkim: Option<Verdict>,
    agree: bool,
    key: Option<Key>,
    notes: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Record {
    name: String,
    text: String,
    valid: bool,
    problems: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Aligned {
    method: String,
    domain: String,
    result: String,
    mode: String,
    aligned: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Dmarc {
    result: String,
    domain: Option<String>,
    org_domain: Option<String>,
    policy: Option<String>,
    p: Option<String>,
    sp: Option<String>,
    pct: Option<String>,
    record: Option<Record>,
    invalid_records: Vec<Record>,
    alignment: Vec<Aligned>,
    disposition: String,
    reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ArcSet {
    instance: u32,
    cv: String,
    signature_key: String,
    seal_key: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Arc {
    result: String,
    reason: String,
    instances: usize,
    sets: Vec<ArcSet>,
    broken_at: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Recorded {
    header: String,
    position: usize,
    authserv_id: Option<String>,
    instance: Option<u32>,
    method: String,
    result: String,
    properties: Vec<(String, String)>,
    today: Option<String>,
    differs: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Finding {
    code: String,
    severity: String,
    message: String,
    evidence: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Dns {
    name: String,
    answer: Vec<String>,
    error: Option<String>,
}

#[test]
fn auth_json_matches_the_documented_schema() {
    let zone = fixture("auth/dns");
    let signed = fixture("auth/signed.eml");
    let tampered = fixture("auth/tampered.eml");
    let r = run(&[
        "auth",
        "--json",
        "--checks",
        "dkim,dmarc,arc",
        "--dns-zone",
        zone.to_str().unwrap(),
        signed.to_str().unwrap(),
        tampered.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let doc: Document =
        serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}\n{}", r.stdout));
    assert_eq!(doc.schema, "mailsleuth.auth/1");
    assert_eq!(doc.messages.len(), 2);
    assert_eq!(doc.totals.flagged, 1);
    assert!(doc.messages[1].recorded.iter().any(|r| r.differs));
    // NDJSON lines are the same items.
    let n = run(&[
        "auth",
        "--format",
        "ndjson",
        "--checks",
        "dkim,dmarc,arc",
        "--dns-zone",
        zone.to_str().unwrap(),
        signed.to_str().unwrap(),
    ]);
    for line in n.stdout.lines() {
        let _: Message = serde_json::from_str(line).unwrap();
    }
}
