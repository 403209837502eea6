//! Runtime support for the generated router: authentication, the error bodies authentik (Django
//! REST Framework) answers with, reading and checking request bodies, query and path values,
//! and serving. One module per concern, all re-exported here, so the generated code names
//! everything as `support::...`:
//!
//! - `auth`: [`Authenticate`], the bearer token, [`AuthError`];
//! - `responses`: [`ApiError`] and the answers in authentik's shapes (`{"detail": ...}`, 400
//!   with the field errors);
//! - `routes`: [`RouterConfig`] and [`Routes`], the routes of some resources served together;
//! - `trace`: one `tracing` span per operation, one event per answer;
//! - `input`: a request's head read step by step (token, path values, query, body);
//! - `params`: path and query values parsed as Django reads them;
//! - `query`: an operation's query string, parameter by parameter;
//! - `body`: reading a whole request body within its limit, and bodies kept as they came
//!   ([`RawBody`]);
//! - `json`: JSON request bodies, decoded or refused as DRF refuses them;
//! - `shape`: how DRF reads a JSON value before it is decoded;
//! - `serving`: [`serve`], with header and body timeouts and a graceful stop;
//! - `deadline`: the request body's deadline behind the body timeout.
//!
//! Items hidden from the documentation are for the generated code only; they may change with any
//! regeneration.

mod auth;
mod body;
mod deadline;
mod input;
mod json;
mod params;
mod query;
mod responses;
mod routes;
mod serving;
#[doc(hidden)]
mod shape;
#[cfg(test)]
mod testing;
mod trace;

pub use auth::{AuthError, Authenticate};
pub use authentik_models::support::{FieldError, ValidationErrors};
pub use body::RawBody;
#[doc(hidden)]
pub use input::{unchecked, Input};
#[doc(hidden)]
pub use params::FromParam;
pub use query::FromQuery;
#[doc(hidden)]
pub use query::{Explode, QueryReader};
pub use responses::ApiError;
#[doc(hidden)]
pub use responses::{
    bytes_response, detail, empty_response, json_response, method_not_allowed, not_found,
    refusal_unless_missing, server_error, status_code, unless_missing, validation_failed,
};
pub use routes::{RouterConfig, Routes};
pub use serving::{serve, serve_with_shutdown, shutdown_signal, ServeConfig};
#[doc(hidden)]
pub use shape::*;
#[doc(hidden)]
pub use trace::{span, traced};
