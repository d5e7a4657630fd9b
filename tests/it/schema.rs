//! The `mailsleuth.headers/1` JSON contract, pinned by mirror types that refuse unknown
//! fields: adding, renaming or dropping a field fails here, so a schema change is deliberate.

#![allow(dead_code)] // The fields exist to be checked by deserialisation, not read.

use serde::Deserialize;

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
    errors: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Message {
    input: String,
    index: usize,
    wrappers: Vec<Wrapper>,
    summary: Summary,
    hops: Vec<Hop>,
    origin: Origin,
    claims: Vec<Claim>,
    identities: Identities,
    findings: Vec<Finding>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Wrapper {
    kind: String,
    from: Option<String>,
    subject: Option<String>,
    date: Option<String>,
    feedback: Option<Feedback>,
    headers_only: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Feedback {
    feedback_type: Option<String>,
    user_agent: Option<String>,
    source_ip: Option<String>,
    reported_domain: Vec<String>,
    arrival_date: Option<String>,
    original_mail_from: Option<String>,
    original_rcpt_to: Vec<String>,
    fields: Vec<(String, String)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Summary {
    subject: Option<String>,
    date: Option<String>,
    message_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Hop {
    index: usize,
    kind: String,
    from: Client,
    by: Option<String>,
    via: Option<String>,
    with: Option<String>,
    id: Option<String>,
    #[serde(rename = "for")]
    for_: Option<String>,
    tls: Option<String>,
    smtp_auth: bool,
    authenticated: Option<String>,
    envelope_from: Option<String>,
    time: Option<String>,
    delay_s: Option<i64>,
    trusted: bool,
    comment: Option<String>,
    notes: Vec<String>,
    raw: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Client {
    helo: Option<String>,
    rdns: Option<String>,
    ip: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Origin {
    hop: Option<usize>,
    ip: Option<String>,
    helo: Option<String>,
    rdns: Option<String>,
    authenticated: Option<String>,
    reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Claim {
    header: String,
    value: String,
    ip: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Identities {
    return_path: Option<String>,
    from: Vec<Mailbox>,
    sender: Option<Mailbox>,
    reply_to: Vec<Mailbox>,
    resent: Option<Resent>,
    pra: Option<String>,
    dmarc_domain: Option<String>,
    authenticated: Option<String>,
    relations: Vec<Relation>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Mailbox {
    name: Option<String>,
    address: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Resent {
    from: Vec<Mailbox>,
    sender: Option<Mailbox>,
    to: Vec<Mailbox>,
    date: Option<String>,
    message_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Relation {
    identity: String,
    address: String,
    relation: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Finding {
    code: String,
    severity: String,
    message: String,
    evidence: Option<String>,
}

#[test]
fn json_document_matches_the_contract() {
    let dir = fixture("messages");
    let r = run(&["headers", "--json", dir.to_str().unwrap()]);
    let doc: Document = serde_json::from_str(&r.stdout).expect("headers/1 document");
    assert_eq!(doc.schema, "mailsleuth.headers/1");
    assert_eq!(doc.version, env!("CARGO_PKG_VERSION"));
    assert!(doc.messages.len() >= 6, "{}", doc.messages.len());
    assert_eq!(doc.inputs.len(), doc.messages.len());
    assert_eq!(doc.totals.messages, doc.messages.len());
    for input in &doc.inputs {
        assert_eq!(input.sha256.len(), 64);
        assert!(input.size > 0);
    }
    // Hops oldest first, numbered from 1.
    for m in &doc.messages {
        for (i, hop) in m.hops.iter().enumerate() {
            assert_eq!(hop.index, i + 1);
        }
    }
}

#[test]
fn absent_values_are_null_not_omitted() {
    let r = run(&[
        "headers",
        "--json",
        fixture("messages/clean.eml").to_str().unwrap(),
    ]);
    let doc = r.json();
    let hop = &doc["messages"][0]["hops"][0];
    let object = hop.as_object().unwrap();
    for key in ["via", "tls", "comment", "envelope_from"] {
        assert!(object.contains_key(key), "{key} omitted");
    }
    assert!(doc["messages"][0]["identities"]["sender"].is_null());
}

#[test]
fn ndjson_lines_are_the_messages_items() {
    let mbox = fixture("mbox/sample.mbox");
    let r = run(&["headers", "--format", "ndjson", mbox.to_str().unwrap()]);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", r.stdout);
    for (i, line) in lines.iter().enumerate() {
        let m: Message = serde_json::from_str(line).expect("one message per line");
        assert_eq!(m.index, i + 1);
        assert!(m.input.ends_with("sample.mbox"));
    }
}
