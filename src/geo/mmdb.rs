//! MaxMind DB (`.mmdb`) country look-up: GeoIP2/GeoLite2 Country or City, DB-IP
//! "IP to Country Lite", and the flat layouts that repackaged lite databases use.
//!
//! Where the country sits in a record, tried in this order:
//! 1. `country.iso_code` — GeoIP2/GeoLite2 and DB-IP's own files (db-ip.com documents its
//!    schema as GeoIP2-compatible);
//! 2. `registered_country.iso_code` — GeoIP2 leaves `country` out for anonymous proxies and
//!    some satellite/anycast ranges, where the registration country is the best we have;
//! 3. `country_code` — the flat layout of ip-location-db's repackaged DB-IP/IPLocate files.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use maxminddb::{PathElement, Reader};

use super::{Country, GeoError};

const PATHS: [&[PathElement<'static>]; 3] = [
    &[PathElement::Key("country"), PathElement::Key("iso_code")],
    &[
        PathElement::Key("registered_country"),
        PathElement::Key("iso_code"),
    ],
    &[PathElement::Key("country_code")],
];

/// An opened `.mmdb` file, held in memory.
pub struct MmdbSource {
    path: PathBuf,
    reader: Reader<Vec<u8>>,
}

impl std::fmt::Debug for MmdbSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MmdbSource")
            .field("path", &self.path)
            .field("database_type", &self.database_type())
            .finish()
    }
}

impl MmdbSource {
    /// Reads the whole file (country databases are a few MB) and checks its metadata.
    pub fn open(path: &Path) -> Result<MmdbSource, GeoError> {
        let bytes = std::fs::read(path).map_err(|source| GeoError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let reader = Reader::from_source(bytes).map_err(|source| GeoError::Mmdb {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(MmdbSource {
            path: path.to_path_buf(),
            reader,
        })
    }

    /// The country of `ip`, if the database has a record with a country code for it. A record
    /// the decoder rejects (corrupt file, unexpected layout) counts as "unknown": one bad
    /// record must not stop a log analysis.
    pub fn country(&self, ip: IpAddr) -> Option<Country> {
        let found = self.reader.lookup(ip).ok()?;
        if !found.has_data() {
            return None;
        }
        PATHS.iter().find_map(|path| {
            let code: String = found.decode_path(path).ok()??;
            Country::parse(&code)
        })
    }

    /// The file, for the report's list of geo sources.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The metadata's database type, e.g. `GeoLite2-Country` or `DBIP-Country-Lite`.
    pub fn database_type(&self) -> &str {
        &self.reader.metadata().database_type
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use mmdb_writer::ipnet::IpNet;
    use mmdb_writer::Writer;
    use serde::Serialize;

    use super::*;
    use crate::geo::Geo;

    #[derive(Serialize)]
    struct Iso {
        iso_code: &'static str,
        names: BTreeMap<&'static str, &'static str>,
    }

    /// GeoIP2 / DB-IP layout.
    #[derive(Serialize)]
    struct CountryRecord {
        country: Iso,
    }

    /// GeoIP2 anonymous-proxy layout: no `country`, only the registration.
    #[derive(Serialize)]
    struct RegisteredOnly {
        registered_country: Iso,
    }

    /// ip-location-db's flat layout.
    #[derive(Serialize)]
    struct Flat {
        country_code: &'static str,
    }

    fn iso(code: &'static str) -> Iso {
        Iso {
            iso_code: code,
            names: BTreeMap::from([("en", "x")]),
        }
    }

    fn net(s: &str) -> IpNet {
        s.parse().unwrap()
    }

    fn write_db(dir: &Path) -> PathBuf {
        let mut w = Writer::new("DBIP-Country-Lite");
        w.insert(net("192.0.2.0/24"), &CountryRecord { country: iso("JP") })
            .unwrap();
        w.insert(
            net("198.51.100.0/24"),
            &RegisteredOnly {
                registered_country: iso("NL"),
            },
        )
        .unwrap();
        w.insert(net("203.0.113.0/24"), &Flat { country_code: "br" })
            .unwrap();
        w.insert(net("2001:db8::/32"), &Flat { country_code: "DE" })
            .unwrap();
        w.insert(
            net("100.64.0.0/24"),
            &Flat {
                country_code: "???",
            },
        )
        .unwrap();
        let path = dir.join("test.mmdb");
        std::fs::write(&path, w.to_bytes().unwrap()).unwrap();
        path
    }

    #[test]
    fn mmdb_layouts_are_read() {
        let dir = std::env::temp_dir().join(format!("mailsleuth-mmdb-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = write_db(&dir);
        let geo = Geo::load(std::slice::from_ref(&path), &[]).unwrap();
        let cc = |s: &str| geo.country(s.parse().unwrap()).map(|c| c.to_string());
        assert_eq!(cc("192.0.2.77").as_deref(), Some("JP"));
        assert_eq!(cc("198.51.100.1").as_deref(), Some("NL"));
        assert_eq!(cc("203.0.113.9").as_deref(), Some("BR"));
        assert_eq!(cc("2001:db8:1::5").as_deref(), Some("DE"));
        assert_eq!(cc("100.64.0.1"), None, "a malformed code is unknown");
        assert_eq!(cc("8.8.8.8"), None);
        assert_eq!(geo.sources()[0].detail, "DBIP-Country-Lite");
        assert_eq!(geo.sources()[0].kind, "mmdb");

        // A file that is not an mmdb names itself.
        let junk = dir.join("junk.mmdb");
        std::fs::write(&junk, b"this is not a database").unwrap();
        let e = Geo::load(std::slice::from_ref(&junk), &[])
            .unwrap_err()
            .to_string();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(
            e.starts_with(&format!("{}: not a usable MaxMind DB file", junk.display())),
            "{e}"
        );
    }
}
