//! Findings: the shared vocabulary for "something here deserves an analyst's eye".
//!
//! Codes are stable (scripts match on them), so they are declared once in the catalogue below,
//! which also writes the list printed by `--help` and the man page.

use serde::Serialize;

/// How much a finding should worry an analyst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }
}

/// One observation with its evidence: the text it is based on, quoted from the input.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    pub evidence: Option<String>,
}

/// A kind of finding: its stable code and default severity.
#[derive(Debug, Clone, Copy)]
pub struct Kind {
    pub code: &'static str,
    pub severity: Severity,
}

impl Kind {
    /// A finding of this kind.
    pub fn finding(self, message: impl Into<String>, evidence: Option<String>) -> Finding {
        Finding {
            code: self.code,
            severity: self.severity,
            message: message.into(),
            evidence,
        }
    }
}

/// The lower-case severity word, as JSON and `--fail-on` spell it, for the help text.
macro_rules! severity_word {
    (Info) => {
        "info"
    };
    (Low) => {
        "low"
    };
    (Medium) => {
        "medium"
    };
    (High) => {
        "high"
    };
}

macro_rules! catalogue {
    ($( $(#[$doc:meta])* $name:ident = ($code:literal, $sev:ident, $help:literal); )*) => {
        $( $(#[$doc])* pub const $name: Kind = Kind { code: $code, severity: Severity::$sev }; )*

        /// Every finding code, for `--help` and the man page.
        pub const CATALOGUE_HELP: &str = concat!(
            "Finding codes (stable; severity in brackets):\n",
            $( "  ", $code, " [", severity_word!($sev), "]\n      ", $help, "\n", )*
        );

        /// Every kind, for tests that check the catalogue.
        pub const ALL: &[Kind] = &[$($name),*];
    };
}

catalogue! {
    RECEIVED_UNPARSEABLE = ("received.unparseable", Medium,
        "A Received header that names neither a `from` nor a `by` host; its text is quoted.");
    RECEIVED_NO_DATE = ("received.no_date", Low,
        "A Received header without a readable date after its final ';'.");
    RECEIVED_TIME_BACKWARDS = ("received.time_backwards", Medium,
        "A hop is dated earlier than the hop before it by more than --max-skew.");
    RECEIVED_DELAY_LONG = ("received.delay_long", Low,
        "A hop took longer than --max-delay after the hop before it.");
    RECEIVED_CHAIN_BREAK = ("received.chain_break", Low,
        "A hop's `from` names (HELO, rDNS, IP) do not match the `by` host of the hop before it.");
    RECEIVED_TOO_MANY = ("received.too_many", Medium,
        "More Received headers than a real path has (over 50): a mail loop or a padded header.");
    ORIGIN_UNKNOWN = ("origin.unknown", Medium,
        "The origin could not be determined (no hop with a client address, or an unreadable hop).");
    ORIGIN_CLAIMED_IP = ("origin.claimed_ip", Info,
        "A header such as X-Originating-IP claims a client address; shown beside the origin.");
    DATE_MISSING = ("date.missing", Low,
        "The message has no Date header.");
    DATE_INVALID = ("date.invalid", Low,
        "The Date header cannot be read as a date.");
    DATE_SKEW = ("date.skew", Medium,
        "The Date header is further than --max-date-skew from the first hop's time.");
    MESSAGE_ID_MISSING = ("message_id.missing", Low,
        "The message has no Message-ID header.");
    FROM_MISSING = ("from.missing", Medium,
        "The message has no From address.");
    FROM_MULTIPLE_WITHOUT_SENDER = ("from.multiple_without_sender", Medium,
        "Several From addresses and no Sender header (RFC 5322 section 3.6.2 requires one).");
    FROM_DISPLAY_NAME_ADDRESS = ("from.display_name_address", High,
        "A display name that contains an address other than the real one (display-name spoofing).");
    REPLY_TO_OTHER_DOMAIN = ("reply_to.other_domain", Medium,
        "Reply-To is in another organisational domain than From: replies go elsewhere.");
    DOMAIN_PUNYCODE = ("domain.punycode", Low,
        "An identity domain is an internationalised (punycode, xn--) name; its Unicode form is shown.");
    DOMAIN_MIXED_SCRIPT = ("domain.mixed_script", High,
        "A domain label mixes scripts (e.g. Latin and Cyrillic): a look-alike of another domain.");
    AUTH_SUBMITTER_MISMATCH = ("auth.submitter_mismatch", Medium,
        "The account that authenticated to submit the message is not the From address nor in its domain.");
    HEADER_MALFORMED_LINE = ("header.malformed_line", Medium,
        "A line in the header block that is not a header field; its text is quoted.");
    MESSAGE_NO_BODY = ("message.no_body", Info,
        "The header block does not end with an empty line: headers only, or a truncated message.");
    MESSAGE_TOO_LARGE = ("message.too_large", Medium,
        "The message is larger than the limit and only its first part was analysed.");
    DKIM_VERIFIERS_DISAGREE = ("dkim.verifiers_disagree", Medium,
        "mail-auth and viadkim disagree on whether a DKIM signature passes; both reasons are given.");
    DKIM_TOO_MANY_SIGNATURES = ("dkim.too_many_signatures", Medium,
        "More DKIM signatures than are verified per message (20); the rest are listed, not verified.");
    AUTH_RESULTS_DIFFER = ("auth.results_differ", Low,
        "A verdict the message's own Authentication-Results, ARC-Authentication-Results or Received-SPF recorded differs from today's.");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut codes: Vec<_> = ALL.iter().map(|k| k.code).collect();
        codes.sort_unstable();
        let before = codes.len();
        codes.dedup();
        assert_eq!(before, codes.len(), "duplicate finding code");
        for code in codes {
            assert!(
                code.contains('.')
                    && code
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c == '.' || c == '_'),
                "{code}"
            );
        }
    }

    #[test]
    fn help_lists_every_code() {
        for kind in ALL {
            assert!(CATALOGUE_HELP.contains(kind.code));
        }
    }
}
