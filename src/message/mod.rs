//! Messages: reading them from evidence, unwrapping complaints, and their identities.

pub mod identities;
pub mod source;
pub mod unwrap;

use std::sync::OnceLock;

use mail_parser::{HeaderName, MessageParser};

/// What a command makes of a message whose header section is empty: a zero-byte input, or a
/// text whose first line is blank. RFC 5322 section 3.5 allows it (`message = (fields /
/// obs-fields) [CRLF body]` with `fields = *(...)`), so `auth` judges one (no From, no
/// signatures: every verdict none); to `headers` and `trace` such a file is a mistake worth
/// an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmptyHeaders {
    /// An error: a zero-byte input is `empty input, no message in it`, a blank first line
    /// `no header fields found; not an email message`.
    Refuse,
    /// A message with no header fields, analysed as such.
    Accept,
}

/// The header parser every analysis uses: it decodes only the fields we read and keeps the
/// rest as offsets. Received headers in particular are left raw (our own parser reads them
/// from the bytes), which halves the cost of a header block compared with mail-parser's
/// defaults, whose own Received parser is the most expensive part of a parse.
pub fn header_parser() -> &'static MessageParser {
    static PARSER: OnceLock<MessageParser> = OnceLock::new();
    PARSER.get_or_init(|| {
        MessageParser::new()
            .header_content_type(HeaderName::ContentType)
            .with_date_headers()
            .header_text(HeaderName::Subject)
            .header_address(HeaderName::From)
            .header_address(HeaderName::Sender)
            .header_address(HeaderName::ReplyTo)
            .header_address(HeaderName::ResentFrom)
            .header_address(HeaderName::ResentSender)
            .header_address(HeaderName::ResentTo)
            .header_id(HeaderName::MessageId)
            .header_id(HeaderName::ResentMessageId)
            .header_raw(HeaderName::ReturnPath)
            .default_header_ignore()
    })
}
