//! The command line: every flag of every subcommand is defined here, once, and this one
//! definition also feeds the man pages and shell completions (see `docs.rs`).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::findings;

/// Email-abuse forensics: where a message really came from, whether it is authentic, and which
/// account sent it.
#[derive(Debug, Parser)]
#[command(
    name = "mailsleuth",
    version,
    about,
    long_about = "Email-abuse forensics for abuse desks and mail operators.\n\n\
        Human tables by default, stable JSON with --json or --format json|ndjson.\n\n\
        Exit codes: 0 ran and found nothing to flag; 1 ran and flagged something; \
        2 usage error or unreadable input; 3 incomplete because a look-up failed.",
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// Options every subcommand shares.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Output format: human tables, one JSON document, or one JSON object per line.
    #[arg(long, value_enum, global = true, default_value_t = Format::Table)]
    pub format: Format,

    /// Short for --format json.
    #[arg(long, global = true, conflicts_with = "format")]
    pub json: bool,

    /// When to colour tables. NO_COLOR in the environment turns colour off for `auto`.
    #[arg(long, value_enum, global = true, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Print no notes or warnings on stderr; errors are still printed.
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

/// How a report is rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Tables for a person at a terminal.
    Table,
    /// One JSON document for the whole run.
    Json,
    /// One JSON object per line, written as soon as each result is ready.
    Ndjson,
}

/// When to use colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and NO_COLOR is not set.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Where a message really came from: Received chain, origin, identities, red flags.
    #[command(
        long_about = "Where a message really came from.\n\n\
            Reads .eml files, mbox files, Maildir folders (or folders of messages) and `-` \
            for stdin. Forwarded complaints (message/rfc822 parts) and ARF feedback reports \
            (RFC 5965) are unwrapped, and the original message is analysed.\n\n\
            For each message: the Received chain oldest hop first (from HELO / rDNS / IP, by, \
            with, id, for, TLS, time, delay), the origin (the first hop outside the trusted \
            boundary, and why), the identities (Return-Path, From, Sender, Reply-To, Resent-*, \
            PRA, DMARC domain) and their relations, and findings with stable codes.",
        after_long_help = findings::CATALOGUE_HELP
    )]
    Headers(HeadersArgs),

    /// Is it authentic? SPF, DKIM (two verifiers), DMARC and ARC, then and now.
    #[command(
        long_about = "Is the message authentic?\n\n\
            Reads messages as `headers` does (files, mbox, Maildir, `-`; forwarded complaints \
            and ARF reports are unwrapped). For each: SPF for MAIL FROM and HELO (client IP, \
            HELO and MAIL FROM from the origin hop and Return-Path, or --ip/--helo/\
            --mail-from); every DKIM signature verified by two implementations, mail-auth \
            and viadkim, with both verdicts and their precise reasons; DMARC with the record \
            (also when invalid), policy, alignment of SPF and of each signature, result and \
            the disposition a receiver would apply; the ARC chain, each set's instance and \
            cv, and where it broke. Beside each verdict: what the message's own \
            Authentication-Results, ARC-Authentication-Results and Received-SPF recorded, \
            and whether today's verdict differs.\n\n\
            A message with no header fields (an empty file, or a first line that is blank), \
            which RFC 5322 allows and `headers` refuses, is judged: every verdict none with \
            its reason, and a warning on stderr. Text that is not a message is an error.\n\n\
            Every DNS answer comes through the run's resolver (--resolver, --dns-zone), and \
            --dns-record writes them all. Signature expiry (x=) is judged at the message's \
            arrival (the top Received hop; else its Date; else now) unless --at says \
            otherwise; the report says which time was used and why.\n\n\
            Exit codes: 0 nothing failed; 1 DMARC fails (or, with no DMARC record, SPF fails \
            and no DKIM signature passes); 2 usage error or unreadable input; 3 a DNS failure \
            left a verdict temperror and nothing failed.",
        after_long_help = findings::CATALOGUE_HELP
    )]
    Auth(AuthArgs),

    /// Is this IP listed? DNSBL and allow-list look-ups, PTR and forward-confirmed rDNS.
    #[command(long_about = "Is this IP (or our whole range) listed?\n\n\
            Checks IPv4/IPv6 addresses, CIDR ranges, host names (each of their addresses, and \
            the name itself against domain block lists), or a file or stdin of them, against \
            DNS block lists and allow lists. Return codes are decoded per zone; error codes \
            (e.g. Spamhaus 127.255.255.254: public resolver refused) and answers outside a \
            zone's documented codes are errors, never \"listed\". Each zone is probed with its \
            RFC 5782 test entries first; a zone the resolver cannot serve honestly is stopped \
            with a reason. Private, loopback and reserved addresses are skipped, never \
            queried.\n\n\
            Exit codes: 0 nothing listed on a block list; 1 something listed; 2 usage error \
            or unreadable input; 3 some answers were errors and nothing was listed.")]
    Dnsbl(DnsblArgs),

    /// Which of our accounts is being used as a spam relay? Postfix, Dovecot and Exim logs.
    #[command(
        long_about = "Which of our accounts is being used as a spam relay?\n\n\
            Reads Postfix, Dovecot and Exim logs (plain, gzip or zstd, detected by content; \
            folders of rotated logs in time order; `-` for stdin), with classic or RFC 3339 \
            syslog timestamps. Joins sessions and messages, then judges every authenticated \
            account (recipients counted per RCPT, peaks in sliding windows, client IPs, \
            networks and countries, authentication failures, success right after failures, \
            foreign senders, bounce rates) and every client IP (brute force across accounts). \
            Each signal has a code, a threshold that can be changed (flags, --set, or a TOML \
            --config file) and a sentence of evidence; accounts are ranked by score.\n\n\
            Exit codes: 0 nothing flagged; 1 an account or IP flagged; 2 usage error or \
            unreadable input.",
        after_long_help = crate::logs::signals::catalogue_help()
    )]
    Logs(LogsArgs),

    /// Check an SPF record: the verdict for a client IP and sender, with the whole evaluation.
    #[command(long_about = "Check an SPF record (RFC 7208) without a message.\n\n\
            Evaluates check_host() for the MAIL FROM identity (the null sender, given as '' or \
            '<>', is checked as postmaster@HELO) and, with --helo, for the HELO identity \
            separately. Shows the result with its reason, the term that decided it, the record \
            text, the DNS-querying terms counted against the limit of 10 and the void look-ups \
            against the limit of 2, the explanation (exp=, fetched only on fail), and the whole \
            evaluation as a tree: every record fetched, every term tried in order with its DNS \
            queries and outcome, includes and redirects nested. A DNS timeout or SERVFAIL gives \
            temperror, never a pass.\n\n\
            Exit codes: 0 pass, neutral or none; 1 fail, softfail or permerror (for either \
            identity); 2 usage error; 3 temperror and nothing flagged.")]
    Spf(SpfArgs),
    /// From a complaint to the login that sent it: our hops, queue ids, log lines, account.
    #[command(long_about = "From a complaint to the login that sent it.\n\n\
            Reads complaints as `headers` does (.eml, mbox, Maildir or folders of messages, `-` \
            for stdin; forwarded messages and ARF reports are unwrapped) and finds the hops our \
            own hosts added to their Received chains: the hosts given with --our-host, or else \
            the host names the logs were written on (a syslog short name such as `mail` also \
            matches `mail.example.net`; such a learnt match counts only when its queue id is \
            found). The logs (read once, as `logs` reads them) are searched by each hop's queue \
            id first and by the Message-ID second; a reused queue id is resolved by time: the \
            hop's time must fall inside the message's log lifetime, give or take --clock-skew.\n\n\
            Verdicts: `ours` (with the SASL account, client IP, the message's relay hops and \
            deliveries, the account's activity in --window around it, and the evidence log \
            lines of the message and its SMTP session), `not ours`, `ours but not found in the \
            given logs` (our hop lies outside the logs' time, or where they show no mail at \
            all within 15 minutes of it: a gap), and `likely forged` (a hop names our host with \
            a queue id that the logs covering its time do not have). Many \
            complaints are grouped by account.\n\n\
            Exit codes: 0 no complaint traced to an account; 1 a complaint traced to an \
            account; 2 usage error or unreadable input (complaint or log).")]
    Trace(TraceArgs),

    /// Write the man pages and shell completions generated from this command line.
    #[command(hide = true)]
    GenerateDocs {
        /// Folder that receives `man/` and `completions/`.
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
}

/// Arguments of `mailsleuth headers`.
#[derive(Debug, Args)]
pub struct HeadersArgs {
    /// Messages to read: .eml files, mbox files, Maildir folders or folders of messages; `-`
    /// reads stdin.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// A network (CIDR or address) or host name whose hops are ours, and so trusted. Repeatable.
    /// Private, loopback and link-local addresses are always trusted. A host name matches the
    /// reverse-DNS name our own hop recorded for its client, or any name under it.
    #[arg(long, value_name = "CIDR|HOST")]
    pub trusted: Vec<String>,

    /// Flag a hop that took longer than this many seconds after the previous one.
    #[arg(long, value_name = "SECONDS", default_value_t = 3600)]
    pub max_delay: i64,

    /// Tolerated clock difference between hops, in seconds, before time is said to run
    /// backwards.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    pub max_skew: i64,

    /// Flag a Date header further than this many seconds from the first hop's time.
    #[arg(long, value_name = "SECONDS", default_value_t = 7200)]
    pub max_date_skew: i64,

    /// Lowest finding severity that makes the exit code 1.
    #[arg(long, value_enum, value_name = "SEVERITY", default_value_t = FailOn::Medium)]
    pub fail_on: FailOn,
}

/// Arguments of `mailsleuth auth`.
#[derive(Debug, Args)]
pub struct AuthArgs {
    /// Messages to read: .eml files, mbox files, Maildir folders or folders of messages; `-`
    /// reads stdin.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Checks to run, comma-separated. DMARC without `spf` takes SPF as `none` (DKIM alone can
    /// then pass it).
    #[arg(
        long,
        value_enum,
        value_name = "CHECK,...",
        value_delimiter = ',',
        default_value = "spf,dkim,dmarc,arc"
    )]
    pub checks: Vec<Check>,

    /// When to judge signature expiry (x=): `now`, or an RFC 3339 time such as
    /// 2022-11-07T17:54:24Z. Default: the message's arrival (top Received hop, else Date).
    #[arg(long, value_name = "now|RFC3339")]
    pub at: Option<String>,

    /// The SMTP client's IP for SPF, instead of the origin hop's.
    #[arg(long, value_name = "IP")]
    pub ip: Option<std::net::IpAddr>,

    /// The HELO/EHLO name for SPF, instead of the origin hop's.
    #[arg(long, value_name = "NAME")]
    pub helo: Option<String>,

    /// The MAIL FROM address for SPF and DMARC, instead of Return-Path (`<>` or empty for the
    /// null sender).
    #[arg(long, value_name = "ADDRESS")]
    pub mail_from: Option<String>,

    /// A network (CIDR or address) or host name whose hops are ours, as for `headers`.
    /// Repeatable.
    #[arg(long, value_name = "CIDR|HOST")]
    pub trusted: Vec<String>,

    #[command(flatten)]
    pub dns: DnsArgs,
}

/// One check of `auth`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Check {
    Spf,
    Dkim,
    Dmarc,
    Arc,
}

/// How every DNS-using subcommand reaches DNS. Only `dns/` turns these into a resolver.
#[derive(Debug, Args)]
pub struct DnsArgs {
    /// DNS server to ask, as IP or IP:PORT (repeatable). Default: the servers in
    /// /etc/resolv.conf.
    #[arg(long, value_name = "IP[:PORT]", value_parser = crate::dns::parse_server)]
    pub resolver: Vec<std::net::SocketAddr>,

    /// Seconds to wait for each DNS reply before retrying.
    #[arg(long, value_name = "SECONDS", default_value_t = 2.0)]
    pub dns_timeout: f64,

    /// Attempts per query (the first try included) before it counts as a timeout.
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub dns_attempts: usize,

    /// Most DNS queries in flight at once.
    #[arg(long, value_name = "N", default_value_t = 256)]
    pub dns_concurrency: usize,

    /// Answer from these RFC 1035 zone files (a file, or a folder of NAME.zone files) served
    /// by an in-process server on 127.0.0.1, instead of the network: offline, reproducible
    /// runs, and replays of a --dns-record file.
    #[arg(long, value_name = "FILE|DIR", conflicts_with = "resolver")]
    pub dns_zone: Vec<PathBuf>,

    /// Write every DNS answer this run used (name, type, outcome, records, TTL, time) to FILE
    /// as a zone file that --dns-zone replays: the evidence of what DNS said at the time.
    #[arg(long, value_name = "FILE")]
    pub dns_record: Option<PathBuf>,
}

/// Arguments of `mailsleuth dnsbl`.
#[derive(Debug, Args)]
pub struct DnsblArgs {
    /// IPv4/IPv6 addresses, CIDR ranges, or host names; `-` reads them from stdin.
    #[arg(value_name = "TARGET")]
    pub targets: Vec<String>,

    /// Read targets from FILE, one per line; `#` starts a comment. Repeatable.
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Zones to query, by name or id, comma-separated (default: the free, live block lists
    /// and DNSWL; `--list-zones` shows the catalogue).
    #[arg(long, value_name = "ZONE,...", value_delimiter = ',')]
    pub zones: Vec<String>,

    /// Add the zones described in this TOML file (same format as the built-in catalogue).
    /// Repeatable.
    #[arg(long, value_name = "FILE")]
    pub zone_file: Vec<PathBuf>,

    /// Print the zone catalogue and exit.
    #[arg(long)]
    pub list_zones: bool,

    /// Spamhaus Data Query Service key: queries Spamhaus through KEY.zen.dq.spamhaus.net,
    /// which works from public resolvers and commercial use.
    #[arg(
        long,
        value_name = "KEY",
        env = "MAILSLEUTH_SPAMHAUS_DQS_KEY",
        hide_env_values = true
    )]
    pub spamhaus_dqs_key: Option<String>,

    /// Refuse to expand ranges to more than this many addresses in all.
    #[arg(long, value_name = "N", default_value_t = 65536)]
    pub max_ips: u64,

    /// Also fetch the TXT reason of each listing.
    #[arg(long)]
    pub txt: bool,

    /// When to draw a progress bar on stderr (auto: on a terminal, for runs over a few
    /// seconds).
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ProgressChoice::Auto)]
    pub progress: ProgressChoice,

    #[command(flatten)]
    pub dns: DnsArgs,
}

/// Arguments of `mailsleuth spf`.
#[derive(Debug, Args)]
pub struct SpfArgs {
    /// The SMTP client's address (IPv4, IPv6, or IPv4-mapped IPv6, which counts as IPv4).
    #[arg(long, value_name = "IP")]
    pub ip: std::net::IpAddr,

    /// The envelope sender (SMTP MAIL FROM); '' or '<>' for the null sender, which is then
    /// checked as postmaster@HELO and needs --helo.
    #[arg(long, value_name = "ADDR")]
    pub mail_from: String,

    /// The HELO/EHLO name: also checked as an identity of its own, and the value of %{h}.
    #[arg(long, value_name = "NAME")]
    pub helo: Option<String>,

    #[command(flatten)]
    pub dns: DnsArgs,
}

/// Arguments of `mailsleuth logs`.
#[derive(Debug, Args)]
pub struct LogsArgs {
    /// Log files (plain, .gz, .zst), folders of rotated logs, or `-` for stdin.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Year of the first classic syslog timestamp (`Nov 22 04:03:14` has none). Default: the
    /// latest year that does not put the log in the future.
    #[arg(long, value_name = "YEAR")]
    pub year: Option<i32>,

    /// UTC offset of classic syslog timestamps, e.g. +09:00. Default: the offset of the RFC 3339
    /// timestamps in the same input, else UTC.
    #[arg(long, value_name = "+HH:MM", allow_hyphen_values = true)]
    pub utc_offset: Option<String>,

    /// The site's home country (ISO code), for the foreign-login share. Repeatable. Default:
    /// learnt as the country of most successful logins.
    #[arg(long, value_name = "CC")]
    pub home_country: Vec<String>,

    /// A MaxMind or DB-IP country database (.mmdb). Repeatable.
    #[arg(long, value_name = "FILE")]
    pub geoip: Vec<PathBuf>,

    /// An RIR delegated-stats file (delegated-*-extended) or a `cidr,country` CSV. Repeatable.
    #[arg(long, value_name = "FILE")]
    pub rir: Vec<PathBuf>,

    /// Thresholds and weights from a TOML file (see the man page for the keys).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Set one threshold or weight, as in the config file (`many_countries=3`,
    /// `weights.bounce_rate=0.8`). Repeatable; applied after --config.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,

    /// Flag an account at this score (the sum of its signals' weights).
    #[arg(long, value_name = "SCORE")]
    pub flag_score: Option<f64>,

    /// Recipients in one sliding hour that flag an account's peak.
    #[arg(long, value_name = "N")]
    pub recipients_peak_1h: Option<u64>,

    /// Distinct client IPs that count as many for one account.
    #[arg(long, value_name = "N")]
    pub many_ips: Option<u64>,

    /// Distinct countries that count as many for one account.
    #[arg(long, value_name = "N")]
    pub many_countries: Option<u64>,

    /// Failed logins naming an account that count as an attack on it.
    #[arg(long, value_name = "N")]
    pub auth_failures: Option<u64>,

    /// Show one account: its numbers, its timeline per hour, sample queue ids and log lines.
    #[arg(long, value_name = "NAME")]
    pub account: Option<String>,

    /// Also write ready-to-review access-map lines to lock flagged accounts and block
    /// brute-force IPs (to stdout after the report, or to --emit-to).
    #[arg(long, value_enum, value_name = "KIND")]
    pub emit: Option<EmitKind>,

    /// Write the --emit lines to this file instead of stdout.
    #[arg(long, value_name = "FILE", requires = "emit")]
    pub emit_to: Option<PathBuf>,

    /// Show up to N lines that no parser understood (they are always counted per program).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub show_unparsed: usize,

    /// Rows in the accounts and IPs tables (JSON always has all).
    #[arg(long, value_name = "N", default_value_t = 25)]
    pub top: usize,

    /// When to draw a progress bar on stderr.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ProgressChoice::Auto)]
    pub progress: ProgressChoice,
}

/// Arguments of `mailsleuth trace`.
#[derive(Debug, Args)]
pub struct TraceArgs {
    /// Complaints: .eml files, mbox files, Maildir folders or folders of messages; `-` reads
    /// stdin.
    #[arg(required = true, value_name = "COMPLAINT")]
    pub complaints: Vec<PathBuf>,

    /// Our mail logs (plain, .gz, .zst), folders of rotated logs, or `-` for stdin.
    #[arg(long, required = true, num_args = 1.., value_name = "PATH")]
    pub logs: Vec<PathBuf>,

    /// A host name (matching it and any host under it), an address or a CIDR network of our
    /// own mail hosts. Repeatable. Default: the host names in the logs.
    #[arg(long, value_name = "NAME|CIDR")]
    pub our_host: Vec<String>,

    /// Seconds a hop's time may lie outside the message's log lifetime (the clocks of the
    /// header and of syslog may differ).
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    pub clock_skew: i64,

    /// Width of the account's activity window, centred on the message's time: `24h`, `90m`,
    /// `2d` or seconds.
    #[arg(long, value_name = "DURATION", default_value = "24h", value_parser = parse_duration)]
    pub window: i64,

    /// Year of the first classic syslog timestamp of the logs (as for `logs`).
    #[arg(long, value_name = "YEAR")]
    pub year: Option<i32>,

    /// UTC offset of classic syslog timestamps, e.g. +09:00 (as for `logs`).
    #[arg(long, value_name = "+HH:MM", allow_hyphen_values = true)]
    pub utc_offset: Option<String>,

    /// A MaxMind or DB-IP country database (.mmdb), for the countries of the account's IPs.
    /// Repeatable.
    #[arg(long, value_name = "FILE")]
    pub geoip: Vec<PathBuf>,

    /// An RIR delegated-stats file or a `cidr,country` CSV, for the same. Repeatable.
    #[arg(long, value_name = "FILE")]
    pub rir: Vec<PathBuf>,

    /// When to draw a progress bar on stderr while the logs are read.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ProgressChoice::Auto)]
    pub progress: ProgressChoice,
}

/// `24h`, `90m`, `2d`, `30s` or plain seconds → seconds.
fn parse_duration(text: &str) -> Result<i64, String> {
    let t = text.trim();
    let (number, unit) = match t.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => t.split_at(i),
        None => (t, "s"),
    };
    let n: i64 = number
        .parse()
        .map_err(|_| format!("{text:?}: expected a duration such as 24h, 90m, 2d"))?;
    let unit = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(format!("{text:?}: the unit must be s, m, h or d")),
    };
    match n.checked_mul(unit) {
        Some(s) if s > 0 => Ok(s),
        _ => Err(format!(
            "{text:?}: must be more than zero and less than forever"
        )),
    }
}

/// Kinds of ready-to-use output for the mail server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EmitKind {
    /// Postfix check_sasl_access and check_client_access (cidr) lines.
    PostfixAccess,
}

/// When to draw a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProgressChoice {
    /// On a terminal, for runs over a few seconds.
    Auto,
    /// Never.
    Never,
    /// Always, even when stderr is not a terminal.
    Always,
}

/// The lowest severity that counts as "flagged" for the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Info,
    Low,
    Medium,
    High,
    /// Never exit 1 because of findings.
    Never,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("24h"), Ok(86_400));
        assert_eq!(parse_duration("90m"), Ok(5400));
        assert_eq!(parse_duration("2d"), Ok(172_800));
        assert_eq!(parse_duration("600"), Ok(600));
        assert!(parse_duration("0h").is_err());
        assert!(parse_duration("3w").is_err());
        assert!(parse_duration("h").is_err());
    }
}
