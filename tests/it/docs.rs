//! The committed man pages and completions must match what the clap definition generates.

use std::fs;
use std::path::Path;

#[test]
fn man_pages_and_completions_are_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let fresh = tempfile::tempdir().unwrap();
    mailsleuth::docs::write_all(fresh.path()).unwrap();
    let mut stale = Vec::new();
    for sub in ["man", "completions"] {
        let mut names: Vec<_> = fs::read_dir(fresh.path().join(sub))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        // A committed page that is no longer generated is stale too.
        for entry in fs::read_dir(root.join(sub)).unwrap() {
            let name = entry.unwrap().file_name();
            if !names.contains(&name) {
                stale.push(format!(
                    "{sub}/{} (no longer generated)",
                    name.to_string_lossy()
                ));
            }
        }
        for name in names {
            let generated = fs::read(fresh.path().join(sub).join(&name)).unwrap();
            let committed = fs::read(root.join(sub).join(&name)).unwrap_or_default();
            if generated != committed {
                stale.push(format!("{sub}/{}", name.to_string_lossy()));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "stale generated files {stale:?}; regenerate with `{}` and commit them",
        mailsleuth::docs::REGENERATE
    );
}

#[test]
fn man_page_lists_every_finding_code() {
    let page =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("man/mailsleuth-headers.1"))
            .unwrap();
    for kind in mailsleuth::findings::ALL {
        assert!(
            page.contains(kind.code),
            "{} missing from the man page",
            kind.code
        );
    }
}
