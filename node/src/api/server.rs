//! Serving the API over HTTP/1.1 with limits a slow or hostile client
//! cannot get around: a deadline for each request's headers (which also
//! closes idle connections), a cap on open connections overall and per
//! address, errors of the HTTP layer itself in the API's JSON, and a
//! shutdown that waits for requests in flight only so long.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::StatusCode;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tower::ServiceExt as _;

use super::{ApiError, Limits};

/// Most bytes of a request's head (request line and headers).
pub const MAX_HEAD_BYTES: usize = 32 * 1024;

/// How long the accept loop pauses when accepting fails for lack of
/// resources (out of file descriptors), so it does not spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Serves `app` on `listener` until `shutdown` resolves, then stops
/// accepting, lets requests in flight finish for at most
/// `limits.shutdown_grace` and closes what is still open.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_header_size(MAX_HEAD_BYTES)
        .writev(false);
    let open = Arc::new(Mutex::new(Open::default()));
    let (closing, closed) = tokio::sync::watch::channel(false);
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            },
        };
        let Some(slot) = Slot::take(&open, peer.ip(), &limits) else {
            refuse(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            app.clone().oneshot(request)
        });
        let connection = http.serve_connection(TokioIo::new(JsonErrors::new(stream)), service);
        let mut closed = closed.clone();
        connections.spawn(async move {
            let _slot = slot;
            tokio::pin!(connection);
            let result = tokio::select! {
                result = connection.as_mut() => result,
                _ = closed.changed() => {
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(e) = result {
                tracing::debug!(%peer, error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    let _ = closing.send(true);
    let drained = tokio::time::timeout(limits.shutdown_grace, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            open = connections.len(),
            grace = ?limits.shutdown_grace,
            "closing connections still open after the shutdown grace period"
        );
        connections.shutdown().await;
    }
}

/// Connections open, in all and per address.
#[derive(Debug, Default)]
struct Open {
    total: usize,
    by_ip: HashMap<IpAddr, usize>,
}

/// A connection's place under the caps; freed when dropped.
#[derive(Debug)]
struct Slot {
    open: Arc<Mutex<Open>>,
    ip: IpAddr,
}

impl Slot {
    /// A place for a connection from `ip`, if both caps leave room.
    fn take(open: &Arc<Mutex<Open>>, ip: IpAddr, limits: &Limits) -> Option<Slot> {
        let mut guard = open.lock().ok()?;
        let from_ip = guard.by_ip.get(&ip).copied().unwrap_or(0);
        if guard.total >= limits.max_connections || from_ip >= limits.max_connections_per_ip {
            return None;
        }
        guard.total += 1;
        guard.by_ip.insert(ip, from_ip + 1);
        Some(Slot {
            open: open.clone(),
            ip,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Ok(mut open) = self.open.lock() {
            open.total = open.total.saturating_sub(1);
            if let Some(n) = open.by_ip.get_mut(&self.ip) {
                *n -= 1;
                if *n == 0 {
                    open.by_ip.remove(&self.ip);
                }
            }
        }
    }
}

/// Turns a connection over the caps away at once: a `503` if the socket
/// takes it without waiting, then the connection is closed.
fn refuse(stream: TcpStream) {
    let response = http_response(&ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "too_many_connections",
        "the node has as many connections open as it takes; try again shortly",
    ));
    let _ = stream.try_write(&response);
}

/// An error as a complete HTTP/1.1 response that closes the connection.
fn http_response(error: &ApiError) -> Vec<u8> {
    let body = error.body().to_string();
    format!(
        "HTTP/1.1 {} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        error.status.as_u16(),
        error.status.canonical_reason().unwrap_or(""),
        body.len(),
    )
    .into_bytes()
}

/// The JSON response standing in for the one hyper writes by itself, with
/// an empty body, when it cannot parse a request: `buf` is that response
/// if it is a whole head with one of those statuses and no content type
/// (every response of the API's own has one).
fn stand_in(buf: &[u8]) -> Option<Vec<u8>> {
    let rest = buf.strip_prefix(b"HTTP/1.1 ")?;
    if !buf.ends_with(b"\r\n\r\n")
        || buf
            .windows(13)
            .any(|w| w.eq_ignore_ascii_case(b"content-type:"))
    {
        return None;
    }
    let error = match rest.get(..4)? {
        b"400 " => ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "the request is not valid HTTP/1.1",
        ),
        b"414 " => ApiError::new(
            StatusCode::URI_TOO_LONG,
            "uri_too_long",
            format!("the request line may be at most {MAX_HEAD_BYTES} bytes"),
        ),
        b"431 " => ApiError::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "headers_too_large",
            format!("a request's headers may be at most {MAX_HEAD_BYTES} bytes"),
        ),
        _ => return None,
    };
    Some(http_response(&error))
}

/// A connection whose writes of hyper's own error responses are replaced
/// by the API's JSON ones (see [`stand_in`]).
#[derive(Debug)]
struct JsonErrors {
    stream: TcpStream,
    /// A stand-in being written: its bytes and how many went out.
    swap: Option<(Vec<u8>, usize)>,
}

impl JsonErrors {
    fn new(stream: TcpStream) -> JsonErrors {
        JsonErrors { stream, swap: None }
    }
}

impl AsyncRead for JsonErrors {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for JsonErrors {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.swap.is_none()
            && let Some(bytes) = stand_in(buf)
        {
            this.swap = Some((bytes, 0));
        }
        let Some((bytes, sent)) = &mut this.swap else {
            return Pin::new(&mut this.stream).poll_write(cx, buf);
        };
        while *sent < bytes.len() {
            let n = ready!(Pin::new(&mut this.stream).poll_write(cx, &bytes[*sent..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            *sent += n;
        }
        // Hyper closes the connection after its error response; nothing it
        // writes afterwards is sent.
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

/// The open file descriptor limit of this process (its soft limit), if
/// the system says.
pub fn descriptor_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// Descriptors kept for what is not an API connection (storage, the p2p
/// layer, logs).
pub const RESERVED_DESCRIPTORS: u64 = 256;

/// The connection cap to use: `wanted`, lowered to stay below the
/// descriptor limit (when known) with room for the rest of the node.
pub fn connection_cap(wanted: usize, limit: Option<u64>) -> usize {
    match limit {
        Some(limit) => {
            let room = limit.saturating_sub(RESERVED_DESCRIPTORS).max(16);
            wanted.min(usize::try_from(room).unwrap_or(usize::MAX))
        }
        None => wanted,
    }
}

#[cfg(test)]
mod tests;
