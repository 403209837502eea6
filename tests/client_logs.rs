//! The client's request log holds no token, query or body. In a test binary of its own:
//! `tracing` caches which callsites a subscriber wants, and tests running beside it on other
//! threads could register the client's callsite before this test's subscriber exists.

use authentik_client::captcha::StagesCaptchaListQuery;
use authentik_client::CaptchaApi;
use uuid::Uuid;
use wiremock::matchers::method;
use wiremock::{Mock, ResponseTemplate};

#[path = "client_common.rs"]
mod common;
use common::*;

/// Collects what a subscriber writes.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn each_request_is_logged_without_token_query_or_body() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    tracing::subscriber::with_default(subscriber, || {
        runtime.block_on(async {
            let (server, client) = server().await;
            Mock::given(method("POST"))
                .respond_with(
                    ResponseTemplate::new(201).set_body_json(captcha_json(Uuid::nil(), "n")),
                )
                .mount(&server)
                .await;
            Mock::given(method("GET"))
                .respond_with(ResponseTemplate::new(500))
                .mount(&server)
                .await;
            let mut body = captcha_request();
            body.private_key = "private-key-in-a-body".to_owned();
            client.stages_captcha_create(&body).await.unwrap();
            client
                .stages_captcha_list(&StagesCaptchaListQuery {
                    search: Some("secret-search".to_owned()),
                    ..StagesCaptchaListQuery::default()
                })
                .await
                .unwrap_err();
        });
    });
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("authentik answered"), "{log}");
    assert!(log.contains("status=201"), "{log}");
    assert!(log.contains("status=500"), "{log}");
    assert!(log.contains("path=\"/stages/captcha/\""), "{log}");
    for secret in [TOKEN, "private-key-in-a-body", "secret-search"] {
        assert!(!log.contains(secret), "{secret} in the log: {log}");
    }
}
