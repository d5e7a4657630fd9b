//! The README's examples really run: every ```console block that starts with
//! `$ mailsleuth ...` is executed (through `sh`, so `| jq` pipelines work) and its output
//! compared. A block with a `...` line checks that its other lines appear, in order.

use std::path::Path;
use std::process::Command;

struct Example {
    command: String,
    expected: Vec<String>,
}

fn examples() -> Vec<Example> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let mut out = Vec::new();
    let mut lines = readme.lines();
    while let Some(line) = lines.next() {
        if line.trim() != "```console" {
            continue;
        }
        let block: Vec<&str> = lines.by_ref().take_while(|l| l.trim() != "```").collect();
        let Some(command) = block.first().and_then(|l| l.strip_prefix("$ ")) else {
            continue;
        };
        out.push(Example {
            command: command.to_string(),
            expected: block[1..]
                .iter()
                .map(|l| l.trim_end().to_string())
                .collect(),
        });
    }
    out
}

#[test]
fn readme_examples_match_the_real_output() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_mailsleuth"))
        .parent()
        .unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let examples = examples();
    assert!(examples.len() >= 4, "README examples not found");
    for ex in examples {
        let output = Command::new("sh")
            .arg("-c")
            .arg(&ex.command)
            .current_dir(root)
            .env("PATH", &path)
            .env_remove("NO_COLOR")
            .env_remove("COLUMNS")
            .output()
            .unwrap();
        let stdout = String::from_utf8(output.stdout).unwrap();
        let actual: Vec<String> = stdout.lines().map(|l| l.trim_end().to_string()).collect();
        if ex.expected.iter().any(|l| l == "...") {
            let mut rest = actual.iter();
            for want in ex.expected.iter().filter(|l| *l != "...") {
                assert!(
                    rest.any(|got| got == want),
                    "README example `{}`: line not found in order: {want}\n--- actual:\n{stdout}",
                    ex.command
                );
            }
        } else {
            assert_eq!(
                actual, ex.expected,
                "README example `{}` differs\n--- actual:\n{stdout}",
                ex.command
            );
        }
    }
}
