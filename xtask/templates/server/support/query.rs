//! An operation's query string: [`FromQuery`], which the generated query structs implement
//! with a [`QueryReader`] (one parameter after another, every bad or missing value reported at
//! once), and the page number a paginated list checks first.

use axum::http::StatusCode;
use axum::response::Response;

use super::params::FromParam;
use super::responses::{detail, validation_failed};
use super::ValidationErrors;

/// Parses a query string into an operation's query struct (from `authentik_models::query`);
/// the generated router calls it before the trait.
pub trait FromQuery: Sized {
    /// Parses the query string; unknown parameters are ignored, as authentik ignores them.
    ///
    /// # Errors
    ///
    /// Each parameter whose value does not parse, or a required one that is missing, with its
    /// message.
    fn from_query(query: Option<&str>) -> Result<Self, ValidationErrors>;
}

/// Parses an operation's query: 400 with each parameter's message when it does not parse.
///
/// # Errors
///
/// The 400 response.
pub(super) fn from_query<T: FromQuery>(query: Option<&str>) -> Result<T, Response> {
    T::from_query(query).map_err(|errors| validation_failed(&errors))
}

/// The query string as `(name, value)` pairs, percent-decoded, in order.
fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The page a paginated list asks for, read as DRF's paginator reads it, before anything else of
/// the query: the last `page` value, when not empty, must be a whole number from 1, or the answer
/// is 404 `{"detail": "Invalid page."}`.
///
/// # Errors
///
/// The 404 response.
pub(super) fn page_number(query: Option<&str>) -> Result<(), Response> {
    let page = form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .filter(|(key, _)| key == "page")
        .last()
        .map(|(_, value)| value);
    match page.as_deref().map(str::trim) {
        None | Some("") => Ok(()),
        Some(text) if text.parse::<i64>().is_ok_and(|n| n >= 1) => Ok(()),
        Some(_) => Err(detail(StatusCode::NOT_FOUND, "Invalid page.")),
    }
}

/// The last value of a query parameter, parsed; a bad value adds a message for it, an empty
/// one is none.
fn query_one<T: FromParam>(
    pairs: &[(String, String)],
    name: &str,
    errors: &mut ValidationErrors,
) -> Option<T> {
    let value = pairs
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)?;
    // An empty value is no value, as django-filter and DRF's paginator read it (`?page=`).
    if value.is_empty() {
        return None;
    }
    match T::from_param(value) {
        Ok(v) => Some(v),
        Err(message) => {
            errors.add_message(name, message);
            None
        }
    }
}

/// How a list travels in a query: the key repeated (`?a=1&a=2`, OpenAPI's `explode: true`) or
/// the values joined with commas (`?a=1,2`).
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Explode {
    Repeat,
    Commas,
}

/// Every value of a query parameter.
fn query_many<T: FromParam>(
    pairs: &[(String, String)],
    name: &str,
    explode: Explode,
    errors: &mut ValidationErrors,
) -> Option<Vec<T>> {
    let raw: Vec<&str> = pairs
        .iter()
        .filter(|(k, _)| k == name)
        .flat_map(|(_, v)| match explode {
            Explode::Repeat => vec![v.as_str()],
            Explode::Commas => v.split(',').collect(),
        })
        .collect();
    if raw.is_empty() {
        return None;
    }
    let mut out = Vec::with_capacity(raw.len());
    for value in raw {
        match T::from_param(value) {
            Ok(v) => out.push(v),
            Err(message) => {
                errors.add_message(name, message);
                return None;
            }
        }
    }
    Some(out)
}

/// A required query parameter: `This field is required.` when it has no value (one that did not
/// parse has its own message already).
fn require<T>(
    value: &Option<T>,
    pairs: &[(String, String)],
    name: &str,
    errors: &mut ValidationErrors,
) {
    if value.is_none() && !pairs.iter().any(|(k, v)| k == name && !v.is_empty()) {
        errors.add_message(name, "This field is required.");
    }
}

/// A query string being read into an operation's query struct, one parameter after another;
/// each bad or missing value adds its message, and [`QueryReader::finish`] answers them all.
#[doc(hidden)]
pub struct QueryReader {
    pairs: Vec<(String, String)>,
    errors: ValidationErrors,
}

impl QueryReader {
    /// The query string's pairs, decoded.
    pub fn new(query: Option<&str>) -> Self {
        QueryReader {
            pairs: query_pairs(query),
            errors: ValidationErrors::new(),
        }
    }

    /// A parameter given once ([`query_one`]).
    pub fn one<T: FromParam>(&mut self, name: &str) -> Option<T> {
        query_one(&self.pairs, name, &mut self.errors)
    }

    /// A parameter that is a list ([`query_many`]).
    pub fn many<T: FromParam>(&mut self, name: &str, explode: Explode) -> Option<Vec<T>> {
        query_many(&self.pairs, name, explode, &mut self.errors)
    }

    /// A required parameter: its value, or `None` with `This field is required.` ([`require`]).
    pub fn required<T>(&mut self, value: Option<T>, name: &str) -> Option<T> {
        require(&value, &self.pairs, name, &mut self.errors);
        value
    }

    /// The messages so far, for a required value that is missing.
    pub fn into_errors(self) -> ValidationErrors {
        self.errors
    }

    /// The value read, or every message.
    ///
    /// # Errors
    ///
    /// The messages of the values that were bad or missing.
    pub fn finish<T>(self, value: T) -> Result<T, ValidationErrors> {
        self.errors.into_result().map(|()| value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_page_that_is_not_a_page_number_is_not_found() {
        for ok in [
            None,
            Some(""),
            Some("page=2"),
            Some("page=abc&page=3"),
            Some("page="),
        ] {
            assert!(page_number(ok).is_ok(), "{ok:?}");
        }
        for bad in ["page=abc", "page=0", "page=-1", "page=1.5", "page=2&page=x"] {
            let answer = page_number(Some(bad)).unwrap_err();
            assert_eq!(answer.status(), StatusCode::NOT_FOUND, "{bad}");
        }
    }

    #[test]
    fn required_query_values() {
        let pairs = vec![("a".to_owned(), String::new()), ("b".to_owned(), "x".to_owned())];
        let mut errors = ValidationErrors::new();
        require::<i64>(&None, &pairs, "a", &mut errors);
        // `b` has a value that did not parse: its own message stands alone.
        require::<i64>(&None, &pairs, "b", &mut errors);
        require(&Some(1), &pairs, "c", &mut errors);
        assert_eq!(
            serde_json::to_value(&errors).unwrap(),
            serde_json::json!({ "a": ["This field is required."] })
        );
    }

    #[test]
    fn query_strings_parse_into_values_and_messages() {
        let pairs = query_pairs(Some("page=1&search=a%20b&page=3&id=1&id=2&tag=x,y&bad=z"));
        assert_eq!(pairs[1], ("search".to_owned(), "a b".to_owned()));
        let mut errors = ValidationErrors::new();
        // The last value of a repeated parameter wins.
        assert_eq!(query_one::<i64>(&pairs, "page", &mut errors), Some(3));
        assert_eq!(query_one::<i64>(&pairs, "missing", &mut errors), None);
        assert_eq!(
            query_many::<i64>(&pairs, "id", Explode::Repeat, &mut errors),
            Some(vec![1, 2])
        );
        assert_eq!(
            query_many::<String>(&pairs, "tag", Explode::Commas, &mut errors),
            Some(vec!["x".to_owned(), "y".to_owned()])
        );
        assert_eq!(
            query_many::<i64>(&pairs, "missing", Explode::Repeat, &mut errors),
            None
        );
        assert!(errors.is_empty());
        assert_eq!(query_one::<i64>(&pairs, "bad", &mut errors), None);
        assert_eq!(query_many::<bool>(&pairs, "tag", Explode::Commas, &mut errors), None);
        assert_eq!(
            errors.to_json(),
            json!({
                "bad": ["Enter a whole number."],
                "tag": ["Select a valid choice. x is not one of the available choices."],
            })
        );
        assert!(query_pairs(None).is_empty());
    }
}
