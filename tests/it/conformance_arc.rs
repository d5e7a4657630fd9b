//! The ARC validation suite (ValiMail/arc_test_suite, tests/fixtures/conformance/arc/): every
//! validation test through `mailsleuth auth --checks arc`, its keys served by the test DNS
//! server. Prints the pass count and every failure with what was expected and what we said.

use serde::Deserialize;

use crate::authutil::{auth, write_zone};
use crate::util::{fixture, DnsServer};

#[derive(Deserialize)]
struct Scenario {
    #[serde(default)]
    tests: std::collections::BTreeMap<String, Case>,
    #[serde(rename = "txt-records", default)]
    txt_records: std::collections::BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct Case {
    message: String,
    #[serde(default)]
    cv: Option<String>,
}

/// The count this suite reaches today; a change either way must be looked at.
const EXPECTED_PASSES: usize = 169;

#[test]
fn arc_validation_suite() {
    let text =
        std::fs::read_to_string(fixture("conformance/arc/arc-draft-validation-tests.yml")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (mut total, mut passed) = (0, 0);
    let mut failures = Vec::new();
    for document in serde_yaml::Deserializer::from_str(&text) {
        let scenario = Scenario::deserialize(document).expect("a scenario");
        let records: Vec<(String, String)> = scenario.txt_records.into_iter().collect();
        let zone_dir = tempfile::tempdir().unwrap();
        let zone = write_zone(zone_dir.path(), &records, &[]);
        let server = DnsServer::serving(&[zone], &[]);
        for (name, case) in scenario.tests {
            total += 1;
            let file = dir.path().join(format!("{name}.eml"));
            std::fs::write(&file, &case.message).unwrap();
            let run = auth(&server, &file, &["--checks", "arc"]);
            let got = if run.code == 2 {
                format!("error: {}", run.stderr.trim())
            } else {
                let doc = run.json();
                doc["messages"][0]["arc"]["result"]
                    .as_str()
                    .unwrap_or("(no verdict)")
                    .to_string()
            };
            let expected = case.cv.unwrap_or_default().trim().to_ascii_lowercase();
            let ok = if expected.is_empty() {
                got == "pass" || got == "fail" || got == "none"
            } else {
                got == expected
            };
            if ok {
                passed += 1;
            } else {
                failures.push(format!("  {name}: expected {expected:?}, got {got:?}"));
            }
        }
    }
    println!("arc validation: {passed}/{total}");
    for f in &failures {
        println!("{f}");
    }
    assert_eq!(total, 171, "the suite has 171 validation tests");
    assert_eq!(passed, EXPECTED_PASSES, "arc validation: {passed}/{total}");
}
