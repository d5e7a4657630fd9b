//! SPF macro strings (RFC 7208 section 7): parsing with precise errors, and expansion.
//!
//! ```text
//! macro-string   = *( macro-expand / macro-literal )
//! macro-expand   = ( "%{" macro-letter transformers *delimiter "}" ) / "%%" / "%_" / "%-"
//! macro-literal  = %x21-24 / %x26-7E          ; visible characters except "%"
//! macro-letter   = "s" / "l" / "o" / "d" / "i" / "p" / "h" / "c" / "r" / "t" / "v"
//! transformers   = *DIGIT [ "r" ]
//! delimiter      = "." / "-" / "+" / "," / "/" / "_" / "="
//! explain-string = *( macro-string / SP )
//! ```

use std::fmt::Write;
use std::net::IpAddr;

/// One macro letter (section 7.2). `c`, `r` and `t` are only allowed in explanations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Letter {
    /// `s`: the sender (local-part@domain).
    Sender,
    /// `l`: the sender's local-part.
    Local,
    /// `o`: the sender's domain.
    SenderDomain,
    /// `d`: the domain being evaluated.
    Domain,
    /// `i`: the client IP, dotted (IPv4) or as dot-separated nibbles (IPv6).
    Ip,
    /// `p`: the validated domain name of the IP (deprecated, costs DNS look-ups).
    ValidatedName,
    /// `v`: `in-addr` or `ip6`.
    IpVersion,
    /// `h`: the HELO/EHLO domain.
    Helo,
    /// `c`: the client IP in readable form (explanations only).
    ClientIp,
    /// `r`: the receiving host's domain (explanations only).
    Receiver,
    /// `t`: the current time in seconds since the epoch (explanations only).
    Timestamp,
}

impl Letter {
    fn from_char(c: char) -> Option<Letter> {
        Some(match c.to_ascii_lowercase() {
            's' => Letter::Sender,
            'l' => Letter::Local,
            'o' => Letter::SenderDomain,
            'd' => Letter::Domain,
            'i' => Letter::Ip,
            'p' => Letter::ValidatedName,
            'v' => Letter::IpVersion,
            'h' => Letter::Helo,
            'c' => Letter::ClientIp,
            'r' => Letter::Receiver,
            't' => Letter::Timestamp,
            _ => return None,
        })
    }

    fn explanation_only(self) -> bool {
        matches!(
            self,
            Letter::ClientIp | Letter::Receiver | Letter::Timestamp
        )
    }
}

/// One piece of a macro string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Literal text (`%%`, `%_` and `%-` already turned into `%`, ` ` and `%20`).
    Literal(String),
    Macro {
        letter: Letter,
        /// Upper-case letter: URL-escape the result.
        escape: bool,
        /// Keep only this many right-hand parts (section 7.3).
        keep: Option<usize>,
        reverse: bool,
        /// Split on these; empty means ".".
        delimiters: String,
    },
}

/// A parsed macro string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MacroString {
    pub pieces: Vec<Piece>,
    /// True when the text ends in a macro-expand (`%{..}`, `%%`, `%_`, `%-`): such a
    /// domain-spec needs no literal top label (section 7.1, `domain-end`).
    ends_in_expand: bool,
}

/// Where a macro string is used: explanation text allows spaces and `c`, `r`, `t`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    DomainSpec,
    Explanation,
}

/// The values macros expand to.
pub struct Values<'a> {
    pub sender_local: &'a str,
    pub sender_domain: &'a str,
    pub domain: &'a str,
    pub ip: IpAddr,
    pub helo: &'a str,
    /// `%{p}`, computed beforehand (it needs DNS) when the string uses it.
    pub validated_name: Option<&'a str>,
    pub receiver: &'a str,
    pub timestamp: u64,
}

impl MacroString {
    /// Parses `text`; the error says what is wrong and where.
    pub fn parse(text: &str, context: Context) -> Result<MacroString, String> {
        let mut pieces: Vec<Piece> = Vec::new();
        let mut literal = String::new();
        let mut ends_in_expand = false;
        let mut chars = text.char_indices().peekable();
        while let Some((at, c)) = chars.next() {
            ends_in_expand = false;
            match c {
                '%' => {
                    let expand = match chars.next() {
                        Some((_, '%')) => "%",
                        Some((_, '_')) => " ",
                        Some((_, '-')) => "%20",
                        Some((_, '{')) => "",
                        Some((_, other)) => {
                            return Err(format!(
                                "\"%{other}\" at offset {at} is not a macro (use %% for a percent sign)"
                            ))
                        }
                        None => return Err("a lone \"%\" ends the text".into()),
                    };
                    ends_in_expand = true;
                    if !expand.is_empty() {
                        literal.push_str(expand);
                        continue;
                    }
                    let start = at;
                    let mut body = String::new();
                    loop {
                        match chars.next() {
                            Some((_, '}')) => break,
                            Some((_, ch)) => body.push(ch),
                            None => return Err(format!("macro at offset {start} has no \"}}\"")),
                        }
                    }
                    if !literal.is_empty() {
                        pieces.push(Piece::Literal(std::mem::take(&mut literal)));
                    }
                    pieces.push(parse_macro(&body, context)?);
                }
                ' ' if context == Context::Explanation => literal.push(' '),
                '\u{21}'..='\u{7e}' => literal.push(c),
                other => {
                    return Err(format!(
                        "character {:?} at offset {at} is not allowed",
                        other
                    ))
                }
            }
        }
        if !literal.is_empty() {
            pieces.push(Piece::Literal(literal));
        }
        Ok(MacroString {
            pieces,
            ends_in_expand,
        })
    }

    /// Parses a domain-spec (section 7.1): a non-empty macro string that ends in a macro or in
    /// "." and a valid top label (optionally followed by a dot).
    pub fn parse_domain_spec(text: &str) -> Result<MacroString, String> {
        if text.is_empty() {
            return Err("the domain is empty".into());
        }
        let spec = MacroString::parse(text, Context::DomainSpec)?;
        if spec.ends_in_expand {
            return Ok(spec);
        }
        let Some(Piece::Literal(tail)) = spec.pieces.last() else {
            return Ok(spec);
        };
        let tail = tail.strip_suffix('.').unwrap_or(tail);
        match tail.rsplit_once('.') {
            Some((_, top)) if is_toplabel(top) => Ok(spec),
            Some((_, top)) => Err(format!("{top:?} is not a valid top-level label")),
            None => Err(format!(
                "{text:?} is not a domain name (it needs a dot and a top-level label)"
            )),
        }
    }

    /// True when expanding needs `%{p}`.
    pub fn uses_validated_name(&self) -> bool {
        self.pieces.iter().any(|p| {
            matches!(
                p,
                Piece::Macro {
                    letter: Letter::ValidatedName,
                    ..
                }
            )
        })
    }

    /// Expands the string (section 7.3).
    pub fn expand(&self, values: &Values) -> String {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Literal(text) => out.push_str(text),
                Piece::Macro {
                    letter,
                    escape,
                    keep,
                    reverse,
                    delimiters,
                } => {
                    let value = letter_value(*letter, values);
                    let delimiters = if delimiters.is_empty() {
                        "."
                    } else {
                        delimiters
                    };
                    let mut parts: Vec<&str> = value.split(|c| delimiters.contains(c)).collect();
                    if *reverse {
                        parts.reverse();
                    }
                    if let Some(n) = keep {
                        if *n < parts.len() {
                            parts.drain(..parts.len() - n);
                        }
                    }
                    let joined = parts.join(".");
                    if *escape {
                        url_escape(&joined, &mut out);
                    } else {
                        out.push_str(&joined);
                    }
                }
            }
        }
        out
    }
}

/// `letter transformers *delimiter` inside `%{...}`.
fn parse_macro(body: &str, context: Context) -> Result<Piece, String> {
    let mut chars = body.chars();
    let first = chars
        .next()
        .ok_or_else(|| "empty macro \"%{}\"".to_string())?;
    let letter = Letter::from_char(first)
        .ok_or_else(|| format!("unknown macro letter {first:?} in \"%{{{body}}}\""))?;
    if letter.explanation_only() && context == Context::DomainSpec {
        return Err(format!(
            "macro \"%{{{body}}}\" is only allowed in explanation text"
        ));
    }
    let rest = chars.as_str();
    let digits_end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let keep = if digits_end == 0 {
        None
    } else {
        // RFC 7208 7.3: at least 128 parts must be supported; more is meaningless.
        let n: usize = rest[..digits_end].parse().unwrap_or(usize::MAX);
        if n == 0 {
            return Err(format!("macro \"%{{{body}}}\" keeps zero parts"));
        }
        Some(n.min(128))
    };
    let mut rest = &rest[digits_end..];
    let reverse = match rest.strip_prefix(['r', 'R']) {
        Some(after) => {
            rest = after;
            true
        }
        None => false,
    };
    if let Some(bad) = rest.chars().find(|c| !".-+,/_=".contains(*c)) {
        return Err(format!(
            "{bad:?} is not a transformer or delimiter in \"%{{{body}}}\""
        ));
    }
    Ok(Piece::Macro {
        letter,
        escape: first.is_ascii_uppercase(),
        keep,
        reverse,
        delimiters: rest.to_string(),
    })
}

/// `toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum )`
fn is_toplabel(label: &str) -> bool {
    let b = label.as_bytes();
    if b.is_empty() || !b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-') {
        return false;
    }
    if !b.contains(&b'-') {
        return b.iter().any(u8::is_ascii_alphabetic);
    }
    b[0].is_ascii_alphanumeric() && b[b.len() - 1].is_ascii_alphanumeric()
}

fn letter_value(letter: Letter, v: &Values) -> String {
    match letter {
        Letter::Sender => format!("{}@{}", v.sender_local, v.sender_domain),
        Letter::Local => v.sender_local.to_string(),
        Letter::SenderDomain => v.sender_domain.to_string(),
        Letter::Domain => v.domain.to_string(),
        Letter::Ip => match v.ip {
            IpAddr::V4(a) => a.to_string(),
            IpAddr::V6(a) => {
                let mut out = String::with_capacity(63);
                for byte in a.octets() {
                    for nibble in [byte >> 4, byte & 0xf] {
                        if !out.is_empty() {
                            out.push('.');
                        }
                        let _ = write!(out, "{nibble:X}");
                    }
                }
                out
            }
        },
        Letter::ValidatedName => v.validated_name.unwrap_or("unknown").to_string(),
        Letter::IpVersion => match v.ip {
            IpAddr::V4(_) => "in-addr".into(),
            IpAddr::V6(_) => "ip6".into(),
        },
        Letter::Helo => v.helo.to_string(),
        Letter::ClientIp => v.ip.to_string(),
        Letter::Receiver => v.receiver.to_string(),
        Letter::Timestamp => v.timestamp.to_string(),
    }
}

/// URL-escapes everything outside RFC 3986 "unreserved" (section 7.3).
fn url_escape(text: &str, out: &mut String) {
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(ip: &str) -> Values<'static> {
        Values {
            sender_local: "strong-bad",
            sender_domain: "email.example.com",
            domain: "email.example.com",
            ip: ip.parse().unwrap(),
            helo: "mx.example.org",
            validated_name: None,
            receiver: "unknown",
            timestamp: 1_000_000,
        }
    }

    fn expand(text: &str, ip: &str) -> String {
        MacroString::parse(text, Context::Explanation)
            .unwrap()
            .expand(&values(ip))
    }

    #[test]
    fn rfc7208_section_7_4_examples() {
        let v4 = "192.0.2.3";
        assert_eq!(expand("%{s}", v4), "strong-bad@email.example.com");
        assert_eq!(expand("%{o}", v4), "email.example.com");
        assert_eq!(expand("%{d}", v4), "email.example.com");
        assert_eq!(expand("%{d4}", v4), "email.example.com");
        assert_eq!(expand("%{d3}", v4), "email.example.com");
        assert_eq!(expand("%{d2}", v4), "example.com");
        assert_eq!(expand("%{d1}", v4), "com");
        assert_eq!(expand("%{dr}", v4), "com.example.email");
        assert_eq!(expand("%{d2r}", v4), "example.email");
        assert_eq!(expand("%{l}", v4), "strong-bad");
        assert_eq!(expand("%{l-}", v4), "strong.bad");
        assert_eq!(expand("%{lr}", v4), "strong-bad");
        assert_eq!(expand("%{lr-}", v4), "bad.strong");
        assert_eq!(expand("%{l1r-}", v4), "strong");
        assert_eq!(
            expand("%{ir}.%{v}._spf.%{d2}", v4),
            "3.2.0.192.in-addr._spf.example.com"
        );
        assert_eq!(
            expand("%{lr-}.lp._spf.%{d2}", v4),
            "bad.strong.lp._spf.example.com"
        );
        assert_eq!(
            expand("%{ir}.%{v}._spf.%{d2}", "2001:db8::cb01"),
            "1.0.B.C.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.B.D.0.1.0.0.2.ip6._spf.example.com"
        );
        assert_eq!(expand("%%%_%-", v4), "% %20");
        assert_eq!(
            expand("%{c} at %{t}", "2001:db8::cb01"),
            "2001:db8::cb01 at 1000000"
        );
    }

    #[test]
    fn upper_case_letters_url_escape() {
        let mut v = values("192.0.2.3");
        v.sender_local = "~jack&jill=up-a_b3.c";
        let s = MacroString::parse("%{L}", Context::DomainSpec).unwrap();
        assert_eq!(s.expand(&v), "~jack%26jill%3Dup-a_b3.c");
    }

    #[test]
    fn syntax_errors() {
        for bad in [
            "%(ir)", "foo%", "%{a}", "%{x}", "%{d0}", "%{d2q}", "a\u{0}b", "%{d",
        ] {
            assert!(
                MacroString::parse(bad, Context::DomainSpec).is_err(),
                "{bad}"
            );
        }
        assert!(MacroString::parse("%{r}", Context::DomainSpec).is_err());
        assert!(MacroString::parse("%{r}", Context::Explanation).is_ok());
        assert!(MacroString::parse("a b", Context::DomainSpec).is_err());
        assert!(MacroString::parse("a b", Context::Explanation).is_ok());
    }

    #[test]
    fn domain_spec_needs_a_top_label() {
        for good in [
            "example.com",
            "example.com.",
            "foo.example.xn--zckzah",
            "%{d}",
            "%{ir}.%{v}",
            "foo:bar/baz.example.com",
            "mail.example...com",
            "x%-",
        ] {
            assert!(MacroString::parse_domain_spec(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "museum",
            "museum.",
            "111.222.33.44",
            "abc.123",
            "example.-com",
            "example.com:8080",
            "example.com/24",
            "-all",
            "%{d}foo",
        ] {
            assert!(MacroString::parse_domain_spec(bad).is_err(), "{bad}");
        }
    }
}
