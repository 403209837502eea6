//! Answers in authentik's shapes: [`ApiError`], the errors any operation may answer, and the
//! responses the generated handlers build (JSON, empty, other media types, `{"detail": ...}`,
//! 400 with the field errors, 404, 405, 500).

use std::future::Future;

use axum::body::Body;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};

use super::ValidationErrors;

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

pub(super) const PERMISSION_DENIED: &str = "You do not have permission to perform this action.";

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
pub(super) fn valid(checked: Result<(), ValidationErrors>) -> Result<(), Response> {
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

#[cfg(test)]
mod tests {
    use super::super::testing::{answer, block_on};
    use super::super::RouterConfig;
    use super::*;
    use serde_json::json;

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
    fn unnamed_statuses_and_checked_bodies() {
        assert_eq!(status_code(299).as_u16(), 299);
        assert!(valid(Ok(())).is_ok());
        let mut failed = ValidationErrors::new();
        failed.add_message("x", "bad");
        assert_eq!(valid(Err(failed)).unwrap_err().status(), StatusCode::BAD_REQUEST);
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
}
