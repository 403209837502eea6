//! What the unit tests of the support modules share: an operation's documented errors, as the
//! generated enums are, and an answer to read.

use std::fmt;

use reqwest::StatusCode;

use super::{fmt_bytes, Answer, ApiStatus, Error, FromAnswer};

/// An operation's documented errors, as the generated enums are.
#[derive(Debug)]
pub(super) struct Documented(pub(super) u16);

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
            StatusCode::BAD_REQUEST => answer.documented(|_: Vec<u32>| Documented(400), "Numbers"),
            _ => answer.unexpected(),
        }
    }
}

/// A JSON answer with `status` and `body`.
pub(super) fn answer(status: u16, body: &str) -> Answer {
    Answer {
        status: StatusCode::from_u16(status).expect("a status code"),
        content_type: Some("application/json".to_owned()),
        body: body.as_bytes().to_vec(),
    }
}
