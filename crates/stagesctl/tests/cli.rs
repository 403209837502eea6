//! `stagesctl` as the README shows it, against the stages service on loopback; and the README's
//! client example is the example file CI builds.

use authentik_server::RouterConfig;
use serde_json::Value;
use stages_service::{serve_on_loopback, store::Store, StagesService};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const TOKEN: &str = "cli-token-0123456789";

async fn start() -> String {
    let store = Store::open(Path::new(":memory:")).unwrap();
    serve_on_loopback(StagesService::new(store, TOKEN), RouterConfig::default())
        .await
        .unwrap()
}

/// Runs `stagesctl args` with `stdin`, off the runtime's threads.
async fn stagesctl(url: &str, token: &str, args: &[&str], stdin: &str) -> Output {
    let (url, token, stdin) = (url.to_owned(), token.to_owned(), stdin.to_owned());
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    tokio::task::spawn_blocking(move || {
        let mut child = Command::new(env!("CARGO_BIN_EXE_stagesctl"))
            .args(&args)
            .env("AUTHENTIK_URL", url)
            .env("AUTHENTIK_TOKEN", token)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap()
}

fn json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "stagesctl failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn failure(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    String::from_utf8_lossy(&out.stderr).trim().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_against_the_service() {
    let url = start().await;
    let run = |args: &'static [&'static str], stdin: &'static str| {
        let url = url.clone();
        async move { stagesctl(&url, TOKEN, args, stdin).await }
    };

    let created = json(
        &run(
            &["captcha", "create", "--json", "-"],
            r#"{"name": "captcha", "public_key": "public", "private_key": "secret"}"#,
        )
        .await,
    );
    assert_eq!(created["name"], "captcha");
    assert!(created.get("private_key").is_none());
    let pk = created["pk"].as_str().unwrap().to_owned();
    for name in ["b", "c"] {
        let body = format!(r#"{{"name": "{name}", "public_key": "p", "private_key": "s"}}"#);
        json(&stagesctl(&url, TOKEN, &["captcha", "create", "--json", "-"], &body).await);
    }

    // One page, then every page as one list.
    let page = json(&run(&["captcha", "list", "--page-size", "2"], "").await);
    assert_eq!(page["results"].as_array().unwrap().len(), 2);
    assert_eq!(page["pagination"]["count"], 3.0);
    let all = json(&run(&["captcha", "list", "--all", "--page-size", "1"], "").await);
    let names: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    // By name, as authentik orders stages when no ordering is asked for.
    assert_eq!(names, ["b", "c", "captcha"]);
    // Values that start with a hyphen: a descending ordering, a name, a search term.
    let page = json(&run(&["captcha", "list", "--ordering", "-name"], "").await);
    let names: Vec<&str> = page["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["captcha", "c", "b"]);
    let page = json(&run(&["captcha", "list", "--name", "-x", "--search", "-x"], "").await);
    assert_eq!(page["results"], serde_json::json!([]));
    // A negative page size is the server's to judge (DRF falls back to its default).
    let page = json(&run(&["captcha", "list", "--page-size", "-1"], "").await);
    assert_eq!(page["results"].as_array().unwrap().len(), 3);

    let got = json(&stagesctl(&url, TOKEN, &["captcha", "get", &pk], "").await);
    assert_eq!(got, created);
    let patched = json(
        &stagesctl(
            &url,
            TOKEN,
            &["captcha", "patch", &pk, "--json", "-"],
            r#"{"interactive": true}"#,
        )
        .await,
    );
    assert_eq!(patched["interactive"], true);
    assert_eq!(patched["name"], "captcha");
    let replaced = json(
        &stagesctl(
            &url,
            TOKEN,
            &["captcha", "update", &pk, "--json", "-"],
            r#"{"name": "renamed", "public_key": "p2", "private_key": "s2"}"#,
        )
        .await,
    );
    assert_eq!(replaced["name"], "renamed");
    let used_by = json(&stagesctl(&url, TOKEN, &["captcha", "used-by", &pk], "").await);
    assert_eq!(used_by, serde_json::json!([]));
    let deleted = stagesctl(&url, TOKEN, &["captcha", "delete", &pk], "").await;
    assert!(deleted.status.success() && deleted.stdout.is_empty());

    // Failures: exit 1 and authentik's words.
    assert_eq!(
        failure(&stagesctl(&url, TOKEN, &["captcha", "get", &pk], "").await),
        "error: HTTP 404: Not found."
    );
    assert_eq!(
        failure(&stagesctl(&url, "wrong", &["captcha", "list"], "").await),
        r#"error: HTTP 403: {"detail":"Token invalid/expired"}"#
    );
    assert_eq!(
        failure(
            &run(
                &["captcha", "create", "--json", "-"],
                r#"{"name": "b", "public_key": "p", "private_key": "s"}"#
            )
            .await
        ),
        r#"error: HTTP 400: {"name":["stage with this name already exists."]}"#
    );
    assert_eq!(
        failure(
            &run(
                &["captcha", "create", "--json", "-"],
                r#"{"name": "", "public_key": "p", "private_key": "s"}"#
            )
            .await
        ),
        "error: the request is invalid, not sent: name: This field may not be blank."
    );
    let no_check = failure(
        &run(
            &["--no-validate", "captcha", "create", "--json", "-"],
            r#"{"name": "", "public_key": "p", "private_key": "s"}"#,
        )
        .await,
    );
    assert_eq!(
        no_check,
        r#"error: HTTP 400: {"name":["This field may not be blank."]}"#
    );
    let bad_json = failure(&run(&["captcha", "create", "--json", "-"], "{").await);
    assert!(
        bad_json.starts_with("error: - is not a valid CaptchaStageRequest"),
        "{bad_json}"
    );

    // The identification commands.
    let ident = json(
        &run(
            &["identification", "create", "--json", "-"],
            r#"{"name": "ident", "user_fields": ["email"]}"#,
        )
        .await,
    );
    assert_eq!(ident["user_fields"], serde_json::json!(["email"]));
    let listed = json(&run(&["identification", "list", "--all"], "").await);
    assert_eq!(listed.as_array().unwrap().len(), 1);
}

#[test]
fn the_readme_shows_the_example_that_is_built() {
    let readme = include_str!("../../../README.md");
    let example = include_str!("../examples/client.rs");
    assert!(
        readme.contains(&format!("```rust\n{example}```")),
        "README.md's client example differs from crates/stagesctl/examples/client.rs"
    );
}
