//! Reading messages from evidence: .eml files, mbox files, Maildir folders, folders of
//! messages, and stdin. Inputs are streamed (an mbox is never loaded whole), opened read-only,
//! and hashed as they are read, so every report can name the SHA-256 of its evidence.

use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::EmptyHeaders;
use crate::output::evidence::hex;
pub use crate::output::evidence::InputInfo;

/// The largest message analysed whole; a longer one is cut here and flagged, so hostile input
/// (a 10 GB "message" with no line breaks) cannot exhaust memory.
pub const MAX_MESSAGE_BYTES: usize = 64 << 20;

/// One message read from an input.
#[derive(Debug)]
pub struct RawMessage<'a> {
    /// The input's path as given (`-` for stdin).
    pub input: &'a str,
    /// 1-based position of the message in its input (mbox order).
    pub index: usize,
    pub bytes: Vec<u8>,
    /// Bytes beyond [`MAX_MESSAGE_BYTES`] were dropped.
    pub truncated: bool,
}

/// Why an input could not be read. Each names the file at fault.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{path}: {source}")]
    Io { path: String, source: io::Error },
    #[error("{path}: empty input, no message in it")]
    Empty { path: String },
    /// Writing a result failed (e.g. a closed pipe); not the input's fault.
    #[error(transparent)]
    Output(io::Error),
}

/// Reads messages from paths and keeps the evidence record of each input read.
pub struct Reader {
    pub inputs: Vec<InputInfo>,
    /// A zero-byte input: refused (`empty input`), or read as one message of zero bytes.
    empty: EmptyHeaders,
}

impl Reader {
    /// A reader that treats a zero-byte input as `empty` says: an error, or one message.
    pub fn new(empty: EmptyHeaders) -> Self {
        Reader {
            inputs: Vec::new(),
            empty,
        }
    }

    /// Like [`Reader::read`], as every command uses it: an unreadable input (or one file of
    /// a folder) is printed as `mailsleuth: ERROR` on stderr and counted, and reading goes
    /// on. Returns how many there were; only a failure to write the output is an error.
    pub fn read_reporting(
        &mut self,
        path: &Path,
        visit: &mut dyn FnMut(RawMessage<'_>) -> io::Result<()>,
    ) -> io::Result<usize> {
        let mut errors = 0;
        let mut on_error = |e: SourceError| -> io::Result<()> {
            errors += 1;
            crate::output::sanitize::print_error(e);
            Ok(())
        };
        match self.read(path, visit, &mut on_error) {
            Err(SourceError::Output(e)) => return Err(e),
            Err(e) => {
                errors += 1;
                crate::output::sanitize::print_error(e);
            }
            Ok(()) => {}
        }
        Ok(errors)
    }

    /// Reads every message under `path` and hands each to `visit`. Errors in one file of a
    /// folder are handed to `on_error` and the next file is read.
    pub fn read(
        &mut self,
        path: &Path,
        visit: &mut dyn FnMut(RawMessage<'_>) -> io::Result<()>,
        on_error: &mut dyn FnMut(SourceError) -> io::Result<()>,
    ) -> Result<(), SourceError> {
        let shown = path.to_string_lossy().into_owned();
        if shown == "-" {
            return self.read_stream(&shown, io::stdin().lock(), visit);
        }
        let meta = fs::metadata(path).map_err(|source| io_error(&shown, source))?;
        if !meta.is_dir() {
            // Read-only by construction: File::open never creates, truncates or writes.
            let file = File::open(path).map_err(|source| io_error(&shown, source))?;
            return self.read_stream(&shown, file, visit);
        }
        for file in folder_files(path).map_err(|source| io_error(&shown, source))? {
            let shown = file.to_string_lossy().into_owned();
            let result = File::open(&file)
                .map_err(|source| io_error(&shown, source))
                .and_then(|f| self.read_stream(&shown, f, visit));
            match result {
                Err(SourceError::Output(e)) => return Err(SourceError::Output(e)),
                Err(e) => on_error(e).map_err(SourceError::Output)?,
                Ok(()) => {}
            }
        }
        Ok(())
    }

    fn read_stream(
        &mut self,
        shown: &str,
        stream: impl Read,
        visit: &mut dyn FnMut(RawMessage<'_>) -> io::Result<()>,
    ) -> Result<(), SourceError> {
        let mut reader = BufReader::with_capacity(256 << 10, Hashing::new(stream));
        let head = reader.fill_buf().map_err(|e| io_error(shown, e))?;
        let result = if head.is_empty() && self.empty == EmptyHeaders::Refuse {
            Err(SourceError::Empty { path: shown.into() })
        } else if head.starts_with(b"From ") {
            split_mbox(&mut reader, shown, visit)
        } else {
            let (bytes, truncated) =
                read_capped(&mut reader, MAX_MESSAGE_BYTES).map_err(|e| io_error(shown, e))?;
            visit(RawMessage {
                input: shown,
                index: 1,
                bytes,
                truncated,
            })
            .map_err(SourceError::Output)
        };
        // Record the evidence even when a message failed: the file was read.
        let hashing = reader.into_inner();
        self.inputs.push(InputInfo {
            path: shown.into(),
            size: hashing.size,
            sha256: hex(&hashing.digest.finalize()),
        });
        result
    }
}

fn io_error(path: &str, source: io::Error) -> SourceError {
    SourceError::Io {
        path: path.into(),
        source,
    }
}

/// The message files of a folder: a Maildir's `new/` then `cur/` (not `tmp/`, whose files are
/// still being written), or else the folder's own regular files; sorted by name, hidden files
/// skipped.
fn folder_files(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let maildir: Vec<PathBuf> = ["new", "cur"]
        .iter()
        .map(|sub| dir.join(sub))
        .filter(|p| p.is_dir())
        .collect();
    let dirs = if maildir.is_empty() {
        vec![dir.to_path_buf()]
    } else {
        maildir
    };
    let mut all = Vec::new();
    for d in dirs {
        let mut files = Vec::new();
        for entry in fs::read_dir(&d)? {
            let entry = entry?;
            let hidden = entry.file_name().to_string_lossy().starts_with('.');
            if !hidden && entry.file_type()?.is_file() {
                files.push(entry.path());
            }
        }
        files.sort();
        all.extend(files);
    }
    Ok(all)
}

/// Reads to the end, keeping at most `cap` bytes; the rest is read (for the hash) and dropped.
fn read_capped(reader: &mut impl BufRead, cap: usize) -> io::Result<(Vec<u8>, bool)> {
    let mut bytes = Vec::new();
    reader.take(cap as u64).read_to_end(&mut bytes)?;
    let dropped = io::copy(reader, &mut io::sink())?;
    Ok((bytes, dropped > 0))
}

/// Splits an mbox into messages. A message starts at a `From ` line at the top of the file
/// or after an empty line (so an unquoted "From " inside a body does not split it);
/// `>From ` quoting (mboxrd) is undone, and the empty line that ends each message is the
/// separator's, not the message's.
fn split_mbox(
    reader: &mut impl BufRead,
    shown: &str,
    visit: &mut dyn FnMut(RawMessage<'_>) -> io::Result<()>,
) -> Result<(), SourceError> {
    let mut message = Vec::new();
    let mut truncated = false;
    let mut index = 0usize;
    let mut started = false;
    let mut prev_blank = true;
    let mut line = Vec::new();
    let emit = |message: &mut Vec<u8>,
                truncated: &mut bool,
                index: usize,
                visit: &mut dyn FnMut(RawMessage<'_>) -> io::Result<()>| {
        // The empty line before the next "From " belongs to the mbox.
        if message.ends_with(b"\r\n\r\n") {
            message.truncate(message.len() - 2);
        } else if message.ends_with(b"\n\n") {
            message.truncate(message.len() - 1);
        }
        let bytes = std::mem::take(message);
        let cut = std::mem::take(truncated);
        visit(RawMessage {
            input: shown,
            index,
            bytes,
            truncated: cut,
        })
    };
    loop {
        line.clear();
        let room = MAX_MESSAGE_BYTES.saturating_sub(message.len());
        let (read, complete) =
            read_line_capped(reader, &mut line, room.max(5)).map_err(|e| io_error(shown, e))?;
        if read == 0 {
            break;
        }
        if prev_blank && line.starts_with(b"From ") {
            if started {
                emit(&mut message, &mut truncated, index, visit).map_err(SourceError::Output)?;
            }
            started = true;
            index += 1;
            prev_blank = false;
            continue;
        }
        prev_blank = line == b"\n" || line == b"\r\n";
        let body = match line.iter().position(|&b| b != b'>') {
            Some(n) if n > 0 && line[n..].starts_with(b"From ") => &line[1..],
            _ => &line[..],
        };
        if !complete || message.len() + body.len() > MAX_MESSAGE_BYTES {
            truncated = true;
        }
        let room = MAX_MESSAGE_BYTES.saturating_sub(message.len());
        message.extend_from_slice(&body[..body.len().min(room)]);
    }
    if started {
        emit(&mut message, &mut truncated, index, visit).map_err(SourceError::Output)?;
    }
    Ok(())
}

/// Reads one line into `line`, storing at most `cap` bytes of it; the rest of an over-long
/// line is consumed and dropped. Returns the bytes consumed and whether the whole line fit.
fn read_line_capped(
    reader: &mut impl BufRead,
    line: &mut Vec<u8>,
    cap: usize,
) -> io::Result<(usize, bool)> {
    let mut consumed = 0;
    let mut complete = true;
    loop {
        let buf = match reader.fill_buf() {
            Ok(buf) => buf,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            return Ok((consumed, complete));
        }
        let (chunk, done) = match memchr::memchr(b'\n', buf) {
            Some(i) => (&buf[..=i], true),
            None => (buf, false),
        };
        let room = cap.saturating_sub(line.len());
        if chunk.len() > room {
            complete = false;
        }
        line.extend_from_slice(&chunk[..chunk.len().min(room)]);
        let n = chunk.len();
        reader.consume(n);
        consumed += n;
        if done {
            return Ok((consumed, complete));
        }
    }
}

/// A reader that hashes and counts what passes through it.
struct Hashing<R> {
    inner: R,
    digest: Sha256,
    size: u64,
}

impl<R> Hashing<R> {
    fn new(inner: R) -> Self {
        Hashing {
            inner,
            digest: Sha256::new(),
            size: 0,
        }
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.digest.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(data: &[u8]) -> Vec<(usize, String, bool)> {
        let mut out = Vec::new();
        split_mbox(&mut &data[..], "t", &mut |m| {
            out.push((
                m.index,
                String::from_utf8_lossy(&m.bytes).into_owned(),
                m.truncated,
            ));
            Ok(())
        })
        .unwrap();
        out
    }

    #[test]
    fn mbox_splits_on_from_lines_after_blank_lines_only() {
        let data = b"From a@b Sat Nov 21 10:00:00 2026\nSubject: 1\n\nbody\nFrom here, unquoted\n>From quoted\n\nFrom c@d Sat Nov 21 10:00:01 2026\nSubject: 2\n\nx\n";
        let got = split(data);
        assert_eq!(got.len(), 2);
        assert_eq!(
            got[0].1,
            "Subject: 1\n\nbody\nFrom here, unquoted\nFrom quoted\n"
        );
        assert_eq!(got[1], (2, "Subject: 2\n\nx\n".to_string(), false));
    }

    #[test]
    fn over_long_line_is_cut_not_buffered() {
        let mut line = Vec::new();
        let data = vec![b'a'; 100_000];
        let (n, complete) = read_line_capped(&mut &data[..], &mut line, 10).unwrap();
        assert_eq!((n, complete, line.len()), (100_000, false, 10));
    }

    #[test]
    fn hashing_reader_counts_and_hashes() {
        let mut h = Hashing::new(&b"abc"[..]);
        io::copy(&mut h, &mut io::sink()).unwrap();
        assert_eq!(h.size, 3);
        assert_eq!(
            hex(&h.digest.finalize()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
