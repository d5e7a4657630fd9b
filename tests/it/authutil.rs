//! Helpers for the `auth` tests: zone files written from (name, TXT) pairs, and runs of
//! `mailsleuth auth` against a real DNS server serving them.

use std::path::{Path, PathBuf};

use crate::util::{run, DnsServer, Run};

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
