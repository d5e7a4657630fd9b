//! An in-process authoritative DNS server over zone files (hickory-server), for tests and for
//! offline replay (`--dns-zone DIR`), with per-name fault injection.

use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use hickory_proto::op::{Header, HeaderCounts, MessageType, Metadata, ResponseCode};
use hickory_server::net::runtime::Time;
use hickory_server::net::xfer::Protocol;
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};
use hickory_server::store::in_memory::InMemoryZoneHandler;
use hickory_server::zone_handler::{AxfrPolicy, Catalog, MessageResponseBuilder, ZoneType};
use hickory_server::Server;
use tokio::sync::oneshot;

use super::faults::{Fault, Faults};
use super::record::name_text;
use super::zonefile::{self, ZoneData, ZoneError};
use super::RecordType;

/// A running authoritative server on 127.0.0.1 (UDP and TCP on the same port). It has its own
/// thread and tokio runtime, so synchronous tests can start it; it stops when dropped.
///
/// Names inside a served zone but absent get NXDOMAIN (or NODATA when the name has other
/// types); names outside every zone get REFUSED, as from a real authoritative server.
pub struct ZoneServer {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<thread::JoinHandle<()>>,
}

impl ZoneServer {
    /// Serves the zone files in `zones` (files, or directories of `*.zone` files) on a free
    /// port. Fault lines found in the files (see [`super::faults`]) are added to `faults`.
    pub fn start(zones: &[PathBuf], faults: Faults) -> Result<ZoneServer, ZoneError> {
        let (data, file_faults) = zonefile::load(zones)?;
        let mut all = faults;
        all.extend(file_faults);
        Self::serve(data, all)
    }

    /// Serves one zone given as text (`name` stands for the file name in errors and gives the
    /// default origin, e.g. `example.test.zone`).
    pub fn from_text(name: &str, text: &str, faults: Faults) -> Result<ZoneServer, ZoneError> {
        let (data, file_faults) = zonefile::parse(std::path::Path::new(name), text)?;
        let mut all = faults;
        all.extend(file_faults);
        Self::serve(vec![data], all)
    }

    /// The address to point a resolver at.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    fn serve(zones: Vec<ZoneData>, faults: Faults) -> Result<ZoneServer, ZoneError> {
        let mut catalog = Catalog::new();
        for zone in zones {
            let handler =
                InMemoryZoneHandler::<hickory_server::net::runtime::TokioRuntimeProvider>::new(
                    zone.origin.clone(),
                    zone.records,
                    ZoneType::Primary,
                    AxfrPolicy::Deny,
                )
                .map_err(|message| ZoneError::Zone {
                    path: zone.path.clone(),
                    message,
                })?;
            catalog.upsert(zone.origin.into(), vec![Arc::new(handler)]);
        }
        let (udp, tcp) = bind_pair()?;
        let addr = udp
            .local_addr()
            .map_err(|e| ZoneError::Server(e.to_string()))?;
        let (stop_tx, stop_rx) = oneshot::channel();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let handler = FaultyCatalog {
            catalog,
            faults: Arc::new(faults),
        };
        let thread = thread::Builder::new()
            .name(format!("zone-server-{}", addr.port()))
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e.to_string()));
                        return;
                    }
                };
                runtime.block_on(async move {
                    let sockets = tokio::net::UdpSocket::from_std(udp)
                        .and_then(|u| Ok((u, tokio::net::TcpListener::from_std(tcp)?)));
                    let (udp, tcp) = match sockets {
                        Ok(pair) => pair,
                        Err(e) => {
                            let _ = ready_tx.send(Err(e.to_string()));
                            return;
                        }
                    };
                    let mut server = Server::new(handler);
                    server.register_socket(udp);
                    server.register_listener(tcp, Duration::from_secs(10), 64);
                    let _ = ready_tx.send(Ok(()));
                    // Either a stop message or the owner being dropped ends the server.
                    let _ = stop_rx.await;
                    let _ = server.shutdown_gracefully().await;
                });
            })
            .map_err(|e| ZoneError::Server(e.to_string()))?;
        match ready_rx.recv() {
            Ok(Ok(())) => Ok(ZoneServer {
                addr,
                stop: Some(stop_tx),
                thread: Some(thread),
            }),
            Ok(Err(message)) => Err(ZoneError::Server(message)),
            Err(_) => Err(ZoneError::Server("server thread ended early".into())),
        }
    }
}

impl Drop for ZoneServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A UDP socket on 127.0.0.1 with a free port and a TCP listener on the same port (retried,
/// since the TCP port may be taken by someone else).
fn bind_pair() -> Result<(std::net::UdpSocket, std::net::TcpListener), ZoneError> {
    let mut last = String::new();
    for _ in 0..20 {
        let udp = std::net::UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))
            .map_err(|e| ZoneError::Server(e.to_string()))?;
        let addr = udp
            .local_addr()
            .map_err(|e| ZoneError::Server(e.to_string()))?;
        match std::net::TcpListener::bind(addr) {
            Ok(tcp) => {
                udp.set_nonblocking(true)
                    .and_then(|()| tcp.set_nonblocking(true))
                    .map_err(|e| ZoneError::Server(e.to_string()))?;
                return Ok((udp, tcp));
            }
            Err(e) => last = e.to_string(),
        }
    }
    Err(ZoneError::Server(format!(
        "no port free for both UDP and TCP: {last}"
    )))
}

/// The catalog, with the fault rules consulted first.
struct FaultyCatalog {
    catalog: Catalog,
    faults: Arc<Faults>,
}

impl FaultyCatalog {
    fn fault_for(&self, request: &Request) -> Option<Fault> {
        if self.faults.is_empty() {
            return None;
        }
        let info = request.request_info().ok()?;
        let name = name_text(&info.query.name().into());
        self.faults
            .find(&name, RecordType::from_wire(info.query.query_type()))
    }
}

/// A response header for replies that are not sent (dropped queries) or failed to send.
fn silent_info(request: &Request) -> ResponseInfo {
    let mut metadata = Metadata::new(
        request.metadata.id,
        MessageType::Response,
        request.metadata.op_code,
    );
    metadata.response_code = ResponseCode::ServFail;
    ResponseInfo::from(Header {
        metadata,
        counts: HeaderCounts::default(),
    })
}

// hickory's `RequestHandler` is an `async_trait`; this is the signature it expands to, written
// out so the crate does not need async-trait itself.
impl RequestHandler for FaultyCatalog {
    fn handle_request<'life0, 'life1, 'async_trait, R, T>(
        &'life0 self,
        request: &'life1 Request,
        mut response_handle: R,
    ) -> Pin<Box<dyn Future<Output = ResponseInfo> + Send + 'async_trait>>
    where
        R: 'async_trait + ResponseHandler,
        T: 'async_trait + Time,
        'life0: 'async_trait,
        'life1: 'async_trait,
        Self: 'async_trait,
    {
        Box::pin(async move {
            let code = match self.fault_for(request) {
                None => {
                    return self
                        .catalog
                        .handle_request::<R, T>(request, response_handle)
                        .await
                }
                Some(Fault::Drop) => return silent_info(request),
                Some(Fault::Delay(d)) => {
                    tokio::time::sleep(d).await;
                    return self
                        .catalog
                        .handle_request::<R, T>(request, response_handle)
                        .await;
                }
                Some(Fault::Truncate) if request.protocol() != Protocol::Udp => {
                    return self
                        .catalog
                        .handle_request::<R, T>(request, response_handle)
                        .await;
                }
                Some(Fault::Truncate) => None,
                Some(Fault::ServFail) => Some(ResponseCode::ServFail),
                Some(Fault::Refused) => Some(ResponseCode::Refused),
                Some(Fault::NxDomain) => Some(ResponseCode::NXDomain),
            };
            let builder = MessageResponseBuilder::from_message_request(request);
            let sent = match code {
                Some(code) => {
                    let mut response = builder.error_msg(&request.metadata, code);
                    response.metadata_mut().authoritative = true;
                    response_handle.send_response(response).await
                }
                None => {
                    let mut metadata = Metadata::new(
                        request.metadata.id,
                        MessageType::Response,
                        request.metadata.op_code,
                    );
                    metadata.authoritative = true;
                    metadata.truncation = true;
                    metadata.recursion_desired = request.metadata.recursion_desired;
                    response_handle
                        .send_response(builder.build_no_records(metadata))
                        .await
                }
            };
            sent.unwrap_or_else(|_| silent_info(request))
        })
    }
}
