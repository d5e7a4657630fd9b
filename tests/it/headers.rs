//! `mailsleuth headers` on the bundled fixtures: chains, origins, identities, unwrapping,
//! findings, formats and exit codes.

use crate::util::{codes, fixture, headers_json, run, run_with_stdin};

#[test]
fn relay_abuse_origin_is_the_authenticated_client() {
    let (r, m) = headers_json(&fixture("messages/relay-abuse.eml"), &[]);
    assert_eq!(r.code, 1, "flagged findings exit 1: {}", r.stderr);
    let hops = m["hops"].as_array().unwrap();
    assert_eq!(hops.len(), 3);
    // Oldest first: the ESMTPSA submission hop.
    assert_eq!(hops[0]["from"]["ip"], "203.0.113.77");
    assert_eq!(hops[0]["from"]["helo"], "[10.20.30.40]");
    assert_eq!(hops[0]["with"], "ESMTPSA");
    assert_eq!(hops[0]["smtp_auth"], true);
    assert_eq!(hops[0]["authenticated"], "sales@shop.example.net");
    assert_eq!(hops[1]["delay_s"], 2);
    assert_eq!(hops[2]["with"], "LMTP");
    // Without --trusted, the first public client below the top is the origin.
    assert_eq!(m["origin"]["hop"], 2);
    assert_eq!(m["origin"]["ip"], "198.51.100.20");
    // Trusting our relay's network moves the origin to the bot's address.
    let (_, m) = headers_json(
        &fixture("messages/relay-abuse.eml"),
        &["--trusted", "198.51.100.0/24"],
    );
    assert_eq!(m["origin"]["hop"], 1);
    assert_eq!(m["origin"]["ip"], "203.0.113.77");
    assert_eq!(m["origin"]["authenticated"], "sales@shop.example.net");
    let reason = m["origin"]["reason"].as_str().unwrap();
    assert!(reason.contains("198.51.100.20 is trusted"), "{reason}");
    assert!(
        reason.contains("authenticated as sales@shop.example.net"),
        "{reason}"
    );
    assert_eq!(m["hops"][1]["trusted"], true);
    assert_eq!(m["hops"][0]["trusted"], false);
    // Trusting by host name works on the rDNS our hop recorded.
    let (_, m) = headers_json(
        &fixture("messages/relay-abuse.eml"),
        &["--trusted", "shop.example.net"],
    );
    assert_eq!(m["origin"]["ip"], "203.0.113.77");
}

#[test]
fn relay_abuse_identities_and_findings() {
    let (_, m) = headers_json(&fixture("messages/relay-abuse.eml"), &[]);
    let ids = &m["identities"];
    assert_eq!(ids["return_path"], "sales@shop.example.net");
    assert_eq!(ids["from"][0]["address"], "noreply@shop.example.net");
    assert_eq!(ids["pra"], "noreply@shop.example.net");
    assert_eq!(ids["dmarc_domain"], "shop.example.net");
    assert_eq!(ids["authenticated"], "sales@shop.example.net");
    let rel = |identity: &str| {
        ids["relations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["identity"] == identity)
            .map(|r| r["relation"].as_str().unwrap().to_string())
    };
    assert_eq!(rel("return_path").as_deref(), Some("same_domain"));
    assert_eq!(rel("reply_to").as_deref(), Some("different"));
    let codes = codes(&m);
    for expected in [
        "from.display_name_address",
        "reply_to.other_domain",
        "domain.punycode",
        "date.skew",
    ] {
        assert!(
            codes.contains(&expected.to_string()),
            "{expected} missing: {codes:?}"
        );
    }
    // The claimed IP equals the origin only when the origin is the bot; by default it differs.
    assert!(codes.contains(&"origin.claimed_ip".to_string()));
    assert_eq!(m["claims"][0]["ip"], "203.0.113.77");
}

#[test]
fn clean_message_exits_zero_with_no_medium_findings() {
    let (r, m) = headers_json(&fixture("messages/clean.eml"), &[]);
    assert_eq!(r.code, 0, "{:?}", codes(&m));
    assert_eq!(m["origin"]["ip"], "198.51.100.10");
    assert_eq!(m["hops"][0]["from"]["ip"], "198.51.100.200");
    assert_eq!(m["identities"]["authenticated"], "alice@example.com");
    // Date is 10:14:58 +0100 = 09:14:58Z, three seconds before the first hop.
    assert!(!codes(&m).contains(&"date.skew".to_string()));
}

#[test]
fn crlf_and_lf_give_the_same_analysis() {
    let (_, lf) = headers_json(&fixture("messages/clean.eml"), &[]);
    let (_, crlf) = headers_json(&fixture("messages/clean-crlf.eml"), &[]);
    assert_eq!(lf["hops"], crlf["hops"]);
    assert_eq!(lf["identities"], crlf["identities"]);
    assert_eq!(lf["origin"], crlf["origin"]);
    assert_eq!(codes(&lf), codes(&crlf));
}

#[test]
fn forwarded_complaint_is_unwrapped() {
    let (_, m) = headers_json(&fixture("messages/forwarded-complaint.eml"), &[]);
    assert_eq!(m["wrappers"][0]["kind"], "forward");
    assert_eq!(m["wrappers"][0]["from"], "carol@example.org");
    assert_eq!(m["summary"]["subject"], "You won a prize");
    assert_eq!(
        m["identities"]["from"][0]["address"],
        "winner@prizes.example.com"
    );
    assert_eq!(m["hops"].as_array().unwrap().len(), 3);
    assert_eq!(m["origin"]["ip"], "203.0.113.50");
    let (_, m) = headers_json(
        &fixture("messages/forwarded-complaint.eml"),
        &["--trusted", "203.0.113.50"],
    );
    assert_eq!(m["origin"]["ip"], "198.51.100.99");
    assert_eq!(m["origin"]["helo"], "pc");
}

#[test]
fn arf_report_is_unwrapped_with_its_fields() {
    let (_, m) = headers_json(&fixture("messages/arf.eml"), &[]);
    let w = &m["wrappers"][0];
    assert_eq!(w["kind"], "arf");
    assert_eq!(w["headers_only"], false);
    let f = &w["feedback"];
    assert_eq!(f["feedback_type"], "abuse");
    assert_eq!(f["source_ip"], "203.0.113.50");
    assert_eq!(f["reported_domain"][0], "hosting.example");
    assert_eq!(f["arrival_date"], "Sat, 21 Nov 2026 13:45:00 +0000");
    assert_eq!(f["original_rcpt_to"][0], "<user@feedback.example>");
    assert_eq!(m["summary"]["message_id"], "money-7@hosting.example");
    assert_eq!(m["hops"][0]["authenticated"], "promo@hosting.example");
}

#[test]
fn arf_with_rfc822_headers_part() {
    let (_, m) = headers_json(&fixture("messages/arf-headers-only.eml"), &[]);
    let w = &m["wrappers"][0];
    assert_eq!(w["kind"], "arf");
    assert_eq!(w["headers_only"], true);
    assert_eq!(w["feedback"]["source_ip"], "203.0.113.51");
    assert_eq!(m["origin"]["ip"], "203.0.113.51");
    assert_eq!(m["summary"]["subject"], "Weekly news");
}

#[test]
fn clock_trouble_is_reported_with_signed_delays() {
    let (_, m) = headers_json(&fixture("messages/clock-trouble.eml"), &[]);
    let hops = m["hops"].as_array().unwrap();
    assert_eq!(hops[1]["delay_s"], 5 * 3600 + 1800);
    // Negative, never "23 hours".
    assert_eq!(hops[2]["delay_s"], -5400);
    let codes = codes(&m);
    for expected in [
        "received.delay_long",
        "received.time_backwards",
        "date.skew",
    ] {
        assert!(
            codes.contains(&expected.to_string()),
            "{expected}: {codes:?}"
        );
    }
    // A wider tolerance silences the backwards finding.
    let (_, m) = headers_json(
        &fixture("messages/clock-trouble.eml"),
        &[
            "--max-skew",
            "6000",
            "--max-delay",
            "20000",
            "--max-date-skew",
            "86400",
        ],
    );
    let codes = crate::util::codes(&m);
    assert!(
        !codes.contains(&"received.time_backwards".to_string()),
        "{codes:?}"
    );
    assert!(
        !codes.contains(&"received.delay_long".to_string()),
        "{codes:?}"
    );
    assert!(!codes.contains(&"date.skew".to_string()), "{codes:?}");
}

#[test]
fn mbox_maildir_and_stdin_inputs() {
    let r = run(&[
        "headers",
        "--json",
        fixture("mbox/sample.mbox").to_str().unwrap(),
    ]);
    let doc = r.json();
    let messages = doc["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 3);
    assert_eq!(messages[1]["index"], 2);
    assert_eq!(doc["inputs"].as_array().unwrap().len(), 1);

    // Maildir: new/ and cur/, never tmp/.
    let r = run(&["headers", "--json", fixture("maildir").to_str().unwrap()]);
    let doc = r.json();
    let inputs: Vec<String> = doc["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["path"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(inputs.len(), 2, "{inputs:?}");
    assert!(
        inputs[0].contains("/new/") && inputs[1].contains("/cur/"),
        "{inputs:?}"
    );

    let data = std::fs::read(fixture("messages/clean.eml")).unwrap();
    let r = run_with_stdin(&["headers", "--json", "-"], Some(&data));
    let doc = r.json();
    assert_eq!(doc["inputs"][0]["path"], "-");
    assert_eq!(doc["inputs"][0]["size"], data.len());
    assert_eq!(
        doc["messages"][0]["summary"]["subject"],
        "Lunch on Tuesday?"
    );
}

#[test]
fn evidence_hash_is_the_file_sha256() {
    let path = fixture("messages/clean.eml");
    let r = run(&["headers", "--json", path.to_str().unwrap()]);
    let doc = r.json();
    let data = std::fs::read(&path).unwrap();
    use sha2::Digest;
    let expected: String = sha2::Sha256::digest(&data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(doc["inputs"][0]["sha256"], expected.as_str());
}

#[test]
fn table_output_escapes_terminal_controls() {
    let hostile = b"From: \"x\x1b]0;pwned\x07\" <a@example.com>\nSubject: \x1b[2J\xe2\x80\xae gnp.exe\nDate: Sat, 21 Nov 2026 10:00:00 +0000\nMessage-ID: <h@example.com>\nReceived: from evil (evil [192.0.2.66]) by mx.example.org with ESMTP id \x1b[31mRED; Sat, 21 Nov 2026 10:00:01 +0000\n\nbody\n";
    let r = run_with_stdin(&["headers", "-"], Some(hostile));
    assert!(
        !r.stdout.contains('\u{1b}'),
        "raw ESC reached the terminal:\n{}",
        r.stdout
    );
    assert!(!r.stdout.contains('\u{202e}'));
    assert!(!r.stdout.contains('\u{7}'));
    assert!(r.stdout.contains("\\e[2J"), "{}", r.stdout);
    assert!(r.stdout.contains("\\u{202e}"), "{}", r.stdout);
}

#[test]
fn color_follows_flag_and_no_color() {
    let path = fixture("messages/relay-abuse.eml");
    let p = path.to_str().unwrap();
    let r = run(&["headers", "--color", "always", p]);
    assert!(
        r.stdout.contains("\u{1b}["),
        "colour missing with --color always"
    );
    let r = run(&["headers", p]);
    assert!(!r.stdout.contains("\u{1b}["), "colour when not a terminal");
    let r = run(&["headers", "--color", "never", p]);
    assert!(!r.stdout.contains("\u{1b}["));
}

#[test]
fn fail_on_sets_the_exit_threshold() {
    let p = fixture("messages/clean.eml");
    let p = p.to_str().unwrap();
    assert_eq!(run(&["headers", "--fail-on", "never", p]).code, 0);
    let r = run(&[
        "headers",
        "--fail-on",
        "info",
        "--json",
        fixture("messages/relay-abuse.eml").to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1);
    assert_eq!(
        run(&[
            "headers",
            "--fail-on",
            "never",
            fixture("messages/relay-abuse.eml").to_str().unwrap()
        ])
        .code,
        0
    );
}

#[test]
fn usage_errors_exit_two() {
    let r = run(&["headers"]);
    assert_eq!(r.code, 2);
    let r = run(&[
        "headers",
        "--trusted",
        "10.0.0.0/40",
        fixture("messages/clean.eml").to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("--trusted \"10.0.0.0/40\""),
        "{}",
        r.stderr
    );
    let r = run(&["headers", "--format", "xml", "x"]);
    assert_eq!(r.code, 2);
    let r = run(&["headers", "--json", "--format", "ndjson", "x"]);
    assert_eq!(r.code, 2, "--json conflicts with --format");
}

#[test]
fn unreadable_input_exits_two_but_reads_the_rest() {
    let r = run(&[
        "headers",
        "--json",
        "/nonexistent/complaint.eml",
        fixture("messages/clean.eml").to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("/nonexistent/complaint.eml"),
        "{}",
        r.stderr
    );
    assert_eq!(
        r.stderr.lines().count(),
        2,
        "one line per error, one note: {}",
        r.stderr
    );
    let quiet = run(&["headers", "-q", "/nonexistent/complaint.eml"]);
    assert_eq!(quiet.stderr.lines().count(), 1, "{}", quiet.stderr);
    assert_eq!(quiet.code, 2);
    let doc = r.json();
    assert_eq!(doc["messages"].as_array().unwrap().len(), 1);
    assert_eq!(doc["totals"]["errors"], 1);
}

#[test]
fn broken_pipe_exits_quietly() {
    use std::process::{Command, Stdio};
    // 200 copies of an mbox message: far more output than a pipe buffer holds.
    let dir = tempfile::tempdir().unwrap();
    let mbox = dir.path().join("many.mbox");
    let one = std::fs::read_to_string(fixture("messages/relay-abuse.eml")).unwrap();
    let mut data = String::new();
    for _ in 0..2000 {
        data.push_str("From x@example.com Sat Nov 21 10:00:00 2026\n");
        data.push_str(&one);
        data.push('\n');
    }
    std::fs::write(&mbox, data).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_mailsleuth"))
        .args(["headers", mbox.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read one byte, then close the pipe.
    {
        use std::io::Read;
        let mut out = child.stdout.take().unwrap();
        let mut byte = [0u8; 1];
        out.read_exact(&mut byte).unwrap();
    }
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Runs `headers --json -` on an inline message and returns its finding codes.
fn codes_of(message: &str) -> Vec<String> {
    let r = run_with_stdin(&["headers", "--json", "-"], Some(message.as_bytes()));
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    codes(&r.json()["messages"][0])
}

const HOP: &str = "Received: from a.example.net (a.example.net [192.0.2.1]) by mx.example.org with ESMTP id Q1; Sat, 21 Nov 2026 10:00:00 +0000\n";

#[test]
fn identity_findings() {
    let base = "Date: Sat, 21 Nov 2026 10:00:00 +0000\nMessage-ID: <i@example.com>\n";
    let several = format!("{HOP}{base}From: a@example.com, b@example.net\n\nx\n");
    let c = codes_of(&several);
    assert!(c.contains(&"from.multiple_without_sender".into()), "{c:?}");
    let with_sender =
        format!("{HOP}{base}From: a@example.com, b@example.net\nSender: a@example.com\n\nx\n");
    assert!(!codes_of(&with_sender).contains(&"from.multiple_without_sender".into()));

    // Cyrillic "а" in a Latin label.
    let mixed = format!("{HOP}{base}From: PayPal <service@p\u{0430}ypal.com>\n\nx\n");
    assert!(codes_of(&mixed).contains(&"domain.mixed_script".into()));
    let mixed_puny = format!("{HOP}{base}From: PayPal <service@xn--pypal-4ve.com>\n\nx\n");
    let c = codes_of(&mixed_puny);
    assert!(
        c.contains(&"domain.punycode".into()) && c.contains(&"domain.mixed_script".into()),
        "{c:?}"
    );

    let none = format!("{HOP}From: a@example.com\n\nx\n");
    let c = codes_of(&none);
    assert!(
        c.contains(&"date.missing".into()) && c.contains(&"message_id.missing".into()),
        "{c:?}"
    );
    let bad_date = format!("{HOP}Date: yesterday-ish\nFrom: a@example.com\n\nx\n");
    assert!(codes_of(&bad_date).contains(&"date.invalid".into()));
    let no_from = format!("{HOP}{base}Subject: x\n\nx\n");
    assert!(codes_of(&no_from).contains(&"from.missing".into()));
}

#[test]
fn submitter_differs_from_author() {
    let msg = "Received: from pc ([198.51.100.9]) (Authenticated sender: victim@isp.example) by smtp.isp.example (Postfix) with ESMTPSA id Q2; Sat, 21 Nov 2026 10:00:00 +0000\nDate: Sat, 21 Nov 2026 10:00:00 +0000\nMessage-ID: <s@example.com>\nFrom: Bank <alerts@bank.example>\n\nx\n";
    let r = run_with_stdin(&["headers", "--json", "-"], Some(msg.as_bytes()));
    let m = &r.json()["messages"][0];
    assert_eq!(m["identities"]["authenticated"], "victim@isp.example");
    assert!(
        codes(m).contains(&"auth.submitter_mismatch".into()),
        "{:?}",
        codes(m)
    );
    let same = msg.replace("alerts@bank.example", "victim@isp.example");
    assert!(!codes_of(&same).contains(&"auth.submitter_mismatch".into()));
}

#[test]
fn hops_that_do_not_chain() {
    let msg = "Received: from relay.example.net (relay.example.net [198.51.100.5]) by mx.example.org with ESMTP id A; Sat, 21 Nov 2026 10:00:02 +0000\nReceived: from pc.example.com (pc.example.com [203.0.113.5]) by elsewhere.example.com with ESMTP id B; Sat, 21 Nov 2026 10:00:01 +0000\nDate: Sat, 21 Nov 2026 10:00:00 +0000\nMessage-ID: <c@example.com>\nFrom: a@example.net\n\nx\n";
    assert!(codes_of(msg).contains(&"received.chain_break".into()));
    let chained = msg.replace("elsewhere.example.com", "relay.example.net");
    assert!(!codes_of(&chained).contains(&"received.chain_break".into()));
}

#[test]
fn resent_and_pra() {
    let msg = format!("Resent-From: list@lists.example.org\nResent-Date: Sat, 21 Nov 2026 10:00:01 +0000\n{HOP}Date: Sat, 21 Nov 2026 10:00:00 +0000\nMessage-ID: <r@example.com>\nFrom: a@example.com\n\nx\n");
    let r = run_with_stdin(&["headers", "--json", "-"], Some(msg.as_bytes()));
    let ids = &r.json()["messages"][0]["identities"];
    assert_eq!(
        ids["resent"]["from"][0]["address"],
        "list@lists.example.org"
    );
    assert_eq!(ids["pra"], "list@lists.example.org");
    assert_eq!(ids["dmarc_domain"], "example.com");
}
