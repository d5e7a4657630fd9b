//! Tables for the terminal, on comfy-table. Every cell passes through [`sanitize::escape`], so
//! no caller can forget to escape untrusted text.

use std::fmt;

use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, Color, ContentArrangement};

use super::sanitize;
use crate::findings::Severity;

/// A table whose cells are always escaped.
pub struct Table {
    inner: comfy_table::Table,
    color: bool,
}

impl Table {
    pub fn new(header: &[&str], color: bool) -> Table {
        let mut inner = comfy_table::Table::new();
        inner
            .load_style(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_header(header.iter().copied());
        if !color {
            inner.force_no_tty();
        } else {
            inner.enforce_styling();
        }
        // Off a terminal there is no width to fit, and unwrapped 10 kB header values would make
        // rows nobody can read: wrap at $COLUMNS, or 120.
        if !std::io::IsTerminal::is_terminal(&std::io::stdout()) {
            let width = std::env::var("COLUMNS")
                .ok()
                .and_then(|c| c.parse().ok())
                .unwrap_or(120);
            inner.set_width(width);
        }
        Table { inner, color }
    }

    /// Adds a row of untrusted or trusted text alike.
    pub fn row<I, S>(&mut self, cells: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.inner.add_row(
            cells
                .into_iter()
                .map(|c| Cell::new(sanitize::escape(c.as_ref()))),
        );
        self
    }

    /// Adds a row whose cells hold several lines each; every line is escaped on its own, so
    /// only our line breaks reach the terminal.
    pub fn lines_row(&mut self, cells: &[Vec<String>]) -> &mut Self {
        self.inner.add_row(cells.iter().map(|lines| {
            Cell::new(
                lines
                    .iter()
                    .map(|l| sanitize::escape(l))
                    .collect::<Vec<_>>()
                    .join("\n"),
            )
        }));
        self
    }

    /// Adds a row whose first cell is a severity, coloured when colour is on.
    pub fn severity_row<I, S>(&mut self, severity: Severity, rest: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut first = Cell::new(severity.as_str());
        if self.color {
            first = first.fg(match severity {
                Severity::High => Color::Red,
                Severity::Medium => Color::Yellow,
                Severity::Low => Color::Cyan,
                Severity::Info => Color::Grey,
            });
        }
        let mut cells = vec![first];
        cells.extend(
            rest.into_iter()
                .map(|c| Cell::new(sanitize::escape(c.as_ref()))),
        );
        self.inner.add_row(cells);
        self
    }

    pub fn is_empty(&self) -> bool {
        self.inner.row_count() == 0
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}
