//! PLACEHOLDER until the real parser lands (same interface).
use mail_parser::DateTime;
use std::net::IpAddr;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Hop {
    pub from: FromPart,
    pub by: Option<String>,
    pub via: Option<String>,
    pub with: Option<String>,
    pub id: Option<String>,
    pub for_: Option<String>,
    pub tls: Option<String>,
    pub smtp_auth: bool,
    pub authenticated: Option<String>,
    pub envelope_from: Option<String>,
    pub time: Option<DateTime>,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct FromPart {
    pub helo: Option<String>,
    pub rdns: Option<String>,
    pub ip: Option<IpAddr>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    Hop(Hop),
    CommentOnly { comment: String, time: Option<DateTime> },
    Unparseable { reason: String },
}

pub fn parse(value: &str) -> Parsed {
    let _ = value;
    Parsed::Unparseable { reason: "stub".into() }
}
