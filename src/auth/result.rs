//! The shared result vocabulary: the RFC 8601 words, so every verdict reads the same in tables,
//! JSON and the messages' own Authentication-Results.

use std::fmt;

use serde::Serialize;

/// One verdict, as RFC 8601 (Authentication-Results) spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthResult {
    Pass,
    Fail,
    SoftFail,
    Neutral,
    None,
    /// A DNS failure (timeout, SERVFAIL...) left the verdict open: retry later, never "pass".
    TempError,
    /// The published data is broken (syntax, lookup limits, loops).
    PermError,
}

impl AuthResult {
    pub fn as_str(self) -> &'static str {
        match self {
            AuthResult::Pass => "pass",
            AuthResult::Fail => "fail",
            AuthResult::SoftFail => "softfail",
            AuthResult::Neutral => "neutral",
            AuthResult::None => "none",
            AuthResult::TempError => "temperror",
            AuthResult::PermError => "permerror",
        }
    }

    /// Reads the word from an Authentication-Results or Received-SPF header (any case).
    pub fn from_word(word: &str) -> Option<AuthResult> {
        const ALL: [AuthResult; 7] = [
            AuthResult::Pass,
            AuthResult::Fail,
            AuthResult::SoftFail,
            AuthResult::Neutral,
            AuthResult::None,
            AuthResult::TempError,
            AuthResult::PermError,
        ];
        ALL.into_iter().find(|r| r.as_str().eq_ignore_ascii_case(word))
    }
}

impl fmt::Display for AuthResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
