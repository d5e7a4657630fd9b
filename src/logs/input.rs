//! Log inputs: paths, directories of rotated logs, stdin; gzip and zstd by magic bytes; the
//! SHA-256 of the bytes on disk computed while they are read.

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::SystemTime;

use sha2::{Digest, Sha256};

use crate::output::evidence::hex;

use super::time::{parse_rfc3339, Stamp};
use super::LogError;

/// One input as the user named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputSpec {
    /// A file, or a directory of rotated logs.
    Path(PathBuf),
    /// `-`: standard input.
    Stdin,
}

impl InputSpec {
    /// `-` is stdin, anything else a path.
    pub fn parse(arg: &str) -> InputSpec {
        if arg == "-" {
            InputSpec::Stdin
        } else {
            InputSpec::Path(PathBuf::from(arg))
        }
    }

    /// How the input is named in reports and errors.
    pub fn display(&self) -> String {
        match self {
            InputSpec::Path(p) => p.display().to_string(),
            InputSpec::Stdin => "-".to_string(),
        }
    }
}

/// What each input was, as every report records it.
pub use crate::output::evidence::InputInfo;

/// The rotation order key of a file name relative to its family: plain `mail.log` is newest.
/// `mail.log.N[.gz|.zst]` sorts by N descending, `mail.log-YYYYMMDD[.gz]` by date ascending.
fn rotation(name: &str) -> (String, i64) {
    let stem = name
        .strip_suffix(".gz")
        .or_else(|| name.strip_suffix(".zst"))
        .unwrap_or(name);
    if let Some((base, n)) = stem.rsplit_once('.') {
        if !n.is_empty() && n.len() <= 4 && n.bytes().all(|c| c.is_ascii_digit()) {
            if let Ok(n) = n.parse::<i64>() {
                // Older (higher N) first: a large negative key.
                return (base.to_string(), -1_000_000_000 - n);
            }
        }
    }
    if let Some((base, d)) = stem.rsplit_once('-') {
        if d.len() == 8 || d.len() == 10 {
            if let Ok(d) = d.parse::<i64>() {
                return (base.to_string(), -1_000_000_000_000 + d);
            }
        }
    }
    (stem.to_string(), 0)
}

/// Order the files of a directory: grouped by log family (`mail.log`, `mail.err`), each family
/// oldest rotation first and the live file last. Hidden files and subdirectories are skipped.
fn order_dir(dir: &Path) -> Result<Vec<PathBuf>, LogError> {
    let err = |e| LogError::io(dir, e);
    let mut files = Vec::new();
    for ent in fs::read_dir(dir).map_err(err)? {
        let ent = ent.map_err(err)?;
        let name = ent.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || !ent.file_type().map_err(err)?.is_file() {
            continue;
        }
        let (family, key) = rotation(&name);
        files.push((family, key, name, ent.path()));
    }
    // A folder without logs is a wrong path, not a clean site: "nothing flagged" would be a
    // silently wrong verdict.
    if files.is_empty() {
        return Err(err(io::Error::new(
            io::ErrorKind::NotFound,
            "no log files in this folder",
        )));
    }
    files.sort();
    Ok(files.into_iter().map(|f| f.3).collect())
}

/// Expand directories into their files in time order; files and stdin stay as given.
pub fn expand(inputs: &[InputSpec]) -> Result<Vec<InputSpec>, LogError> {
    let mut out = Vec::new();
    for i in inputs {
        match i {
            InputSpec::Path(p) if p.is_dir() => {
                out.extend(order_dir(p)?.into_iter().map(InputSpec::Path));
            }
            other => out.push(other.clone()),
        }
    }
    Ok(out)
}

/// Total bytes on disk of the expanded inputs, for a progress bar; `None` when stdin is one.
pub fn total_size(inputs: &[InputSpec]) -> Option<u64> {
    let mut total = 0;
    for i in expand(inputs).ok()? {
        match i {
            InputSpec::Path(p) => total += fs::metadata(&p).ok()?.len(),
            InputSpec::Stdin => return None,
        }
    }
    Some(total)
}

/// A reader that hashes and counts the bytes that pass through it; the count is shared so the
/// pipeline can report progress in bytes on disk while a decoder owns the reader.
pub struct Hashing<R> {
    inner: R,
    /// `None` after `count_only`.
    hash: Option<Sha256>,
    bytes: u64,
    pub progress: Arc<AtomicU64>,
}

impl<R: Read> Hashing<R> {
    pub fn new(inner: R) -> Self {
        Hashing {
            inner,
            hash: Some(Sha256::new()),
            bytes: 0,
            progress: Arc::new(AtomicU64::new(0)),
        }
    }

    /// From now on only count the bytes: the caller hashes the whole stream itself, the bytes
    /// already read included (see `pipeline::run_input`).
    pub fn count_only(&mut self) {
        self.hash = None;
    }

    /// Read what the decoder left (trailing data after a gzip member, say), so the hash covers
    /// the whole file, and return (size, hex digest); no digest after `count_only`.
    pub fn finish(mut self) -> io::Result<(u64, Option<String>)> {
        let mut buf = vec![0u8; 1 << 16];
        loop {
            match self.read(&mut buf) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok((self.bytes, self.hash.map(|h| hex(&h.finalize()))))
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(h) = &mut self.hash {
            h.update(&buf[..n]);
        }
        self.bytes += n as u64;
        self.progress.store(self.bytes, Ordering::Relaxed);
        Ok(n)
    }
}

/// Compression, detected from the first bytes (never from the name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    Plain,
    Gzip,
    Zstd,
}

pub fn codec_of(head: &[u8]) -> Codec {
    if head.starts_with(&[0x1f, 0x8b]) {
        Codec::Gzip
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Codec::Zstd
    } else {
        Codec::Plain
    }
}

/// An opened input: the raw source and what we learnt before reading it.
pub struct Opened {
    pub name: String,
    pub source: Hashing<Box<dyn Read + Send>>,
    pub codec: Codec,
    /// The first bytes, already consumed (and hashed) from `source` to sniff the codec.
    pub head: Vec<u8>,
    /// mtime for files, now for stdin: the reference for the year of classic stamps.
    pub reference: i64,
    /// Offset of an RFC 3339 stamp near the start or end of a plain file.
    pub probed_offset: Option<i32>,
}

fn unix(t: SystemTime) -> i64 {
    match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    }
}

/// Offset of the first RFC 3339 stamp at a line start in `buf`.
pub fn find_offset(buf: &[u8]) -> Option<i32> {
    let mut starts = std::iter::once(0).chain(memchr::memchr_iter(b'\n', buf).map(|n| n + 1));
    starts.find_map(|s| match parse_rfc3339(buf.get(s..)?) {
        Some((Stamp::Abs(_, off), _)) => Some(off),
        _ => None,
    })
}

/// Open an input read-only and sniff its codec.
pub fn open(spec: &InputSpec) -> Result<Opened, LogError> {
    let name = spec.display();
    let (source, reference, file): (Box<dyn Read + Send>, i64, Option<File>) = match spec {
        InputSpec::Stdin => (Box::new(io::stdin()), unix(SystemTime::now()), None),
        InputSpec::Path(p) => {
            let f = File::open(p).map_err(|e| LogError::io(p, e))?;
            let meta = f.metadata().map_err(|e| LogError::io(p, e))?;
            if meta.is_dir() {
                return Err(LogError::io(
                    p,
                    io::Error::new(io::ErrorKind::InvalidInput, "is a directory"),
                ));
            }
            let mtime = meta
                .modified()
                .map(unix)
                .unwrap_or_else(|_| unix(SystemTime::now()));
            let probe = f.try_clone().map_err(|e| LogError::io(p, e))?;
            (Box::new(f), mtime, Some(probe))
        }
    };
    let mut source = Hashing::new(source);
    let mut head = vec![0u8; 4];
    let mut got = 0;
    while got < head.len() {
        match source.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                return Err(LogError::Io {
                    path: name,
                    cause: e,
                })
            }
        }
    }
    head.truncate(got);
    let codec = codec_of(&head);
    let probed_offset = match (codec, file) {
        (Codec::Plain, Some(f)) => probe_offset(&f),
        _ => None,
    };
    Ok(Opened {
        name,
        source,
        codec,
        head,
        reference,
        probed_offset,
    })
}

/// Look at the first and last 64 KiB of a plain file for an RFC 3339 stamp's offset. These
/// reads use positioned I/O on a second handle, apart from the hashed stream.
fn probe_offset(f: &File) -> Option<i32> {
    use std::os::unix::fs::FileExt;
    const PROBE: u64 = 64 * 1024;
    let len = f.metadata().ok()?.len();
    let mut buf = vec![0u8; PROBE.min(len) as usize];
    let n = f.read_at(&mut buf, 0).ok()?;
    if let Some(o) = find_offset(&buf[..n]) {
        return Some(o);
    }
    if len > PROBE {
        let n = f.read_at(&mut buf, len - PROBE).ok()?;
        return find_offset(&buf[..n]);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn rotation_order() {
        let dir = tempfile::tempdir().expect("tempdir");
        for n in [
            "mail.log",
            "mail.log.1",
            "mail.log.2.gz",
            "mail.log.10.gz",
            "mail.log.3.zst",
            ".hidden",
        ] {
            File::create(dir.path().join(n)).expect("create");
        }
        let got: Vec<String> = order_dir(dir.path())
            .expect("order")
            .iter()
            .map(|p| p.file_name().expect("name").to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            got,
            [
                "mail.log.10.gz",
                "mail.log.3.zst",
                "mail.log.2.gz",
                "mail.log.1",
                "mail.log"
            ]
        );
    }

    #[test]
    fn dateext_rotation_order() {
        let mut v = ["mail.log", "mail.log-20261115.gz", "mail.log-20261108"]
            .iter()
            .map(|n| (rotation(n), *n))
            .collect::<Vec<_>>();
        v.sort();
        let names: Vec<&str> = v.iter().map(|x| x.1).collect();
        assert_eq!(
            names,
            ["mail.log-20261108", "mail.log-20261115.gz", "mail.log"]
        );
    }

    #[test]
    fn magic_bytes_not_names() {
        assert_eq!(codec_of(&[0x1f, 0x8b, 8, 0]), Codec::Gzip);
        assert_eq!(codec_of(&[0x28, 0xb5, 0x2f, 0xfd]), Codec::Zstd);
        assert_eq!(codec_of(b"Nov "), Codec::Plain);
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("looks-plain.log");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"Nov 22 04:03:14 mail x: y\n").expect("gz");
        fs::write(&p, gz.finish().expect("gz")).expect("write");
        let o = open(&InputSpec::Path(p)).expect("open");
        assert_eq!(o.codec, Codec::Gzip);
    }

    #[test]
    fn hashing_reader_covers_all_bytes() {
        let data = b"abc".repeat(1000);
        let mut r = Hashing::new(&data[..]);
        let mut first = [0u8; 10];
        r.read_exact(&mut first).expect("read");
        let (n, hex) = r.finish().expect("finish");
        assert_eq!(n, 3000);
        let want = Sha256::digest(&data);
        let want: String = want.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, Some(want));
        let mut r = Hashing::new(&data[..]);
        r.count_only();
        assert_eq!(r.finish().expect("finish"), (3000, None));
    }

    #[test]
    fn probe_finds_offset() {
        assert_eq!(
            find_offset(b"Nov 22 04:03:14 a b: c\n2026-11-22T04:03:14.1-05:30 a b: c\n"),
            Some(-(5 * 3600 + 1800))
        );
        assert_eq!(find_offset(b"Nov 22 04:03:14 a b: c\n"), None);
    }
}
