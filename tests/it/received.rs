//! Each MTA's Received form, from a realistic fixture in `tests/fixtures/received/`, read
//! through the binary. `EXPECTED.md` beside the fixtures describes every hop.

use serde_json::Value;

use crate::util::{codes, fixture, headers_json};

/// (helo, rdns, ip, by, with, id, authenticated) of one hop; `None` is JSON null.
type Expect<'a> = (
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
);

fn check(file: &str, expected: &[Expect<'_>]) -> Value {
    let (r, m) = headers_json(&fixture(&format!("received/{file}")), &[]);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    let hops = m["hops"].as_array().unwrap();
    let relays: Vec<&Value> = hops.iter().filter(|h| h["kind"] == "relay").collect();
    assert_eq!(relays.len(), expected.len(), "{file}: relay hops");
    let s = |v: &Value| v.as_str().map(str::to_owned);
    for (hop, e) in relays.iter().zip(expected) {
        let got = (
            s(&hop["from"]["helo"]),
            s(&hop["from"]["rdns"]),
            s(&hop["from"]["ip"]),
            s(&hop["by"]),
            s(&hop["with"]),
            s(&hop["id"]),
            s(&hop["authenticated"]),
        );
        let want = (
            e.0.map(str::to_owned),
            e.1.map(str::to_owned),
            e.2.map(str::to_owned),
            e.3.map(str::to_owned),
            e.4.map(str::to_owned),
            e.5.map(str::to_owned),
            e.6.map(str::to_owned),
        );
        assert_eq!(got, want, "{file} hop {}", hop["index"]);
        assert!(
            hop["time"].is_string() || file == "unparseable.eml",
            "{file}: time"
        );
    }
    m
}

#[test]
fn postfix() {
    let m = check(
        "postfix.eml",
        &[
            (
                None,
                None,
                None,
                Some("laptop.example.com"),
                None,
                Some("2F1A3C0042"),
                None,
            ),
            (
                Some("laptop.example.com"),
                None,
                Some("198.51.100.20"),
                Some("smtp.example.com"),
                Some("ESMTPSA"),
                Some("4XyZ1j0QrSz9def"),
                Some("user@example.com"),
            ),
            (
                Some("smtp.example.com"),
                Some("smtp.example.com"),
                Some("203.0.113.25"),
                Some("mx.example.org"),
                Some("ESMTPS"),
                Some("4XyZ1k2LmNz3abc"),
                None,
            ),
        ],
    );
    assert_eq!(m["hops"][1]["tls"], "TLSv1.3 TLS_AES_256_GCM_SHA384");
    assert_eq!(m["hops"][1]["smtp_auth"], true);
    assert_eq!(m["hops"][1]["for"], "bob@example.org");
}

#[test]
fn exim() {
    let m = check(
        "exim.eml",
        &[
            (
                Some("laptop"),
                None,
                Some("198.51.100.7"),
                Some("mail.example.net"),
                Some("ESMTPSA"),
                Some("1tAbCd-000123-4x"),
                None,
            ),
            (
                Some("mail.example.net"),
                None,
                Some("203.0.113.9"),
                Some("mx.example.org"),
                Some("ESMTPS"),
                Some("1tAbCe-000456-7y"),
                None,
            ),
            (
                Some("relay-out.example.org"),
                Some("mx.example.org"),
                Some("192.0.2.44"),
                Some("store.example.org"),
                Some("ESMTPSA"),
                Some("1tAbCf-000789-9z"),
                Some("bob"),
            ),
        ],
    );
    assert_eq!(m["hops"][0]["envelope_from"], "x@example.net");
    assert_eq!(m["hops"][0]["smtp_auth"], true);
}

#[test]
fn sendmail_with_ipv6_literal() {
    let m = check(
        "sendmail.eml",
        &[
            (
                Some("client.example.com"),
                Some("client.example.com"),
                Some("192.0.2.10"),
                Some("mx.example.org"),
                Some("ESMTPSA"),
                Some("4AB1c2d3012345"),
                None,
            ),
            (
                Some("mx.example.org"),
                Some("mx.example.org"),
                Some("2001:db8::5"),
                Some("mailhub.example.org"),
                Some("ESMTP"),
                Some("4AB1c2d4012399"),
                None,
            ),
            (
                Some("mailhub.example.org"),
                Some("mailhub.example.net"),
                Some("198.51.100.60"),
                Some("store.example.org"),
                Some("ESMTP"),
                Some("4AB1c2e5012400"),
                None,
            ),
        ],
    );
    // (authenticated bits=0): SMTP AUTH without a named identity.
    assert_eq!(m["hops"][0]["smtp_auth"], true);
    assert!(
        m["hops"][2]["notes"].to_string().contains("may be forged"),
        "{}",
        m["hops"][2]
    );
}

#[test]
fn qmail_comment_only_lines_are_local_hops() {
    let m = check(
        "qmail.eml",
        &[
            (
                Some("laptop"),
                None,
                Some("198.51.100.20"),
                Some("mail.example.com"),
                Some("SMTP"),
                None,
                None,
            ),
            (
                Some("mail.example.com"),
                None,
                Some("203.0.113.5"),
                Some("mx.example.org"),
                Some("SMTP"),
                None,
                None,
            ),
        ],
    );
    let hops = m["hops"].as_array().unwrap();
    assert_eq!(hops.len(), 4);
    assert_eq!(hops[0]["kind"], "local");
    assert!(hops[0]["comment"]
        .as_str()
        .unwrap()
        .contains("invoked by uid 1001"));
    assert!(hops[0]["from"]["ip"].is_null());
    assert_eq!(hops[3]["kind"], "local");
}

#[test]
fn office365_build_numbers_are_not_addresses() {
    let m = check(
        "office365.eml",
        &[
            (
                Some("AM9PR01MB4321.eurprd01.prod.exchangelabs.com"),
                None,
                Some("2001:db8:10a6::21"),
                Some("AM9PR01MB4321.eurprd01.prod.exchangelabs.com"),
                Some("mapi"),
                Some("15.20.7270.28"),
                None,
            ),
            (
                Some("AM9PR01MB4321.eurprd01.prod.exchangelabs.com"),
                None,
                Some("2603:10a6:20b:1::21"),
                Some("EUR01-HE1-obe.outbound.protection.outlook.com"),
                Some("Microsoft SMTP Server"),
                Some("15.20.7270.28"),
                None,
            ),
            (
                Some("EUR01-HE1-obe.outbound.protection.outlook.com"),
                None,
                Some("40.92.1.2"),
                Some("AM4PEPF00027A6C.eurprd04.prod.outlook.com"),
                Some("Microsoft SMTP Server"),
                Some("15.20.7270.28"),
                None,
            ),
            (
                Some("AM4PEPF00027A6C.eurprd04.prod.outlook.com"),
                None,
                Some("2603:10a6:20b:3c::a"),
                Some("AM0PR01MB1234.eurprd01.prod.exchangelabs.com"),
                Some("Microsoft SMTP Server"),
                Some("15.20.7270.28"),
                None,
            ),
            (
                Some("AM0PR01MB1234.eurprd01.prod.exchangelabs.com"),
                None,
                Some("2603:10a6:208:ac::12"),
                Some("AM0PR01MB5678.eurprd01.prod.exchangelabs.com"),
                Some("Microsoft SMTP Server"),
                Some("15.20.7270.28"),
                None,
            ),
        ],
    );
    for hop in m["hops"].as_array().unwrap() {
        assert_ne!(hop["from"]["ip"], "15.20.7270.28");
    }
    // With Microsoft's networks trusted, the origin is the sender's outbound relay.
    let (_, m) = headers_json(
        &fixture("received/office365.eml"),
        &["--trusted", "2603:10a6::/32", "--trusted", "40.92.0.0/16"],
    );
    assert_eq!(m["origin"]["ip"], "2001:db8:10a6::21");
}

#[test]
fn office365_inbound_frontend_transport() {
    let m = check(
        "office365-inbound.eml",
        &[
            (
                Some("laptop.example.com"),
                None,
                Some("192.0.2.41"),
                Some("mail.example.com"),
                Some("ESMTPSA"),
                Some("4XyZ3b5CdEz7ghi"),
                Some("erin@example.com"),
            ),
            (
                Some("mail.example.com"),
                None,
                Some("198.51.100.3"),
                Some("DB5PEPF00014B8F.eurprd02.prod.outlook.com"),
                Some("Microsoft SMTP Server"),
                Some("15.20.7270.28"),
                None,
            ),
            (
                Some("DB5PEPF00014B8F.eurprd02.prod.outlook.com"),
                None,
                Some("2603:10a6:10:2c::7"),
                Some("AM0PR01MB5678.eurprd01.prod.exchangelabs.com"),
                Some("Microsoft SMTP Server"),
                Some("15.20.7270.28"),
                None,
            ),
        ],
    );
    assert_eq!(m["hops"][1]["via"], "Frontend Transport");
}

#[test]
fn gmail() {
    let m = check(
        "gmail.eml",
        &[
            (
                Some("[192.168.1.20]"),
                None,
                Some("198.51.100.4"),
                Some("smtp.gmail.com"),
                Some("ESMTPSA"),
                Some("a640c23a62f3a-a9e8f2c1b3dsm1234567a.12.2026.11.21.02.00.00"),
                None,
            ),
            (
                Some("mail-sor-f41.google.com"),
                Some("mail-sor-f41.google.com"),
                Some("209.85.220.41"),
                Some("mx.google.com"),
                Some("SMTPS"),
                Some("a1-20020a05.123"),
                None,
            ),
            (
                None,
                None,
                None,
                Some("2002:a05:6a10:b1a3:b0:5a1:2b3c:4d5e"),
                Some("SMTP"),
                Some("q3csp123456pxb"),
                None,
            ),
        ],
    );
    assert_eq!(m["origin"]["ip"], "209.85.220.41");
}

#[test]
fn courier_with_mapped_ipv4() {
    check(
        "courier.eml",
        &[
            (
                Some("host.example.com"),
                Some("host.example.com"),
                Some("192.0.2.30"),
                Some("mail.example.com"),
                Some("ESMTPSA"),
                Some("0000000A.6540ABCD.00001234"),
                Some("alice@example.com"),
            ),
            (
                Some("mail.example.com"),
                Some("mail.example.com"),
                Some("203.0.113.30"),
                Some("mx.example.org"),
                Some("ESMTPS"),
                Some("4XyZ9q0AbCz1xyz"),
                None,
            ),
        ],
    );
}

#[test]
fn dovecot_lmtp_hops_are_inside_the_site() {
    let m = check(
        "dovecot-lmtp.eml",
        &[
            (
                Some("mx.example.net"),
                Some("mx.example.net"),
                Some("198.51.100.80"),
                Some("mail.example.com"),
                Some("ESMTPS"),
                Some("4XyZ7k1MnPz2qrs"),
                None,
            ),
            (
                Some("mail.example.com"),
                None,
                Some("127.0.0.1"),
                Some("mail.example.com"),
                Some("LMTP"),
                Some("kLmNoPqRsTuVwXyZ0123ab"),
                None,
            ),
            (
                Some("mail.example.com"),
                None,
                None,
                Some("mail.example.com"),
                Some("LMTP"),
                Some("Yb2cAhQGP2fqBAAAWDsNsg"),
                None,
            ),
        ],
    );
    assert_eq!(m["origin"]["hop"], 1);
    assert_eq!(m["hops"][2]["trusted"], true);
}

#[test]
fn unparseable_lines_are_findings_not_dropped() {
    let m = check(
        "unparseable.eml",
        &[
            (
                Some("laptop"),
                None,
                None,
                Some("mail.example.com"),
                None,
                None,
                None,
            ),
            (
                Some("mail.example.com"),
                Some("mail.example.com"),
                Some("192.0.2.99"),
                Some("mx.example.org"),
                Some("ESMTP"),
                Some("4XyZ0AbCdEf"),
                None,
            ),
            (
                Some("mx.example.org"),
                Some("mx.example.org"),
                Some("203.0.113.77"),
                Some("store.example.org"),
                Some("ESMTP"),
                Some("4XyZ2GhIjKl"),
                None,
            ),
        ],
    );
    let codes = codes(&m);
    assert!(codes.contains(&"received.unparseable".to_string()));
    assert!(codes.contains(&"received.no_date".to_string()));
    let finding = m["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "received.unparseable")
        .unwrap();
    assert!(
        finding["evidence"]
            .as_str()
            .unwrap()
            .contains("not a received header"),
        "{finding}"
    );
}

#[test]
fn origin_walk_stops_at_an_unreadable_hop() {
    // Trust everything above the garbage line: the chain cannot be followed past it.
    let (_, m) = headers_json(
        &fixture("received/unparseable.eml"),
        &["--trusted", "203.0.113.77"],
    );
    assert!(m["origin"]["hop"].is_null());
    assert!(m["origin"]["reason"]
        .as_str()
        .unwrap()
        .contains("cannot be read"));
    assert!(codes(&m).contains(&"origin.unknown".to_string()));
}
