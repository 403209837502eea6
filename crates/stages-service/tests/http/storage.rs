//! Storage: data that survives a restart, concurrent writers that lose nothing, and reads that
//! do not wait for a blocked writer.

use super::common::*;
use super::names;
use authentik_server::RouterConfig;
use serde_json::json;
use stages_service::store::Store;

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
