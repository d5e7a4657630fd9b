//! The judgement of `logs`: from the run's aggregates ([`LogStats`]), the country look-up and
//! the thresholds ([`JudgeConfig`]) to ranked accounts and suspicious IPs, each with signals
//! that carry a stable code and a sentence of evidence with the numbers behind it.
//!
//! Score: each account signal that fires adds its weight (see [`Weights`]); accounts are ranked
//! by score, then recipients, and flagged when the score reaches `flag_score`. Volume alone
//! (peak, total, population outlier) stays below the flag line by default: a newsletter sender
//! is busy but logs in from one place; a stolen password is used from many IPs and countries,
//! sends as foreign addresses and bounces.
//!
//! IPs are flagged for reverse brute force (failures as several accounts, more failures than
//! successes) and for logging in after repeated failures; repeated failures against one account
//! are shown but not flagged, as a device with a stale password looks the same.

// Addresses that never leave the site or the provider (webmail on loopback, NAT inside)
// count as home and belong to no country: `is_local`.
use crate::ip::{canonical, is_internal as is_local};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::IpAddr;

use serde::Serialize;

use super::config::{JudgeConfig, Weights};
use super::human;
use super::stats::{AccountStats, IpStats, LogStats, Timestamp};
use crate::geo::{Country, Geo};

/// Every signal code, with what it means; for `--help`, the man page and tests.
pub const CATALOGUE: &[(&str, &str)] = &[
    (ACCOUNT_RECIPIENTS_PEAK, "recipients in one sliding hour at or above recipients_peak_1h, or far above the site's usual hourly peak"),
    (ACCOUNT_RECIPIENTS_TOTAL, "recipients in the whole run at or above recipients_total"),
    (ACCOUNT_POPULATION_OUTLIER, "total recipients far above the site's usual sender (population_factor x the population percentile)"),
    (ACCOUNT_MANY_IPS, "successful logins from many client IPs"),
    (ACCOUNT_MANY_NETS, "successful logins from many /24 (IPv4) or /48 (IPv6) networks"),
    (ACCOUNT_MANY_COUNTRIES, "successful logins from many countries (needs --geoip or --rir)"),
    (ACCOUNT_FOREIGN_SHARE, "most logins from outside the home countries (needs a home country)"),
    (ACCOUNT_AUTH_FAILURES, "many failed logins naming the account (dictionary attack)"),
    (ACCOUNT_SUCCESS_AFTER_FAILURES, "a successful login from an IP right after failures against the account"),
    (ACCOUNT_SENDER_MISMATCH, "most messages sent as addresses outside the site's domains"),
    (ACCOUNT_BOUNCE_RATE, "a high share of recipients bounced"),
    (ACCOUNT_DEFERRAL_RATE, "a high share of recipients deferred (remote throttling)"),
    (ACCOUNT_REJECT_RATE, "a high share of RCPTs rejected by our own policy (rate limits)"),
    (IP_REVERSE_BRUTE_FORCE, "an IP that failed to log in as several accounts, more often than it succeeded (flagged)"),
    (IP_SUCCESS_AFTER_FAILURES, "an IP that logged in after repeated failures against that account (flagged)"),
    (IP_ACCOUNT_FAILURES, "many failures from one IP against one account: a dictionary attack or a stale password (not flagged)"),
];

/// The signal codes and every threshold key with its default, for `logs --help` and the man
/// page (the keys are those of `--set` and the `--config` file).
pub fn catalogue_help() -> String {
    let mut help = String::from("Signal codes (stable):\n");
    for (code, what) in CATALOGUE {
        help.push_str(&format!("  {code}\n      {what}\n"));
    }
    help.push_str("\nThresholds and weights (--set KEY=VALUE, or KEY = VALUE in --config FILE):\n");
    if let Ok(serde_json::Value::Object(fields)) =
        serde_json::to_value(crate::logs::config::JudgeConfig::default())
    {
        for (key, value) in fields {
            match value {
                serde_json::Value::Object(inner) => {
                    for (k, v) in inner {
                        help.push_str(&format!("  {key}.{k} = {v}\n"));
                    }
                }
                v => help.push_str(&format!("  {key} = {v}\n")),
            }
        }
    }
    help
}

pub const ACCOUNT_RECIPIENTS_PEAK: &str = "account.recipients_peak";
pub const ACCOUNT_RECIPIENTS_TOTAL: &str = "account.recipients_total";
pub const ACCOUNT_POPULATION_OUTLIER: &str = "account.population_outlier";
pub const ACCOUNT_MANY_IPS: &str = "account.many_ips";
pub const ACCOUNT_MANY_NETS: &str = "account.many_nets";
pub const ACCOUNT_MANY_COUNTRIES: &str = "account.many_countries";
pub const ACCOUNT_FOREIGN_SHARE: &str = "account.foreign_share";
pub const ACCOUNT_AUTH_FAILURES: &str = "account.auth_failures";
pub const ACCOUNT_SUCCESS_AFTER_FAILURES: &str = "account.success_after_failures";
pub const ACCOUNT_SENDER_MISMATCH: &str = "account.sender_mismatch";
pub const ACCOUNT_BOUNCE_RATE: &str = "account.bounce_rate";
pub const ACCOUNT_DEFERRAL_RATE: &str = "account.deferral_rate";
pub const ACCOUNT_REJECT_RATE: &str = "account.reject_rate";
pub const IP_REVERSE_BRUTE_FORCE: &str = "ip.reverse_brute_force";
pub const IP_SUCCESS_AFTER_FAILURES: &str = "ip.success_after_failures";
pub const IP_ACCOUNT_FAILURES: &str = "ip.account_failures";

/// One reason, with its evidence in numbers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Signal {
    pub code: &'static str,
    pub message: String,
}

/// How the home countries were decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HomeSource {
    /// `--home-country` or the config file.
    Given,
    /// The country of most successful logins.
    Learnt,
    /// No geo source, or no login with a known country: foreign-share signals are off.
    Unknown,
}

#[derive(Debug, Clone, Serialize)]
pub struct HomeDecision {
    pub source: HomeSource,
    /// Successful logins (SMTP AUTH + IMAP/POP) whose IP has a known country, and how many of
    /// them came from the home countries.
    pub logins_with_country: u64,
    pub logins_home: u64,
    pub note: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct GeoStatus {
    pub available: bool,
    pub sources: Vec<crate::geo::SourceInfo>,
    pub note: String,
}

/// The site's usual sender, against which the relative limits are set.
#[derive(Debug, Clone, Serialize)]
pub struct Population {
    /// Accounts that submitted at least one message.
    pub sending_accounts: u64,
    pub percentile: f64,
    /// That percentile of total recipients and of the one-hour peak.
    pub recipients: u64,
    pub peak_recipients_1h: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct CountryLogins {
    pub country: Country,
    pub logins: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct IpLogins {
    pub ip: IpAddr,
    pub country: Option<Country>,
    pub logins: u64,
}

/// One account's verdict. `distinct_countries` and `foreign_share` are `null` when they could
/// not be judged (no geo source, or no home country).
#[derive(Debug, Clone, Serialize)]
pub struct AccountVerdict {
    pub account: String,
    pub flagged: bool,
    pub score: f64,
    /// One sentence summing the evidence, e.g. "5,366 recipients in 2 h 10 m from 26 IPs in
    /// 15 countries; home JP 0%".
    pub summary: String,
    pub messages: u64,
    pub recipients: u64,
    pub peak_recipients_1h: u64,
    pub peak_1h_start: Option<Timestamp>,
    pub peak_recipients_10m: u64,
    pub distinct_ips: u64,
    pub distinct_nets: u64,
    pub distinct_countries: Option<u64>,
    pub countries: Vec<CountryLogins>,
    pub foreign_share: Option<f64>,
    pub auth_failures: u64,
    pub bounce_rate: Option<f64>,
    pub first_seen: Option<Timestamp>,
    pub last_seen: Option<Timestamp>,
    /// Up to five IPs with the most logins.
    pub top_ips: Vec<IpLogins>,
    pub signals: Vec<Signal>,
}

#[derive(Debug, Clone, Serialize)]
pub struct IpVerdict {
    pub ip: IpAddr,
    pub country: Option<Country>,
    pub auth_failures: u64,
    pub accounts_tried: u64,
    /// Distinct accounts this IP failed to log in as.
    pub accounts_failed: u64,
    pub successes: u64,
    pub flagged: bool,
    pub first_seen: Option<Timestamp>,
    pub last_seen: Option<Timestamp>,
    pub signals: Vec<Signal>,
}

/// The whole judgement of a run.
#[derive(Debug, Clone, Serialize)]
pub struct Judgement {
    pub home_countries: Vec<Country>,
    pub home: HomeDecision,
    pub geo: GeoStatus,
    pub population: Population,
    /// Every authenticated account, ranked by score (highest first): JSON users get every
    /// number; tables show those with signals.
    pub accounts: Vec<AccountVerdict>,
    /// IPs with at least one signal, flagged first, then by failures.
    pub ips: Vec<IpVerdict>,
}

impl Judgement {
    /// The accounts to lock (exit code 1, access map).
    pub fn flagged_accounts(&self) -> impl Iterator<Item = &AccountVerdict> {
        self.accounts.iter().filter(|a| a.flagged)
    }

    /// The addresses to block (exit code 1, access map).
    pub fn flagged_ips(&self) -> impl Iterator<Item = &IpVerdict> {
        self.ips.iter().filter(|i| i.flagged)
    }
}

/// The /24 (IPv4) or /48 (IPv6) an address belongs to: one customer or one small provider
/// block, so hosts of one office or one hosting box count once.
fn net_of(ip: IpAddr) -> (bool, u128) {
    match canonical(ip) {
        IpAddr::V4(v4) => (false, u128::from(u32::from(v4) >> 8)),
        IpAddr::V6(v6) => (true, u128::from(v6) >> 80),
    }
}

/// The value at `p` (0..=1) of `values` (nearest rank); 0 for an empty population.
fn percentile(mut values: Vec<u64>, p: f64) -> u64 {
    if values.is_empty() {
        return 0;
    }
    values.sort_unstable();
    let rank = (p * values.len() as f64).ceil() as usize;
    values[rank.clamp(1, values.len()) - 1]
}

/// Country per distinct IP, looked up once.
struct Countries<'g> {
    geo: &'g Geo,
    cache: HashMap<IpAddr, Option<Country>>,
}

impl Countries<'_> {
    fn of(&mut self, ip: IpAddr) -> Option<Country> {
        if is_local(ip) {
            return None;
        }
        let geo = self.geo;
        *self.cache.entry(ip).or_insert_with(|| geo.country(ip))
    }
}

fn decide_home(
    stats: &LogStats,
    config: &JudgeConfig,
    countries: &mut Countries<'_>,
) -> (Vec<Country>, HomeDecision) {
    let given: Vec<Country> = config
        .home_countries
        .iter()
        .filter_map(|c| Country::parse(c))
        .collect();
    let mut per_country: BTreeMap<Country, u64> = BTreeMap::new();
    for a in &stats.accounts {
        for (ip, u) in &a.ips {
            if let Some(c) = countries.of(*ip) {
                *per_country.entry(c).or_default() += u.smtp + u.imap;
            }
        }
    }
    let total: u64 = per_country.values().sum();
    let home_of = |home: &[Country]| -> u64 {
        home.iter()
            .map(|c| per_country.get(c).copied().unwrap_or(0))
            .sum()
    };
    if !given.is_empty() {
        let names: Vec<String> = given.iter().map(Country::to_string).collect();
        let logins_home = home_of(&given);
        let note = format!(
            "home {} as given; {} of {} logins with a known country came from there",
            names.join(", "),
            human::count(logins_home),
            human::count(total)
        );
        return (
            given,
            HomeDecision {
                source: HomeSource::Given,
                logins_with_country: total,
                logins_home,
                note,
            },
        );
    }
    // Most logins wins; ties go to the alphabetically first code, so runs are reproducible.
    let best = per_country
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .map(|(c, n)| (*c, *n));
    match best {
        Some((c, n)) if n > 0 => (
            vec![c],
            HomeDecision {
                source: HomeSource::Learnt,
                logins_with_country: total,
                logins_home: n,
                note: format!(
                    "home {c} learnt: {} of {} logins with a known country ({}); \
                     set --home-country if that is wrong",
                    human::count(n),
                    human::count(total),
                    human::percent(n as f64 / total as f64)
                ),
            },
        ),
        _ => (
            Vec::new(),
            HomeDecision {
                source: HomeSource::Unknown,
                logins_with_country: total,
                logins_home: 0,
                note: if countries.geo.is_available() {
                    "home country unknown: no login IP has a known country; \
                     foreign-share signals are off"
                        .to_string()
                } else {
                    "home country unknown: no geo source (--geoip/--rir) and no \
                     --home-country; foreign-share signals are off"
                        .to_string()
                },
            },
        ),
    }
}

/// Judges a run. Pure: the same stats, geo and config give the same judgement.
pub fn judge(stats: &LogStats, geo: &Geo, config: &JudgeConfig) -> Judgement {
    let mut countries = Countries {
        geo,
        cache: HashMap::new(),
    };
    let (home, home_decision) = decide_home(stats, config, &mut countries);
    let geo_status = GeoStatus {
        available: geo.is_available(),
        sources: geo.sources(),
        note: if geo.is_available() {
            "countries from the sources listed".to_string()
        } else {
            "no geo source (--geoip/--rir): country signals are off".to_string()
        },
    };

    let senders: Vec<&AccountStats> = stats.accounts.iter().filter(|a| a.messages > 0).collect();
    let population = Population {
        sending_accounts: senders.len() as u64,
        percentile: config.population_percentile,
        recipients: percentile(
            senders.iter().map(|a| a.recipients).collect(),
            config.population_percentile,
        ),
        peak_recipients_1h: percentile(
            senders.iter().map(|a| a.peak_recipients_1h).collect(),
            config.population_percentile,
        ),
    };
    let local_domains: Vec<String> = stats
        .local_domains
        .iter()
        .map(|d| d.to_ascii_lowercase())
        .collect();

    let ctx = Ctx {
        config,
        w: &config.weights,
        home: &home,
        population: &population,
        local_domains: &local_domains,
    };
    let mut accounts: Vec<AccountVerdict> = stats
        .accounts
        .iter()
        .map(|a| ctx.account(a, &mut countries))
        .collect();
    accounts.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(b.recipients.cmp(&a.recipients))
            .then(a.account.cmp(&b.account))
    });

    let ips = judge_ips(stats, config, &mut countries);
    Judgement {
        home_countries: home,
        home: home_decision,
        geo: geo_status,
        population,
        accounts,
        ips,
    }
}

struct Ctx<'a> {
    config: &'a JudgeConfig,
    w: &'a Weights,
    home: &'a [Country],
    population: &'a Population,
    local_domains: &'a [String],
}

impl Ctx<'_> {
    /// True when `sender`'s domain is the account's own, one of the site's domains, or a
    /// subdomain of one (VERP and list bounce addresses such as `bounce-1-x@lists.example`).
    fn sender_is_local(&self, account: &str, sender: &str) -> bool {
        let Some((_, domain)) = sender.rsplit_once('@') else {
            // The null sender, or a bare local part: not a foreign identity.
            return true;
        };
        let domain = domain.trim_end_matches('.').to_ascii_lowercase();
        let own = account
            .rsplit_once('@')
            .map(|(_, d)| d.to_ascii_lowercase());
        own.iter().chain(self.local_domains.iter()).any(|d| {
            domain == *d
                || domain
                    .strip_suffix(d.as_str())
                    .is_some_and(|p| p.ends_with('.'))
        })
    }

    fn account(&self, a: &AccountStats, countries: &mut Countries<'_>) -> AccountVerdict {
        let c = self.config;
        let w = self.w;
        let mut fired: Vec<(Signal, f64)> = Vec::new();
        let mut fire = |code: &'static str, weight: f64, message: String| {
            fired.push((Signal { code, message }, weight));
        };

        // Where the account logged in from.
        let mut nets: HashSet<(bool, u128)> = HashSet::new();
        let mut per_country: BTreeMap<Country, u64> = BTreeMap::new();
        let (mut logins, mut known, mut at_home) = (0u64, 0u64, 0u64);
        let mut top: Vec<IpLogins> = Vec::with_capacity(a.ips.len());
        for (ip, u) in &a.ips {
            let n = u.smtp + u.imap;
            logins += n;
            nets.insert(net_of(*ip));
            let country = countries.of(*ip);
            match country {
                Some(cc) => {
                    *per_country.entry(cc).or_default() += n;
                    known += n;
                    if self.home.contains(&cc) {
                        at_home += n;
                    }
                }
                None if is_local(*ip) => {
                    known += n;
                    at_home += n;
                }
                None => {}
            }
            top.push(IpLogins {
                ip: *ip,
                country,
                logins: n,
            });
        }
        top.sort_by(|x, y| y.logins.cmp(&x.logins).then(x.ip.cmp(&y.ip)));
        top.truncate(5);
        let distinct_ips = a.ips.len() as u64;
        let distinct_nets = nets.len() as u64;
        let geo_on = countries.geo.is_available();
        let distinct_countries = geo_on.then_some(per_country.len() as u64);
        let foreign_share = (geo_on && !self.home.is_empty() && known > 0)
            .then(|| 1.0 - at_home as f64 / known as f64);
        let mut country_list: Vec<CountryLogins> = per_country
            .iter()
            .map(|(cc, n)| CountryLogins {
                country: *cc,
                logins: *n,
            })
            .collect();
        country_list.sort_by(|x, y| y.logins.cmp(&x.logins).then(x.country.cmp(&y.country)));
        let home_names: Vec<String> = self.home.iter().map(Country::to_string).collect();
        let home_part = foreign_share
            .map(|f| format!("home {} {}", home_names.join("/"), human::percent(1.0 - f)));

        // Volume.
        let p = self.population;
        let peak_limit = c
            .recipients_peak_1h
            .min(((c.peak_factor * p.peak_recipients_1h as f64).ceil() as u64).max(c.peak_floor));
        if a.peak_recipients_1h > 0 && a.peak_recipients_1h >= peak_limit {
            let when = a
                .peak_1h_start
                .map(|t| format!(" from {}", human::utc(t)))
                .unwrap_or_default();
            fire(
                ACCOUNT_RECIPIENTS_PEAK,
                w.recipients_peak,
                format!(
                    "{} recipients in one hour{when} (10-minute peak {}); limit {} \
                     (site p{:.0} of hourly peaks: {})",
                    human::count(a.peak_recipients_1h),
                    human::count(a.peak_recipients_10m),
                    human::count(peak_limit),
                    p.percentile * 100.0,
                    human::count(p.peak_recipients_1h)
                ),
            );
        }
        let span = match (a.first_seen, a.last_seen) {
            (Some(f), Some(l)) if l >= f => Some(l - f),
            _ => None,
        };
        if a.recipients >= c.recipients_total {
            let over = span
                .map(|s| format!(" over {}", human::duration(s)))
                .unwrap_or_default();
            fire(
                ACCOUNT_RECIPIENTS_TOTAL,
                w.recipients_total,
                format!(
                    "{} recipients in {} messages{over}; limit {}",
                    human::count(a.recipients),
                    human::count(a.messages),
                    human::count(c.recipients_total)
                ),
            );
        }
        let outlier_limit =
            ((c.population_factor * p.recipients as f64).ceil() as u64).max(c.population_floor);
        if a.recipients >= outlier_limit {
            fire(
                ACCOUNT_POPULATION_OUTLIER,
                w.population_outlier,
                format!(
                    "{} recipients, {:.0}x the site's p{:.0} of {} sending accounts ({})",
                    human::count(a.recipients),
                    a.recipients as f64 / p.recipients.max(1) as f64,
                    p.percentile * 100.0,
                    human::count(p.sending_accounts),
                    human::count(p.recipients)
                ),
            );
        }

        // Spread.
        if distinct_ips >= c.many_ips {
            fire(
                ACCOUNT_MANY_IPS,
                w.many_ips,
                format!(
                    "successful logins from {} IPs ({} logins); limit {}",
                    human::count(distinct_ips),
                    human::count(logins),
                    c.many_ips
                ),
            );
        }
        if distinct_nets >= c.many_nets {
            fire(
                ACCOUNT_MANY_NETS,
                w.many_nets,
                format!(
                    "logins from {} networks (/24 or /48); limit {}",
                    human::count(distinct_nets),
                    c.many_nets
                ),
            );
        }
        if let Some(n) = distinct_countries.filter(|&n| n >= c.many_countries) {
            let list: Vec<String> = country_list
                .iter()
                .take(8)
                .map(|x| format!("{} {}", x.country, human::count(x.logins)))
                .collect();
            let more = if country_list.len() > 8 { ", ..." } else { "" };
            let home = home_part
                .as_ref()
                .map(|h| format!("; {h}"))
                .unwrap_or_default();
            fire(
                ACCOUNT_MANY_COUNTRIES,
                w.many_countries,
                format!(
                    "logins from {n} countries: {}{more}{home}; limit {}",
                    list.join(", "),
                    c.many_countries
                ),
            );
        }
        if let Some(f) = foreign_share {
            let foreign = known - at_home;
            if f >= c.foreign_share && foreign >= c.foreign_min_logins {
                fire(
                    ACCOUNT_FOREIGN_SHARE,
                    w.foreign_share,
                    format!(
                        "{} of {} logins with a known country from outside {} ({})",
                        human::count(foreign),
                        human::count(known),
                        home_names.join("/"),
                        human::percent(f)
                    ),
                );
            }
        }

        // Attacks on the account.
        if a.auth_failures >= c.auth_failures {
            fire(
                ACCOUNT_AUTH_FAILURES,
                w.auth_failures,
                format!(
                    "{} failed logins from {} IPs; limit {}",
                    human::count(a.auth_failures),
                    human::count(a.failed_ips.len() as u64),
                    c.auth_failures
                ),
            );
        }
        let after: Vec<_> = a
            .success_after_failure
            .iter()
            .filter(|s| s.failures_before >= c.success_after_failures)
            .collect();
        if let Some(first) = after.iter().min_by_key(|s| s.at) {
            let more = match after.len() {
                1 => String::new(),
                n => format!(" ({n} such logins)"),
            };
            fire(
                ACCOUNT_SUCCESS_AFTER_FAILURES,
                w.success_after_failures,
                format!(
                    "logged in from {} at {} after {} failures from it{more}",
                    first.ip,
                    human::utc(first.at),
                    first.failures_before
                ),
            );
        }

        // What was sent.
        let (foreign_sent, examples): (u64, Vec<String>) = if a.mismatched_senders.is_empty() {
            (a.sender_mismatch, Vec::new())
        } else {
            let foreign: Vec<&(String, u64)> = a
                .mismatched_senders
                .iter()
                .filter(|(s, _)| !self.sender_is_local(&a.account, s))
                .collect();
            (
                foreign.iter().map(|(_, n)| n).sum(),
                foreign
                    .iter()
                    .take(3)
                    .map(|(s, n)| format!("{s} ({})", human::count(*n)))
                    .collect(),
            )
        };
        if a.messages > 0
            && foreign_sent >= c.sender_mismatch_min
            && foreign_sent as f64 >= c.sender_mismatch_share * a.messages as f64
        {
            let eg = if examples.is_empty() {
                String::new()
            } else {
                format!(": {}", examples.join(", "))
            };
            fire(
                ACCOUNT_SENDER_MISMATCH,
                w.sender_mismatch,
                format!(
                    "{} of {} messages sent as addresses outside the site's domains{eg}",
                    human::count(foreign_sent.min(a.messages)),
                    human::count(a.messages)
                ),
            );
        }
        let finals = a.sent + a.bounced + a.expired;
        let bounce_rate = (finals > 0).then(|| (a.bounced + a.expired) as f64 / finals as f64);
        if let Some(r) =
            bounce_rate.filter(|&r| finals >= c.rate_min_recipients && r >= c.bounce_rate)
        {
            fire(
                ACCOUNT_BOUNCE_RATE,
                w.bounce_rate,
                format!(
                    "{} of {} recipients bounced or expired ({})",
                    human::count(a.bounced + a.expired),
                    human::count(finals),
                    human::percent(r)
                ),
            );
        }
        if a.recipients >= c.rate_min_recipients {
            let r = a.deferred as f64 / a.recipients as f64;
            if r >= c.deferral_rate {
                fire(
                    ACCOUNT_DEFERRAL_RATE,
                    w.deferral_rate,
                    format!(
                        "{} of {} recipients deferred at least once ({})",
                        human::count(a.deferred),
                        human::count(a.recipients),
                        human::percent(r)
                    ),
                );
            }
        }
        let rcpts = a.recipients + a.rcpt_rejected;
        if a.rcpt_rejected >= 10 && rcpts >= c.rate_min_recipients {
            let r = a.rcpt_rejected as f64 / rcpts as f64;
            if r >= c.reject_rate {
                fire(
                    ACCOUNT_REJECT_RATE,
                    w.reject_rate,
                    format!(
                        "{} of {} RCPTs rejected by our policy ({})",
                        human::count(a.rcpt_rejected),
                        human::count(rcpts),
                        human::percent(r)
                    ),
                );
            }
        }

        let score = fired.iter().map(|(_, w)| w).sum::<f64>();
        let score = (score * 100.0).round() / 100.0;

        // The one-sentence summary.
        let mut summary = format!("{} recipients", human::count(a.recipients));
        if let Some(s) = span {
            summary.push_str(&format!(" in {}", human::duration(s)));
        }
        summary.push_str(&format!(
            " from {} IP{}",
            human::count(distinct_ips),
            if distinct_ips == 1 { "" } else { "s" }
        ));
        if let Some(n) = distinct_countries {
            summary.push_str(&format!(
                " in {n} countr{}",
                if n == 1 { "y" } else { "ies" }
            ));
        }
        if let Some(h) = &home_part {
            summary.push_str(&format!("; {h}"));
        }
        if a.auth_failures > 0 {
            summary.push_str(&format!(
                "; {} failed logins",
                human::count(a.auth_failures)
            ));
        }

        AccountVerdict {
            account: a.account.clone(),
            flagged: score >= c.flag_score,
            score,
            summary,
            messages: a.messages,
            recipients: a.recipients,
            peak_recipients_1h: a.peak_recipients_1h,
            peak_1h_start: a.peak_1h_start,
            peak_recipients_10m: a.peak_recipients_10m,
            distinct_ips,
            distinct_nets,
            distinct_countries,
            countries: country_list,
            foreign_share: foreign_share.map(|f| (f * 1000.0).round() / 1000.0),
            auth_failures: a.auth_failures,
            bounce_rate: bounce_rate.map(|r| (r * 1000.0).round() / 1000.0),
            first_seen: a.first_seen,
            last_seen: a.last_seen,
            top_ips: top,
            signals: fired.into_iter().map(|(s, _)| s).collect(),
        }
    }
}

/// Per-IP facts gathered from the accounts' side.
#[derive(Default)]
struct FromAccounts<'a> {
    /// Accounts that failed from this IP, with failure counts.
    failed: Vec<(&'a str, u64)>,
    /// (account, time, failures before) of logins after failures.
    after_failures: Vec<(&'a str, Timestamp, u64)>,
}

fn judge_ips(
    stats: &LogStats,
    config: &JudgeConfig,
    countries: &mut Countries<'_>,
) -> Vec<IpVerdict> {
    let mut by_ip: HashMap<IpAddr, FromAccounts<'_>> = HashMap::new();
    for a in &stats.accounts {
        for (ip, n) in &a.failed_ips {
            by_ip
                .entry(canonical(*ip))
                .or_default()
                .failed
                .push((&a.account, *n));
        }
        for s in &a.success_after_failure {
            by_ip
                .entry(canonical(s.ip))
                .or_default()
                .after_failures
                .push((&a.account, s.at, s.failures_before));
        }
    }
    let empty = FromAccounts::default();
    let mut out: Vec<IpVerdict> = stats
        .ips
        .iter()
        .filter_map(|s| {
            let facts = by_ip.get(&canonical(s.ip)).unwrap_or(&empty);
            judge_ip(s, facts, config, countries)
        })
        .collect();
    out.sort_by(|a, b| {
        b.flagged
            .cmp(&a.flagged)
            .then(b.auth_failures.cmp(&a.auth_failures))
            .then(a.ip.cmp(&b.ip))
    });
    out
}

fn judge_ip(
    s: &IpStats,
    facts: &FromAccounts<'_>,
    c: &JudgeConfig,
    countries: &mut Countries<'_>,
) -> Option<IpVerdict> {
    // The engine's accounts_tried counts successes too; accounts that only failed are at least
    // the difference, and exactly the accounts listing this IP among their failures.
    let accounts_failed = (facts.failed.len() as u64).max(
        s.accounts_tried
            .saturating_sub(s.accounts_succeeded.len() as u64),
    );
    let mut signals = Vec::new();
    let mut flagged = false;
    let span = match (s.first_seen, s.last_seen) {
        (Some(f), Some(l)) if l >= f => format!(" in {}", human::duration(l - f)),
        _ => String::new(),
    };
    if accounts_failed >= c.ip_accounts_failed && s.auth_failures > s.successes {
        flagged = true;
        let ok = match s.successes {
            0 => "no successful login".to_string(),
            n => format!("only {} successful", human::count(n)),
        };
        signals.push(Signal {
            code: IP_REVERSE_BRUTE_FORCE,
            message: format!(
                "{} failed logins as {} different accounts{span}; {ok}",
                human::count(s.auth_failures),
                human::count(accounts_failed)
            ),
        });
    }
    let after: Vec<_> = facts
        .after_failures
        .iter()
        .filter(|(_, _, n)| *n >= c.ip_success_after_failures)
        .collect();
    if let Some((account, at, n)) = after.iter().min_by_key(|x| x.1) {
        flagged = true;
        let more = match after.len() {
            1 => String::new(),
            k => format!(" ({k} such logins)"),
        };
        signals.push(Signal {
            code: IP_SUCCESS_AFTER_FAILURES,
            message: format!(
                "logged in as {account} at {} after {n} failures{more}",
                human::utc(*at)
            ),
        });
    }
    if accounts_failed <= 1 && s.auth_failures >= c.ip_account_failures {
        let whom = facts
            .failed
            .first()
            .map(|(a, _)| format!(" as {a}"))
            .unwrap_or_default();
        signals.push(Signal {
            code: IP_ACCOUNT_FAILURES,
            message: format!(
                "{} failed logins{whom}{span}: a dictionary attack, or a device with a stale \
                 password",
                human::count(s.auth_failures)
            ),
        });
    }
    if signals.is_empty() {
        return None;
    }
    Some(IpVerdict {
        ip: s.ip,
        country: countries.of(s.ip),
        auth_failures: s.auth_failures,
        accounts_tried: s.accounts_tried,
        accounts_failed,
        successes: s.successes,
        flagged,
        first_seen: s.first_seen,
        last_seen: s.last_seen,
        signals,
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::geo::RangeTable;
    use crate::logs::stats::{IpUse, SuccessAfterFailure};

    fn geo() -> Geo {
        let mut g = Geo::none();
        g.add_table(
            RangeTable::parse(
                Path::new("t.csv"),
                "10.0.0.0/8,ZZ\n1.0.0.0/8,DE\n2.0.0.0/8,CN\n3.0.0.0/8,BR\n4.0.0.0/8,VN\n5.0.0.0/8,IN\n6.0.0.0/8,RU\n",
            )
            .unwrap(),
        );
        g
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn use_(n: u64) -> IpUse {
        IpUse {
            smtp: n,
            imap: 0,
            first: 0,
            last: 0,
        }
    }

    /// A site of `n` ordinary users at home in DE, each sending 10 recipients from one IP.
    fn site(n: usize) -> LogStats {
        let mut stats = LogStats {
            local_domains: vec!["example.org".into()],
            ..LogStats::default()
        };
        for i in 0..n {
            let mut a = AccountStats {
                account: format!("user{i}@example.org"),
                messages: 5,
                recipients: 10,
                peak_recipients_1h: 3,
                sent: 10,
                ..AccountStats::default()
            };
            a.ips
                .insert(ip(&format!("1.1.{}.{}", i / 200, i % 200 + 1)), use_(5));
            stats.accounts.push(a);
        }
        stats
    }

    fn compromised() -> AccountStats {
        let mut a = AccountStats {
            account: "victim@example.org".into(),
            messages: 100,
            recipients: 5_366,
            peak_recipients_1h: 900,
            peak_1h_start: Some(1_790_000_000),
            peak_recipients_10m: 300,
            first_seen: Some(1_790_000_000),
            last_seen: Some(1_790_000_000 + 2 * 3600 + 600),
            auth_failures: 40,
            sent: 3000,
            bounced: 2000,
            deferred: 1500,
            sender_mismatch: 90,
            mismatched_senders: vec![
                ("billing@evil.test".into(), 80),
                ("x@lists.example.org".into(), 10),
            ],
            ..AccountStats::default()
        };
        a.failed_ips.insert(ip("6.6.6.6"), 40);
        a.ips.insert(ip("1.1.0.1"), use_(5));
        for k in 0..25u8 {
            a.ips.insert(ip(&format!("{}.{k}.0.1", 2 + k % 4)), use_(4));
        }
        a.success_after_failure.push(SuccessAfterFailure {
            ip: ip("6.6.6.6"),
            at: 1_790_000_100,
            failures_before: 40,
        });
        a
    }

    fn bulk() -> AccountStats {
        let mut a = AccountStats {
            account: "newsletter@example.org".into(),
            messages: 20,
            recipients: 8_000,
            peak_recipients_1h: 2_000,
            sent: 7_800,
            bounced: 200,
            deferred: 100,
            sender_mismatch: 20,
            mismatched_senders: vec![(
                "bounce-7-newsletter=example.org@lists.example.org".into(),
                20,
            )],
            ..AccountStats::default()
        };
        a.ips.insert(ip("1.2.3.4"), use_(20));
        a
    }

    #[test]
    fn compromised_account_is_flagged_with_evidence_and_bulk_is_not() {
        let mut stats = site(300);
        stats.accounts.push(compromised());
        stats.accounts.push(bulk());
        let j = judge(&stats, &geo(), &JudgeConfig::default());
        assert_eq!(j.home.source, HomeSource::Learnt);
        assert_eq!(
            j.home_countries
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>(),
            ["DE"]
        );
        assert!(
            j.home
                .note
                .starts_with("home DE learnt: 1,525 of 1,625 logins"),
            "{}",
            j.home.note
        );

        let top = &j.accounts[0];
        assert_eq!(top.account, "victim@example.org");
        assert!(top.flagged);
        assert_eq!(top.distinct_ips, 26);
        assert_eq!(top.distinct_countries, Some(5));
        assert_eq!(top.distinct_nets, 26);
        assert_eq!(top.foreign_share, Some(0.952));
        assert_eq!(
            top.summary,
            "5,366 recipients in 2 h 10 m from 26 IPs in 5 countries; home DE 5%; 40 failed logins"
        );
        let codes: Vec<&str> = top.signals.iter().map(|s| s.code).collect();
        assert_eq!(
            codes,
            [
                ACCOUNT_RECIPIENTS_PEAK,
                ACCOUNT_RECIPIENTS_TOTAL,
                ACCOUNT_POPULATION_OUTLIER,
                ACCOUNT_MANY_IPS,
                ACCOUNT_MANY_NETS,
                ACCOUNT_MANY_COUNTRIES,
                ACCOUNT_FOREIGN_SHARE,
                ACCOUNT_AUTH_FAILURES,
                ACCOUNT_SUCCESS_AFTER_FAILURES,
                ACCOUNT_SENDER_MISMATCH,
                ACCOUNT_BOUNCE_RATE,
                ACCOUNT_DEFERRAL_RATE,
            ]
        );
        assert_eq!(top.score, 4.9);
        let msg = |code: &str| {
            top.signals
                .iter()
                .find(|s| s.code == code)
                .unwrap()
                .message
                .clone()
        };
        assert_eq!(
            msg(ACCOUNT_SENDER_MISMATCH),
            "80 of 100 messages sent as addresses outside the site's domains: billing@evil.test (80)"
        );
        assert_eq!(
            msg(ACCOUNT_RECIPIENTS_PEAK),
            "900 recipients in one hour from 2026-09-21 14:13 UTC (10-minute peak 300); limit 100 (site p90 of hourly peaks: 3)"
        );
        assert_eq!(
            msg(ACCOUNT_SUCCESS_AFTER_FAILURES),
            "logged in from 6.6.6.6 at 2026-09-21 14:15 UTC after 40 failures from it"
        );

        let bulk = j
            .accounts
            .iter()
            .find(|a| a.account.starts_with("newsletter"))
            .unwrap();
        assert!(!bulk.flagged, "{bulk:?}");
        let codes: Vec<&str> = bulk.signals.iter().map(|s| s.code).collect();
        assert_eq!(
            codes,
            [
                ACCOUNT_RECIPIENTS_PEAK,
                ACCOUNT_RECIPIENTS_TOTAL,
                ACCOUNT_POPULATION_OUTLIER
            ]
        );
        // Ordinary users are listed too (JSON has every account), without signals.
        assert_eq!(j.accounts.len(), 302);
        assert_eq!(
            j.accounts.iter().filter(|a| !a.signals.is_empty()).count(),
            2
        );
        assert_eq!(j.population.sending_accounts, 302);
        assert_eq!(j.population.recipients, 10);
    }

    #[test]
    fn without_geo_country_signals_are_off_and_said_so() {
        let mut stats = site(50);
        stats.accounts.push(compromised());
        let j = judge(&stats, &Geo::none(), &JudgeConfig::default());
        assert_eq!(j.home.source, HomeSource::Unknown);
        assert!(j.home.note.contains("no geo source"));
        assert!(!j.geo.available);
        let top = &j.accounts[0];
        assert_eq!(top.distinct_countries, None);
        assert_eq!(top.foreign_share, None);
        assert!(
            top.flagged,
            "volume, spread, bounces and senders still flag it"
        );
        assert!(!top
            .signals
            .iter()
            .any(|s| s.code == ACCOUNT_MANY_COUNTRIES || s.code == ACCOUNT_FOREIGN_SHARE));
        assert_eq!(
            top.summary,
            "5,366 recipients in 2 h 10 m from 26 IPs; 40 failed logins"
        );
    }

    #[test]
    fn given_home_country_is_used_and_reported() {
        let mut stats = site(10);
        stats.accounts.push(compromised());
        let config = JudgeConfig {
            home_countries: vec!["cn".into()],
            ..JudgeConfig::default()
        };
        let j = judge(&stats, &geo(), &config);
        assert_eq!(j.home.source, HomeSource::Given);
        assert_eq!(j.home.logins_home, 28);
        assert!(
            j.home
                .note
                .starts_with("home CN as given; 28 of 155 logins"),
            "{}",
            j.home.note
        );
    }

    #[test]
    fn traveller_under_dictionary_attack_is_listed_not_flagged() {
        let mut stats = site(100);
        let mut a = AccountStats {
            account: "traveller@example.org".into(),
            messages: 30,
            recipients: 60,
            auth_failures: 230,
            sent: 60,
            ..AccountStats::default()
        };
        a.ips.insert(ip("2.0.0.1"), use_(10));
        a.ips.insert(ip("3.0.0.1"), use_(10));
        a.ips.insert(ip("1.9.0.1"), use_(1));
        a.failed_ips.insert(ip("5.5.5.5"), 230);
        stats.accounts.push(a);
        stats.ips.push(IpStats {
            ip: ip("5.5.5.5"),
            auth_failures: 230,
            accounts_tried: 1,
            ..IpStats::default()
        });
        let j = judge(&stats, &geo(), &JudgeConfig::default());
        let t = &j.accounts[0];
        assert!(!t.flagged);
        assert_eq!(t.score, 0.6);
        let ipv = &j.ips[0];
        assert!(!ipv.flagged);
        assert_eq!(ipv.signals[0].code, IP_ACCOUNT_FAILURES);
        assert_eq!(
            ipv.signals[0].message,
            "230 failed logins as traveller@example.org: a dictionary attack, or a device with a stale password"
        );
    }

    #[test]
    fn brute_force_ips_are_flagged_but_busy_office_nat_is_not() {
        let mut stats = site(20);
        // The office NAT: 20 users log in, three of them mistyped a password once.
        let office = ip("1.1.0.1");
        for a in stats.accounts.iter_mut().take(3) {
            a.failed_ips.insert(office, 1);
        }
        stats.ips.push(IpStats {
            ip: office,
            auth_failures: 3,
            accounts_tried: 20,
            successes: 400,
            accounts_succeeded: (0..20).map(|i| format!("user{i}@example.org")).collect(),
            ..IpStats::default()
        });
        stats.ips.push(IpStats {
            ip: ip("2.2.2.2"),
            auth_failures: 163,
            accounts_tried: 130,
            first_seen: Some(0),
            last_seen: Some(3 * 86_400 + 3600),
            ..IpStats::default()
        });
        stats.ips.push(IpStats {
            ip: ip("2.2.2.3"),
            auth_failures: 2,
            accounts_tried: 2,
            ..IpStats::default()
        });
        stats.ips.push(IpStats {
            ip: ip("6.6.6.6"),
            auth_failures: 40,
            accounts_tried: 1,
            successes: 1,
            accounts_succeeded: vec!["victim@example.org".into()],
            ..IpStats::default()
        });
        stats.accounts.push(compromised());
        let j = judge(&stats, &geo(), &JudgeConfig::default());
        let flagged: Vec<String> = j.flagged_ips().map(|i| i.ip.to_string()).collect();
        assert_eq!(flagged, ["2.2.2.2", "6.6.6.6", "2.2.2.3"]);
        assert_eq!(
            j.ips[0].signals[0].message,
            "163 failed logins as 130 different accounts in 3 d 1 h; no successful login"
        );
        assert_eq!(
            j.ips[0].country.map(|c| c.to_string()).as_deref(),
            Some("CN")
        );
        let sa = &j.ips[1];
        assert_eq!(sa.accounts_failed, 1);
        assert_eq!(
            sa.signals.iter().map(|s| s.code).collect::<Vec<_>>(),
            [IP_SUCCESS_AFTER_FAILURES, IP_ACCOUNT_FAILURES]
        );
        assert!(!j.ips.iter().any(|i| i.ip == office));
    }

    #[test]
    fn percentile_is_nearest_rank() {
        assert_eq!(percentile(vec![], 0.9), 0);
        assert_eq!(percentile(vec![5], 0.9), 5);
        assert_eq!(percentile((1..=100).collect(), 0.9), 90);
        assert_eq!(percentile((1..=10).rev().collect(), 0.5), 5);
        assert_eq!(percentile(vec![3, 1], 0.0), 1);
    }

    #[test]
    fn nets_and_local_addresses() {
        assert_eq!(net_of(ip("192.0.2.1")), net_of(ip("192.0.2.254")));
        assert_ne!(net_of(ip("192.0.2.1")), net_of(ip("192.0.3.1")));
        assert_eq!(net_of(ip("::ffff:192.0.2.1")), net_of(ip("192.0.2.9")));
        assert_eq!(
            net_of(ip("2001:db8:1:2::1")),
            net_of(ip("2001:db8:1:ffff::1"))
        );
        assert_ne!(net_of(ip("2001:db8:1::1")), net_of(ip("2001:db8:2::1")));
        for l in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.0.1",
            "100.64.1.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:10.0.0.1",
        ] {
            assert!(is_local(ip(l)), "{l}");
        }
        for g in ["8.8.8.8", "100.128.0.1", "2001:db8::1"] {
            assert!(!is_local(ip(g)), "{g}");
        }
    }

    #[test]
    fn catalogue_codes_are_unique_and_namespaced() {
        let mut seen = HashSet::new();
        for (code, help) in CATALOGUE {
            assert!(seen.insert(*code), "{code} twice");
            assert!(
                code.starts_with("account.") || code.starts_with("ip."),
                "{code}"
            );
            assert!(!help.is_empty());
        }
        assert_eq!(CATALOGUE.len(), 16);
    }
}
