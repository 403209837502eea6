//! The HTTP client: [`Client`], set up with a [`ClientBuilder`] (base URL, token, timeouts, user
//! agent, validation), sending through an [`HttpClient`] (reqwest's, or one with middleware).

use std::fmt;
use std::time::Duration;

use reqwest::header::HeaderValue;

/// The user agent sent unless [`ClientBuilder::user_agent`] sets another.
pub const DEFAULT_USER_AGENT: &str =
    concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));
/// How long a request may take, from sending to the last byte of the answer, by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// How long connecting may take by default.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

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
pub struct HttpClient(pub(super) Http);

#[derive(Clone)]
pub(super) enum Http {
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
    /// (on unless set). A body that fails is answered with
    /// [`Error::Invalid`](super::Error::Invalid), and nothing is sent.
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
    pub(super) base_url: String,
    pub(super) token: Option<HeaderValue>,
    pub(super) user_agent: HeaderValue,
    pub(super) timeout: Option<Duration>,
    pub(super) http: HttpClient,
    pub(super) validate: bool,
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
}

#[cfg(test)]
mod tests {
    use super::*;

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
