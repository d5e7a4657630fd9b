//! `mailsleuth logs` on logs with ground truth (tests/tools/genlog.py, run here with fixed
//! seeds), on hand-written lines of every format, and on hostile input.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::util::{fixture, run, run_with_stdin};

/// A generated log with its truth file and country map.
struct Generated {
    _dir: tempfile::TempDir,
    log: PathBuf,
    geo: PathBuf,
    truth: Value,
}

/// Runs genlog.py (Python standard library only) with `args` plus output paths.
fn genlog(args: &[&str]) -> Generated {
    let dir = tempfile::tempdir().unwrap();
    let (log, truth, geo) = (
        dir.path().join("mail.log"),
        dir.path().join("truth.json"),
        dir.path().join("geo.csv"),
    );
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tools/genlog.py");
    let status = Command::new("python3")
        .arg(script)
        .args(args)
        .arg("-o")
        .arg(&log)
        .arg("--truth")
        .arg(&truth)
        .arg("--geo")
        .arg(&geo)
        .output()
        .expect("python3 runs genlog.py");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let truth = serde_json::from_slice(&std::fs::read(&truth).unwrap()).unwrap();
    Generated {
        _dir: dir,
        log,
        geo,
        truth,
    }
}

fn logs_json(args: &[&str]) -> (i32, Value) {
    let mut all = vec!["logs", "--json"];
    all.extend_from_slice(args);
    let r = run(&all);
    assert!(r.code == 0 || r.code == 1, "exit {}: {}", r.code, r.stderr);
    (r.code, r.json())
}

/// Checks one generated scenario against its truth: the flagged accounts are exactly the
/// compromised ones, every account's totals are exact, and no IP is flagged that genlog did
/// not make a brute-force source.
fn check_against_truth(generated: &Generated) {
    let (code, doc) = logs_json(&[
        generated.log.to_str().unwrap(),
        "--rir",
        generated.geo.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    let truth = &generated.truth;
    let compromised: BTreeSet<&str> = truth["compromised_accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["account"].as_str().unwrap())
        .collect();
    let accounts = doc["accounts"].as_array().unwrap();
    let flagged: BTreeSet<&str> = accounts
        .iter()
        .filter(|a| a["flagged"] == true)
        .map(|a| a["account"].as_str().unwrap())
        .collect();
    assert_eq!(
        flagged, compromised,
        "flagged accounts differ from the truth"
    );

    // Every account's numbers, exactly.
    let mut checked = 0;
    for (name, want) in truth["accounts"].as_object().unwrap() {
        let got = accounts.iter().find(|a| a["account"] == name.as_str());
        let Some(got) = got else {
            assert_eq!(want["messages"], 0, "{name} missing from the report");
            continue;
        };
        for key in ["messages", "recipients", "auth_failures"] {
            assert_eq!(got[key], want[key], "{name}: {key}");
        }
        checked += 1;
    }
    assert!(checked > 100, "only {checked} accounts compared");

    // IPs: never one genlog did not make an attacker; every attacker that tried two accounts.
    let attackers: BTreeSet<&str> = truth["bruteforce_ips"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["ip"].as_str().unwrap())
        .collect();
    let flagged_ips: BTreeSet<&str> = doc["ips"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["flagged"] == true)
        .map(|i| i["ip"].as_str().unwrap())
        .collect();
    assert!(
        flagged_ips.is_subset(&attackers),
        "{flagged_ips:?} vs {attackers:?}"
    );
    for b in truth["bruteforce_ips"].as_array().unwrap() {
        if b["accounts_tried"].as_u64().unwrap() >= 2 {
            assert!(
                flagged_ips.contains(b["ip"].as_str().unwrap()),
                "{b} not flagged"
            );
        }
    }
    let failures_by_ip = truth["auth_failures_by_ip"].as_object().unwrap();
    for ip in doc["ips"].as_array().unwrap() {
        let want = failures_by_ip.get(ip["ip"].as_str().unwrap());
        assert_eq!(
            Some(&ip["auth_failures"]),
            want.or(Some(&Value::from(0))),
            "{ip}"
        );
    }
}

#[test]
fn ground_truth_classic_timestamps() {
    check_against_truth(&genlog(&["--seed", "1", "--ts", "classic"]));
}

#[test]
fn ground_truth_rfc3339_timestamps_and_a_small_site() {
    check_against_truth(&genlog(&[
        "--seed", "2", "--ts", "rfc3339", "--tz", "+09:00",
    ]));
}

#[test]
fn ground_truth_mixed_timestamps_long_queue_ids() {
    check_against_truth(&genlog(&["--seed", "3", "--ts", "mixed", "--qid", "long"]));
}

#[test]
fn compressed_rotated_and_stdin_inputs_give_the_same_numbers() {
    let g = genlog(&["--seed", "4", "--lines", "30000"]);
    let text = std::fs::read(&g.log).unwrap();
    let (_, plain) = logs_json(&[g.log.to_str().unwrap()]);

    // A rotated directory: oldest part gzip-compressed under a name that says nothing.
    let dir = tempfile::tempdir().unwrap();
    let cut1 = text.len() / 3;
    let cut1 = cut1 + text[cut1..].iter().position(|&b| b == b'\n').unwrap() + 1;
    let cut2 = 2 * text.len() / 3;
    let cut2 = cut2 + text[cut2..].iter().position(|&b| b == b'\n').unwrap() + 1;
    let mut gz = flate2::write::GzEncoder::new(
        std::fs::File::create(dir.path().join("mail.log.2.gz")).unwrap(),
        flate2::Compression::fast(),
    );
    gz.write_all(&text[..cut1]).unwrap();
    gz.finish().unwrap();
    std::fs::write(
        dir.path().join("mail.log.1"),
        zstd::encode_all(&text[cut1..cut2], 1).unwrap(),
    )
    .unwrap();
    std::fs::write(dir.path().join("mail.log"), &text[cut2..]).unwrap();
    let (_, rotated) = logs_json(&[dir.path().to_str().unwrap()]);
    assert_eq!(rotated["accounts"], plain["accounts"]);
    assert_eq!(rotated["totals"]["lines"], plain["totals"]["lines"]);
    assert_eq!(rotated["inputs"].as_array().unwrap().len(), 3);

    let piped = run_with_stdin(&["logs", "--json", "-"], Some(&text));
    assert_eq!(piped.json()["accounts"], plain["accounts"]);
    assert_eq!(piped.json()["inputs"][0]["path"], "-");
}

#[test]
fn evidence_inputs_carry_size_and_sha256() {
    let path = fixture("logs/exim_mainlog");
    let (_, doc) = logs_json(&[path.to_str().unwrap()]);
    assert_eq!(doc["schema"], "mailsleuth.logs/1");
    let input = &doc["inputs"][0];
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(input["size"], bytes.len() as u64);
    let digest = {
        use sha2::Digest;
        format!("{:x}", sha2::Sha256::digest(&bytes))
    };
    assert_eq!(input["sha256"], digest);
}

#[test]
fn exim_logins_messages_and_failures() {
    let (_, doc) = logs_json(&[fixture("logs/exim_mainlog").to_str().unwrap()]);
    let alice = doc["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["account"] == "alice@example.com")
        .unwrap_or_else(|| panic!("{doc}"));
    assert_eq!(alice["messages"], 2, "{alice}");
    assert_eq!(alice["recipients"], 3, "{alice}");
    assert_eq!(alice["auth_failures"], 1, "{alice}");
}

#[test]
fn lines_nobody_understands_are_counted_per_program_and_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("odd.log");
    std::fs::write(
        &path,
        b"Nov 22 04:03:14 mail CRON[123]: (root) CMD (run-parts /etc/cron.hourly)\n\
          Nov 22 04:03:15 mail policyd[77]: \x1b[2Jsomething \xff\xfe new\n\
          Nov 22 04:03:16 mail postfix/smtpd[78]: something no parser knows\n\
          garbage without a syslog prefix\n"
            .as_slice(),
    )
    .unwrap();
    let (code, doc) = logs_json(&[path.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert_eq!(doc["totals"]["lines"], 4);
    assert_eq!(doc["totals"]["unparsed"], 4);
    // A known program's line of an unknown shape is not understood either.
    assert_eq!(doc["totals"]["unparsed_by_program"]["postfix/smtpd"], 1);
    assert_eq!(doc["totals"]["unparsed_by_program"]["CRON"], 1);
    assert_eq!(doc["totals"]["unparsed_by_program"]["policyd"], 1);

    let r = run(&["logs", "--show-unparsed", "5", path.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("odd.log:2"), "{}", r.stdout);
    assert!(r.stdout.contains("\\e[2J"), "{}", r.stdout);
    assert!(!r.stdout.contains('\x1b'));
}

#[test]
fn account_view_and_postfix_access_maps() {
    let g = genlog(&["--seed", "1"]);
    let victim = g.truth["compromised_accounts"][0]["account"]
        .as_str()
        .unwrap()
        .to_string();
    let r = run(&[
        "logs",
        g.log.to_str().unwrap(),
        "--rir",
        g.geo.to_str().unwrap(),
        "--account",
        &victim,
        "--emit",
        "postfix-access",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout.contains(&format!("== Account {victim}")),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("Hour (UTC)"));
    // The access map locks every compromised account.
    for a in g.truth["compromised_accounts"].as_array().unwrap() {
        let line = format!("{} REJECT", a["account"].as_str().unwrap());
        assert!(r.stdout.contains(&line), "no {line:?} in\n{}", r.stdout);
    }
}

#[test]
fn thresholds_come_from_flags_set_and_config_files() {
    let g = genlog(&["--seed", "1", "--lines", "30000"]);
    let log = g.log.to_str().unwrap();
    // An absurd flag score flags nobody.
    let (code, doc) = logs_json(&[log, "--flag-score", "1000"]);
    assert_eq!(code, 1, "IPs are still flagged");
    assert!(doc["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["flagged"] == false));
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("t.toml");
    std::fs::write(&config, "flag_score = 1000\nip_accounts_failed = 100000\n").unwrap();
    let (code, _) = logs_json(&[log, "--config", config.to_str().unwrap()]);
    assert_eq!(code, 0);
    let (code, _) = logs_json(&[
        log,
        "--set",
        "flag_score=1000",
        "--set",
        "ip_accounts_failed=100000",
    ]);
    assert_eq!(code, 0);

    let r = run(&["logs", log, "--set", "flag_scor=3"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("flag_scor"), "{}", r.stderr);
    std::fs::write(&config, "flag_score = \"high\"\n").unwrap();
    let r = run(&["logs", log, "--config", config.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("t.toml"), "{}", r.stderr);
}

#[test]
fn unreadable_input_is_exit_2_naming_the_file() {
    let r = run(&["logs", "/nonexistent/mail.log"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("/nonexistent/mail.log"), "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    let r = run(&[
        "logs",
        "--utc-offset",
        "9",
        fixture("logs/exim_mainlog").to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2);
}

#[test]
fn classic_timestamps_cross_the_new_year() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("newyear.log");
    std::fs::write(
        &path,
        "Dec 31 23:59:58 mail dovecot: imap-login: Login: user=<bob@example.org>, method=PLAIN, rip=192.0.2.10, lip=192.0.2.1, mpid=1, TLS\n\
         Jan  1 00:00:02 mail dovecot: imap-login: Login: user=<bob@example.org>, method=PLAIN, rip=192.0.2.10, lip=192.0.2.1, mpid=2, TLS\n",
    )
    .unwrap();
    let (_, doc) = logs_json(&[path.to_str().unwrap(), "--year", "2025"]);
    // 2025-12-31T23:59:58Z and 2026-01-01T00:00:02Z.
    assert_eq!(doc["totals"]["first"], 1767225598);
    assert_eq!(doc["totals"]["last"], 1767225602);
}

#[test]
fn an_mmdb_country_database_gives_the_same_verdicts_as_the_csv() {
    #[derive(serde::Serialize)]
    struct Iso {
        iso_code: String,
    }
    #[derive(serde::Serialize)]
    struct Record {
        country: Iso,
    }
    let csv = fixture("logs/sample-geo.csv");
    let mut writer = mmdb_writer::Writer::new("GeoLite2-Country");
    for line in std::fs::read_to_string(&csv).unwrap().lines().skip(1) {
        let (net, cc) = line.split_once(',').unwrap();
        let record = Record {
            country: Iso {
                iso_code: cc.to_string(),
            },
        };
        let net: mmdb_writer::ipnet::IpNet = net.parse().unwrap();
        writer.insert(net, &record).unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let mmdb = dir.path().join("country.mmdb");
    std::fs::write(&mmdb, writer.to_bytes().unwrap()).unwrap();

    let sample = fixture("logs/sample");
    let (_, by_csv) = logs_json(&[sample.to_str().unwrap(), "--rir", csv.to_str().unwrap()]);
    let (_, by_mmdb) = logs_json(&[sample.to_str().unwrap(), "--geoip", mmdb.to_str().unwrap()]);
    assert_eq!(by_mmdb["geo"]["sources"][0]["kind"], "mmdb");
    assert_eq!(by_mmdb["accounts"], by_csv["accounts"]);
    assert_eq!(by_mmdb["home_countries"], serde_json::json!(["DE"]));
}
