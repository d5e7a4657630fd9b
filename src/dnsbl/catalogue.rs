//! The zone catalogue: which DNS lists exist, what kind each is, and how to read its answers.
//!
//! The catalogue is data (`zones.toml`, compiled in), so adding a list or a return code is a
//! data change reviewed against the list's documentation; `--zone-file` adds zones in the same
//! format. Every error names the file, the zone and the field at fault.

use std::collections::BTreeSet;
use std::fmt;
use std::net::Ipv4Addr;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// The built-in catalogue, in the `--zone-file` format.
pub const BUILTIN_ZONES: &str = include_str!("zones.toml");

/// The environment variable holding a Spamhaus DQS key (the lead's `--spamhaus-dqs-key` flag
/// reads it through clap's `env`).
pub const DQS_KEY_ENV: &str = "MAILSLEUTH_SPAMHAUS_DQS_KEY";

/// What a zone lists, which decides what is queried against it and what a hit means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ZoneKind {
    /// Addresses that send abuse: a hit flags the address.
    IpBlock,
    /// Addresses vouched for: a hit is good news and never flags.
    IpAllow,
    /// Domain names seen in abuse: queried with host names, a hit flags the name.
    DomainBlock,
}

impl ZoneKind {
    /// Whether addresses (rather than host names) are queried against this kind of zone.
    pub fn is_ip(self) -> bool {
        matches!(self, ZoneKind::IpBlock | ZoneKind::IpAllow)
    }

    /// Whether a hit on this kind of zone is bad news (exit code 1).
    pub fn is_block(self) -> bool {
        matches!(self, ZoneKind::IpBlock | ZoneKind::DomainBlock)
    }
}

impl fmt::Display for ZoneKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ZoneKind::IpBlock => "ip_block",
            ZoneKind::IpAllow => "ip_allow",
            ZoneKind::DomainBlock => "domain_block",
        })
    }
}

/// A value with its documented meaning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coded<T> {
    pub value: T,
    pub meaning: String,
}

/// How a zone's A answers are read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decoding {
    /// Each valid answer is one of these addresses.
    Codes(Vec<Coded<Ipv4Addr>>),
    /// Answers are 127.0.0.X with X a sum of these bit values (SURBL, URIBL multi).
    Bitmask(Vec<Coded<u8>>),
    /// Answers are 127.0.X.Y: X a category, Y a trust level (DNSWL).
    Dnswl {
        categories: Vec<Coded<u8>>,
        trust: Vec<Coded<u8>>,
    },
}

/// One DNS list, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zone {
    /// Short name for `--zones`.
    pub id: String,
    /// The zone's public name, shown in reports (never the DQS-keyed name, which holds a secret).
    pub name: String,
    pub kind: ZoneKind,
    pub description: String,
    /// Free for general low-volume use under the operator's terms.
    pub free: bool,
    /// Why the list must not be queried any more; such zones are never selected.
    pub dead: Option<String>,
    /// Part of the default selection.
    pub default: bool,
    /// The zone lists IPv6 addresses; IPv6 addresses are not queried against other zones.
    pub ipv6: bool,
    /// The Spamhaus DQS zone label (`zen`, `dbl`) when the list is also served by DQS.
    pub dqs: Option<String>,
    /// RFC 5782 section 5 test entries: the first must be listed, the second must not.
    pub probe: Option<(String, String)>,
    pub decoding: Decoding,
    /// Answers meaning "refused" or "wrong query", with their explanation.
    pub errors: Vec<Coded<Ipv4Addr>>,
    /// The suffix actually queried: `name`, or the DQS name once a key is applied.
    query_suffix: String,
}

impl Zone {
    /// The name queried for a key (a reversed address or a domain name) in this zone.
    pub fn query_name(&self, key: &str) -> String {
        format!("{key}.{}", self.query_suffix)
    }

    /// Whether this zone is queried for `ip`'s family.
    pub fn covers(&self, ip: std::net::IpAddr) -> bool {
        self.kind.is_ip() && (ip.is_ipv4() || self.ipv6)
    }
}

/// A zone file (or the built-in catalogue) could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{origin}: {message}")]
pub struct ZoneFileError {
    /// The file name, or `built-in zones.toml`.
    pub origin: String,
    pub message: String,
}

/// `--zones` or the DQS key named something that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectError {
    #[error("--zones: unknown zone {0:?} (known: {1})")]
    Unknown(String, String),
    #[error("--zones: zone {name} is dead and is never queried: {why}")]
    Dead { name: String, why: String },
    #[error("--zones: no zone given")]
    Empty,
    #[error("Spamhaus DQS key: expected 1 to 63 letters and digits (the key is not shown)")]
    BadDqsKey,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    zone: Vec<RawZone>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawZone {
    id: String,
    name: String,
    kind: ZoneKind,
    #[serde(default)]
    description: String,
    #[serde(default)]
    free: bool,
    dead: Option<String>,
    default: Option<bool>,
    #[serde(default)]
    ipv6: bool,
    dqs: Option<String>,
    probe_listed: Option<String>,
    probe_not_listed: Option<String>,
    decode: RawDecode,
    codes: Option<Vec<RawCode>>,
    bits: Option<Vec<RawBit>>,
    categories: Option<Vec<RawValue>>,
    trust: Option<Vec<RawValue>>,
    #[serde(default)]
    errors: Vec<RawCode>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum RawDecode {
    Codes,
    Bitmask,
    Dnswl,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCode {
    code: String,
    meaning: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBit {
    bit: u8,
    meaning: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawValue {
    value: u8,
    meaning: String,
}

/// All known zones: the built-in ones and any added from zone files.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    zones: Vec<Zone>,
}

impl Catalogue {
    /// The built-in catalogue. It is data checked by a unit test, but a broken edit is still an
    /// error for the caller rather than a panic.
    pub fn builtin() -> Result<Catalogue, ZoneFileError> {
        let mut catalogue = Catalogue::default();
        catalogue.add_toml("built-in zones.toml", BUILTIN_ZONES)?;
        Ok(catalogue)
    }

    /// Adds the zones of a `--zone-file`.
    pub fn add_file(&mut self, path: &Path) -> Result<(), ZoneFileError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ZoneFileError {
            origin: origin.clone(),
            message: e.to_string(),
        })?;
        self.add_toml(&origin, &text)
    }

    /// Adds zones from TOML text; `origin` names it in errors. Nothing is added on error.
    pub fn add_toml(&mut self, origin: &str, text: &str) -> Result<(), ZoneFileError> {
        let fail = |message: String| ZoneFileError {
            origin: origin.to_string(),
            message,
        };
        let raw: RawFile = toml::from_str(text).map_err(|e| fail(e.to_string().trim().into()))?;
        let mut added = Vec::with_capacity(raw.zone.len());
        for (index, raw_zone) in raw.zone.into_iter().enumerate() {
            let label = format!("zone #{} (id {:?})", index + 1, raw_zone.id);
            let zone = validate(raw_zone).map_err(|m| fail(format!("{label}: {m}")))?;
            let clash = self.zones.iter().chain(added.iter()).find(|z: &&Zone| {
                z.id.eq_ignore_ascii_case(&zone.id) || z.name.eq_ignore_ascii_case(&zone.name)
            });
            if let Some(other) = clash {
                return Err(fail(format!(
                    "{label}: id or name clashes with zone {} ({})",
                    other.id, other.name
                )));
            }
            added.push(zone);
        }
        self.zones.extend(added);
        Ok(())
    }

    /// Every zone, dead ones included (for listing the catalogue).
    pub fn zones(&self) -> &[Zone] {
        &self.zones
    }

    /// The zones to query: those named (by id or zone name, case-insensitive), or, when
    /// `picks` is empty, every zone marked `default` that is not dead.
    pub fn select(&self, picks: &[String]) -> Result<Vec<Zone>, SelectError> {
        if picks.is_empty() {
            return Ok(self
                .zones
                .iter()
                .filter(|z| z.default && z.dead.is_none())
                .cloned()
                .collect());
        }
        let mut chosen: Vec<Zone> = Vec::new();
        for pick in picks.iter().map(|p| p.trim().trim_end_matches('.')) {
            if pick.is_empty() {
                continue;
            }
            let zone = self
                .zones
                .iter()
                .find(|z| z.id.eq_ignore_ascii_case(pick) || z.name.eq_ignore_ascii_case(pick))
                .ok_or_else(|| {
                    let known: Vec<&str> = self.zones.iter().map(|z| z.id.as_str()).collect();
                    SelectError::Unknown(pick.to_string(), known.join(", "))
                })?;
            if let Some(why) = &zone.dead {
                return Err(SelectError::Dead {
                    name: zone.name.clone(),
                    why: why.clone(),
                });
            }
            if !chosen.iter().any(|z| z.id == zone.id) {
                chosen.push(zone.clone());
            }
        }
        if chosen.is_empty() {
            return Err(SelectError::Empty);
        }
        Ok(chosen)
    }
}

/// Rewrites the zones served by Spamhaus DQS to `KEY.<dqs>.dq.spamhaus.net`. DQS answers
/// queries from any resolver (public ones included) and at higher volume, with the same codes.
/// The key never appears in reports: zones keep their public `name`.
pub fn apply_dqs_key(zones: &mut [Zone], key: &str) -> Result<(), SelectError> {
    let key = key.trim();
    if key.is_empty() || key.len() > 63 || !key.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(SelectError::BadDqsKey);
    }
    for zone in zones.iter_mut() {
        if let Some(label) = &zone.dqs {
            zone.query_suffix = format!("{key}.{label}.dq.spamhaus.net");
        }
    }
    Ok(())
}

fn validate(raw: RawZone) -> Result<Zone, String> {
    if raw.id.is_empty()
        || !raw
            .id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err("field `id`: use letters, digits and '-'".into());
    }
    let name = raw.name.trim_end_matches('.').to_ascii_lowercase();
    if !is_domain_name(&name) {
        return Err(format!("field `name`: {:?} is not a DNS name", raw.name));
    }
    if let Some(label) = &raw.dqs {
        if label.is_empty()
            || !label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(format!("field `dqs`: {label:?} is not a DNS label"));
        }
    }
    let unused = [
        (
            "codes",
            raw.codes.is_some() && !matches!(raw.decode, RawDecode::Codes),
        ),
        (
            "bits",
            raw.bits.is_some() && !matches!(raw.decode, RawDecode::Bitmask),
        ),
        (
            "categories",
            raw.categories.is_some() && !matches!(raw.decode, RawDecode::Dnswl),
        ),
        (
            "trust",
            raw.trust.is_some() && !matches!(raw.decode, RawDecode::Dnswl),
        ),
    ];
    if let Some((field, _)) = unused.iter().find(|(_, bad)| *bad) {
        return Err(format!("field `{field}`: does not apply to this `decode`"));
    }
    let decoding = match raw.decode {
        RawDecode::Codes => {
            let codes = raw
                .codes
                .ok_or("field `codes`: required with decode = \"codes\"")?;
            Decoding::Codes(parse_codes("codes", &codes)?)
        }
        RawDecode::Bitmask => {
            let bits = raw
                .bits
                .ok_or("field `bits`: required with decode = \"bitmask\"")?;
            let mut seen = 0u8;
            let mut out = Vec::with_capacity(bits.len());
            for bit in bits {
                if !bit.bit.is_power_of_two() || seen & bit.bit != 0 {
                    return Err(format!(
                        "field `bits`: {} is not a single, new bit value (1, 2, 4 ... 128)",
                        bit.bit
                    ));
                }
                seen |= bit.bit;
                out.push(Coded {
                    value: bit.bit,
                    meaning: bit.meaning,
                });
            }
            Decoding::Bitmask(out)
        }
        RawDecode::Dnswl => {
            let categories = raw
                .categories
                .ok_or("field `categories`: required with decode = \"dnswl\"")?;
            let trust = raw
                .trust
                .ok_or("field `trust`: required with decode = \"dnswl\"")?;
            Decoding::Dnswl {
                categories: parse_values("categories", categories)?,
                trust: parse_values("trust", trust)?,
            }
        }
    };
    let errors = parse_codes("errors", &raw.errors)?;
    if let Some(clash) = errors
        .iter()
        .find(|e| decodes_as_listed(&decoding, e.value))
    {
        return Err(format!(
            "field `errors`: {} is also a listing code",
            clash.value
        ));
    }
    let probe = match (raw.probe_listed, raw.probe_not_listed, raw.kind.is_ip()) {
        (Some(listed), Some(not_listed), _) => Some((listed, not_listed)),
        (None, None, true) => Some(("127.0.0.2".to_string(), "127.0.0.1".to_string())),
        (None, None, false) => None,
        _ => {
            return Err("fields `probe_listed` and `probe_not_listed`: give both or neither".into())
        }
    };
    if let Some((listed, not_listed)) = &probe {
        for (field, value) in [("probe_listed", listed), ("probe_not_listed", not_listed)] {
            let ok = if raw.kind.is_ip() {
                value.parse::<std::net::IpAddr>().is_ok()
            } else {
                is_domain_name(value)
            };
            if !ok {
                return Err(format!(
                    "field `{field}`: {value:?} is not a valid test entry for a {} zone",
                    raw.kind
                ));
            }
        }
    }
    Ok(Zone {
        id: raw.id,
        query_suffix: name.clone(),
        name,
        kind: raw.kind,
        description: raw.description,
        free: raw.free,
        dead: raw.dead,
        default: raw.default.unwrap_or(true),
        ipv6: raw.ipv6,
        dqs: raw.dqs,
        probe,
        decoding,
        errors,
    })
}

fn parse_codes(field: &str, raw: &[RawCode]) -> Result<Vec<Coded<Ipv4Addr>>, String> {
    let mut seen = BTreeSet::new();
    raw.iter()
        .map(|c| {
            let value: Ipv4Addr = c
                .code
                .parse()
                .map_err(|_| format!("field `{field}`: {:?} is not an IPv4 address", c.code))?;
            if !seen.insert(value) {
                return Err(format!("field `{field}`: {value} appears twice"));
            }
            Ok(Coded {
                value,
                meaning: c.meaning.clone(),
            })
        })
        .collect()
}

fn parse_values(field: &str, raw: Vec<RawValue>) -> Result<Vec<Coded<u8>>, String> {
    let mut seen = BTreeSet::new();
    raw.into_iter()
        .map(|v| {
            if !seen.insert(v.value) {
                return Err(format!("field `{field}`: {} appears twice", v.value));
            }
            Ok(Coded {
                value: v.value,
                meaning: v.meaning,
            })
        })
        .collect()
}

fn decodes_as_listed(decoding: &Decoding, answer: Ipv4Addr) -> bool {
    crate::dnsbl::decode::listing_meaning(decoding, answer).is_some()
}

/// A syntactically valid absolute DNS name without the trailing dot (RFC 1035 2.3.4 lengths;
/// letters, digits, '-' and '_' since DNSBL and DKIM names use underscores).
pub(crate) fn is_domain_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builtin() -> Catalogue {
        match Catalogue::builtin() {
            Ok(c) => c,
            Err(e) => panic!("built-in catalogue does not load: {e}"),
        }
    }

    fn zone<'a>(c: &'a Catalogue, id: &str) -> &'a Zone {
        match c.zones().iter().find(|z| z.id == id) {
            Some(z) => z,
            None => panic!("no zone {id}"),
        }
    }

    #[test]
    fn builtin_catalogue_has_the_documented_lists() {
        let c = builtin();
        let ids: Vec<&str> = c.zones().iter().map(|z| z.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "zen",
                "spamcop",
                "barracuda",
                "psbl",
                "mailspike",
                "uceprotect1",
                "uceprotect2",
                "uceprotect3",
                "s5h",
                "dnswl",
                "dbl",
                "surbl",
                "uribl",
                "sorbs"
            ]
        );
        let zen = zone(&c, "zen");
        assert_eq!(zen.kind, ZoneKind::IpBlock);
        assert!(zen.ipv6);
        assert_eq!(zen.errors.len(), 3);
        assert_eq!(
            zen.probe,
            Some(("127.0.0.2".to_string(), "127.0.0.1".to_string()))
        );
        assert_eq!(zone(&c, "dnswl").kind, ZoneKind::IpAllow);
        assert_eq!(zone(&c, "dbl").kind, ZoneKind::DomainBlock);
        assert_eq!(
            zone(&c, "dbl").probe,
            Some(("dbltest.com".to_string(), "invalid".to_string()))
        );
        assert!(zone(&c, "sorbs").dead.is_some());
    }

    #[test]
    fn default_selection_is_free_live_and_excludes_registration_and_neighbour_lists() {
        let c = builtin();
        let chosen = match c.select(&[]) {
            Ok(z) => z,
            Err(e) => panic!("{e}"),
        };
        let ids: Vec<&str> = chosen.iter().map(|z| z.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "zen",
                "spamcop",
                "psbl",
                "mailspike",
                "uceprotect1",
                "s5h",
                "dnswl",
                "dbl",
                "surbl",
                "uribl"
            ]
        );
        assert!(chosen.iter().all(|z| z.free && z.dead.is_none()));
    }

    #[test]
    fn select_by_id_or_name_dedups_and_refuses_dead_and_unknown() {
        let c = builtin();
        let picks: Vec<String> = ["ZEN", "bl.spamcop.net.", "zen.spamhaus.org"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let ids: Vec<String> = match c.select(&picks) {
            Ok(z) => z.into_iter().map(|z| z.id).collect(),
            Err(e) => panic!("{e}"),
        };
        assert_eq!(ids, ["zen", "spamcop"]);
        let dead = c.select(&["sorbs".to_string()]);
        assert!(
            matches!(dead, Err(SelectError::Dead { ref name, .. }) if name == "dnsbl.sorbs.net")
        );
        let unknown = c.select(&["nope".to_string()]);
        match unknown {
            Err(e @ SelectError::Unknown(..)) => {
                let text = e.to_string();
                assert!(
                    text.contains("\"nope\"") && text.contains("zen, spamcop"),
                    "{text}"
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(c.select(&[" ".to_string()]), Err(SelectError::Empty));
    }

    #[test]
    fn dqs_key_rewrites_only_spamhaus_zones_and_keeps_the_public_name() {
        let c = builtin();
        let mut zones = match c.select(&[]) {
            Ok(z) => z,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(apply_dqs_key(&mut zones, "abc123"), Ok(()));
        assert_eq!(
            zones[0].query_name("2.0.0.127"),
            "2.0.0.127.abc123.zen.dq.spamhaus.net"
        );
        assert_eq!(zones[0].name, "zen.spamhaus.org");
        let dbl = zones
            .iter()
            .find(|z| z.id == "dbl")
            .map(|z| z.query_name("x.test"));
        assert_eq!(dbl.as_deref(), Some("x.test.abc123.dbl.dq.spamhaus.net"));
        assert_eq!(zones[1].query_name("2.0.0.127"), "2.0.0.127.bl.spamcop.net");
        assert_eq!(
            apply_dqs_key(&mut zones, "a.b"),
            Err(SelectError::BadDqsKey)
        );
        assert_eq!(apply_dqs_key(&mut zones, ""), Err(SelectError::BadDqsKey));
    }

    #[test]
    fn custom_zone_file_adds_zones_and_errors_name_file_zone_and_field() {
        let mut c = builtin();
        let ok = r#"
[[zone]]
id = "local"
name = "bl.example.net."
kind = "ip_block"
decode = "codes"
codes = [{ code = "127.0.0.2", meaning = "local: listed" }]
"#;
        assert_eq!(c.add_toml("local.toml", ok), Ok(()));
        let local = zone(&c, "local");
        assert_eq!(local.name, "bl.example.net");
        assert!(
            local.default,
            "custom zones join the default set unless default = false"
        );
        assert!(!local.ipv6);

        let cases = [
            (
                "[[zone]]\nid = \"x\"\nname = \"x.example\"\nkind = \"ip_block\"\ndecode = \"codes\"\ncodes = [{ code = \"127.0.0.256\", meaning = \"m\" }]\n",
                "bad.toml: zone #1 (id \"x\"): field `codes`: \"127.0.0.256\" is not an IPv4 address",
            ),
            (
                "[[zone]]\nid = \"x\"\nname = \"x.example\"\nkind = \"ip_block\"\ndecode = \"bitmask\"\n",
                "bad.toml: zone #1 (id \"x\"): field `bits`: required with decode = \"bitmask\"",
            ),
            (
                "[[zone]]\nid = \"x\"\nname = \"x.example\"\nkind = \"ip_block\"\ndecode = \"bitmask\"\nbits = [{ bit = 3, meaning = \"m\" }]\n",
                "bad.toml: zone #1 (id \"x\"): field `bits`: 3 is not a single, new bit value (1, 2, 4 ... 128)",
            ),
            (
                "[[zone]]\nid = \"local2\"\nname = \"bl.example.net\"\nkind = \"ip_block\"\ndecode = \"codes\"\ncodes = []\n",
                "bad.toml: zone #1 (id \"local2\"): id or name clashes with zone local (bl.example.net)",
            ),
            (
                "[[zone]]\nid = \"x\"\nname = \"x.example\"\nkind = \"ip_block\"\ndecode = \"codes\"\ncodes = [{ code = \"127.0.0.2\", meaning = \"m\" }]\nerrors = [{ code = \"127.0.0.2\", meaning = \"m\" }]\n",
                "bad.toml: zone #1 (id \"x\"): field `errors`: 127.0.0.2 is also a listing code",
            ),
            (
                "[[zone]]\nid = \"x\"\nname = \"x.example\"\nkind = \"domain_block\"\nprobe_listed = \"test\"\ndecode = \"codes\"\ncodes = []\n",
                "bad.toml: zone #1 (id \"x\"): fields `probe_listed` and `probe_not_listed`: give both or neither",
            ),
            (
                "[[zone]]\nid = \"x y\"\nname = \"x.example\"\nkind = \"ip_block\"\ndecode = \"codes\"\ncodes = []\n",
                "bad.toml: zone #1 (id \"x y\"): field `id`: use letters, digits and '-'",
            ),
        ];
        for (text, want) in cases {
            let before = c.zones().len();
            match c.add_toml("bad.toml", text) {
                Err(e) => assert_eq!(e.to_string(), want),
                Ok(()) => panic!("accepted: {text}"),
            }
            assert_eq!(c.zones().len(), before);
        }
        // Type errors and unknown fields come from the TOML parser, with the line.
        let typo = "[[zone]]\nid = \"x\"\nname = \"x.example\"\nkind = \"ip_blok\"\ndecode = \"codes\"\ncodes = []\n";
        let text = match c.add_toml("typo.toml", typo) {
            Err(e) => e.to_string(),
            Ok(()) => panic!("accepted a bad kind"),
        };
        assert!(text.starts_with("typo.toml: "), "{text}");
        assert!(
            text.contains("line 4") && text.contains("ip_blok"),
            "{text}"
        );
        let unknown = "[[zone]]\nid = \"x\"\nname = \"x.example\"\nkind = \"ip_block\"\ndecode = \"codes\"\ncodes = []\ncolour = 1\n";
        let text = match c.add_toml("u.toml", unknown) {
            Err(e) => e.to_string(),
            Ok(()) => panic!("accepted an unknown field"),
        };
        assert!(text.contains("colour"), "{text}");
    }
}
