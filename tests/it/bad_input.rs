//! Hostile and broken input: each gives a bounded, documented result (a finding or a clear
//! one-line error naming the file and message), never a panic or a hang.

use std::fs;
use std::path::Path;

use crate::util::{codes, fixture, headers_json, run};

fn write(dir: &Path, name: &str, data: &[u8]) -> String {
    let p = dir.join(name);
    fs::write(&p, data).unwrap();
    p.to_str().unwrap().to_string()
}

/// No run may panic; Rust prints "panicked at" on stderr when one does.
fn no_panic(stderr: &str) {
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
}

#[test]
fn empty_file_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "empty.eml", b"");
    let r = run(&["headers", &p]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr.lines().next().unwrap(),
        format!("mailsleuth: {p}: empty input, no message in it")
    );
}

/// Error lines quote the path, which an attacker can choose (a Maildir file name, an
/// attachment saved by name): its control characters are escaped like any evidence text, in
/// the reader's errors, the analysis' errors and the top-level error alike.
#[test]
fn errors_escape_the_path_they_name() {
    let dir = tempfile::tempdir().unwrap();
    let evil = "evil\x1b[2J\u{202e}";
    let shown = format!("{}/evil\\e[2J\\u{{202e}}", dir.path().display());
    let empty = write(dir.path(), &format!("{evil}.eml"), b"");
    let junk = write(
        dir.path(),
        &format!("{evil}.txt"),
        b"a log line, no field\n",
    );
    for (args, want) in [
        (
            vec!["headers", empty.as_str()],
            format!("mailsleuth: {shown}.eml: empty input, no message in it"),
        ),
        (
            vec!["auth", junk.as_str()],
            format!(
                "mailsleuth: {shown}.txt: message 1: no header fields found; not an email message"
            ),
        ),
        (
            vec!["logs", "--config", junk.as_str(), junk.as_str()],
            String::new(),
        ),
    ] {
        let r = run(&args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(
            !r.stderr.contains('\x1b') && !r.stderr.contains('\u{202e}'),
            "{}",
            r.stderr
        );
        if want.is_empty() {
            assert!(r.stderr.contains(&shown), "{}", r.stderr);
        } else {
            assert_eq!(r.stderr.lines().next().unwrap(), want);
        }
    }
}

#[test]
fn blank_first_line_is_an_error_for_headers() {
    // `auth` judges such a message (RFC 5322 allows zero fields; tests/it/auth.rs); to
    // `headers` it is a mistake worth an error, as is an empty file.
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "no-headers.eml",
        b"\nHey gang,\nThis is a test.\n",
    );
    let r = run(&["headers", &p]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr.lines().next().unwrap(),
        format!("mailsleuth: {p}: message 1: no header fields found; not an email message")
    );
}

#[test]
fn trace_refuses_empty_complaints_as_headers_does() {
    let dir = tempfile::tempdir().unwrap();
    let empty = write(dir.path(), "empty.eml", b"");
    let blank = write(dir.path(), "blank.eml", b"\nbody\n");
    let log = write(dir.path(), "mail.log", b"");
    let r = run(&["trace", "--json", &empty, &blank, "--logs", &log]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "mailsleuth: {empty}: empty input, no message in it"
        )),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(&format!(
            "mailsleuth: {blank}: message 1: no header fields found; not an email message"
        )),
        "{}",
        r.stderr
    );
}

#[test]
fn binary_junk_is_not_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let junk: Vec<u8> = (0..65536u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8 | 0x80)
        .collect();
    let p = write(dir.path(), "junk.bin", &junk);
    let r = run(&["headers", "--json", &p]);
    no_panic(&r.stderr);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains(&format!("{p}: message 1: no header fields found")),
        "{}",
        r.stderr
    );
    // The evidence record is still written.
    assert_eq!(r.json()["inputs"][0]["size"], 65536);
}

#[test]
fn ten_megabyte_header_line_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let mut data = b"From: a@example.com\nSubject: ".to_vec();
    data.extend(std::iter::repeat_n(b'A', 10 << 20));
    data.extend_from_slice(b"\nReceived: from x (x [192.0.2.1]) by y with ESMTP id ");
    data.extend(std::iter::repeat_n(b'B', 10 << 20));
    data.extend_from_slice(
        b"; Sat, 21 Nov 2026 10:00:00 +0000\nDate: Sat, 21 Nov 2026 10:00:00 +0000\n\nbody\n",
    );
    let p = write(dir.path(), "long.eml", &data);
    let (r, m) = headers_json(Path::new(&p), &[]);
    no_panic(&r.stderr);
    assert_ne!(r.code, 2, "{}", r.stderr);
    assert_eq!(m["hops"].as_array().unwrap().len(), 1);
    // Evidence quoted in findings is clipped, never 10 MB.
    for f in m["findings"].as_array().unwrap() {
        assert!(f["evidence"].as_str().unwrap_or("").len() < 1000);
    }
}

#[test]
fn ten_thousand_received_headers() {
    let dir = tempfile::tempdir().unwrap();
    let mut data = String::from(
        "From: a@example.com\nDate: Sat, 21 Nov 2026 10:00:00 +0000\nMessage-ID: <x@example.com>\n",
    );
    for i in (0..10_000).rev() {
        data.push_str(&format!(
            "Received: from h{i}.example.net (h{i}.example.net [198.51.100.{}]) by h{}.example.net with ESMTP id Q{i}; Sat, 21 Nov 2026 10:00:00 +0000\n",
            i % 250 + 1,
            i + 1
        ));
    }
    data.push_str("\nbody\n");
    let p = write(dir.path(), "loop.eml", data.as_bytes());
    let (r, m) = headers_json(Path::new(&p), &[]);
    no_panic(&r.stderr);
    assert_eq!(m["hops"].as_array().unwrap().len(), 10_000);
    assert!(codes(&m).contains(&"received.too_many".to_string()));
    assert_eq!(r.code, 1);
}

#[test]
fn truncated_mbox_keeps_what_is_there() {
    let dir = tempfile::tempdir().unwrap();
    let full = fs::read(fixture("mbox/sample.mbox")).unwrap();
    // Cut in the middle of the third message's header block.
    let third = full
        .windows(5)
        .enumerate()
        .filter(|(_, w)| w == b"From ")
        .map(|(i, _)| i)
        .filter(|&i| i == 0 || full[i - 1] == b'\n')
        .nth(2)
        .unwrap();
    let p = write(dir.path(), "cut.mbox", &full[..third + 200]);
    let r = run(&["headers", "--json", &p]);
    no_panic(&r.stderr);
    let doc = r.json();
    let messages = doc["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 3);
    assert!(
        codes(&messages[2]).contains(&"message.no_body".to_string()),
        "{:?}",
        codes(&messages[2])
    );
}

#[test]
fn invalid_encoded_words_and_non_utf8_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let data = b"From: =?utf-8?B?!!!notbase64?= <a@example.com>\nSubject: =?x-unknown?Q?caf=E9?= \xff\xfe caf\xe9\nTo: =?utf-8?q?broken\nDate: Sat, 21 Nov 2026 10:00:00 +0000\nMessage-ID: <e@example.com>\nReceived: from h\xc3\x28 (h [192.0.2.9]) by mx.example.org with ESMTP id Z; Sat, 21 Nov 2026 10:00:00 +0000\n\n\xff body\n";
    let p = write(dir.path(), "enc.eml", data);
    let (r, m) = headers_json(Path::new(&p), &[]);
    no_panic(&r.stderr);
    assert_ne!(r.code, 2, "{}", r.stderr);
    assert_eq!(m["identities"]["from"][0]["address"], "a@example.com");
    assert!(m["summary"]["subject"].is_string());
    assert_eq!(m["hops"].as_array().unwrap().len(), 1);
}

#[test]
fn lines_that_are_not_header_fields_are_findings() {
    let dir = tempfile::tempdir().unwrap();
    let data = b"From: a@example.com\nThis line has no colon at all\nDate: Sat, 21 Nov 2026 10:00:00 +0000\nMessage-ID: <m@example.com>\n\nbody\n";
    let p = write(dir.path(), "nocolon.eml", data);
    let (_, m) = headers_json(Path::new(&p), &[]);
    let f = m["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "header.malformed_line")
        .expect("malformed line reported");
    assert_eq!(f["evidence"], "This line has no colon at all");
}

#[test]
fn evidence_files_are_not_modified() {
    let p = fixture("messages/arf.eml");
    let before = (
        fs::read(&p).unwrap(),
        fs::metadata(&p).unwrap().modified().unwrap(),
    );
    let r = run(&["headers", "--json", p.to_str().unwrap()]);
    assert_ne!(r.code, 2);
    let after = (
        fs::read(&p).unwrap(),
        fs::metadata(&p).unwrap().modified().unwrap(),
    );
    assert_eq!(before, after);
}

#[test]
fn empty_enclosed_message_falls_back_to_the_wrapper() {
    let dir = tempfile::tempdir().unwrap();
    let data = b"From: a@example.com\nSubject: fwd\nDate: Sat, 21 Nov 2026 10:00:00 +0000\nMessage-ID: <x@example.com>\nContent-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\nsee attached\n--b\nContent-Type: text/rfc822-headers\n\n\n--b--\n";
    let p = write(dir.path(), "emptyfwd.eml", data);
    let (r, m) = headers_json(Path::new(&p), &[]);
    assert_ne!(r.code, 2, "{}", r.stderr);
    assert_eq!(m["summary"]["subject"], "fwd");
    assert_eq!(m["wrappers"].as_array().unwrap().len(), 0);
}
