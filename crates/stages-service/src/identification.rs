//! The identification stage: `authentik_server::identification::IdentificationApi`.

use crate::listing::ListQuery;
use crate::store::Columns;
use crate::{flow_set, used_by, Named, StagesService, Stored};
use authentik_models::support::Maybe;
use authentik_models::{
    field, IdentificationStage, IdentificationStageRequest, PaginatedIdentificationStageList,
    PatchedIdentificationStageRequest, UserFieldsEnum,
};
use authentik_server::identification::*;
use authentik_server::ApiError;
use rusqlite::types::Value as SqlValue;
use uuid::Uuid;

const KIND: &str = "identification";
/// What `ordering` may name: the serializer's fields backed by a model column, as DRF allows when
/// a viewset sets no `ordering_fields`.
const ORDERING_FIELDS: &[&str] = &[
    field!(IdentificationStage.name),
    field!(IdentificationStage.pk),
    field!(IdentificationStage.password_stage),
    field!(IdentificationStage.case_insensitive_matching),
    field!(IdentificationStage.show_matched_user),
    field!(IdentificationStage.enrollment_flow),
    field!(IdentificationStage.recovery_flow),
    field!(IdentificationStage.passwordless_flow),
    field!(IdentificationStage.show_source_labels),
    field!(IdentificationStage.pretend_user_exists),
];

impl Stored for IdentificationStage {
    fn name(&self) -> &str {
        &self.name
    }

    fn columns(&self) -> Columns {
        let pk = |reference: &Maybe<Uuid>| match reference {
            Maybe::Value(pk) => Some(pk.to_string()),
            Maybe::Absent | Maybe::Null => None,
        };
        Columns {
            public_key: None,
            password_stage: pk(&self.password_stage),
            enrollment_flow: pk(&self.enrollment_flow),
            recovery_flow: pk(&self.recovery_flow),
            passwordless_flow: pk(&self.passwordless_flow),
            case_insensitive_matching: self.case_insensitive_matching,
            show_matched_user: self.show_matched_user,
            show_source_labels: self.show_source_labels,
        }
    }
}

/// The objects a request references: each must exist.
fn references(patch: &PatchedIdentificationStageRequest) -> Vec<Named> {
    let mut named = Vec::new();
    for (field, value) in [
        (
            field!(PatchedIdentificationStageRequest.password_stage),
            &patch.password_stage,
        ),
        (
            field!(PatchedIdentificationStageRequest.enrollment_flow),
            &patch.enrollment_flow,
        ),
        (
            field!(PatchedIdentificationStageRequest.recovery_flow),
            &patch.recovery_flow,
        ),
        (
            field!(PatchedIdentificationStageRequest.passwordless_flow),
            &patch.passwordless_flow,
        ),
    ] {
        if let Maybe::Value(pk) = value {
            named.push(Named::new(field, vec![*pk]));
        }
    }
    if let Some(sources) = &patch.sources {
        named.push(Named::new(
            field!(PatchedIdentificationStageRequest.sources),
            sources.clone(),
        ));
    }
    named
}

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

fn uuid_filter(v: Option<Uuid>) -> Option<SqlValue> {
    v.map(|u| SqlValue::Text(u.to_string()))
}

fn bool_filter(v: Option<bool>) -> Option<SqlValue> {
    v.map(|b| SqlValue::Integer(i64::from(b)))
}

impl IdentificationApi for StagesService {
    async fn stages_identification_list(
        &self,
        _: &(),
        request: StagesIdentificationListRequest,
    ) -> Result<StagesIdentificationListResponse, ApiError> {
        let q = request.query;
        let filter_references = [
            (
                field!(StagesIdentificationListQuery.password_stage),
                q.password_stage,
            ),
            (
                field!(StagesIdentificationListQuery.enrollment_flow),
                q.enrollment_flow,
            ),
            (
                field!(StagesIdentificationListQuery.recovery_flow),
                q.recovery_flow,
            ),
            (
                field!(StagesIdentificationListQuery.passwordless_flow),
                q.passwordless_flow,
            ),
        ]
        .into_iter()
        .filter_map(|(field, pk)| pk.map(|pk| Named::new(field, vec![pk])))
        .collect();
        let listed = self
            .list_stages(
                KIND,
                ListQuery {
                    filters: vec![
                        (field!(IdentificationStage.name), q.name.map(SqlValue::Text)),
                        (
                            field!(IdentificationStage.case_insensitive_matching),
                            bool_filter(q.case_insensitive_matching),
                        ),
                        (
                            field!(IdentificationStage.show_matched_user),
                            bool_filter(q.show_matched_user),
                        ),
                        (
                            field!(IdentificationStage.show_source_labels),
                            bool_filter(q.show_source_labels),
                        ),
                        (
                            field!(IdentificationStage.password_stage),
                            uuid_filter(q.password_stage),
                        ),
                        (
                            field!(IdentificationStage.enrollment_flow),
                            uuid_filter(q.enrollment_flow),
                        ),
                        (
                            field!(IdentificationStage.recovery_flow),
                            uuid_filter(q.recovery_flow),
                        ),
                        (
                            field!(IdentificationStage.passwordless_flow),
                            uuid_filter(q.passwordless_flow),
                        ),
                    ],
                    search: q.search.as_deref(),
                    ordering: q.ordering.as_deref(),
                    ordering_fields: ORDERING_FIELDS,
                },
                (q.page, q.page_size),
                filter_references,
            )
            .await?;
        Ok(match listed {
            Ok((results, pagination)) => {
                StagesIdentificationListResponse::Ok(PaginatedIdentificationStageList {
                    pagination,
                    results,
                })
            }
            Err(errors) => StagesIdentificationListResponse::BadRequest(errors),
        })
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
        let patch = as_patch(request.body);
        let named = references(&patch);
        apply(&mut stage, &mut None, patch);
        Ok(
            match self.create_stage(KIND, pk, &stage, None, named).await? {
                Ok(()) => StagesIdentificationCreateResponse::Created(stage),
                Err(errors) => StagesIdentificationCreateResponse::BadRequest(errors),
            },
        )
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
        let patch = as_patch(request.body);
        let named = references(&patch);
        Ok(
            match self
                .patch_stage(KIND, request.stage_uuid, patch, named, apply)
                .await?
            {
                Ok(stage) => StagesIdentificationUpdateResponse::Ok(stage),
                Err(errors) => StagesIdentificationUpdateResponse::BadRequest(errors),
            },
        )
    }

    async fn stages_identification_partial_update(
        &self,
        _: &(),
        request: StagesIdentificationPartialUpdateRequest,
    ) -> Result<StagesIdentificationPartialUpdateResponse, ApiError> {
        let patch = request.body.unwrap_or_default();
        let named = references(&patch);
        Ok(
            match self
                .patch_stage(KIND, request.stage_uuid, patch, named, apply)
                .await?
            {
                Ok(stage) => StagesIdentificationPartialUpdateResponse::Ok(stage),
                Err(errors) => StagesIdentificationPartialUpdateResponse::BadRequest(errors),
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
