//! A local double of authentik's captcha and identification stages API.
//!
//! [`StagesService`] implements the generated server traits (`authentik_server::captcha::CaptchaApi`,
//! `authentik_server::identification::IdentificationApi`) on a SQLite [`store::Store`]; the
//! generated router does all routing, authentication, parsing and validation. [`app`] puts the
//! two together.
//!
//! What the router cannot know, the service checks against the store, as authentik's serializers
//! do: unique names, and references (`password_stage`, the flows, `sources`) that must name an
//! object the store holds (its stages, and the flows, stages and sources seeded from a fixtures
//! file, [`store::Fixtures`]).

pub mod listing;
pub mod store;

mod captcha;
mod identification;

use authentik_models::support::ValidationErrors;
use authentik_models::{
    field, CaptchaStage, CaptchaStageRequest, FlowSet, FlowSetRequest, IdentificationStage,
    IdentificationStageRequest, PatchedIdentificationStageRequest, UsedBy, UsedByActionEnum,
    ValidationError,
};
use authentik_server::{ApiError, AuthError, Authenticate, RouterConfig, Routes};
use rusqlite::Connection;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::sync::Arc;
use store::{Store, StoreError};
use uuid::Uuid;

/// The service: a store and the one bearer token it accepts.
pub struct StagesService {
    store: Store,
    token: String,
}

impl StagesService {
    pub fn new(store: Store, token: impl Into<String>) -> Self {
        StagesService {
            store,
            token: token.into(),
        }
    }
}

/// The whole HTTP application: each resource this service implements, mounted with its
/// generated routes. A resource a newer schema adds compiles untouched and answers 404 until
/// the service implements and mounts it.
pub fn app(service: StagesService, config: RouterConfig) -> axum::Router {
    let service = Arc::new(service);
    Routes::new()
        .merge(authentik_server::captcha::routes(
            Arc::clone(&service),
            config.clone(),
        ))
        .merge(authentik_server::identification::routes(service, config))
        .into_router()
}

/// Serves [`app`] on a free loopback port, in the background of the current tokio runtime, and
/// answers its API root (`http://127.0.0.1:<port>/api/v3`): for tests of code that calls the API.
/// It is served as the binary serves it (`authentik_server::serve_with_shutdown`, with the
/// default header and body timeouts), but no signal stops it: it runs as long as the runtime.
///
/// # Errors
///
/// When no loopback port can be bound.
pub async fn serve_on_loopback(
    service: StagesService,
    config: RouterConfig,
) -> std::io::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let router = app(service, config);
    tokio::spawn(async move {
        let serving = authentik_server::ServeConfig::default();
        let never = std::future::pending();
        if let Err(e) =
            authentik_server::serve_with_shutdown(listener, router, serving, never).await
        {
            tracing::error!(error = %e, "the loopback server stopped");
        }
    });
    Ok(format!("http://{addr}/api/v3"))
}

impl Authenticate for StagesService {
    /// One token, one (anonymous) principal.
    type Principal = ();

    async fn authenticate(&self, token: &str) -> Result<(), AuthError> {
        // Compare without an early exit, so timing does not tell how much of a guess was right.
        let (a, b) = (token.as_bytes(), self.token.as_bytes());
        let same =
            a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0;
        if same {
            Ok(())
        } else {
            Err(AuthError::InvalidToken)
        }
    }
}

/// What a reference field points at.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Target {
    /// A stage of this kind (authentik's `password_stage` is a foreign key to `PasswordStage`).
    Stage(&'static str),
    /// A flow from the fixtures.
    Flow,
    /// A source from the fixtures.
    Source,
}

/// The fields every stage has (authentik's `StageSerializer`), which the store keeps in columns
/// of their own and a taken name is reported on. Every field name in this crate is written with
/// `field!`, so a field the schema renames or removes stops the build at the line that names it;
/// these two are named through every stage model and request.
pub(crate) const NAME: &str = field!(CaptchaStage.name);
pub(crate) const PK: &str = field!(CaptchaStage.pk);
const _: [&str; 4] = [
    field!(IdentificationStage.name),
    field!(IdentificationStage.pk),
    field!(CaptchaStageRequest.name),
    field!(IdentificationStageRequest.name),
];

/// Every reference field of a stage document; identification stages hold them all (in their
/// requests too, where a reference that names nothing is reported).
const REFERENCE_FIELDS: &[(&str, Target)] = &[
    (
        field!(IdentificationStage.password_stage),
        Target::Stage("password"),
    ),
    (field!(IdentificationStage.enrollment_flow), Target::Flow),
    (field!(IdentificationStage.recovery_flow), Target::Flow),
    (field!(IdentificationStage.passwordless_flow), Target::Flow),
    (field!(IdentificationStage.sources), Target::Source),
];
const _: [&str; 5] = [
    field!(PatchedIdentificationStageRequest.password_stage),
    field!(PatchedIdentificationStageRequest.enrollment_flow),
    field!(PatchedIdentificationStageRequest.recovery_flow),
    field!(PatchedIdentificationStageRequest.passwordless_flow),
    field!(PatchedIdentificationStageRequest.sources),
];

/// The pks a request names in one reference field.
pub(crate) struct Named {
    pub field: &'static str,
    pub target: Target,
    pub pks: Vec<Uuid>,
}

impl Named {
    /// The pks of `field` (one of [`REFERENCE_FIELDS`]).
    pub(crate) fn new(field: &'static str, pks: Vec<Uuid>) -> Named {
        let known = REFERENCE_FIELDS.iter().find(|(f, _)| *f == field);
        debug_assert!(known.is_some(), "{field} is not a reference field");
        // An unknown field (a bug) checks against sources: it then refuses rather than accepts.
        let target = known.map_or(Target::Source, |(_, t)| *t);
        Named { field, target, pks }
    }

    /// The first pk that names nothing the store holds.
    fn first_missing(&self, conn: &Connection) -> Result<Option<Uuid>, StoreError> {
        for pk in &self.pks {
            let exists = match self.target {
                Target::Stage(kind) => store::stage_exists(conn, kind, *pk)?,
                Target::Flow => store::referent_exists(conn, "flow", *pk)?,
                Target::Source => store::referent_exists(conn, "source", *pk)?,
            };
            if !exists {
                return Ok(Some(*pk));
            }
        }
        Ok(None)
    }
}

/// DRF's `PrimaryKeyRelatedField` (and `ManyRelatedField`, which stops at the first bad pk of
/// its list): `{"<field>": ["Invalid pk \"<pk>\" - object does not exist."]}` per field.
fn check_references(conn: &Connection, named: &[Named]) -> Result<ValidationErrors, StoreError> {
    let mut errors = ValidationErrors::new();
    for n in named {
        if let Some(pk) = n.first_missing(conn)? {
            errors.add_message(
                n.field,
                format!("Invalid pk \"{pk}\" - object does not exist."),
            );
        }
    }
    Ok(errors)
}

/// django-filter's `ModelChoiceFilter` on an unknown pk.
fn check_filter_references(
    conn: &Connection,
    named: &[Named],
) -> Result<ValidationErrors, StoreError> {
    let mut errors = ValidationErrors::new();
    for n in named {
        if n.first_missing(conn)?.is_some() {
            errors.add_message(
                n.field,
                "Select a valid choice. That choice is not one of the available choices.",
            );
        }
    }
    Ok(errors)
}

/// The reference columns that may point at a stage of `kind` (cleared when it goes).
fn columns_referencing(kind: &str) -> Vec<&'static str> {
    REFERENCE_FIELDS
        .iter()
        .filter(|(_, t)| matches!(t, Target::Stage(k) if *k == kind))
        .map(|(f, _)| *f)
        .collect()
}

fn store_error(e: StoreError) -> ApiError {
    match e {
        StoreError::NotFound => ApiError::NotFound,
        other => ApiError::internal(other),
    }
}

const NAME_TAKEN: &str = "stage with this name already exists.";

/// 400 body for a taken name, as DRF's unique validator words it.
fn name_taken() -> ValidationError {
    let mut errors = ValidationErrors::new();
    errors.add_message(NAME, NAME_TAKEN);
    validation_error(&errors)
}

fn validation_error(errors: &ValidationErrors) -> ValidationError {
    serde_json::from_value(errors.to_json()).unwrap_or(ValidationError {
        non_field_errors: None,
        code: None,
        additional_properties: Default::default(),
    })
}

fn decode<T: DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    serde_json::from_str(text).map_err(ApiError::internal)
}

fn encode<T: serde::Serialize>(value: &T) -> Result<String, ApiError> {
    serde_json::to_string(value).map_err(ApiError::internal)
}

/// The flows a stage request names, as the stage returns them.
fn flow_set(requests: Vec<FlowSetRequest>) -> Vec<FlowSet> {
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
                policy_engine_mode: Some(
                    f.policy_engine_mode
                        .unwrap_or(authentik_models::PolicyEngineMode::Any),
                ),
                compatibility_mode: Some(f.compatibility_mode.unwrap_or(false)),
                layout: Some(
                    f.layout
                        .unwrap_or(authentik_models::FlowLayoutEnum::Stacked),
                ),
                denied_action: Some(
                    f.denied_action
                        .unwrap_or(authentik_models::DeniedActionEnum::MessageContinue),
                ),
            }
        })
        .collect()
}

/// What uses the stage `uuid`: the stages that reference it.
async fn used_by(store: &Store, kind: &'static str, uuid: Uuid) -> Result<Vec<UsedBy>, ApiError> {
    let rows = store
        .read(move |conn| {
            store::get(conn, kind, uuid)?;
            let mut rows = Vec::new();
            for column in columns_referencing(kind) {
                rows.extend(store::referencing(conn, column, uuid)?);
            }
            Ok(rows)
        })
        .await
        .map_err(store_error)?;
    rows.into_iter()
        .map(|(other_kind, data)| {
            let data: Value = decode(&data)?;
            let text = |field: &str| {
                data.get(field)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            };
            Ok(UsedBy {
                app: format!("authentik_stages_{other_kind}"),
                model_name: format!("{other_kind}stage"),
                pk: text(PK),
                name: text(NAME),
                action: UsedByActionEnum::SetNull,
            })
        })
        .collect()
}

/// A stage model as the store keeps it: its name (unique across every kind) and the plain
/// columns written beside its document.
pub(crate) trait Stored {
    fn name(&self) -> &str;
    fn columns(&self) -> store::Columns;
}

/// How a list ends: a page, or a 400 for its filters.
enum Listed {
    Page(Vec<String>, listing::Plan),
    Invalid(ValidationErrors),
    InvalidPage,
}

impl StagesService {
    /// One page of a kind's stages, or the 400 for a filter that names an unknown object.
    async fn list_stages<M: DeserializeOwned>(
        &self,
        kind: &'static str,
        query: listing::ListQuery<'_>,
        page: (Option<i64>, Option<i64>),
        filter_references: Vec<Named>,
    ) -> Result<Result<(Vec<M>, authentik_models::Pagination), ValidationError>, ApiError> {
        let sql = query.sql();
        let listed = self
            .store
            .read(move |conn| {
                let errors = check_filter_references(conn, &filter_references)?;
                if !errors.is_empty() {
                    return Ok(Listed::Invalid(errors));
                }
                let selection = store::Selection {
                    kind,
                    clause: &sql.clause,
                    params: &sql.params,
                    order: &sql.order,
                };
                let count = store::count(conn, &selection)?;
                let Ok(plan) = listing::plan(page.0, page.1, count) else {
                    return Ok(Listed::InvalidPage);
                };
                let rows = store::page(conn, &selection, plan.limit, plan.offset)?;
                Ok(Listed::Page(rows, plan))
            })
            .await
            .map_err(store_error)?;
        match listed {
            Listed::Page(rows, plan) => {
                let pagination = plan.pagination(rows.len());
                let results = rows.iter().map(|r| decode(r)).collect::<Result<_, _>>()?;
                Ok(Ok((results, pagination)))
            }
            Listed::Invalid(errors) => Ok(Err(validation_error(&errors))),
            Listed::InvalidPage => Err(ApiError::InvalidPage),
        }
    }

    /// Stores a new stage, unless its references name unknown objects or its name is taken.
    async fn create_stage<M: serde::Serialize + Stored>(
        &self,
        kind: &'static str,
        pk: Uuid,
        stage: &M,
        secret: Option<String>,
        references: Vec<Named>,
    ) -> Result<Result<(), ValidationError>, ApiError> {
        let row = store::Row {
            data: encode(stage)?,
            secret,
            columns: stage.columns(),
        };
        let name = stage.name().to_owned();
        self.store
            .write(move |conn| {
                let mut errors = check_references(conn, &references)?;
                if !errors.is_empty() {
                    // DRF reports every failing field at once, the unique name among them.
                    if store::name_taken(conn, &name, None)? {
                        errors.add_message(NAME, NAME_TAKEN);
                    }
                    return Ok(Err(validation_error(&errors)));
                }
                match store::insert(conn, kind, pk, &name, &row) {
                    Ok(()) => Ok(Ok(())),
                    Err(StoreError::NameTaken) => Ok(Err(name_taken())),
                    Err(e) => Err(e),
                }
            })
            .await
            .map_err(store_error)
    }

    /// Whether a stage of `kind` is stored under `uuid` (the generated router's `object_exists`).
    async fn stage_exists(&self, kind: &'static str, uuid: Uuid) -> Result<bool, ApiError> {
        match self.retrieve_stage::<serde_json::Value>(kind, uuid).await {
            Ok(_) => Ok(true),
            Err(ApiError::NotFound) => Ok(false),
            Err(other) => Err(other),
        }
    }

    async fn retrieve_stage<M: DeserializeOwned + Send + 'static>(
        &self,
        kind: &'static str,
        uuid: Uuid,
    ) -> Result<M, ApiError> {
        let row = self
            .store
            .read(move |conn| store::get(conn, kind, uuid))
            .await
            .map_err(store_error)?;
        decode(&row.data)
    }

    /// Applies `patch` to a stored stage in one transaction, unless its references name unknown
    /// objects or the new name is taken.
    async fn patch_stage<M, P>(
        &self,
        kind: &'static str,
        uuid: Uuid,
        patch: P,
        references: Vec<Named>,
        apply: fn(&mut M, &mut Option<String>, P),
    ) -> Result<Result<M, ValidationError>, ApiError>
    where
        M: serde::Serialize + DeserializeOwned + Stored + Send + 'static,
        P: Send + 'static,
    {
        self.store
            .write(move |conn| {
                let mut row = store::get(conn, kind, uuid)?;
                let mut stage: M = serde_json::from_str(&row.data)
                    .map_err(|e| StoreError::Other(e.to_string()))?;
                let old_name = stage.name().to_owned();
                apply(&mut stage, &mut row.secret, patch);
                let name = stage.name().to_owned();
                let mut errors = check_references(conn, &references)?;
                if !errors.is_empty() {
                    if store::name_taken(conn, &name, Some(uuid))? {
                        errors.add_message(NAME, NAME_TAKEN);
                    }
                    return Ok(Err(validation_error(&errors)));
                }
                row.data =
                    serde_json::to_string(&stage).map_err(|e| StoreError::Other(e.to_string()))?;
                row.columns = stage.columns();
                let renamed = (name != old_name).then_some(name.as_str());
                match store::replace(conn, uuid, renamed, &row) {
                    Ok(()) => Ok(Ok(stage)),
                    Err(StoreError::NameTaken) => Ok(Err(name_taken())),
                    Err(e) => Err(e),
                }
            })
            .await
            .map_err(store_error)
    }

    async fn destroy_stage(&self, kind: &'static str, uuid: Uuid) -> Result<(), ApiError> {
        self.store
            .write(move |conn| store::delete(conn, kind, uuid, &columns_referencing(kind)))
            .await
            .map_err(store_error)
    }
}
