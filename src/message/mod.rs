//! Messages: reading them from evidence, unwrapping complaints, and their identities.

pub mod identities;
pub mod source;
pub mod unwrap;
