//! What a kind's [`crate::kind::StageKind::apply`] is made of: a patch's field set on the
//! stage's, as DRF's partial update sets it (a field left out is left as it is).

use authentik_models::support::Maybe;
use authentik_models::{
    DeniedActionEnum, FlowLayoutEnum, FlowSet, FlowSetRequest, PolicyEngineMode,
};
use uuid::Uuid;

/// A required field, when the patch gives it.
pub(crate) fn set<T>(field: &mut T, patch: Option<T>) {
    if let Some(value) = patch {
        *field = value;
    }
}

/// An optional field, when the patch gives it.
pub(crate) fn set_some<T>(field: &mut Option<T>, patch: Option<T>) {
    if patch.is_some() {
        *field = patch;
    }
}

/// A nullable field: absent leaves it, `null` clears it, a value sets it.
pub(crate) fn set_maybe<T>(field: &mut Maybe<T>, patch: Maybe<T>) {
    if !matches!(patch, Maybe::Absent) {
        *field = patch;
    }
}

/// The flows a stage request names, as the stage returns them.
pub(crate) fn flow_set(requests: Vec<FlowSetRequest>) -> Vec<FlowSet> {
    requests
        .into_iter()
        .map(|f| {
            let pk = Uuid::new_v4();
            FlowSet {
                pk,
                policybindingmodel_ptr_id: pk,
                export_url: format!("/api/v3/flows/instances/{}/export/", f.slug),
                name: f.name,
                slug: f.slug,
                title: f.title,
                designation: f.designation,
                background: "/static/dist/assets/images/flow_background.jpg".to_owned(),
                policy_engine_mode: Some(f.policy_engine_mode.unwrap_or(PolicyEngineMode::Any)),
                compatibility_mode: Some(f.compatibility_mode.unwrap_or(false)),
                layout: Some(f.layout.unwrap_or(FlowLayoutEnum::Stacked)),
                denied_action: Some(f.denied_action.unwrap_or(DeniedActionEnum::MessageContinue)),
            }
        })
        .collect()
}
