//! The server's side: the captcha and password traits implemented, requests read, answers built.

use authentik_models as models;
use authentik_server::captcha::{self, CaptchaApi};
use authentik_server::password::{self, PasswordApi};
use authentik_server::{ApiError, AuthError, Authenticate, RouterConfig};
use std::sync::Arc;
use models::support::Maybe;

type Answer<T> = Result<T, ApiError>;

/// A service that knows one flow.
pub struct Service {
    pub flow: uuid::Uuid,
}

impl Authenticate for Service {
    type Principal = String;

    async fn authenticate(&self, token: &str) -> Result<String, AuthError> {
        Ok(token.to_owned())
    }
}

/// The flow a stage is bound to, every field named.
pub fn flow_set(pk: uuid::Uuid) -> models::FlowSet {
    models::FlowSet { // probe: server field-added FlowSet::background_url
        pk, // probe: server unchanged FlowSet::pk
        policybindingmodel_ptr_id: pk,
        name: "Welcome".to_owned(),
        slug: "default-authentication-flow".to_owned(), // probe: server field-constraint-changed FlowSet::slug
        title: "Welcome to authentik!".to_owned(),
        designation: models::FlowDesignationEnum::Authentication, // probe: server unchanged FlowSet::designation
        background: "/static/dist/assets/images/flow_background.jpg".to_owned(), // probe: server field-removed FlowSet::background // fix:
        policy_engine_mode: Some(models::PolicyEngineMode::Any),
        compatibility_mode: Some(false),
        export_url: format!("/api/v3/flows/instances/{pk}/export/"),
        layout: Some(models::FlowLayoutEnum::Stacked), // probe: server unchanged FlowSet::layout
        denied_action: None,
    }
}

/// A captcha stage as it is answered, every field named.
pub fn captcha_stage(pk: uuid::Uuid, flow: uuid::Uuid) -> models::CaptchaStage {
    models::CaptchaStage { // probe: server field-added CaptchaStage::request_content_type; server field-added CaptchaStage::interactive
        pk,
        name: "captcha".to_owned(),
        component: "ak-stage-captcha-form".to_owned(),
        verbose_name: "Captcha Stage".to_owned(),
        verbose_name_plural: "Captcha Stages".to_owned(),
        meta_model_name: "authentik_stages_captcha.captchastage".to_owned(),
        flow_set: Some(vec![flow_set(flow)]), // probe: server field-required CaptchaStage::flow_set
        public_key: "public".to_owned(), // probe: server unchanged CaptchaStage::public_key
        js_url: None,
        api_url: None,
        score_min_threshold: Some(0.5),
        score_max_threshold: Some(1.0),
        error_on_invalid_score: Some(true),
    }
}

/// A password stage as it is answered, every field named.
pub fn password_stage(pk: uuid::Uuid, request: &models::PasswordStageRequest) -> models::PasswordStage {
    models::PasswordStage { // probe: server unchanged PasswordStage
        pk,
        name: request.name.clone(), // probe: server unchanged PasswordStageRequest::name
        component: "ak-stage-password-form".to_owned(),
        verbose_name: "Password Stage".to_owned(),
        verbose_name_plural: "Password Stages".to_owned(),
        meta_model_name: "authentik_stages_password.passwordstage".to_owned(),
        flow_set: None, // probe: server field-required PasswordStage::flow_set
        backends: request.backends.clone(), // probe: server unchanged PasswordStageRequest::backends
        configure_flow: request.configure_flow, // probe: server unchanged PasswordStageRequest::configure_flow
        failed_attempts_before_cancel: request.failed_attempts_before_cancel,
        allow_show_password: request.allow_show_password,
    }
}

fn page<T>(results: Vec<T>) -> (models::Pagination, Vec<T>) {
    let count = results.len() as f64;
    let pagination = models::Pagination { next: 0.0, previous: 0.0, count, current: 1.0, total_pages: 1.0, start_index: 1.0, end_index: count }; // probe: server unchanged Pagination
    (pagination, results)
}

impl CaptchaApi for Service { // probe: server unchanged CaptchaApi
    async fn stages_captcha_list(&self, _: &String, request: captcha::StagesCaptchaListRequest) -> Answer<captcha::StagesCaptchaListResponse> { // probe: server unchanged CaptchaApi::stages_captcha_list
        let wanted = request.query.public_key; // probe: server unchanged StagesCaptchaListQuery::public_key
        let stage = captcha_stage(self.flow, self.flow);
        let results = if wanted.is_none_or(|k| k == stage.public_key) { vec![stage] } else { vec![] };
        let (pagination, results) = page(results);
        Ok(captcha::StagesCaptchaListResponse::Ok(models::PaginatedCaptchaStageList { pagination, results })) // probe: server field-added PaginatedCaptchaStageList::autocomplete
    }

    async fn stages_captcha_create(&self, _: &String, request: captcha::StagesCaptchaCreateRequest) -> Answer<captcha::StagesCaptchaCreateResponse> {
        let flows = request.body.flow_set.map_or(0, |f| f.len()); // probe: server field-removed CaptchaStageRequest::flow_set
        let models::CaptchaStageRequest { name, private_key, .. } = request.body; // probe: server field-added CaptchaStageRequest::request_content_type; server field-added CaptchaStageRequest::interactive
        if name.is_empty() || private_key.is_empty() || flows > 1 {
            return Ok(captcha::StagesCaptchaCreateResponse::BadRequest(models::ValidationError::default()));
        }
        Ok(captcha::StagesCaptchaCreateResponse::Created(captcha_stage(self.flow, self.flow)))
    }

    async fn stages_captcha_retrieve(&self, _: &String, request: captcha::StagesCaptchaRetrieveRequest) -> Answer<captcha::StagesCaptchaRetrieveResponse> {
        Ok(captcha::StagesCaptchaRetrieveResponse::Ok(captcha_stage(request.stage_uuid, self.flow)))
    }

    async fn stages_captcha_update(&self, _: &String, request: captcha::StagesCaptchaUpdateRequest) -> Answer<captcha::StagesCaptchaUpdateResponse> {
        let mut stage = captcha_stage(request.stage_uuid, self.flow);
        stage.public_key = request.body.public_key; // probe: server unchanged CaptchaStageRequest::public_key
        stage.score_min_threshold = request.body.score_min_threshold;
        Ok(captcha::StagesCaptchaUpdateResponse::Ok(stage))
    }

    async fn stages_captcha_destroy(&self, _: &String, _: captcha::StagesCaptchaDestroyRequest) -> Answer<captcha::StagesCaptchaDestroyResponse> {
        Ok(captcha::StagesCaptchaDestroyResponse::NoContent)
    }

    async fn stages_captcha_partial_update(&self, _: &String, request: captcha::StagesCaptchaPartialUpdateRequest) -> Answer<captcha::StagesCaptchaPartialUpdateResponse> {
        let mut stage = captcha_stage(request.stage_uuid, self.flow);
        let Some(body) = request.body else {
            return Ok(captcha::StagesCaptchaPartialUpdateResponse::Ok(stage));
        };
        if let Some(key) = body.public_key { // probe: server unchanged PatchedCaptchaStageRequest::public_key
            stage.public_key = key;
        }
        let flows: Option<Vec<models::FlowSetRequest>> = body.flow_set; // probe: server field-removed PatchedCaptchaStageRequest::flow_set; server type-removed FlowSetRequest
        if flows.is_some_and(|f| f.is_empty()) {
            stage.flow_set = Some(vec![]); // probe: server field-required CaptchaStage::flow_set
        }
        Ok(captcha::StagesCaptchaPartialUpdateResponse::Ok(stage))
    }

    async fn stages_captcha_used_by_list(&self, _: &String, request: captcha::StagesCaptchaUsedByListRequest) -> Answer<captcha::StagesCaptchaUsedByListResponse> {
        let used = models::UsedBy {
            app: "authentik_flows".to_owned(),
            model_name: "flowstagebinding".to_owned(),
            pk: request.stage_uuid.to_string(),
            name: "binding".to_owned(),
            action: models::UsedByActionEnum::Cascade, // probe: server enum-value-added UsedByActionEnum::LeftDangling
        };
        Ok(captcha::StagesCaptchaUsedByListResponse::Ok(vec![used]))
    }
}

impl PasswordApi for Service { // probe: server unchanged PasswordApi
    async fn stages_password_list(&self, _: &String, request: password::StagesPasswordListRequest) -> Answer<password::StagesPasswordListResponse> {
        if request.query.failed_attempts_before_cancel.is_some_and(|n| n < 0) { // probe: server unchanged StagesPasswordListQuery::failed_attempts_before_cancel
            return Ok(password::StagesPasswordListResponse::BadRequest(models::ValidationError::default()));
        }
        let (pagination, results) = page(vec![]);
        Ok(password::StagesPasswordListResponse::Ok(models::PaginatedPasswordStageList { pagination, results })) // probe: server field-added PaginatedPasswordStageList::autocomplete
    }

    async fn stages_password_create(&self, _: &String, request: password::StagesPasswordCreateRequest) -> Answer<password::StagesPasswordCreateResponse> {
        let flows: Option<Vec<models::FlowSetRequest>> = request.body.flow_set.clone(); // probe: server field-removed PasswordStageRequest::flow_set; server type-removed FlowSetRequest
        if flows.is_some_and(|f| f.len() > 1) {
            return Ok(password::StagesPasswordCreateResponse::BadRequest(models::ValidationError::default()));
        }
        Ok(password::StagesPasswordCreateResponse::Created(password_stage(self.flow, &request.body)))
    }

    async fn stages_password_retrieve(&self, _: &String, _: password::StagesPasswordRetrieveRequest) -> Answer<password::StagesPasswordRetrieveResponse> {
        Err(ApiError::NotFound)
    }

    async fn stages_password_update(&self, _: &String, request: password::StagesPasswordUpdateRequest) -> Answer<password::StagesPasswordUpdateResponse> {
        Ok(password::StagesPasswordUpdateResponse::Ok(password_stage(request.stage_uuid, &request.body)))
    }

    async fn stages_password_destroy(&self, _: &String, _: password::StagesPasswordDestroyRequest) -> Answer<password::StagesPasswordDestroyResponse> {
        Ok(password::StagesPasswordDestroyResponse::NoContent)
    }

    async fn stages_password_partial_update(&self, _: &String, request: password::StagesPasswordPartialUpdateRequest) -> Answer<password::StagesPasswordPartialUpdateResponse> {
        let allow = request.body.and_then(|b| b.allow_show_password); // probe: server unchanged PatchedPasswordStageRequest::allow_show_password
        let mut answer = Err(ApiError::NotFound);
        if allow == Some(true) {
            answer = Err(ApiError::PermissionDenied);
        }
        answer
    }

    async fn stages_password_used_by_list(&self, _: &String, _: password::StagesPasswordUsedByListRequest) -> Answer<password::StagesPasswordUsedByListResponse> {
        Ok(password::StagesPasswordUsedByListResponse::Ok(vec![]))
    }
}

/// Reads an identification stage a client sent.
pub fn read_identification(body: &models::IdentificationStageRequest) -> Vec<String> {
    let mut seen: Vec<String> = body.sources.iter().flatten().map(|s| s.to_string()).collect(); // probe: server unchanged IdentificationStageRequest::sources
    if let Maybe::Value(stage) = body.password_stage { // probe: server unchanged IdentificationStageRequest::password_stage
        seen.push(stage.to_string());
    }
    seen.extend(body.flow_set.iter().flatten().map(|f| f.slug.clone())); // probe: server field-removed IdentificationStageRequest::flow_set
    seen
}

/// Reads an email stage a client sent.
pub fn read_email(body: &models::EmailStageRequest) -> i64 {
    body.token_expiry.unwrap_or(30) // probe: server field-type-changed EmailStageRequest::token_expiry; server field-constraint-changed EmailStageRequest::token_expiry
}

/// The two resources the service implements, mounted one by one: the others answer 404.
pub fn mount(service: Arc<Service>) -> impl Sized {
    let config = RouterConfig::default();
    let routes = captcha::routes(service.clone(), config.clone()); // probe: server unchanged CaptchaApi
    routes.merge(password::routes(service, config)).into_router() // probe: server resource-added EndpointsApi; server operation-added EndpointsApi::stages_endpoints_list; server resource-added MtlsApi
}
