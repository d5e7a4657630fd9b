//! Then: what the message's own Authentication-Results (RFC 8601), ARC-Authentication-Results
//! (RFC 8617) and Received-SPF (RFC 7208 section 9.1) fields said when it was received.

use serde::Serialize;

use crate::auth::AuthResult;

/// Fields read per message, and results per field: a padded header block must not cost more.
const MAX_FIELDS: usize = 50;
const MAX_RESULTS: usize = 20;

/// One method=result pair that a field recorded.
#[derive(Debug, Clone, Serialize)]
pub struct Recorded {
    /// `Authentication-Results`, `ARC-Authentication-Results` or `Received-SPF`.
    pub header: &'static str,
    /// 1 = the topmost field of that name (the last receiver's).
    pub position: usize,
    /// Who wrote it (authserv-id; for Received-SPF the `receiver=` key, when given).
    pub authserv_id: Option<String>,
    /// The ARC instance, for ARC-Authentication-Results.
    pub instance: Option<u32>,
    pub method: String,
    /// The recorded word, as written (lower case).
    pub result: String,
    /// `ptype.property=value` pairs (`header.d=example.com`, `smtp.mailfrom=...`).
    pub properties: Vec<(String, String)>,
    /// Today's verdict for the same method and identifier, when one was computed.
    pub today: Option<AuthResult>,
    pub differs: bool,
}

/// Every recorded result in the header block, topmost field first. `fields` are the
/// message's (name, value) pairs in order.
pub fn parse<'a>(fields: impl Iterator<Item = (&'a str, &'a str)>) -> Vec<Recorded> {
    let mut out = Vec::new();
    let (mut ar, mut aar, mut spf) = (0, 0, 0);
    for (name, value) in fields.take(10_000) {
        let name = name.trim();
        let value = strip_comments(value);
        if name.eq_ignore_ascii_case("Authentication-Results") && ar < MAX_FIELDS {
            ar += 1;
            out.extend(results("Authentication-Results", ar, &value, false));
        } else if name.eq_ignore_ascii_case("ARC-Authentication-Results") && aar < MAX_FIELDS {
            aar += 1;
            out.extend(results("ARC-Authentication-Results", aar, &value, true));
        } else if name.eq_ignore_ascii_case("Received-SPF") && spf < MAX_FIELDS {
            spf += 1;
            out.extend(received_spf(spf, &value));
        }
    }
    out
}

fn results(header: &'static str, position: usize, value: &str, arc: bool) -> Vec<Recorded> {
    let mut parts = split_unquoted(value, ';').into_iter();
    let mut instance = None;
    if arc {
        let first = parts.next().unwrap_or_default();
        instance = first
            .trim()
            .strip_prefix("i=")
            .and_then(|n| n.trim().parse().ok());
    }
    let authserv_id = parts
        .next()
        .and_then(|p| p.split_whitespace().next().map(str::to_string));
    parts
        .filter_map(|part| {
            let mut tokens = split_unquoted(&part, ' ')
                .into_iter()
                .filter(|t| !t.is_empty());
            let (method, result) = tokens.next()?.split_once('=').map(|(m, r)| {
                // `dkim/1=pass`: the method version is not part of its name.
                let method = m.split('/').next().unwrap_or(m);
                (
                    method.trim().to_ascii_lowercase(),
                    r.trim().to_ascii_lowercase(),
                )
            })?;
            if method == "none" || method.is_empty() {
                return None;
            }
            let properties = tokens
                .filter_map(|t| {
                    let (k, v) = t.split_once('=')?;
                    Some((k.to_ascii_lowercase(), v.trim_matches('"').to_string()))
                })
                .take(16)
                .collect();
            Some(Recorded {
                header,
                position,
                authserv_id: authserv_id.clone(),
                instance,
                method,
                result,
                properties,
                today: None,
                differs: false,
            })
        })
        .take(MAX_RESULTS)
        .collect()
}

/// `Received-SPF: pass (comment) client-ip=...; envelope-from=...; receiver=...`
fn received_spf(position: usize, value: &str) -> Option<Recorded> {
    let value = value.trim();
    let (result, rest) = value.split_once(char::is_whitespace).unwrap_or((value, ""));
    let properties: Vec<(String, String)> = split_unquoted(rest, ';')
        .iter()
        .filter_map(|p| {
            let (k, v) = p.split_once('=')?;
            Some((
                k.trim().to_ascii_lowercase(),
                v.trim().trim_matches('"').to_string(),
            ))
        })
        .take(16)
        .collect();
    let authserv_id = properties
        .iter()
        .find(|(k, _)| k == "receiver")
        .map(|(_, v)| v.clone());
    Some(Recorded {
        header: "Received-SPF",
        position,
        authserv_id,
        instance: None,
        method: "spf".into(),
        result: result.to_ascii_lowercase(),
        properties,
        today: None,
        differs: false,
    })
}

/// RFC 5322 comments (nested parentheses) removed, quoted strings kept.
fn strip_comments(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let (mut depth, mut quoted, mut escaped) = (0usize, false, false);
    for c in value.chars() {
        if escaped {
            escaped = false;
            if depth == 0 {
                out.push(c);
            }
            continue;
        }
        match c {
            '\\' => {
                escaped = true;
                if depth == 0 {
                    out.push(c);
                }
            }
            '"' if depth == 0 => {
                quoted = !quoted;
                out.push(c);
            }
            '(' if !quoted => depth += 1,
            ')' if !quoted && depth > 0 => depth -= 1,
            '\r' | '\n' | '\t' if depth == 0 => out.push(' '),
            '\r' | '\n' | '\t' => {}
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

fn split_unquoted(value: &str, sep: char) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut quoted = false;
    for c in value.chars() {
        if c == '"' {
            quoted = !quoted;
        }
        if c == sep && !quoted {
            parts.push(String::new());
        } else if let Some(last) = parts.last_mut() {
            last.push(c);
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_results_with_comments_and_versions() {
        let fields = [
            (
                "Authentication-Results",
                " mx.example.net 1; spf=pass (sender ok) smtp.mailfrom=a@example.com;\r\n dkim/1=fail (bad sig) header.d=example.com header.s=s1; dmarc=fail header.from=example.com",
            ),
            ("ARC-Authentication-Results", " i=2; relay.example; arc=pass"),
            ("Received-SPF", " softfail (no) client-ip=192.0.2.1; receiver=mx.example.net"),
        ];
        let got = parse(fields.iter().copied());
        let words: Vec<_> = got
            .iter()
            .map(|r| {
                (
                    r.method.as_str(),
                    r.result.as_str(),
                    r.authserv_id.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            words,
            [
                ("spf", "pass", Some("mx.example.net")),
                ("dkim", "fail", Some("mx.example.net")),
                ("dmarc", "fail", Some("mx.example.net")),
                ("arc", "pass", Some("relay.example")),
                ("spf", "softfail", Some("mx.example.net")),
            ]
        );
        assert_eq!(got[3].instance, Some(2));
        assert!(got[1]
            .properties
            .contains(&("header.d".into(), "example.com".into())));
    }
}
