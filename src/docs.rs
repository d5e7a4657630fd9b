//! Man pages and shell completions, generated from the one clap definition in `cli.rs` and
//! committed under `man/` and `completions/`; a test fails when they are stale.

use std::fs;
use std::io;
use std::path::Path;

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;

/// The command that regenerates the committed files.
pub const REGENERATE: &str = "cargo run --quiet -- generate-docs .";

/// Writes `man/*.1` (the main page and one per subcommand) and `completions/*` under `dir`.
pub fn write_all(dir: &Path) -> io::Result<()> {
    let man = dir.join("man");
    let completions = dir.join("completions");
    fs::create_dir_all(&man)?;
    fs::create_dir_all(&completions)?;
    for (name, page) in man_pages()? {
        fs::write(man.join(name), page)?;
    }
    for (name, script) in completion_scripts() {
        fs::write(completions.join(name), script)?;
    }
    Ok(())
}

/// The man pages: `mailsleuth.1` and `mailsleuth-<sub>.1` for each visible subcommand.
pub fn man_pages() -> io::Result<Vec<(String, Vec<u8>)>> {
    let mut cmd = Cli::command();
    // Building propagates the global options (--format, --color...) into each subcommand, so
    // its page lists them too, and sets each subcommand's bin name to `mailsleuth <sub>`.
    cmd.build();
    let mut pages = Vec::new();
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut page)?;
    pages.push(("mailsleuth.1".to_string(), page));
    for sub in cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        let name = format!("mailsleuth-{}", sub.get_name());
        let mut page = Vec::new();
        clap_mangen::Man::new(sub.clone().display_name(name.clone())).render(&mut page)?;
        pages.push((format!("{name}.1"), page));
    }
    Ok(pages)
}

/// Completion scripts for bash, zsh, fish, PowerShell and elvish.
pub fn completion_scripts() -> Vec<(String, Vec<u8>)> {
    [
        Shell::Bash,
        Shell::Zsh,
        Shell::Fish,
        Shell::PowerShell,
        Shell::Elvish,
    ]
    .into_iter()
    .map(|shell| {
        let mut cmd = Cli::command();
        let mut script = Vec::new();
        clap_complete::generate(shell, &mut cmd, "mailsleuth", &mut script);
        let name = match shell {
            Shell::Bash => "mailsleuth.bash".to_string(),
            Shell::Zsh => "_mailsleuth".to_string(),
            Shell::Fish => "mailsleuth.fish".to_string(),
            Shell::PowerShell => "_mailsleuth.ps1".to_string(),
            _ => "mailsleuth.elv".to_string(),
        };
        (name, script)
    })
    .collect()
}
