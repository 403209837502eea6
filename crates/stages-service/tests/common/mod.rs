//! What the stages service's HTTP test binaries share: a running service and request helpers.
#![allow(dead_code)]

use authentik_server::RouterConfig;
use serde_json::{json, Value};
use stages_service::{serve_on_loopback, store::Store, StagesService};
use std::path::Path;

pub const TOKEN: &str = "test-token-0123456789";
pub const SECRET: &str = "private-key-that-must-never-leak";

/// A running service: its base URL (with `/api/v3`) and an HTTP client.
pub struct Server {
    pub base: String,
    pub http: reqwest::Client,
}

pub async fn start_with(store: Store, config: RouterConfig) -> Server {
    Server {
        base: serve_on_loopback(StagesService::new(store, TOKEN), config)
            .await
            .unwrap(),
        http: reqwest::Client::new(),
    }
}

pub async fn start() -> Server {
    start_with(
        Store::open(Path::new(":memory:")).unwrap(),
        RouterConfig::default(),
    )
    .await
}

/// Objects stages may reference, as a fixtures file gives them (`--fixtures`).
pub const PASSWORD_STAGE: &str = "5a1d0c2e-0000-4000-8000-000000000001";
pub const OTHER_PASSWORD_STAGE: &str = "5a1d0c2e-0000-4000-8000-000000000002";
pub const FLOW: &str = "f10f0000-0000-4000-8000-000000000001";
pub const OTHER_FLOW: &str = "f10f0000-0000-4000-8000-000000000002";
pub const SOURCE: &str = "50c00000-0000-4000-8000-000000000001";
pub const OTHER_SOURCE: &str = "50c00000-0000-4000-8000-000000000002";

pub fn fixtures_json() -> Value {
    json!({
        "stages": [
            {"pk": PASSWORD_STAGE, "kind": "password", "name": "default-password"},
            {"pk": OTHER_PASSWORD_STAGE, "kind": "password", "name": "other-password"}
        ],
        "flows": [
            {"pk": FLOW, "slug": "default-enrollment", "name": "Enrollment", "designation": "enrollment"},
            {"pk": OTHER_FLOW, "slug": "default-recovery", "name": "Recovery", "designation": "recovery"}
        ],
        "sources": [
            {"pk": SOURCE, "slug": "github", "name": "GitHub"},
            {"pk": OTHER_SOURCE, "slug": "gitlab", "name": "GitLab"}
        ]
    })
}

/// A service on an in-memory store seeded with [`fixtures_json`].
pub async fn start_seeded() -> Server {
    let store = Store::open(Path::new(":memory:")).unwrap();
    let fixtures =
        stages_service::store::Fixtures::from_json(&fixtures_json().to_string()).unwrap();
    store.seed(fixtures).await.unwrap();
    start_with(store, RouterConfig::default()).await
}

impl Server {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self.http.request(method, self.url(path)).bearer_auth(TOKEN);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap()
        };
        (status, value)
    }

    /// [`Server::send`] for a `GET`.
    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.send(reqwest::Method::GET, path, None).await
    }

    pub async fn raw(
        &self,
        req: reqwest::RequestBuilder,
    ) -> (u16, reqwest::header::HeaderMap, Value) {
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap();
        (
            status,
            headers,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }
}

/// The seed's create body (seed 002).
pub fn seed_captcha_body(name: &str) -> Value {
    json!({
        "name": name,
        "flow_set": [{
            "name": "string", "slug": "string", "title": "string",
            "designation": "authentication", "policy_engine_mode": "all",
            "compatibility_mode": true, "layout": "stacked", "denied_action": "message_continue"
        }],
        "public_key": "string",
        "private_key": SECRET,
        "js_url": "string",
        "api_url": "string",
        "interactive": true,
        "score_min_threshold": 0,
        "score_max_threshold": 0,
        "error_on_invalid_score": true
    })
}

pub fn assert_no_secret(value: &Value) {
    let text = value.to_string();
    assert!(
        !text.contains(SECRET) && !text.contains("private_key"),
        "secret in a response: {text}"
    );
}
