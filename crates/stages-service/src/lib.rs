//! A local double of authentik's captcha and identification stages API.
//!
//! [`StagesService`] implements the generated server traits (`authentik_server::captcha::CaptchaApi`,
//! `authentik_server::identification::IdentificationApi`) on a SQLite [`store::Store`]; the
//! generated router does all routing, authentication, parsing and validation. [`app`] puts the
//! two together.
//!
//! Each kind of stage is a description (`kind::StageKind`: its generated types, defaults, columns,
//! references, ordering and filter fields) in a module of `kinds`; what the service does with a
//! stage is written once over it, in `handling`.
//!
//! What the router cannot know, the service checks against the store, as authentik's serializers
//! do: unique names, and references (`password_stage`, the flows, `sources`) that must name an
//! object the store holds (its stages, and the flows, stages and sources seeded from a fixtures
//! file, [`store::Fixtures`]).

pub mod listing;
pub mod store;

mod failure;
mod handling;
mod kind;
mod kinds;
mod patching;
mod references;

use authentik_models::{field, CaptchaStage};
use authentik_server::{AuthError, Authenticate, RouterConfig, Routes};
use std::sync::Arc;
use store::Store;

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
    kinds::SERVED
        .iter()
        .fold(Routes::new(), |routes, served| {
            routes.merge((served.routes)(Arc::clone(&service), config.clone()))
        })
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

/// The fields every stage has (authentik's `StageSerializer`), which the store keeps in columns
/// of their own and a taken name is reported on. Every field name in this crate is written with
/// `field!`, so a field the schema renames or removes stops the build at the line that names it;
/// each kind's description names these two through its own model and request too.
pub(crate) const NAME: &str = field!(CaptchaStage.name);
pub(crate) const PK: &str = field!(CaptchaStage.pk);
