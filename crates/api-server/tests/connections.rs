//! The accept loop's connection limits, on a real socket (127.0.0.1, a free port).

mod common;

use common::*;
use onramp_api::{
    AppState, app_with_state,
    config::Faults,
    serve::{Limits, serve},
};
use std::{
    net::SocketAddr,
    time::{Duration, Instant},
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    sync::oneshot,
    task::JoinHandle,
};

const LONG: Duration = Duration::from_secs(30);

struct Server {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

async fn start(config: onramp_api::Config, limits: Limits) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = app_with_state(AppState::new(config).unwrap());
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(serve(listener, app, limits, async {
        let _ = stopped.await;
    }));
    Server {
        addr,
        stop: Some(stop),
        task,
    }
}

fn limits() -> Limits {
    Limits {
        header_timeout: LONG,
        idle_timeout: LONG,
        max_connections: 64,
        shutdown_grace: LONG,
    }
}

/// Reads one answer (headers and a `Content-Length` body); `None` if the connection closes
/// first.
async fn read_answer(s: &mut (impl tokio::io::AsyncRead + Unpin)) -> Option<String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let text = String::from_utf8_lossy(&buf).into_owned();
        if let Some(end) = text.find("\r\n\r\n") {
            let len = text[..end]
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if buf.len() >= end + 4 + len {
                return Some(text);
            }
        }
        match s.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

/// Waits for the server to close the connection; how long it took.
async fn closed_within(s: &mut TcpStream, limit: Duration) -> Duration {
    let t0 = Instant::now();
    let mut chunk = [0u8; 1024];
    loop {
        match tokio::time::timeout(limit, s.read(&mut chunk)).await {
            Err(_) => panic!("still open after {limit:?}"),
            Ok(Ok(0)) | Ok(Err(_)) => return t0.elapsed(),
            Ok(Ok(_)) => {}
        }
    }
}

const GET: &[u8] = b"GET /config.json HTTP/1.1\r\nHost: onramp.test\r\n\r\n";

#[tokio::test]
async fn a_client_that_sends_nothing_is_disconnected_after_the_header_timeout() {
    let server = start(
        config(),
        Limits {
            header_timeout: Duration::from_secs(1),
            ..limits()
        },
    )
    .await;
    let mut silent = TcpStream::connect(server.addr).await.unwrap();
    let took = closed_within(&mut silent, Duration::from_secs(5)).await;
    assert!(took >= Duration::from_millis(800), "{took:?}");
    // Headers trickled in too slowly count the same.
    let mut slow = TcpStream::connect(server.addr).await.unwrap();
    slow.write_all(b"GET /config.json HTTP/1.1\r\n")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(600)).await;
    slow.write_all(b"Host: onramp.test\r\n").await.unwrap();
    closed_within(&mut slow, Duration::from_secs(5)).await;
    // A prompt client is served.
    let mut ok = TcpStream::connect(server.addr).await.unwrap();
    ok.write_all(GET).await.unwrap();
    let answer = read_answer(&mut ok).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test]
async fn an_idle_kept_alive_connection_is_closed_but_a_slow_answer_is_not_idleness() {
    let mut c = config();
    c.faults = Faults {
        latency_ms: 1500,
        only: Some("/api/auth/me".into()),
        ..Faults::default()
    };
    let server = start(
        c,
        Limits {
            idle_timeout: Duration::from_millis(700),
            ..limits()
        },
    )
    .await;
    let mut s = TcpStream::connect(server.addr).await.unwrap();
    // An answer that takes longer than the idle timeout still arrives.
    s.write_all(b"GET /api/auth/me HTTP/1.1\r\nHost: onramp.test\r\n\r\n")
        .await
        .unwrap();
    let answer = read_answer(&mut s).await.expect("the slow answer arrives");
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    // Then nothing moves: closed after the idle timeout (the header timeout is 30 s).
    let took = closed_within(&mut s, Duration::from_secs(5)).await;
    assert!(took >= Duration::from_millis(500), "{took:?}");
}

#[tokio::test]
async fn connections_past_the_cap_wait_until_one_closes() {
    let server = start(
        config(),
        Limits {
            max_connections: 2,
            ..limits()
        },
    )
    .await;
    let first = TcpStream::connect(server.addr).await.unwrap();
    let mut second = TcpStream::connect(server.addr).await.unwrap();
    second.write_all(GET).await.unwrap();
    assert!(read_answer(&mut second).await.is_some());
    // The kernel completes the handshake, but the server does not take the third one up.
    let mut third = TcpStream::connect(server.addr).await.unwrap();
    third.write_all(GET).await.unwrap();
    assert!(
        tokio::time::timeout(Duration::from_millis(500), read_answer(&mut third))
            .await
            .is_err(),
        "a third connection was served while two were open"
    );
    drop(first);
    let answer = tokio::time::timeout(Duration::from_secs(5), read_answer(&mut third))
        .await
        .expect("served once a slot is free")
        .unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test]
async fn shutdown_ends_within_its_grace_even_with_idle_sockets_open() {
    let mut c = config();
    c.faults = Faults {
        latency_ms: 20_000,
        only: Some("/api/auth/me".into()),
        ..Faults::default()
    };
    let mut server = start(
        c,
        Limits {
            shutdown_grace: Duration::from_millis(500),
            ..limits()
        },
    )
    .await;
    // One that never sends a byte, one kept alive after an answer, one stuck halfway through
    // its headers (all with 30 s timeouts), and one waiting for a 20 s answer.
    let mut silent = TcpStream::connect(server.addr).await.unwrap();
    let mut kept = TcpStream::connect(server.addr).await.unwrap();
    kept.write_all(GET).await.unwrap();
    assert!(read_answer(&mut kept).await.is_some());
    let mut half = TcpStream::connect(server.addr).await.unwrap();
    half.write_all(b"GET /config.json HTTP/1.1\r\nHost: onramp.test\r\n")
        .await
        .unwrap();
    let mut waiting = TcpStream::connect(server.addr).await.unwrap();
    waiting
        .write_all(b"GET /api/auth/me HTTP/1.1\r\nHost: onramp.test\r\n\r\n")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;

    let t0 = Instant::now();
    server.stop.take().unwrap().send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(5), &mut server.task)
        .await
        .expect("serve returns within its grace")
        .unwrap();
    assert!(t0.elapsed() < Duration::from_secs(2), "{:?}", t0.elapsed());
    for s in [&mut silent, &mut kept, &mut half, &mut waiting] {
        closed_within(s, Duration::from_secs(1)).await;
    }
    // Nothing is accepted any more.
    assert!(TcpStream::connect(server.addr).await.is_err());
}

#[tokio::test]
async fn each_socket_peer_is_its_own_client() {
    let mut c = config();
    c.rate_limit = 1;
    let server = start(c, limits()).await;
    let ask_from = |ip: &'static str| async move {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket
            .bind(SocketAddr::new(ip.parse().unwrap(), 0))
            .unwrap();
        let mut s = socket.connect(server.addr).await.unwrap();
        s.write_all(b"GET /api/onramp/invitations/token/x HTTP/1.1\r\nHost: onramp.test\r\n\r\n")
            .await
            .unwrap();
        read_answer(&mut s).await.unwrap()
    };
    // Without a token the rate limit counts per client address (the whole 127/8 is loopback).
    assert!(ask_from("127.0.0.2").await.starts_with("HTTP/1.1 404"));
    assert!(ask_from("127.0.0.2").await.starts_with("HTTP/1.1 429"));
    assert!(ask_from("127.0.0.3").await.starts_with("HTTP/1.1 404"));
}

/// The headers of a JSON POST to `path` announcing a 100-byte body.
fn announced_body(path: &str) -> String {
    format!(
        "POST {path} HTTP/1.1\r\nHost: onramp.test\r\nContent-Type: application/json\r\n\
         Content-Length: 100\r\n\r\n"
    )
}

#[tokio::test]
async fn a_body_that_never_arrives_is_answered_408_after_the_body_timeout() {
    let mut c = config();
    c.body_timeout = Duration::from_secs(1);
    // The header and idle timeouts are 30 s: only the body timeout can end these.
    let server = start(c, limits()).await;
    // Sign-in's body is read by the login throttle; the invitation's by the JSON extractor.
    for path in ["/api/auth/token", "/api/onramp/invitations/token/x/accept"] {
        let mut s = TcpStream::connect(server.addr).await.unwrap();
        s.write_all(announced_body(path).as_bytes()).await.unwrap();
        let t0 = Instant::now();
        let answer = tokio::time::timeout(Duration::from_secs(5), read_answer(&mut s))
            .await
            .unwrap_or_else(|_| panic!("{path}: no answer within 5 s"))
            .unwrap_or_else(|| panic!("{path}: closed without an answer"));
        assert!(t0.elapsed() >= Duration::from_millis(800), "{path}");
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        let (_, body) = answer.split_once("\r\n\r\n").unwrap();
        let body: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(body["response"]["status"]["code"], 408, "{answer}");
        assert_eq!(
            body["response"]["errors"][0]["code"], "RequestTimeout",
            "{answer}"
        );
        assert_eq!(body["request"]["method"], "POST", "{answer}");
    }
    // A body that trickles in, a byte now and then, is cut off at the same deadline: the
    // timeout is for the whole body, not for each part.
    for path in ["/api/auth/token", "/api/onramp/invitations/token/x/accept"] {
        let (mut r, mut w) = TcpStream::connect(server.addr).await.unwrap().into_split();
        w.write_all(announced_body(path).as_bytes()).await.unwrap();
        let t0 = Instant::now();
        let trickle = tokio::spawn(async move {
            for _ in 0..100 {
                tokio::time::sleep(Duration::from_millis(200)).await;
                if w.write_all(b" ").await.is_err() {
                    break;
                }
            }
        });
        let answer = tokio::time::timeout(Duration::from_secs(5), read_answer(&mut r))
            .await
            .unwrap_or_else(|_| panic!("{path}: a trickled body held the request for 5 s"))
            .unwrap_or_else(|| panic!("{path}: closed without an answer"));
        trickle.abort();
        assert!(t0.elapsed() >= Duration::from_millis(800), "{path}");
        assert!(answer.starts_with("HTTP/1.1 408"), "{path}: {answer}");
    }
    // A body that pauses for less than the timeout between its parts is read as usual.
    let body = br#"{"email":"nobody@example.com","password":"Wr0ng-secret!"}"#;
    let mut s = TcpStream::connect(server.addr).await.unwrap();
    let head = announced_body("/api/auth/token").replace("100", &body.len().to_string());
    s.write_all(head.as_bytes()).await.unwrap();
    s.write_all(&body[..10]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    s.write_all(&body[10..]).await.unwrap();
    let answer = tokio::time::timeout(Duration::from_secs(5), read_answer(&mut s))
        .await
        .expect("answered")
        .unwrap();
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
}
