//! Country look-up for client IPs, so `logs` can count countries and foreign logins (and
//! `trace` can show where a client sits).
//!
//! Sources, each loaded once and consulted in the order they were added (the first source that
//! knows an address answers, so a small hand-written override file can be put first):
//! - MaxMind GeoIP2/GeoLite2 and DB-IP `.mmdb` files (`--geoip FILE`), read with `maxminddb`;
//! - the registries' free `delegated-*-extended` statistics files and `cidr,country` (or
//!   `start,end,country`) CSV files (`--rir FILE`), parsed into sorted ranges and searched by
//!   binary search. Inside one such file the most specific range wins when ranges overlap.
//!
//! With no source at all, [`Geo::none`] answers nothing; callers must then switch their country
//! signals off and say so, rather than report "0 countries".

mod mmdb;
mod table;

use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use serde::{Serialize, Serializer};

pub use mmdb::MmdbSource;
pub use table::RangeTable;

/// An ISO 3166-1 alpha-2 code (plus the registries' `EU`/`AP` blocks), stored as two upper-case
/// ASCII letters so that it is `Copy` and cheap to count in maps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Country([u8; 2]);

impl Country {
    /// Parses a two-letter code, case-insensitively; `None` for anything else (empty fields,
    /// `*`, three letters, digits), so bad input never becomes a fake country.
    pub fn parse(code: &str) -> Option<Country> {
        match code.as_bytes() {
            [a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => {
                Some(Country([a.to_ascii_uppercase(), b.to_ascii_uppercase()]))
            }
            _ => None,
        }
    }

    /// The code as text, e.g. `"DE"`.
    pub fn as_str(&self) -> &str {
        // Only ASCII letters are ever stored (see `parse`), so this cannot fail.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Country {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Why a geo source could not be loaded. Every variant names the file, and parse errors the
/// line, so the user can fix the file.
#[derive(Debug, thiserror::Error)]
pub enum GeoError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: not a usable MaxMind DB file: {source}")]
    Mmdb {
        path: PathBuf,
        source: maxminddb::MaxMindDbError,
    },
    #[error("{path}:{line}: {message}")]
    Parse {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

/// One loaded source.
#[derive(Debug)]
enum Source {
    Mmdb(MmdbSource),
    Table(RangeTable),
}

/// What one source is, for the report's "geo: ..." line.
#[derive(Debug, Clone, Serialize)]
pub struct SourceInfo {
    pub path: PathBuf,
    /// `mmdb`, or `ranges` for RIR/CSV files.
    pub kind: &'static str,
    /// For mmdb files the database type from its metadata; for range files the number of
    /// ranges loaded.
    pub detail: String,
}

/// The country look-up: zero or more sources, consulted in order.
#[derive(Debug, Default)]
pub struct Geo {
    sources: Vec<Source>,
}

impl Geo {
    /// No source: every look-up answers `None` and [`Geo::is_available`] is false.
    pub fn none() -> Geo {
        Geo::default()
    }

    /// Adds a `.mmdb` file (MaxMind or DB-IP); consulted after the sources already added.
    pub fn add_mmdb(&mut self, path: &Path) -> Result<(), GeoError> {
        self.sources.push(Source::Mmdb(MmdbSource::open(path)?));
        Ok(())
    }

    /// Adds an RIR delegated-stats or CSV file; consulted after the sources already added.
    pub fn add_ranges(&mut self, path: &Path) -> Result<(), GeoError> {
        self.sources.push(Source::Table(RangeTable::load(path)?));
        Ok(())
    }

    /// Adds an already parsed range table (tests, or text that did not come from a file).
    pub fn add_table(&mut self, table: RangeTable) {
        self.sources.push(Source::Table(table));
    }

    /// Loads `mmdb` files first, then range files, each in the order given: the command line's
    /// `--geoip` and `--rir` lists.
    pub fn load(mmdb: &[PathBuf], ranges: &[PathBuf]) -> Result<Geo, GeoError> {
        let mut geo = Geo::none();
        for path in mmdb {
            geo.add_mmdb(path)?;
        }
        for path in ranges {
            geo.add_ranges(path)?;
        }
        Ok(geo)
    }

    /// True when at least one source was loaded, i.e. when "no country" means "unknown
    /// address" rather than "no data at all".
    pub fn is_available(&self) -> bool {
        !self.sources.is_empty()
    }

    /// The country of `ip` from the first source that knows it.
    pub fn country(&self, ip: IpAddr) -> Option<Country> {
        self.sources.iter().find_map(|s| match s {
            Source::Mmdb(m) => m.country(ip),
            Source::Table(t) => t.country(ip),
        })
    }

    /// The loaded sources, in look-up order, for the report.
    pub fn sources(&self) -> Vec<SourceInfo> {
        self.sources
            .iter()
            .map(|s| match s {
                Source::Mmdb(m) => SourceInfo {
                    path: m.path().to_path_buf(),
                    kind: "mmdb",
                    detail: m.database_type().to_string(),
                },
                Source::Table(t) => SourceInfo {
                    path: t.path().to_path_buf(),
                    kind: "ranges",
                    detail: format!("{} ranges", t.len()),
                },
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn country_codes_are_two_letters_upper_cased() {
        assert_eq!(
            Country::parse("de").map(|c| c.to_string()),
            Some("DE".into())
        );
        assert_eq!(
            Country::parse("EU").map(|c| c.to_string()),
            Some("EU".into())
        );
        for bad in ["", "*", "DEU", "D1", "é", "  "] {
            assert_eq!(Country::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn none_knows_nothing() {
        let geo = Geo::none();
        assert!(!geo.is_available());
        assert_eq!(geo.country("192.0.2.1".parse().unwrap()), None);
        assert!(geo.sources().is_empty());
    }

    #[test]
    fn first_source_that_knows_the_address_wins() {
        let over = RangeTable::parse(Path::new("override.csv"), "192.0.2.0/25,FR\n").unwrap();
        let base = RangeTable::parse(
            Path::new("base.csv"),
            "192.0.2.0/24,DE\n198.51.100.0/24,NL\n",
        )
        .unwrap();
        let mut geo = Geo::none();
        geo.add_table(over);
        geo.add_table(base);
        let c = |s: &str| geo.country(s.parse().unwrap()).map(|c| c.to_string());
        assert_eq!(c("192.0.2.1").as_deref(), Some("FR"));
        assert_eq!(c("192.0.2.200").as_deref(), Some("DE"));
        assert_eq!(c("198.51.100.7").as_deref(), Some("NL"));
        assert_eq!(c("203.0.113.1"), None);
        assert_eq!(geo.sources()[1].detail, "2 ranges");
    }

    #[test]
    fn missing_file_names_the_path() {
        let err = Geo::load(&[], &[PathBuf::from("/nonexistent/geo.csv")]).unwrap_err();
        assert!(
            err.to_string().starts_with("/nonexistent/geo.csv: "),
            "{err}"
        );
        let err = Geo::load(&[PathBuf::from("/nonexistent/x.mmdb")], &[]).unwrap_err();
        assert!(
            err.to_string().starts_with("/nonexistent/x.mmdb: "),
            "{err}"
        );
    }
}
