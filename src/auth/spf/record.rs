//! Parsing an SPF record (RFC 7208 sections 4.5, 4.6, 5 and 6) into mechanisms and modifiers,
//! with errors that name the offending term. (mail-auth 0.13's parser, `mail_auth::spf::Spf`,
//! reports every syntax error as a bare `Error::ParseError`, without the term.)
//!
//! ```text
//! record     = version terms *SP
//! version    = "v=spf1"
//! terms      = *( 1*SP ( directive / modifier ) )
//! directive  = [ qualifier ] mechanism
//! qualifier  = "+" / "-" / "?" / "~"
//! modifier   = redirect / explanation / unknown-modifier
//! unknown-modifier = name "=" macro-string
//! name       = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." )
//! ```

use std::net::{Ipv4Addr, Ipv6Addr};

use super::macros::{Context, MacroString};
use crate::auth::AuthResult;

/// The result a matching mechanism gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Qualifier {
    Pass,
    Fail,
    SoftFail,
    Neutral,
}

impl Qualifier {
    pub fn result(self) -> AuthResult {
        match self {
            Qualifier::Pass => AuthResult::Pass,
            Qualifier::Fail => AuthResult::Fail,
            Qualifier::SoftFail => AuthResult::SoftFail,
            Qualifier::Neutral => AuthResult::Neutral,
        }
    }
}

/// Prefix lengths of `a` and `mx` (`dual-cidr-length`); `None` means the whole address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cidr {
    pub v4: Option<u8>,
    pub v6: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mechanism {
    All,
    Include(MacroString),
    A(Option<MacroString>, Cidr),
    Mx(Option<MacroString>, Cidr),
    Ptr(Option<MacroString>),
    Ip4(Ipv4Addr, u8),
    Ip6(Ipv6Addr, u8),
    Exists(MacroString),
}

impl Mechanism {
    /// True for the terms that cost DNS look-ups and count against the limit of 10
    /// (section 4.6.4); `redirect` counts too.
    pub fn queries_dns(&self) -> bool {
        matches!(
            self,
            Mechanism::Include(_)
                | Mechanism::A(..)
                | Mechanism::Mx(..)
                | Mechanism::Ptr(_)
                | Mechanism::Exists(_)
        )
    }
}

/// One directive: the mechanism, its qualifier, and the term as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    pub qualifier: Qualifier,
    pub mechanism: Mechanism,
    pub text: String,
}

/// A parsed record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub directives: Vec<Directive>,
    /// `redirect=` with its text as written.
    pub redirect: Option<(MacroString, String)>,
    /// `exp=` with its text as written.
    pub exp: Option<(MacroString, String)>,
}

/// Why a record is not valid SPF: the term at fault (empty for the record as a whole).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub term: String,
    pub message: String,
}

impl std::fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.term.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{:?}: {}", self.term, self.message)
        }
    }
}

/// True when a TXT record's text is an SPF version 1 record (section 4.5): `v=spf1`, any
/// case, followed by a space or the end.
pub fn is_spf1(text: &[u8]) -> bool {
    text.len() >= 6
        && text[..6].eq_ignore_ascii_case(b"v=spf1")
        && (text.len() == 6 || text[6] == b' ')
}

/// Parses a whole record (already selected with [`is_spf1`]). Every term is checked before
/// evaluation starts (section 4.6: a syntax error anywhere is a permerror).
pub fn parse(text: &[u8]) -> Result<Record, SyntaxError> {
    let text = match std::str::from_utf8(text) {
        Ok(t) if t.is_ascii() => t,
        _ => {
            return Err(SyntaxError {
                term: String::new(),
                message:
                    "the record has non-ASCII bytes (SPF records are 7-bit ASCII, RFC 7208 3.1)"
                        .into(),
            })
        }
    };
    let mut record = Record {
        directives: Vec::new(),
        redirect: None,
        exp: None,
    };
    // Terms are separated by spaces only (section 4.6.1); other whitespace is part of a term.
    for term in text.split(' ').skip(1).filter(|t| !t.is_empty()) {
        let err = |message: String| SyntaxError {
            term: term.to_string(),
            message,
        };
        if let Some((name, value)) = modifier(term) {
            match name.to_ascii_lowercase().as_str() {
                "redirect" => {
                    if record.redirect.is_some() {
                        return Err(err("redirect= appears twice (RFC 7208 6)".into()));
                    }
                    let spec = MacroString::parse_domain_spec(value).map_err(err)?;
                    record.redirect = Some((spec, term.to_string()));
                }
                "exp" => {
                    if record.exp.is_some() {
                        return Err(err("exp= appears twice (RFC 7208 6)".into()));
                    }
                    let spec = MacroString::parse_domain_spec(value).map_err(err)?;
                    record.exp = Some((spec, term.to_string()));
                }
                // Unknown modifiers are ignored, but must still be valid macro strings (6).
                _ => {
                    MacroString::parse(value, Context::DomainSpec).map_err(err)?;
                }
            }
            continue;
        }
        record.directives.push(directive(term).map_err(err)?);
    }
    Ok(record)
}

/// `name "=" value` when `term` is a modifier.
fn modifier(term: &str) -> Option<(&str, &str)> {
    let (name, value) = term.split_once('=')?;
    let mut chars = name.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    .then_some((name, value))
}

fn directive(term: &str) -> Result<Directive, String> {
    let (qualifier, rest) = match term.as_bytes().first() {
        Some(b'+') => (Qualifier::Pass, &term[1..]),
        Some(b'-') => (Qualifier::Fail, &term[1..]),
        Some(b'~') => (Qualifier::SoftFail, &term[1..]),
        Some(b'?') => (Qualifier::Neutral, &term[1..]),
        _ => (Qualifier::Pass, term),
    };
    let name_end = rest.find([':', '/']).unwrap_or(rest.len());
    let (name, args) = rest.split_at(name_end);
    let mechanism = match name.to_ascii_lowercase().as_str() {
        "all" => {
            if !args.is_empty() {
                return Err("\"all\" takes no argument".into());
            }
            Mechanism::All
        }
        "include" => Mechanism::Include(required_domain(name, args)?),
        "exists" => Mechanism::Exists(required_domain(name, args)?),
        "a" => {
            let (domain, cidr) = domain_and_cidr(args)?;
            Mechanism::A(domain, cidr)
        }
        "mx" => {
            let (domain, cidr) = domain_and_cidr(args)?;
            Mechanism::Mx(domain, cidr)
        }
        "ptr" => match args.strip_prefix(':') {
            Some(spec) => Mechanism::Ptr(Some(MacroString::parse_domain_spec(spec)?)),
            None if args.is_empty() => Mechanism::Ptr(None),
            None => return Err("\"ptr\" takes no prefix length".into()),
        },
        "ip4" => {
            let net = args
                .strip_prefix(':')
                .ok_or("\"ip4\" needs \":\" and an address")?;
            let (addr, len) = match net.split_once('/') {
                Some((addr, len)) => (addr, Some(cidr_length(len, 32)?)),
                None => (net, None),
            };
            let addr: Ipv4Addr = addr
                .parse()
                .map_err(|_| format!("{addr:?} is not an IPv4 address"))?;
            Mechanism::Ip4(addr, len.unwrap_or(32))
        }
        "ip6" => {
            let net = args
                .strip_prefix(':')
                .ok_or("\"ip6\" needs \":\" and an address")?;
            let (addr, len) = match net.split_once('/') {
                Some((addr, len)) => (addr, Some(cidr_length(len, 128)?)),
                None => (net, None),
            };
            let addr: Ipv6Addr = addr
                .parse()
                .map_err(|_| format!("{addr:?} is not an IPv6 address"))?;
            Mechanism::Ip6(addr, len.unwrap_or(128))
        }
        "" => return Err("no mechanism name".into()),
        _ => return Err(format!("unknown mechanism {name:?}")),
    };
    Ok(Directive {
        qualifier,
        mechanism,
        text: term.to_string(),
    })
}

fn required_domain(name: &str, args: &str) -> Result<MacroString, String> {
    let spec = args
        .strip_prefix(':')
        .ok_or_else(|| format!("{name:?} needs \":\" and a domain"))?;
    MacroString::parse_domain_spec(spec)
}

/// `[ ":" domain-spec ] [ dual-cidr-length ]` of `a` and `mx`. The prefix lengths are taken
/// from the end, since "/" may also appear inside a domain-spec.
fn domain_and_cidr(args: &str) -> Result<(Option<MacroString>, Cidr), String> {
    let mut rest = args;
    let mut cidr = Cidr::default();
    if let Some(pos) = rest.rfind("//") {
        let digits = &rest[pos + 2..];
        if is_digits(digits) {
            cidr.v6 = Some(cidr_length(digits, 128)?);
            rest = &rest[..pos];
        }
    }
    if let Some(pos) = rest.rfind('/') {
        let digits = &rest[pos + 1..];
        if is_digits(digits) && !rest[..pos].ends_with('/') {
            cidr.v4 = Some(cidr_length(digits, 32)?);
            rest = &rest[..pos];
        }
    }
    match rest.strip_prefix(':') {
        Some(spec) => Ok((Some(MacroString::parse_domain_spec(spec)?), cidr)),
        None if rest.is_empty() => Ok((None, cidr)),
        None => Err(format!("{rest:?} is not a valid prefix length")),
    }
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// `ip4-cidr-length = "/" ( "0" / %x31-39 0*1DIGIT )`, and the like for IPv6: no leading
/// zeros, at most `max`.
fn cidr_length(digits: &str, max: u8) -> Result<u8, String> {
    let value: Option<u8> =
        (is_digits(digits) && digits.len() <= 3 && (digits == "0" || !digits.starts_with('0')))
            .then(|| digits.parse().ok())
            .flatten();
    match value {
        Some(v) if v <= max => Ok(v),
        _ => Err(format!(
            "\"/{digits}\" is not a prefix length of 0 to {max}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(record: &str) -> SyntaxError {
        parse(record.as_bytes()).expect_err(record)
    }

    #[test]
    fn selects_version_1_only() {
        assert!(is_spf1(b"v=spf1"));
        assert!(is_spf1(b"V=SpF1 -all"));
        assert!(!is_spf1(b"v=spf10"));
        assert!(!is_spf1(b"v=spf1-all"));
        assert!(!is_spf1(b"v=spf"));
    }

    #[test]
    fn parses_every_mechanism() {
        let r = parse(
            b"v=spf1 +all -include:_spf.example.com ~a ?a:mail.example.com/24//64 mx//48 \
              ptr ptr:example.org ip4:192.0.2.0/24 ip6:2001:db8::/32 exists:%{ir}.bl.example \
              redirect=_spf.example.net exp=exp.%{d} foo=bar  ",
        )
        .unwrap();
        let kinds: Vec<_> = r.directives.iter().map(|d| d.qualifier).collect();
        assert_eq!(
            kinds[..4],
            [
                Qualifier::Pass,
                Qualifier::Fail,
                Qualifier::SoftFail,
                Qualifier::Neutral
            ]
        );
        assert_eq!(r.directives.len(), 10);
        assert!(matches!(
            r.directives[3].mechanism,
            Mechanism::A(
                Some(_),
                Cidr {
                    v4: Some(24),
                    v6: Some(64)
                }
            )
        ));
        assert!(matches!(
            r.directives[4].mechanism,
            Mechanism::Mx(
                None,
                Cidr {
                    v4: None,
                    v6: Some(48)
                }
            )
        ));
        assert_eq!(
            r.directives[7].mechanism,
            Mechanism::Ip4("192.0.2.0".parse().unwrap(), 24)
        );
        assert_eq!(r.redirect.as_ref().unwrap().1, "redirect=_spf.example.net");
        assert_eq!(r.exp.as_ref().unwrap().1, "exp=exp.%{d}");
    }

    #[test]
    fn errors_name_the_term() {
        let e = err("v=spf1 ip4:1.2.3.4 -all moo");
        assert_eq!(e.term, "moo");
        assert!(e.message.contains("unknown mechanism"), "{e}");
        for (record, term) in [
            ("v=spf1 -all.", "-all."),
            ("v=spf1 -all:foo", "-all:foo"),
            ("v=spf1 -all/8", "-all/8"),
            ("v=spf1 ptr/0", "ptr/0"),
            ("v=spf1 ptr:", "ptr:"),
            ("v=spf1 a/33", "a/33"),
            ("v=spf1 a//129", "a//129"),
            ("v=spf1 a/24/64", "a/24/64"),
            ("v=spf1 a:", "a:"),
            ("v=spf1 a:111.222.33.44", "a:111.222.33.44"),
            ("v=spf1 a:example.com:8080", "a:example.com:8080"),
            ("v=spf1 include:example.com/24", "include:example.com/24"),
            ("v=spf1 ip4:1.2.3.4/032", "ip4:1.2.3.4/032"),
            ("v=spf1 ip4:1.2.3", "ip4:1.2.3"),
            ("v=spf1 ip4:1.2.3.4//32", "ip4:1.2.3.4//32"),
            ("v=spf1 ip4", "ip4"),
            ("v=spf1 ip6::CAFE::BABE", "ip6::CAFE::BABE"),
            ("v=spf1 ip6:::1/129", "ip6:::1/129"),
            ("v=spf1 1up=foo", "1up=foo"),
            ("v=spf1 =all", "=all"),
            ("v=spf1 redirect:example.com", "redirect:example.com"),
            ("v=spf1 foo=%abc", "foo=%abc"),
            ("v=spf1 exp=", "exp="),
            ("v=spf1 redirect=-all", "redirect=-all"),
            ("v=spf1 a:foo.example.com\rptr", "a:foo.example.com\rptr"),
        ] {
            assert_eq!(err(record).term, term, "{record}");
        }
        assert!(err("v=spf1 exp=a.example.com exp=b.example.com")
            .message
            .contains("twice"));
        assert!(err("v=spf1 a:b\u{e9}.example.com").term.is_empty());
    }

    #[test]
    fn junk_is_an_error_not_a_panic() {
        for junk in [
            "v=spf1 %",
            "v=spf1 a:%{",
            "v=spf1 ip4:/",
            "v=spf1 a/",
            "v=spf1 a//",
            "v=spf1 a:/24",
            "v=spf1 -",
            "v=spf1 ip6:",
            "v=spf1 ip6:/64",
            "v=spf1 mx:%{d99999999999999999999999}.x.example//",
            "v=spf1 exists:%{ir}%{",
            "v=spf1 ~=",
            "v=spf1 a:x.example/000",
        ] {
            assert!(parse(junk.as_bytes()).is_err(), "{junk}");
        }
        assert!(parse(b"v=spf1 exists:%{d99999999999999999999999}.x.example").is_ok());
    }

    #[test]
    fn unknown_modifiers_are_ignored() {
        let r = parse(b"v=spf1 moo.cow-far_out=man:dog/cat default=pass ip4:1.2.3.4").unwrap();
        assert_eq!(r.directives.len(), 1);
    }
}
