//! `logs`: which accounts are being used as spam relays. The engine reads and joins the logs
//! into per-account and per-IP aggregates; the judgement scores them.

pub mod access_map;
pub mod config;
mod human;
pub mod signals;
pub mod stats;

#[cfg(test)]
mod quality;
