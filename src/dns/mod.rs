//! The one DNS layer of mailsleuth: typed answers and errors, the resolver every command uses,
//! an in-process authoritative server for zone files, and recording for offline replay.
//! Only this module knows hickory; everything else codes against [`Resolve`].
//!
//! - [`Resolver`]: a lean stub client (hickory-proto for the wire format; a few connected UDP
//!   sockets per server with query-id multiplexing and at most 128 queries in flight per
//!   socket; timeout and retry rotating over the servers; TCP when a reply is truncated;
//!   CNAME following). No hosts file, no search domains (names are always absolute), no cache.
//!   Run it on [`runtime()`].
//! - [`ZoneServer`]: authoritative server on 127.0.0.1 (UDP and TCP on one port) over RFC 1035
//!   zone files. The origin of a file is its `$ORIGIN` if set before the first record,
//!   otherwise the file name without `.zone` (`example.com.zone` serves `example.com.`).
//!   Names outside every zone get REFUSED. Names may carry RFC 1035 escapes (`\:`, `\032`).
//!   Faults are set per name by comment lines inside
//!   the zone files, `; mailsleuth-fault: KIND NAME [TYPE]` (syntax in [`Faults`]'s module:
//!   `drop`, `servfail`, `refused`, `nxdomain`, `truncate`, `delay=MS`; `NAME` absolute or
//!   `*.SUFFIX`), or in code with [`Faults`].
//! - [`Recording`]: wraps a resolver and writes one zone file that `ZoneServer` replays with
//!   the same answers, NXDOMAIN, NODATA and temporary failures included.
mod escaped_names;
mod faults;
mod names;
mod record;
mod recording;
mod resolver;
mod server;
mod transport;
mod types;
mod zonefile;

pub use faults::{Fault, Faults, FAULT_MARKER};
pub use names::{parse_server, reverse_name, reverse_prefix};
pub use recording::Recording;
pub use resolver::{runtime, runtime_multi, DnsSetupError, Resolver, ResolverOptions};
pub use server::ZoneServer;
pub use types::*;
pub use zonefile::ZoneError;
