//! Integration tests: they run the built `mailsleuth` binary, as a user or a script would.
//! One test binary with modules, so the crate links once. `modpow` is the exception: it checks
//! the vendored num-bigint-dig patch directly, since every RSA verification rests on it.

mod auth;
mod auth_spf;
mod authutil;
mod bad_input;
mod conformance_arc;
mod conformance_spf;
mod dnsbl;
mod docs;
mod headers;
mod logs;
mod modpow;
mod readme;
mod received;
mod schema;
mod schema_auth;
mod spf;
mod trace;
mod util;
