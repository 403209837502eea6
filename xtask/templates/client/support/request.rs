//! Sending: what the generated methods hand the [`Client`] (the path with its segments encoded,
//! the query pairs, the body encoded and checked), and the request it sends for them.

use std::borrow::Cow;
use std::fmt;

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, USER_AGENT};

use super::client::{Client, Http};
use super::{Answer, Error, Failure, ToParam, ValidationErrors};

impl Client {
    /// A JSON request body, encoded after its type's `validate()` (unless
    /// [`ClientBuilder::validate_requests`](super::ClientBuilder::validate_requests) turned it
    /// off) found nothing.
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] with what `validate()` found, or [`Error::Encode`]; nothing is sent
    /// then.
    #[doc(hidden)]
    pub fn json<T: serde::Serialize>(
        &self,
        body: &T,
        validate: fn(&T) -> Result<(), ValidationErrors>,
    ) -> Result<Payload, Failure> {
        if self.validate {
            validate(body).map_err(|errors| Failure(Error::Invalid(errors)))?;
        }
        json(body)
    }

    /// [`Client::json`] for an optional body: without one, the request has none.
    ///
    /// # Errors
    ///
    /// As [`Client::json`].
    #[doc(hidden)]
    pub fn optional_json<T: serde::Serialize>(
        &self,
        body: Option<&T>,
        validate: fn(&T) -> Result<(), ValidationErrors>,
    ) -> Result<Payload, Failure> {
        body.map_or(Ok(Payload::None), |body| self.json(body, validate))
    }

    /// One operation: sends the request and reads its answer with `read`. The generated
    /// methods are plain functions that build the request's parts (path, query, encoded and
    /// checked body) and return this future, which borrows nothing but the client. It is
    /// boxed: proving each operation's future `Send` then takes one look at a `dyn Future +
    /// Send`, not a walk through every state of the HTTP stack below (half of the crate's
    /// check time when each operation was an `async fn`); one allocation beside a request's
    /// many.
    ///
    /// The path is a fixed `&'static str` or one built with its parameters (a `String`): the
    /// fixed one is not copied.
    #[doc(hidden)]
    pub fn call_with<'a, T: Send + 'a, E: Send + 'a>(
        &'a self,
        method: reqwest::Method,
        path: impl Into<Cow<'static, str>>,
        query: Vec<(&'static str, String)>,
        payload: Result<Payload, Failure>,
        read: fn(Answer) -> Result<T, Error<E>>,
    ) -> Call<'a, T, E> {
        self.boxed(method, path.into(), query, payload, read)
    }

    /// [`Client::call_with`]'s future, generic over the answer's types only.
    fn boxed<'a, T: Send + 'a, E: Send + 'a>(
        &'a self,
        method: reqwest::Method,
        path: Cow<'static, str>,
        query: Vec<(&'static str, String)>,
        payload: Result<Payload, Failure>,
        read: fn(Answer) -> Result<T, Error<E>>,
    ) -> Call<'a, T, E> {
        Box::pin(async move {
            let answer = self.execute(method, &path, &query, payload?).await?;
            read(answer)
        })
    }

    /// [`Client::call_with`] for an operation without query parameters or body.
    #[doc(hidden)]
    pub fn call<'a, T: Send + 'a, E: Send + 'a>(
        &'a self,
        method: reqwest::Method,
        path: impl Into<Cow<'static, str>>,
        read: fn(Answer) -> Result<T, Error<E>>,
    ) -> Call<'a, T, E> {
        self.boxed(method, path.into(), Vec::new(), Ok(Payload::None), read)
    }

    /// [`Client::call_with`] for an operation with a body but no query parameters.
    #[doc(hidden)]
    pub fn send<'a, T: Send + 'a, E: Send + 'a>(
        &'a self,
        method: reqwest::Method,
        path: impl Into<Cow<'static, str>>,
        payload: Result<Payload, Failure>,
        read: fn(Answer) -> Result<T, Error<E>>,
    ) -> Call<'a, T, E> {
        self.boxed(method, path.into(), Vec::new(), payload, read)
    }

    /// Sends one request and reads its whole answer. Used by the generated methods.
    ///
    /// # Errors
    ///
    /// [`Error::Timeout`] or [`Error::Transport`] when no whole answer arrived.
    #[doc(hidden)]
    pub async fn execute(
        &self,
        method: reqwest::Method,
        path: &str,
        query: &[(&'static str, String)],
        body: Payload,
    ) -> Result<Answer, Failure> {
        let url = self.url_for(path, query);
        let started = std::time::Instant::now();
        // One event per request: method, path, status, size, time. Never the query, a header or a
        // body: they may hold the token or secrets.
        let failed = |error: Error<std::convert::Infallible>| {
            tracing::debug!(method = %method, path, error = %error, elapsed_ms = started.elapsed().as_millis() as u64, "authentik request failed");
            Failure(error)
        };
        let response = self
            .send_request(method.clone(), url, body)
            .await
            .map_err(failed)?;
        let status = response.status();
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = response
            .bytes()
            .await
            .map_err(|error| failed(Error::from_reqwest(error)))?;
        tracing::debug!(method = %method, path, status = status.as_u16(), bytes = body.len(), elapsed_ms = started.elapsed().as_millis() as u64, "authentik answered");
        Ok(Answer {
            status,
            content_type,
            body: body.to_vec(),
        })
    }

    /// The URL of `path` under the base URL, with the `query` pairs percent-encoded.
    fn url_for(&self, path: &str, query: &[(&'static str, String)]) -> String {
        let mut url = String::with_capacity(self.base_url.len() + path.len() + 16);
        url.push_str(&self.base_url);
        url.push_str(path);
        if !query.is_empty() {
            let mut pairs = form_urlencoded::Serializer::new(String::new());
            for (key, value) in query {
                pairs.append_pair(key, value);
            }
            url.push('?');
            url.push_str(&pairs.finish());
        }
        url
    }

    /// Sends one request through the HTTP client, with the client's user agent, token and
    /// timeout; the response, once its head has arrived.
    async fn send_request(
        &self,
        method: reqwest::Method,
        url: String,
        body: Payload,
    ) -> Result<reqwest::Response, Error<std::convert::Infallible>> {
        // The same request for either client: their builders have the same methods.
        macro_rules! prepare {
            ($builder:expr) => {{
                let mut request = $builder.header(USER_AGENT, self.user_agent.clone());
                if let Some(token) = &self.token {
                    request = request.header(AUTHORIZATION, token.clone());
                }
                if let Some(timeout) = self.timeout {
                    request = request.timeout(timeout);
                }
                match body {
                    Payload::None => request,
                    Payload::Json(bytes) => {
                        request.header(CONTENT_TYPE, "application/json").body(bytes)
                    }
                    Payload::Raw(raw) => request
                        .header(CONTENT_TYPE, raw.content_type)
                        .body(raw.bytes),
                }
            }};
        }
        match &self.http.0 {
            Http::Plain(http) => prepare!(http.request(method, url))
                .send()
                .await
                .map_err(Error::from_reqwest),
            #[cfg(feature = "middleware")]
            Http::Middleware(http) => prepare!(http.request(method, url))
                .send()
                .await
                .map_err(|error| match error {
                    reqwest_middleware::Error::Reqwest(error) => Error::from_reqwest(error),
                    reqwest_middleware::Error::Middleware(error) => Error::Middleware(error.into()),
                }),
        }
    }
}

/// The future of one operation, as [`Client`] returns it: boxed, so it is `Unpin` and names
/// no state machine of its own.
#[doc(hidden)]
pub type Call<'a, T, E> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<T, Error<E>>> + Send + 'a>>;

/// A request body, as the generated methods hand it to [`Client::execute`].
#[doc(hidden)]
#[derive(Debug)]
pub enum Payload {
    None,
    Json(Vec<u8>),
    Raw(RawBody),
}

/// A body sent as it is: `multipart/form-data` or `application/x-www-form-urlencoded` bodies,
/// which the client does not encode itself.
#[derive(Clone, PartialEq, Eq)]
pub struct RawBody {
    /// The `Content-Type` header, boundary included for multipart.
    pub content_type: String,
    pub bytes: Vec<u8>,
}

impl fmt::Debug for RawBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A body may hold secrets; only its size is shown.
        write!(
            f,
            "RawBody({}, {} bytes)",
            self.content_type,
            self.bytes.len()
        )
    }
}

/// Encodes a JSON request body.
///
/// # Errors
///
/// [`Error::Encode`], which only a map with non-text keys can cause.
#[doc(hidden)]
pub fn json<T: serde::Serialize>(body: &T) -> Result<Payload, Failure> {
    serde_json::to_vec(body)
        .map(Payload::Json)
        .map_err(|error| Failure(Error::Encode(error)))
}

/// A path segment: the value percent-encoded, so `/` or `?` in it cannot change the path.
#[doc(hidden)]
pub fn segment<T: ToParam>(value: T) -> String {
    let text = value.to_param();
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_are_percent_encoded() {
        assert_eq!(segment("a b/c?d#"), "a%20b%2Fc%3Fd%23");
        assert_eq!(segment("ä"), "%C3%A4");
        assert_eq!(segment("Az09-._~"), "Az09-._~");
        assert_eq!(segment(42_i64), "42");
    }

    #[test]
    fn json_bodies_are_encoded() {
        let Ok(Payload::Json(bytes)) = json(&serde_json::json!([1])) else {
            panic!("not encoded as JSON");
        };
        assert_eq!(bytes, b"[1]");
    }
}
