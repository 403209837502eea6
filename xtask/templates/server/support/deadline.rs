//! The body timeout: a request body that fails with [`BodyTimeout`] once its deadline has
//! passed ([`DeadlineBody`]), which the body reader answers with 408.

use std::future::Future;

/// A request body read past its deadline.
#[derive(Debug)]
pub(super) struct BodyTimeout(pub(super) std::time::Duration);

impl std::fmt::Display for BodyTimeout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "request body not received within {:?}", self.0)
    }
}

impl std::error::Error for BodyTimeout {}

/// A request body that fails with [`BodyTimeout`] once `deadline` has passed. The whole body
/// counts, not each read: a client sending a byte now and then does not keep it open. The timer
/// is only made when a read has to wait, so a body already received costs nothing.
pub(super) struct DeadlineBody<B> {
    body: B,
    deadline: tokio::time::Instant,
    timeout: std::time::Duration,
    sleep: Option<std::pin::Pin<Box<tokio::time::Sleep>>>,
}

impl<B> DeadlineBody<B> {
    /// `body`, failing with a [`BodyTimeout`] of `timeout` once `deadline` has passed.
    pub(super) fn new(
        body: B,
        deadline: tokio::time::Instant,
        timeout: std::time::Duration,
    ) -> Self {
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
    use super::super::body::read_body;
    use super::super::testing::Stalled;
    use super::*;
    use axum::body::Body;
    use axum::http::{HeaderMap, StatusCode};

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
}
