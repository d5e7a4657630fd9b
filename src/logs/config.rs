//! Thresholds and weights of the `logs` judgement, with their defaults, and the TOML file that
//! can change them (`--config FILE`; command-line flags override single fields afterwards).
//!
//! Defaults were chosen to separate compromised accounts from busy legitimate ones (bulk
//! senders, travellers, users whose password is under a dictionary attack) on the project's
//! synthetic logs at several sizes and seeds, while staying plausible for a real site: volume
//! alone never flags an account (the three volume weights add up to less than `flag_score`), it
//! takes volume together with spread (many IPs, networks, countries) or abuse signs (bounces,
//! foreign senders).
//!
//! Example file (every key optional):
//! ```toml
//! home_countries = ["DE", "AT"]
//! flag_score = 1.8
//! many_countries = 4
//! [weights]
//! many_countries = 0.6
//! ```

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// How much each account signal adds to the score when it fires. Documented per field; the
/// sum of the three volume weights (peak, total, population outlier) is kept below the default
/// `flag_score` so that a legitimate bulk sender is not flagged for volume alone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Weights {
    /// `account.recipients_peak` (default 0.5).
    pub recipients_peak: f64,
    /// `account.recipients_total` (default 0.3).
    pub recipients_total: f64,
    /// `account.population_outlier` (default 0.4).
    pub population_outlier: f64,
    /// `account.many_ips` (default 0.5).
    pub many_ips: f64,
    /// `account.many_nets` (default 0.3).
    pub many_nets: f64,
    /// `account.many_countries` (default 0.6): the strongest single sign of a botnet.
    pub many_countries: f64,
    /// `account.foreign_share` (default 0.3): low, travellers and expatriates log in abroad.
    pub foreign_share: f64,
    /// `account.auth_failures` (default 0.3): an attack on the account, not proof of success.
    pub auth_failures: f64,
    /// `account.success_after_failures` (default 0.5).
    pub success_after_failures: f64,
    /// `account.sender_mismatch` (default 0.5): sending as another domain's addresses is what
    /// spammers do with a stolen login, and what legitimate users rarely need.
    pub sender_mismatch: f64,
    /// `account.bounce_rate` (default 0.5): spam lists are dirty; real correspondents exist.
    pub bounce_rate: f64,
    /// `account.deferral_rate` (default 0.2).
    pub deferral_rate: f64,
    /// `account.reject_rate` (default 0.3).
    pub reject_rate: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            recipients_peak: 0.5,
            recipients_total: 0.3,
            population_outlier: 0.4,
            many_ips: 0.5,
            many_nets: 0.3,
            many_countries: 0.6,
            foreign_share: 0.3,
            auth_failures: 0.3,
            success_after_failures: 0.5,
            sender_mismatch: 0.5,
            bounce_rate: 0.5,
            deferral_rate: 0.2,
            reject_rate: 0.3,
        }
    }
}

/// Every threshold of the judgement. Field names are the TOML keys; the clap layer may
/// override any of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JudgeConfig {
    /// Home countries (ISO codes). Empty: learnt as the country of most successful logins.
    pub home_countries: Vec<String>,
    /// An account is flagged when its score reaches this (default 1.8).
    pub flag_score: f64,
    /// `account.recipients_peak` fires when the recipients in one sliding hour reach this
    /// fixed limit (default 500)...
    pub recipients_peak_1h: u64,
    /// ...or when they reach `peak_factor` times the site's percentile of hourly peaks
    /// (default 10), but never below `peak_floor` (default 100), so that a tiny site whose
    /// users send one mail a day does not flag a user who sends twenty.
    pub peak_factor: f64,
    pub peak_floor: u64,
    /// `account.recipients_total` fires at this many recipients in the whole run (default 1000).
    pub recipients_total: u64,
    /// The population percentile that the relative limits compare with (default 0.9: the p90
    /// of all accounts that sent mail). The p90 rather than the p99 keeps the baseline among
    /// ordinary users even on a small site where a handful of heavy senders are 5 % of
    /// accounts.
    pub population_percentile: f64,
    /// `account.population_outlier` fires when total recipients reach this factor times the
    /// population percentile (default 20), and at least `population_floor` (default 500).
    pub population_factor: f64,
    pub population_floor: u64,
    /// `account.many_ips`: distinct client IPs with a successful login (default 6).
    pub many_ips: u64,
    /// `account.many_nets`: distinct /24 (IPv4) or /48 (IPv6) networks (default 5).
    pub many_nets: u64,
    /// `account.many_countries`: distinct countries of login IPs (default 4).
    pub many_countries: u64,
    /// `account.foreign_share`: share of logins from outside the home countries (default 0.5),
    /// counted only with at least `foreign_min_logins` foreign logins (default 3).
    pub foreign_share: f64,
    pub foreign_min_logins: u64,
    /// `account.auth_failures`: failed logins naming the account (default 20).
    pub auth_failures: u64,
    /// `account.success_after_failures`: a successful login after at least this many failures
    /// from the same IP (default 3; one or two are typos).
    pub success_after_failures: u64,
    /// `account.sender_mismatch`: messages sent as addresses outside the site's domains, at
    /// least `sender_mismatch_min` (default 5) and this share of the account's messages
    /// (default 0.5).
    pub sender_mismatch_share: f64,
    pub sender_mismatch_min: u64,
    /// `account.bounce_rate`: bounced share of final deliveries (default 0.2).
    pub bounce_rate: f64,
    /// `account.deferral_rate`: share of recipients deferred at least once (default 0.2).
    pub deferral_rate: f64,
    /// `account.reject_rate`: RCPTs rejected by our own policy (rate limits), as a share of
    /// all RCPTs (default 0.1), with at least 10 rejects.
    pub reject_rate: f64,
    /// The rates above are judged only with this many recipients (default 50).
    pub rate_min_recipients: u64,
    /// `ip.reverse_brute_force`: an IP that failed as at least this many distinct accounts
    /// (default 2) and failed more often than it succeeded is flagged.
    pub ip_accounts_failed: u64,
    /// `ip.success_after_failures`: an IP that logged in after at least this many failures
    /// against the same account is flagged (default 5).
    pub ip_success_after_failures: u64,
    /// `ip.account_failures`: failures against a single account from one IP (default 20);
    /// shown, not flagged: a phone with a stale password looks the same as a dictionary attack.
    pub ip_account_failures: u64,
    pub weights: Weights,
}

impl Default for JudgeConfig {
    fn default() -> Self {
        JudgeConfig {
            home_countries: Vec::new(),
            flag_score: 1.8,
            recipients_peak_1h: 500,
            peak_factor: 10.0,
            peak_floor: 100,
            recipients_total: 1000,
            population_percentile: 0.9,
            population_factor: 20.0,
            population_floor: 500,
            many_ips: 6,
            many_nets: 5,
            many_countries: 4,
            foreign_share: 0.5,
            foreign_min_logins: 3,
            auth_failures: 20,
            success_after_failures: 3,
            sender_mismatch_share: 0.5,
            sender_mismatch_min: 5,
            bounce_rate: 0.2,
            deferral_rate: 0.2,
            reject_rate: 0.1,
            rate_min_recipients: 50,
            ip_accounts_failed: 2,
            ip_success_after_failures: 5,
            ip_account_failures: 20,
            weights: Weights::default(),
        }
    }
}

/// A configuration file that cannot be used; the message names the file, and for a bad value
/// the field (`weights.many_ips`) and line.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

impl JudgeConfig {
    /// Reads a TOML file; keys not given keep their defaults, unknown keys are errors (a typo
    /// must not silently leave a default in force).
    pub fn load(path: &Path) -> Result<JudgeConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        JudgeConfig::parse(path, &text)
    }

    /// Parses TOML text; `path` is only used in error messages.
    pub fn parse(path: &Path, text: &str) -> Result<JudgeConfig, ConfigError> {
        let invalid = |message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        let config: JudgeConfig = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| 1 + text[..s.start.min(text.len())].matches('\n').count());
            let msg = e.message().trim().to_string();
            invalid(match line {
                Some(l) => format!("line {l}: {msg}"),
                None => msg,
            })
        })?;
        config.validate().map_err(invalid)?;
        Ok(config)
    }

    /// Applies one `KEY=VALUE` assignment (`--set many_countries=3`,
    /// `--set weights.bounce_rate=0.8`, `--set 'home_countries=["DE"]'`): the key is a config
    /// file key, dotted for tables, and the value is written as in the file. Unknown keys and
    /// values of the wrong type are errors, as in the file.
    pub fn set(&mut self, assignment: &str) -> Result<(), String> {
        let (key, value) = assignment
            .split_once('=')
            .ok_or_else(|| format!("{assignment:?}: expected KEY=VALUE"))?;
        let key = key.trim();
        let parsed: toml::Table =
            toml::from_str(&format!("v = {}", value.trim())).map_err(|e| {
                format!(
                    "{key}: {:?} is not a TOML value: {}",
                    value.trim(),
                    e.message()
                )
            })?;
        let value = serde_json::to_value(&parsed["v"]).map_err(|e| format!("{key}: {e}"))?;
        let mut tree = serde_json::to_value(&*self).map_err(|e| format!("{key}: {e}"))?;
        let mut slot = &mut tree;
        for part in key.split('.') {
            slot = slot
                .get_mut(part)
                .ok_or_else(|| format!("{key}: no such setting (see the man page for the keys)"))?;
        }
        *slot = value;
        let updated: JudgeConfig =
            serde_json::from_value(tree).map_err(|e| format!("{key}: {e}"))?;
        updated.validate().map_err(|e| format!("{key}: {e}"))?;
        *self = updated;
        Ok(())
    }

    /// Checks values a type cannot: shares within 0..=1, positive factors, country codes. The
    /// clap layer should call this again after applying its overrides.
    pub fn validate(&self) -> Result<(), String> {
        let shares = [
            ("foreign_share", self.foreign_share),
            ("sender_mismatch_share", self.sender_mismatch_share),
            ("bounce_rate", self.bounce_rate),
            ("deferral_rate", self.deferral_rate),
            ("reject_rate", self.reject_rate),
            ("population_percentile", self.population_percentile),
        ];
        for (name, v) in shares {
            if !(0.0..=1.0).contains(&v) {
                return Err(format!("{name}: {v} is not a share between 0 and 1"));
            }
        }
        for (name, v) in [
            ("flag_score", self.flag_score),
            ("peak_factor", self.peak_factor),
            ("population_factor", self.population_factor),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return Err(format!("{name}: {v} must be a positive number"));
            }
        }
        let w = &self.weights;
        for (name, v) in [
            ("recipients_peak", w.recipients_peak),
            ("recipients_total", w.recipients_total),
            ("population_outlier", w.population_outlier),
            ("many_ips", w.many_ips),
            ("many_nets", w.many_nets),
            ("many_countries", w.many_countries),
            ("foreign_share", w.foreign_share),
            ("auth_failures", w.auth_failures),
            ("success_after_failures", w.success_after_failures),
            ("sender_mismatch", w.sender_mismatch),
            ("bounce_rate", w.bounce_rate),
            ("deferral_rate", w.deferral_rate),
            ("reject_rate", w.reject_rate),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(format!("weights.{name}: {v} must be zero or more"));
            }
        }
        for cc in &self.home_countries {
            if crate::geo::Country::parse(cc).is_none() {
                return Err(format!(
                    "home_countries: {cc:?} is not a two-letter country code"
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn set_changes_one_key_and_rejects_unknown_ones() {
        let mut c = JudgeConfig::default();
        c.set("many_countries=3").unwrap();
        c.set("weights.bounce_rate = 0.8").unwrap();
        c.set(r#"home_countries=["DE", "AT"]"#).unwrap();
        assert_eq!(c.many_countries, 3);
        assert_eq!(c.weights.bounce_rate, 0.8);
        assert_eq!(c.home_countries, ["DE", "AT"]);
        assert!(c
            .set("many_contries=3")
            .unwrap_err()
            .contains("no such setting"));
        assert!(c.set("many_countries=lots").is_err());
        assert!(c
            .set("bounce_rate=2")
            .unwrap_err()
            .contains("between 0 and 1"));
        assert!(c.set("many_countries").unwrap_err().contains("KEY=VALUE"));
        // A failed assignment leaves the configuration as it was.
        assert_eq!(c.many_countries, 3);
    }
    use super::*;

    fn parse(text: &str) -> Result<JudgeConfig, String> {
        JudgeConfig::parse(Path::new("judge.toml"), text).map_err(|e| e.to_string())
    }

    #[test]
    fn empty_file_is_the_defaults() {
        assert_eq!(parse("").unwrap(), JudgeConfig::default());
        JudgeConfig::default().validate().unwrap();
    }

    #[test]
    fn volume_alone_cannot_flag_with_default_weights() {
        let c = JudgeConfig::default();
        let w = &c.weights;
        assert!(w.recipients_peak + w.recipients_total + w.population_outlier < c.flag_score);
    }

    #[test]
    fn fields_and_weights_override() {
        let c = parse(
            "home_countries = [\"jp\"]\nmany_ips = 10\nflag_score = 1.5\n\
             [weights]\nmany_countries = 1.0\n",
        )
        .unwrap();
        assert_eq!(c.home_countries, vec!["jp".to_string()]);
        assert_eq!(c.many_ips, 10);
        assert_eq!(c.flag_score, 1.5);
        assert_eq!(c.weights.many_countries, 1.0);
        assert_eq!(c.weights.many_ips, Weights::default().many_ips);
        assert_eq!(c.many_nets, JudgeConfig::default().many_nets);
    }

    #[test]
    fn errors_name_file_line_and_field() {
        let e = parse("many_ips = 6\nmany_ipz = 7\n").unwrap_err();
        assert!(
            e.starts_with("judge.toml: line 2: unknown field `many_ipz`"),
            "{e}"
        );
        let e = parse("many_ips = \"six\"\n").unwrap_err();
        assert!(e.starts_with("judge.toml: line 1: "), "{e}");
        let e = parse("[weights]\nmany_ips = -1.0\n").unwrap_err();
        assert_eq!(e, "judge.toml: weights.many_ips: -1 must be zero or more");
        let e = parse("bounce_rate = 1.5\n").unwrap_err();
        assert_eq!(
            e,
            "judge.toml: bounce_rate: 1.5 is not a share between 0 and 1"
        );
        let e = parse("home_countries = [\"Germany\"]\n").unwrap_err();
        assert_eq!(
            e,
            "judge.toml: home_countries: \"Germany\" is not a two-letter country code"
        );
        let e = JudgeConfig::load(Path::new("/nonexistent/judge.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("/nonexistent/judge.toml: "), "{e}");
    }
}
