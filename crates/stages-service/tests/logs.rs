//! Secrets never reach a response or a log. In a test binary of its own: `tracing` caches
//! which callsites a subscriber wants, and tests running beside it on other threads could
//! register the request span before this test's subscriber exists.

mod common;

use common::*;
use serde_json::json;
use std::io::Write;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn secrets_stay_out_of_responses_and_logs() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let s = start().await;
    let (_, created) = s
        .send(
            reqwest::Method::POST,
            "/stages/captcha/",
            Some(seed_captcha_body("secretive")),
        )
        .await;
    let id = created["pk"].as_str().unwrap().to_owned();
    let mut responses = vec![created];
    responses.push(
        s.send(
            reqwest::Method::GET,
            &format!("/stages/captcha/{id}/"),
            None,
        )
        .await
        .1,
    );
    responses.push(
        s.send(reqwest::Method::GET, "/stages/captcha/", None)
            .await
            .1,
    );
    responses.push(
        s.send(
            reqwest::Method::PATCH,
            &format!("/stages/captcha/{id}/"),
            Some(json!({"private_key": SECRET})),
        )
        .await
        .1,
    );
    responses.push(
        s.send(
            reqwest::Method::PUT,
            &format!("/stages/captcha/{id}/"),
            Some(seed_captcha_body("secretive")),
        )
        .await
        .1,
    );
    // A rejected body that carries the secret must not echo it either.
    responses.push(
        s.send(
            reqwest::Method::POST,
            "/stages/captcha/",
            Some(json!({"name": "", "public_key": "p", "private_key": SECRET})),
        )
        .await
        .1,
    );
    for r in &responses {
        assert_no_secret(r);
    }
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("stages_captcha_create"),
        "the request spans were not captured:\n{logs}"
    );
    assert!(logs.contains("status=201"), "{logs}");
    assert!(
        !logs.contains(SECRET),
        "the secret reached the logs:\n{logs}"
    );
    assert!(!logs.contains(TOKEN), "the token reached the logs:\n{logs}");
}
