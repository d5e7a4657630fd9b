//! The stub client's wire: a few connected UDP sockets per server with query-id multiplexing
//! and a per-socket cap on queries in flight, and TCP for truncated replies (RFC 7766 §5).
//!
//! Why not hickory-resolver: it was measured at about 14k queries/s in bulk (project notes,
//! `crates.md`), under half of adnshost's rate; this client does 90k-115k/s against the
//! dnsbench NSD, 2.5-3.4 times adnshost in the same run (see `benches/dns_bulk.rs`).

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::BuildHasher;
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use tokio::sync::{oneshot, Semaphore};
use tokio::task::AbortHandle;

/// Queries in flight on one UDP socket. Past ~250 on one socket, loopback replies overflow
/// the default receive buffer and are lost (measured with NSD), so stay well below.
pub(crate) const PER_SOCKET: usize = 128;

/// Largest UDP reply we accept; announced with EDNS (RFC 6891), the DNS Flag Day 2020 size.
pub(crate) const UDP_PAYLOAD: u16 = 1232;

/// Replies waiting for their query, by id.
type Pending = Mutex<HashMap<u16, oneshot::Sender<Vec<u8>>>>;

fn lock(p: &Pending) -> MutexGuard<'_, HashMap<u16, oneshot::Sender<Vec<u8>>>> {
    p.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One connected UDP socket and the task that routes its replies to the waiting queries.
struct Channel {
    socket: Arc<UdpSocket>,
    pending: Arc<Pending>,
    slots: Semaphore,
    rng: AtomicU64,
    reader: AbortHandle,
}

impl Drop for Channel {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

/// All sockets to all servers. Built inside the runtime on first use.
pub(crate) struct Transport {
    /// `per_server[i]` are the sockets connected to server `i`.
    per_server: Vec<Vec<Channel>>,
    next: AtomicUsize,
}

/// What one exchange can end in, before DNS-level interpretation.
pub(crate) enum WireError {
    Timeout,
    Io(String),
}

impl Transport {
    pub(crate) async fn connect(servers: &[SocketAddr], sockets: usize) -> io::Result<Transport> {
        let seed = RandomState::new().hash_one(std::process::id());
        let mut per_server = Vec::with_capacity(servers.len());
        for (s, server) in servers.iter().enumerate() {
            let mut channels = Vec::with_capacity(sockets);
            for i in 0..sockets {
                let local: SocketAddr = if server.is_ipv4() {
                    (Ipv4Addr::UNSPECIFIED, 0).into()
                } else {
                    (Ipv6Addr::UNSPECIFIED, 0).into()
                };
                let socket = UdpSocket::bind(local).await?;
                socket.connect(server).await?;
                let socket = Arc::new(socket);
                let pending: Arc<Pending> = Arc::default();
                let reader = tokio::spawn(read_replies(socket.clone(), pending.clone()));
                let mix = (s * 1000 + i) as u64;
                channels.push(Channel {
                    socket,
                    pending,
                    slots: Semaphore::new(PER_SOCKET),
                    rng: AtomicU64::new((seed ^ mix.wrapping_mul(0x9E37_79B9_7F4A_7C15)) | 1),
                    reader: reader.abort_handle(),
                });
            }
            per_server.push(channels);
        }
        Ok(Transport {
            per_server,
            next: AtomicUsize::new(0),
        })
    }

    /// Sends `query` (its first two bytes are overwritten with a fresh id) to server `server`
    /// over UDP and waits up to `timeout` for the reply with that id.
    pub(crate) async fn udp(
        &self,
        server: usize,
        query: &mut [u8],
        timeout: Duration,
    ) -> Result<Vec<u8>, WireError> {
        let channels = self
            .per_server
            .get(server)
            .ok_or_else(|| WireError::Io("no such server".into()))?;
        let pick = self.next.fetch_add(1, Ordering::Relaxed) % channels.len().max(1);
        let channel = channels
            .get(pick)
            .ok_or_else(|| WireError::Io("no socket".into()))?;
        let _slot = channel
            .slots
            .acquire()
            .await
            .map_err(|e| WireError::Io(e.to_string()))?;
        let (tx, rx) = oneshot::channel();
        let id = {
            let mut pending = lock(&channel.pending);
            let mut id = next_id(&channel.rng);
            while pending.contains_key(&id) {
                id = next_id(&channel.rng);
            }
            pending.insert(id, tx);
            id
        };
        if let Some(head) = query.get_mut(..2) {
            head.copy_from_slice(&id.to_be_bytes());
        }
        let outcome = match channel.socket.send(query).await {
            Err(e) => Err(WireError::Io(e.to_string())),
            Ok(_) => match tokio::time::timeout(timeout, rx).await {
                Ok(Ok(reply)) => Ok(reply),
                Ok(Err(_)) => Err(WireError::Io("reply channel closed".into())),
                Err(_) => Err(WireError::Timeout),
            },
        };
        if outcome.is_err() {
            lock(&channel.pending).remove(&id);
        }
        outcome
    }
}

/// Routes every datagram to the query waiting for its id; stray ids are dropped.
async fn read_replies(socket: Arc<UdpSocket>, pending: Arc<Pending>) {
    let mut buf = vec![0u8; 65_535];
    loop {
        let n = match socket.recv(&mut buf).await {
            Ok(n) => n,
            // ICMP errors (port unreachable) surface here on connected sockets; the queries
            // concerned time out and are retried.
            Err(_) => continue,
        };
        let Some(head) = buf.get(..n.min(2)).filter(|h| h.len() == 2) else {
            continue;
        };
        let id = u16::from_be_bytes([head[0], head[1]]);
        let waiter = lock(&pending).remove(&id);
        if let Some(tx) = waiter {
            let _ = tx.send(buf[..n].to_vec());
        }
    }
}

/// xorshift64: unpredictable enough ids for a stub talking to a chosen server, and cheap.
fn next_id(state: &AtomicU64) -> u16 {
    let mut x = state.load(Ordering::Relaxed);
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    state.store(x, Ordering::Relaxed);
    (x >> 24) as u16
}

/// One query over TCP with 2-byte length framing (RFC 1035 §4.2.2), all within `timeout`.
pub(crate) async fn tcp(
    server: SocketAddr,
    query: &[u8],
    timeout: Duration,
) -> Result<Vec<u8>, WireError> {
    let exchange = async {
        let mut stream = TcpStream::connect(server).await?;
        let len = u16::try_from(query.len())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "query too long"))?;
        let mut framed = Vec::with_capacity(query.len() + 2);
        framed.extend_from_slice(&len.to_be_bytes());
        framed.extend_from_slice(query);
        stream.write_all(&framed).await?;
        let mut len = [0u8; 2];
        stream.read_exact(&mut len).await?;
        let mut reply = vec![0u8; usize::from(u16::from_be_bytes(len))];
        stream.read_exact(&mut reply).await?;
        Ok::<_, io::Error>(reply)
    };
    match tokio::time::timeout(timeout, exchange).await {
        Ok(Ok(reply)) => Ok(reply),
        Ok(Err(e)) => Err(WireError::Io(format!("TCP to {server}: {e}"))),
        Err(_) => Err(WireError::Timeout),
    }
}
