//! References: stages may name only objects the service knows (its stages, and the flows,
//! stages and sources seeded from a fixtures file), answered with DRF's messages.

use super::common::*;
use super::names;
use serde_json::{json, Value};

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
