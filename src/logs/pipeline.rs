//! The threads of one input: a reader (which also decompresses gzip/zstd) cuts the byte
//! stream into large chunks at line boundaries; workers parse chunks into events in parallel;
//! the calling thread receives the parsed chunks back in file order for the join; a hasher
//! then takes each joined chunk for the SHA-256 of a plain input (compressed inputs are hashed
//! as they are read, on the reader).
//!
//! Why the hasher is a thread of its own: every later stage waits for the reader, so on two
//! cores a reader that also hashed (half the CPU of a run's serial work) held the others up;
//! after the join, the hash waits for nobody and fills the cores' idle moments.
//!
//! Buffers circulate through pools, so memory is a fixed number of chunks however large the
//! input is, and nothing is allocated per line.

use std::collections::BTreeMap;
use std::io::{self, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{channel, sync_channel, Receiver, Sender, SyncSender};
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

use crate::output::evidence::hex;

use super::input::{Codec, Opened};
use super::keys::Fingerprints;
use super::line::{parse_chunk, ChunkCounts, Event, Wanted};
use super::LogError;

/// Chunk size: large enough to amortise the hand-offs, small enough to stay in cache between
/// the worker that parses it and the join that reads its fields.
const CHUNK: usize = 2 << 20;
/// Bytes per read call (see `read_chunks`).
const READ_PIECE: usize = 256 << 10;
/// Chunks in flight (reading, parsing, waiting to be joined or hashed).
const BUFFERS: usize = 10;

/// A piece of the input that ends at a line boundary (unless one line is longer than a chunk).
pub struct Chunk {
    seq: u64,
    buf: Vec<u8>,
    len: usize,
    /// The first line continues an over-long line the previous chunk already counted.
    skip_first: bool,
}

impl Chunk {
    pub fn bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

/// A chunk with its events, handed to the join in file order.
pub struct Parsed {
    pub chunk: Chunk,
    pub events: Vec<Event>,
    pub counts: ChunkCounts,
    /// Bytes of the input on disk consumed when this chunk was read.
    pub disk_pos: u64,
}

#[derive(Clone)]
struct Pools {
    bufs: Sender<Vec<u8>>,
    events: Sender<Vec<Event>>,
}

impl Pools {
    /// Give a parsed chunk's buffers back (the receivers may be gone at the end: fine).
    fn recycle(&self, p: Parsed) {
        let _ = self.bufs.send(p.chunk.buf);
        let _ = self.events.send(p.events);
    }
}

/// Cut `r` into chunks at line boundaries and send them to the workers.
fn read_chunks(
    mut r: impl Read,
    tx: SyncSender<(Chunk, u64)>,
    pool: Receiver<Vec<u8>>,
    disk: &AtomicU64,
) -> io::Result<()> {
    let mut carry: Vec<u8> = Vec::new();
    let mut seq = 0u64;
    let mut in_long_line = false;
    loop {
        let Ok(mut buf) = pool.recv() else {
            return Ok(());
        };
        buf.resize(CHUNK.max(carry.len() + 1), 0);
        buf[..carry.len()].copy_from_slice(&carry);
        let mut len = carry.len();
        carry.clear();
        let mut eof = false;
        while len < buf.len() {
            // Read (and hash) in pieces that stay in the core's cache between the copy out of
            // the page cache and the hashing.
            let piece = (buf.len() - len).min(READ_PIECE);
            match r.read(&mut buf[len..len + piece]) {
                Ok(0) => {
                    eof = true;
                    break;
                }
                Ok(n) => len += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        let skip_first = in_long_line;
        if !eof {
            match memchr::memrchr(b'\n', &buf[..len]) {
                Some(nl) => {
                    carry.extend_from_slice(&buf[nl + 1..len]);
                    len = nl + 1;
                    in_long_line = false;
                }
                // One line longer than a chunk: emit what we have as that line and skip the
                // rest of it in the next chunk(s).
                None => in_long_line = true,
            }
        }
        if len > 0 || skip_first {
            let chunk = Chunk {
                seq,
                buf,
                len,
                skip_first,
            };
            seq += 1;
            if tx.send((chunk, disk.load(Ordering::Relaxed))).is_err() {
                return Ok(());
            }
        }
        if eof {
            return Ok(());
        }
    }
}

/// Run one input through reader, workers and `join` (called on this thread, in file order).
/// Returns the on-disk size and SHA-256 of the input.
pub fn run_input(
    opened: Opened,
    want: Wanted,
    fps: &Fingerprints,
    workers: usize,
    mut join: impl FnMut(&Parsed),
) -> Result<(u64, String), LogError> {
    let name = opened.name.clone();
    let io_err = |e| LogError::Io {
        path: name.clone(),
        cause: e,
    };
    let (chunk_tx, chunk_rx) = sync_channel::<(Chunk, u64)>(BUFFERS);
    let chunk_rx = Mutex::new(chunk_rx);
    let (done_tx, done_rx) = channel::<Parsed>();
    let (buf_tx, buf_rx) = channel::<Vec<u8>>();
    let (ev_tx, ev_rx) = channel::<Vec<Event>>();
    let ev_rx = Mutex::new(ev_rx);
    for _ in 0..BUFFERS {
        let _ = buf_tx.send(Vec::new());
    }
    let pools = Pools {
        bufs: buf_tx,
        events: ev_tx,
    };
    let mut source = opened.source;
    let disk = Arc::clone(&source.progress);
    let head = opened.head;
    let codec = opened.codec;
    // A plain input's chunks are its bytes in order (`head` included): hashed after the join.
    let hash_chunks = codec == Codec::Plain;
    if hash_chunks {
        source.count_only();
    }
    let work = |chunk: Chunk, disk_pos: u64| -> Parsed {
        let mut events = ev_rx
            .lock()
            .ok()
            .and_then(|rx| rx.try_recv().ok())
            .unwrap_or_default();
        events.clear();
        let counts = parse_chunk(chunk.bytes(), chunk.skip_first, want, fps, &mut events);
        Parsed {
            chunk,
            events,
            counts,
            disk_pos,
        }
    };
    let next_chunk = || chunk_rx.lock().ok().and_then(|rx| rx.recv().ok());
    std::thread::scope(|s| {
        let reader = std::thread::Builder::new()
            .name("logs-read".into())
            .spawn_scoped(s, move || -> io::Result<(u64, Option<String>)> {
                {
                    let raw = io::Cursor::new(head).chain(&mut source);
                    match codec {
                        Codec::Plain => read_chunks(raw, chunk_tx, buf_rx, &disk)?,
                        Codec::Gzip => read_chunks(
                            flate2::read::MultiGzDecoder::new(raw),
                            chunk_tx,
                            buf_rx,
                            &disk,
                        )?,
                        Codec::Zstd => read_chunks(
                            zstd::stream::read::Decoder::new(raw)?,
                            chunk_tx,
                            buf_rx,
                            &disk,
                        )?,
                    }
                }
                source.finish()
            });
        let mut spawned = 0;
        for _ in 0..workers.max(1) {
            let done_tx = done_tx.clone();
            let (work, next_chunk) = (&work, &next_chunk);
            let worker = std::thread::Builder::new().name("logs-parse".into());
            let ok = worker.spawn_scoped(s, move || {
                while let Some((chunk, disk_pos)) = next_chunk() {
                    if done_tx.send(work(chunk, disk_pos)).is_err() {
                        return;
                    }
                }
            });
            if ok.is_err() {
                break;
            }
            spawned += 1;
        }
        drop(done_tx);
        let (hash_tx, hash_rx) = channel::<Parsed>();
        // Hashed on this thread instead if the hasher cannot be started.
        let mut inline: Option<Sha256> = None;
        let hasher = if hash_chunks {
            let pools = pools.clone();
            let spawned = std::thread::Builder::new()
                .name("logs-hash".into())
                .spawn_scoped(s, move || {
                    let mut h = Sha256::new();
                    for p in hash_rx {
                        h.update(p.chunk.bytes());
                        pools.recycle(p);
                    }
                    h
                });
            match spawned {
                Ok(h) => Some(h),
                Err(_) => {
                    inline = Some(Sha256::new());
                    None
                }
            }
        } else {
            None
        };
        let mut done = |p: Parsed| {
            if let Some(h) = &mut inline {
                h.update(p.chunk.bytes());
            } else if hasher.is_some() {
                if let Err(e) = hash_tx.send(p) {
                    pools.recycle(e.0);
                }
                return;
            }
            pools.recycle(p);
        };
        if spawned == 0 {
            // No thread could be started: parse on this thread.
            while let Some((chunk, disk_pos)) = next_chunk() {
                let p = work(chunk, disk_pos);
                join(&p);
                done(p);
            }
        }
        let mut next = 0u64;
        let mut waiting: BTreeMap<u64, Parsed> = BTreeMap::new();
        for p in done_rx.iter() {
            waiting.insert(p.chunk.seq, p);
            while let Some(p) = waiting.remove(&next) {
                join(&p);
                done(p);
                next += 1;
            }
        }
        drop(hash_tx);
        let digest = match (hasher, inline) {
            (Some(h), _) => h.join().ok().map(|h| hex(&h.finalize())),
            (None, Some(h)) => Some(hex(&h.finalize())),
            (None, None) => None,
        };
        drop(pools);
        match reader.map(|r| r.join()) {
            Ok(Ok(Ok((size, Some(sha))))) => Ok((size, sha)),
            Ok(Ok(Ok((size, None)))) => match digest {
                Some(sha) => Ok((size, sha)),
                None => Err(LogError::Io {
                    path: name.clone(),
                    cause: io::Error::other("hashing thread failed"),
                }),
            },
            Ok(Ok(Err(e))) => Err(io_err(e)),
            Ok(Err(_)) => Err(LogError::Io {
                path: name.clone(),
                cause: io::Error::other("reader thread failed"),
            }),
            Err(e) => Err(io_err(e)),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logs::input::{open, InputSpec};
    use std::io::Write;

    fn lines_through(data: &[u8], gz: bool) -> (u64, Vec<u64>) {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("in");
        let bytes = if gz {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(data).expect("gz");
            e.finish().expect("gz")
        } else {
            data.to_vec()
        };
        std::fs::write(&p, &bytes).expect("write");
        let opened = open(&InputSpec::Path(p)).expect("open");
        let mut total = 0;
        let mut seqs = Vec::new();
        let want = Wanted {
            ignored: true,
            message_ids: true,
            connects: true,
        };
        let (size, sha) = run_input(opened, want, &Fingerprints::default(), 2, |p| {
            total += p.counts.lines;
            seqs.push(p.chunk.seq);
        })
        .expect("run");
        assert_eq!(size, bytes.len() as u64);
        // The file as it is on disk: hashed by the hasher thread (plain) or the reader (gzip).
        assert_eq!(sha, hex(&Sha256::digest(&bytes)));
        (total, seqs)
    }

    #[test]
    fn chunks_arrive_in_order_and_count_every_line() {
        let line = b"Nov 22 04:03:14 mail postfix/qmgr[1]: 9B99E87D78E: removed\n";
        let data: Vec<u8> = line.repeat(100_000);
        let (n, seqs) = lines_through(&data, false);
        assert_eq!(n, 100_000);
        assert!(seqs.len() > 1);
        assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1));
        let (n, _) = lines_through(&data, true);
        assert_eq!(n, 100_000);
    }

    #[test]
    fn overlong_line_counts_once() {
        let mut data = vec![b'A'; CHUNK * 2 + 17];
        data.extend_from_slice(b"\nshort\nlast");
        let (n, _) = lines_through(&data, false);
        assert_eq!(n, 3);
    }
}
