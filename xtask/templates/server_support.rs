//! Runtime support for the generated router: authentication, the error bodies authentik (Django
//! REST Framework) answers with, reading and checking request bodies, query and path values.
//!
//! Items hidden from the documentation are for the generated code only; they may change with any
//! regeneration.

use std::future::Future;

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

#[doc(hidden)]
mod shape;
#[doc(hidden)]
pub use shape::*;
pub use authentik_models::support::{FieldError, ValidationErrors};

/// Parses a query string into an operation's query struct (from `authentik_models::query`);
/// the generated router calls it before the trait.
pub trait FromQuery: Sized {
    /// Parses the query string; unknown parameters are ignored, as authentik ignores them.
    ///
    /// # Errors
    ///
    /// Each parameter whose value does not parse, or a required one that is missing, with its
    /// message.
    fn from_query(query: Option<&str>) -> Result<Self, ValidationErrors>;
}

/// Parses an operation's query: 400 with each parameter's message when it does not parse.
///
/// # Errors
///
/// The 400 response.
fn from_query<T: FromQuery>(query: Option<&str>) -> Result<T, Response> {
    T::from_query(query).map_err(|errors| validation_failed(&errors))
}

/// Turns a bearer token into the principal the operations act for.
///
/// The generated router calls it before it reads anything else of a request to a secured
/// operation; a refusal is answered with 403 and `{"detail": ...}`, as authentik does.
pub trait Authenticate: Send + Sync + 'static {
    /// Who a valid token stands for, handed to every secured operation.
    type Principal: Send + Sync + 'static;

    /// Checks a bearer token (the text after `Bearer `).
    fn authenticate(
        &self,
        token: &str,
    ) -> impl Future<Output = Result<Self::Principal, AuthError>> + Send;
}

/// Why a token was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthError {
    /// Unknown or expired token: `{"detail": "Token invalid/expired"}`.
    InvalidToken,
    /// A valid token without the right to call the operation.
    PermissionDenied,
}

/// Answers an operation gives that its schema does not list, shared by every operation.
#[derive(Debug)]
pub enum ApiError {
    /// 404 `{"detail": "Not found."}`: no such object.
    NotFound,
    /// 404 `{"detail": "Invalid page."}`: a page number past the end.
    InvalidPage,
    /// 403 `{"detail": "You do not have permission to perform this action."}`.
    PermissionDenied,
    /// 500 `{"detail": "A server error occurred."}`; the cause is logged, never sent.
    Internal(String),
}

impl ApiError {
    /// A 500 whose cause is logged but not sent.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        ApiError::Internal(cause.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::NotFound => detail(StatusCode::NOT_FOUND, "Not found."),
            ApiError::InvalidPage => detail(StatusCode::NOT_FOUND, "Invalid page."),
            ApiError::PermissionDenied => detail(StatusCode::FORBIDDEN, PERMISSION_DENIED),
            ApiError::Internal(cause) => {
                tracing::error!(%cause, "operation failed");
                server_error()
            }
        }
    }
}

const PERMISSION_DENIED: &str = "You do not have permission to perform this action.";

/// Settings of the generated router.
#[derive(Clone, Debug)]
pub struct RouterConfig {
    /// The largest request body read; a larger one is answered with 413, at once (before any
    /// of it is read) when its declared `Content-Length` is over the limit.
    pub body_limit: usize,
}

impl Default for RouterConfig {
    fn default() -> Self {
        RouterConfig {
            body_limit: 1024 * 1024,
        }
    }
}

/// The routes of some resources, to be served together: each resource module's `routes`
/// makes one (`captcha::routes(service, config)`), [`Routes::merge`] joins them, and
/// [`Routes::into_router`] gives the router to serve. A path of a resource not mounted answers
/// authentik's 404, `{"detail": "Not found."}`, as any unknown path does.
///
/// A service that implements only some of the schema's resources mounts just those; each
/// resource may have a service of its own.
#[derive(Debug, Default)]
#[must_use]
pub struct Routes {
    router: axum::Router,
}

impl Routes {
    /// No routes: every path answers 404.
    pub fn new() -> Self {
        Routes::default()
    }

    /// These routes and `other`'s together. A resource's paths are its own, so two resources'
    /// routes never overlap.
    ///
    /// # Panics
    ///
    /// When both mount the same path (the same resource merged twice).
    pub fn merge(self, other: Routes) -> Self {
        Routes {
            router: self.router.merge(other.router),
        }
    }

    /// The router to serve: a path nothing is mounted at answers 404 and a panic in the service
    /// answers 500, both with authentik's `{"detail": ...}` body.
    pub fn into_router(self) -> axum::Router {
        self.router.fallback(not_found).layer(
            tower_http::catch_panic::CatchPanicLayer::custom(
                |_: Box<dyn std::any::Any + Send>| server_error(),
            ),
        )
    }
}

impl From<axum::Router> for Routes {
    /// Routes of your own (a health check, a resource written by hand), to merge with the
    /// generated ones; they should answer errors in authentik's shapes too.
    fn from(router: axum::Router) -> Self {
        Routes { router }
    }
}

/// A JSON answer.
#[doc(hidden)]
pub fn json_response<T: serde::Serialize>(status: StatusCode, body: &T) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => {
            let mut response = Response::new(Body::from(bytes));
            *response.status_mut() = status;
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            response
        }
        Err(e) => {
            tracing::error!(error = %e, "response body did not serialize");
            server_error()
        }
    }
}

/// An answer without a body.
#[doc(hidden)]
pub fn empty_response(status: StatusCode) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = status;
    response
}

/// An answer with a body of another media type.
#[doc(hidden)]
pub fn bytes_response(status: StatusCode, content_type: &'static str, bytes: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// `{"detail": message}` with a status.
#[doc(hidden)]
pub fn detail(status: StatusCode, message: &str) -> Response {
    json_response(status, &serde_json::json!({ "detail": message }))
}

/// The answer to a request about to be refused, once the resource's `object_exists` has
/// answered: the refusal when the object exists, 404 when it does not (authentik looks the object
/// up before it reads the request), the lookup's own error when it failed.
#[doc(hidden)]
pub fn refusal_unless_missing(exists: Result<bool, ApiError>, refusal: Response) -> Response {
    match exists {
        Ok(true) => refusal,
        Ok(false) => ApiError::NotFound.into_response(),
        Err(error) => error.into_response(),
    }
}

/// The request's checked parts, or, when they were refused, the refusal once the resource's
/// `object_exists` has answered for the object the path names ([`refusal_unless_missing`]).
///
/// # Errors
///
/// The refusal, or 404 when the object does not exist.
#[doc(hidden)]
pub async fn unless_missing<T, F>(
    checked: Result<T, Response>,
    exists: impl FnOnce() -> F,
) -> Result<T, Response>
where
    F: Future<Output = Result<bool, ApiError>>,
{
    match checked {
        Ok(values) => Ok(values),
        Err(refusal) => Err(refusal_unless_missing(exists().await, refusal)),
    }
}

/// A status code without a named constant, from its number (`lower` checked it is one).
#[doc(hidden)]
pub fn status_code(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// A request body's `validate()` outcome: 400 with the field errors when it failed.
///
/// # Errors
///
/// The 400 response.
fn valid(checked: Result<(), ValidationErrors>) -> Result<(), Response> {
    checked.map_err(|errors| validation_failed(&errors))
}

/// 500 `{"detail": "A server error occurred."}`.
#[doc(hidden)]
pub fn server_error() -> Response {
    detail(
        StatusCode::INTERNAL_SERVER_ERROR,
        "A server error occurred.",
    )
}

/// 400 with the field errors.
#[doc(hidden)]
pub fn validation_failed(errors: &ValidationErrors) -> Response {
    json_response(StatusCode::BAD_REQUEST, errors)
}

/// 404 for a path nothing is mounted at.
#[doc(hidden)]
pub async fn not_found() -> Response {
    detail(StatusCode::NOT_FOUND, "Not found.")
}

/// 405 with `Allow`, for a path mounted with other methods.
#[doc(hidden)]
pub fn method_not_allowed(method: &Method, allow: &'static str) -> Response {
    let mut response = detail(
        StatusCode::METHOD_NOT_ALLOWED,
        &format!("Method \"{method}\" not allowed."),
    );
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    response
}

/// Reads the bearer token and asks `auth` about it.
async fn authenticate<A: Authenticate>(
    auth: &A,
    headers: &HeaderMap,
) -> Result<A::Principal, Response> {
    let value = match headers.get(header::AUTHORIZATION) {
        Some(v) => v,
        None => {
            return Err(detail(
                StatusCode::FORBIDDEN,
                "Authentication credentials were not provided.",
            ))
        }
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| {
            let (scheme, token) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        })
        .filter(|t| !t.is_empty());
    let Some(token) = token else {
        return Err(detail(StatusCode::FORBIDDEN, "Token invalid/expired"));
    };
    auth.authenticate(token).await.map_err(|e| match e {
        AuthError::InvalidToken => detail(StatusCode::FORBIDDEN, "Token invalid/expired"),
        AuthError::PermissionDenied => detail(StatusCode::FORBIDDEN, PERMISSION_DENIED),
    })
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

/// One operation's `tracing` span: the operation (which names its route) and the method. The
/// route is not looked up: axum's matched path costs every request a few percent.
#[doc(hidden)]
pub fn span(operation: &'static str, request: &axum::extract::Request) -> tracing::Span {
    tracing::info_span!("request", operation, method = %request.method())
}

/// Runs one operation's handling in its `span` and logs one event with the status and
/// latency. `handle` answers `Err` for a request refused before the service was called, else
/// what the service answered.
#[doc(hidden)]
pub async fn traced<R: IntoResponse>(
    span: tracing::Span,
    handle: impl Future<Output = Result<R, Response>>,
) -> Response {
    use tracing::Instrument as _;
    let started = std::time::Instant::now();
    async move {
        let response = match handle.await {
            Ok(answer) => answer.into_response(),
            Err(refused) => refused,
        };
        tracing::info!(
            status = response.status().as_u16(),
            latency_us = started.elapsed().as_micros() as u64,
            "answered"
        );
        response
    }
    .instrument(span)
    .await
}

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

/// A value read from a path segment or a query parameter.
#[doc(hidden)]
pub trait FromParam: Sized {
    /// Parses one value; the error is the message for the field.
    fn from_param(value: &str) -> Result<Self, String>;
}

impl FromParam for String {
    fn from_param(value: &str) -> Result<Self, String> {
        Ok(value.to_owned())
    }
}

/// A whole number; one too large for the type saturates (it is valid, just out of range, and the
/// operation answers for it as for any value past its data, e.g. `Invalid page.`).
fn whole_number(value: &str) -> Result<i128, String> {
    let v = value.trim();
    let digits = v.strip_prefix(['-', '+']).unwrap_or(v);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("Enter a whole number.".to_owned());
    }
    Ok(v.parse::<i128>().unwrap_or(if v.starts_with('-') {
        i128::MIN
    } else {
        i128::MAX
    }))
}

impl FromParam for i64 {
    fn from_param(value: &str) -> Result<Self, String> {
        whole_number(value).map(|v| v.clamp(i64::MIN.into(), i64::MAX.into()) as i64)
    }
}

impl FromParam for i32 {
    fn from_param(value: &str) -> Result<Self, String> {
        whole_number(value).map(|v| v.clamp(i32::MIN.into(), i32::MAX.into()) as i32)
    }
}

impl FromParam for f64 {
    fn from_param(value: &str) -> Result<Self, String> {
        value
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| "Enter a number.".to_owned())
    }
}

impl FromParam for bool {
    fn from_param(value: &str) -> Result<Self, String> {
        match value {
            "true" | "True" | "1" => Ok(true),
            "false" | "False" | "0" => Ok(false),
            other => Err(format!(
                "Select a valid choice. {other} is not one of the available choices."
            )),
        }
    }
}

impl FromParam for uuid::Uuid {
    fn from_param(value: &str) -> Result<Self, String> {
        value
            .trim()
            .parse()
            .map_err(|_| "Enter a valid UUID.".to_owned())
    }
}

impl FromParam for chrono::DateTime<chrono::FixedOffset> {
    fn from_param(value: &str) -> Result<Self, String> {
        chrono::DateTime::parse_from_rfc3339(value.trim())
            .map_err(|_| "Enter a valid date/time.".to_owned())
    }
}

/// The query string as `(name, value)` pairs, percent-decoded, in order.
fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The page a paginated list asks for, read as DRF's paginator reads it, before anything else of
/// the query: the last `page` value, when not empty, must be a whole number from 1, or the answer
/// is 404 `{"detail": "Invalid page."}`.
///
/// # Errors
///
/// The 404 response.
fn page_number(query: Option<&str>) -> Result<(), Response> {
    let page = form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .filter(|(key, _)| key == "page")
        .last()
        .map(|(_, value)| value);
    match page.as_deref().map(str::trim) {
        None | Some("") => Ok(()),
        Some(text) if text.parse::<i64>().is_ok_and(|n| n >= 1) => Ok(()),
        Some(_) => Err(detail(StatusCode::NOT_FOUND, "Invalid page.")),
    }
}

/// The last value of a query parameter, parsed; a bad value adds a message for it, an empty
/// one is none.
fn query_one<T: FromParam>(
    pairs: &[(String, String)],
    name: &str,
    errors: &mut ValidationErrors,
) -> Option<T> {
    let value = pairs
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)?;
    // An empty value is no value, as django-filter and DRF's paginator read it (`?page=`).
    if value.is_empty() {
        return None;
    }
    match T::from_param(value) {
        Ok(v) => Some(v),
        Err(message) => {
            errors.add_message(name, message);
            None
        }
    }
}

/// How a list travels in a query: the key repeated (`?a=1&a=2`, OpenAPI's `explode: true`) or
/// the values joined with commas (`?a=1,2`).
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Explode {
    Repeat,
    Commas,
}

/// Every value of a query parameter.
fn query_many<T: FromParam>(
    pairs: &[(String, String)],
    name: &str,
    explode: Explode,
    errors: &mut ValidationErrors,
) -> Option<Vec<T>> {
    let raw: Vec<&str> = pairs
        .iter()
        .filter(|(k, _)| k == name)
        .flat_map(|(_, v)| match explode {
            Explode::Repeat => vec![v.as_str()],
            Explode::Commas => v.split(',').collect(),
        })
        .collect();
    if raw.is_empty() {
        return None;
    }
    let mut out = Vec::with_capacity(raw.len());
    for value in raw {
        match T::from_param(value) {
            Ok(v) => out.push(v),
            Err(message) => {
                errors.add_message(name, message);
                return None;
            }
        }
    }
    Some(out)
}

/// A required query parameter: `This field is required.` when it has no value (one that did not
/// parse has its own message already).
fn require<T>(
    value: &Option<T>,
    pairs: &[(String, String)],
    name: &str,
    errors: &mut ValidationErrors,
) {
    if value.is_none() && !pairs.iter().any(|(k, v)| k == name && !v.is_empty()) {
        errors.add_message(name, "This field is required.");
    }
}

/// A query string being read into an operation's query struct, one parameter after another;
/// each bad or missing value adds its message, and [`QueryReader::finish`] answers them all.
#[doc(hidden)]
pub struct QueryReader {
    pairs: Vec<(String, String)>,
    errors: ValidationErrors,
}

impl QueryReader {
    /// The query string's pairs, decoded.
    pub fn new(query: Option<&str>) -> Self {
        QueryReader {
            pairs: query_pairs(query),
            errors: ValidationErrors::new(),
        }
    }

    /// A parameter given once ([`query_one`]).
    pub fn one<T: FromParam>(&mut self, name: &str) -> Option<T> {
        query_one(&self.pairs, name, &mut self.errors)
    }

    /// A parameter that is a list ([`query_many`]).
    pub fn many<T: FromParam>(&mut self, name: &str, explode: Explode) -> Option<Vec<T>> {
        query_many(&self.pairs, name, explode, &mut self.errors)
    }

    /// A required parameter: its value, or `None` with `This field is required.` ([`require`]).
    pub fn required<T>(&mut self, value: Option<T>, name: &str) -> Option<T> {
        require(&value, &self.pairs, name, &mut self.errors);
        value
    }

    /// The messages so far, for a required value that is missing.
    pub fn into_errors(self) -> ValidationErrors {
        self.errors
    }

    /// The value read, or every message.
    ///
    /// # Errors
    ///
    /// The messages of the values that were bad or missing.
    pub fn finish<T>(self, value: T) -> Result<T, ValidationErrors> {
        self.errors.into_result().map(|()| value)
    }
}

/// Reads a required JSON request body: 415 for another media type, 413 over `limit`, 400 with
/// `{"detail": "JSON parse error - ..."}` for malformed JSON, 400 with `non_field_errors` when
/// it is not an object, 400 with every field that is missing, `null` or of the wrong type.
async fn json_body<T: DeserializeOwned + Shape>(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
) -> Result<T, Response> {
    read_json(headers, body, limit, true)
        .await?
        .ok_or_else(body_required)
}

/// [`json_body`] for an optional body: `Ok(None)` when the request has none.
async fn optional_json_body<T: DeserializeOwned + Shape>(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
) -> Result<Option<T>, Response> {
    read_json(headers, body, limit, false).await
}

async fn read_json<T: DeserializeOwned + Shape>(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
    required: bool,
) -> Result<Option<T>, Response> {
    let bytes = read_body(headers, body, limit).await?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    // An empty body is no data: absent when optional, an empty object (so each required field
    // is reported) when required, as DRF reads it.
    if bytes.is_empty() && (content_type.is_none() || !required) {
        if !required {
            return Ok(None);
        }
        return decode::<T>(serde_json::Value::Object(serde_json::Map::new())).map(Some);
    }
    let is_json = content_type
        .and_then(|ct| ct.split(';').next())
        .map(|ct| ct.trim().eq_ignore_ascii_case("application/json"))
        .unwrap_or(false);
    if !is_json {
        let shown = content_type.unwrap_or("");
        return Err(detail(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            &format!("Unsupported media type \"{shown}\" in request."),
        ));
    }
    // The fast path decodes straight from the bytes; a body that fails, or whose strings DRF
    // would change (trim) or refuse (a null character), is read again as a JSON value and shaped
    // the way DRF reads it, to say which field is wrong.
    // serde decodes a struct from a JSON array too; DRF wants an object, so only an object
    // takes the fast path.
    let object = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    match serde_json::from_slice::<T>(&bytes) {
        Ok(v) if object && plain_strings(&bytes) => return Ok(Some(v)),
        Ok(_) => {}
        Err(e) if !e.is_data() => {
            return Err(detail(
                StatusCode::BAD_REQUEST,
                &format!("JSON parse error - {e}"),
            ));
        }
        Err(_) => {}
    }
    let value: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| detail(StatusCode::BAD_REQUEST, &format!("JSON parse error - {e}")))?;
    if !value.is_object() {
        let kind = match &value {
            serde_json::Value::Array(_) => "list",
            serde_json::Value::String(_) => "str",
            serde_json::Value::Number(n) if n.is_f64() => "float",
            serde_json::Value::Number(_) => "int",
            serde_json::Value::Bool(_) => "bool",
            _ => "NoneType",
        };
        let mut errors = ValidationErrors::new();
        errors.add_non_field_error(format!(
            "Invalid data. Expected a dictionary, but got {kind}."
        ));
        return Err(validation_failed(&errors));
    }
    decode::<T>(value).map(Some)
}

/// Decodes a JSON value; when it does not fit, every field that is missing, `null` or of the
/// wrong type is reported at once, as DRF reports them.
fn decode<T: DeserializeOwned + Shape>(mut value: serde_json::Value) -> Result<T, Response> {
    match T::shape(&mut value) {
        None => {}
        Some(FieldError::Nested(errors)) => return Err(validation_failed(&errors)),
        Some(FieldError::Messages(messages)) => {
            let mut errors = ValidationErrors::new();
            for m in messages {
                errors.add_non_field_error(m);
            }
            return Err(validation_failed(&errors));
        }
        Some(items @ FieldError::Items(_)) => {
            let mut errors = ValidationErrors::new();
            errors.set(authentik_models::support::NON_FIELD_ERRORS, items);
            return Err(validation_failed(&errors));
        }
    }
    match serde_path_to_error::deserialize::<_, T>(&value) {
        Ok(v) => Ok(v),
        Err(e) => Err(validation_failed(&field_error(&value, e))),
    }
}

/// Whether every string in a JSON text is one DRF takes as it is: nothing at either end that may
/// be white space (white space, an escape, a non-ASCII character) and no `\u0000`. A body with
/// any other string is shaped (trimmed, checked) on the slow path.
fn plain_strings(bytes: &[u8]) -> bool {
    let mut i = 0;
    while let Some(open) = bytes[i..].iter().position(|&b| b == b'"') {
        let first = i + open + 1;
        let mut j = first;
        // Whether the last character read may be white space.
        let mut loose = false;
        loop {
            match bytes.get(j) {
                None => return false,
                Some(b'"') => break,
                Some(b'\\') => {
                    if j == first || bytes.get(j + 1..j + 6) == Some(b"u0000".as_slice()) {
                        return false;
                    }
                    loose = true;
                    j += 2;
                }
                Some(&b) => {
                    loose = b.is_ascii_whitespace() || !b.is_ascii();
                    if j == first && loose {
                        return false;
                    }
                    j += 1;
                }
            }
        }
        if loose {
            return false;
        }
        i = j + 1;
    }
    true
}

/// 400 for a required body that is missing.
fn body_required() -> Response {
    let mut errors = ValidationErrors::new();
    errors.add_non_field_error("No data provided");
    validation_failed(&errors)
}

/// A request body the router does not decode (`multipart/form-data`, form data): the service
/// reads it.
#[derive(Clone, Debug, PartialEq)]
pub struct RawBody {
    /// The request's `Content-Type`.
    pub content_type: String,
    /// The body.
    pub bytes: axum::body::Bytes,
}

/// Reads a required body without decoding it: 413 over `limit`, 400 when empty.
async fn raw_body(headers: &HeaderMap, body: Body, limit: usize) -> Result<RawBody, Response> {
    optional_raw_body(headers, body, limit)
        .await?
        .ok_or_else(body_required)
}

/// [`raw_body`] for an optional body: `Ok(None)` when empty.
async fn optional_raw_body(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
) -> Result<Option<RawBody>, Response> {
    let bytes = read_body(headers, body, limit).await?;
    if bytes.is_empty() {
        return Ok(None);
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    Ok(Some(RawBody {
        content_type,
        bytes,
    }))
}

/// Reads a whole request body of at most `limit` bytes.
///
/// A declared `Content-Length` over `limit` is refused before anything is read (413, at once:
/// a client that waits for `100 Continue` never sends the body); a body that grows past it
/// while read (chunked) is refused at the limit (413). A body that does not arrive within
/// [`ServeConfig::body_timeout`] (under [`serve`]) answers 408, and one that is not valid
/// HTTP (a malformed chunk) or is cut off answers 400 `{"detail": "Malformed request."}`, as
/// DRF's `ParseError` does; both close the connection, whose unread rest cannot be trusted.
async fn read_body(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
) -> Result<axum::body::Bytes, Response> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(too_large(limit));
    }
    axum::body::to_bytes(body, limit)
        .await
        .map_err(|e| body_error(&e, limit))
}

/// 413 `{"detail": "Request body is larger than N bytes."}`.
fn too_large(limit: usize) -> Response {
    let mut response = detail(
        StatusCode::PAYLOAD_TOO_LARGE,
        &format!("Request body is larger than {limit} bytes."),
    );
    close_after(&mut response);
    response
}

/// The answer to a body that could not be read: too large, too slow, or malformed.
fn body_error(error: &(dyn std::error::Error + 'static), limit: usize) -> Response {
    let mut cause = Some(error);
    while let Some(e) = cause {
        if e.is::<http_body_util::LengthLimitError>() {
            return too_large(limit);
        }
        if e.is::<BodyTimeout>() {
            let mut response = detail(
                StatusCode::REQUEST_TIMEOUT,
                "Request body not received in time.",
            );
            close_after(&mut response);
            return response;
        }
        cause = e.source();
    }
    tracing::debug!(error = %error, "request body unreadable");
    let mut response = detail(StatusCode::BAD_REQUEST, "Malformed request.");
    close_after(&mut response);
    response
}

/// Asks the connection to close once the answer is sent.
fn close_after(response: &mut Response) {
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
}

/// Turns the first decoding failure into authentik's field → messages shape.
fn field_error(
    value: &serde_json::Value,
    e: serde_path_to_error::Error<serde_json::Error>,
) -> ValidationErrors {
    use serde_path_to_error::Segment;
    let segments: Vec<String> = e
        .path()
        .iter()
        .filter_map(|s| match s {
            Segment::Map { key } => Some(key.clone()),
            Segment::Seq { index } => Some(index.to_string()),
            _ => None,
        })
        .collect();
    let inner = e.into_inner().to_string();
    // A missing field is reported by serde at the object that lacks it.
    let (segments, message) = match inner
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next())
    {
        Some(field) => {
            let mut s = segments;
            s.push(field.to_owned());
            (s, "This field is required.".to_owned())
        }
        None => {
            let found = lookup(value, &segments);
            (segments, type_message(found, &inner))
        }
    };
    let mut errors = ValidationErrors::new();
    nest(&mut errors, &segments, message);
    errors
}

fn lookup<'a>(value: &'a serde_json::Value, path: &[String]) -> Option<&'a serde_json::Value> {
    path.iter().try_fold(value, |v, key| match v {
        serde_json::Value::Object(m) => m.get(key),
        serde_json::Value::Array(a) => key.parse::<usize>().ok().and_then(|i| a.get(i)),
        _ => None,
    })
}

/// DRF's message for a value of the wrong type, from serde's description of what it expected.
fn type_message(found: Option<&serde_json::Value>, serde_message: &str) -> String {
    if found.is_some_and(serde_json::Value::is_null) {
        return "This field may not be null.".to_owned();
    }
    let expected = serde_message.split("expected ").nth(1).unwrap_or("");
    if serde_message.contains("UUID") || expected.contains("UUID") {
        "Must be a valid UUID.".to_owned()
    } else if expected.starts_with("a boolean") {
        "Must be a valid boolean.".to_owned()
    } else if expected.starts_with("i64")
        || expected.starts_with("i32")
        || expected.starts_with("u")
    {
        "A valid integer is required.".to_owned()
    } else if expected.starts_with("f64") {
        "A valid number is required.".to_owned()
    } else if expected.starts_with("a sequence") {
        let kind = match found {
            Some(serde_json::Value::Object(_)) => "dict",
            Some(serde_json::Value::String(_)) => "str",
            Some(serde_json::Value::Number(_)) => "int",
            Some(serde_json::Value::Bool(_)) => "bool",
            _ => "unknown",
        };
        format!("Expected a list of items but got type \"{kind}\".")
    } else if expected.starts_with("a string") {
        "Not a valid string.".to_owned()
    } else if expected.starts_with("struct") || expected.starts_with("a map") {
        "Invalid data. Expected a dictionary.".to_owned()
    } else if serde_message.contains("premature end of input")
        || serde_message.contains("input contains invalid characters")
    {
        "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].".to_owned()
    } else {
        "Invalid value.".to_owned()
    }
}

fn nest(errors: &mut ValidationErrors, path: &[String], message: String) {
    match path {
        [] => errors.add_non_field_error(message),
        [field] => errors.add_message(field, message),
        [field, index, rest @ ..] if index.parse::<usize>().is_ok() && !rest.is_empty() => {
            // An item of a list of objects: one entry per item up to the failing one.
            let i: usize = index.parse().unwrap_or(0);
            let mut items = vec![ValidationErrors::new(); i + 1];
            nest(&mut items[i], rest, message);
            errors.add_items(field, items);
        }
        [field, rest @ ..] => {
            let mut inner = ValidationErrors::new();
            nest(&mut inner, rest, message);
            errors.add_nested(field, inner);
        }
    }
}

/// Settings of [`serve`]: how long a client may take to send a request, and how long a stop
/// waits for the requests in flight.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServeConfig {
    /// The longest a connection may take to send a request's headers, counted from when the
    /// server starts waiting for them (after the previous answer on a keep-alive connection);
    /// past it the connection is closed without an answer (HTTP has nothing to answer a request
    /// that has not been read). This also closes keep-alive connections idle that long.
    /// Default 30 s.
    pub header_timeout: std::time::Duration,
    /// The longest a request's body may take to arrive, counted from the end of its headers;
    /// past it the operation answers 408 `{"detail": "Request body not received in time."}` and
    /// the connection is closed. Default 30 s.
    pub body_timeout: std::time::Duration,
    /// After SIGTERM or SIGINT, how long the requests in flight may take to finish; the
    /// connections still open then are dropped and [`serve`] returns. Default 10 s.
    pub drain_timeout: std::time::Duration,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            header_timeout: std::time::Duration::from_secs(30),
            body_timeout: std::time::Duration::from_secs(30),
            drain_timeout: std::time::Duration::from_secs(10),
        }
    }
}

/// Serves `router` (HTTP/1.1) on `listener` until SIGTERM or SIGINT (Ctrl-C), with the header
/// and body timeouts of `config`, then stops as [`serve_with_shutdown`] does.
///
/// # Errors
///
/// When the signal handlers cannot be installed.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: axum::Router,
    config: ServeConfig,
) -> std::io::Result<()> {
    let signal = shutdown_signal()?;
    serve_with_shutdown(listener, router, config, async move {
        let name = signal.await;
        tracing::info!(signal = name, "stopping");
    })
    .await
}

/// Installs handlers for SIGTERM and SIGINT (Ctrl-C; only it elsewhere than on Unix) and
/// returns a future that ends with the name of the first one received.
///
/// # Errors
///
/// When a handler cannot be installed.
pub fn shutdown_signal() -> std::io::Result<impl Future<Output = &'static str> + Send> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut terminate = signal(SignalKind::terminate())?;
        let mut interrupt = signal(SignalKind::interrupt())?;
        Ok(async move {
            tokio::select! {
                _ = terminate.recv() => "SIGTERM",
                _ = interrupt.recv() => "SIGINT",
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async move {
            match tokio::signal::ctrl_c().await {
                Ok(()) => "Ctrl-C",
                Err(_) => std::future::pending().await,
            }
        })
    }
}

/// Serves `router` (HTTP/1.1) on `listener` until `shutdown` ends: each connection gets
/// [`ServeConfig::header_timeout`], each request body [`ServeConfig::body_timeout`]. Then it
/// stops accepting, lets the requests in flight finish and closes idle connections, for at most
/// [`ServeConfig::drain_timeout`]; the connections still open after that are dropped, and it
/// returns.
///
/// # Errors
///
/// None yet: a failed accept is logged and retried; the `Result` leaves room for setup errors.
pub async fn serve_with_shutdown(
    listener: tokio::net::TcpListener,
    router: axum::Router,
    config: ServeConfig,
    shutdown: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(config.header_timeout);
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let mut connections = tokio::task::JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, _peer) = tokio::select! {
            () = &mut shutdown => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    accept_failed(&e).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let body_timeout = config.body_timeout;
        let router = router.clone();
        let service =
            hyper::service::service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                let deadline = tokio::time::Instant::now() + body_timeout;
                let request =
                    request.map(|body| Body::new(DeadlineBody::new(body, deadline, body_timeout)));
                tower_service::Service::call(&mut router.clone(), request)
            });
        let connection = http.serve_connection(hyper_util::rt::TokioIo::new(stream), service);
        let mut stopping = stopping.clone();
        connections.spawn(async move {
            let mut connection = std::pin::pin!(connection);
            let ended = tokio::select! {
                ended = connection.as_mut() => ended,
                _ = stopping.changed() => {
                    // Finish the request in flight, if any, then close.
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(e) = ended {
                tracing::debug!(error = %e, "connection ended");
            }
        });
    }
    drop(listener);
    let _ = stop.send(true);
    let open = connections.len();
    let drained = tokio::time::timeout(config.drain_timeout, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    match drained {
        Ok(()) => tracing::info!(connections = open, "stopped"),
        Err(_) => {
            tracing::warn!(
                dropped = connections.len(),
                "connections still open after the drain timeout; dropping them"
            );
            connections.shutdown().await;
        }
    }
    Ok(())
}

/// A failed accept: a connection reset before it was accepted is nothing; anything else (out
/// of file descriptors) is logged, and the next accept waits a little, so as not to spin.
async fn accept_failed(error: &std::io::Error) {
    use std::io::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset | ErrorKind::ConnectionRefused
    ) {
        return;
    }
    tracing::error!(error = %error, "accept failed");
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
}

/// A request body read past its deadline.
#[derive(Debug)]
struct BodyTimeout(std::time::Duration);

impl std::fmt::Display for BodyTimeout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "request body not received within {:?}", self.0)
    }
}

impl std::error::Error for BodyTimeout {}

/// A request body that fails with [`BodyTimeout`] once `deadline` has passed. The whole body
/// counts, not each read: a client sending a byte now and then does not keep it open. The timer
/// is only made when a read has to wait, so a body already received costs nothing.
struct DeadlineBody<B> {
    body: B,
    deadline: tokio::time::Instant,
    timeout: std::time::Duration,
    sleep: Option<std::pin::Pin<Box<tokio::time::Sleep>>>,
}

impl<B> DeadlineBody<B> {
    fn new(body: B, deadline: tokio::time::Instant, timeout: std::time::Duration) -> Self {
        DeadlineBody {
            body,
            deadline,
            timeout,
            sleep: None,
        }
    }
}

impl<B> axum::body::HttpBody for DeadlineBody<B>
where
    B: axum::body::HttpBody<Data = axum::body::Bytes> + Unpin,
    B::Error: Into<axum::BoxError>,
{
    type Data = axum::body::Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Self::Data>, Self::Error>>> {
        use std::task::Poll;
        let this = &mut *self;
        if let Poll::Ready(frame) = std::pin::Pin::new(&mut this.body).poll_frame(cx) {
            return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
        }
        let deadline = this.deadline;
        let sleep = this
            .sleep
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        match sleep.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Some(Err(Box::new(BodyTimeout(this.timeout))))),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.body.size_hint()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_page_that_is_not_a_page_number_is_not_found() {
        for ok in [
            None,
            Some(""),
            Some("page=2"),
            Some("page=abc&page=3"),
            Some("page="),
        ] {
            assert!(page_number(ok).is_ok(), "{ok:?}");
        }
        for bad in ["page=abc", "page=0", "page=-1", "page=1.5", "page=2&page=x"] {
            let answer = page_number(Some(bad)).unwrap_err();
            assert_eq!(answer.status(), StatusCode::NOT_FOUND, "{bad}");
        }
    }

    #[test]
    fn merged_routes_answer_404_for_what_none_mounts_and_500_for_a_panic() {
        let ok = axum::Router::new().route("/a/", axum::routing::get(|| async { "a" }));
        let panics = axum::Router::new().route(
            "/b/",
            axum::routing::get(|| async {
                if true {
                    panic!("a bug in the service");
                }
                "b"
            }),
        );
        let mut router = Routes::new()
            .merge(Routes::from(ok))
            .merge(Routes::from(panics))
            .into_router();
        let mut get = |path: &str| {
            let request = axum::http::Request::get(path).body(Body::empty()).unwrap();
            let response =
                block_on(tower_service::Service::call(&mut router, request)).unwrap();
            let status = response.status();
            let body = block_on(http_body_util::BodyExt::collect(response.into_body()));
            (status, String::from_utf8(body.unwrap().to_bytes().to_vec()).unwrap())
        };
        assert_eq!(get("/a/"), (StatusCode::OK, "a".to_owned()));
        assert_eq!(
            get("/c/"),
            (StatusCode::NOT_FOUND, r#"{"detail":"Not found."}"#.to_owned())
        );
        assert_eq!(
            get("/b/"),
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                r#"{"detail":"A server error occurred."}"#.to_owned()
            )
        );
    }

    #[test]
    fn a_refusal_to_a_missing_object_is_not_found() {
        let refusal = || detail(StatusCode::BAD_REQUEST, "refused");
        assert_eq!(
            refusal_unless_missing(Ok(true), refusal()).status(),
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            refusal_unless_missing(Ok(false), refusal()).status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            refusal_unless_missing(Err(ApiError::PermissionDenied), refusal()).status(),
            StatusCode::FORBIDDEN
        );
        // The lookup runs only for a refusal.
        let checked = block_on(unless_missing(Ok(7), || async {
            unreachable!("no lookup for a request that was not refused")
        }));
        assert_eq!(checked.ok(), Some(7));
        let missing = block_on(unless_missing::<u8, _>(Err(refusal()), || async { Ok(false) }));
        assert_eq!(missing.unwrap_err().status(), StatusCode::NOT_FOUND);
    }

    #[test]
    fn required_query_values_and_unnamed_statuses() {
        let pairs = vec![("a".to_owned(), String::new()), ("b".to_owned(), "x".to_owned())];
        let mut errors = ValidationErrors::new();
        require::<i64>(&None, &pairs, "a", &mut errors);
        // `b` has a value that did not parse: its own message stands alone.
        require::<i64>(&None, &pairs, "b", &mut errors);
        require(&Some(1), &pairs, "c", &mut errors);
        assert_eq!(
            serde_json::to_value(&errors).unwrap(),
            serde_json::json!({ "a": ["This field is required."] })
        );
        assert_eq!(status_code(299).as_u16(), 299);
        assert!(valid(Ok(())).is_ok());
        let mut failed = ValidationErrors::new();
        failed.add_message("x", "bad");
        assert_eq!(valid(Err(failed)).unwrap_err().status(), StatusCode::BAD_REQUEST);
    }

    #[test]
    fn only_plain_strings_take_the_fast_path() {
        assert!(plain_strings(
            br#"{"name": "a b", "n": 1, "q": "say \"hi\" now"}"#
        ));
        assert!(plain_strings(b"{}"));
        assert!(!plain_strings(br#"{"name": " padded"}"#));
        assert!(!plain_strings(br#"{"name": "padded "}"#));
        assert!(!plain_strings(br#"{"name": "tab\t"}"#));
        assert!(!plain_strings(br#"{"name": "a\u0000b"}"#));
        assert!(!plain_strings("{\"name\": \"caf\u{e9}\"}".as_bytes()));
        assert!(!plain_strings(br#"{"name": "unterminated}"#));
    }

    use super::*;
    use serde_json::json;
    use std::collections::BTreeMap;

    /// Runs a future that needs no I/O driver (no tokio runtime) to completion on this thread.
    fn block_on<F: Future>(future: F) -> F::Output {
        struct Unpark(std::thread::Thread);
        impl std::task::Wake for Unpark {
            fn wake(self: std::sync::Arc<Self>) {
                self.0.unpark();
            }
        }
        let waker = std::task::Waker::from(std::sync::Arc::new(Unpark(std::thread::current())));
        let mut context = std::task::Context::from_waker(&waker);
        let mut future = std::pin::pin!(future);
        loop {
            if let std::task::Poll::Ready(output) = future.as_mut().poll(&mut context) {
                return output;
            }
            std::thread::park();
        }
    }

    /// A response's status and JSON body (`null` when it has none).
    fn answer(response: Response) -> (StatusCode, serde_json::Value) {
        let status = response.status();
        let bytes = block_on(axum::body::to_bytes(response.into_body(), usize::MAX)).unwrap();
        let body = if bytes.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap()
        };
        (status, body)
    }

    #[test]
    fn path_and_query_values_parse_as_django_reads_them() {
        assert_eq!(i64::from_param(" -12 "), Ok(-12));
        assert_eq!(i64::from_param("99999999999999999999"), Ok(i64::MAX));
        assert_eq!(i32::from_param("-3000000000"), Ok(i32::MIN));
        for bad in ["", "1.5", "+", "1e3", "x"] {
            assert_eq!(
                i64::from_param(bad),
                Err("Enter a whole number.".to_owned()),
                "{bad}"
            );
        }
        assert_eq!(f64::from_param("2.5"), Ok(2.5));
        assert_eq!(f64::from_param("inf"), Err("Enter a number.".to_owned()));
        assert_eq!(bool::from_param("True"), Ok(true));
        assert_eq!(bool::from_param("0"), Ok(false));
        assert_eq!(
            bool::from_param("yes"),
            Err("Select a valid choice. yes is not one of the available choices.".to_owned())
        );
        assert_eq!(
            uuid::Uuid::from_param("not-a-uuid"),
            Err("Enter a valid UUID.".to_owned())
        );
        assert!(uuid::Uuid::from_param("b9b1e4c2-8c8e-4f0e-9f5e-3c4a1d2e5f60").is_ok());
        assert_eq!(
            chrono::DateTime::<chrono::FixedOffset>::from_param("yesterday"),
            Err("Enter a valid date/time.".to_owned())
        );
        assert!(
            chrono::DateTime::<chrono::FixedOffset>::from_param("2024-01-02T03:04:05Z").is_ok()
        );
        assert_eq!(String::from_param("a b"), Ok("a b".to_owned()));
    }

    #[test]
    fn query_strings_parse_into_values_and_messages() {
        let pairs = query_pairs(Some("page=1&search=a%20b&page=3&id=1&id=2&tag=x,y&bad=z"));
        assert_eq!(pairs[1], ("search".to_owned(), "a b".to_owned()));
        let mut errors = ValidationErrors::new();
        // The last value of a repeated parameter wins.
        assert_eq!(query_one::<i64>(&pairs, "page", &mut errors), Some(3));
        assert_eq!(query_one::<i64>(&pairs, "missing", &mut errors), None);
        assert_eq!(
            query_many::<i64>(&pairs, "id", Explode::Repeat, &mut errors),
            Some(vec![1, 2])
        );
        assert_eq!(
            query_many::<String>(&pairs, "tag", Explode::Commas, &mut errors),
            Some(vec!["x".to_owned(), "y".to_owned()])
        );
        assert_eq!(
            query_many::<i64>(&pairs, "missing", Explode::Repeat, &mut errors),
            None
        );
        assert!(errors.is_empty());
        assert_eq!(query_one::<i64>(&pairs, "bad", &mut errors), None);
        assert_eq!(query_many::<bool>(&pairs, "tag", Explode::Commas, &mut errors), None);
        assert_eq!(
            errors.to_json(),
            json!({
                "bad": ["Enter a whole number."],
                "tag": ["Select a valid choice. x is not one of the available choices."],
            })
        );
        assert!(query_pairs(None).is_empty());
    }

    #[test]
    fn errors_answer_with_drf_bodies() {
        let cases = [
            (ApiError::NotFound, StatusCode::NOT_FOUND, "Not found."),
            (
                ApiError::InvalidPage,
                StatusCode::NOT_FOUND,
                "Invalid page.",
            ),
            (
                ApiError::PermissionDenied,
                StatusCode::FORBIDDEN,
                PERMISSION_DENIED,
            ),
            (
                ApiError::internal("disk full"),
                StatusCode::INTERNAL_SERVER_ERROR,
                "A server error occurred.",
            ),
        ];
        for (error, status, message) in cases {
            assert_eq!(
                answer(error.into_response()),
                (status, json!({ "detail": message }))
            );
        }
        let response = method_not_allowed(&Method::PUT, "GET, POST");
        assert_eq!(response.headers()[header::ALLOW], "GET, POST");
        assert_eq!(
            answer(response),
            (
                StatusCode::METHOD_NOT_ALLOWED,
                json!({ "detail": "Method \"PUT\" not allowed." })
            )
        );
        assert_eq!(
            answer(block_on(not_found())),
            (StatusCode::NOT_FOUND, json!({ "detail": "Not found." }))
        );
        let mut errors = ValidationErrors::new();
        errors.add_message("name", "This field is required.");
        assert_eq!(
            answer(validation_failed(&errors)),
            (
                StatusCode::BAD_REQUEST,
                json!({ "name": ["This field is required."] })
            )
        );
        assert_eq!(
            answer(empty_response(StatusCode::NO_CONTENT)),
            (StatusCode::NO_CONTENT, serde_json::Value::Null)
        );
        let bytes = bytes_response(StatusCode::OK, "text/plain", b"hi".to_vec());
        assert_eq!(bytes.headers()[header::CONTENT_TYPE], "text/plain");
        assert_eq!(RouterConfig::default().body_limit, 1024 * 1024);
    }

    struct Tokens;

    impl Authenticate for Tokens {
        type Principal = String;

        fn authenticate(
            &self,
            token: &str,
        ) -> impl Future<Output = Result<String, AuthError>> + Send {
            let result = match token {
                "good" => Ok("alice".to_owned()),
                "limited" => Err(AuthError::PermissionDenied),
                _ => Err(AuthError::InvalidToken),
            };
            async move { result }
        }
    }

    fn auth(value: Option<&'static str>) -> Result<String, (StatusCode, serde_json::Value)> {
        let mut headers = HeaderMap::new();
        if let Some(value) = value {
            headers.insert(header::AUTHORIZATION, HeaderValue::from_static(value));
        }
        block_on(authenticate(&Tokens, &headers)).map_err(answer)
    }

    #[test]
    fn bearer_tokens_are_checked_as_authentik_checks_them() {
        assert_eq!(auth(Some("Bearer good")), Ok("alice".to_owned()));
        assert_eq!(auth(Some("bearer  good ")), Ok("alice".to_owned()));
        let refused = |detail: &str| Err((StatusCode::FORBIDDEN, json!({ "detail": detail })));
        assert_eq!(
            auth(None),
            refused("Authentication credentials were not provided.")
        );
        for bad in ["Basic good", "Bearer", "Bearer  ", "Bearer other"] {
            assert_eq!(auth(Some(bad)), refused("Token invalid/expired"), "{bad}");
        }
        assert_eq!(auth(Some("Bearer limited")), refused(PERMISSION_DENIED));
    }

    type Counts = BTreeMap<String, i64>;

    fn body(
        content_type: Option<&'static str>,
        text: &'static str,
        required: bool,
    ) -> Result<Option<Counts>, (StatusCode, serde_json::Value)> {
        let mut headers = HeaderMap::new();
        if let Some(content_type) = content_type {
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        }
        let read = async {
            if required {
                json_body(&headers, Body::from(text), 32).await.map(Some)
            } else {
                optional_json_body(&headers, Body::from(text), 32).await
            }
        };
        block_on(read).map_err(answer)
    }

    #[test]
    fn json_bodies_are_read_and_refused_as_drf_refuses_them() {
        const JSON: Option<&str> = Some("application/json; charset=utf-8");
        let counts = Counts::from([("a".to_owned(), 1)]);
        assert_eq!(body(JSON, r#"{"a": 1}"#, true), Ok(Some(counts)));
        assert_eq!(
            body(JSON, r#"{"a": "x"}"#, true),
            Err((
                StatusCode::BAD_REQUEST,
                json!({ "a": ["A valid integer is required."] })
            ))
        );
        assert_eq!(
            body(JSON, "[1]", true),
            Err((
                StatusCode::BAD_REQUEST,
                json!({ "non_field_errors": ["Invalid data. Expected a dictionary, but got list."] })
            ))
        );
        let (status, malformed) = body(JSON, r#"{"a": "#, true).unwrap_err();
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(
            malformed["detail"]
                .as_str()
                .is_some_and(|d| d.starts_with("JSON parse error - ")),
            "{malformed}"
        );
        assert_eq!(
            body(Some("text/plain"), "a=1", true),
            Err((
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                json!({ "detail": "Unsupported media type \"text/plain\" in request." })
            ))
        );
        assert_eq!(
            body(None, "{}", true).unwrap_err().1,
            json!({ "detail": "Unsupported media type \"\" in request." })
        );
        assert_eq!(
            body(JSON, r#"{"a": 1, "b": 2, "c": 3, "d": 4, "e": 5}"#, true)
                .unwrap_err()
                .0,
            StatusCode::PAYLOAD_TOO_LARGE
        );
        // No body: an empty object when required (each required field is then reported),
        // nothing when optional.
        assert_eq!(body(None, "", true), Ok(Some(Counts::new())));
        assert_eq!(body(JSON, "", false), Ok(None));
    }

    #[test]
    fn raw_bodies_keep_their_media_type() {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv"));
        let raw = block_on(raw_body(&headers, Body::from("a,b"), 16)).unwrap();
        assert_eq!(raw.content_type, "text/csv");
        assert_eq!(&raw.bytes[..], b"a,b");
        assert_eq!(
            block_on(raw_body(&headers, Body::empty(), 16)).map_err(answer),
            Err((
                StatusCode::BAD_REQUEST,
                json!({ "non_field_errors": ["No data provided"] })
            ))
        );
        assert_eq!(
            block_on(optional_raw_body(&headers, Body::empty(), 16)).map_err(answer),
            Ok(None)
        );
    }

    #[test]
    fn decoding_failures_name_the_field_inside_lists_and_objects() {
        let value = json!({ "list": [{}, { "slug": "x" }], "inner": { "n": null } });
        let list = serde_path_to_error::deserialize::<
            _,
            BTreeMap<String, Vec<BTreeMap<String, u32>>>,
        >(&json!({ "list": value["list"] }))
        .unwrap_err();
        assert_eq!(
            field_error(&value, list).to_json(),
            json!({ "list": [{}, { "slug": ["A valid integer is required."] }] })
        );
        let inner =
            serde_path_to_error::deserialize::<_, BTreeMap<String, BTreeMap<String, bool>>>(
                &json!({ "inner": value["inner"] }),
            )
            .unwrap_err();
        assert_eq!(
            field_error(&value, inner).to_json(),
            json!({ "inner": { "n": ["This field may not be null."] } })
        );
        assert_eq!(
            type_message(Some(&json!({})), "invalid type: map, expected a sequence"),
            "Expected a list of items but got type \"dict\"."
        );
        assert_eq!(
            type_message(
                Some(&json!(1)),
                "invalid type: integer `1`, expected a string"
            ),
            "Not a valid string."
        );
    }

    #[test]
    fn a_request_is_answered_as_its_handling_answers() {
        let request = axum::extract::Request::new(Body::empty());
        let served = block_on(traced(span("op", &request), async {
            Ok(empty_response(StatusCode::OK))
        }));
        assert_eq!(served.status(), StatusCode::OK);
        let refused = block_on(traced(span("op", &request), async {
            Err::<Response, _>(detail(StatusCode::FORBIDDEN, "no"))
        }));
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
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

    /// A body that is never ready: reading it waits for ever.
    struct Stalled;

    impl axum::body::HttpBody for Stalled {
        type Data = axum::body::Bytes;
        type Error = std::io::Error;

        fn poll_frame(
            self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Result<hyper::body::Frame<Self::Data>, Self::Error>>> {
            std::task::Poll::Pending
        }
    }

    #[test]
    fn a_declared_length_over_the_limit_is_refused_before_reading() {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from_static("33"));
        // The body is never ready: answering at all shows it was not read.
        let refused = block_on(read_body(&headers, Body::new(Stalled), 32)).unwrap_err();
        assert_eq!(refused.headers()[header::CONNECTION], "close");
        assert_eq!(
            answer(refused),
            (
                StatusCode::PAYLOAD_TOO_LARGE,
                json!({ "detail": "Request body is larger than 32 bytes." })
            )
        );
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from_static("32"));
        let body = Body::from(vec![b' '; 32]);
        assert_eq!(block_on(read_body(&headers, body, 32)).unwrap().len(), 32);
    }

    #[tokio::test]
    async fn unreadable_bodies_answer_for_their_cause() {
        let cases: [(axum::BoxError, StatusCode, &str); 3] = [
            (
                axum::body::to_bytes(Body::from(vec![b' '; 64]), 32)
                    .await
                    .unwrap_err()
                    .into_inner(),
                StatusCode::PAYLOAD_TOO_LARGE,
                "Request body is larger than 32 bytes.",
            ),
            (
                Box::new(BodyTimeout(std::time::Duration::from_secs(1))),
                StatusCode::REQUEST_TIMEOUT,
                "Request body not received in time.",
            ),
            (
                Box::new(std::io::Error::other("invalid chunk size line")),
                StatusCode::BAD_REQUEST,
                "Malformed request.",
            ),
        ];
        for (cause, status, message) in cases {
            // As axum hands it over: wrapped, inside another wrapping.
            let error = axum::Error::new(axum::Error::new(cause));
            let response = body_error(&error, 32);
            assert_eq!(response.headers()[header::CONNECTION], "close");
            assert_eq!(answer(response), (status, json!({ "detail": message })));
        }
    }

    #[tokio::test]
    async fn a_body_past_its_deadline_fails_and_a_received_one_does_not_wait() {
        use std::time::{Duration, Instant};
        let timeout = Duration::from_millis(50);
        let started = Instant::now();
        let deadline = tokio::time::Instant::now() + timeout;
        let stalled = Body::new(DeadlineBody::new(Stalled, deadline, timeout));
        let answer = read_body(&HeaderMap::new(), stalled, 32).await.unwrap_err();
        assert_eq!(answer.status(), StatusCode::REQUEST_TIMEOUT);
        assert!(started.elapsed() >= timeout, "{:?}", started.elapsed());
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
        // A deadline already past does not matter to a body that is there.
        let past = tokio::time::Instant::now();
        let received = Body::new(DeadlineBody::new(Body::from("{}"), past, timeout));
        assert_eq!(
            &read_body(&HeaderMap::new(), received, 32).await.unwrap()[..],
            b"{}"
        );
    }

    #[tokio::test]
    async fn a_stop_drops_stalled_connections_after_the_drain_timeout() {
        use std::io::Write as _;
        use std::time::{Duration, Instant};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let config = ServeConfig {
            drain_timeout: Duration::from_millis(200),
            ..ServeConfig::default()
        };
        assert_eq!(config.header_timeout, Duration::from_secs(30));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(serve_with_shutdown(
            listener,
            axum::Router::new(),
            config,
            async move {
                let _ = stopped.await;
            },
        ));
        // Half a request's headers, then nothing.
        let mut client = std::net::TcpStream::connect(address).unwrap();
        client.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
        let started = Instant::now();
        stop.send(()).unwrap();
        tokio::time::timeout(Duration::from_secs(5), server)
            .await
            .expect("serve returns after the drain timeout")
            .unwrap()
            .unwrap();
        let took = started.elapsed();
        assert!(took >= Duration::from_millis(200), "{took:?}");
        assert!(took < Duration::from_secs(2), "{took:?}");
    }
}
