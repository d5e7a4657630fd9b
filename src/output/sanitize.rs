//! Escaping of untrusted text (headers, log lines) before it reaches a terminal.
//!
//! An attacker writes the headers we print. Without this, a Subject could carry ANSI escape
//! sequences that rewrite an analyst's screen, or bidi overrides that make `moc.elgoog` read as
//! `google.com`. Like fd's `sanitize.rs`, every character a terminal could act on, or that is
//! invisible, is shown as a visible escape instead.

use std::borrow::Cow;
use std::fmt::Write;

/// True for characters that must not reach a terminal as they are.
fn is_hostile(c: char) -> bool {
    matches!(c,
        // C0 controls (incl. ESC, CR, LF, TAB), DEL, and C1 controls (8-bit CSI is U+009B).
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        // Bidi: LRM/RLM, ALM, embeddings and overrides, isolates.
        | '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        // Zero-width and invisible: ZWSP, ZWNJ, ZWJ, word joiner and invisible operators, BOM,
        // soft hyphen, line and paragraph separators.
        | '\u{200b}'..='\u{200d}' | '\u{2060}'..='\u{2064}' | '\u{feff}' | '\u{ad}'
        | '\u{2028}' | '\u{2029}'
        // Tag characters (invisible ASCII look-alikes) and interlinear annotation controls.
        | '\u{e0000}'..='\u{e007f}' | '\u{fff9}'..='\u{fffb}'
    )
}

/// Prints `mailsleuth: ERROR` on stderr with the message escaped: errors quote paths and
/// message text, which an attacker can choose (a file name in a Maildir, a header), so they go
/// through [`escape`] like everything else shown from evidence.
pub fn print_error(err: impl std::fmt::Display) {
    eprintln!("mailsleuth: {}", escape(&err.to_string()));
}

/// Returns `text` with every hostile character written as a visible escape (`\n`, `\t`, `\e`,
/// `\u{202e}`); borrows when there is nothing to escape, which is the common case.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_hostile) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{1b}' => out.push_str("\\e"),
            c if is_hostile(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(
            escape("Hello, wörld"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn terminal_escapes_are_neutralised() {
        assert_eq!(escape("a\u{1b}[2Jb"), "a\\e[2Jb");
        assert_eq!(escape("x\u{9b}31m"), "x\\u{9b}31m");
        assert_eq!(escape("l1\r\nl2\t"), "l1\\r\\nl2\\t");
        assert_eq!(escape("del\u{7f}"), "del\\u{7f}");
    }

    #[test]
    fn bidi_and_invisible_characters_are_shown() {
        assert_eq!(escape("\u{202e}moc.elgoog"), "\\u{202e}moc.elgoog");
        assert_eq!(escape("pay\u{200b}pal"), "pay\\u{200b}pal");
        assert_eq!(escape("a\u{2066}b\u{2069}"), "a\\u{2066}b\\u{2069}");
        assert_eq!(escape("tag\u{e0041}"), "tag\\u{e0041}");
        assert_eq!(escape("\u{feff}bom"), "\\u{feff}bom");
    }
}
