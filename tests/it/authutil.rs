//! Helpers for the `auth` tests: zone files written from (name, TXT) pairs, and runs of
//! `mailsleuth auth` against a real DNS server serving them.

use std::path::{Path, PathBuf};

use crate::util::{fixture, run, DnsServer, Run};

/// Writes one root zone (`$ORIGIN .`) holding every (name, TXT value) pair, so any name can be
/// served; long values are split into 255-byte character-strings. `extra` lines (faults,
/// other records) are appended as written. Returns the file's path.
pub fn write_zone(dir: &Path, records: &[(String, String)], extra: &[&str]) -> PathBuf {
    let mut text = String::from(
        "$ORIGIN .\n$TTL 300\n. IN SOA ns.invalid. host.invalid. 1 3600 600 86400 300\n",
    );
    for (name, value) in records {
        let value = value.replace('\\', "\\\\").replace('"', "\\\"");
        let bytes = value.as_bytes();
        let mut chunks = Vec::new();
        let mut start = 0;
        while start < bytes.len() {
            let mut end = (start + 250).min(bytes.len());
            // Never split an escape pair.
            while end < bytes.len() && end > start && bytes[end - 1] == b'\\' {
                end -= 1;
            }
            chunks.push(format!("\"{}\"", &value[start..end]));
            start = end;
        }
        if chunks.is_empty() {
            chunks.push("\"\"".into());
        }
        text.push_str(&format!(
            "{}. IN TXT {}\n",
            name.trim_end_matches('.'),
            chunks.join(" ")
        ));
    }
    for line in extra {
        text.push_str(line);
        text.push('\n');
    }
    let path = dir.join("root.zone");
    std::fs::write(&path, text).unwrap();
    path
}

/// `mailsleuth auth --format json --resolver SERVER ARGS... FILE`.
pub fn auth(server: &DnsServer, file: &Path, args: &[&str]) -> Run {
    let resolver = server.resolver_arg();
    let mut all = vec!["auth", "--format", "json", "--resolver", &resolver];
    all.extend_from_slice(args);
    let file = file.to_str().unwrap();
    all.push(file);
    run(&all)
}

/// How to sign a test message.
pub struct Signing<'a> {
    /// `rsa512` ... `rsa8192` or `ed25519` (files under tests/fixtures/auth/).
    pub key: &'a str,
    pub domain: &'a str,
    pub selector: &'a str,
    pub headers: &'a [&'a str],
    /// Seconds after signing at which the signature expires (x=).
    pub expiration: Option<u64>,
    /// r=y (RFC 6651): failures are to be reported, so a verifier looks up
    /// `_report._domainkey.DOMAIN`.
    pub reporting: bool,
}

impl Default for Signing<'_> {
    fn default() -> Self {
        Signing {
            key: "rsa2048",
            domain: "example.com",
            selector: "sel",
            headers: &["From", "To", "Subject", "Date"],
            expiration: None,
            reporting: false,
        }
    }
}

/// The DKIM-Signature field (with its CRLF) that signs `message` (CRLF line ends).
pub fn sign(message: &str, how: &Signing<'_>) -> String {
    use mail_auth::common::crypto::{Ed25519Key, RsaKey, Sha256};
    use mail_auth::common::headers::HeaderWriter;
    use mail_auth::dkim::DkimSigner;

    let der = std::fs::read(fixture(&format!("auth/{}.der", how.key))).unwrap();
    let signature = if how.key == "ed25519" {
        let signer = DkimSigner::from_key(Ed25519Key::from_pkcs8_der(&der).unwrap())
            .domain(how.domain)
            .selector(how.selector)
            .headers(how.headers.iter().copied())
            .reporting(how.reporting);
        let signer = match how.expiration {
            Some(x) => signer.expiration(x),
            None => signer,
        };
        signer.sign(message.as_bytes()).unwrap()
    } else {
        let key = RsaKey::<Sha256>::from_key_der(rustls_pki_types::PrivateKeyDer::Pkcs1(
            rustls_pki_types::PrivatePkcs1KeyDer::from(der),
        ))
        .unwrap();
        let signer = DkimSigner::from_key(key)
            .domain(how.domain)
            .selector(how.selector)
            .headers(how.headers.iter().copied())
            .reporting(how.reporting);
        let signer = match how.expiration {
            Some(x) => signer.expiration(x),
            None => signer,
        };
        signer.sign(message.as_bytes()).unwrap()
    };
    signature.to_header()
}

/// The key record (`v=DKIM1; k=...; p=...`) of a fixture key.
pub fn key_record(key: &str) -> String {
    let public = std::fs::read_to_string(fixture(&format!("auth/{key}.pub"))).unwrap();
    let kind = if key == "ed25519" { "ed25519" } else { "rsa" };
    format!("v=DKIM1; k={kind}; p={}", public.trim())
}

/// A plain test message from example.com, CRLF line ends.
pub fn message(extra_headers: &str, body: &str) -> String {
    format!(
        "{extra_headers}From: Alice <alice@example.com>\r\nTo: bob@example.net\r\nSubject: test\r\nDate: Sun, 22 Nov 2026 07:00:00 +0000\r\nMessage-ID: <1@example.com>\r\n\r\n{body}"
    )
}
