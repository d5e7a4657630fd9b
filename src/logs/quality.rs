//! Detection quality against genlog's ground truth: the compromised accounts and brute-force
//! IPs that genlog planted must be exactly the ones flagged, at several seeds and sizes, and no
//! normal user or legitimate bulk sender may be flagged.
//!
//! The log engine is not part of this test: [`LogStats`] is built from the truth file's
//! per-account totals (messages, recipients, client IPs, failures, bounces...). Hourly peaks
//! and first/last times are not in the truth file and stay unknown (0 / `None`), so these
//! tests also show that the judgement does not depend on peaks.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use super::config::JudgeConfig;
use super::signals::judge;
use super::stats::{AccountStats, IpStats, IpUse, LogStats};
use crate::geo::Geo;

/// genlog.py: `$GENLOG`, or where the project keeps it.
fn genlog() -> PathBuf {
    if let Some(p) = std::env::var_os("GENLOG") {
        return PathBuf::from(p);
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let candidates = [
        "tests/genlog.py",
        "tests/tools/genlog.py",
        "../shared/tools/genlog.py",
        "../../shared/tools/genlog.py",
    ];
    candidates
        .iter()
        .map(|c| root.join(c))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("genlog.py not found under {}; set GENLOG", root.display()))
}

struct Run {
    truth: Value,
    geo_file: PathBuf,
    dir: PathBuf,
}

impl Drop for Run {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn generate(name: &str, args: &[&str]) -> Run {
    let dir =
        std::env::temp_dir().join(format!("mailsleuth-quality-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let truth_file = dir.join("truth.json");
    let geo_file = dir.join("geo.txt");
    let out = Command::new("python3")
        .arg(genlog())
        .arg("-o")
        .arg(dir.join("mail.log"))
        .arg("--truth")
        .arg(&truth_file)
        .arg("--geo")
        .arg(&geo_file)
        .args(args)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "genlog failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let truth: Value =
        serde_json::from_str(&std::fs::read_to_string(&truth_file).unwrap()).unwrap();
    // The log itself is not read here; drop it early, it is the bulk of the disk use.
    std::fs::remove_file(dir.join("mail.log")).unwrap();
    Run {
        truth,
        geo_file,
        dir,
    }
}

fn u(v: &Value, key: &str) -> u64 {
    v[key]
        .as_u64()
        .unwrap_or_else(|| panic!("truth field {key} missing"))
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap_or_else(|_| panic!("bad IP in truth: {s}"))
}

/// LogStats as the engine would fill it, approximated from the truth totals.
fn stats_from_truth(t: &Value) -> LogStats {
    let mut stats = LogStats::default();
    let accounts = t["accounts"].as_object().unwrap();
    let mut domains = BTreeSet::new();
    for (name, a) in accounts {
        if a["class"] != "unknown" {
            if let Some((_, d)) = name.rsplit_once('@') {
                domains.insert(d.to_string());
            }
        }
    }
    stats.local_domains = domains.into_iter().collect();

    let spoofed: HashMap<&str, Vec<&str>> = t["compromised_accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let from = c["spoofed_from"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap())
                .collect();
            (c["account"].as_str().unwrap(), from)
        })
        .collect();
    // Which accounts each dictionary-attack IP went for.
    let mut dict_ips: HashMap<IpAddr, Vec<String>> = HashMap::new();
    for d in t["dictionary_attacks"].as_array().unwrap() {
        let acct = d["account"].as_str().unwrap().to_string();
        for i in d["ips"].as_array().unwrap() {
            dict_ips
                .entry(ip(i.as_str().unwrap()))
                .or_default()
                .push(acct.clone());
        }
    }
    let fail_by_ip: HashMap<IpAddr, u64> = t["auth_failures_by_ip"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (ip(k), v.as_u64().unwrap()))
        .collect();

    for (name, a) in accounts {
        let messages = u(a, "messages");
        let from_mismatch = u(a, "from_mismatch");
        let mut s = AccountStats {
            account: name.clone(),
            messages,
            recipients: u(a, "recipients"),
            rcpt_rejected: u(a, "rcpt_rejected"),
            auth_failures: u(a, "auth_failures"),
            sender_mismatch: from_mismatch,
            sent: u(a, "sent"),
            bounced: u(a, "bounced"),
            deferred: u(a, "deferred_rcpts"),
            imap_logins: u(a, "imap_logins"),
            ..AccountStats::default()
        };
        // The senders as genlog writes them: list bounce addresses for bulk senders, spoofed
        // addresses (and sometimes the account itself) for compromised ones.
        if a["class"] == "bulk" && from_mismatch > 0 {
            if let Some((local, dom)) = name.rsplit_once('@') {
                s.mismatched_senders =
                    vec![(format!("bounce-1-{local}={dom}@lists.{dom}"), from_mismatch)];
            }
        } else if let Some(from) = spoofed.get(name.as_str()) {
            let (each, rest) = (
                from_mismatch / from.len() as u64,
                from_mismatch % from.len() as u64,
            );
            s.mismatched_senders = from
                .iter()
                .enumerate()
                .map(|(k, f)| (f.to_string(), each + u64::from((k as u64) < rest)))
                .collect();
        }
        let ips = a["ips"].as_array().unwrap();
        if messages > 0 && !ips.is_empty() {
            let n = ips.len() as u64;
            for i in ips {
                s.ips.insert(
                    ip(i.as_str().unwrap()),
                    IpUse {
                        smtp: (messages / n).max(1),
                        imap: s.imap_logins / n,
                        first: 0,
                        last: 0,
                    },
                );
            }
        }
        stats.accounts.push(s);
    }

    // Failures per account and IP: dictionary IPs go to their target; other failing IPs to
    // the accounts that also log in from them (a mistyped password).
    let mut users_of: HashMap<IpAddr, Vec<usize>> = HashMap::new();
    for (k, a) in stats.accounts.iter().enumerate() {
        for i in a.ips.keys() {
            users_of.entry(*i).or_default().push(k);
        }
    }
    let by_name: HashMap<String, usize> = stats
        .accounts
        .iter()
        .enumerate()
        .map(|(k, a)| (a.account.clone(), k))
        .collect();
    let bf: HashMap<IpAddr, u64> = t["bruteforce_ips"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (ip(b["ip"].as_str().unwrap()), u(b, "accounts_tried")))
        .collect();
    for (addr, fails) in &fail_by_ip {
        let users = users_of.get(addr).cloned().unwrap_or_default();
        let successes: u64 = users
            .iter()
            .map(|&k| stats.accounts[k].ips[addr].smtp + stats.accounts[k].ips[addr].imap)
            .sum();
        let mut failed_accounts: Vec<usize> = Vec::new();
        if let Some(targets) = dict_ips.get(addr) {
            failed_accounts.extend(targets.iter().filter_map(|n| by_name.get(n).copied()));
        } else if !bf.contains_key(addr) {
            failed_accounts.extend(
                users
                    .iter()
                    .copied()
                    .filter(|&k| stats.accounts[k].auth_failures > 0),
            );
        }
        for &k in &failed_accounts {
            let share = (*fails / failed_accounts.len() as u64).max(1);
            stats.accounts[k].failed_ips.insert(*addr, share);
        }
        let accounts_tried = bf
            .get(addr)
            .copied()
            .unwrap_or(0)
            .max((failed_accounts.len() + users.len()) as u64);
        stats.ips.push(IpStats {
            ip: *addr,
            auth_failures: *fails,
            accounts_tried,
            successes,
            accounts_succeeded: users
                .iter()
                .map(|&k| stats.accounts[k].account.clone())
                .collect(),
            first_seen: None,
            last_seen: None,
        });
    }
    stats
}

/// What was measured on one run.
#[derive(Debug)]
struct Quality {
    account_precision: f64,
    account_recall: f64,
    ip_precision: f64,
    ip_recall: f64,
    /// Lowest score of a compromised account, highest of any other account.
    min_compromised: f64,
    max_other: f64,
}

fn measure(run: &Run, geo: &Geo) -> (Quality, Vec<String>) {
    let t = &run.truth;
    let stats = stats_from_truth(t);
    let j = judge(&stats, geo, &JudgeConfig::default());
    let truth_acc: HashSet<&str> = t["compromised_accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["account"].as_str().unwrap())
        .collect();
    let truth_ips: HashSet<IpAddr> = t["bruteforce_ips"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| ip(b["ip"].as_str().unwrap()))
        .collect();
    let flagged: HashSet<&str> = j.flagged_accounts().map(|a| a.account.as_str()).collect();
    let flagged_ips: HashSet<IpAddr> = j.flagged_ips().map(|i| i.ip).collect();
    let ratio = |hit: usize, of: usize| if of == 0 { 1.0 } else { hit as f64 / of as f64 };
    let score_of: HashMap<&str, f64> = j
        .accounts
        .iter()
        .map(|a| (a.account.as_str(), a.score))
        .collect();
    let score = |a: &str| score_of.get(a).copied().unwrap_or(0.0);
    let q = Quality {
        account_precision: ratio(flagged.intersection(&truth_acc).count(), flagged.len()),
        account_recall: ratio(flagged.intersection(&truth_acc).count(), truth_acc.len()),
        ip_precision: ratio(
            flagged_ips.intersection(&truth_ips).count(),
            flagged_ips.len(),
        ),
        ip_recall: ratio(
            flagged_ips.intersection(&truth_ips).count(),
            truth_ips.len(),
        ),
        min_compromised: truth_acc
            .iter()
            .map(|a| score(a))
            .fold(f64::INFINITY, f64::min),
        max_other: j
            .accounts
            .iter()
            .filter(|a| !truth_acc.contains(a.account.as_str()))
            .map(|a| a.score)
            .fold(0.0, f64::max),
    };
    let mut wrong: Vec<String> = flagged
        .symmetric_difference(&truth_acc)
        .map(|a| format!("account {a}"))
        .collect();
    wrong.extend(
        flagged_ips
            .symmetric_difference(&truth_ips)
            .map(|i| format!("ip {i}")),
    );
    wrong.sort();
    (q, wrong)
}

fn check(name: &str, args: &[&str], with_geo: bool) {
    let run = generate(name, args);
    let geo = if with_geo {
        let mut g = Geo::none();
        g.add_ranges(&run.geo_file).unwrap();
        g
    } else {
        Geo::none()
    };
    let (q, wrong) = measure(&run, &geo);
    eprintln!("quality {name} {args:?} geo={with_geo}: {q:?}");
    assert!(wrong.is_empty(), "{name}: misjudged {wrong:?}; {q:?}");
    assert_eq!((q.account_precision, q.account_recall), (1.0, 1.0));
    assert_eq!((q.ip_precision, q.ip_recall), (1.0, 1.0));
    let flag = JudgeConfig::default().flag_score;
    assert!(q.min_compromised >= flag && q.max_other < flag, "{q:?}");
}

#[test]
fn genlog_seed_1() {
    check("seed1", &["--lines", "200000", "--seed", "1"], true);
}

#[test]
fn genlog_seed_2() {
    check("seed2", &["--lines", "200000", "--seed", "2"], true);
}

#[test]
fn genlog_seed_3() {
    check("seed3", &["--lines", "200000", "--seed", "3"], true);
}

#[test]
fn genlog_seed_7_rir_geo() {
    check(
        "seed7rir",
        &["--lines", "200000", "--seed", "7", "--geo-format", "rir"],
        true,
    );
}

#[test]
fn genlog_small_site() {
    check(
        "small",
        &["--lines", "200000", "--seed", "4", "--users", "200"],
        true,
    );
}

#[test]
fn genlog_50m() {
    check("big", &["--bytes", "50M", "--seed", "5"], true);
}

#[test]
fn genlog_without_geo() {
    check("nogeo", &["--lines", "200000", "--seed", "6"], false);
}
