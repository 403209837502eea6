//! The identification stage, described; `authentik_server::identification::IdentificationApi`
//! served from it.

use crate::handling::serve_stage_kind;
use crate::kind::{flag, pk, Column, StageKind};
use crate::listing::{Filter, ListQuery, PageRequest};
use crate::patching::{flow_set, set, set_maybe, set_some};
use crate::references::{Reference, Referenced, Target};
use crate::StagesService;
use authentik_models::support::Maybe;
use authentik_models::{
    field, IdentificationStage, IdentificationStageRequest, PaginatedIdentificationStageList,
    Pagination, PatchedIdentificationStageRequest, UserFieldsEnum,
};
use authentik_server::identification::*;
use authentik_server::{RouterConfig, Routes};
use std::sync::Arc;
use uuid::Uuid;

pub(crate) struct Identification;

/// The fields every stage has, which the shared handling names ([`crate::NAME`], [`crate::PK`]).
const _: [&str; 3] = [
    field!(IdentificationStage.name),
    field!(IdentificationStage.pk),
    field!(IdentificationStageRequest.name),
];

impl StageKind for Identification {
    const KIND: &'static str = "identification";
    type Model = IdentificationStage;
    type Request = IdentificationStageRequest;
    type Patch = PatchedIdentificationStageRequest;
    type Query = StagesIdentificationListQuery;
    type Page = PaginatedIdentificationStageList;

    const ORDERING_FIELDS: &'static [&'static str] = &[
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
    const COLUMNS: &'static [Column<IdentificationStage>] = &[
        Column {
            name: field!(IdentificationStage.password_stage),
            value: |s| pk(&s.password_stage),
        },
        Column {
            name: field!(IdentificationStage.enrollment_flow),
            value: |s| pk(&s.enrollment_flow),
        },
        Column {
            name: field!(IdentificationStage.recovery_flow),
            value: |s| pk(&s.recovery_flow),
        },
        Column {
            name: field!(IdentificationStage.passwordless_flow),
            value: |s| pk(&s.passwordless_flow),
        },
        Column {
            name: field!(IdentificationStage.case_insensitive_matching),
            value: |s| flag(s.case_insensitive_matching),
        },
        Column {
            name: field!(IdentificationStage.show_matched_user),
            value: |s| flag(s.show_matched_user),
        },
        Column {
            name: field!(IdentificationStage.show_source_labels),
            value: |s| flag(s.show_source_labels),
        },
    ];
    const REFERENCES: &'static [Reference] = &[
        Reference {
            field: field!(IdentificationStage.password_stage),
            target: Target::Stage("password"),
        },
        Reference {
            field: field!(IdentificationStage.enrollment_flow),
            target: Target::Flow,
        },
        Reference {
            field: field!(IdentificationStage.recovery_flow),
            target: Target::Flow,
        },
        Reference {
            field: field!(IdentificationStage.passwordless_flow),
            target: Target::Flow,
        },
        Reference {
            field: field!(IdentificationStage.sources),
            target: Target::Source,
        },
    ];

    fn new_stage(pk: Uuid) -> IdentificationStage {
        IdentificationStage {
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
        }
    }

    fn name(stage: &IdentificationStage) -> &str {
        &stage.name
    }

    fn full_patch(body: IdentificationStageRequest) -> PatchedIdentificationStageRequest {
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

    fn apply(stage: &mut IdentificationStage, _secret: &mut Option<String>, patch: Self::Patch) {
        set(&mut stage.name, patch.name);
        set_some(&mut stage.flow_set, patch.flow_set.map(flow_set));
        set_some(&mut stage.user_fields, patch.user_fields);
        set_maybe(&mut stage.password_stage, patch.password_stage);
        set_maybe(&mut stage.enrollment_flow, patch.enrollment_flow);
        set_maybe(&mut stage.recovery_flow, patch.recovery_flow);
        set_maybe(&mut stage.passwordless_flow, patch.passwordless_flow);
        set_some(
            &mut stage.case_insensitive_matching,
            patch.case_insensitive_matching,
        );
        set_some(&mut stage.show_matched_user, patch.show_matched_user);
        set_some(&mut stage.sources, patch.sources);
        set_some(&mut stage.show_source_labels, patch.show_source_labels);
        set_some(&mut stage.pretend_user_exists, patch.pretend_user_exists);
    }

    fn referenced(patch: &PatchedIdentificationStageRequest) -> Vec<Referenced> {
        type P = PatchedIdentificationStageRequest;
        [
            Referenced::one(field!(P.password_stage), &patch.password_stage),
            Referenced::one(field!(P.enrollment_flow), &patch.enrollment_flow),
            Referenced::one(field!(P.recovery_flow), &patch.recovery_flow),
            Referenced::one(field!(P.passwordless_flow), &patch.passwordless_flow),
            Referenced::many(field!(P.sources), &patch.sources),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    fn list_query(q: StagesIdentificationListQuery) -> ListQuery {
        type S = IdentificationStage;
        ListQuery {
            filters: vec![
                Filter::text(field!(S.name), q.name),
                Filter::flag(
                    field!(S.case_insensitive_matching),
                    q.case_insensitive_matching,
                ),
                Filter::flag(field!(S.show_matched_user), q.show_matched_user),
                Filter::flag(field!(S.show_source_labels), q.show_source_labels),
                Filter::pk(field!(S.password_stage), q.password_stage),
                Filter::pk(field!(S.enrollment_flow), q.enrollment_flow),
                Filter::pk(field!(S.recovery_flow), q.recovery_flow),
                Filter::pk(field!(S.passwordless_flow), q.passwordless_flow),
            ],
            search: q.search,
            ordering: q.ordering,
            page: PageRequest {
                number: q.page,
                size: q.page_size,
            },
        }
    }

    fn page(
        pagination: Pagination,
        results: Vec<IdentificationStage>,
    ) -> PaginatedIdentificationStageList {
        PaginatedIdentificationStageList {
            pagination,
            results,
        }
    }

    fn routes(service: Arc<StagesService>, config: RouterConfig) -> Routes {
        authentik_server::identification::routes(service, config)
    }
}

serve_stage_kind! {
    Identification => IdentificationApi {
        list: stages_identification_list(StagesIdentificationListRequest)
            -> StagesIdentificationListResponse,
        create: stages_identification_create(StagesIdentificationCreateRequest)
            -> StagesIdentificationCreateResponse,
        retrieve: stages_identification_retrieve(StagesIdentificationRetrieveRequest)
            -> StagesIdentificationRetrieveResponse,
        update: stages_identification_update(StagesIdentificationUpdateRequest)
            -> StagesIdentificationUpdateResponse,
        partial_update: stages_identification_partial_update(StagesIdentificationPartialUpdateRequest)
            -> StagesIdentificationPartialUpdateResponse,
        destroy: stages_identification_destroy(StagesIdentificationDestroyRequest)
            -> StagesIdentificationDestroyResponse,
        used_by: stages_identification_used_by_list(StagesIdentificationUsedByListRequest)
            -> StagesIdentificationUsedByListResponse,
    }
}
