//! The captcha stage, described; `authentik_server::captcha::CaptchaApi` served from it.

use crate::handling::serve_stage_kind;
use crate::kind::{text, Column, StageKind};
use crate::listing::{Filter, ListQuery, PageRequest};
use crate::patching::{flow_set, set, set_some};
use crate::StagesService;
use authentik_models::{
    field, CaptchaStage, CaptchaStageRequest, PaginatedCaptchaStageList, Pagination,
    PatchedCaptchaStageRequest,
};
use authentik_server::captcha::*;
use authentik_server::{RouterConfig, Routes};
use std::sync::Arc;
use uuid::Uuid;

pub(crate) struct Captcha;

const DEFAULT_JS_URL: &str = "https://www.recaptcha.net/recaptcha/api.js";
const DEFAULT_API_URL: &str = "https://www.recaptcha.net/recaptcha/api/siteverify";

/// The fields every stage has, which the shared handling names ([`crate::NAME`], [`crate::PK`]).
const _: [&str; 3] = [
    field!(CaptchaStage.name),
    field!(CaptchaStage.pk),
    field!(CaptchaStageRequest.name),
];

impl StageKind for Captcha {
    const KIND: &'static str = "captcha";
    type Model = CaptchaStage;
    type Request = CaptchaStageRequest;
    type Patch = PatchedCaptchaStageRequest;
    type Query = StagesCaptchaListQuery;
    type Page = PaginatedCaptchaStageList;

    const ORDERING_FIELDS: &'static [&'static str] = &[
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
    const COLUMNS: &'static [Column<CaptchaStage>] = &[Column {
        name: field!(CaptchaStage.public_key),
        value: |s| text(&s.public_key),
    }];

    fn new_stage(pk: Uuid) -> CaptchaStage {
        CaptchaStage {
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
        }
    }

    fn name(stage: &CaptchaStage) -> &str {
        &stage.name
    }

    fn full_patch(body: CaptchaStageRequest) -> PatchedCaptchaStageRequest {
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

    fn apply(stage: &mut CaptchaStage, secret: &mut Option<String>, patch: Self::Patch) {
        set(&mut stage.name, patch.name);
        set_some(&mut stage.flow_set, patch.flow_set.map(flow_set));
        set(&mut stage.public_key, patch.public_key);
        // Write-only: kept in the store's secret column, never in the document.
        set_some(secret, patch.private_key);
        set_some(&mut stage.js_url, patch.js_url);
        set_some(&mut stage.api_url, patch.api_url);
        set_some(&mut stage.interactive, patch.interactive);
        set_some(&mut stage.score_min_threshold, patch.score_min_threshold);
        set_some(&mut stage.score_max_threshold, patch.score_max_threshold);
        set_some(
            &mut stage.error_on_invalid_score,
            patch.error_on_invalid_score,
        );
    }

    fn list_query(q: StagesCaptchaListQuery) -> ListQuery {
        ListQuery {
            filters: vec![
                Filter::text(field!(CaptchaStage.name), q.name),
                Filter::text(field!(CaptchaStage.public_key), q.public_key),
            ],
            search: q.search,
            ordering: q.ordering,
            page: PageRequest {
                number: q.page,
                size: q.page_size,
            },
        }
    }

    fn page(pagination: Pagination, results: Vec<CaptchaStage>) -> PaginatedCaptchaStageList {
        PaginatedCaptchaStageList {
            pagination,
            results,
        }
    }

    fn routes(service: Arc<StagesService>, config: RouterConfig) -> Routes {
        authentik_server::captcha::routes(service, config)
    }
}

serve_stage_kind! {
    Captcha => CaptchaApi {
        list: stages_captcha_list(StagesCaptchaListRequest)
            -> StagesCaptchaListResponse,
        create: stages_captcha_create(StagesCaptchaCreateRequest)
            -> StagesCaptchaCreateResponse,
        retrieve: stages_captcha_retrieve(StagesCaptchaRetrieveRequest)
            -> StagesCaptchaRetrieveResponse,
        update: stages_captcha_update(StagesCaptchaUpdateRequest)
            -> StagesCaptchaUpdateResponse,
        partial_update: stages_captcha_partial_update(StagesCaptchaPartialUpdateRequest)
            -> StagesCaptchaPartialUpdateResponse,
        destroy: stages_captcha_destroy(StagesCaptchaDestroyRequest)
            -> StagesCaptchaDestroyResponse,
        used_by: stages_captcha_used_by_list(StagesCaptchaUsedByListRequest)
            -> StagesCaptchaUsedByListResponse,
    }
}
