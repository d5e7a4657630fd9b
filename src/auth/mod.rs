//! Is the message authentic? SPF (our own evaluator, for its trace), and DKIM, DMARC and ARC on
//! top of mail-auth, all speaking one result vocabulary and all asking DNS through `dns::Resolve`.

pub mod result;
pub mod spf;

pub use result::AuthResult;
