//! Why an operation failed: [`Error`], its documented errors (`Api`, whose status
//! [`ApiStatus`] gives) and everything else, and [`Failure`], everything else alone.

use std::fmt;

use super::answer::body_start;
use super::ValidationErrors;

/// What went wrong apart from a documented error: every [`Error`] but `Api`, for any operation.
/// `?` turns it into the operation's own `Error<E>`.
#[doc(hidden)]
#[derive(Debug)]
pub struct Failure(pub(super) Error<std::convert::Infallible>);

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
    /// A reqwest error: [`Error::Timeout`] for a timeout, else [`Error::Transport`].
    pub(super) fn from_reqwest(error: reqwest::Error) -> Self {
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

#[cfg(test)]
mod tests {
    use super::super::testing::{answer, Documented};
    use super::*;

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
    }
}
