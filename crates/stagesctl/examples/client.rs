//! The generated client in a few lines: stream every captcha stage, then create one.
//! Run: `AUTHENTIK_URL=http://127.0.0.1:9000/api/v3 AUTHENTIK_TOKEN=... cargo run -p stagesctl --example client`
use authentik_client::captcha::StagesCaptchaListQuery;
use authentik_client::errors::BadRequestOrForbiddenError;
use authentik_client::models::CaptchaStageRequest;
use authentik_client::{CaptchaApi, Client, Error};
use futures_util::StreamExt as _;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("AUTHENTIK_URL")?; // the API root, with /api/v3
    let token = std::env::var("AUTHENTIK_TOKEN")?;
    let client = Client::new(url, Some(&token))?;

    // Every captcha stage, page after page.
    let mut stages =
        std::pin::pin!(client.stages_captcha_list_all(StagesCaptchaListQuery::default()));
    while let Some(stage) = stages.next().await {
        let stage = stage?;
        println!("{} {}", stage.pk, stage.name);
    }

    // A new one; a 400 comes back typed, with authentik's messages per field.
    let body = CaptchaStageRequest {
        name: "example-captcha".into(),
        public_key: "site-key".into(),
        private_key: "secret-key".into(),
        flow_set: None,
        js_url: None,
        api_url: None,
        interactive: Some(true),
        score_min_threshold: None,
        score_max_threshold: None,
        error_on_invalid_score: None,
    };
    match client.stages_captcha_create(&body).await {
        Ok(stage) => println!("created {}", stage.pk),
        Err(Error::Api(BadRequestOrForbiddenError::BadRequest(refused))) => {
            println!("refused: {:?}", refused.additional_properties);
        }
        Err(other) => return Err(other.into()),
    }
    Ok(())
}
