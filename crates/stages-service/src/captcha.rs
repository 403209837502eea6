//! The captcha stage: `authentik_server::captcha::CaptchaApi`.

use crate::listing::ListQuery;
use crate::store::Columns;
use crate::{flow_set, used_by, StagesService, Stored};
use authentik_models::{
    field, CaptchaStage, CaptchaStageRequest, PaginatedCaptchaStageList, PatchedCaptchaStageRequest,
};
use authentik_server::captcha::*;
use authentik_server::ApiError;
use rusqlite::types::Value as SqlValue;
use uuid::Uuid;

const KIND: &str = "captcha";
const DEFAULT_JS_URL: &str = "https://www.recaptcha.net/recaptcha/api.js";
const DEFAULT_API_URL: &str = "https://www.recaptcha.net/recaptcha/api/siteverify";
/// What `ordering` may name: the serializer's fields backed by a model column, as DRF allows when
/// a viewset sets no `ordering_fields`.
const ORDERING_FIELDS: &[&str] = &[
    field!(CaptchaStage.name),
    field!(CaptchaStage.pk),
    field!(CaptchaStage.public_key),
    field!(CaptchaStage.js_url),
    field!(CaptchaStage.api_url),
    field!(CaptchaStage.interactive),
    field!(CaptchaStage.score_min_threshold),
    field!(CaptchaStage.score_max_threshold),
    field!(CaptchaStage.error_on_invalid_score),
];

impl Stored for CaptchaStage {
    fn name(&self) -> &str {
        &self.name
    }

    fn columns(&self) -> Columns {
        Columns {
            public_key: Some(self.public_key.clone()),
            ..Columns::default()
        }
    }
}

/// A full update is a patch that names every required field.
fn as_patch(body: CaptchaStageRequest) -> PatchedCaptchaStageRequest {
    PatchedCaptchaStageRequest {
        name: Some(body.name),
        flow_set: body.flow_set,
        public_key: Some(body.public_key),
        private_key: Some(body.private_key),
        js_url: body.js_url,
        api_url: body.api_url,
        interactive: body.interactive,
        score_min_threshold: body.score_min_threshold,
        score_max_threshold: body.score_max_threshold,
        error_on_invalid_score: body.error_on_invalid_score,
    }
}

/// Applies the fields a patch names; the secret goes to its own column, never to the document.
fn apply(stage: &mut CaptchaStage, secret: &mut Option<String>, patch: PatchedCaptchaStageRequest) {
    if let Some(v) = patch.name {
        stage.name = v;
    }
    if let Some(v) = patch.flow_set {
        stage.flow_set = Some(flow_set(v));
    }
    if let Some(v) = patch.public_key {
        stage.public_key = v;
    }
    if let Some(v) = patch.private_key {
        *secret = Some(v);
    }
    if let Some(v) = patch.js_url {
        stage.js_url = Some(v);
    }
    if let Some(v) = patch.api_url {
        stage.api_url = Some(v);
    }
    if let Some(v) = patch.interactive {
        stage.interactive = Some(v);
    }
    if let Some(v) = patch.score_min_threshold {
        stage.score_min_threshold = Some(v);
    }
    if let Some(v) = patch.score_max_threshold {
        stage.score_max_threshold = Some(v);
    }
    if let Some(v) = patch.error_on_invalid_score {
        stage.error_on_invalid_score = Some(v);
    }
}

impl CaptchaApi for StagesService {
    async fn stages_captcha_list(
        &self,
        _: &(),
        request: StagesCaptchaListRequest,
    ) -> Result<StagesCaptchaListResponse, ApiError> {
        let q = request.query;
        let listed = self
            .list_stages(
                KIND,
                ListQuery {
                    filters: vec![
                        (field!(CaptchaStage.name), q.name.map(SqlValue::Text)),
                        (
                            field!(CaptchaStage.public_key),
                            q.public_key.map(SqlValue::Text),
                        ),
                    ],
                    search: q.search.as_deref(),
                    ordering: q.ordering.as_deref(),
                    ordering_fields: ORDERING_FIELDS,
                },
                (q.page, q.page_size),
                Vec::new(),
            )
            .await?;
        Ok(match listed {
            Ok((results, pagination)) => StagesCaptchaListResponse::Ok(PaginatedCaptchaStageList {
                pagination,
                results,
            }),
            Err(errors) => StagesCaptchaListResponse::BadRequest(errors),
        })
    }

    async fn stages_captcha_create(
        &self,
        _: &(),
        request: StagesCaptchaCreateRequest,
    ) -> Result<StagesCaptchaCreateResponse, ApiError> {
        let pk = Uuid::new_v4();
        let mut stage = CaptchaStage {
            pk,
            name: String::new(),
            component: "ak-stage-captcha-form".to_owned(),
            verbose_name: "Captcha Stage".to_owned(),
            verbose_name_plural: "Captcha Stages".to_owned(),
            meta_model_name: "authentik_stages_captcha.captchastage".to_owned(),
            flow_set: Some(Vec::new()),
            public_key: String::new(),
            js_url: Some(DEFAULT_JS_URL.to_owned()),
            api_url: Some(DEFAULT_API_URL.to_owned()),
            interactive: Some(false),
            score_min_threshold: Some(0.5),
            score_max_threshold: Some(1.0),
            error_on_invalid_score: Some(true),
        };
        let mut secret = None;
        apply(&mut stage, &mut secret, as_patch(request.body));
        Ok(
            match self
                .create_stage(KIND, pk, &stage, secret, Vec::new())
                .await?
            {
                Ok(()) => StagesCaptchaCreateResponse::Created(stage),
                Err(errors) => StagesCaptchaCreateResponse::BadRequest(errors),
            },
        )
    }

    async fn stages_captcha_retrieve(
        &self,
        _: &(),
        request: StagesCaptchaRetrieveRequest,
    ) -> Result<StagesCaptchaRetrieveResponse, ApiError> {
        Ok(StagesCaptchaRetrieveResponse::Ok(
            self.retrieve_stage(KIND, request.stage_uuid).await?,
        ))
    }

    async fn stages_captcha_update(
        &self,
        _: &(),
        request: StagesCaptchaUpdateRequest,
    ) -> Result<StagesCaptchaUpdateResponse, ApiError> {
        Ok(
            match self
                .patch_stage(
                    KIND,
                    request.stage_uuid,
                    as_patch(request.body),
                    Vec::new(),
                    apply,
                )
                .await?
            {
                Ok(stage) => StagesCaptchaUpdateResponse::Ok(stage),
                Err(errors) => StagesCaptchaUpdateResponse::BadRequest(errors),
            },
        )
    }

    async fn stages_captcha_partial_update(
        &self,
        _: &(),
        request: StagesCaptchaPartialUpdateRequest,
    ) -> Result<StagesCaptchaPartialUpdateResponse, ApiError> {
        Ok(
            match self
                .patch_stage(
                    KIND,
                    request.stage_uuid,
                    request.body.unwrap_or_default(),
                    Vec::new(),
                    apply,
                )
                .await?
            {
                Ok(stage) => StagesCaptchaPartialUpdateResponse::Ok(stage),
                Err(errors) => StagesCaptchaPartialUpdateResponse::BadRequest(errors),
            },
        )
    }

    async fn stages_captcha_destroy(
        &self,
        _: &(),
        request: StagesCaptchaDestroyRequest,
    ) -> Result<StagesCaptchaDestroyResponse, ApiError> {
        self.destroy_stage(KIND, request.stage_uuid).await?;
        Ok(StagesCaptchaDestroyResponse::NoContent)
    }

    /// authentik looks the stage up before it reads a request to it: an unknown stage answers
    /// 404 even when the body is wrong too.
    async fn object_exists(
        &self,
        _: Option<&()>,
        _: &'static str,
        key: &Uuid,
    ) -> Result<bool, ApiError> {
        self.stage_exists(KIND, *key).await
    }

    async fn stages_captcha_used_by_list(
        &self,
        _: &(),
        request: StagesCaptchaUsedByListRequest,
    ) -> Result<StagesCaptchaUsedByListResponse, ApiError> {
        Ok(StagesCaptchaUsedByListResponse::Ok(
            used_by(&self.store, KIND, request.stage_uuid).await?,
        ))
    }
}
