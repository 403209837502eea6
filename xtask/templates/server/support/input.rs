//! A request's head as a generated handler reads it, step by step ([`Input`]): the bearer token,
//! the path values, the query, then the body, each step answering the refusal authentik gives.

use axum::body::Body;
use axum::http::StatusCode;
use axum::response::Response;
use serde::de::DeserializeOwned;

use super::auth::authenticate;
use super::body::{optional_raw_body, raw_body, RawBody};
use super::json::{json_body, optional_json_body};
use super::params::FromParam;
use super::query::{from_query, page_number, FromQuery};
use super::responses::{detail, valid};
use super::{Authenticate, RouterConfig, Shape, ValidationErrors};

/// A request's head as a handler reads it, step by step (each step answers `Err(response)` to
/// refuse the request): the bearer token, the path values, the query, and, handed the body
/// [`Input::new`] split off, the body.
#[doc(hidden)]
pub struct Input {
    parts: axum::http::request::Parts,
    body_limit: usize,
    params: Option<axum::extract::RawPathParams>,
}

impl Input {
    /// The request's head, and its body apart (a body is `Send` but not `Sync`, and the head
    /// is lent across `await`s).
    pub fn new(request: axum::extract::Request, config: &RouterConfig) -> (Self, Body) {
        let (parts, body) = request.into_parts();
        let input = Input {
            parts,
            body_limit: config.body_limit,
            params: None,
        };
        (input, body)
    }

    /// The principal the bearer token stands for; 403 as authentik answers without one.
    ///
    /// # Errors
    ///
    /// The 403 response.
    pub async fn authenticate<A: Authenticate>(&self, auth: &A) -> Result<A::Principal, Response> {
        authenticate(auth, &self.parts.headers).await
    }

    /// The path value `name`; 404 when it does not parse.
    ///
    /// # Errors
    ///
    /// The 404 response.
    pub async fn path<T: FromParam>(&mut self, name: &str) -> Result<T, Response> {
        if self.params.is_none() {
            self.params = Some(path_params(&mut self.parts).await?);
        }
        match &self.params {
            Some(params) => path_value(params, name),
            None => Err(detail(StatusCode::NOT_FOUND, "Not found.")),
        }
    }

    /// The query parameters; 400 with each parameter's message.
    ///
    /// # Errors
    ///
    /// The 400 response.
    pub fn query<T: FromQuery>(&self) -> Result<T, Response> {
        from_query(self.parts.uri.query())
    }

    /// A paginated list's `page`: 404 `Invalid page.` when it is no page number.
    ///
    /// # Errors
    ///
    /// The 404 response.
    pub fn page_number(&self) -> Result<(), Response> {
        page_number(self.parts.uri.query())
    }

    /// A required JSON body ([`json_body`]), then its `check` (the model's `validate`).
    ///
    /// # Errors
    ///
    /// [`json_body`]'s responses, or 400 with the fields `check` refused.
    pub async fn json<T: DeserializeOwned + Shape>(
        &self,
        body: Body,
        check: fn(&T) -> Result<(), ValidationErrors>,
    ) -> Result<T, Response> {
        let value = json_body(&self.parts.headers, body, self.body_limit).await?;
        valid(check(&value))?;
        Ok(value)
    }

    /// An optional JSON body ([`optional_json_body`]), then its `check` when there is one.
    ///
    /// # Errors
    ///
    /// As [`Input::json`].
    pub async fn optional_json<T: DeserializeOwned + Shape>(
        &self,
        body: Body,
        check: fn(&T) -> Result<(), ValidationErrors>,
    ) -> Result<Option<T>, Response> {
        let value = optional_json_body(&self.parts.headers, body, self.body_limit).await?;
        if let Some(value) = &value {
            valid(check(value))?;
        }
        Ok(value)
    }

    /// A required body kept as it came ([`raw_body`]).
    ///
    /// # Errors
    ///
    /// [`raw_body`]'s responses.
    pub async fn raw(&self, body: Body) -> Result<RawBody, Response> {
        raw_body(&self.parts.headers, body, self.body_limit).await
    }

    /// An optional body kept as it came ([`optional_raw_body`]).
    ///
    /// # Errors
    ///
    /// [`optional_raw_body`]'s responses.
    pub async fn optional_raw(&self, body: Body) -> Result<Option<RawBody>, Response> {
        optional_raw_body(&self.parts.headers, body, self.body_limit).await
    }
}

/// The `check` of a body whose type has no constraints of its own.
///
/// # Errors
///
/// None.
#[doc(hidden)]
pub fn unchecked<T>(_: &T) -> Result<(), ValidationErrors> {
    Ok(())
}

/// A path value, or 404 when it does not parse (as Django's URL converters answer).
fn path_value<T: FromParam>(
    params: &axum::extract::RawPathParams,
    name: &str,
) -> Result<T, Response> {
    params
        .iter()
        .find(|(key, _)| *key == name)
        .and_then(|(_, value)| T::from_param(value).ok())
        .ok_or_else(|| detail(StatusCode::NOT_FOUND, "Not found."))
}

/// The request's path parameters; a path that does not fit answers 404 `Not found.`.
///
/// # Errors
///
/// The 404 response.
async fn path_params(
    parts: &mut axum::http::request::Parts,
) -> Result<axum::extract::RawPathParams, Response> {
    <axum::extract::RawPathParams as axum::extract::FromRequestParts<()>>::from_request_parts(
        parts,
        &(),
    )
    .await
    .map_err(|_| detail(StatusCode::NOT_FOUND, "Not found."))
}

#[cfg(test)]
mod tests {
    use super::super::testing::{answer, block_on};
    use super::*;
    use serde_json::json;

    #[test]
    fn a_request_without_path_values_is_not_found() {
        let request = axum::extract::Request::new(Body::empty());
        // A request with no path values: a path value is 404, not a panic.
        let (mut input, _) = Input::new(request, &RouterConfig::default());
        let value = block_on(input.path::<String>("id")).map_err(answer);
        assert_eq!(
            value,
            Err((StatusCode::NOT_FOUND, json!({ "detail": "Not found." })))
        );
        // A path with no matched route has no parameters: 404.
        let (mut parts, ()) = axum::http::Request::new(()).into_parts();
        let missing = block_on(path_params(&mut parts))
            .map(|_| ())
            .map_err(answer);
        assert_eq!(
            missing,
            Err((StatusCode::NOT_FOUND, json!({ "detail": "Not found." })))
        );
    }
}
