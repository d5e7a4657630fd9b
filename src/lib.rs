//! mailsleuth: email-abuse forensics. The binary (`main.rs`) is a thin shell over these
//! modules; each capability takes typed input and returns a typed report, and only `output`
//! knows how reports look.

pub mod auth;
pub mod civil;
pub mod cli;
pub mod commands;
pub mod dns;
pub mod dnsbl;
pub mod docs;
pub mod exit;
pub mod findings;
pub mod geo;
pub mod headers;
pub mod ip;
pub mod logs;
pub mod message;
#[cfg(test)]
mod mutate;
pub mod output;
pub mod received;
pub mod trace;
