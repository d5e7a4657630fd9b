//! The one output layer: every subcommand hands typed reports to an [`Emitter`], which renders
//! them as tables, one JSON document, or NDJSON. Only this module knows about those formats.
//!
//! Reports are streamed: items are written as soon as they are analysed, so memory stays flat
//! on a 100,000-message mbox whatever the format. The JSON document therefore carries its
//! `inputs` (whose SHA-256 is known only once an input has been read to its end) after its items.

pub mod evidence;
pub mod progress;
pub mod sanitize;
pub mod table;

use std::io::{self, IsTerminal, Write};

use serde::Serialize;

use crate::cli::{ColorChoice, Format};

pub use table::Table;

/// The tool version written into every JSON document.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// How reports are rendered, decided once from the command line and the environment.
#[derive(Debug, Clone, Copy)]
pub struct OutputConfig {
    pub format: Format,
    pub color: bool,
}

impl OutputConfig {
    /// Resolves `--color auto` against the terminal and NO_COLOR (https://no-color.org: any
    /// non-empty value turns colour off).
    pub fn new(format: Format, color: ColorChoice) -> OutputConfig {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = match color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => !no_color && io::stdout().is_terminal(),
        };
        OutputConfig { format, color }
    }
}

/// A report that can draw itself as tables. Untrusted text goes through [`Table`], which
/// escapes it.
pub trait Render {
    fn render(&self, out: &mut dyn Write, color: bool) -> io::Result<()>;
}

/// Writes one run's report: a header, items as they come, and a trailer.
pub struct Emitter<W: Write> {
    format: Format,
    color: bool,
    out: W,
    items: usize,
}

impl<W: Write> Emitter<W> {
    /// Starts a report. For JSON this writes `{"schema":..,"version":..,"<items_key>":[`.
    pub fn new(
        config: OutputConfig,
        mut out: W,
        schema: &str,
        items_key: &str,
    ) -> io::Result<Self> {
        if config.format == Format::Json {
            write!(out, "{{\"schema\":")?;
            serde_json::to_writer(&mut out, schema)?;
            write!(out, ",\"version\":")?;
            serde_json::to_writer(&mut out, VERSION)?;
            write!(out, ",")?;
            serde_json::to_writer(&mut out, items_key)?;
            write!(out, ":[")?;
        }
        Ok(Emitter {
            format: config.format,
            color: config.color,
            out,
            items: 0,
        })
    }

    /// Writes one item: a block of tables, an element of the JSON array, or one NDJSON line
    /// (flushed at once, so a consumer sees results as they complete).
    pub fn item<T: Serialize + Render>(&mut self, item: &T) -> io::Result<()> {
        if self.format != Format::Table {
            return self.row_item(item);
        }
        if self.items > 0 {
            writeln!(self.out)?;
        }
        item.render(&mut self.out, self.color)?;
        self.items += 1;
        Ok(())
    }

    /// Writes one item of a report whose table is drawn whole by its trailer (one aligned
    /// table for all rows, e.g. one row per address): JSON and NDJSON as [`Emitter::item`],
    /// nothing for tables.
    pub fn row_item<T: Serialize>(&mut self, item: &T) -> io::Result<()> {
        match self.format {
            Format::Table => return Ok(()),
            Format::Json => {
                if self.items > 0 {
                    write!(self.out, ",")?;
                }
                serde_json::to_writer(&mut self.out, item)?;
            }
            Format::Ndjson => {
                serde_json::to_writer(&mut self.out, item)?;
                writeln!(self.out)?;
                self.out.flush()?;
            }
        }
        self.items += 1;
        Ok(())
    }

    /// Ends the report. The trailer's fields (a struct) close the JSON document; as a table
    /// it is drawn after the items; NDJSON carries only items.
    pub fn finish<T: Serialize + Render>(mut self, trailer: &T) -> io::Result<()> {
        match self.format {
            Format::Table => {
                if self.items > 0 {
                    writeln!(self.out)?;
                }
                trailer.render(&mut self.out, self.color)?;
            }
            Format::Json => {
                write!(self.out, "]")?;
                // The trailer's own fields, in its declared order, continue the document.
                let fields = serde_json::to_string(trailer)?;
                let inner = fields
                    .strip_prefix('{')
                    .and_then(|f| f.strip_suffix('}'))
                    .unwrap_or_default();
                if !inner.is_empty() {
                    write!(self.out, ",{inner}")?;
                }
                writeln!(self.out, "}}")?;
            }
            Format::Ndjson => {}
        }
        self.out.flush()
    }
}
