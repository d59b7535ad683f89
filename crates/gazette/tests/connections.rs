//! Clients that hold connections without finishing a request: closed after the header timeout,
//! and beyond the connection cap told to come back later, while everyone else is still served.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::{Db, Server};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn address(server: &Server) -> String {
    server.base.trim_start_matches("http://").to_owned()
}

/// Reads until the server closes the connection (or `limit` passes); returns what came and when.
async fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> (Vec<u8>, Duration) {
    let start = Instant::now();
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        match tokio::time::timeout(
            limit.saturating_sub(start.elapsed()),
            stream.read(&mut buffer),
        )
        .await
        {
            Ok(Ok(0)) => break,
            Ok(Ok(n)) => received.extend_from_slice(&buffer[..n]),
            // Reset, or still open when the time was up.
            Ok(Err(_)) | Err(_) => break,
        }
    }
    (received, start.elapsed())
}

#[tokio::test]
async fn slow_and_silent_clients_are_closed_after_the_header_timeout() {
    let db = Db::sqlite();
    let server = Server::start_with(db.url(), &[("GAZETTE_SERVER_HEADER_TIMEOUT_SECONDS", "1")]);
    let addr = address(&server);

    let mut silent = TcpStream::connect(&addr).await.expect("connect");
    let (_, after) = read_until_closed(&mut silent, Duration::from_secs(10)).await;
    assert!(
        after < Duration::from_secs(5),
        "silent connection open {after:?}"
    );

    // One header line a few times a second never finishes the request.
    let mut drip = TcpStream::connect(&addr).await.expect("connect");
    drip.write_all(b"GET / HTTP/1.1\r\n").await.expect("write");
    let start = Instant::now();
    let mut closed = false;
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(250)).await;
        if drip.write_all(b"X-Slow: yes\r\n").await.is_err() {
            closed = true;
            break;
        }
    }
    assert!(closed, "a drip-fed request was kept open");
    assert!(start.elapsed() < Duration::from_secs(5));

    // A keep-alive connection that goes quiet after its answer is closed too.
    let mut idle = TcpStream::connect(&addr).await.expect("connect");
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
        .await
        .expect("write");
    let (answer, after) = read_until_closed(&mut idle, Duration::from_secs(10)).await;
    assert!(answer.starts_with(b"HTTP/1.1 200 OK"));
    assert!(
        after < Duration::from_secs(5),
        "idle connection open {after:?}"
    );
}

/// `GET /healthz` on a connection of its own, closed after the answer.
async fn healthz(addr: &str) -> String {
    healthz_path(addr, "/healthz").await
}

/// `GET path` on a connection of its own, closed after the answer.
async fn healthz_path(addr: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream
        .write_all(
            format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .await
        .expect("write");
    let (answer, _) = read_until_closed(&mut stream, Duration::from_secs(5)).await;
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn connections_beyond_the_cap_are_told_to_come_back() {
    let db = Db::sqlite();
    let server = Server::start_with(
        db.url(),
        &[
            ("GAZETTE_SERVER_MAX_CONNECTIONS", "20"),
            ("GAZETTE_SERVER_HEADER_TIMEOUT_SECONDS", "3"),
        ],
    );
    let addr = address(&server);
    let mut held = Vec::new();
    for _ in 0..19 {
        held.push(TcpStream::connect(&addr).await.expect("connect"));
    }
    // With 19 of 20 places taken by silent clients, a reader is still served.
    assert!(healthz(&addr).await.starts_with("HTTP/1.1 200 OK"));
    // The reader's place is given back just after its socket closes: on a busy machine the
    // next connection can arrive before that, so it waits for it.
    tokio::time::sleep(Duration::from_millis(300)).await;
    held.push(TcpStream::connect(&addr).await.expect("connect"));
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut over = TcpStream::connect(&addr).await.expect("connect");
    let (answer, _) = read_until_closed(&mut over, Duration::from_secs(2)).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("Retry-After: 5"));
    assert!(answer.contains("This server is busy. Please try again in a few seconds."));
    let length: usize = answer
        .lines()
        .find_map(|l| l.strip_prefix("Content-Length: "))
        .and_then(|n| n.trim().parse().ok())
        .expect("length");
    assert_eq!(length, answer.split_once("\r\n\r\n").expect("body").1.len());
    // Once the silent ones time out, the site takes new readers again.
    drop(held);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(healthz(&addr).await.starts_with("HTTP/1.1 200 OK"));
    // Shutdown does not wait for an idle connection.
    let _idle = TcpStream::connect(&addr).await.expect("connect");
    assert!(server.terminate().success());
}

#[tokio::test]
async fn metrics_can_have_a_listener_of_their_own() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let metrics_address = format!("127.0.0.1:{port}");
    let db = Db::sqlite();
    let server = Server::start_with(db.url(), &[("GAZETTE_METRICS_LISTEN", &metrics_address)]);
    let mut answer = String::new();
    for _ in 0..50 {
        if let Ok(mut stream) = TcpStream::connect(&metrics_address).await {
            stream
                .write_all(b"GET /metrics HTTP/1.1\r\nHost: m\r\nConnection: close\r\n\r\n")
                .await
                .expect("write");
            let (bytes, _) = read_until_closed(&mut stream, Duration::from_secs(5)).await;
            answer = String::from_utf8_lossy(&bytes).into_owned();
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    assert!(answer.contains("gazette_live_streams 0"), "{answer}");
    let public = healthz_path(&address(&server), "/metrics").await;
    assert!(public.starts_with("HTTP/1.1 404"), "{public}");
}
