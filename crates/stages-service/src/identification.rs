//! The identification stage: `authentik_server::identification::IdentificationApi`.

use crate::listing::ListQuery;
use crate::{flow_set, name_taken, used_by, StagesService};
use authentik_models::support::Maybe;
use authentik_models::{
    IdentificationStage, IdentificationStageRequest, PaginatedIdentificationStageList,
    PatchedIdentificationStageRequest, UserFieldsEnum,
};
use authentik_server::identification::*;
use authentik_server::ApiError;
use serde_json::Value;
use uuid::Uuid;

const KIND: &str = "identification";

/// A full update is a patch that names every required field.
fn as_patch(body: IdentificationStageRequest) -> PatchedIdentificationStageRequest {
    PatchedIdentificationStageRequest {
        name: Some(body.name),
        flow_set: body.flow_set,
        user_fields: body.user_fields,
        password_stage: body.password_stage,
        case_insensitive_matching: body.case_insensitive_matching,
        show_matched_user: body.show_matched_user,
        enrollment_flow: body.enrollment_flow,
        recovery_flow: body.recovery_flow,
        passwordless_flow: body.passwordless_flow,
        sources: body.sources,
        show_source_labels: body.show_source_labels,
        pretend_user_exists: body.pretend_user_exists,
    }
}

/// Sets what is given; for a nullable reference, absent leaves it, `null` clears it.
fn set_reference(field: &mut Maybe<Uuid>, patch: Maybe<Uuid>) {
    match patch {
        Maybe::Absent => {}
        Maybe::Null => *field = Maybe::Null,
        Maybe::Value(v) => *field = Maybe::Value(v),
    }
}

fn apply(
    stage: &mut IdentificationStage,
    _secret: &mut Option<String>,
    patch: PatchedIdentificationStageRequest,
) {
    if let Some(v) = patch.name {
        stage.name = v;
    }
    if let Some(v) = patch.flow_set {
        stage.flow_set = Some(flow_set(v));
    }
    if let Some(v) = patch.user_fields {
        stage.user_fields = Some(v);
    }
    set_reference(&mut stage.password_stage, patch.password_stage);
    set_reference(&mut stage.enrollment_flow, patch.enrollment_flow);
    set_reference(&mut stage.recovery_flow, patch.recovery_flow);
    set_reference(&mut stage.passwordless_flow, patch.passwordless_flow);
    if let Some(v) = patch.case_insensitive_matching {
        stage.case_insensitive_matching = Some(v);
    }
    if let Some(v) = patch.show_matched_user {
        stage.show_matched_user = Some(v);
    }
    if let Some(v) = patch.sources {
        stage.sources = Some(v);
    }
    if let Some(v) = patch.show_source_labels {
        stage.show_source_labels = Some(v);
    }
    if let Some(v) = patch.pretend_user_exists {
        stage.pretend_user_exists = Some(v);
    }
}

fn uuid_filter(v: Option<Uuid>) -> Option<Value> {
    v.map(|u| Value::from(u.to_string()))
}

impl IdentificationApi for StagesService {
    async fn stages_identification_list(
        &self,
        _: &(),
        request: StagesIdentificationListRequest,
    ) -> Result<StagesIdentificationListResponse, ApiError> {
        let q = request.query;
        let (results, pagination) = self
            .list_stages(
                KIND,
                ListQuery {
                    filters: vec![
                        ("name", q.name.map(Value::from)),
                        (
                            "case_insensitive_matching",
                            q.case_insensitive_matching.map(Value::from),
                        ),
                        ("show_matched_user", q.show_matched_user.map(Value::from)),
                        ("show_source_labels", q.show_source_labels.map(Value::from)),
                        ("password_stage", uuid_filter(q.password_stage)),
                        ("enrollment_flow", uuid_filter(q.enrollment_flow)),
                        ("recovery_flow", uuid_filter(q.recovery_flow)),
                        ("passwordless_flow", uuid_filter(q.passwordless_flow)),
                    ],
                    search: q.search.as_deref(),
                    search_fields: &["name"],
                    ordering: q.ordering.as_deref(),
                    ordering_fields: &["name"],
                    page: q.page,
                    page_size: q.page_size,
                },
            )
            .await?;
        Ok(StagesIdentificationListResponse::Ok(
            PaginatedIdentificationStageList {
                pagination,
                results,
            },
        ))
    }

    async fn stages_identification_create(
        &self,
        _: &(),
        request: StagesIdentificationCreateRequest,
    ) -> Result<StagesIdentificationCreateResponse, ApiError> {
        let pk = Uuid::new_v4();
        let mut stage = IdentificationStage {
            pk,
            name: String::new(),
            component: "ak-stage-identification-form".to_owned(),
            verbose_name: "Identification Stage".to_owned(),
            verbose_name_plural: "Identification Stages".to_owned(),
            meta_model_name: "authentik_stages_identification.identificationstage".to_owned(),
            flow_set: Some(Vec::new()),
            user_fields: Some(vec![UserFieldsEnum::Email, UserFieldsEnum::Username]),
            password_stage: Maybe::Null,
            case_insensitive_matching: Some(true),
            show_matched_user: Some(true),
            enrollment_flow: Maybe::Null,
            recovery_flow: Maybe::Null,
            passwordless_flow: Maybe::Null,
            sources: Some(Vec::new()),
            show_source_labels: Some(false),
            pretend_user_exists: Some(true),
        };
        apply(&mut stage, &mut None, as_patch(request.body));
        Ok(match self.create_stage(KIND, pk, &stage, None).await? {
            true => StagesIdentificationCreateResponse::Created(stage),
            false => StagesIdentificationCreateResponse::BadRequest(name_taken()),
        })
    }

    async fn stages_identification_retrieve(
        &self,
        _: &(),
        request: StagesIdentificationRetrieveRequest,
    ) -> Result<StagesIdentificationRetrieveResponse, ApiError> {
        Ok(StagesIdentificationRetrieveResponse::Ok(
            self.retrieve_stage(KIND, request.stage_uuid).await?,
        ))
    }

    async fn stages_identification_update(
        &self,
        _: &(),
        request: StagesIdentificationUpdateRequest,
    ) -> Result<StagesIdentificationUpdateResponse, ApiError> {
        Ok(
            match self
                .patch_stage(KIND, request.stage_uuid, as_patch(request.body), apply)
                .await?
            {
                Some(stage) => StagesIdentificationUpdateResponse::Ok(stage),
                None => StagesIdentificationUpdateResponse::BadRequest(name_taken()),
            },
        )
    }

    async fn stages_identification_partial_update(
        &self,
        _: &(),
        request: StagesIdentificationPartialUpdateRequest,
    ) -> Result<StagesIdentificationPartialUpdateResponse, ApiError> {
        let patch = request.body.unwrap_or_default();
        Ok(
            match self
                .patch_stage(KIND, request.stage_uuid, patch, apply)
                .await?
            {
                Some(stage) => StagesIdentificationPartialUpdateResponse::Ok(stage),
                None => StagesIdentificationPartialUpdateResponse::BadRequest(name_taken()),
            },
        )
    }

    async fn stages_identification_destroy(
        &self,
        _: &(),
        request: StagesIdentificationDestroyRequest,
    ) -> Result<StagesIdentificationDestroyResponse, ApiError> {
        self.destroy_stage(KIND, request.stage_uuid).await?;
        Ok(StagesIdentificationDestroyResponse::NoContent)
    }

    async fn stages_identification_used_by_list(
        &self,
        _: &(),
        request: StagesIdentificationUsedByListRequest,
    ) -> Result<StagesIdentificationUsedByListResponse, ApiError> {
        Ok(StagesIdentificationUsedByListResponse::Ok(
            used_by(&self.store, KIND, request.stage_uuid).await?,
        ))
    }
}
