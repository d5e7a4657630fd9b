//! `mailsleuth dnsbl` against a real DNS server on 127.0.0.1 serving the fixture zones
//! (`tests/fixtures/dns/EXPECTED.md` says what each address should yield).

use serde_json::Value;

use crate::util::{fixture, run, run_with_stdin, DnsServer, Run};

/// `dnsbl --json --resolver SERVER` with short timeouts, plus `args`.
fn dnsbl(server: &DnsServer, args: &[&str]) -> Run {
    let resolver = server.resolver_arg();
    let mut all = vec![
        "dnsbl",
        "--json",
        "--resolver",
        &resolver,
        "--dns-timeout",
        "0.5",
        "--dns-attempts",
        "1",
    ];
    all.extend_from_slice(args);
    run(&all)
}

/// The result for `ip` in a JSON report.
fn result<'a>(doc: &'a Value, ip: &str) -> &'a Value {
    doc["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["ip"] == ip)
        .unwrap_or_else(|| panic!("no result for {ip} in {doc}"))
}

/// The entry for `zone` in one result.
fn zone<'a>(result: &'a Value, zone: &str) -> &'a Value {
    result["zones"]
        .as_array()
        .expect("zones")
        .iter()
        .find(|z| z["zone"] == zone)
        .unwrap_or_else(|| panic!("no zone {zone} in {result}"))
}

const ZEN: &str = "zen.spamhaus.org";

#[test]
fn listed_addresses_are_decoded_per_code() {
    let server = DnsServer::start();
    let r = dnsbl(
        &server,
        &[
            "--txt",
            "192.0.2.1",
            "192.0.2.2",
            "192.0.2.3",
            "192.0.2.8",
            "198.51.100.10",
            "198.51.100.21",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let doc = r.json();
    assert_eq!(doc["schema"], "mailsleuth.dnsbl/1");
    let one = result(&doc, "192.0.2.1");
    assert_eq!(zone(one, ZEN)["status"], "listed");
    assert_eq!(zone(one, ZEN)["codes"], serde_json::json!(["127.0.0.2"]));
    assert!(zone(one, ZEN)["meaning"]
        .as_str()
        .unwrap()
        .starts_with("SBL"));
    assert_eq!(
        zone(one, ZEN)["txt"],
        "https://check.spamhaus.org/sbl/query/SBL100001"
    );
    assert_eq!(zone(one, "bl.spamcop.net")["status"], "listed");
    assert_eq!(zone(one, "psbl.surriel.com")["status"], "not_listed");

    let two = zone(result(&doc, "192.0.2.2"), ZEN);
    assert_eq!(two["codes"], serde_json::json!(["127.0.0.4", "127.0.0.10"]));
    let meaning = two["meaning"].as_str().unwrap();
    assert!(
        meaning.contains("XBL") && meaning.contains("PBL (ISP"),
        "{meaning}"
    );
    assert!(zone(result(&doc, "192.0.2.3"), ZEN)["meaning"]
        .as_str()
        .unwrap()
        .contains("PBL (Spamhaus"));
    let eight = zone(result(&doc, "192.0.2.8"), ZEN)["meaning"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(eight.contains("SBL") && eight.contains("DROP"), "{eight}");
    assert_eq!(
        zone(result(&doc, "198.51.100.10"), "bl.spamcop.net")["status"],
        "listed"
    );
    assert_eq!(
        zone(result(&doc, "198.51.100.21"), "bl.mailspike.net")["status"],
        "listed"
    );
}

#[test]
fn clean_and_allow_listed_addresses_exit_0() {
    let server = DnsServer::start();
    let r = dnsbl(&server, &["192.0.2.12", "192.0.2.7", "192.0.2.11"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let doc = r.json();
    for z in result(&doc, "192.0.2.12")["zones"].as_array().unwrap() {
        assert_eq!(z["status"], "not_listed", "{z}");
    }
    let allow = zone(result(&doc, "192.0.2.7"), "list.dnswl.org");
    assert_eq!(allow["status"], "listed");
    assert_eq!(allow["kind"], "ip_allow");
    // A TXT record but no A record at the name: NODATA for A means not listed.
    assert_eq!(
        zone(result(&doc, "192.0.2.11"), ZEN)["status"],
        "not_listed"
    );
}

#[test]
fn error_codes_and_unexpected_answers_are_errors_never_listed() {
    let server = DnsServer::start();
    let r = dnsbl(&server, &["192.0.2.4", "192.0.2.5", "192.0.2.10"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    let doc = r.json();
    let four = zone(result(&doc, "192.0.2.4"), ZEN);
    assert_eq!(four["status"], "error");
    assert_eq!(four["codes"], serde_json::json!(["127.255.255.254"]));
    assert!(
        four["error"].as_str().unwrap().contains("resolver"),
        "{four}"
    );
    let five = zone(result(&doc, "192.0.2.5"), ZEN);
    assert_eq!(five["status"], "error");
    assert!(five["error"]
        .as_str()
        .unwrap()
        .contains("unexpected answer 127.0.0.99"));
    assert_eq!(zone(result(&doc, "192.0.2.10"), ZEN)["status"], "error");
}

#[test]
fn ipv6_addresses_are_queried_by_nibbles() {
    let server = DnsServer::start();
    let r = dnsbl(&server, &["2001:db8::25", "2001:db8::26"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let doc = r.json();
    let v6 = result(&doc, "2001:db8::25");
    assert_eq!(zone(v6, ZEN)["codes"], serde_json::json!(["127.0.0.3"]));
    assert_eq!(v6["ptr"], serde_json::json!(["mail6.example.net"]));
    assert_eq!(v6["fcrdns"], true);
    // Only zones that list IPv6 are asked about IPv6 addresses.
    let names: Vec<&str> = v6["zones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|z| z["zone"].as_str().unwrap())
        .collect();
    assert_eq!(names, [ZEN, "list.dnswl.org"]);
    assert_eq!(
        zone(result(&doc, "2001:db8::26"), "list.dnswl.org")["status"],
        "listed"
    );
}

#[test]
fn ptr_fcrdns_and_dynamic_names() {
    let server = DnsServer::start();
    let r = dnsbl(
        &server,
        &[
            "192.0.2.1",
            "192.0.2.2",
            "192.0.2.3",
            "192.0.2.9",
            "192.0.2.12",
        ],
    );
    let doc = r.json();
    let one = result(&doc, "192.0.2.1");
    assert_eq!(one["ptr"], serde_json::json!(["mail.example.net"]));
    assert_eq!(one["fcrdns"], true);
    assert_eq!(one["dynamic"]["looks_dynamic"], false);
    let two = result(&doc, "192.0.2.2");
    assert_eq!(two["dynamic"]["looks_dynamic"], true);
    let reason = two["dynamic"]["reason"].as_str().unwrap();
    assert!(
        reason.contains("192-0-2-2") && reason.contains("dsl"),
        "{reason}"
    );
    // The PTR name's A record points elsewhere: not forward-confirmed.
    let three = result(&doc, "192.0.2.3");
    assert_eq!(three["ptr"], serde_json::json!(["host3.example.net"]));
    assert_eq!(three["fcrdns"], false);
    // Two PTR names, one of which confirms.
    let nine = result(&doc, "192.0.2.9");
    assert_eq!(nine["ptr"].as_array().unwrap().len(), 2);
    assert_eq!(nine["fcrdns"], true);
    assert_eq!(result(&doc, "192.0.2.12")["ptr"], serde_json::json!([]));
}

#[test]
fn a_timeout_is_an_error_never_not_listed() {
    let server = DnsServer::with_faults(&["drop 12.2.0.192.zen.spamhaus.org"]);
    let r = dnsbl(&server, &["192.0.2.12"]);
    assert_eq!(r.code, 3, "{}\n{}", r.stdout, r.stderr);
    let z = zone(result(&r.json(), "192.0.2.12"), ZEN).clone();
    assert_eq!(z["status"], "error");
    assert!(z["error"].as_str().unwrap().contains("timed out"), "{z}");
}

#[test]
fn servfail_is_an_error_and_other_zones_still_answer() {
    let server = DnsServer::with_faults(&["servfail 1.2.0.192.bl.spamcop.net"]);
    let r = dnsbl(&server, &["192.0.2.1"]);
    // zen still lists it, so the run is flagged; spamcop's failure is reported as such.
    assert_eq!(r.code, 1, "{}", r.stderr);
    let doc = r.json();
    let spamcop = zone(result(&doc, "192.0.2.1"), "bl.spamcop.net");
    assert_eq!(spamcop["status"], "error");
    assert!(
        spamcop["error"].as_str().unwrap().contains("SERVFAIL"),
        "{spamcop}"
    );
    assert_eq!(zone(result(&doc, "192.0.2.1"), ZEN)["status"], "listed");
}

#[test]
fn truncated_replies_are_retried_over_tcp() {
    let server = DnsServer::with_faults(&["truncate 2.2.0.192.zen.spamhaus.org"]);
    let r = dnsbl(&server, &["192.0.2.2"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        zone(result(&r.json(), "192.0.2.2"), ZEN)["status"],
        "listed"
    );
}

#[test]
fn a_zone_that_lists_everything_is_stopped_by_the_probe() {
    let server = DnsServer::start();
    let zones = fixture("dns/custom-zones.toml");
    let r = dnsbl(
        &server,
        &[
            "--zone-file",
            zones.to_str().unwrap(),
            "--zones",
            "broken",
            "192.0.2.12",
        ],
    );
    assert_eq!(r.code, 3, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("stopped for this run"), "{}", r.stderr);
    let doc = r.json();
    let z = zone(result(&doc, "192.0.2.12"), "bl.broken.example");
    assert_eq!(z["status"], "error");
    assert!(doc["summary"][0]["stopped"].is_string(), "{doc}");
    assert_eq!(doc["probes"][0]["status"], "failed");
}

#[test]
fn a_probe_timeout_stops_the_zone() {
    let server = DnsServer::with_faults(&["drop 2.0.0.127.bl.spamcop.net"]);
    let r = dnsbl(&server, &["--zones", "spamcop", "192.0.2.1"]);
    assert_eq!(r.code, 3, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(
        zone(result(&r.json(), "192.0.2.1"), "bl.spamcop.net")["status"],
        "error"
    );
}

#[test]
fn custom_zone_files_add_zones() {
    let server = DnsServer::start();
    let zones = fixture("dns/custom-zones.toml");
    let r = dnsbl(
        &server,
        &[
            "--zone-file",
            zones.to_str().unwrap(),
            "--zones",
            "local",
            "192.0.2.6",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let z = zone(result(&r.json(), "192.0.2.6"), "bl.local.example").clone();
    assert_eq!(z["codes"], serde_json::json!(["127.0.0.3"]));
}

#[test]
fn cidr_ranges_expand_and_private_addresses_are_skipped() {
    let server = DnsServer::start();
    let r = dnsbl(&server, &["192.0.2.0/29", "10.0.0.1"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let doc = r.json();
    let ips: Vec<&str> = doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ip"].as_str().unwrap())
        .collect();
    assert_eq!(
        ips,
        [
            "192.0.2.0",
            "192.0.2.1",
            "192.0.2.2",
            "192.0.2.3",
            "192.0.2.4",
            "192.0.2.5",
            "192.0.2.6",
            "192.0.2.7",
            "10.0.0.1"
        ]
    );
    let private = result(&doc, "10.0.0.1");
    assert!(private["skipped"].as_str().unwrap().contains("private"));
    assert_eq!(private["zones"], serde_json::json!([]));
    // Per-zone totals count the range.
    let zen = doc["summary"]
        .as_array()
        .unwrap()
        .iter()
        .find(|z| z["zone"] == ZEN)
        .unwrap();
    assert_eq!(zen["listed"], 3, "{zen}");
    assert_eq!(zen["error"], 2, "{zen}");
}

#[test]
fn ranges_above_max_ips_are_a_usage_error_before_any_query() {
    let r = run(&["dnsbl", "--resolver", "127.0.0.1:9", "10.0.0.0/8"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("more than --max-ips"), "{}", r.stderr);
    let r = run(&[
        "dnsbl",
        "--max-ips",
        "4",
        "--resolver",
        "127.0.0.1:9",
        "192.0.2.0/29",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("192.0.2.0/29"), "{}", r.stderr);
}

#[test]
fn host_names_are_resolved_and_checked_against_domain_lists() {
    let server = DnsServer::start();
    let r = dnsbl(
        &server,
        &[
            "--zones",
            "dbl,zen",
            "spammy.example.net",
            "phish.example.net",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let doc = r.json();
    let names = doc["names"].as_array().unwrap();
    let spammy = names
        .iter()
        .find(|n| n["name"] == "spammy.example.net")
        .unwrap();
    assert_eq!(spammy["addresses"], serde_json::json!(["198.51.100.10"]));
    assert_eq!(spammy["zones"][0]["status"], "listed");
    let phish = names
        .iter()
        .find(|n| n["name"] == "phish.example.net")
        .unwrap();
    assert_eq!(phish["addresses"], serde_json::json!([]));
    assert_eq!(phish["error"], Value::Null);
    assert!(phish["zones"][0]["meaning"]
        .as_str()
        .unwrap()
        .contains("phish"));
    // The host's address gets a full result too.
    assert_eq!(
        result(&doc, "198.51.100.10")["source"],
        "spammy.example.net"
    );
}

#[test]
fn targets_from_files_and_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("ips.txt");
    std::fs::write(
        &list,
        "# our outbound relays\n192.0.2.12\n\n192.0.2.7  # mx\n",
    )
    .unwrap();
    let server = DnsServer::start();
    let resolver = server.resolver_arg();
    let r = run_with_stdin(
        &[
            "dnsbl",
            "--json",
            "--resolver",
            &resolver,
            "-f",
            list.to_str().unwrap(),
            "-",
        ],
        Some(b"198.51.100.22\n"),
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let doc = r.json();
    assert_eq!(doc["results"].as_array().unwrap().len(), 3);
    // Both lists are recorded as evidence.
    assert_eq!(doc["inputs"][0]["path"], "-");
    assert_eq!(doc["inputs"][0]["size"], 14);
    assert!(doc["inputs"][1]["path"]
        .as_str()
        .unwrap()
        .ends_with("ips.txt"));
    assert_eq!(
        zone(result(&doc, "198.51.100.22"), "dnsbl-1.uceprotect.net")["status"],
        "listed"
    );
}

#[test]
fn bad_lines_name_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("ips.txt");
    std::fs::write(&list, "192.0.2.1\n192.0.2.300\n").unwrap();
    let r = run(&[
        "dnsbl",
        "--resolver",
        "127.0.0.1:9",
        "-f",
        list.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("ips.txt:2:"), "{}", r.stderr);
    assert!(r.stderr.contains("192.0.2.300"), "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(r.stdout.is_empty());
}

#[test]
fn ndjson_streams_one_tagged_result_per_line() {
    let server = DnsServer::start();
    let resolver = server.resolver_arg();
    let r = run(&[
        "dnsbl",
        "--format",
        "ndjson",
        "--resolver",
        &resolver,
        "192.0.2.0/30",
        "mail.example.net",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let lines: Vec<Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    // 4 addresses of the range, the host name, and its address 2001:db8::25; its other
    // address, 192.0.2.1, is in the range and is checked once.
    assert_eq!(lines.len(), 6, "{}", r.stdout);
    assert_eq!(lines.iter().filter(|l| l["type"] == "name").count(), 1);
    assert_eq!(lines.iter().filter(|l| l["type"] == "ip").count(), 5);
}

#[test]
fn a_recorded_run_replays_offline_with_the_same_report() {
    let dir = tempfile::tempdir().unwrap();
    let record = dir.path().join("evidence.zone");
    let server = DnsServer::with_faults(&["servfail 3.2.0.192.bl.spamcop.net"]);
    let targets = [
        "192.0.2.1",
        "192.0.2.3",
        "192.0.2.4",
        "192.0.2.12",
        "2001:db8::25",
    ];
    let mut args = vec!["--dns-record", record.to_str().unwrap()];
    args.extend_from_slice(&targets);
    let live = dnsbl(&server, &args);
    drop(server);
    let text = std::fs::read_to_string(&record).unwrap();
    assert!(text.contains("SOA"), "{text}");

    let mut replay_args = vec!["dnsbl", "--json", "--dns-zone", record.to_str().unwrap()];
    replay_args.extend_from_slice(&targets);
    let replay = run(&replay_args);
    assert_eq!(replay.code, live.code, "{}", replay.stderr);
    assert_eq!(replay.json(), live.json());
    assert_eq!(
        zone(result(&replay.json(), "192.0.2.3"), "bl.spamcop.net")["status"],
        "error"
    );
}

#[test]
fn table_output_escapes_hostile_dns_text() {
    let server = DnsServer::start();
    let resolver = server.resolver_arg();
    let r = run(&["dnsbl", "--txt", "--resolver", &resolver, "192.0.2.8"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    // The zone's TXT reason carries ESC [2J and an OSC title sequence.
    assert!(r.stdout.contains("\\e[2J"), "{}", r.stdout);
    assert!(!r.stdout.contains('\x1b'), "{}", r.stdout);
    assert!(!r.stdout.contains('\x07'), "{}", r.stdout);
}

#[test]
fn a_spamhaus_dqs_key_queries_dqs_and_never_shows_the_key() {
    let server = DnsServer::start();
    let resolver = server.resolver_arg();
    let args = [
        "dnsbl",
        "--json",
        "--resolver",
        &resolver,
        "--zones",
        "zen",
        "192.0.2.12",
    ];
    let mut with_flag = args.to_vec();
    with_flag.extend(["--spamhaus-dqs-key", "s3cr3tkey"]);
    for r in [
        run(&with_flag),
        crate::util::run_with_env(&args, &[("MAILSLEUTH_SPAMHAUS_DQS_KEY", "s3cr3tkey")]),
    ] {
        assert_eq!(r.code, 1, "{}", r.stderr);
        let z = zone(result(&r.json(), "192.0.2.12"), ZEN).clone();
        assert_eq!(z["codes"], serde_json::json!(["127.0.0.4"]));
        assert!(!r.stdout.contains("s3cr3tkey") && !r.stderr.contains("s3cr3tkey"));
    }
    let r = run(&[&args[..], &["--spamhaus-dqs-key", "bad key!"]].concat());
    assert_eq!(r.code, 2);
    assert!(!r.stderr.contains("bad key!"), "{}", r.stderr);
}
