//! `mailsleuth trace` against logs with ground truth: genlog.py (fixed seed) writes the log,
//! the test reads the compromised accounts from its truth file and their submissions from the
//! log itself, then writes complaints whose Received chains carry our host's hop.

#![allow(dead_code)] // The mirror types' fields exist to be checked by deserialisation.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;
use serde_json::Value;

use crate::util::{fixture, run, run_with_stdin, EvidenceInput};

const OUR_HOST: &str = "mail.example.net";

/// One authenticated submission as the log shows it.
#[derive(Debug, Clone)]
struct Sub {
    /// 1-based line of its `client=` line.
    line: usize,
    /// The session's `connect from` line, when seen.
    connect_line: Option<usize>,
    time: i64,
    qid: String,
    ip: String,
    account: String,
    message_id: Option<String>,
    nrcpt: u64,
    /// The postfix-out queue id it was relayed to, if any.
    child: Option<String>,
}

struct Generated {
    dir: tempfile::TempDir,
    log: PathBuf,
    /// genlog's `cidr,country` map of the IPs it used.
    geo: PathBuf,
    truth: Value,
    subs: Vec<Sub>,
    /// Message-ID → number of `message-id=` lines naming it.
    msgid_lines: BTreeMap<String, usize>,
}

/// `2026-11-16T15:41:49.921668+00:00` → Unix seconds (genlog writes +00:00 by default).
fn unix(stamp: &str) -> i64 {
    let n = |a: usize, b: usize| stamp[a..b].parse::<i64>().unwrap();
    let days = mailsleuth::civil::days_from_civil(n(0, 4), n(5, 7) as u32, n(8, 10) as u32);
    assert!(stamp[26..].starts_with("+00:00"), "{stamp}");
    days * 86_400 + n(11, 13) * 3600 + n(14, 16) * 60 + n(17, 19)
}

/// RFC 5322 date of Unix seconds, in UTC.
fn rfc5322(t: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = t.div_euclid(86_400);
    let (y, m, d) = mailsleuth::civil::civil_from_days(days);
    let s = t.rem_euclid(86_400);
    format!(
        "{}, {d} {} {y} {:02}:{:02}:{:02} +0000",
        DAYS[days.rem_euclid(7) as usize],
        MONTHS[m as usize - 1],
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

fn between<'a>(s: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let a = s.find(open)? + open.len();
    let b = s[a..].find(close)? + a;
    Some(&s[a..b])
}

/// genlog.py with a fixed seed: RFC 3339 stamps, one simulated day, a high spam share so the
/// two compromised accounts send several messages, and frequent queue-id reuse.
fn generate() -> Generated {
    let dir = tempfile::tempdir().unwrap();
    let (log, truth, geo) = (
        dir.path().join("mail.log"),
        dir.path().join("truth.json"),
        dir.path().join("geo.csv"),
    );
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tools/genlog.py");
    let out = Command::new("python3")
        .arg(script)
        .args([
            "--lines",
            "4000",
            "--days",
            "1",
            "--seed",
            "11",
            "--ts",
            "rfc3339",
            "--spam-share",
            "0.3",
            "--compromised",
            "2",
            "--qid-reuse",
            "0.2",
        ])
        .arg("-o")
        .arg(&log)
        .arg("--truth")
        .arg(&truth)
        .arg("--geo")
        .arg(&geo)
        .output()
        .expect("python3 runs genlog.py");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let truth: Value = serde_json::from_slice(&std::fs::read(&truth).unwrap()).unwrap();
    // The noise lines hold bytes that are not UTF-8.
    let text = String::from_utf8_lossy(&std::fs::read(&log).unwrap()).into_owned();
    let lines: Vec<&str> = text.lines().collect();
    let mut subs = Vec::new();
    let mut msgid_lines = BTreeMap::new();
    for (i, l) in lines.iter().enumerate() {
        if let Some(m) = between(l, ": message-id=<", ">") {
            *msgid_lines.entry(m.to_string()).or_insert(0) += 1;
        }
        if !l.contains(": client=") || !l.contains("sasl_username=") {
            continue;
        }
        let f: Vec<&str> = l.split(' ').collect();
        let qid = f[3].trim_end_matches(':').to_string();
        let tag = f[2];
        let ip = between(l, "client=", ",")
            .and_then(|c| between(c, "[", "]"))
            .unwrap();
        let account = l.split("sasl_username=").nth(1).unwrap().trim().to_string();
        let connect_line = lines[..i]
            .iter()
            .rposition(|x| x.contains(tag) && x.contains(" connect from "))
            .map(|p| p + 1);
        // This message's own lines: up to its `removed` (the id may be reused after it).
        let tag_of = format!("{qid}:");
        let end = lines[i + 1..]
            .iter()
            .position(|x| x.split(' ').nth(3) == Some(&tag_of) && x.ends_with(" removed"))
            .map_or(lines.len(), |p| i + 1 + p);
        let mine = |x: &&&str| x.split(' ').nth(3) == Some(&tag_of);
        let after = || lines[i + 1..end].iter().filter(mine);
        let message_id = after()
            .find_map(|x| between(x, "message-id=<", ">"))
            .map(str::to_string);
        let nrcpt = after()
            .find_map(|x| between(x, "nrcpt=", " "))
            .map_or(0, |n| n.parse().unwrap());
        let child = after()
            .find_map(|x| between(x, "queued as ", ")"))
            .map(str::to_string);
        subs.push(Sub {
            line: i + 1,
            connect_line,
            time: unix(f[0]),
            qid,
            ip: ip.to_string(),
            account,
            message_id,
            nrcpt,
            child,
        });
    }
    Generated {
        dir,
        log,
        geo,
        truth,
        subs,
        msgid_lines,
    }
}

impl Generated {
    fn compromised(&self) -> Vec<String> {
        self.truth["compromised_accounts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["account"].as_str().unwrap().to_string())
            .collect()
    }

    fn of(&self, account: &str) -> Vec<&Sub> {
        self.subs.iter().filter(|s| s.account == account).collect()
    }

    fn log(&self) -> &str {
        self.log.to_str().unwrap()
    }
}

/// A complaint as the recipient's provider forwards it: its MX hop, then our hop.
fn complaint(our_hop: Option<(&str, &str, i64, &str)>, message_id: &str, t: i64) -> String {
    let mut s = format!(
        "Received: from {OUR_HOST} ({OUR_HOST} [192.0.2.25])\n\
         \tby mx1.recipient.example (Postfix) with ESMTPS id 4XmR2Tz9Qp\n\
         \tfor <victim@recipient.example>; {}\n",
        rfc5322(t + 2)
    );
    if let Some((by, qid, at, ip)) = our_hop {
        s.push_str(&format!(
            "Received: from pc (unknown [{ip}])\n\
             \tby {by} (Postfix) with ESMTPSA id {qid}\n\
             \tfor <victim@recipient.example>; {}\n",
            rfc5322(at)
        ));
    }
    s.push_str(&format!(
        "From: Parcel Service <no-reply@parcel.example>\n\
         To: victim@recipient.example\n\
         Subject: Your parcel is waiting\n\
         Date: {}\n\
         Message-ID: <{message_id}>\n\
         \n\
         Click here.\n",
        rfc5322(t - 2)
    ));
    s
}

/// The same message wrapped in an ARF report (RFC 5965) from a feedback loop.
fn arf(original: &str) -> String {
    format!(
        "From: <fbl@recipient.example>\n\
         To: abuse@example.net\n\
         Subject: FW: Your parcel is waiting\n\
         Date: Mon, 16 Nov 2026 23:00:00 +0000\n\
         Message-ID: <fbl-1@recipient.example>\n\
         MIME-Version: 1.0\n\
         Content-Type: multipart/report; report-type=feedback-report;\n\
         \tboundary=\"arf\"\n\
         \n\
         --arf\n\
         Content-Type: text/plain\n\
         \n\
         An abuse report.\n\
         \n\
         --arf\n\
         Content-Type: message/feedback-report\n\
         \n\
         Feedback-Type: abuse\n\
         User-Agent: FBL/1.0\n\
         Version: 1\n\
         \n\
         --arf\n\
         Content-Type: message/rfc822\n\
         Content-Disposition: inline\n\
         \n\
         {original}\n\
         --arf--\n"
    )
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn by_input<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["complaints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["input"].as_str().unwrap().ends_with(name))
        .unwrap_or_else(|| panic!("no complaint {name} in {doc:#}"))
}

fn evidence_locations(c: &Value) -> Vec<String> {
    c["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["location"].as_str().unwrap().to_string())
        .collect()
}

/// Every case in one folder, traced in one run: the grouping, each verdict, and the exit code.
#[test]
fn complaints_traced_against_genlog_truth() {
    let g = generate();
    let bad = g.compromised();
    assert_eq!(bad.len(), 2);
    let (a1, a2) = (g.of(&bad[0]), g.of(&bad[1]));
    assert!(a1.len() >= 3 && a2.len() >= 2, "{} {}", a1.len(), a2.len());
    let cdir = g.dir.path().join("complaints");

    // Two complaints about the first account's messages, one about the second's.
    for (name, s) in [
        ("a1-first.eml", a1[0]),
        ("a1-second.eml", a1[1]),
        ("a2.eml", a2[0]),
    ] {
        let mid = s.message_id.as_deref().unwrap();
        write(
            &cdir,
            name,
            &complaint(Some((OUR_HOST, &s.qid, s.time, &s.ip)), mid, s.time),
        );
    }
    // The second account's other message, inside an ARF report.
    let s = a2[1];
    write(
        &cdir,
        "arf.eml",
        &arf(&complaint(
            Some((OUR_HOST, &s.qid, s.time, &s.ip)),
            s.message_id.as_deref().unwrap(),
            s.time,
        )),
    );
    // Only the Message-ID: our hop was stripped by a forwarder.
    let by_mid = a1[2..]
        .iter()
        .find(|s| {
            s.message_id
                .as_ref()
                .is_some_and(|m| g.msgid_lines.get(m) == Some(&1))
        })
        .expect("a message of the first account with a unique Message-ID");
    write(
        &cdir,
        "msgid-only.eml",
        &complaint(None, by_mid.message_id.as_deref().unwrap(), by_mid.time),
    );
    // Not ours at all.
    let noon = a1[0].time;
    write(
        &cdir,
        "not-ours.eml",
        &complaint(
            Some(("smtp.elsewhere.example", "9F8E7D6C5B", noon, "198.51.100.7")),
            "never-seen@elsewhere.example",
            noon,
        ),
    );
    // Our host's name with a queue id the logs (which cover that time) do not have.
    write(
        &cdir,
        "forged.eml",
        &complaint(
            Some((OUR_HOST, "ABCDEF01234", noon, "203.0.113.66")),
            "forged-1@parcel.example",
            noon,
        ),
    );
    // Our host, a month before the logs begin.
    write(
        &cdir,
        "before-logs.eml",
        &complaint(
            Some((OUR_HOST, "0123456789A", noon - 30 * 86_400, "203.0.113.67")),
            "old-1@parcel.example",
            noon - 30 * 86_400,
        ),
    );

    let cpath = cdir.to_str().unwrap();
    let r = run(&[
        "trace",
        "--json",
        cpath,
        "--logs",
        g.log(),
        "--our-host",
        OUR_HOST,
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let doc = r.json();
    assert_eq!(doc["schema"], "mailsleuth.trace/1");

    for (name, s) in [
        ("a1-first.eml", a1[0]),
        ("a1-second.eml", a1[1]),
        ("a2.eml", a2[0]),
        ("arf.eml", a2[1]),
    ] {
        let c = by_input(&doc, name);
        assert_eq!(c["verdict"], "ours", "{name}: {c:#}");
        assert_eq!(c["matched_by"], "queue_id", "{name}");
        assert_eq!(c["account"], s.account.as_str(), "{name}");
        assert_eq!(c["client_ip"], s.ip.as_str(), "{name}");
        assert_eq!(c["queue_id"], s.qid.as_str(), "{name}");
        assert_eq!(c["origin"], "smtp_auth");
        // The evidence: the session's connect line and the message's client= line, with
        // their file:line.
        let locs = evidence_locations(c);
        let at = |n: usize| format!("{}:{n}", g.log());
        assert!(locs.contains(&at(s.line)), "{name}: {locs:?}");
        assert!(
            locs.contains(&at(s.connect_line.unwrap())),
            "{name}: {locs:?}"
        );
        let client_line = c["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["location"] == at(s.line).as_str())
            .unwrap();
        assert!(client_line["text"]
            .as_str()
            .unwrap()
            .contains(&format!("{}: client=", s.qid)));
        // When relayed through the second instance, the hop is part of the message.
        let qids: Vec<&str> = c["message"]["queue_ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| q.as_str().unwrap())
            .collect();
        let mut want = vec![s.qid.as_str()];
        want.extend(s.child.as_deref());
        assert_eq!(qids, want, "{name}");
    }
    assert_eq!(by_input(&doc, "arf.eml")["unwrapped"][0], "arf");

    let c = by_input(&doc, "msgid-only.eml");
    assert_eq!(c["verdict"], "ours", "{c:#}");
    assert_eq!(c["matched_by"], "message_id");
    assert_eq!(c["account"], by_mid.account.as_str());
    assert_eq!(c["client_ip"], by_mid.ip.as_str());
    assert_eq!(c["queue_id"], by_mid.qid.as_str());

    let c = by_input(&doc, "not-ours.eml");
    assert_eq!(c["verdict"], "not_ours", "{c:#}");
    assert!(c["account"].is_null());

    let c = by_input(&doc, "forged.eml");
    assert_eq!(c["verdict"], "forged", "{c:#}");
    let reason = c["reason"].as_str().unwrap();
    assert!(
        reason.contains("ABCDEF01234") && reason.contains("forged"),
        "{reason}"
    );

    let c = by_input(&doc, "before-logs.eml");
    assert_eq!(c["verdict"], "not_found", "{c:#}");
    assert!(c["reason"].as_str().unwrap().contains("outside"));

    // Grouping: three complaints for the first account, two for the second.
    let groups = doc["by_account"].as_array().unwrap();
    let got: Vec<(&str, u64)> = groups
        .iter()
        .map(|g| {
            (
                g["account"].as_str().unwrap(),
                g["complaints"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, vec![(bad[0].as_str(), 3), (bad[1].as_str(), 2)]);
    let t = &doc["totals"];
    assert_eq!(
        (
            t["complaints"].as_u64(),
            t["ours"].as_u64(),
            t["not_ours"].as_u64(),
            t["not_found"].as_u64(),
            t["forged"].as_u64(),
            t["accounts"].as_u64()
        ),
        (Some(8), Some(5), Some(1), Some(1), Some(1), Some(2))
    );
    // Inputs: every complaint and the log, with SHA-256.
    let inputs = doc["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 9);
    assert!(inputs
        .iter()
        .all(|i| i["sha256"].as_str().unwrap().len() == 64));

    // The activity window of the first complaint: the first account's submissions within
    // 12 hours either side, counted from the log.
    let first = by_input(&doc, "a1-first.eml");
    let t0 = a1[0].time;
    let in_window: Vec<&&Sub> = a1
        .iter()
        .filter(|s| (s.time - t0).abs() <= 12 * 3600)
        .collect();
    let act = &first["activity"];
    assert_eq!(act["messages"].as_u64(), Some(in_window.len() as u64));
    assert_eq!(
        act["recipients"].as_u64(),
        Some(in_window.iter().map(|s| s.nrcpt).sum::<u64>())
    );
    let ips: BTreeSet<&str> = in_window.iter().map(|s| s.ip.as_str()).collect();
    let got: BTreeSet<&str> = act["ips"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["ip"].as_str().unwrap())
        .collect();
    assert_eq!(got, ips);

    // The table: one verdict line per complaint and the grouping line.
    let r = run(&["trace", cpath, "--logs", g.log(), "--our-host", OUR_HOST]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("8 complaints, 2 accounts"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("LIKELY FORGED"), "{}", r.stdout);
    assert!(r.stdout.contains(&bad[0]));

    // NDJSON: one complaint per line.
    let r = run(&[
        "trace",
        "--format",
        "ndjson",
        cpath,
        "--logs",
        g.log(),
        "--our-host",
        OUR_HOST,
    ]);
    assert_eq!(r.code, 1);
    let lines: Vec<Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 8);
    assert!(lines.iter().all(|l| l["verdict"].is_string()));
}

/// Without --our-host, our host names are learnt from the logs (`mail`): the hop by
/// `mail.example.net` is found by its queue id; a forged hop is then not claimed as ours.
#[test]
fn our_host_learnt_from_the_logs() {
    let g = generate();
    let bad = g.compromised();
    let s = g.of(&bad[0])[0];
    let cdir = g.dir.path().join("c");
    let ours = write(
        &cdir,
        "ours.eml",
        &complaint(
            Some((OUR_HOST, &s.qid, s.time, &s.ip)),
            s.message_id.as_deref().unwrap(),
            s.time,
        ),
    );
    let r = run(&["trace", "--json", ours.to_str().unwrap(), "--logs", g.log()]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let doc = r.json();
    assert_eq!(doc["our_hosts"], serde_json::json!(["mail"]));
    assert_eq!(doc["our_hosts_from"], "learnt");
    let c = &doc["complaints"][0];
    assert_eq!(
        (c["verdict"].as_str(), c["account"].as_str()),
        (Some("ours"), Some(s.account.as_str()))
    );

    // A message relayed through the second instance (postfix-out): the complaint shows the
    // outbound instance's queue id; the submission behind it is found through the hop.
    let relayed = g
        .subs
        .iter()
        .find(|s| s.child.is_some())
        .expect("genlog relayed a submission through postfix-out");
    let child = relayed.child.as_deref().unwrap();
    let p = write(
        &cdir,
        "relayed.eml",
        &complaint(
            Some((OUR_HOST, child, relayed.time + 1, "127.0.0.1")),
            "not-in-the-logs@parcel.example",
            relayed.time,
        ),
    );
    let r = run(&["trace", "--json", p.to_str().unwrap(), "--logs", g.log()]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let c = &r.json()["complaints"][0];
    assert_eq!(c["verdict"], "ours", "{c:#}");
    assert_eq!(c["matched_by"], "queue_id");
    assert_eq!(c["account"], relayed.account.as_str());
    assert_eq!(c["client_ip"], relayed.ip.as_str());
    assert_eq!(c["queue_id"], relayed.qid.as_str());
    assert_eq!(
        c["message"]["queue_ids"],
        serde_json::json!([relayed.qid, child])
    );
    assert!(evidence_locations(c).contains(&format!("{}:{}", g.log(), relayed.line)));

    let forged = write(
        &cdir,
        "forged.eml",
        &complaint(
            Some((OUR_HOST, "ABCDEF01234", s.time, "203.0.113.66")),
            "forged-2@parcel.example",
            s.time,
        ),
    );
    let r = run(&[
        "trace",
        "--json",
        forged.to_str().unwrap(),
        "--logs",
        g.log(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["complaints"][0]["verdict"], "not_ours");
}

/// The country of `ip` in genlog's `cidr,country` map.
fn country_of(geo: &Path, ip: &str) -> Option<String> {
    let bits = |a: std::net::IpAddr| match a {
        std::net::IpAddr::V4(v) => (u128::from(u32::from(v)) << 96, 32u32),
        std::net::IpAddr::V6(v) => (u128::from(v), 128u32),
    };
    let (x, xw) = bits(ip.parse().unwrap());
    std::fs::read_to_string(geo)
        .unwrap()
        .lines()
        .skip(1)
        .find_map(|l| {
            let (cidr, cc) = l.split_once(',')?;
            let (net, len) = cidr.split_once('/')?;
            let (n, nw) = bits(net.parse().ok()?);
            let len: u32 = len.parse().ok()?;
            // Both families sit in the top bits: the prefix is the top `len` bits.
            let mask = if len == 0 {
                0
            } else {
                u128::MAX << (128 - len)
            };
            (nw == xw && (x & mask) == (n & mask)).then(|| cc.to_string())
        })
}

/// Complaints in one mbox, and the countries of the account's IPs from a `--rir` map.
#[test]
fn mbox_of_complaints_with_countries() {
    let g = generate();
    let bad = g.compromised();
    let subs = g.of(&bad[1]);
    let mut mbox = String::new();
    for s in &subs[..2] {
        mbox.push_str("From fbl@recipient.example Mon Nov 16 23:00:00 2026\n");
        mbox.push_str(&complaint(
            Some((OUR_HOST, &s.qid, s.time, &s.ip)),
            s.message_id.as_deref().unwrap(),
            s.time,
        ));
        mbox.push('\n');
    }
    let p = write(g.dir.path(), "complaints.mbox", &mbox);
    let r = run(&[
        "trace",
        "--json",
        p.to_str().unwrap(),
        "--logs",
        g.log(),
        "--rir",
        g.geo.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let doc = r.json();
    let complaints = doc["complaints"].as_array().unwrap();
    assert_eq!(complaints.len(), 2);
    for (i, (c, s)) in complaints.iter().zip(&subs[..2]).enumerate() {
        assert_eq!(c["index"].as_u64(), Some(i as u64 + 1));
        assert_eq!(c["account"], s.account.as_str());
        assert_eq!(c["queue_id"], s.qid.as_str());
        let ips = c["activity"]["ips"].as_array().unwrap();
        assert!(!ips.is_empty());
        let mut countries = BTreeSet::new();
        for ip in ips {
            let want = country_of(&g.geo, ip["ip"].as_str().unwrap());
            assert!(want.is_some(), "{ip}");
            assert_eq!(ip["country"].as_str(), want.as_deref(), "{ip}");
            countries.extend(want);
        }
        let got: BTreeSet<String> = c["activity"]["countries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_string())
            .collect();
        assert_eq!(got, countries);
    }
    assert_eq!(doc["by_account"][0]["complaints"].as_u64(), Some(2));
}

/// A reused queue id: two submissions hours apart under the same id; each complaint is
/// traced to the message alive at its hop's time.
#[test]
fn reused_queue_id_resolved_by_time() {
    let g = generate();
    let mut by_qid: BTreeMap<&str, Vec<&Sub>> = BTreeMap::new();
    for s in &g.subs {
        by_qid.entry(&s.qid).or_default().push(s);
    }
    let pair = by_qid
        .values()
        .filter(|v| v.len() == 2 && v[1].time - v[0].time > 3600 && v[0].account != v[1].account)
        .max_by_key(|v| v[1].time - v[0].time)
        .expect("genlog reused a queue id for two accounts' messages hours apart");
    let cdir = g.dir.path().join("reuse");
    for (i, s) in pair.iter().enumerate() {
        // A Message-ID the logs do not have: only the queue id and the time can decide.
        write(
            &cdir,
            &format!("reuse-{i}.eml"),
            &complaint(
                Some((OUR_HOST, &s.qid, s.time, &s.ip)),
                &format!("unknown-{i}@parcel.example"),
                s.time,
            ),
        );
    }
    let r = run(&[
        "trace",
        "--json",
        cdir.to_str().unwrap(),
        "--logs",
        g.log(),
        "--our-host",
        OUR_HOST,
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let doc = r.json();
    for (i, s) in pair.iter().enumerate() {
        let c = by_input(&doc, &format!("reuse-{i}.eml"));
        assert_eq!(c["verdict"], "ours");
        assert_eq!(c["queue_id"], s.qid.as_str());
        assert_eq!(c["account"], s.account.as_str(), "{c:#}");
        assert_eq!(c["client_ip"], s.ip.as_str());
        assert!(evidence_locations(c).contains(&format!("{}:{}", g.log(), s.line)));
    }
}

/// Unreadable input is exit 2 with one line naming it; stdin is taken once.
#[test]
fn bad_input() {
    let log = fixture("trace/mail.log");
    let log = log.to_str().unwrap();
    let r = run(&["trace", "/nonexistent/complaint.eml", "--logs", log]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("/nonexistent/complaint.eml"),
        "{}",
        r.stderr
    );

    let c = fixture("trace/complaints/ours.eml");
    let r = run(&[
        "trace",
        c.to_str().unwrap(),
        "--logs",
        "/nonexistent/mail.log",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("/nonexistent/mail.log"), "{}", r.stderr);

    let r = run_with_stdin(&["trace", "-", "--logs", "-"], Some(b""));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("stdin"), "{}", r.stderr);

    let r = run(&[
        "trace",
        c.to_str().unwrap(),
        "--logs",
        log,
        "--window",
        "3w",
    ]);
    assert_eq!(r.code, 2);
    let r = run(&[
        "trace",
        c.to_str().unwrap(),
        "--logs",
        log,
        "--our-host",
        "not a host!",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--our-host"), "{}", r.stderr);

    // Logs from stdin work like a file; evidence lines are then named `-:LINE`.
    let log_text = std::fs::read(fixture("trace/mail.log")).unwrap();
    let r = run_with_stdin(
        &["trace", "--json", c.to_str().unwrap(), "--logs", "-"],
        Some(&log_text),
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let doc = r.json();
    assert_eq!(doc["complaints"][0]["account"], "alice@example.org");
    assert_eq!(doc["complaints"][0]["evidence"][0]["location"], "-:8");

    // A complaint from stdin works like a file.
    let text = std::fs::read(&c).unwrap();
    let r = run_with_stdin(&["trace", "--json", "-", "--logs", log], Some(&text));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.json()["complaints"][0]["verdict"], "ours");
}

/// The README's fixtures: the committed small log and complaints.
#[test]
fn committed_fixtures() {
    let r = run(&[
        "trace",
        "--json",
        fixture("trace/complaints").to_str().unwrap(),
        "--logs",
        fixture("trace/mail.log").to_str().unwrap(),
        "--our-host",
        OUR_HOST,
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let doc: Document = serde_json::from_str(&r.stdout).expect("the trace/1 contract");
    let verdicts: BTreeMap<String, String> = doc
        .complaints
        .iter()
        .map(|c| {
            (
                Path::new(&c.input)
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                c.verdict.clone(),
            )
        })
        .collect();
    assert_eq!(verdicts["ours.eml"], "ours");
    assert_eq!(verdicts["forged.eml"], "forged");
    assert_eq!(verdicts["not-ours.eml"], "not_ours");
    let ours = doc
        .complaints
        .iter()
        .find(|c| c.input.ends_with("ours.eml") && c.verdict == "ours")
        .unwrap();
    assert_eq!(ours.account.as_deref(), Some("alice@example.org"));
    assert_eq!(ours.client_ip.as_deref(), Some("203.0.113.5"));
    assert!(ours
        .evidence
        .iter()
        .any(|e| e.text.contains("sasl_username=alice@example.org")));
    assert_eq!(doc.by_account.len(), 1);
}

// The `mailsleuth.trace/1` contract, pinned by mirror types that refuse unknown fields.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    schema: String,
    version: String,
    complaints: Vec<Complaint>,
    by_account: Vec<Group>,
    totals: Totals,
    our_hosts: Vec<String>,
    our_hosts_from: String,
    logs_cover: Option<Span>,
    clock_skew_s: i64,
    window_s: i64,
    inputs: Vec<EvidenceInput>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Complaint {
    input: String,
    index: usize,
    unwrapped: Vec<String>,
    subject: Option<String>,
    verdict: String,
    reason: String,
    account: Option<String>,
    client_ip: Option<String>,
    sasl_method: Option<String>,
    origin: Option<String>,
    queue_id: Option<String>,
    message_id: Option<String>,
    matched_by: Option<String>,
    our_hops: Vec<OurHop>,
    message: Option<Message>,
    activity: Option<Activity>,
    evidence: Vec<Evidence>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OurHop {
    hop: usize,
    by: Option<String>,
    id: Option<String>,
    #[serde(rename = "for")]
    for_: Option<String>,
    time: Option<String>,
    sure: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Message {
    host: String,
    queue_ids: Vec<String>,
    first_seen: String,
    last_seen: String,
    sender: Option<String>,
    header_from: Option<String>,
    size: Option<u64>,
    recipients: Vec<Recipient>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Recipient {
    address: String,
    status: String,
    dsn: String,
    queue_id: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Activity {
    from: String,
    to: String,
    messages: u64,
    recipients: u64,
    ips: Vec<IpCount>,
    countries: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IpCount {
    ip: String,
    messages: u64,
    country: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Evidence {
    location: String,
    text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Group {
    account: String,
    complaints: usize,
    inputs: Vec<String>,
    client_ips: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Totals {
    complaints: usize,
    ours: usize,
    not_ours: usize,
    not_found: usize,
    forged: usize,
    accounts: usize,
    errors: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Span {
    from: String,
    to: String,
}

/// Log text is attacker-controlled: an escape sequence in a logged sender reaches the table
/// escaped, and the JSON evidence escaped the same way.
#[test]
fn hostile_log_text_is_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let log = std::fs::read_to_string(fixture("trace/mail.log"))
        .unwrap()
        .replace(
            "from=<alice@example.org>, size=2310",
            "from=<al\u{1b}[2Jice@example.org>, size=2310",
        );
    let log_path = write(dir.path(), "mail.log", &log);
    let c = fixture("trace/complaints/ours.eml");
    let args = [
        "trace",
        c.to_str().unwrap(),
        "--logs",
        log_path.to_str().unwrap(),
    ];
    let r = run(&args);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(!r.stdout.contains('\u{1b}'), "{}", r.stdout);
    assert!(r.stdout.contains("al\\e[2Jice@example.org"), "{}", r.stdout);
    let mut json = args.to_vec();
    json.push("--json");
    let doc = run(&json).json();
    let texts: Vec<&str> = doc["complaints"][0]["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["text"].as_str().unwrap())
        .collect();
    assert!(texts.iter().any(|t| t.contains("al\\e[2Jice")), "{texts:?}");
    assert!(!texts.iter().any(|t| t.contains('\u{1b}')));
}

/// Exim's own log (no syslog host name): the hop's Exim message id is the queue id.
#[test]
fn exim_mainlog() {
    let dir = tempfile::tempdir().unwrap();
    let c = write(
        dir.path(),
        "exim.eml",
        "Received: from [203.0.113.5] (helo=laptop)\n\
         \tby smtp.example.com with esmtpsa (TLS1.3) tls TLS_AES_256_GCM_SHA384\n\
         \t(Exim 4.96)\n\
         \t(envelope-from <alice@example.com>)\n\
         \tid 1tABCE-000200-2B\n\
         \tfor dave@example.com;\n\
         \tSun, 22 Nov 2026 04:10:00 +0000\n\
         From: alice@example.com\n\
         Subject: Re: lunch\n\
         Message-ID: <not-logged@example.com>\n\
         \n\
         x\n",
    );
    let log = fixture("logs/exim_mainlog");
    let r = run(&[
        "trace",
        "--json",
        c.to_str().unwrap(),
        "--logs",
        log.to_str().unwrap(),
        "--our-host",
        "smtp.example.com",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let doc = r.json();
    let c = &doc["complaints"][0];
    assert_eq!(c["verdict"], "ours", "{c:#}");
    assert_eq!(c["matched_by"], "queue_id");
    assert_eq!(c["account"], "alice@example.com");
    assert_eq!(c["client_ip"], "203.0.113.5");
    assert_eq!(c["message"]["recipients"][0]["status"], "bounced");
    assert!(
        evidence_locations(c)[0].ends_with("exim_mainlog:6"),
        "{c:#}"
    );
}

/// The hop's time against the record's lifetime: 7 minutes after the message left is outside
/// the default 300 s of skew (the id then looks forged), inside --clock-skew 600. --window
/// narrows the activity around the message.
#[test]
fn clock_skew_and_window() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture("trace/complaints/ours.eml"))
        .unwrap()
        .replace(
            "Fri, 20 Nov 2026 09:15:02 +0000",
            "Fri, 20 Nov 2026 09:22:05 +0000",
        )
        .replace("<parcel-7731@example.org>", "<elsewhere-1@example.org>");
    let c = write(dir.path(), "late.eml", &text);
    let log = fixture("trace/mail.log");
    let base = [
        "trace",
        "--json",
        c.to_str().unwrap(),
        "--logs",
        log.to_str().unwrap(),
        "--our-host",
        OUR_HOST,
    ];
    let r = run(&base);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc = r.json();
    assert_eq!(doc["complaints"][0]["verdict"], "forged");
    assert!(doc["complaints"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("only at other times"));

    let mut args = base.to_vec();
    args.extend(["--clock-skew", "600"]);
    let r = run(&args);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let c = &r.json()["complaints"][0];
    assert_eq!(c["verdict"], "ours");
    // The default window (24 h) holds both of alice's messages, 2 h only this one.
    assert_eq!(c["activity"]["messages"], 2);
    args.extend(["--window", "2h"]);
    let c = &run(&args).json()["complaints"][0];
    assert_eq!(c["activity"]["messages"], 1);
    assert_eq!(c["activity"]["recipients"], 2);
    assert_eq!(c["activity"]["from"], "2026-11-20T08:15:02Z");
}

/// A message submitted on the host itself (pickup: cron, webmail, scripts): ours, with the
/// `local` origin and no account, so the exit code stays 0.
#[test]
fn pickup_origin() {
    let g = generate();
    let text = String::from_utf8_lossy(&std::fs::read(&g.log).unwrap()).into_owned();
    let (n, line) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains(" postfix/pickup[") && l.contains(": uid="))
        .expect("genlog writes pickup submissions");
    let f: Vec<&str> = line.split(' ').collect();
    let qid = f[3].trim_end_matches(':');
    let t = unix(f[0]);
    let c = write(
        g.dir.path(),
        "pickup.eml",
        &complaint(
            Some((OUR_HOST, qid, t, "127.0.0.1")),
            "x-1@parcel.example",
            t,
        ),
    );
    let r = run(&["trace", "--json", c.to_str().unwrap(), "--logs", g.log()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let c = &r.json()["complaints"][0];
    assert_eq!(c["verdict"], "ours", "{c:#}");
    assert_eq!(c["origin"], "local");
    assert!(c["account"].is_null() && c["client_ip"].is_null());
    assert_eq!(
        c["evidence"][0]["location"],
        format!("{}:{}", g.log(), n + 1)
    );
}

/// A Message-ID the logs know only from mail that came in without a login: with a hop that
/// forges our name it stays a forgery; alone it is ours, origin `smtp`, no account (exit 0).
#[test]
fn message_id_of_inbound_mail() {
    let dir = tempfile::tempdir().unwrap();
    let forged = std::fs::read_to_string(fixture("trace/complaints/forged.eml"))
        .unwrap()
        .replace("<verify-1@bank.example>", "<invoice-55@partner.example>");
    let forged = write(dir.path(), "forged.eml", &forged);
    let log = fixture("trace/mail.log");
    let trace = |c: &Path| {
        let r = run(&[
            "trace",
            "--json",
            c.to_str().unwrap(),
            "--logs",
            log.to_str().unwrap(),
            "--our-host",
            OUR_HOST,
        ]);
        (r.code, r.json()["complaints"][0].clone())
    };
    let (code, c) = trace(&forged);
    assert_eq!(code, 0);
    assert_eq!(c["verdict"], "forged", "{c:#}");
    assert!(c["reason"].as_str().unwrap().contains("without a login"));

    let inbound = write(
        dir.path(),
        "inbound.eml",
        "From: billing@partner.example\nSubject: Invoice\nMessage-ID: <invoice-55@partner.example>\n\nx\n",
    );
    let (code, c) = trace(&inbound);
    assert_eq!(code, 0);
    assert_eq!(c["verdict"], "ours", "{c:#}");
    assert_eq!(c["matched_by"], "message_id");
    assert_eq!(c["origin"], "smtp");
    assert_eq!(c["client_ip"], "198.51.100.40");
    assert!(c["account"].is_null());
}

/// A hop claiming our host at a time when the logs, though their span covers it, show no mail
/// at all (a missing rotated file, say) is not called forged: our own message would have been
/// logged then, and nothing was. The same hop at a time with mail around it is forged.
#[test]
fn a_gap_in_the_logs_is_not_evidence_of_forgery() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture("trace/complaints/forged.eml")).unwrap();
    let log = fixture("trace/mail.log");
    let judge = |name: &str, text: &str| {
        let file = write(dir.path(), name, text);
        let r = run(&[
            "trace",
            "--json",
            file.to_str().unwrap(),
            "--logs",
            log.to_str().unwrap(),
            "--our-host",
            OUR_HOST,
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        r.json()["complaints"][0].clone()
    };
    // 10:02: the log has a delivery at 10:01.
    let busy = judge("busy.eml", &text);
    assert_eq!(busy["verdict"], "forged", "{busy:#}");
    // 10:50: the nearest mail in the log is 10:01 and 11:40.
    let quiet = judge("quiet.eml", &text.replace("10:02:1", "10:50:1"));
    assert_eq!(quiet["verdict"], "not_found", "{quiet:#}");
    assert!(
        quiet["reason"]
            .as_str()
            .unwrap()
            .contains("no mail at all within 15 minutes"),
        "{quiet:#}"
    );
}
