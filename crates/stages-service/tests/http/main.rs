//! The stages service over real HTTP on loopback: every operation's happy path, every class of
//! bad request with authentik's exact answer, secrets kept out of responses (logs: `logs.rs`), and
//! lists (`listing.rs`), references (`references.rs`) and storage that survives a restart and
//! concurrent writers (`storage.rs`).

#[path = "../common/mod.rs"]
mod common;
mod listing;
mod references;
mod storage;

use authentik_server::RouterConfig;
use common::*;
use serde_json::{json, Value};
use stages_service::store::Store;
use stages_service::StagesService;
use std::path::Path;
use std::sync::Arc;

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

/// A service mounts the resources it implements, one by one; the others' paths answer
/// authentik's 404, as unknown paths do, and mounted ones keep their 405s.
#[tokio::test]
async fn a_resource_not_mounted_answers_not_found() {
    let store = Store::open(Path::new(":memory:")).unwrap();
    let service = Arc::new(StagesService::new(store, TOKEN));
    let app = authentik_server::Routes::new()
        .merge(authentik_server::captcha::routes(
            service,
            RouterConfig::default(),
        ))
        .into_router();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/api/v3", listener.local_addr().unwrap());
    let serving = authentik_server::ServeConfig::default();
    tokio::spawn(authentik_server::serve_with_shutdown(
        listener,
        app,
        serving,
        std::future::pending(),
    ));
    let s = Server {
        base,
        http: reqwest::Client::new(),
    };

    let (status, list) = s.send(reqwest::Method::GET, "/stages/captcha/", None).await;
    assert_eq!((status, &list["results"]), (200, &json!([])));
    let not_found = json!({"detail": "Not found."});
    for path in [
        "/stages/identification/",
        "/stages/identification/5a1d0c2e-0000-4000-8000-000000000001/",
    ] {
        for method in [reqwest::Method::GET, reqwest::Method::PATCH] {
            let body = (method == reqwest::Method::PATCH).then(|| json!({"name": "x"}));
            let answer = s.send(method.clone(), path, body).await;
            assert_eq!(answer, (404, not_found.clone()), "{method} {path}");
        }
    }
    let answer = s
        .send(reqwest::Method::PATCH, "/stages/captcha/", None)
        .await;
    assert_eq!(
        answer,
        (405, json!({"detail": "Method \"PATCH\" not allowed."}))
    );
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

/// The `name` of each stage in a list answer, in order.
pub(crate) fn names(list: &Value) -> Vec<String> {
    list["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_owned())
        .collect()
}
