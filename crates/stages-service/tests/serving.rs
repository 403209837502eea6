//! Serving under abuse, over real sockets: header and body timeouts, the body limit checked on
//! the declared length, malformed chunks, and a bounded graceful stop of the binary on SIGTERM
//! and SIGINT with stalled clients connected.
mod common;

use authentik_server::{RouterConfig, ServeConfig};
use common::TOKEN;
use stages_service::{store::Store, StagesService};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BODY_LIMIT: usize = 1024;

/// The service in-process on a free loopback port, with `serving`; it runs until the test ends.
fn start(serving: ServeConfig) -> SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            let service = StagesService::new(Store::open(Path::new(":memory:")).unwrap(), TOKEN);
            let app = stages_service::app(
                service,
                RouterConfig {
                    body_limit: BODY_LIMIT,
                },
            );
            let never = std::future::pending();
            authentik_server::serve_with_shutdown(listener, app, serving, never)
                .await
                .unwrap();
        });
    });
    rx.recv().unwrap()
}

fn short_timeouts() -> ServeConfig {
    ServeConfig {
        header_timeout: Duration::from_millis(500),
        body_timeout: Duration::from_millis(500),
        drain_timeout: Duration::from_secs(1),
    }
}

/// A connection that has sent `head` (and nothing after it).
fn send(address: SocketAddr, head: &str) -> TcpStream {
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    stream
}

/// The headers of a POST to the captcha stages with `extra` header lines.
fn post(extra: &str) -> String {
    format!(
        "POST /api/v3/stages/captcha/ HTTP/1.1\r\nHost: localhost\r\n\
         Authorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\n{extra}\r\n"
    )
}

/// Everything the server sends until it closes the connection (or 10 s pass: a failure).
fn read_to_close(stream: &mut TcpStream) -> String {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(e) => panic!(
                "no close within 10 s ({e}); got {:?}",
                String::from_utf8_lossy(&out)
            ),
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Status line and body of one answer.
fn status_and_body(answer: &str) -> (&str, &str) {
    let status = answer.lines().next().unwrap_or("");
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or("");
    (status, body)
}

#[test]
fn a_body_that_never_comes_is_answered_408_within_the_body_timeout() {
    let address = start(short_timeouts());
    let started = Instant::now();
    let mut stream = send(address, &post("Content-Length: 100\r\n"));
    let answer = read_to_close(&mut stream);
    let took = started.elapsed();
    let (status, body) = status_and_body(&answer);
    assert_eq!(status, "HTTP/1.1 408 Request Timeout", "{answer}");
    assert_eq!(body, r#"{"detail":"Request body not received in time."}"#);
    assert!(
        answer.to_ascii_lowercase().contains("connection: close"),
        "{answer}"
    );
    assert!(took >= Duration::from_millis(500), "{took:?}");
    assert!(took < Duration::from_secs(3), "{took:?}");
}

#[test]
fn a_body_sent_a_byte_at_a_time_still_ends_at_the_body_timeout() {
    let address = start(short_timeouts());
    let started = Instant::now();
    let mut stream = send(address, &post("Content-Length: 100\r\n"));
    // One byte every 100 ms: each read makes progress, the whole body does not arrive in time.
    let mut writer = stream.try_clone().unwrap();
    std::thread::spawn(move || {
        for _ in 0..100 {
            std::thread::sleep(Duration::from_millis(100));
            if writer.write_all(b" ").is_err() {
                break;
            }
        }
    });
    let answer = read_to_close(&mut stream);
    let took = started.elapsed();
    assert_eq!(
        status_and_body(&answer).0,
        "HTTP/1.1 408 Request Timeout",
        "{answer}"
    );
    assert!(took < Duration::from_secs(3), "{took:?}");
}

#[test]
fn a_declared_length_over_the_limit_is_answered_413_before_any_body_is_sent() {
    let address = start(ServeConfig::default());
    for expect in ["", "Expect: 100-continue\r\n"] {
        let started = Instant::now();
        let head = post(&format!("Content-Length: {}\r\n{expect}", BODY_LIMIT + 1));
        let mut stream = send(address, &head);
        let answer = read_to_close(&mut stream);
        let (status, body) = status_and_body(&answer);
        // No `100 Continue` first: the client is told not to send the body.
        assert_eq!(status, "HTTP/1.1 413 Payload Too Large", "{answer}");
        assert_eq!(
            body,
            format!(r#"{{"detail":"Request body is larger than {BODY_LIMIT} bytes."}}"#)
        );
        assert!(started.elapsed() < Duration::from_secs(2), "{expect}");
    }
    // At the limit it is read (and judged as JSON).
    let mut stream = send(
        address,
        &format!(
            "{}{}",
            post("Content-Length: 2\r\nConnection: close\r\n"),
            "[]"
        ),
    );
    let answer = read_to_close(&mut stream);
    assert_eq!(
        status_and_body(&answer).0,
        "HTTP/1.1 400 Bad Request",
        "{answer}"
    );
    assert!(answer.contains("Expected a dictionary"), "{answer}");
}

#[test]
fn a_chunked_body_over_the_limit_is_answered_413() {
    let address = start(ServeConfig::default());
    let chunk = "x".repeat(BODY_LIMIT + 1);
    let body = format!("{:x}\r\n{chunk}\r\n0\r\n\r\n", chunk.len());
    let mut stream = send(
        address,
        &format!("{}{body}", post("Transfer-Encoding: chunked\r\n")),
    );
    let answer = read_to_close(&mut stream);
    assert_eq!(
        status_and_body(&answer).0,
        "HTTP/1.1 413 Payload Too Large",
        "{answer}"
    );
}

#[test]
fn a_malformed_chunk_is_answered_400() {
    let address = start(ServeConfig::default());
    for body in ["zz\r\n{}\r\n0\r\n\r\n", "2\r\n{}XX0\r\n\r\n"] {
        let mut stream = send(
            address,
            &format!("{}{body}", post("Transfer-Encoding: chunked\r\n")),
        );
        let answer = read_to_close(&mut stream);
        let (status, detail) = status_and_body(&answer);
        assert_eq!(status, "HTTP/1.1 400 Bad Request", "{body:?}: {answer}");
        assert_eq!(detail, r#"{"detail":"Malformed request."}"#, "{body:?}");
    }
    // A well-formed chunked body is read.
    let body = "2\r\n[]\r\n0\r\n\r\n";
    let head = post("Transfer-Encoding: chunked\r\nConnection: close\r\n");
    let mut stream = send(address, &format!("{head}{body}"));
    let answer = read_to_close(&mut stream);
    assert!(answer.contains("Expected a dictionary"), "{answer}");
}

#[test]
fn headers_that_never_end_close_the_connection_within_the_header_timeout() {
    let address = start(short_timeouts());
    let started = Instant::now();
    let mut stream = send(
        address,
        "GET /api/v3/stages/captcha/ HTTP/1.1\r\nHost: x\r\n",
    );
    let answer = read_to_close(&mut stream);
    let took = started.elapsed();
    assert_eq!(answer, "", "closed without an answer");
    assert!(took >= Duration::from_millis(500), "{took:?}");
    assert!(took < Duration::from_secs(3), "{took:?}");
}

/// The binary on a free loopback port with a stalled client on it; returns it and the client.
fn spawn_binary(args: &[&str]) -> (Child, SocketAddr) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let address: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_stages-service"))
        .args(["--listen", &address.to_string(), "--db", ":memory:"])
        .args(args)
        .env("STAGES_TOKEN", TOKEN)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while TcpStream::connect(address).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "never listened"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    (child, address)
}

fn signal(child: &Child, name: &str) {
    let sent = Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
}

/// How long the child takes to exit, and how (at most 10 s, else it is killed: a failure).
fn wait_exit(child: &mut Child) -> (Duration, std::process::ExitStatus) {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return (started.elapsed(), status);
        }
        if started.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            panic!("still running 10 s after the signal");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[cfg(unix)]
#[test]
fn sigterm_and_sigint_with_stalled_clients_exit_within_the_drain_timeout() {
    for name in ["TERM", "INT"] {
        // Timeouts far longer than the drain: only the drain bound can end the stalled clients.
        let (mut child, address) = spawn_binary(&[
            "--header-timeout",
            "60",
            "--body-timeout",
            "60",
            "--drain-timeout",
            "1",
        ]);
        let _in_body = send(address, &post("Content-Length: 100\r\n"));
        let _in_headers = send(address, "GET /api/v3/stages/captcha/ HTTP/1.1\r\n");
        std::thread::sleep(Duration::from_millis(200));
        signal(&child, name);
        let (took, status) = wait_exit(&mut child);
        assert!(status.success(), "SIG{name}: {status}");
        assert!(took >= Duration::from_millis(900), "SIG{name}: {took:?}");
        assert!(took < Duration::from_secs(4), "SIG{name}: {took:?}");
    }
}

#[cfg(unix)]
#[test]
fn sigterm_closes_idle_connections_at_once_and_finishes_the_request_in_flight() {
    let (mut child, address) = spawn_binary(&["--drain-timeout", "10"]);
    // An idle keep-alive connection, after one answered request.
    let mut idle = send(
        address,
        "GET /api/v3/stages/captcha/ HTTP/1.1\r\nHost: x\r\n\r\n",
    );
    let mut buf = [0u8; 4096];
    let n = idle.read(&mut buf).unwrap();
    assert!(buf[..n].starts_with(b"HTTP/1.1 403"));
    // A request whose body is on its way.
    let mut in_flight = send(address, &post("Content-Length: 2\r\n"));
    std::thread::sleep(Duration::from_millis(200));
    signal(&child, "TERM");
    std::thread::sleep(Duration::from_millis(200));
    in_flight.write_all(b"[]").unwrap();
    let answer = read_to_close(&mut in_flight);
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert_eq!(read_to_close(&mut idle), "", "the idle one is closed");
    let (took, status) = wait_exit(&mut child);
    assert!(status.success(), "{status}");
    assert!(took < Duration::from_secs(2), "{took:?}");
}
