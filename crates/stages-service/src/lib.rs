//! A local double of authentik's captcha and identification stages API.
//!
//! [`StagesService`] implements the generated server traits (`authentik_server::captcha::CaptchaApi`,
//! `authentik_server::identification::IdentificationApi`) on a SQLite [`store::Store`]; the
//! generated router does all routing, authentication, parsing and validation. [`app`] puts the
//! two together.

pub mod listing;
pub mod store;

mod captcha;
mod identification;

use authentik_models::support::ValidationErrors;
use authentik_models::{FlowSet, FlowSetRequest, UsedBy, UsedByActionEnum, ValidationError};
use authentik_server::{ApiError, AuthError, Authenticate, RouterConfig};
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

/// The whole HTTP application: the generated router over this service.
pub fn app(service: StagesService, config: RouterConfig) -> axum::Router {
    authentik_server::router(Arc::new(service), config)
}

/// Serves [`app`] on a free loopback port, in the background of the current tokio runtime, and
/// answers its API root (`http://127.0.0.1:<port>/api/v3`): for tests of code that calls the API.
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
        if let Err(e) = axum::serve(listener, router).await {
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

/// Fields by which one stage references another; deleting the target clears them.
const REFERENCE_FIELDS: &[&str] = &["password_stage"];

fn store_error(e: StoreError) -> ApiError {
    match e {
        StoreError::NotFound => ApiError::NotFound,
        StoreError::NameTaken => ApiError::internal("unexpected unique name violation"),
        StoreError::Db(e) => ApiError::internal(e),
    }
}

/// 400 body for a taken name, as DRF's unique validator words it.
fn name_taken() -> ValidationError {
    let mut errors = ValidationErrors::new();
    errors.add_message("name", "stage with this name already exists.");
    validation_error(&errors)
}

fn validation_error(errors: &ValidationErrors) -> ValidationError {
    serde_json::from_value(errors.to_json()).unwrap_or(ValidationError {
        non_field_errors: None,
        code: None,
        additional_properties: Default::default(),
    })
}

fn decode<T: DeserializeOwned>(value: Value) -> Result<T, ApiError> {
    serde_json::from_value(value).map_err(ApiError::internal)
}

fn encode<T: serde::Serialize>(value: &T) -> Result<Value, ApiError> {
    serde_json::to_value(value).map_err(ApiError::internal)
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
    store
        .with(move |conn| {
            store::get(conn, kind, uuid)?;
            let mut out = Vec::new();
            for field in REFERENCE_FIELDS {
                for (other_kind, data) in store::referencing(conn, field, uuid)? {
                    out.push(UsedBy {
                        app: format!("authentik_stages_{other_kind}"),
                        model_name: format!("{other_kind}stage"),
                        pk: data
                            .get("pk")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_owned(),
                        name: data
                            .get("name")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_owned(),
                        action: UsedByActionEnum::SetNull,
                    });
                }
            }
            Ok(out)
        })
        .await
        .map_err(store_error)
}

impl StagesService {
    /// One page of a kind's stages.
    async fn list_stages<M: DeserializeOwned>(
        &self,
        kind: &'static str,
        query: listing::ListQuery<'_>,
    ) -> Result<(Vec<M>, authentik_models::Pagination), ApiError> {
        let items = self
            .store
            .with(move |conn| store::list(conn, kind))
            .await
            .map_err(store_error)?;
        let (page, pagination) = listing::page(items, &query)?;
        let results = page.into_iter().map(decode).collect::<Result<_, _>>()?;
        Ok((results, pagination))
    }

    /// Stores a new stage; `Ok(false)` when its name is taken.
    async fn create_stage<M: serde::Serialize>(
        &self,
        kind: &'static str,
        pk: Uuid,
        stage: &M,
        secret: Option<String>,
    ) -> Result<bool, ApiError> {
        let row = store::Row {
            data: encode(stage)?,
            secret,
        };
        match self
            .store
            .with(move |conn| store::insert(conn, kind, pk, &row))
            .await
        {
            Ok(()) => Ok(true),
            Err(StoreError::NameTaken) => Ok(false),
            Err(e) => Err(store_error(e)),
        }
    }

    async fn retrieve_stage<M: DeserializeOwned>(
        &self,
        kind: &'static str,
        uuid: Uuid,
    ) -> Result<M, ApiError> {
        let row = self
            .store
            .with(move |conn| store::get(conn, kind, uuid))
            .await
            .map_err(store_error)?;
        decode(row.data)
    }

    /// Applies `patch` to a stored stage in one transaction; `Ok(None)` when the new name is
    /// taken.
    async fn patch_stage<M, P>(
        &self,
        kind: &'static str,
        uuid: Uuid,
        patch: P,
        apply: fn(&mut M, &mut Option<String>, P),
    ) -> Result<Option<M>, ApiError>
    where
        M: serde::Serialize + DeserializeOwned + Send + 'static,
        P: Send + 'static,
    {
        let result = self
            .store
            .with(move |conn| {
                let mut failure = None;
                let row = store::update(conn, kind, uuid, |row| {
                    let changed =
                        serde_json::from_value::<M>(row.data.clone()).and_then(|mut stage| {
                            apply(&mut stage, &mut row.secret, patch);
                            serde_json::to_value(&stage)
                        });
                    match changed {
                        Ok(data) => row.data = data,
                        Err(e) => failure = Some(e),
                    }
                })?;
                Ok((row, failure))
            })
            .await;
        match result {
            Ok((_, Some(e))) => Err(ApiError::internal(e)),
            Ok((row, None)) => decode(row.data).map(Some),
            Err(StoreError::NameTaken) => Ok(None),
            Err(e) => Err(store_error(e)),
        }
    }

    async fn destroy_stage(&self, kind: &'static str, uuid: Uuid) -> Result<(), ApiError> {
        self.store
            .with(move |conn| store::delete(conn, kind, uuid, REFERENCE_FIELDS))
            .await
            .map_err(store_error)
    }
}
