//! The stages service over real HTTP on loopback: every operation's happy path, every class of
//! bad request with authentik's exact answer, secrets kept out of responses (logs: `logs.rs`), and
//! storage that survives a restart and concurrent writers.

mod common;

use authentik_server::RouterConfig;
use common::*;
use serde_json::{json, Value};
use stages_service::store::Store;
use std::path::Path;

#[tokio::test]
async fn captcha_operations_answer_as_the_schema_says() {
    let s = start().await;
    let (status, created) = s
        .send(
            reqwest::Method::POST,
            "/stages/captcha/",
            Some(seed_captcha_body("captcha")),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_no_secret(&created);
    let stage: authentik_models::CaptchaStage = serde_json::from_value(created.clone()).unwrap();
    assert_eq!(stage.name, "captcha");
    assert_eq!(stage.component, "ak-stage-captcha-form");
    assert_eq!(created["flow_set"][0]["slug"], "string");
    let id = stage.pk.to_string();

    let (status, got) = s
        .send(
            reqwest::Method::GET,
            &format!("/stages/captcha/{id}/"),
            None,
        )
        .await;
    assert_eq!((status, &got), (200, &created));

    let (status, list) = s.send(reqwest::Method::GET, "/stages/captcha/", None).await;
    assert_eq!(status, 200);
    assert_eq!(list["results"], json!([created]));
    assert_eq!(
        list["pagination"],
        json!({"next": 0, "previous": 0, "count": 1, "current": 1, "total_pages": 1, "start_index": 1, "end_index": 1})
    );

    let mut full = seed_captcha_body("captcha-updated");
    full["public_key"] = json!("new-public");
    let (status, updated) = s
        .send(
            reqwest::Method::PUT,
            &format!("/stages/captcha/{id}/"),
            Some(full),
        )
        .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(
        (updated["name"].as_str(), updated["public_key"].as_str()),
        (Some("captcha-updated"), Some("new-public"))
    );
    assert_no_secret(&updated);

    let (status, patched) = s
        .send(
            reqwest::Method::PATCH,
            &format!("/stages/captcha/{id}/"),
            Some(json!({"score_max_threshold": 0.75})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(patched["score_max_threshold"], 0.75);
    assert_eq!(
        patched["name"], "captcha-updated",
        "PATCH leaves fields it does not name"
    );

    let (status, used_by) = s
        .send(
            reqwest::Method::GET,
            &format!("/stages/captcha/{id}/used_by/"),
            None,
        )
        .await;
    assert_eq!((status, used_by), (200, json!([])));

    let (status, body) = s
        .send(
            reqwest::Method::DELETE,
            &format!("/stages/captcha/{id}/"),
            None,
        )
        .await;
    assert_eq!((status, body), (204, Value::Null));
    let (status, body) = s
        .send(
            reqwest::Method::GET,
            &format!("/stages/captcha/{id}/"),
            None,
        )
        .await;
    assert_eq!((status, body), (404, json!({"detail": "Not found."})));
    let (status, body) = s
        .send(
            reqwest::Method::DELETE,
            &format!("/stages/captcha/{id}/"),
            None,
        )
        .await;
    assert_eq!((status, body), (404, json!({"detail": "Not found."})));
}

#[tokio::test]
async fn lists_paginate_order_search_and_filter() {
    let s = start().await;
    for name in ["delta", "alpha", "charlie", "bravo", "echo"] {
        let mut body = seed_captcha_body(name);
        body["public_key"] = json!(if name < "c" { "early" } else { "late" });
        assert_eq!(
            s.send(reqwest::Method::POST, "/stages/captcha/", Some(body))
                .await
                .0,
            201
        );
    }
    let names = |v: &Value| {
        v["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let (_, page) = s
        .send(
            reqwest::Method::GET,
            "/stages/captcha/?ordering=name&page=2&page_size=2",
            None,
        )
        .await;
    assert_eq!(names(&page), ["charlie", "delta"]);
    assert_eq!(page["pagination"]["next"], 3.0);
    assert_eq!(page["pagination"]["previous"], 1.0);
    assert_eq!(page["pagination"]["start_index"], 3.0);
    let (_, page) = s
        .send(
            reqwest::Method::GET,
            "/stages/captcha/?ordering=-name&public_key=early",
            None,
        )
        .await;
    assert_eq!(names(&page), ["bravo", "alpha"]);
    let (_, page) = s
        .send(reqwest::Method::GET, "/stages/captcha/?search=HAR", None)
        .await;
    assert_eq!(names(&page), ["charlie"]);
    let (status, body) = s
        .send(reqwest::Method::GET, "/stages/captcha/?page=9", None)
        .await;
    assert_eq!((status, body), (404, json!({"detail": "Invalid page."})));
}

#[tokio::test]
async fn identification_patch_keeps_three_states() {
    let s = start_seeded().await;
    let first = PASSWORD_STAGE;
    let (status, created) = s
        .send(reqwest::Method::POST, "/stages/identification/", Some(json!({"name": "ident", "user_fields": ["email"], "password_stage": first, "sources": [SOURCE]})))
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["password_stage"], json!(first));
    let id = created["pk"].as_str().unwrap().to_owned();
    let path = format!("/stages/identification/{id}/");

    // Left out: unchanged.
    let (_, after) = s
        .send(
            reqwest::Method::PATCH,
            &path,
            Some(json!({"show_matched_user": false})),
        )
        .await;
    assert_eq!(after["password_stage"], json!(first));
    assert_eq!(after["show_matched_user"], false);
    // null: cleared.
    let (_, after) = s
        .send(
            reqwest::Method::PATCH,
            &path,
            Some(json!({"password_stage": null})),
        )
        .await;
    assert_eq!(after["password_stage"], Value::Null);
    // A value: set.
    let second = OTHER_PASSWORD_STAGE;
    let (_, after) = s
        .send(
            reqwest::Method::PATCH,
            &path,
            Some(json!({"password_stage": second})),
        )
        .await;
    assert_eq!(after["password_stage"], json!(second));
    // An empty list clears the list.
    let (_, after) = s
        .send(reqwest::Method::PATCH, &path, Some(json!({"sources": []})))
        .await;
    assert_eq!(after["sources"], json!([]));
    // An empty PATCH changes nothing.
    let (status, same) = s.send(reqwest::Method::PATCH, &path, None).await;
    assert_eq!((status, &same), (200, &after));

    let (_, list) = s
        .send(
            reqwest::Method::GET,
            &format!("/stages/identification/?password_stage={second}"),
            None,
        )
        .await;
    assert_eq!(list["pagination"]["count"], 1.0);
    let (_, list) = s
        .send(
            reqwest::Method::GET,
            &format!("/stages/identification/?password_stage={first}"),
            None,
        )
        .await;
    assert_eq!(list["pagination"]["count"], 0.0);
    let (status, used) = s
        .send(reqwest::Method::GET, &format!("{path}used_by/"), None)
        .await;
    assert_eq!((status, used), (200, json!([])));
    assert_eq!(s.send(reqwest::Method::DELETE, &path, None).await.0, 204);
}

#[tokio::test]
async fn bad_requests_get_authentiks_answers() {
    let s = start_with(
        Store::open(Path::new(":memory:")).unwrap(),
        RouterConfig { body_limit: 4096 },
    )
    .await;
    let create = s.url("/stages/captcha/");
    let c = &s.http;
    let cases: Vec<(&str, reqwest::RequestBuilder, u16, Value)> = vec![
        ("no token", c.get(&create), 403, json!({"detail": "Authentication credentials were not provided."})),
        ("wrong token", c.get(&create).bearer_auth("wrong"), 403, json!({"detail": "Token invalid/expired"})),
        ("not bearer", c.get(&create).header("Authorization", "Basic abc"), 403, json!({"detail": "Token invalid/expired"})),
        (
            "malformed JSON",
            c.post(&create).bearer_auth(TOKEN).header("Content-Type", "application/json").body("{\"name\": "),
            400,
            json!({"detail": "JSON parse error - EOF while parsing a value at line 1 column 9"}),
        ),
        (
            "not an object",
            c.post(&create).bearer_auth(TOKEN).json(&json!(["x"])),
            400,
            json!({"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}),
        ),
        (
            // authentik looks the stage up before it reads the body (tests/drf_reading.rs).
            "a list as a PATCH body to an unknown stage",
            c.patch(s.url(&format!("/stages/captcha/{}/", uuid::Uuid::new_v4()))).bearer_auth(TOKEN).json(&json!([])),
            404,
            json!({"detail": "Not found."}),
        ),
        ("missing field", c.post(&create).bearer_auth(TOKEN).json(&json!({"name": "x", "public_key": "p"})), 400, json!({"private_key": ["This field is required."]})),
        ("null field", c.post(&create).bearer_auth(TOKEN).json(&json!({"name": null, "public_key": "p", "private_key": "k"})), 400, json!({"name": ["This field may not be null."]})),
        ("null in an optional field", c.post(&create).bearer_auth(TOKEN).json(&json!({"name": "x", "public_key": "p", "private_key": "k", "interactive": null})), 400, json!({"interactive": ["This field may not be null."]})),
        ("wrong type", c.post(&create).bearer_auth(TOKEN).json(&json!({"name": "x", "public_key": "p", "private_key": "k", "interactive": "maybe"})), 400, json!({"interactive": ["Must be a valid boolean."]})),
        (
            "field validation",
            c.post(&create).bearer_auth(TOKEN).json(&json!({
                "name": "", "public_key": "p", "private_key": "k",
                "flow_set": [
                    {"name": "ok", "slug": "ok", "title": "t", "designation": "authentication"},
                    {"name": "bad", "slug": "no spaces", "title": "t", "designation": "time_travel"}
                ]
            })),
            400,
            json!({
                "name": ["This field may not be blank."],
                "flow_set": [{}, {
                    "slug": ["Enter a valid \"slug\" consisting of letters, numbers, underscores or hyphens."],
                    "designation": ["\"time_travel\" is not a valid choice."]
                }]
            }),
        ),
        ("wrong content type", c.post(&create).bearer_auth(TOKEN).header("Content-Type", "text/plain").body("name=x"), 415, json!({"detail": "Unsupported media type \"text/plain\" in request."})),
        ("missing content type", c.post(&create).bearer_auth(TOKEN).body("{}"), 415, json!({"detail": "Unsupported media type \"\" in request."})),
        ("too large", c.post(&create).bearer_auth(TOKEN).json(&json!({"name": "x".repeat(5000)})), 413, json!({"detail": "Request body is larger than 4096 bytes."})),
        ("bad uuid in path", c.get(s.url("/stages/captcha/not-a-uuid/")).bearer_auth(TOKEN), 404, json!({"detail": "Not found."})),
        ("unknown stage", c.get(s.url(&format!("/stages/captcha/{}/", uuid::Uuid::new_v4()))).bearer_auth(TOKEN), 404, json!({"detail": "Not found."})),
        ("unknown path", c.get(s.url("/stages/nope/")).bearer_auth(TOKEN), 404, json!({"detail": "Not found."})),
        ("outside the base path", c.get(format!("{}/../../stages/captcha/", s.base)).bearer_auth(TOKEN), 404, json!({"detail": "Not found."})),
        ("bad query value", c.get(format!("{create}?page_size=many")).bearer_auth(TOKEN), 400, json!({"page_size": ["Enter a whole number."]})),
        ("bad boolean filter", c.get(s.url("/stages/identification/?show_matched_user=perhaps")).bearer_auth(TOKEN), 400, json!({"show_matched_user": ["Select a valid choice. perhaps is not one of the available choices."]})),
    ];
    for (what, req, status, body) in cases {
        let (got_status, _, got_body) = s.raw(req).await;
        assert_eq!((got_status, &got_body), (status, &body), "{what}");
    }
    // Authentication comes before the body is even read.
    let (status, _, body) = s
        .raw(
            c.post(&create)
                .header("Content-Type", "text/plain")
                .body("x"),
        )
        .await;
    assert_eq!(
        (status, body),
        (
            403,
            json!({"detail": "Authentication credentials were not provided."})
        )
    );
    // Wrong method: 405 with Allow.
    let (status, headers, body) = s.raw(c.put(&create).bearer_auth(TOKEN)).await;
    assert_eq!(
        (status, body),
        (405, json!({"detail": "Method \"PUT\" not allowed."}))
    );
    assert_eq!(headers["allow"], "GET, POST, HEAD");
    // A taken name.
    assert_eq!(
        s.send(
            reqwest::Method::POST,
            "/stages/captcha/",
            Some(seed_captcha_body("dup"))
        )
        .await
        .0,
        201
    );
    let (status, body) = s
        .send(
            reqwest::Method::POST,
            "/stages/captcha/",
            Some(seed_captcha_body("dup")),
        )
        .await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"name": ["stage with this name already exists."]})
        )
    );
}

/// Collects every log line the service writes.
#[tokio::test]
async fn data_survives_a_restart_and_concurrent_writers_lose_nothing() {
    let dir = std::env::temp_dir().join(format!("stages-service-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("stages.db");
    let id;
    {
        let s = start_with(Store::open(&db).unwrap(), RouterConfig::default()).await;
        let (_, created) = s
            .send(
                reqwest::Method::POST,
                "/stages/captcha/",
                Some(seed_captcha_body("persisted")),
            )
            .await;
        id = created["pk"].as_str().unwrap().to_owned();
        // Many writers at once, over two stores on the same file.
        let other = start_with(Store::open(&db).unwrap(), RouterConfig::default()).await;
        let mut tasks = Vec::new();
        for i in 0..24 {
            let target = if i % 2 == 0 { &s } else { &other };
            let (http, url) = (target.http.clone(), target.url("/stages/identification/"));
            tasks.push(tokio::spawn(async move {
                http.post(url)
                    .bearer_auth(TOKEN)
                    .json(&json!({"name": format!("ident-{i}")}))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap(), 201);
        }
    }
    let s = start_with(Store::open(&db).unwrap(), RouterConfig::default()).await;
    let (status, got) = s
        .send(
            reqwest::Method::GET,
            &format!("/stages/captcha/{id}/"),
            None,
        )
        .await;
    assert_eq!((status, got["name"].as_str()), (200, Some("persisted")));
    let (_, list) = s
        .send(reqwest::Method::GET, "/stages/identification/", None)
        .await;
    assert_eq!(list["pagination"]["count"], 24.0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn every_wrong_field_is_reported_at_once() {
    let s = start().await;
    let (status, body) = s
        .send(
            reqwest::Method::POST,
            "/stages/captcha/",
            Some(json!({
                // DRF's CharField takes numbers (as text) but not booleans or lists.
                "name": true,
                "interactive": null,
                "score_min_threshold": "high",
                "flow_set": [{"name": "a", "slug": "a", "title": "t", "designation": "authentication"}, {"slug": [1]}]
            })),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({
            "name": ["Not a valid string."],
            "public_key": ["This field is required."],
            "private_key": ["This field is required."],
            "interactive": ["This field may not be null."],
            "score_min_threshold": ["A valid number is required."],
            "flow_set": [{}, {
                "name": ["This field is required."],
                "slug": ["Not a valid string."],
                "title": ["This field is required."],
                "designation": ["This field is required."]
            }]
        })
    );
    // The same for the identification stage's uuids and lists.
    let (status, body) = s
        .send(
            reqwest::Method::POST,
            "/stages/identification/",
            Some(
                json!({"name": "i", "password_stage": "nope", "sources": "x", "user_fields": [3]}),
            ),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({
            "password_stage": ["Must be a valid UUID."],
            "sources": ["Expected a list of items but got type \"str\"."],
            "user_fields": {"0": ["\"3\" is not a valid choice."]}
        })
    );
}

fn names(list: &Value) -> Vec<String> {
    list["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_owned())
        .collect()
}

/// authentik's stage viewsets order by `name` unless `ordering` says otherwise.
#[tokio::test]
async fn lists_are_ordered_by_name_by_default() {
    let s = start().await;
    for name in ["delta", "alpha", "charlie", "bravo"] {
        let (status, _) = s
            .send(
                reqwest::Method::POST,
                "/stages/captcha/",
                Some(seed_captcha_body(name)),
            )
            .await;
        assert_eq!(status, 201);
        let (status, _) = s
            .send(
                reqwest::Method::POST,
                "/stages/identification/",
                Some(json!({"name": format!("id-{name}")})),
            )
            .await;
        assert_eq!(status, 201);
    }
    let (_, list) = s.send(reqwest::Method::GET, "/stages/captcha/", None).await;
    assert_eq!(names(&list), ["alpha", "bravo", "charlie", "delta"]);
    let (_, list) = s
        .send(reqwest::Method::GET, "/stages/identification/", None)
        .await;
    assert_eq!(
        names(&list),
        ["id-alpha", "id-bravo", "id-charlie", "id-delta"]
    );
    // Pages follow the same order; an explicit ordering wins; fields DRF would not accept
    // are ignored and leave the default.
    let (_, list) = s
        .send(
            reqwest::Method::GET,
            "/stages/captcha/?page=2&page_size=3",
            None,
        )
        .await;
    assert_eq!(names(&list), ["delta"]);
    let (_, list) = s
        .send(
            reqwest::Method::GET,
            "/stages/captcha/?ordering=-name",
            None,
        )
        .await;
    assert_eq!(names(&list), ["delta", "charlie", "bravo", "alpha"]);
    let (_, list) = s
        .send(
            reqwest::Method::GET,
            "/stages/captcha/?ordering=private_key,nope",
            None,
        )
        .await;
    assert_eq!(names(&list), ["alpha", "bravo", "charlie", "delta"]);
    // Ordering by another column, names breaking the ties.
    let (_, created) = s
        .send(
            reqwest::Method::POST,
            "/stages/captcha/",
            Some(json!({"name": "zulu", "public_key": "a-first", "private_key": "k"})),
        )
        .await;
    assert_eq!(created["name"], "zulu");
    let (_, list) = s
        .send(
            reqwest::Method::GET,
            "/stages/captcha/?ordering=public_key",
            None,
        )
        .await;
    assert_eq!(names(&list), ["zulu", "alpha", "bravo", "charlie", "delta"]);
    // A rename moves the stage in the order; a taken name is refused.
    let zulu = format!("/stages/captcha/{}/", created["pk"].as_str().unwrap());
    let (status, body) = s
        .send(
            reqwest::Method::PATCH,
            &zulu,
            Some(json!({"name": "alpha"})),
        )
        .await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"name": ["stage with this name already exists."]})
        )
    );
    let (status, _) = s
        .send(
            reqwest::Method::PATCH,
            &zulu,
            Some(json!({"name": "aardvark"})),
        )
        .await;
    assert_eq!(status, 200);
    let (_, list) = s.send(reqwest::Method::GET, "/stages/captcha/", None).await;
    assert_eq!(
        names(&list),
        ["aardvark", "alpha", "bravo", "charlie", "delta"]
    );
}

fn invalid_pk(pk: &str) -> Value {
    json!([format!("Invalid pk \"{pk}\" - object does not exist.")])
}

/// References must name objects the service knows: its stages, and the flows, stages and
/// sources seeded from fixtures; authentik answers DRF's `PrimaryKeyRelatedField` message.
#[tokio::test]
async fn references_must_name_known_objects() {
    let s = start_seeded().await;
    let unknown = uuid::Uuid::new_v4().to_string();
    let unknown2 = uuid::Uuid::new_v4().to_string();
    let (_, captcha) = s
        .send(
            reqwest::Method::POST,
            "/stages/captcha/",
            Some(seed_captcha_body("a-captcha")),
        )
        .await;
    let captcha_pk = captcha["pk"].as_str().unwrap().to_owned();
    let create = |body: Value| s.send(reqwest::Method::POST, "/stages/identification/", Some(body));

    let (status, body) = create(json!({"name": "ident", "password_stage": unknown})).await;
    assert_eq!(
        (status, body),
        (400, json!({"password_stage": invalid_pk(&unknown)}))
    );
    // A stage of another kind is not a password stage.
    let (status, body) = create(json!({"name": "ident", "password_stage": captcha_pk})).await;
    assert_eq!(
        (status, body),
        (400, json!({"password_stage": invalid_pk(&captcha_pk)}))
    );
    // Every bad field at once; a list stops at its first unknown pk, as DRF's does; a source
    // is not a flow.
    let (status, body) = create(json!({
        "name": "ident",
        "enrollment_flow": unknown,
        "recovery_flow": FLOW,
        "passwordless_flow": SOURCE,
        "sources": [SOURCE, unknown2, unknown]
    }))
    .await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({
                "enrollment_flow": invalid_pk(&unknown),
                "passwordless_flow": invalid_pk(SOURCE),
                "sources": invalid_pk(&unknown2)
            })
        )
    );
    let (_, list) = s
        .send(reqwest::Method::GET, "/stages/identification/", None)
        .await;
    assert_eq!(list["results"], json!([]), "nothing was stored");

    let (status, created) = create(json!({
        "name": "ident",
        "password_stage": PASSWORD_STAGE,
        "enrollment_flow": FLOW,
        "recovery_flow": OTHER_FLOW,
        "passwordless_flow": null,
        "sources": [SOURCE, OTHER_SOURCE]
    }))
    .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["sources"], json!([SOURCE, OTHER_SOURCE]));
    let path = format!(
        "/stages/identification/{}/",
        created["pk"].as_str().unwrap()
    );
    // A taken name is reported beside the references.
    let (status, body) = create(json!({"name": "ident", "sources": [unknown]})).await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"name": ["stage with this name already exists."], "sources": invalid_pk(&unknown)})
        )
    );
    // So are seeded stages' names: stage names are unique across kinds.
    let (status, body) = s
        .send(
            reqwest::Method::POST,
            "/stages/captcha/",
            Some(seed_captcha_body("default-password")),
        )
        .await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"name": ["stage with this name already exists."]})
        )
    );

    // PATCH and PUT check what they name, and change nothing when refused.
    let (status, body) = s
        .send(
            reqwest::Method::PATCH,
            &path,
            Some(json!({"recovery_flow": unknown, "show_matched_user": false})),
        )
        .await;
    assert_eq!(
        (status, body),
        (400, json!({"recovery_flow": invalid_pk(&unknown)}))
    );
    let (status, body) = s
        .send(
            reqwest::Method::PUT,
            &path,
            Some(json!({"name": "ident", "sources": [OTHER_SOURCE, unknown]})),
        )
        .await;
    assert_eq!(
        (status, body),
        (400, json!({"sources": invalid_pk(&unknown)}))
    );
    let (_, same) = s.send(reqwest::Method::GET, &path, None).await;
    assert_eq!(same, created);
    let (status, body) = s
        .send(
            reqwest::Method::PATCH,
            &path,
            Some(json!({"password_stage": OTHER_PASSWORD_STAGE, "enrollment_flow": null})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (&body["password_stage"], &body["enrollment_flow"]),
        (&json!(OTHER_PASSWORD_STAGE), &Value::Null)
    );
    // An unknown stage is 404 before its references are looked at.
    let (status, body) = s
        .send(
            reqwest::Method::PATCH,
            &format!("/stages/identification/{unknown}/"),
            Some(json!({"recovery_flow": unknown})),
        )
        .await;
    assert_eq!((status, body), (404, json!({"detail": "Not found."})));

    // Filters on a reference: django-filter's answer for an unknown pk.
    let (status, body) = s
        .send(
            reqwest::Method::GET,
            &format!("/stages/identification/?enrollment_flow={unknown}&password_stage={OTHER_PASSWORD_STAGE}"),
            None,
        )
        .await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"enrollment_flow": ["Select a valid choice. That choice is not one of the available choices."]})
        )
    );
    let (status, list) = s
        .send(
            reqwest::Method::GET,
            &format!("/stages/identification/?recovery_flow={OTHER_FLOW}&password_stage={OTHER_PASSWORD_STAGE}"),
            None,
        )
        .await;
    assert_eq!((status, names(&list)), (200, vec!["ident".to_owned()]));
}

/// `stages-service --fixtures FILE` seeds what stages may reference; a bad file stops it.
#[tokio::test]
async fn the_binary_seeds_references_from_a_fixtures_file() {
    let dir = std::env::temp_dir().join(format!("stages-fixtures-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("fixtures.json");
    std::fs::write(&good, fixtures_json().to_string()).unwrap();
    let bad = dir.join("bad.json");
    std::fs::write(&bad, r#"{"flows": [{"slug": "no-pk"}]}"#).unwrap();

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_stages-service"))
        .args(["--db", ":memory:", "--listen", "127.0.0.1:0", "--fixtures"])
        .arg(&bad)
        .env("STAGES_TOKEN", TOKEN)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("flows[0]: `pk` must be a UUID"), "{stderr}");

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_stages-service"))
        .args([
            "--db",
            ":memory:",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--fixtures",
        ])
        .arg(&good)
        .env("STAGES_TOKEN", TOKEN)
        .env("RUST_LOG", "warn")
        .spawn()
        .unwrap();
    let s = Server {
        base: format!("http://127.0.0.1:{port}/api/v3"),
        http: reqwest::Client::new(),
    };
    let mut answer = None;
    for _ in 0..100 {
        let attempt = s
            .http
            .post(s.url("/stages/identification/"))
            .bearer_auth(TOKEN)
            .json(&json!({"name": "seeded-refs", "password_stage": PASSWORD_STAGE, "sources": [SOURCE], "enrollment_flow": FLOW}))
            .send()
            .await;
        if let Ok(resp) = attempt {
            answer = Some(resp.status().as_u16());
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(answer, Some(201));
}

/// Reads go to their own connections: a write that waits for the database lock (here held by
/// another process's transaction) does not hold up a list or a retrieve.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_do_not_wait_for_a_blocked_writer() {
    let dir = std::env::temp_dir().join(format!("stages-readers-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("stages.db");
    let s = start_with(Store::open(&db).unwrap(), RouterConfig::default()).await;
    let (_, created) = s
        .send(
            reqwest::Method::POST,
            "/stages/captcha/",
            Some(seed_captcha_body("before")),
        )
        .await;
    let id = created["pk"].as_str().unwrap().to_owned();

    let other = rusqlite::Connection::open(&db).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let (http, url) = (s.http.clone(), s.url("/stages/captcha/"));
    let write = tokio::spawn(async move {
        http.post(url)
            .bearer_auth(TOKEN)
            .json(&seed_captcha_body("during"))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(!write.is_finished(), "the write waits for the lock");
    let quick = std::time::Duration::from_millis(1500);
    for path in [
        "/stages/captcha/".to_owned(),
        format!("/stages/captcha/{id}/"),
    ] {
        let resp = s
            .http
            .get(s.url(&path))
            .bearer_auth(TOKEN)
            .timeout(quick)
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path} waited for the writer: {e}"));
        assert_eq!(resp.status().as_u16(), 200);
    }
    other.execute_batch("COMMIT").unwrap();
    assert_eq!(write.await.unwrap(), 201);
    let (_, list) = s.send(reqwest::Method::GET, "/stages/captcha/", None).await;
    assert_eq!(names(&list), ["before", "during"]);
    let _ = std::fs::remove_dir_all(&dir);
}
