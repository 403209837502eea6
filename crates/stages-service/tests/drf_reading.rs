//! How the generated router reads requests and writes answers where authentik (DRF) has habits
//! of its own: whole numbers without a fraction, strings trimmed and free of null characters,
//! inputs coerced as DRF's fields coerce them, and `page` read by the paginator first.

mod common;

use common::*;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn whole_numbers_go_out_without_a_fraction() {
    let s = start().await;
    for name in ["b-first", "a-second", "c-third"] {
        let (status, _) = s
            .send(
                Method::POST,
                "/stages/captcha/",
                Some(seed_captcha_body(name)),
            )
            .await;
        assert_eq!(status, 201);
    }
    let text = s
        .http
        .get(s.url("/stages/captcha/?page_size=2"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // authentik (Python) writes `"count": 3`; the official Python client then holds an int.
    for key in [
        "\"count\":3,",
        "\"next\":2,",
        "\"total_pages\":2,",
        "\"score_min_threshold\":0,",
    ] {
        assert!(text.contains(key), "{key} not in {text}");
    }
    assert!(!text.contains(".0,") && !text.contains(".0}"), "{text}");
}

#[tokio::test]
async fn strings_are_trimmed_and_null_characters_refused() {
    let s = start().await;
    let mut body = seed_captcha_body("  padded  ");
    body["public_key"] = json!("\tkey\n");
    let (status, created) = s.send(Method::POST, "/stages/captcha/", Some(body)).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["name"], "padded");
    assert_eq!(created["public_key"], "key");

    // Only white space is blank once trimmed.
    let (status, refused) = s
        .send(
            Method::POST,
            "/stages/captcha/",
            Some(seed_captcha_body("   ")),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(refused, json!({"name": ["This field may not be blank."]}));

    let (status, refused) = s
        .send(
            Method::POST,
            "/stages/captcha/",
            Some(seed_captcha_body("a\u{0}b")),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        refused,
        json!({"name": ["Null characters are not allowed."]})
    );
}

#[tokio::test]
async fn inputs_are_coerced_as_drf_coerces_them() {
    let s = start().await;
    let mut body = seed_captcha_body("coerced");
    body["interactive"] = json!("true");
    body["error_on_invalid_score"] = json!(0);
    body["score_min_threshold"] = json!("0.25");
    body["public_key"] = json!(5);
    let (status, created) = s.send(Method::POST, "/stages/captcha/", Some(body)).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["interactive"], true);
    assert_eq!(created["error_on_invalid_score"], false);
    assert_eq!(created["score_min_threshold"], 0.25);
    assert_eq!(created["public_key"], "5");

    // What DRF refuses stays refused.
    let mut body = seed_captcha_body("refused");
    body["interactive"] = json!("maybe");
    body["score_min_threshold"] = json!("high");
    body["public_key"] = json!(["a"]);
    let (status, refused) = s.send(Method::POST, "/stages/captcha/", Some(body)).await;
    assert_eq!(status, 400);
    assert_eq!(
        refused,
        json!({
            "interactive": ["Must be a valid boolean."],
            "score_min_threshold": ["A valid number is required."],
            "public_key": ["Not a valid string."]
        })
    );
}

#[tokio::test]
async fn a_page_that_is_not_a_page_number_is_not_found() {
    let s = start().await;
    for query in ["page=abc", "page=0", "page=-2", "page=1.5"] {
        let (status, body) = s
            .send(Method::GET, &format!("/stages/captcha/?{query}"), None)
            .await;
        assert_eq!(
            (status, body),
            (404, json!({"detail": "Invalid page."})),
            "{query}"
        );
    }
    let (status, _) = s
        .send(Method::GET, "/stages/identification/?page=x", None)
        .await;
    assert_eq!(status, 404);
    // An empty page is the first.
    let (status, _) = s.send(Method::GET, "/stages/captcha/?page=", None).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn an_unknown_stage_is_not_found_before_its_body_is_read() {
    let s = start().await;
    let unknown = "/stages/captcha/00000000-0000-4000-8000-000000000000/";
    for method in [Method::PATCH, Method::PUT] {
        let (status, body) = s
            .send(method.clone(), unknown, Some(json!({"name": ""})))
            .await;
        assert_eq!(
            (status, body),
            (404, json!({"detail": "Not found."})),
            "{method}"
        );
    }
    // Not even JSON: still the object first.
    let (status, _, body) = s
        .raw(
            s.http
                .patch(s.url(unknown))
                .bearer_auth(TOKEN)
                .header("content-type", "application/json")
                .body("{not json"),
        )
        .await;
    assert_eq!((status, body), (404, json!({"detail": "Not found."})));
    let (status, _) = s
        .send(
            Method::PATCH,
            "/stages/identification/00000000-0000-4000-8000-000000000000/",
            Some(json!({"user_fields": "x"})),
        )
        .await;
    assert_eq!(status, 404);

    // A stage that exists: the body's own errors.
    let (_, created) = s
        .send(
            Method::POST,
            "/stages/captcha/",
            Some(seed_captcha_body("known")),
        )
        .await;
    let known = format!("/stages/captcha/{}/", created["pk"].as_str().unwrap());
    let (status, body) = s
        .send(Method::PATCH, &known, Some(json!({"name": ""})))
        .await;
    assert_eq!(
        (status, body),
        (400, json!({"name": ["This field may not be blank."]}))
    );
}
