//! The generated client against a scripted HTTP server (wiremock), for answers the stages
//! service never gives: unknown enum values and fields, HTML error pages, truncated JSON, a
//! slow server, bodies that fit another status's type. Each is a decoded value or a typed
//! error, never a panic. Also: what the client sends, and a hand-written mock of a trait.

use authentik_client::captcha::StagesCaptchaListQuery;
use authentik_client::errors::BadRequestOrForbiddenError;
use authentik_client::models::support::Maybe;
use authentik_client::models::{
    CaptchaStage, GenericError, PaginatedCaptchaStageList, Pagination,
    PatchedIdentificationStageRequest, UserFieldsEnum,
};
use authentik_client::{CaptchaApi, Client, Error, IdentificationApi};
use futures_util::StreamExt as _;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use uuid::Uuid;
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

#[path = "client_common.rs"]
mod common;
use common::*;

fn identification_json(pk: Uuid) -> Value {
    json!({
        "pk": pk, "name": "ident", "component": "ak-stage-identification-form",
        "verbose_name": "Identification Stage", "verbose_name_plural": "Identification Stages",
        "meta_model_name": "authentik_stages_identification.identificationstage",
        "user_fields": ["email", "telepathy"], "password_stage": null
    })
}

#[tokio::test]
async fn unknown_enum_values_and_extra_fields_decode() {
    let (server, client) = server().await;
    let pk = Uuid::new_v4();
    let mut body = identification_json(pk);
    body["field_from_a_newer_authentik"] = json!({"nested": [1, 2, 3]});
    Mock::given(method("GET"))
        .and(path(format!("/api/v3/stages/identification/{pk}/")))
        .respond_with(ResponseTemplate::new(200).set_body_json(&body))
        .mount(&server)
        .await;
    let stage = client.stages_identification_retrieve(pk).await.unwrap();
    assert_eq!(stage.pk, pk);
    assert_eq!(
        stage.user_fields,
        Some(vec![
            UserFieldsEnum::Email,
            UserFieldsEnum::Unknown("telepathy".to_owned())
        ])
    );
    assert_eq!(stage.password_stage, Maybe::Null);
    assert_eq!(stage.recovery_flow, Maybe::Absent);
}

#[tokio::test]
async fn an_html_500_is_an_unexpected_status_with_its_body() {
    let (server, client) = server().await;
    let html = "<html><body><h1>Server Error (500)</h1></body></html>";
    Mock::given(method("GET"))
        .and(path("/api/v3/stages/captcha/"))
        .respond_with(ResponseTemplate::new(500).set_body_raw(html, "text/html; charset=utf-8"))
        .mount(&server)
        .await;
    let error = client
        .stages_captcha_list(&StagesCaptchaListQuery::default())
        .await
        .unwrap_err();
    match &error {
        Error::UnexpectedStatus {
            status,
            content_type,
            body,
        } => {
            assert_eq!(*status, 500);
            assert_eq!(content_type.as_deref(), Some("text/html; charset=utf-8"));
            assert_eq!(body.as_slice(), html.as_bytes());
        }
        other => panic!("expected an unexpected status: {other:?}"),
    }
    assert_eq!(error.status(), Some(500));
    assert!(error.to_string().contains("Server Error (500)"), "{error}");
}

#[tokio::test]
async fn truncated_json_is_a_decode_error_naming_the_type() {
    let (server, client) = server().await;
    let pk = Uuid::new_v4();
    let full = captcha_json(pk, "cut").to_string();
    let cut = &full[..full.len() / 2];
    Mock::given(method("GET"))
        .and(path(format!("/api/v3/stages/captcha/{pk}/")))
        .respond_with(ResponseTemplate::new(200).set_body_raw(cut, "application/json"))
        .mount(&server)
        .await;
    let error = client.stages_captcha_retrieve(pk).await.unwrap_err();
    let Error::Decode {
        status,
        type_name,
        message,
        body_start,
    } = &error
    else {
        panic!("expected a decode error: {error:?}")
    };
    assert_eq!((*status, *type_name), (200, "CaptchaStage"));
    assert!(message.contains("EOF"), "{message}");
    assert_eq!(body_start, cut, "the whole (short) body is shown");
    let text = error.to_string();
    assert!(text.contains("not a valid CaptchaStage"), "{text}");

    // A wrong type deep inside says where.
    let mut wrong = captcha_json(pk, "wrong");
    wrong["interactive"] = json!("yes");
    Mock::given(method("GET"))
        .and(path("/api/v3/stages/captcha/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "pagination": {"next": 0, "previous": 0, "count": 1, "current": 1, "total_pages": 1, "start_index": 1, "end_index": 1},
            "results": [wrong]
        })))
        .mount(&server)
        .await;
    let error = client
        .stages_captcha_list(&StagesCaptchaListQuery::default())
        .await
        .unwrap_err();
    let Error::Decode { message, .. } = &error else {
        panic!("expected a decode error: {error:?}")
    };
    assert!(message.contains("results[0].interactive"), "{message}");
}

#[tokio::test]
async fn a_slow_server_hits_the_timeout() {
    let (server, _) = server().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(captcha_json(Uuid::nil(), "slow"))
                .set_delay(Duration::from_secs(5)),
        )
        .mount(&server)
        .await;
    let client = Client::builder(format!("{}/api/v3", server.uri()))
        .timeout(Some(Duration::from_millis(300)))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let error = client
        .stages_captcha_retrieve(Uuid::nil())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Timeout(_)), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(4));
    assert_eq!(error.to_string(), "no answer within the timeout");
}

#[tokio::test]
async fn the_status_alone_picks_the_error_type() {
    let (server, client) = server().await;
    // A 403 body also fits ValidationError (every key is allowed there): still Forbidden.
    Mock::given(method("POST"))
        .and(path("/api/v3/stages/captcha/"))
        .respond_with(
            ResponseTemplate::new(403).set_body_json(
                json!({"detail": "You do not have permission to perform this action."}),
            ),
        )
        .mount(&server)
        .await;
    let body = captcha_request();
    let error = client.stages_captcha_create(&body).await.unwrap_err();
    match error {
        Error::Api(BadRequestOrForbiddenError::Forbidden(GenericError { detail, .. })) => {
            assert_eq!(detail, "You do not have permission to perform this action.");
        }
        other => panic!("403 must be Forbidden: {other:?}"),
    }

    // A 400 whose body is not a ValidationError is a decode error naming ValidationError,
    // not a guess at another type.
    let pk = Uuid::new_v4();
    Mock::given(method("GET"))
        .and(path(format!("/api/v3/stages/captcha/{pk}/")))
        .respond_with(
            ResponseTemplate::new(400).set_body_raw("[\"not an object\"]", "application/json"),
        )
        .mount(&server)
        .await;
    let error = client.stages_captcha_retrieve(pk).await.unwrap_err();
    match &error {
        Error::Decode {
            status: 400,
            type_name: "ValidationError",
            ..
        } => {}
        other => panic!("expected a ValidationError decode error: {other:?}"),
    }
    // A documented status with an empty body is a decode error too.
    Mock::given(method("GET"))
        .and(path("/api/v3/stages/captcha/"))
        .respond_with(ResponseTemplate::new(403))
        .mount(&server)
        .await;
    let error = client
        .stages_captcha_list(&StagesCaptchaListQuery::default())
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Decode {
                status: 403,
                type_name: "GenericError",
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn requests_carry_the_token_the_agent_the_query_and_the_patch_states() {
    let (server, client) = server().await;
    let pk = Uuid::new_v4();
    // PATCH: a left-out field is absent, a null is sent as null.
    Mock::given(method("PATCH"))
        .and(path(format!("/api/v3/stages/identification/{pk}/")))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(header("content-type", "application/json"))
        .and(header(
            "user-agent",
            authentik_client::support::DEFAULT_USER_AGENT,
        ))
        .and(body_json(
            json!({"password_stage": null, "show_matched_user": true}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(identification_json(pk)))
        .expect(1)
        .mount(&server)
        .await;
    let patch = PatchedIdentificationStageRequest {
        password_stage: Maybe::Null,
        show_matched_user: Some(true),
        ..PatchedIdentificationStageRequest::default()
    };
    client
        .stages_identification_partial_update(pk, Some(&patch))
        .await
        .unwrap();

    // Query parameters, encoded.
    Mock::given(method("GET"))
        .and(path("/api/v3/stages/captcha/"))
        .and(query_param("search", "a b&c"))
        .and(query_param("page_size", "5"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "pagination": {"next": 0, "previous": 0, "count": 0, "current": 1, "total_pages": 1, "start_index": 0, "end_index": 0},
            "results": []
        })))
        .expect(1)
        .mount(&server)
        .await;
    let page = client
        .stages_captcha_list(&StagesCaptchaListQuery {
            search: Some("a b&c".to_owned()),
            page_size: Some(5),
            ..StagesCaptchaListQuery::default()
        })
        .await
        .unwrap();
    assert!(page.results.is_empty());

    // A custom user agent and an injected reqwest client.
    Mock::given(method("DELETE"))
        .and(header("user-agent", "stages-tests/1"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let custom = Client::builder(format!("{}/api/v3", server.uri()))
        .user_agent("stages-tests/1")
        .http_client(reqwest_client())
        .build()
        .unwrap();
    custom.stages_captcha_destroy(pk).await.unwrap();

    // A PATCH that fails: the undocumented 404 keeps its detail.
    Mock::given(method("PATCH"))
        .and(path(format!(
            "/api/v3/stages/identification/{}/",
            Uuid::nil()
        )))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"detail": "Not found."})))
        .mount(&server)
        .await;
    let error = client
        .stages_identification_partial_update(Uuid::nil(), None)
        .await
        .unwrap_err();
    assert!(error.is_not_found());
    assert!(error.api().is_none());
    server.verify().await;
}

fn reqwest_client() -> authentik_client::support::reqwest::Client {
    authentik_client::support::reqwest::Client::new()
}

fn page_json(names: &[&str], current: u32, next: u32) -> Value {
    let results: Vec<Value> = names
        .iter()
        .map(|n| captcha_json(Uuid::new_v4(), n))
        .collect();
    json!({
        "pagination": {"next": next, "previous": current.saturating_sub(1), "count": 5, "current": current,
                       "total_pages": 3, "start_index": 1, "end_index": 2},
        "results": results
    })
}

#[tokio::test]
async fn the_page_stream_follows_next_and_stops_on_a_loop() {
    let (server, client) = server().await;
    for (page, names, next) in [
        ("1", vec!["a", "b"], 2),
        ("2", vec!["c", "d"], 3),
        ("3", vec!["e"], 0),
    ] {
        Mock::given(method("GET"))
            .and(path("/api/v3/stages/captcha/"))
            .and(query_param("page", page))
            .respond_with(ResponseTemplate::new(200).set_body_json(page_json(
                &names,
                page.parse().unwrap(),
                next,
            )))
            .expect(1)
            .mount(&server)
            .await;
    }
    let names: Vec<String> = client
        .stages_captcha_list_all(StagesCaptchaListQuery::default())
        .map(|s| s.unwrap().name)
        .collect()
        .await;
    assert_eq!(names, ["a", "b", "c", "d", "e"]);
    server.verify().await;

    // A server whose `next` points back: the stream ends instead of looping.
    let (server, client) = self::server().await;
    Mock::given(method("GET"))
        .and(path("/api/v3/stages/captcha/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page_json(&["x"], 1, 1)))
        .expect(1)
        .mount(&server)
        .await;
    let items: Vec<_> = client
        .stages_captcha_list_all(StagesCaptchaListQuery::default())
        .collect()
        .await;
    assert_eq!(items.len(), 1);
    server.verify().await;
}

/// Downstream code mocks authentik by implementing a trait; the page stream comes with it.
struct FakeCaptchas {
    calls: AtomicUsize,
}

fn fake_stage(name: &str) -> CaptchaStage {
    serde_json::from_value(captcha_json(Uuid::new_v4(), name)).unwrap()
}

impl CaptchaApi for FakeCaptchas {
    async fn stages_captcha_list(
        &self,
        query: &StagesCaptchaListQuery,
    ) -> Result<PaginatedCaptchaStageList, Error<BadRequestOrForbiddenError>> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let page = query.page.unwrap_or(1);
        let pagination = Pagination {
            next: if page < 2 { (page + 1) as f64 } else { 0.0 },
            previous: 0.0,
            count: 3.0,
            current: page as f64,
            total_pages: 2.0,
            start_index: 1.0,
            end_index: 2.0,
        };
        let results = if page == 1 {
            vec![fake_stage("one"), fake_stage("two")]
        } else {
            vec![fake_stage("three")]
        };
        Ok(PaginatedCaptchaStageList {
            pagination,
            results,
        })
    }

    async fn stages_captcha_create(
        &self,
        _body: &authentik_client::models::CaptchaStageRequest,
    ) -> Result<CaptchaStage, Error<BadRequestOrForbiddenError>> {
        Err(Error::Api(BadRequestOrForbiddenError::Forbidden(
            GenericError {
                detail: "read-only fake".into(),
                code: None,
            },
        )))
    }

    async fn stages_captcha_retrieve(
        &self,
        _stage_uuid: Uuid,
    ) -> Result<CaptchaStage, Error<BadRequestOrForbiddenError>> {
        Ok(fake_stage("one"))
    }

    async fn stages_captcha_update(
        &self,
        _stage_uuid: Uuid,
        _body: &authentik_client::models::CaptchaStageRequest,
    ) -> Result<CaptchaStage, Error<BadRequestOrForbiddenError>> {
        Ok(fake_stage("one"))
    }

    async fn stages_captcha_destroy(
        &self,
        _stage_uuid: Uuid,
    ) -> Result<(), Error<BadRequestOrForbiddenError>> {
        Ok(())
    }

    async fn stages_captcha_partial_update(
        &self,
        _stage_uuid: Uuid,
        _body: Option<&authentik_client::models::PatchedCaptchaStageRequest>,
    ) -> Result<CaptchaStage, Error<BadRequestOrForbiddenError>> {
        Ok(fake_stage("one"))
    }

    async fn stages_captcha_used_by_list(
        &self,
        _stage_uuid: Uuid,
    ) -> Result<Vec<authentik_client::models::UsedBy>, Error<BadRequestOrForbiddenError>> {
        Ok(Vec::new())
    }
}

/// Code under test, written against the trait rather than the HTTP client.
async fn stage_names(api: &impl CaptchaApi) -> Vec<String> {
    api.stages_captcha_list_all(StagesCaptchaListQuery::default())
        .map(|s| s.map(|s| s.name).unwrap_or_else(|e| format!("error: {e}")))
        .collect()
        .await
}

#[tokio::test]
async fn a_hand_written_mock_implements_the_trait() {
    let fake = FakeCaptchas {
        calls: AtomicUsize::new(0),
    };
    assert_eq!(stage_names(&fake).await, ["one", "two", "three"]);
    assert_eq!(fake.calls.load(Ordering::SeqCst), 2);
    let error = fake
        .stages_captcha_create(&captcha_request())
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(403));
}

/// What the retry test's server answers: a 503 for the first request, the stage after it.
async fn fails_once(server: &wiremock::MockServer, pk: Uuid) {
    Mock::given(method("GET"))
        .and(path(format!("/api/v3/stages/captcha/{pk}/")))
        .respond_with(ResponseTemplate::new(503).set_body_raw("busy", "text/plain"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/api/v3/stages/captcha/{pk}/")))
        .respond_with(ResponseTemplate::new(200).set_body_json(captcha_json(pk, "again")))
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_retry_middleware_client_sends_again_after_a_503() {
    use reqwest_retry::{policies::ExponentialBackoff, RetryTransientMiddleware};
    let (server, plain) = server().await;
    let pk = Uuid::new_v4();
    fails_once(&server, pk).await;

    // Without middleware the 503 is the answer, and one a caller may send again.
    let error = plain.stages_captcha_retrieve(pk).await.unwrap_err();
    assert_eq!(error.status(), Some(503));
    assert!(error.is_retryable(), "{error:?}");
    server.reset().await;
    fails_once(&server, pk).await;

    let policy = ExponentialBackoff::builder()
        .retry_bounds(Duration::from_millis(1), Duration::from_millis(10))
        .build_with_max_retries(2);
    let http = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
        .with(RetryTransientMiddleware::new_with_policy(policy))
        .build();
    let client = Client::builder(format!("{}/api/v3", server.uri()))
        .token(TOKEN)
        .user_agent("retrying/1")
        .http_client(http)
        .build()
        .unwrap();
    assert!(format!("{client:?}").contains("ClientWithMiddleware"));
    let stage = client.stages_captcha_retrieve(pk).await.unwrap();
    assert_eq!((stage.pk, stage.name.as_str()), (pk, "again"));
    // Both tries were the whole request: the token and user agent are the client's, each time.
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        let header = |name: &str| request.headers.get(name).and_then(|v| v.to_str().ok());
        assert_eq!(
            header("authorization"),
            Some(format!("Bearer {TOKEN}").as_str())
        );
        assert_eq!(header("user-agent"), Some("retrying/1"));
    }
}

#[tokio::test]
async fn a_cookie_keeping_client_sends_the_session_cookie_back() {
    let (server, _) = server().await;
    let pk = Uuid::new_v4();
    Mock::given(method("GET"))
        .and(path(format!("/api/v3/stages/captcha/{pk}/")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(captcha_json(pk, "first"))
                .insert_header("set-cookie", "authentik_session=s3ss10n; Path=/; HttpOnly"),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v3/stages/captcha/"))
        .and(header("cookie", "authentik_session=s3ss10n"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page_json(&["kept"], 1, 0)))
        .expect(1)
        .mount(&server)
        .await;
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let client = Client::builder(format!("{}/api/v3", server.uri()))
        .http_client(http)
        .build()
        .unwrap();
    client.stages_captcha_retrieve(pk).await.unwrap();
    let page = client
        .stages_captcha_list(&StagesCaptchaListQuery::default())
        .await
        .unwrap();
    assert_eq!(page.results[0].name, "kept");
    server.verify().await;
}

#[tokio::test]
async fn retryable_errors_are_the_transport_the_timeouts_429_and_5xx() {
    let (server, client) = server().await;
    let status = |code: u16| ResponseTemplate::new(code).set_body_json(json!({"detail": "x"}));
    for (code, retryable) in [
        (429, true),
        (500, true),
        (502, true),
        (503, true),
        (400, false),
        (403, false),
        (404, false),
        (409, false),
    ] {
        server.reset().await;
        Mock::given(method("POST"))
            .respond_with(status(code))
            .mount(&server)
            .await;
        let error = client
            .stages_captcha_create(&captcha_request())
            .await
            .unwrap_err();
        assert_eq!(error.status(), Some(code), "{error:?}");
        assert_eq!(error.is_retryable(), retryable, "{code}: {error:?}");
    }
    // Nothing listening: the connection is refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let refused = Client::new(format!("http://127.0.0.1:{port}/api/v3"), None).unwrap();
    let error = refused
        .stages_captcha_retrieve(Uuid::nil())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    assert!(error.is_retryable(), "{error:?}");
    // A body the models refuse is never sent, and sending it again changes nothing.
    let mut invalid = captcha_request();
    invalid.name = String::new();
    let error = client.stages_captcha_create(&invalid).await.unwrap_err();
    assert!(matches!(error, Error::Invalid(_)), "{error:?}");
    assert!(!error.is_retryable());
}
