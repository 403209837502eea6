//! Tracing: each operation runs in a span of its own and logs one event when it has answered.

use std::future::Future;

use axum::response::{IntoResponse, Response};

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

#[cfg(test)]
mod tests {
    use super::super::responses::{detail, empty_response};
    use super::super::testing::block_on;
    use super::*;
    use axum::body::Body;
    use axum::http::StatusCode;

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
    }
}
