//! The generated client against the stages service over loopback HTTP: every operation kind,
//! the page stream, the three PATCH states of a nullable field, and the mapping of 400, 403 and
//! 404 answers to typed errors.

use authentik_client::captcha::StagesCaptchaListQuery;
use authentik_client::errors::BadRequestOrForbiddenError;
use authentik_client::identification::StagesIdentificationListQuery;
use authentik_client::models::support::Maybe;
use authentik_client::models::{
    CaptchaStageRequest, IdentificationStageRequest, PatchedCaptchaStageRequest,
    PatchedIdentificationStageRequest, UserFieldsEnum,
};
use authentik_client::{CaptchaApi, Client, Error, IdentificationApi};
use authentik_server::RouterConfig;
use futures_util::StreamExt as _;
use stages_service::{serve_on_loopback, store::Store, StagesService};
use std::path::Path;
use uuid::Uuid;

const TOKEN: &str = "e2e-token-0123456789";
const SECRET: &str = "private-key-that-must-never-leak";

/// Starts the service on a free loopback port; answers its API root (with `/api/v3`).
async fn start() -> String {
    let store = Store::open(Path::new(":memory:")).unwrap();
    serve_on_loopback(StagesService::new(store, TOKEN), RouterConfig::default())
        .await
        .unwrap()
}

fn captcha(name: &str) -> CaptchaStageRequest {
    CaptchaStageRequest {
        name: name.to_owned(),
        flow_set: None,
        public_key: "site-key".to_owned(),
        private_key: SECRET.to_owned(),
        js_url: None,
        api_url: None,
        interactive: Some(true),
        score_min_threshold: Some(0.25),
        score_max_threshold: None,
        error_on_invalid_score: None,
    }
}

#[tokio::test]
async fn captcha_lifecycle_through_the_client() {
    let base = start().await;
    let client = Client::new(&base, Some(TOKEN)).unwrap();
    assert!(
        !format!("{client:?}").contains(TOKEN),
        "the token shows in Debug: {client:?}"
    );

    // Create (201) and retrieve (200).
    let created = client
        .stages_captcha_create(&captcha("alpha"))
        .await
        .unwrap();
    assert_eq!(created.name, "alpha");
    assert_eq!(created.public_key, "site-key");
    assert_eq!(created.score_min_threshold, Some(0.25));
    assert_eq!(created.interactive, Some(true));
    let fetched = client.stages_captcha_retrieve(created.pk).await.unwrap();
    assert_eq!(fetched, created);
    assert!(!format!("{fetched:?}").contains(SECRET));

    // Update (PUT, 200): every field replaced.
    let mut replacement = captcha("alpha-2");
    replacement.public_key = "other-key".to_owned();
    let updated = client
        .stages_captcha_update(created.pk, &replacement)
        .await
        .unwrap();
    assert_eq!(
        (updated.name.as_str(), updated.public_key.as_str()),
        ("alpha-2", "other-key")
    );

    // Partial update (PATCH, 200): only what is sent changes.
    let patch = PatchedCaptchaStageRequest {
        interactive: Some(false),
        ..PatchedCaptchaStageRequest::default()
    };
    let patched = client
        .stages_captcha_partial_update(created.pk, Some(&patch))
        .await
        .unwrap();
    assert_eq!(patched.interactive, Some(false));
    assert_eq!(patched.name, "alpha-2");
    let unchanged = client
        .stages_captcha_partial_update(created.pk, None)
        .await
        .unwrap();
    assert_eq!(unchanged, patched);

    // Used by (200, a list).
    assert_eq!(
        client
            .stages_captcha_used_by_list(created.pk)
            .await
            .unwrap(),
        []
    );

    // Delete (204), then 404 on every single-stage operation.
    client.stages_captcha_destroy(created.pk).await.unwrap();
    let gone = client
        .stages_captcha_retrieve(created.pk)
        .await
        .unwrap_err();
    assert!(gone.is_not_found(), "{gone:?}");
    assert_eq!(gone.detail().as_deref(), Some("Not found."));
    match &gone {
        Error::UnexpectedStatus { status, body, .. } => {
            assert_eq!(*status, 404);
            assert_eq!(body.as_slice(), br#"{"detail":"Not found."}"#);
        }
        other => panic!("404 is not in the schema, so it is an unexpected status: {other:?}"),
    }
    assert!(client
        .stages_captcha_destroy(created.pk)
        .await
        .unwrap_err()
        .is_not_found());
    assert!(client
        .stages_captcha_partial_update(created.pk, Some(&patch))
        .await
        .unwrap_err()
        .is_not_found());
}

#[tokio::test]
async fn lists_page_and_stream_every_item() {
    let base = start().await;
    let client = Client::new(&base, Some(TOKEN)).unwrap();
    let names: Vec<String> = (0..7).map(|i| format!("stage-{i}")).collect();
    for name in &names {
        client.stages_captcha_create(&captcha(name)).await.unwrap();
    }

    // One page.
    let query = StagesCaptchaListQuery {
        page_size: Some(3),
        ordering: Some("name".to_owned()),
        ..StagesCaptchaListQuery::default()
    };
    let first = client.stages_captcha_list(&query).await.unwrap();
    assert_eq!(first.results.len(), 3);
    assert_eq!(first.pagination.count, 7.0);
    assert_eq!(first.pagination.total_pages, 3.0);
    assert_eq!(first.pagination.next, 2.0);

    // Every page, as one stream of items: 3 + 3 + 1.
    let all: Vec<String> = client
        .stages_captcha_list_all(query.clone())
        .map(|stage| stage.unwrap().name)
        .collect()
        .await;
    assert_eq!(all, names);

    // From the second page on.
    let rest: Vec<String> = client
        .stages_captcha_list_all(StagesCaptchaListQuery {
            page: Some(2),
            ..query.clone()
        })
        .map(|stage| stage.unwrap().name)
        .collect()
        .await;
    assert_eq!(rest, names[3..]);

    // Filters travel as query parameters.
    let found: Vec<String> = client
        .stages_captcha_list_all(StagesCaptchaListQuery {
            search: Some("stage-4".to_owned()),
            ..StagesCaptchaListQuery::default()
        })
        .map(|stage| stage.unwrap().name)
        .collect()
        .await;
    assert_eq!(found, ["stage-4"]);

    // An error ends the stream after one item: here, a page past the end.
    let past: Vec<_> = client
        .stages_captcha_list_all(StagesCaptchaListQuery {
            page: Some(9),
            ..query
        })
        .collect()
        .await;
    assert_eq!(past.len(), 1);
    let error = past.into_iter().next().unwrap().unwrap_err();
    assert_eq!(error.status(), Some(404));
    assert_eq!(error.detail().as_deref(), Some("Invalid page."));

    // An empty list streams nothing.
    let none: Vec<_> = client
        .stages_identification_list_all(StagesIdentificationListQuery::default())
        .collect()
        .await;
    assert!(none.is_empty());
}

#[tokio::test]
async fn patch_keeps_the_three_states_of_a_nullable_uuid() {
    let first = Uuid::new_v4();
    let second = Uuid::new_v4();
    // The service checks references, as authentik does: the password stages and the source the
    // test names exist (seeded as a `--fixtures` file would).
    let store = Store::open(Path::new(":memory:")).unwrap();
    let fixtures = stages_service::store::Fixtures::from_json(&format!(
        r#"{{"stages": [{{"pk": "{first}", "kind": "password", "name": "p1"}}, {{"pk": "{second}", "kind": "password", "name": "p2"}}], "sources": [{{"pk": "{first}", "slug": "s", "name": "S"}}]}}"#
    ))
    .unwrap();
    store.seed(fixtures).await.unwrap();
    let base = serve_on_loopback(StagesService::new(store, TOKEN), RouterConfig::default())
        .await
        .unwrap();
    let client = Client::new(&base, Some(TOKEN)).unwrap();
    let created = client
        .stages_identification_create(&IdentificationStageRequest {
            name: "ident".to_owned(),
            flow_set: None,
            user_fields: Some(vec![UserFieldsEnum::Email]),
            password_stage: Maybe::Value(first),
            case_insensitive_matching: None,
            show_matched_user: None,
            enrollment_flow: Maybe::Absent,
            recovery_flow: Maybe::Null,
            passwordless_flow: Maybe::Absent,
            sources: Some(vec![first]),
            show_source_labels: None,
            pretend_user_exists: None,
        })
        .await
        .unwrap();
    assert_eq!(created.password_stage, Maybe::Value(first));
    assert_eq!(created.user_fields, Some(vec![UserFieldsEnum::Email]));

    // Left out (Absent): unchanged.
    let after = client
        .stages_identification_partial_update(
            created.pk,
            Some(&PatchedIdentificationStageRequest {
                show_matched_user: Some(false),
                ..PatchedIdentificationStageRequest::default()
            }),
        )
        .await
        .unwrap();
    assert_eq!(after.password_stage, Maybe::Value(first));
    assert_eq!(after.show_matched_user, Some(false));

    // Null: cleared.
    let after = client
        .stages_identification_partial_update(
            created.pk,
            Some(&PatchedIdentificationStageRequest {
                password_stage: Maybe::Null,
                ..PatchedIdentificationStageRequest::default()
            }),
        )
        .await
        .unwrap();
    assert_eq!(after.password_stage, Maybe::Null);
    assert_eq!(after.show_matched_user, Some(false));

    // A value: set.
    let after = client
        .stages_identification_partial_update(
            created.pk,
            Some(&PatchedIdentificationStageRequest {
                password_stage: Maybe::Value(second),
                ..PatchedIdentificationStageRequest::default()
            }),
        )
        .await
        .unwrap();
    assert_eq!(after.password_stage, Maybe::Value(second));
    assert_eq!(
        client
            .stages_identification_retrieve(created.pk)
            .await
            .unwrap()
            .password_stage,
        Maybe::Value(second)
    );

    // A filter on the uuid finds it.
    let listed = client
        .stages_identification_list(&StagesIdentificationListQuery {
            password_stage: Some(second),
            ..StagesIdentificationListQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(listed.results.len(), 1);
    client
        .stages_identification_destroy(created.pk)
        .await
        .unwrap();
}

#[tokio::test]
async fn error_statuses_map_to_typed_errors() {
    let base = start().await;
    let client = Client::new(&base, Some(TOKEN)).unwrap();
    client
        .stages_captcha_create(&captcha("taken"))
        .await
        .unwrap();

    // 400 from the server, with field messages readable.
    let error = client
        .stages_captcha_create(&captcha("taken"))
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(400));
    let Error::Api(BadRequestOrForbiddenError::BadRequest(body)) = &error else {
        panic!("400 is BadRequest: {error:?}")
    };
    assert_eq!(
        body.additional_properties["name"],
        serde_json::json!(["stage with this name already exists."])
    );
    assert!(error.to_string().starts_with("HTTP 400: "), "{error}");

    // 400 for bad fields, several at once, with validation off so the server sees them.
    let unchecked = Client::builder(&base)
        .token(TOKEN)
        .validate_requests(false)
        .build()
        .unwrap();
    let mut bad = captcha("");
    bad.public_key = String::new();
    let error = unchecked.stages_captcha_create(&bad).await.unwrap_err();
    let Some(BadRequestOrForbiddenError::BadRequest(body)) = error.api() else {
        panic!("400 is BadRequest: {error:?}")
    };
    assert_eq!(
        body.additional_properties["name"],
        serde_json::json!(["This field may not be blank."])
    );
    assert_eq!(
        body.additional_properties["public_key"],
        serde_json::json!(["This field may not be blank."])
    );

    // The same body is refused before sending when validation is on.
    let error = client.stages_captcha_create(&bad).await.unwrap_err();
    let Error::Invalid(errors) = &error else {
        panic!("validation runs first: {error:?}")
    };
    assert_eq!(errors.messages("name"), ["This field may not be blank."]);
    assert_eq!(error.status(), None);

    // 403 without a token, and with a wrong one.
    let anonymous = Client::new(&base, None).unwrap();
    let error = anonymous
        .stages_captcha_list(&StagesCaptchaListQuery::default())
        .await
        .unwrap_err();
    let Some(BadRequestOrForbiddenError::Forbidden(body)) = error.api() else {
        panic!("403 is Forbidden: {error:?}")
    };
    assert_eq!(body.detail, "Authentication credentials were not provided.");
    let wrong = Client::new(&base, Some("not-the-token")).unwrap();
    let error = wrong
        .stages_captcha_retrieve(Uuid::new_v4())
        .await
        .unwrap_err();
    match error {
        Error::Api(BadRequestOrForbiddenError::Forbidden(body)) => {
            assert_eq!(body.detail, "Token invalid/expired");
        }
        other => panic!("403 is Forbidden: {other:?}"),
    }

    // 404 for an unknown stage.
    let error = client
        .stages_identification_retrieve(Uuid::new_v4())
        .await
        .unwrap_err();
    assert!(error.is_not_found(), "{error:?}");

    // Nothing listens: a transport error, not a panic.
    let nowhere = Client::new("http://127.0.0.1:9/api/v3", Some(TOKEN)).unwrap();
    let error = nowhere
        .stages_captcha_list(&StagesCaptchaListQuery::default())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
}

#[test]
fn bad_base_urls_and_tokens_are_refused_when_building() {
    assert!(Client::new("not a url", None).is_err());
    assert!(Client::new("ftp://example.com/api/v3", None).is_err());
    assert!(Client::new("http://example.com/api/v3?x=1", None).is_err());
    assert!(Client::new("http://example.com/api/v3", Some("line\nbreak")).is_err());
    let builder = Client::builder("http://example.com/api/v3").token(TOKEN);
    assert!(!format!("{builder:?}").contains(TOKEN), "{builder:?}");
    let client = Client::new("http://example.com/api/v3/", Some(TOKEN)).unwrap();
    assert_eq!(client.base_url(), "http://example.com/api/v3");
}
