//! Turns the shared DNS flags into the run's one resolver: the network (`--resolver` or
//! resolv.conf), or an in-process server over zone files (`--dns-zone`), optionally wrapped in
//! a recorder (`--dns-record`).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};

use crate::cli::DnsArgs;
use crate::dns::{Faults, Recording, Resolve, Resolver, ResolverOptions, ZoneServer};

/// The resolver of one run, and what must outlive it.
pub struct DnsSession {
    /// What every capability queries.
    pub resolver: Arc<dyn Resolve>,
    recording: Option<(Arc<Recording<Resolver>>, PathBuf)>,
    /// Serves `--dns-zone` for as long as the run lasts.
    _server: Option<ZoneServer>,
}

impl DnsSession {
    pub fn new(args: &DnsArgs) -> anyhow::Result<DnsSession> {
        if !(args.dns_timeout.is_finite() && args.dns_timeout > 0.0 && args.dns_timeout <= 60.0) {
            bail!(
                "--dns-timeout: {} is not between 0 and 60 seconds",
                args.dns_timeout
            );
        }
        if args.dns_attempts == 0 || args.dns_concurrency == 0 {
            bail!("--dns-attempts and --dns-concurrency must be at least 1");
        }
        let (server, servers) = if args.dns_zone.is_empty() {
            (None, args.resolver.clone())
        } else {
            let server =
                ZoneServer::start(&args.dns_zone, Faults::new()).context("loading --dns-zone")?;
            let addr = server.addr();
            (Some(server), vec![addr])
        };
        let resolver = Resolver::new(ResolverOptions {
            servers,
            timeout: Duration::from_secs_f64(args.dns_timeout),
            attempts: args.dns_attempts,
            concurrency: args.dns_concurrency,
        })
        .context("setting up DNS")?;
        let (resolver, recording): (Arc<dyn Resolve>, _) = match &args.dns_record {
            Some(path) => {
                let recording = Arc::new(Recording::new(resolver));
                (recording.clone(), Some((recording, path.clone())))
            }
            None => (Arc::new(resolver), None),
        };
        Ok(DnsSession {
            resolver,
            recording,
            _server: server,
        })
    }

    /// Writes the `--dns-record` file, once every look-up of the run is done.
    pub fn finish(self) -> anyhow::Result<()> {
        if let Some((recording, path)) = self.recording {
            recording
                .write_zone(&path)
                .with_context(|| format!("--dns-record {}", path.display()))?;
        }
        Ok(())
    }
}
