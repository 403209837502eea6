//! Reading a request body: the whole of it within the router's limit, with authentik's answers
//! for one too large, too slow or malformed, and bodies the router keeps as they came
//! ([`RawBody`]).

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;

use super::deadline::BodyTimeout;
use super::responses::{detail, validation_failed};
use super::ValidationErrors;

/// 400 for a required body that is missing.
pub(super) fn body_required() -> Response {
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
pub(super) async fn raw_body(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
) -> Result<RawBody, Response> {
    optional_raw_body(headers, body, limit)
        .await?
        .ok_or_else(body_required)
}

/// [`raw_body`] for an optional body: `Ok(None)` when empty.
pub(super) async fn optional_raw_body(
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
/// [`ServeConfig::body_timeout`](super::ServeConfig::body_timeout) (under
/// [`serve`](super::serve)) answers 408, and one that is not valid HTTP (a malformed chunk) or
/// is cut off answers 400 `{"detail": "Malformed request."}`, as DRF's `ParseError` does; both
/// close the connection, whose unread rest cannot be trusted.
pub(super) async fn read_body(
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

#[cfg(test)]
mod tests {
    use super::super::testing::{answer, block_on, Stalled};
    use super::*;
    use serde_json::json;

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
}
