//! Received headers: parsing each one, and analysing the chain they form.

pub mod boundary;
pub mod chain;
pub mod parse;
