//! Runtime support for the generated client: the HTTP [`Client`], the [`Error`] every operation
//! returns, and what the generated methods share (URLs, query strings, sending, decoding, pages).
//!
//! Items hidden from the documentation are for the generated code only; they may change with any
//! regeneration.

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::time::Duration;

use futures_core::Stream;
use reqwest::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use serde::de::DeserializeOwned;

#[doc(hidden)]
pub use authentik_models::support::ToParam;
pub use authentik_models::support::{FieldError, ValidationErrors};
/// The reqwest this crate is built on, for [`ClientBuilder::http_client`].
pub use reqwest;
/// The reqwest-middleware this crate is built on (feature `middleware`), for
/// [`ClientBuilder::http_client`].
#[cfg(feature = "middleware")]
pub use reqwest_middleware;

/// The user agent sent unless [`ClientBuilder::user_agent`] sets another.
pub const DEFAULT_USER_AGENT: &str =
    concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));
/// How long a request may take, from sending to the last byte of the answer, by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// How long connecting may take by default.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How much of a body [`Error::Decode`] keeps to show.
const BODY_START: usize = 256;

/// Why a [`Client`] could not be built.
#[derive(Debug)]
pub enum BuildError {
    /// The base URL is not an absolute `http` or `https` URL.
    BaseUrl(String),
    /// The token or the user agent cannot be sent as a header value.
    Header(&'static str),
    /// reqwest could not build its client (TLS initialisation, or no TLS feature on: see the
    /// crate's `rustls` and `native-tls` features).
    Http(reqwest::Error),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::BaseUrl(why) => write!(f, "invalid base URL: {why}"),
            BuildError::Header(what) => {
                write!(f, "the {what} contains characters a header cannot carry")
            }
            BuildError::Http(e) => write!(f, "cannot build the HTTP client: {e}"),
        }
    }
}

impl std::error::Error for BuildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BuildError::Http(e) => Some(e),
            _ => None,
        }
    }
}

/// Sets up a [`Client`]: [`Client::builder`].
pub struct ClientBuilder {
    base_url: String,
    token: Option<String>,
    timeout: Option<Duration>,
    connect_timeout: Duration,
    user_agent: String,
    http: Option<HttpClient>,
    validate: bool,
}

/// The HTTP client a [`Client`] sends through, as [`ClientBuilder::http_client`] takes it: a
/// `reqwest::Client` (`From`), or, with the crate's `middleware` feature, a
/// `reqwest_middleware::ClientWithMiddleware` (retries, tracing, ... as its middleware does).
#[derive(Clone)]
pub struct HttpClient(Http);

#[derive(Clone)]
enum Http {
    Plain(reqwest::Client),
    #[cfg(feature = "middleware")]
    Middleware(reqwest_middleware::ClientWithMiddleware),
}

impl From<reqwest::Client> for HttpClient {
    fn from(http: reqwest::Client) -> Self {
        HttpClient(Http::Plain(http))
    }
}

#[cfg(feature = "middleware")]
impl From<reqwest_middleware::ClientWithMiddleware> for HttpClient {
    fn from(http: reqwest_middleware::ClientWithMiddleware) -> Self {
        HttpClient(Http::Middleware(http))
    }
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Http::Plain(_) => f.write_str("HttpClient(reqwest::Client)"),
            #[cfg(feature = "middleware")]
            Http::Middleware(_) => {
                f.write_str("HttpClient(reqwest_middleware::ClientWithMiddleware)")
            }
        }
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field(
                "token",
                &self
                    .token
                    .as_ref()
                    .map(|_| authentik_models::support::Redacted),
            )
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("user_agent", &self.user_agent)
            .field("http", &self.http)
            .field("validate", &self.validate)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// The bearer token sent with every request (`Authorization: Bearer <token>`).
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// The longest a request may take, answer included ([`DEFAULT_TIMEOUT`] unless set);
    /// `None` waits for ever. Applies to an injected client too.
    pub fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout;
        self
    }

    /// The longest connecting may take ([`DEFAULT_CONNECT_TIMEOUT`] unless set). An injected
    /// client keeps its own.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The `User-Agent` header ([`DEFAULT_USER_AGENT`] unless set).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Sends through this client instead of a new one: a `reqwest::Client` (its pool, proxy,
    /// TLS and cookie settings), or, with the `middleware` feature, a
    /// `reqwest_middleware::ClientWithMiddleware`, whose middleware (retries, tracing) then sees
    /// every request. The client's token, user agent and timeout are still set on each request.
    pub fn http_client(mut self, http: impl Into<HttpClient>) -> Self {
        self.http = Some(http.into());
        self
    }

    /// Whether request bodies are checked with the models' `validate()` before they are sent
    /// (on unless set). A body that fails is answered with [`Error::Invalid`], and nothing is sent.
    pub fn validate_requests(mut self, validate: bool) -> Self {
        self.validate = validate;
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    ///
    /// A base URL that is not absolute `http(s)`, a token or user agent that is not a valid
    /// header value, or a reqwest client that cannot start.
    pub fn build(self) -> Result<Client, BuildError> {
        let url = reqwest::Url::parse(&self.base_url)
            .map_err(|e| BuildError::BaseUrl(format!("{}: {e}", self.base_url)))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(BuildError::BaseUrl(format!(
                "{}: the scheme must be http or https",
                self.base_url
            )));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(BuildError::BaseUrl(format!(
                "{}: a base URL has no query or fragment",
                self.base_url
            )));
        }
        let token = match self.token {
            Some(token) => {
                let mut value = HeaderValue::from_str(&format!("Bearer {token}"))
                    .map_err(|_| BuildError::Header("token"))?;
                value.set_sensitive(true);
                Some(value)
            }
            None => None,
        };
        let user_agent = HeaderValue::from_str(&self.user_agent)
            .map_err(|_| BuildError::Header("user agent"))?;
        let http = match self.http {
            Some(http) => http,
            None => HttpClient(Http::Plain(
                reqwest::Client::builder()
                    .connect_timeout(self.connect_timeout)
                    .build()
                    .map_err(BuildError::Http)?,
            )),
        };
        Ok(Client {
            base_url: url.as_str().trim_end_matches('/').to_owned(),
            token,
            user_agent,
            timeout: self.timeout,
            http,
            validate: self.validate,
        })
    }
}

/// The HTTP client: every resource trait of this crate is implemented on it.
///
/// Cloning is cheap and shares the connection pool. `Debug` never shows the token.
#[derive(Clone)]
pub struct Client {
    base_url: String,
    token: Option<HeaderValue>,
    user_agent: HeaderValue,
    timeout: Option<Duration>,
    http: HttpClient,
    validate: bool,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url)
            .field(
                "token",
                &self
                    .token
                    .as_ref()
                    .map(|_| authentik_models::support::Redacted),
            )
            .field("user_agent", &self.user_agent)
            .field("timeout", &self.timeout)
            .field("http", &self.http)
            .field("validate", &self.validate)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client with the defaults, for `base_url` (the API root, such as
    /// `https://authentik.example.com/api/v3`) and an optional bearer token.
    ///
    /// # Errors
    ///
    /// As [`ClientBuilder::build`].
    pub fn new(base_url: impl Into<String>, token: Option<&str>) -> Result<Self, BuildError> {
        let builder = Self::builder(base_url);
        match token {
            Some(token) => builder.token(token).build(),
            None => builder.build(),
        }
    }

    /// A builder for `base_url` (the API root, with `/api/v3`).
    pub fn builder(base_url: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            base_url: base_url.into(),
            token: None,
            timeout: Some(DEFAULT_TIMEOUT),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            http: None,
            validate: true,
        }
    }

    /// The API root every path is appended to, without a trailing `/`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Whether request bodies are validated before sending.
    pub fn validates_requests(&self) -> bool {
        self.validate
    }

    /// A JSON request body, encoded after its type's `validate()` (unless
    /// [`ClientBuilder::validate_requests`] turned it off) found nothing.
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
    #[doc(hidden)]
    pub fn call_with<'a, T: Send + 'a, E: Send + 'a>(
        &'a self,
        method: reqwest::Method,
        path: String,
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
        path: String,
        read: fn(Answer) -> Result<T, Error<E>>,
    ) -> Call<'a, T, E> {
        self.call_with(method, path, Vec::new(), Ok(Payload::None), read)
    }

    /// [`Client::call_with`] for an operation with a body but no query parameters.
    #[doc(hidden)]
    pub fn send<'a, T: Send + 'a, E: Send + 'a>(
        &'a self,
        method: reqwest::Method,
        path: String,
        payload: Result<Payload, Failure>,
        read: fn(Answer) -> Result<T, Error<E>>,
    ) -> Call<'a, T, E> {
        self.call_with(method, path, Vec::new(), payload, read)
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
        let started = std::time::Instant::now();
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
        // One event per request: method, path, status, size, time. Never the query, a header or a
        // body: they may hold the token or secrets.
        let failed = |error: Error<std::convert::Infallible>| {
            tracing::debug!(method = %method, path, error = %error, elapsed_ms = started.elapsed().as_millis() as u64, "authentik request failed");
            Failure(error)
        };
        let response = match &self.http.0 {
            Http::Plain(http) => prepare!(http.request(method.clone(), url))
                .send()
                .await
                .map_err(Error::from_reqwest),
            #[cfg(feature = "middleware")]
            Http::Middleware(http) => prepare!(http.request(method.clone(), url))
                .send()
                .await
                .map_err(|error| match error {
                    reqwest_middleware::Error::Reqwest(error) => Error::from_reqwest(error),
                    reqwest_middleware::Error::Middleware(error) => Error::Middleware(error.into()),
                }),
        }
        .map_err(failed)?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = response
            .bytes()
            .await
            .map_err(|error| failed(Error::from_reqwest(error)))?;
        tracing::debug!(method = %method, path, status, bytes = body.len(), elapsed_ms = started.elapsed().as_millis() as u64, "authentik answered");
        Ok(Answer {
            status,
            content_type,
            body: body.to_vec(),
        })
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

/// One whole answer.
#[doc(hidden)]
#[derive(Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

impl fmt::Debug for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Answer")
            .field("status", &self.status)
            .field("content_type", &self.content_type)
            .field("body", &body_start(&self.body))
            .finish()
    }
}

impl Answer {
    /// Decodes the body as `T`, which the schema names `type_name`.
    ///
    /// # Errors
    ///
    /// [`Error::Decode`], naming the type, the place in the body and the body's start.
    pub fn decode<T: DeserializeOwned>(&self, type_name: &'static str) -> Result<T, Failure> {
        let decode_error = |message: String| {
            Failure(Error::Decode {
                status: self.status,
                type_name,
                message,
                body_start: body_start(&self.body),
            })
        };
        let mut de = serde_json::Deserializer::from_slice(&self.body);
        let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            decode_error(if path == "." || path.is_empty() {
                inner.to_string()
            } else {
                format!("at {path}: {inner}")
            })
        })?;
        de.end().map_err(|e| decode_error(e.to_string()))?;
        Ok(value)
    }

    /// The success value of an operation documenting one answer, `status` with a JSON body
    /// the schema names `type_name`.
    ///
    /// # Errors
    ///
    /// Any other status, as the operation's error enum `E` reads it; a body that is not a `T`.
    pub fn json<T: DeserializeOwned, E: FromAnswer>(
        self,
        status: u16,
        type_name: &'static str,
    ) -> Result<T, Error<E>> {
        if self.status == status {
            Ok(self.decode(type_name)?)
        } else {
            Err(E::from_answer(self))
        }
    }

    /// The success of an operation whose answer has no body: `status`, or any `2xx` when the
    /// schema documents none.
    ///
    /// # Errors
    ///
    /// Any other status, as the operation's error enum `E` reads it.
    pub fn empty<E: FromAnswer>(self, status: Option<u16>) -> Result<(), Error<E>> {
        let success = match status {
            Some(status) => self.status == status,
            None => (200..300).contains(&self.status),
        };
        if success {
            Ok(())
        } else {
            Err(E::from_answer(self))
        }
    }

    /// The body as it came, for a success whose media type is not JSON.
    ///
    /// # Errors
    ///
    /// Any other status, as the operation's error enum `E` reads it.
    pub fn bytes<E: FromAnswer>(self, status: u16) -> Result<Vec<u8>, Error<E>> {
        if self.status == status {
            Ok(self.body)
        } else {
            Err(E::from_answer(self))
        }
    }

    /// The error for an answer that is no success, as the operation's error enum `E` reads it.
    pub fn failure<E: FromAnswer>(self) -> Error<E> {
        E::from_answer(self)
    }

    /// A documented error: the body decoded as the `T` the schema names `type_name`, in the
    /// variant `variant` makes of it.
    pub fn documented<T: DeserializeOwned, E>(
        &self,
        variant: impl FnOnce(T) -> E,
        type_name: &'static str,
    ) -> Error<E> {
        match self.decode(type_name) {
            Ok(body) => Error::Api(variant(body)),
            Err(failure) => failure.into(),
        }
    }

    /// The error for a status the operation does not document.
    pub fn unexpected<E>(self) -> Error<E> {
        Error::UnexpectedStatus {
            status: self.status,
            content_type: self.content_type,
            body: self.body,
        }
    }
}

/// An operation's enum of documented errors (in the crate's `errors` module): which of its
/// variants an answer's status is, with the body decoded.
#[doc(hidden)]
pub trait FromAnswer: Sized {
    /// The documented error the answer's status names, or [`Error::UnexpectedStatus`].
    fn from_answer(answer: Answer) -> Error<Self>;
}

/// What went wrong apart from a documented error: every [`Error`] but `Api`, for any operation.
/// `?` turns it into the operation's own `Error<E>`.
#[doc(hidden)]
#[derive(Debug)]
pub struct Failure(Error<std::convert::Infallible>);

impl<E> From<Failure> for Error<E> {
    fn from(failure: Failure) -> Self {
        match failure.0 {
            Error::Api(never) => match never {},
            Error::Invalid(errors) => Error::Invalid(errors),
            Error::UnexpectedStatus {
                status,
                content_type,
                body,
            } => Error::UnexpectedStatus {
                status,
                content_type,
                body,
            },
            Error::Decode {
                status,
                type_name,
                message,
                body_start,
            } => Error::Decode {
                status,
                type_name,
                message,
                body_start,
            },
            Error::Encode(error) => Error::Encode(error),
            Error::Timeout(error) => Error::Timeout(error),
            Error::Transport(error) => Error::Transport(error),
            Error::Middleware(error) => Error::Middleware(error),
        }
    }
}

fn body_start(body: &[u8]) -> String {
    let window = &body[..body.len().min(BODY_START * 4)];
    let text = String::from_utf8_lossy(window);
    let mut start: String = text.chars().take(BODY_START).collect();
    if window.len() < body.len() || text.chars().nth(BODY_START).is_some() {
        start.push('…');
    }
    start
}

/// Why an operation failed. `E` is the operation's own enum of the error statuses its schema
/// documents, each with its decoded body (such as `BadRequest(ValidationError)`).
#[derive(Debug)]
pub enum Error<E> {
    /// A documented error status, chosen by the status code alone, with its decoded body.
    Api(E),
    /// The request body failed the models' `validate()`; nothing was sent.
    Invalid(ValidationErrors),
    /// A status the schema does not document for the operation, with the body as it came.
    UnexpectedStatus {
        status: u16,
        content_type: Option<String>,
        body: Vec<u8>,
    },
    /// The body of a documented status is not the type the schema names.
    Decode {
        status: u16,
        /// The schema's name for the type expected.
        type_name: &'static str,
        /// What did not fit, and where.
        message: String,
        /// The start of the body.
        body_start: String,
    },
    /// The request body could not be encoded as JSON.
    Encode(serde_json::Error),
    /// No whole answer within the client's timeout.
    Timeout(reqwest::Error),
    /// The request could not be sent or its answer not read (refused, reset, TLS, ...).
    Transport(reqwest::Error),
    /// A middleware of the `reqwest_middleware::ClientWithMiddleware` this client was given
    /// (feature `middleware`) failed, with its error; a reqwest error that passed through the
    /// middleware is [`Error::Timeout`] or [`Error::Transport`] instead.
    Middleware(Box<dyn std::error::Error + Send + Sync>),
}

impl<E> Error<E> {
    fn from_reqwest(error: reqwest::Error) -> Self {
        if error.is_timeout() {
            Error::Timeout(error)
        } else {
            Error::Transport(error)
        }
    }

    /// The documented error, if the server answered with one.
    pub fn api(&self) -> Option<&E> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// Whether the server answered 404, authentik's `{"detail": "Not found."}` for an unknown
    /// object or path, which its schema does not document.
    pub fn is_not_found(&self) -> bool
    where
        E: ApiStatus,
    {
        self.status() == Some(404)
    }

    /// The `detail` text of an undocumented status's `{"detail": ...}` body, as DRF words it.
    pub fn detail(&self) -> Option<String> {
        match self {
            Error::UnexpectedStatus { body, .. } => {
                match serde_json::from_slice::<serde_json::Value>(body) {
                    Ok(serde_json::Value::Object(map)) => map
                        .get("detail")
                        .and_then(|d| d.as_str())
                        .map(str::to_owned),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// The HTTP status the server answered with, when there was an answer.
    pub fn status(&self) -> Option<u16>
    where
        E: ApiStatus,
    {
        match self {
            Error::Api(e) => Some(e.status()),
            Error::UnexpectedStatus { status, .. } | Error::Decode { status, .. } => Some(*status),
            Error::Transport(e) | Error::Timeout(e) => e.status().map(|s| s.as_u16()),
            Error::Invalid(_) | Error::Encode(_) | Error::Middleware(_) => None,
        }
    }

    /// Whether sending the same request again may succeed: no whole answer came (a timeout; a
    /// connection refused, reset or closed early), or the server answered 429 Too Many
    /// Requests or a 5xx status. Not a request that could not be built or encoded, not a
    /// redirect loop, an undecodable body or a middleware's own error, and no other 4xx: the
    /// same request gets the same answer.
    pub fn is_retryable(&self) -> bool
    where
        E: ApiStatus,
    {
        match self {
            Error::Timeout(_) => true,
            // Connecting or sending failed, or the body broke off. A reqwest error has one kind,
            // so these are never a builder, redirect or decode error; a timeout is
            // `Error::Timeout`.
            Error::Transport(e) => e.is_connect() || e.is_request() || e.is_body(),
            Error::Api(_) | Error::UnexpectedStatus { .. } | Error::Decode { .. } => self
                .status()
                .is_some_and(|s| s == 429 || (500..600).contains(&s)),
            Error::Invalid(_) | Error::Encode(_) | Error::Middleware(_) => false,
        }
    }
}

impl<E: fmt::Display> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api(e) => e.fmt(f),
            Error::Invalid(errors) => write!(f, "the request is invalid, not sent: {errors}"),
            Error::UnexpectedStatus {
                status,
                content_type,
                body,
            } => {
                write!(f, "unexpected status {status}")?;
                if let Some(ct) = content_type {
                    write!(f, " ({ct})")?;
                }
                if !body.is_empty() {
                    write!(f, ": {}", body_start(body))?;
                }
                Ok(())
            }
            Error::Decode {
                status,
                type_name,
                message,
                body_start,
            } => {
                write!(f, "the {status} answer is not a valid {type_name}: {message}; the body starts {body_start:?}")
            }
            Error::Encode(e) => write!(f, "cannot encode the request body: {e}"),
            Error::Timeout(_) => f.write_str("no answer within the timeout"),
            Error::Transport(e) => write!(f, "the request failed: {e}"),
            Error::Middleware(e) => write!(f, "a middleware failed: {e}"),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> std::error::Error for Error<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Invalid(e) => Some(e),
            Error::Encode(e) => Some(e),
            Error::Timeout(e) | Error::Transport(e) => Some(e),
            Error::Middleware(e) => Some(&**e),
            _ => None,
        }
    }
}

/// The status of a documented error.
pub trait ApiStatus {
    /// The HTTP status code the error was answered with.
    fn status(&self) -> u16;
}

/// Writes a documented error for `Display`: its status, then its body as JSON.
#[doc(hidden)]
pub fn fmt_error<T: serde::Serialize>(
    f: &mut fmt::Formatter<'_>,
    status: u16,
    body: &T,
) -> fmt::Result {
    match serde_json::to_string(body) {
        Ok(json) => write!(f, "HTTP {status}: {json}"),
        Err(_) => write!(f, "HTTP {status}"),
    }
}

/// Writes a documented error whose body is not JSON for `Display`: its status, then the body's start.
#[doc(hidden)]
pub fn fmt_bytes(f: &mut fmt::Formatter<'_>, status: u16, body: &[u8]) -> fmt::Result {
    write!(f, "HTTP {status}: {}", body_start(body))
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

/// The page after `page`, from authentik's `pagination.next` (0 when there is none). A `next`
/// that does not move forward ends the stream, so a wrong answer cannot loop for ever.
fn next_page(current: i64, next: f64) -> Option<i64> {
    if (1.0..9.0e15).contains(&next) {
        // In range and integral enough: page numbers are small whole numbers.
        #[allow(clippy::cast_possible_truncation)]
        let next = next as i64;
        (next > current).then_some(next)
    } else {
        None
    }
}

/// Every item of a paginated list, page by page: `fetch(page)` answers a page's items and its
/// `pagination.next`. The stream ends after the last page, or after the first error.
#[doc(hidden)]
pub fn paginate<'a, T, E, F, Fut>(
    first: i64,
    fetch: F,
) -> impl Stream<Item = Result<T, Error<E>>> + Send + 'a
where
    T: Send + 'a,
    E: Send + 'a,
    F: FnMut(i64) -> Fut + Send + 'a,
    Fut: Future<Output = Result<(Vec<T>, f64), Error<E>>> + Send + 'a,
{
    struct Pages<T, F> {
        buffer: VecDeque<T>,
        next: Option<i64>,
        fetch: F,
    }
    let state = Pages {
        buffer: VecDeque::new(),
        next: Some(first.max(1)),
        fetch,
    };
    futures_util::stream::unfold(state, |mut pages| async move {
        loop {
            if let Some(item) = pages.buffer.pop_front() {
                return Some((Ok(item), pages));
            }
            let page = pages.next.take()?;
            match (pages.fetch)(page).await {
                Ok((items, next)) => {
                    pages.buffer = items.into();
                    pages.next = next_page(page, next);
                }
                // `next` is `None` now: the error is the stream's last item.
                Err(error) => return Some((Err(error), pages)),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::{FutureExt as _, StreamExt as _};
    use std::collections::BTreeMap;

    /// An operation's documented errors, as the generated enums are.
    #[derive(Debug)]
    struct Documented(u16);

    impl fmt::Display for Documented {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            fmt_bytes(f, self.0, b"documented")
        }
    }

    impl ApiStatus for Documented {
        fn status(&self) -> u16 {
            self.0
        }
    }

    /// Documents 400 with a body of numbers, as a generated error enum would.
    impl FromAnswer for Documented {
        fn from_answer(answer: Answer) -> Error<Self> {
            match answer.status {
                400 => answer.documented(|_: Vec<u32>| Documented(400), "Numbers"),
                _ => answer.unexpected(),
            }
        }
    }

    #[test]
    fn answers_are_successes_documented_errors_or_unexpected() {
        let ok: Result<Vec<u32>, Error<Documented>> = answer(201, "[1]").json(201, "Numbers");
        assert_eq!(ok.unwrap(), [1]);
        let other: Result<Vec<u32>, Error<Documented>> = answer(200, "[1]").json(201, "Numbers");
        assert!(matches!(other, Err(Error::UnexpectedStatus { status: 200, .. })));
        let documented: Result<(), Error<Documented>> = answer(400, "[2]").empty(Some(204));
        assert!(matches!(documented, Err(Error::Api(Documented(400)))));
        let undecodable: Error<Documented> = answer(400, "{}").failure();
        assert!(matches!(undecodable, Error::Decode { status: 400, type_name: "Numbers", .. }));
        assert!(answer(299, "").empty::<Documented>(None).is_ok());
        assert!(answer(300, "").empty::<Documented>(None).is_err());
        let bytes = answer(200, "raw").bytes::<Documented>(200).unwrap();
        assert_eq!(bytes, b"raw");
    }

    fn answer(status: u16, body: &str) -> Answer {
        Answer {
            status,
            content_type: Some("application/json".to_owned()),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn pages_only_move_forward() {
        assert_eq!(next_page(1, 2.0), Some(2));
        assert_eq!(next_page(1, 0.0), None);
        assert_eq!(next_page(3, 2.0), None);
        assert_eq!(next_page(3, 3.0), None);
        assert_eq!(next_page(1, 1.0e16), None);
        assert_eq!(next_page(1, f64::NAN), None);
    }

    #[test]
    fn a_page_stream_yields_every_item_then_ends() {
        let pages = |page: i64| {
            let result = match page {
                1 => Ok((vec![1, 2], 2.0)),
                2 => Ok((vec![3], 0.0)),
                _ => Err(Error::Invalid(ValidationErrors::new())),
            };
            std::future::ready(result)
        };
        let items: Vec<Result<i32, Error<Documented>>> = paginate(0, pages)
            .collect()
            .now_or_never()
            .expect("ready pages");
        let items: Vec<i32> = items.into_iter().map(Result::unwrap).collect();
        assert_eq!(items, [1, 2, 3]);
        // An error is the stream's last item.
        let failing = |page: i64| {
            std::future::ready(match page {
                1 => Ok((vec![1], 2.0)),
                _ => Err(Error::<Documented>::Invalid(ValidationErrors::new())),
            })
        };
        let items: Vec<Result<i32, _>> = paginate(1, failing)
            .collect()
            .now_or_never()
            .expect("ready pages");
        assert_eq!(items.len(), 2);
        assert!(matches!(items[0], Ok(1)));
        assert!(matches!(items[1], Err(Error::Invalid(_))));
    }

    #[test]
    fn path_segments_are_percent_encoded() {
        assert_eq!(segment("a b/c?d#"), "a%20b%2Fc%3Fd%23");
        assert_eq!(segment("ä"), "%C3%A4");
        assert_eq!(segment("Az09-._~"), "Az09-._~");
        assert_eq!(segment(42_i64), "42");
    }

    #[test]
    fn body_starts_are_cut_on_characters() {
        assert_eq!(body_start(b"short"), "short");
        let long = "é".repeat(BODY_START + 1);
        let start = body_start(long.as_bytes());
        assert_eq!(start.chars().count(), BODY_START + 1);
        assert!(start.ends_with('…'));
        assert_eq!(body_start(&[b'a', 0xff]), "a\u{fffd}");
    }

    #[test]
    fn answers_decode_or_say_what_did_not_fit() {
        let ok: BTreeMap<String, u32> = answer(200, r#"{"a": 1}"#)
            .decode("Counts")
            .unwrap();
        assert_eq!(ok["a"], 1);
        let wrong: Error<Documented> = answer(200, r#"{"a": "x"}"#)
            .decode::<BTreeMap<String, u32>>("Counts")
            .unwrap_err()
            .into();
        assert!(
            matches!(&wrong, Error::Decode { status: 200, type_name: "Counts", message, .. } if message.starts_with("at a: invalid type")),
            "{wrong:?}"
        );
        assert!(
            wrong
                .to_string()
                .starts_with("the 200 answer is not a valid Counts: at a: invalid type"),
            "{wrong}"
        );
        let trailing: Error<Documented> = answer(200, "{} x")
            .decode::<BTreeMap<String, u32>>("Counts")
            .unwrap_err()
            .into();
        assert!(
            matches!(&trailing, Error::Decode { message, .. } if message.contains("trailing characters")),
            "{trailing:?}"
        );
        assert_eq!(wrong.status(), Some(200));
    }

    #[test]
    fn errors_tell_status_and_detail() {
        let missing: Error<Documented> = answer(404, r#"{"detail": "Not found."}"#).unexpected();
        assert!(missing.is_not_found());
        assert_eq!(missing.detail().as_deref(), Some("Not found."));
        assert_eq!(
            missing.to_string(),
            r#"unexpected status 404 (application/json): {"detail": "Not found."}"#
        );
        let documented = Error::Api(Documented(400));
        assert_eq!(documented.status(), Some(400));
        assert_eq!(documented.api().map(|e| e.0), Some(400));
        assert_eq!(documented.detail(), None);
        assert_eq!(documented.to_string(), "HTTP 400: documented");
        let mut errors = ValidationErrors::new();
        errors.add_message("name", "This field may not be blank.");
        let invalid = Error::<Documented>::Invalid(errors);
        assert_eq!(invalid.status(), None);
        assert_eq!(
            invalid.to_string(),
            "the request is invalid, not sent: name: This field may not be blank."
        );
        assert!(std::error::Error::source(&invalid).is_some());
    }

    #[test]
    fn documented_errors_display_their_body() {
        struct Shown(serde_json::Value);
        impl fmt::Display for Shown {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt_error(f, 400, &self.0)
            }
        }
        assert_eq!(
            Shown(serde_json::json!({ "name": ["x"] })).to_string(),
            r#"HTTP 400: {"name":["x"]}"#
        );
        let Ok(Payload::Json(bytes)) = json(&serde_json::json!([1])) else {
            panic!("not encoded as JSON");
        };
        assert_eq!(bytes, b"[1]");
    }

    #[test]
    fn clients_are_built_from_absolute_http_urls() {
        for bad in [
            "localhost:9000",
            "ftp://example.com/api/v3",
            "http://example.com/api/v3?x=1",
        ] {
            assert!(
                matches!(Client::new(bad, None), Err(BuildError::BaseUrl(_))),
                "{bad}"
            );
        }
        assert!(matches!(
            Client::new("http://example.com", Some("a\nb")),
            Err(BuildError::Header("token"))
        ));
        let client = Client::builder("http://example.com/api/v3/")
            .token("secret")
            .validate_requests(false)
            .http_client(reqwest::Client::new())
            .build()
            .unwrap();
        assert_eq!(client.base_url(), "http://example.com/api/v3");
        assert!(!client.validates_requests());
        let shown = format!("{client:?}");
        assert!(
            !shown.contains("secret") && shown.contains("<redacted>"),
            "{shown}"
        );
    }
}
