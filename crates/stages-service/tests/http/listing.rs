//! Lists: pagination, ordering (by name unless `ordering` says otherwise), search and filters.

use super::common::*;
use super::names;
use serde_json::{json, Value};

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
        .get("/stages/captcha/?ordering=name&page=2&page_size=2")
        .await;
    assert_eq!(names(&page), ["charlie", "delta"]);
    assert_eq!(page["pagination"]["next"], 3.0);
    assert_eq!(page["pagination"]["previous"], 1.0);
    assert_eq!(page["pagination"]["start_index"], 3.0);
    let (_, page) = s
        .get("/stages/captcha/?ordering=-name&public_key=early")
        .await;
    assert_eq!(names(&page), ["bravo", "alpha"]);
    let (_, page) = s.get("/stages/captcha/?search=HAR").await;
    assert_eq!(names(&page), ["charlie"]);
    let (status, body) = s.get("/stages/captcha/?page=9").await;
    assert_eq!((status, body), (404, json!({"detail": "Invalid page."})));
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
    let (_, list) = s.get("/stages/captcha/").await;
    assert_eq!(names(&list), ["alpha", "bravo", "charlie", "delta"]);
    let (_, list) = s.get("/stages/identification/").await;
    assert_eq!(
        names(&list),
        ["id-alpha", "id-bravo", "id-charlie", "id-delta"]
    );
    // Pages follow the same order; an explicit ordering wins; fields DRF would not accept
    // are ignored and leave the default.
    let (_, list) = s.get("/stages/captcha/?page=2&page_size=3").await;
    assert_eq!(names(&list), ["delta"]);
    let (_, list) = s.get("/stages/captcha/?ordering=-name").await;
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
    let (_, list) = s.get("/stages/captcha/?ordering=public_key").await;
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
    let (_, list) = s.get("/stages/captcha/").await;
    assert_eq!(
        names(&list),
        ["aardvark", "alpha", "bravo", "charlie", "delta"]
    );
}

/// Filters on the columns the store writes beside each document (`public_key`, the booleans)
/// follow creates and patches.
#[tokio::test]
async fn filters_follow_creates_and_patches() {
    let s = start().await;
    for (name, shown) in [("one", true), ("two", false), ("three", false)] {
        let body = json!({"name": name, "show_matched_user": shown});
        let (status, _) = s
            .send(reqwest::Method::POST, "/stages/identification/", Some(body))
            .await;
        assert_eq!(status, 201);
    }
    let (_, page) = s
        .get("/stages/identification/?show_matched_user=false")
        .await;
    assert_eq!(names(&page), ["three", "two"]);
    let (_, page) = s
        .get("/stages/identification/?show_matched_user=true&case_insensitive_matching=true")
        .await;
    assert_eq!(names(&page), ["one"]);
    let two = page_pk(&s, "/stages/identification/?name=two").await;
    let (status, _) = s
        .send(
            reqwest::Method::PATCH,
            &format!("/stages/identification/{two}/"),
            Some(json!({"show_matched_user": true})),
        )
        .await;
    assert_eq!(status, 200);
    let (_, page) = s
        .get("/stages/identification/?show_matched_user=false")
        .await;
    assert_eq!(names(&page), ["three"]);

    let (_, created) = s
        .send(
            reqwest::Method::POST,
            "/stages/captcha/",
            Some(seed_captcha_body("keyed")),
        )
        .await;
    let pk = created["pk"].as_str().unwrap().to_owned();
    let (status, _) = s
        .send(
            reqwest::Method::PATCH,
            &format!("/stages/captcha/{pk}/"),
            Some(json!({"public_key": "rotated"})),
        )
        .await;
    assert_eq!(status, 200);
    let (_, page) = s.get("/stages/captcha/?public_key=rotated").await;
    assert_eq!(names(&page), ["keyed"]);
    let (_, page) = s.get("/stages/captcha/?public_key=string").await;
    assert_eq!(page["pagination"]["count"], 0);
}

async fn page_pk(s: &Server, path: &str) -> String {
    let (_, page) = s.get(path).await;
    page["results"][0]["pk"].as_str().unwrap().to_owned()
}
