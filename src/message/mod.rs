//! Messages: reading them from evidence, unwrapping complaints, and their identities.

pub mod identities;
pub mod source;
pub mod unwrap;

use std::sync::OnceLock;

use mail_parser::{HeaderName, MessageParser};

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
