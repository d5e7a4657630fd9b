//! The threads of one input: a reader (which also decompresses gzip/zstd) cuts the byte
//! stream into large chunks at line boundaries, and compute threads (the calling thread and
//! one helper per further core) take the tasks that chunks make: parse a chunk into events
//! (any chunk, in parallel), join the parsed chunks in file order (the calling thread only:
//! the join's state is its own), and, for a plain input, hash the joined chunks in order for
//! its SHA-256 (compressed inputs are hashed as they are read, on the reader).
//!
//! Why tasks on a board instead of a thread per stage: the join and the hash are serial and
//! each needs about half a core, the parse needs the rest. With a thread per stage (parse
//! workers, joiner, hasher) on two cores, the scheduler shared the cores out evenly between
//! four busy threads, the serial stages fell behind, held every buffer, and the other core
//! idled until they caught up (8% of the cores' time idle, measured with `perf sched`). Here a
//! free thread takes the most urgent task there is: the join first (calling thread), then the
//! hash, then a parse; a task runs to its end without a switch of threads in the middle.
//!
//! Buffers circulate through pools, so memory is a fixed number of chunks however large the
//! input is, and nothing is allocated per line.

use std::collections::{BTreeMap, VecDeque};
use std::io::{self, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{channel, Receiver};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

use sha2::{Digest, Sha256};

use crate::output::evidence::hex;

use super::input::{Codec, Opened};
use super::keys::Fingerprints;
use super::line::{parse_chunk, ChunkCounts, Event, Wanted};
use super::LogError;

/// Chunk size: large enough to amortise the hand-offs, small enough to stay in cache between
/// the thread that parses it and the join that reads its fields.
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

/// Cut `r` into chunks at line boundaries and hand them to `emit` (false: stop reading).
fn read_chunks(
    mut r: impl Read,
    mut emit: impl FnMut(Chunk, u64) -> bool,
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
            // Read in pieces that stay in the core's cache between the copy out of the page
            // cache and whatever reads them next (the decompressor's hash, the parse).
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
            if !emit(chunk, disk.load(Ordering::Relaxed)) {
                return Ok(());
            }
        }
        if eof {
            return Ok(());
        }
    }
}

/// What the compute threads share: the chunks at each step, under one lock.
#[derive(Default)]
struct Board {
    /// Chunks read and not yet taken for parsing, in file order, with the disk position.
    raw: VecDeque<(Chunk, u64)>,
    /// The reader has stopped (end of input, error, or a failed start): no more `raw`.
    read_done: bool,
    /// Chunks the reader handed over.
    read: u64,
    /// Parsed chunks waiting for the join, by sequence number.
    parsed: BTreeMap<u64, Parsed>,
    /// The sequence number the join takes next (every chunk before it is joined).
    next_join: u64,
    /// Joined chunks of a plain input waiting to be hashed, in file order.
    to_hash: VecDeque<Parsed>,
    /// The hash, here whenever no thread is hashing.
    sha: Option<Sha256>,
    /// Event vectors of finished chunks, for the next parse.
    events: Vec<Vec<Event>>,
    /// A thread died (panicked), or the calling thread gave up: the run cannot complete.
    failed: bool,
}

impl Board {
    /// Everything read is joined and hashed, and no thread holds a task.
    fn finished(&self) -> bool {
        self.read_done
            && self.next_join == self.read
            && self.to_hash.is_empty()
            && self.sha.is_some()
    }
}

/// A board, the signal that it changed, and the buffer pool the reader draws from.
struct Shared {
    board: Mutex<Board>,
    changed: Condvar,
    /// Empty buffers for the reader: a chunk's buffer goes back when its last task ends.
    bufs: std::sync::mpsc::Sender<Vec<u8>>,
    hash_chunks: bool,
}

/// A task a compute thread took off the board.
enum Task {
    Parse(Chunk, u64, Vec<Event>),
    Join(Parsed),
    Hash(Sha256, Parsed),
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Board> {
        // A panic never happens with the lock held (the tasks run outside it), but a poisoned
        // lock must not hide the `failed` flag from the other thread.
        self.board.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn post(&self, b: MutexGuard<'_, Board>) {
        drop(b);
        self.changed.notify_all();
    }

    /// The next task for a thread (`joins`: the calling thread, which alone joins), waiting
    /// until there is one; `None` when the input is done (or a helper failed).
    fn take(&self, joins: bool) -> Option<Task> {
        let mut b = self.lock();
        loop {
            if b.failed {
                return None;
            }
            if joins {
                let next = b.next_join;
                if let Some(p) = b.parsed.remove(&next) {
                    b.next_join += 1;
                    return Some(Task::Join(p));
                }
            }
            if b.sha.is_some() && !b.to_hash.is_empty() {
                if let (Some(sha), Some(p)) = (b.sha.take(), b.to_hash.pop_front()) {
                    return Some(Task::Hash(sha, p));
                }
            }
            if let Some((chunk, pos)) = b.raw.pop_front() {
                let events = b.events.pop().unwrap_or_default();
                return Some(Task::Parse(chunk, pos, events));
            }
            if b.finished() {
                return None;
            }
            b = self.changed.wait(b).unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Give up on the input: every buffer goes back, so that a reader waiting for one wakes
    /// up, finds the board failed and stops; the other threads stop at their next `take`.
    fn stop(&self, b: &mut Board) {
        b.failed = true;
        let chunks = b.raw.drain(..).map(|(c, _)| c);
        let parsed = std::mem::take(&mut b.parsed).into_values();
        let hashed = b.to_hash.drain(..);
        for c in chunks.chain(parsed.chain(hashed).map(|p| p.chunk)) {
            let _ = self.bufs.send(c.buf);
        }
    }

    /// A chunk whose last task ended: its buffers go back to the pools.
    fn recycle(&self, b: &mut Board, p: Parsed) {
        // The reader may be gone at the end: fine.
        let _ = self.bufs.send(p.chunk.buf);
        b.events.push(p.events);
    }

    /// Run one task taken off the board and post its result.
    fn run(
        &self,
        task: Task,
        parse: &impl Fn(Chunk, u64, Vec<Event>) -> Parsed,
        join: &mut impl FnMut(&Parsed),
    ) {
        match task {
            Task::Parse(chunk, pos, events) => {
                let p = parse(chunk, pos, events);
                let mut b = self.lock();
                b.parsed.insert(p.chunk.seq, p);
                self.post(b);
            }
            Task::Join(p) => {
                join(&p);
                let mut b = self.lock();
                if self.hash_chunks {
                    b.to_hash.push_back(p);
                } else {
                    self.recycle(&mut b, p);
                }
                self.post(b);
            }
            Task::Hash(mut sha, p) => {
                sha.update(p.chunk.bytes());
                let mut b = self.lock();
                b.sha = Some(sha);
                self.recycle(&mut b, p);
                self.post(b);
            }
        }
    }
}

/// Marks the board when a thread ends by a panic (or the reader by any path), so that the
/// others stop waiting for it.
struct OnExit<'a> {
    shared: &'a Shared,
    reader: bool,
}

impl Drop for OnExit<'_> {
    fn drop(&mut self) {
        let mut b = self.shared.lock();
        if self.reader {
            b.read_done = true;
        } else if std::thread::panicking() {
            self.shared.stop(&mut b);
        }
        self.shared.post(b);
    }
}

/// Run one input through the reader, the compute threads (`threads` of them, this one
/// included) and `join` (called on this thread, in file order). Returns the on-disk size and
/// SHA-256 of the input.
pub fn run_input(
    opened: Opened,
    want: Wanted,
    fps: &Fingerprints,
    threads: usize,
    mut join: impl FnMut(&Parsed),
) -> Result<(u64, String), LogError> {
    let name = opened.name.clone();
    let io_err = |e| LogError::Io {
        path: name.clone(),
        cause: e,
    };
    let (buf_tx, buf_rx) = channel::<Vec<u8>>();
    for _ in 0..BUFFERS {
        let _ = buf_tx.send(Vec::new());
    }
    let mut source = opened.source;
    let disk = Arc::clone(&source.progress);
    let head = opened.head;
    let codec = opened.codec;
    // A plain input's chunks are its bytes in order (`head` included): hashed after the join.
    let hash_chunks = codec == Codec::Plain;
    if hash_chunks {
        source.count_only();
    }
    let shared = Shared {
        board: Mutex::new(Board {
            sha: Some(Sha256::new()),
            ..Board::default()
        }),
        changed: Condvar::new(),
        bufs: buf_tx,
        hash_chunks,
    };
    let parse = |chunk: Chunk, disk_pos: u64, mut events: Vec<Event>| -> Parsed {
        events.clear();
        let counts = parse_chunk(chunk.bytes(), chunk.skip_first, want, fps, &mut events);
        Parsed {
            chunk,
            events,
            counts,
            disk_pos,
        }
    };
    let shared = &shared;
    let parse = &parse;
    std::thread::scope(|s| {
        let emit = move |chunk: Chunk, pos: u64| {
            let mut b = shared.lock();
            if b.failed {
                return false;
            }
            b.read += 1;
            b.raw.push_back((chunk, pos));
            shared.post(b);
            true
        };
        let reader = std::thread::Builder::new()
            .name("logs-read".into())
            .spawn_scoped(s, move || -> io::Result<(u64, Option<String>)> {
                let _done = OnExit {
                    shared,
                    reader: true,
                };
                {
                    let raw = io::Cursor::new(head).chain(&mut source);
                    match codec {
                        Codec::Plain => read_chunks(raw, emit, buf_rx, &disk)?,
                        Codec::Gzip => read_chunks(
                            flate2::read::MultiGzDecoder::new(raw),
                            emit,
                            buf_rx,
                            &disk,
                        )?,
                        Codec::Zstd => read_chunks(
                            zstd::stream::read::Decoder::new(raw)?,
                            emit,
                            buf_rx,
                            &disk,
                        )?,
                    }
                }
                source.finish()
            });
        if reader.is_err() {
            shared.lock().read_done = true;
        }
        for _ in 1..threads.max(1) {
            let helper = std::thread::Builder::new().name("logs-work".into());
            // A helper that cannot be started leaves its share to this thread.
            let _ = helper.spawn_scoped(s, move || {
                let _failed = OnExit {
                    shared,
                    reader: false,
                };
                // `take(false)` never hands a helper a join: no join function to pass.
                while let Some(task) = shared.take(false) {
                    shared.run(task, parse, &mut |_: &Parsed| {});
                }
            });
        }
        let main = OnExit {
            shared,
            reader: false,
        };
        while let Some(task) = shared.take(true) {
            shared.run(task, parse, &mut join);
        }
        drop(main);
        let (done, sha) = {
            let mut b = shared.lock();
            let done = b.finished() && !b.failed;
            if !done {
                shared.stop(&mut b);
            }
            // A copy: the board stays finished, so that helpers still waiting see it.
            let sha = b.sha.clone();
            shared.post(b);
            (done, sha)
        };
        match reader.map(|r| r.join()) {
            // A compressed input was hashed by its reader, a plain one here.
            Ok(Ok(Ok((size, read_sha)))) if done => Ok((
                size,
                read_sha.unwrap_or_else(|| hex(&sha.unwrap_or_default().finalize())),
            )),
            Ok(Ok(Ok(_))) => Err(LogError::Io {
                path: name.clone(),
                cause: io::Error::other("a worker thread failed"),
            }),
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
        lines_with_threads(data, gz, 2)
    }

    fn lines_with_threads(data: &[u8], gz: bool, threads: usize) -> (u64, Vec<u64>) {
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
        let (size, sha) = run_input(opened, want, &Fingerprints::default(), threads, |p| {
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
    fn any_number_of_compute_threads_joins_every_chunk_in_order() {
        let line = b"Nov 22 04:03:14 mail postfix/qmgr[1]: 9B99E87D78E: removed\n";
        let data: Vec<u8> = line.repeat(150_000);
        for threads in [1, 2, 3, 5] {
            let (n, seqs) = lines_with_threads(&data, false, threads);
            assert_eq!(n, 150_000, "{threads}");
            assert!(seqs.len() > 3);
            assert!(
                seqs.iter().enumerate().all(|(i, &s)| s == i as u64),
                "{threads}"
            );
        }
    }

    /// A panic in the join (the caller's code) must reach the caller: the helpers and the
    /// reader, which may be waiting for buffers the board holds, have to stop first.
    #[test]
    fn a_panicking_join_stops_every_thread() {
        let line = b"Nov 22 04:03:14 mail postfix/qmgr[1]: 9B99E87D78E: removed\n";
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("in");
        std::fs::write(&p, line.repeat(400_000)).expect("write");
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let opened = open(&InputSpec::Path(p)).expect("open");
            let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let mut chunks = 0;
                run_input(
                    opened,
                    Wanted::default(),
                    &Fingerprints::default(),
                    2,
                    |_| {
                        chunks += 1;
                        assert!(chunks < 2, "the join fails on its second chunk");
                    },
                )
            }));
            let _ = tx.send(run.is_err());
        });
        let ended = rx.recv_timeout(std::time::Duration::from_secs(60));
        assert_eq!(ended, Ok(true), "the run must end, with the join's panic");
    }

    #[test]
    fn overlong_line_counts_once() {
        let mut data = vec![b'A'; CHUNK * 2 + 17];
        data.extend_from_slice(b"\nshort\nlast");
        let (n, _) = lines_through(&data, false);
        assert_eq!(n, 3);
    }
}
