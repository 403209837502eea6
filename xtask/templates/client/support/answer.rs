//! One whole answer ([`Answer`]), as the generated methods read it: the success the operation
//! documents, else the error its enum of documented errors ([`FromAnswer`]) makes of it.

use std::fmt;

use reqwest::StatusCode;
use serde::de::DeserializeOwned;

use super::{Error, Failure};

/// How much of a body [`Error::Decode`] keeps to show.
const BODY_START: usize = 256;

/// One whole answer. The generated code compares its status with named ones
/// (`StatusCode::BAD_REQUEST`); errors report it as a number.
#[doc(hidden)]
#[derive(Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: StatusCode,
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
                status: self.status.as_u16(),
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
        status: StatusCode,
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
    pub fn empty<E: FromAnswer>(self, status: Option<StatusCode>) -> Result<(), Error<E>> {
        let success = match status {
            Some(status) => self.status == status,
            None => self.status.is_success(),
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
    pub fn bytes<E: FromAnswer>(self, status: StatusCode) -> Result<Vec<u8>, Error<E>> {
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
            status: self.status.as_u16(),
            content_type: self.content_type,
            body: self.body,
        }
    }
}

/// The status `code`, for one `http` has no constant for (`lower` checked that it is a status:
/// 100 to 599).
#[doc(hidden)]
pub fn status_code(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// An operation's enum of documented errors (in the crate's `errors` module): which of its
/// variants an answer's status is, with the body decoded.
#[doc(hidden)]
pub trait FromAnswer: Sized {
    /// The documented error the answer's status names, or [`Error::UnexpectedStatus`].
    fn from_answer(answer: Answer) -> Error<Self>;
}

/// The start of a body, to show: at most `BODY_START` characters, `…` when there is more.
pub(super) fn body_start(body: &[u8]) -> String {
    let window = &body[..body.len().min(BODY_START * 4)];
    let text = String::from_utf8_lossy(window);
    let mut start: String = text.chars().take(BODY_START).collect();
    if window.len() < body.len() || text.chars().nth(BODY_START).is_some() {
        start.push('…');
    }
    start
}

#[cfg(test)]
mod tests {
    use super::super::testing::{answer, Documented};
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn answers_are_successes_documented_errors_or_unexpected() {
        let ok: Result<Vec<u32>, Error<Documented>> = answer(201, "[1]").json(StatusCode::CREATED, "Numbers");
        assert_eq!(ok.unwrap(), [1]);
        let other: Result<Vec<u32>, Error<Documented>> = answer(200, "[1]").json(StatusCode::CREATED, "Numbers");
        assert!(matches!(other, Err(Error::UnexpectedStatus { status: 200, .. })));
        let documented: Result<(), Error<Documented>> = answer(400, "[2]").empty(Some(StatusCode::NO_CONTENT));
        assert!(matches!(documented, Err(Error::Api(Documented(400)))));
        let undecodable: Error<Documented> = answer(400, "{}").failure();
        assert!(matches!(undecodable, Error::Decode { status: 400, type_name: "Numbers", .. }));
        assert!(answer(299, "").empty::<Documented>(None).is_ok());
        assert!(answer(300, "").empty::<Documented>(None).is_err());
        let bytes = answer(200, "raw").bytes::<Documented>(StatusCode::OK).unwrap();
        assert_eq!(bytes, b"raw");
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
}
