//! Runtime support for the generated client: the HTTP [`Client`], the [`Error`] every operation
//! returns, and what the generated methods share (URLs, query strings, sending, decoding, pages).
//! One module per concern, all re-exported here, so the generated code names everything as
//! `support::...`:
//!
//! - `client`: [`Client`] and [`ClientBuilder`], its settings and the [`HttpClient`] it sends
//!   through;
//! - `request`: what the generated methods hand the client (paths, bodies) and how it sends them;
//! - `answer`: one whole answer, read as a success or as the operation's documented errors;
//! - `error`: [`Error`], why an operation failed;
//! - `pages`: every item of a paginated list as a stream.
//!
//! Items hidden from the documentation are for the generated code only; they may change with any
//! regeneration.

mod answer;
mod client;
mod error;
mod pages;
mod request;
#[cfg(test)]
mod testing;

#[doc(hidden)]
pub use answer::{status_code, Answer, FromAnswer};
#[doc(hidden)]
pub use authentik_models::support::ToParam;
pub use authentik_models::support::{FieldError, ValidationErrors};
pub use client::{
    BuildError, Client, ClientBuilder, HttpClient, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT,
    DEFAULT_USER_AGENT,
};
pub use error::{ApiStatus, Error};
#[doc(hidden)]
pub use error::{fmt_bytes, fmt_error, Failure};
#[doc(hidden)]
pub use pages::paginate;
pub use request::RawBody;
#[doc(hidden)]
pub use request::{json, segment, Call, Payload};
/// The reqwest this crate is built on, for [`ClientBuilder::http_client`].
pub use reqwest;
/// The reqwest-middleware this crate is built on (feature `middleware`), for
/// [`ClientBuilder::http_client`].
#[cfg(feature = "middleware")]
pub use reqwest_middleware;
