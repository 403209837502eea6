//! JSON request bodies: read within the limit, shaped as DRF reads them ([`Shape`]) and decoded,
//! or refused with DRF's answer (415, 400 with a parse error, 400 with every field that is
//! missing, `null` or of the wrong type).

use axum::body::Body;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use serde::de::DeserializeOwned;

use super::body::{body_required, read_body};
use super::responses::{detail, validation_failed};
use super::{FieldError, Shape, ValidationErrors};

/// Reads a required JSON request body: 415 for another media type, 413 over `limit`, 400 with
/// `{"detail": "JSON parse error - ..."}` for malformed JSON, 400 with `non_field_errors` when
/// it is not an object, 400 with every field that is missing, `null` or of the wrong type.
pub(super) async fn json_body<T: DeserializeOwned + Shape>(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
) -> Result<T, Response> {
    read_json(headers, body, limit, true)
        .await?
        .ok_or_else(body_required)
}

/// [`json_body`] for an optional body: `Ok(None)` when the request has none.
pub(super) async fn optional_json_body<T: DeserializeOwned + Shape>(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
) -> Result<Option<T>, Response> {
    read_json(headers, body, limit, false).await
}

/// [`json_body`] and [`optional_json_body`]: the body read, its media type checked, then decoded
/// straight from the bytes when DRF would take them as they are, else as DRF reads them.
async fn read_json<T: DeserializeOwned + Shape>(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
    required: bool,
) -> Result<Option<T>, Response> {
    let bytes = read_body(headers, body, limit).await?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    // An empty body is no data: absent when optional, an empty object (so each required field
    // is reported) when required, as DRF reads it.
    if bytes.is_empty() && (content_type.is_none() || !required) {
        if !required {
            return Ok(None);
        }
        return decode::<T>(serde_json::Value::Object(serde_json::Map::new())).map(Some);
    }
    let is_json = content_type
        .and_then(|ct| ct.split(';').next())
        .map(|ct| ct.trim().eq_ignore_ascii_case("application/json"))
        .unwrap_or(false);
    if !is_json {
        let shown = content_type.unwrap_or("");
        return Err(detail(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            &format!("Unsupported media type \"{shown}\" in request."),
        ));
    }
    // The fast path decodes straight from the bytes; a body that fails, or whose strings DRF
    // would change (trim) or refuse (a null character), is read again as a JSON value and shaped
    // the way DRF reads it, to say which field is wrong.
    // serde decodes a struct from a JSON array too; DRF wants an object, so only an object
    // takes the fast path.
    let object = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    match serde_json::from_slice::<T>(&bytes) {
        Ok(v) if object && plain_strings(&bytes) => return Ok(Some(v)),
        Ok(_) => {}
        Err(e) if !e.is_data() => {
            return Err(detail(
                StatusCode::BAD_REQUEST,
                &format!("JSON parse error - {e}"),
            ));
        }
        Err(_) => {}
    }
    let value: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| detail(StatusCode::BAD_REQUEST, &format!("JSON parse error - {e}")))?;
    if !value.is_object() {
        return Err(not_a_dictionary(&value));
    }
    decode::<T>(value).map(Some)
}

/// 400 with `non_field_errors` for a body that is JSON but not an object, naming what it is as
/// Python would.
fn not_a_dictionary(value: &serde_json::Value) -> Response {
    let kind = match value {
        serde_json::Value::Array(_) => "list",
        serde_json::Value::String(_) => "str",
        serde_json::Value::Number(n) if n.is_f64() => "float",
        serde_json::Value::Number(_) => "int",
        serde_json::Value::Bool(_) => "bool",
        _ => "NoneType",
    };
    let mut errors = ValidationErrors::new();
    errors.add_non_field_error(format!(
        "Invalid data. Expected a dictionary, but got {kind}."
    ));
    validation_failed(&errors)
}

/// Decodes a JSON value; when it does not fit, every field that is missing, `null` or of the
/// wrong type is reported at once, as DRF reports them.
fn decode<T: DeserializeOwned + Shape>(mut value: serde_json::Value) -> Result<T, Response> {
    match T::shape(&mut value) {
        None => {}
        Some(FieldError::Nested(errors)) => return Err(validation_failed(&errors)),
        Some(FieldError::Messages(messages)) => {
            let mut errors = ValidationErrors::new();
            for m in messages {
                errors.add_non_field_error(m);
            }
            return Err(validation_failed(&errors));
        }
        Some(items @ FieldError::Items(_)) => {
            let mut errors = ValidationErrors::new();
            errors.set(authentik_models::support::NON_FIELD_ERRORS, items);
            return Err(validation_failed(&errors));
        }
    }
    match serde_path_to_error::deserialize::<_, T>(&value) {
        Ok(v) => Ok(v),
        Err(e) => Err(validation_failed(&field_error(&value, e))),
    }
}

/// Whether every string in a JSON text is one DRF takes as it is: nothing at either end that may
/// be white space (white space, an escape, a non-ASCII character) and no `\u0000`. A body with
/// any other string is shaped (trimmed, checked) on the slow path.
fn plain_strings(bytes: &[u8]) -> bool {
    let mut i = 0;
    while let Some(open) = bytes[i..].iter().position(|&b| b == b'"') {
        let first = i + open + 1;
        let mut j = first;
        // Whether the last character read may be white space.
        let mut loose = false;
        loop {
            match bytes.get(j) {
                None => return false,
                Some(b'"') => break,
                Some(b'\\') => {
                    if j == first || bytes.get(j + 1..j + 6) == Some(b"u0000".as_slice()) {
                        return false;
                    }
                    loose = true;
                    j += 2;
                }
                Some(&b) => {
                    loose = b.is_ascii_whitespace() || !b.is_ascii();
                    if j == first && loose {
                        return false;
                    }
                    j += 1;
                }
            }
        }
        if loose {
            return false;
        }
        i = j + 1;
    }
    true
}

/// Turns the first decoding failure into authentik's field → messages shape.
fn field_error(
    value: &serde_json::Value,
    e: serde_path_to_error::Error<serde_json::Error>,
) -> ValidationErrors {
    use serde_path_to_error::Segment;
    let segments: Vec<String> = e
        .path()
        .iter()
        .filter_map(|s| match s {
            Segment::Map { key } => Some(key.clone()),
            Segment::Seq { index } => Some(index.to_string()),
            _ => None,
        })
        .collect();
    let inner = e.into_inner().to_string();
    // A missing field is reported by serde at the object that lacks it.
    let (segments, message) = match inner
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next())
    {
        Some(field) => {
            let mut s = segments;
            s.push(field.to_owned());
            (s, "This field is required.".to_owned())
        }
        None => {
            let found = lookup(value, &segments);
            (segments, type_message(found, &inner))
        }
    };
    let mut errors = ValidationErrors::new();
    nest(&mut errors, &segments, message);
    errors
}

/// The value `path` names inside `value` (object keys and list indexes), if there is one.
fn lookup<'a>(value: &'a serde_json::Value, path: &[String]) -> Option<&'a serde_json::Value> {
    path.iter().try_fold(value, |v, key| match v {
        serde_json::Value::Object(m) => m.get(key),
        serde_json::Value::Array(a) => key.parse::<usize>().ok().and_then(|i| a.get(i)),
        _ => None,
    })
}

/// DRF's message for a value of the wrong type, from serde's description of what it expected.
fn type_message(found: Option<&serde_json::Value>, serde_message: &str) -> String {
    if found.is_some_and(serde_json::Value::is_null) {
        return "This field may not be null.".to_owned();
    }
    let expected = serde_message.split("expected ").nth(1).unwrap_or("");
    if serde_message.contains("UUID") || expected.contains("UUID") {
        "Must be a valid UUID.".to_owned()
    } else if expected.starts_with("a boolean") {
        "Must be a valid boolean.".to_owned()
    } else if expected.starts_with("i64")
        || expected.starts_with("i32")
        || expected.starts_with("u")
    {
        "A valid integer is required.".to_owned()
    } else if expected.starts_with("f64") {
        "A valid number is required.".to_owned()
    } else if expected.starts_with("a sequence") {
        let kind = match found {
            Some(serde_json::Value::Object(_)) => "dict",
            Some(serde_json::Value::String(_)) => "str",
            Some(serde_json::Value::Number(_)) => "int",
            Some(serde_json::Value::Bool(_)) => "bool",
            _ => "unknown",
        };
        format!("Expected a list of items but got type \"{kind}\".")
    } else if expected.starts_with("a string") {
        "Not a valid string.".to_owned()
    } else if expected.starts_with("struct") || expected.starts_with("a map") {
        "Invalid data. Expected a dictionary.".to_owned()
    } else if serde_message.contains("premature end of input")
        || serde_message.contains("input contains invalid characters")
    {
        "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].".to_owned()
    } else {
        "Invalid value.".to_owned()
    }
}

/// Adds `message` under `path` in DRF's nesting: an object's field by name, an item of a list
/// of objects as one entry per item up to it.
fn nest(errors: &mut ValidationErrors, path: &[String], message: String) {
    match path {
        [] => errors.add_non_field_error(message),
        [field] => errors.add_message(field, message),
        [field, index, rest @ ..] if index.parse::<usize>().is_ok() && !rest.is_empty() => {
            // An item of a list of objects: one entry per item up to the failing one.
            let i: usize = index.parse().unwrap_or(0);
            let mut items = vec![ValidationErrors::new(); i + 1];
            nest(&mut items[i], rest, message);
            errors.add_items(field, items);
        }
        [field, rest @ ..] => {
            let mut inner = ValidationErrors::new();
            nest(&mut inner, rest, message);
            errors.add_nested(field, inner);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{answer, block_on};
    use super::*;
    use axum::http::HeaderValue;
    use serde_json::json;
    use std::collections::BTreeMap;

    #[test]
    fn only_plain_strings_take_the_fast_path() {
        assert!(plain_strings(
            br#"{"name": "a b", "n": 1, "q": "say \"hi\" now"}"#
        ));
        assert!(plain_strings(b"{}"));
        assert!(!plain_strings(br#"{"name": " padded"}"#));
        assert!(!plain_strings(br#"{"name": "padded "}"#));
        assert!(!plain_strings(br#"{"name": "tab\t"}"#));
        assert!(!plain_strings(br#"{"name": "a\u0000b"}"#));
        assert!(!plain_strings("{\"name\": \"caf\u{e9}\"}".as_bytes()));
        assert!(!plain_strings(br#"{"name": "unterminated}"#));
    }

    type Counts = BTreeMap<String, i64>;

    fn body(
        content_type: Option<&'static str>,
        text: &'static str,
        required: bool,
    ) -> Result<Option<Counts>, (StatusCode, serde_json::Value)> {
        let mut headers = HeaderMap::new();
        if let Some(content_type) = content_type {
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        }
        let read = async {
            if required {
                json_body(&headers, Body::from(text), 32).await.map(Some)
            } else {
                optional_json_body(&headers, Body::from(text), 32).await
            }
        };
        block_on(read).map_err(answer)
    }

    #[test]
    fn json_bodies_are_read_and_refused_as_drf_refuses_them() {
        const JSON: Option<&str> = Some("application/json; charset=utf-8");
        let counts = Counts::from([("a".to_owned(), 1)]);
        assert_eq!(body(JSON, r#"{"a": 1}"#, true), Ok(Some(counts)));
        assert_eq!(
            body(JSON, r#"{"a": "x"}"#, true),
            Err((
                StatusCode::BAD_REQUEST,
                json!({ "a": ["A valid integer is required."] })
            ))
        );
        assert_eq!(
            body(JSON, "[1]", true),
            Err((
                StatusCode::BAD_REQUEST,
                json!({ "non_field_errors": ["Invalid data. Expected a dictionary, but got list."] })
            ))
        );
        let (status, malformed) = body(JSON, r#"{"a": "#, true).unwrap_err();
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(
            malformed["detail"]
                .as_str()
                .is_some_and(|d| d.starts_with("JSON parse error - ")),
            "{malformed}"
        );
        assert_eq!(
            body(Some("text/plain"), "a=1", true),
            Err((
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                json!({ "detail": "Unsupported media type \"text/plain\" in request." })
            ))
        );
        assert_eq!(
            body(None, "{}", true).unwrap_err().1,
            json!({ "detail": "Unsupported media type \"\" in request." })
        );
        assert_eq!(
            body(JSON, r#"{"a": 1, "b": 2, "c": 3, "d": 4, "e": 5}"#, true)
                .unwrap_err()
                .0,
            StatusCode::PAYLOAD_TOO_LARGE
        );
        // No body: an empty object when required (each required field is then reported),
        // nothing when optional.
        assert_eq!(body(None, "", true), Ok(Some(Counts::new())));
        assert_eq!(body(JSON, "", false), Ok(None));
    }

    #[test]
    fn decoding_failures_name_the_field_inside_lists_and_objects() {
        let value = json!({ "list": [{}, { "slug": "x" }], "inner": { "n": null } });
        let list = serde_path_to_error::deserialize::<
            _,
            BTreeMap<String, Vec<BTreeMap<String, u32>>>,
        >(&json!({ "list": value["list"] }))
        .unwrap_err();
        assert_eq!(
            field_error(&value, list).to_json(),
            json!({ "list": [{}, { "slug": ["A valid integer is required."] }] })
        );
        let inner =
            serde_path_to_error::deserialize::<_, BTreeMap<String, BTreeMap<String, bool>>>(
                &json!({ "inner": value["inner"] }),
            )
            .unwrap_err();
        assert_eq!(
            field_error(&value, inner).to_json(),
            json!({ "inner": { "n": ["This field may not be null."] } })
        );
        assert_eq!(
            type_message(Some(&json!({})), "invalid type: map, expected a sequence"),
            "Expected a list of items but got type \"dict\"."
        );
        assert_eq!(
            type_message(
                Some(&json!(1)),
                "invalid type: integer `1`, expected a string"
            ),
            "Not a valid string."
        );
    }
}
