//! What the client test binaries share: a scripted server with a client for it, and bodies.
#![allow(dead_code)]

use authentik_client::Client;
use serde_json::{json, Value};
use uuid::Uuid;
use wiremock::MockServer;

pub const TOKEN: &str = "mock-token-0123456789";

pub async fn server() -> (MockServer, Client) {
    let server = MockServer::start().await;
    let client = Client::new(format!("{}/api/v3", server.uri()), Some(TOKEN)).unwrap();
    (server, client)
}

pub fn captcha_json(pk: Uuid, name: &str) -> Value {
    json!({
        "pk": pk, "name": name, "component": "ak-stage-captcha-form",
        "verbose_name": "Captcha Stage", "verbose_name_plural": "Captcha Stages",
        "meta_model_name": "authentik_stages_captcha.captchastage",
        "flow_set": [], "public_key": "site-key", "interactive": false
    })
}

pub fn captcha_request() -> authentik_client::models::CaptchaStageRequest {
    authentik_client::models::CaptchaStageRequest {
        name: "n".into(),
        flow_set: None,
        public_key: "p".into(),
        private_key: "k".into(),
        js_url: None,
        api_url: None,
        interactive: None,
        score_min_threshold: None,
        score_max_threshold: None,
        error_on_invalid_score: None,
    }
}
