//! The server on loopback with a real node behind it: slow and idle
//! clients are cut off at the deadlines, connections past the caps are
//! turned away, the HTTP layer's own errors are JSON, and a flood from one
//! address does not keep a member elsewhere from being served. Clients
//! bind distinct 127.x.y.z addresses (all of 127.0.0.0/8 is loopback).

use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use hearth_protocol::request::sign_request;
use hearth_protocol::test::keypair;
use hearth_protocol::{ActionBody, InviteCode, Keypair, MembershipAction, Timestamp};
use serde_json::Value;
use tokio::net::{TcpListener, TcpSocket, TcpStream};

use crate::api::tests::{Fixture, fixture_with};
use crate::api::{Limits, Options};
use crate::runtime;

/// The bound on every wait in these tests.
const DEADLINE: Duration = Duration::from_secs(20);

struct Server {
    addr: SocketAddr,
    fixture: Fixture,
    _stop: tokio::sync::oneshot::Sender<()>,
}

async fn serve(limits: Limits) -> Server {
    let fixture = fixture_with(Options {
        limits,
        ..Options::default()
    })
    .await;
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(super::serve(
        listener,
        fixture.app.clone(),
        limits,
        async move {
            let _ = stopped.await;
        },
    ));
    Server {
        addr,
        fixture,
        _stop: stop,
    }
}

/// Reads what has arrived (0: the connection closed).
async fn read_some(stream: &TcpStream, buf: &mut [u8]) -> std::io::Result<usize> {
    loop {
        stream.readable().await?;
        match stream.try_read(buf) {
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
            read => return read,
        }
    }
}

/// Writes all of `data`.
async fn write_all(stream: &TcpStream, mut data: &[u8]) -> std::io::Result<()> {
    while !data.is_empty() {
        stream.writable().await?;
        match stream.try_write(data) {
            Ok(n) => data = &data[n..],
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// A connection to `to` from the loopback address `127.0.0.<last>`.
async fn connect_from(last: u8, to: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().expect("socket");
    socket
        .bind((Ipv4Addr::new(127, 0, 0, last), 0).into())
        .expect("bind a loopback address");
    socket.connect(to).await.expect("connect")
}

/// Reads one response: its status and its body as JSON (or as a string).
/// `None` if the connection closed first.
async fn read_response(stream: &TcpStream) -> Option<(u16, Value)> {
    let mut buf = Vec::new();
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let mut chunk = [0u8; 4096];
        match read_some(stream, &mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let mut chunk = [0u8; 4096];
        match read_some(stream, &mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let body = &buf[head_end..head_end + length];
    let json = serde_json::from_slice(body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into()));
    Some((status, json))
}

/// Sends `raw` and reads the response.
async fn exchange(stream: &TcpStream, raw: &[u8]) -> Option<(u16, Value)> {
    write_all(stream, raw).await.ok()?;
    tokio::time::timeout(DEADLINE, read_response(stream))
        .await
        .expect("a response within the deadline")
}

fn get(path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nhost: hearth\r\n\r\n").into_bytes()
}

fn signed_get(key: &Keypair, path: &str) -> Vec<u8> {
    let mut raw = format!("GET {path} HTTP/1.1\r\nhost: hearth\r\n");
    for (name, value) in sign_request(key, "GET", path, runtime::now(), b"") {
        raw.push_str(&format!("{name}: {value}\r\n"));
    }
    raw.push_str("\r\n");
    raw.into_bytes()
}

/// Waits until the server closes `stream` (reads return nothing),
/// within the deadline; returns how long it took.
async fn closed_within_deadline(stream: &TcpStream) -> Duration {
    let started = Instant::now();
    tokio::time::timeout(DEADLINE, async {
        let mut buf = [0u8; 1024];
        while let Ok(n) = read_some(stream, &mut buf).await {
            if n == 0 {
                break;
            }
        }
    })
    .await
    .expect("the server closes the connection within the deadline");
    started.elapsed()
}

fn quick() -> Limits {
    Limits {
        header_timeout: Duration::from_secs(1),
        body_timeout: Duration::from_secs(1),
        ..Limits::default()
    }
}

#[tokio::test]
async fn a_client_dripping_its_headers_is_cut_off_at_the_header_deadline() {
    let server = serve(quick()).await;
    let stream = connect_from(1, server.addr).await;
    let started = Instant::now();
    write_all(&stream, b"GET /healthz HTTP/1.1\r\nx-drip: ")
        .await
        .expect("write");
    // One byte every 100 ms until the server hangs up (a write fails or a
    // read sees the end).
    let closed = tokio::time::timeout(DEADLINE, async {
        let mut buf = [0u8; 1024];
        loop {
            tokio::select! {
                read = read_some(&stream, &mut buf) => match read {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                },
                () = tokio::time::sleep(Duration::from_millis(100)) => {
                    if write_all(&stream, b"a").await.is_err() {
                        return;
                    }
                }
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "the dripping client was not cut off");
    assert!(started.elapsed() >= Duration::from_secs(1));
}

#[tokio::test]
async fn an_idle_connection_is_closed_at_the_header_deadline() {
    let server = serve(quick()).await;
    let stream = connect_from(1, server.addr).await;
    let (status, body) = exchange(&stream, &get("/healthz")).await.expect("response");
    assert_eq!((status, body), (200, Value::String("ok".into())));
    let idle = closed_within_deadline(&stream).await;
    assert!(idle >= Duration::from_millis(900), "{idle:?}");
}

#[tokio::test]
async fn a_client_dripping_its_body_gets_408_at_the_body_deadline() {
    let server = serve(quick()).await;
    let stream = connect_from(1, server.addr).await;
    let raw = b"POST /v1/actions HTTP/1.1\r\nhost: hearth\r\ncontent-type: application/octet-stream\r\ncontent-length: 1000\r\n\r\nonly a little";
    let (status, body) = exchange(&stream, raw).await.expect("response");
    assert_eq!(
        (status, body["error"].as_str()),
        (408, Some("body_timeout"))
    );
    closed_within_deadline(&stream).await;
}

#[tokio::test]
async fn connections_past_the_caps_are_turned_away_until_others_close() {
    let limits = Limits {
        max_connections: 4,
        max_connections_per_ip: 3,
        ..Limits::default()
    };
    let server = serve(limits).await;
    // Three connections from 127.0.0.2 (its cap), one from 127.0.0.3 (the
    // total cap); each is served once, so the server holds all four.
    let mut held = Vec::new();
    for last in [2, 2, 2, 3] {
        let stream = connect_from(last, server.addr).await;
        let (status, _) = exchange(&stream, &get("/healthz")).await.expect("response");
        assert_eq!(status, 200);
        held.push(stream);
    }
    // A fifth is turned away at once: a 503 or just the connection closed.
    let over = connect_from(4, server.addr).await;
    if let Some((status, body)) = exchange(&over, &get("/healthz")).await {
        assert_eq!(
            (status, body["error"].as_str()),
            (503, Some("too_many_connections"))
        );
    }
    closed_within_deadline(&over).await;
    // Once one closes, a new client is served again (the server notices
    // the close a moment later: poll until it does).
    drop(held.pop());
    let started = Instant::now();
    loop {
        let stream = connect_from(4, server.addr).await;
        if let Some((200, _)) = exchange(&stream, &get("/healthz")).await {
            break;
        }
        assert!(started.elapsed() < DEADLINE, "/healthz never answered");
        tokio::task::yield_now().await;
    }
    // 127.0.0.2 still has its three: a fourth from it is turned away even
    // though the total has room again after the last client left.
    let fourth = connect_from(2, server.addr).await;
    if let Some((status, _)) = exchange(&fourth, &get("/healthz")).await {
        assert_eq!(status, 503);
    }
    closed_within_deadline(&fourth).await;
}

#[tokio::test]
async fn errors_of_the_http_layer_are_json() {
    let server = serve(Limits::default()).await;
    let stream = connect_from(1, server.addr).await;
    let (status, body) = exchange(&stream, b"NOT HTTP AT ALL\r\n\r\n")
        .await
        .expect("response");
    assert_eq!((status, body["error"].as_str()), (400, Some("bad_request")));
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));

    let stream = connect_from(1, server.addr).await;
    let huge = format!(
        "GET /healthz HTTP/1.1\r\nhost: hearth\r\nx-huge: {}\r\n\r\n",
        "a".repeat(super::MAX_HEAD_BYTES + 1)
    );
    let (status, body) = exchange(&stream, huge.as_bytes()).await.expect("response");
    assert_eq!(
        (status, body["error"].as_str()),
        (431, Some("headers_too_large"))
    );

    // A bad header after a good request on the same connection.
    let stream = connect_from(1, server.addr).await;
    assert_eq!(
        exchange(&stream, &get("/healthz")).await.map(|r| r.0),
        Some(200)
    );
    let (status, body) = exchange(&stream, b"GET / HTTP/1.1\r\nno colon here\r\n\r\n")
        .await
        .expect("response");
    assert_eq!((status, body["error"].as_str()), (400, Some("bad_request")));

    // The content type is matched without regard to case: this is read as
    // JSON (and refused as such), not as an action's bytes.
    let stream = connect_from(1, server.addr).await;
    let raw = b"POST /v1/actions HTTP/1.1\r\nhost: hearth\r\nContent-Type: Application/JSON; charset=UTF-8\r\ncontent-length: 6\r\n\r\n{\"a\":1";
    let (status, body) = exchange(&stream, raw).await.expect("response");
    assert_eq!((status, body["error"].as_str()), (400, Some("bad_json")));
}

#[tokio::test]
async fn a_flood_from_one_address_is_limited_while_others_and_members_are_served() {
    let limits = Limits {
        rate_per_ip: 5,
        ..Limits::default()
    };
    let server = serve(limits).await;
    let founder = server.fixture.found().await;
    // 127.0.0.2 floods unsigned reads until it is refused: its bucket
    // holds ten, so that happens within a few dozen.
    let flood = connect_from(2, server.addr).await;
    let mut limited = None;
    for _ in 0..100 {
        let (status, body) = exchange(&flood, &get("/v1/members"))
            .await
            .expect("response");
        if status == 429 {
            limited = Some(body);
            break;
        }
        assert_eq!(status, 200, "{body}");
    }
    let limited = limited.expect("the flood was never limited");
    assert_eq!(limited["error"], "rate_limited");
    // Meanwhile the member on 127.0.0.1 and a stranger on 127.0.0.3 are
    // served as usual.
    let member = connect_from(1, server.addr).await;
    for n in 0..20 {
        let path = format!("/v1/ledger?n={n}");
        let (status, body) = exchange(&member, &signed_get(&founder, &path))
            .await
            .expect("response");
        assert_eq!(status, 200, "{body}");
    }
    let other = connect_from(3, server.addr).await;
    let (status, _) = exchange(&other, &get("/v1/members"))
        .await
        .expect("response");
    assert_eq!(status, 200);
    // A member's signed request passes even from the flooding address,
    // and the flood itself stays limited.
    let (status, body) = exchange(&flood, &signed_get(&founder, "/v1/ledger?n=flood"))
        .await
        .expect("response");
    assert_eq!(status, 200, "{body}");
    let invite = ActionBody::Membership(MembershipAction::IssueInvite {
        key: keypair(50).public(),
        expires: Timestamp(runtime::now().0 + 60_000),
    });
    let action = server.fixture.action(&founder, 2, invite);
    let mut raw = format!(
        "POST /v1/actions HTTP/1.1\r\nhost: hearth\r\ncontent-type: application/octet-stream\r\ncontent-length: {}\r\n\r\n",
        action.len()
    )
    .into_bytes();
    raw.extend_from_slice(&action);
    let (status, body) = exchange(&flood, &raw).await.expect("response");
    assert_eq!(status, 201, "{body}");
    // So is a newcomer's join with that invite (an invite a member issued).
    let mut seed = [50u8; 32];
    seed[0] = 0x5e;
    let code = InviteCode {
        community: server.fixture.community,
        seed,
    };
    assert_eq!(code.keypair().public(), keypair(50).public());
    let newcomer = keypair(51);
    let join = server
        .fixture
        .action(&newcomer, 1, code.join_body(&newcomer.public()));
    let mut raw = format!(
        "POST /v1/actions HTTP/1.1\r\nhost: hearth\r\ncontent-type: application/octet-stream\r\ncontent-length: {}\r\n\r\n",
        join.len()
    )
    .into_bytes();
    raw.extend_from_slice(&join);
    let (status, body) = exchange(&flood, &raw).await.expect("response");
    assert_eq!(status, 201, "{body}");
    let mut refused = 0;
    for _ in 0..20 {
        let (status, _) = exchange(&flood, &get("/v1/members"))
            .await
            .expect("response");
        refused += usize::from(status == 429);
    }
    assert!(refused > 0, "the flood got through again");
}

#[test]
fn the_connection_cap_stays_below_the_descriptor_limit() {
    assert_eq!(super::connection_cap(1024, None), 1024);
    assert_eq!(super::connection_cap(1024, Some(65_536)), 1024);
    assert_eq!(super::connection_cap(1024, Some(1024)), 768);
    assert_eq!(super::connection_cap(1024, Some(100)), 16);
}
