//! Pass 1, load: schema file (YAML or JSON) → `openapiv3::OpenAPI`.
//!
//! Parsing goes through `serde_path_to_error`, so a document that does not match OpenAPI 3.0
//! names the place that failed as a JSON pointer.

use super::diag::{Error, Pointer};
use openapiv3 as oa;
use openapiv3::OpenAPI;
use serde::Deserialize;
use serde_json::Value;
use std::path::Path;

mod fast;
mod plain;

/// Reads and parses the document at `path`; errors name it `label`.
pub fn load(path: &Path, label: &str) -> Result<OpenAPI, Error> {
    load_paths(path, label, ALL_PATHS)
}

/// Every path: what [`load`] keeps.
const ALL_PATHS: &str = "/";

/// [`load`] for the paths under `prefix` alone (as `lower` selects them): the document's other
/// paths are dropped before they are checked and read, so that a run for `/stages/` does not
/// pay for the rest, and a problem there is not this run's. Everything else is kept, components
/// included (the names of their types are settled over all of them).
pub fn load_paths(path: &Path, label: &str, prefix: &str) -> Result<OpenAPI, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: label.to_owned(),
        source,
    })?;
    parse_paths(&text, label, prefix)
}

/// Drops the paths `prefix` does not select; `paths`' extensions (`x-...`) and keys that are not
/// text (which the checks then name) stay.
fn keep_paths(doc: &mut serde_yaml::Value, prefix: &str) {
    if prefix == ALL_PATHS {
        return;
    }
    let Some(paths) = doc
        .get_mut("paths")
        .and_then(serde_yaml::Value::as_mapping_mut)
    else {
        return;
    };
    paths.retain(|key, _| {
        key.as_str()
            .is_none_or(|k| k.starts_with(prefix) || k.starts_with("x-"))
    });
}

/// Parses a document; JSON when it starts with `{` (after white space), YAML otherwise.
///
/// The text is first read as plain data, checked in one linear pass (finite numbers, string
/// keys, every schema's own keywords), and only then handed to openapiv3. openapiv3's untagged
/// enums retry every alternative at every level, which takes time exponential in the nesting
/// depth when something deep inside is wrong; after the check nothing is.
pub fn parse(text: &str, name: &str) -> Result<OpenAPI, Error> {
    parse_paths(text, name, ALL_PATHS)
}

/// [`parse`] keeping only the paths under `prefix` ([`load_paths`]).
pub fn parse_paths(text: &str, name: &str, prefix: &str) -> Result<OpenAPI, Error> {
    let parse_error = |pointer: Pointer, message: String| Error::Parse {
        path: name.to_owned(),
        pointer: pointer.to_string(),
        message,
    };
    let json = text.trim_start().starts_with('{');
    // A document that is not even well-formed: the path-tracking parse says where it breaks.
    let syntax = |message: String| match syntax_error(text, json) {
        Some((pointer, message)) => parse_error(pointer, message),
        None => parse_error(Pointer::root(), message),
    };
    // One reading as plain data, in document order (YAML's mappings keep it), for JSON too.
    let mut value: serde_yaml::Value = if json {
        serde_json::from_str(text).map_err(|e| syntax(e.to_string()))?
    } else {
        match fast::read(text) {
            Some(value) => value,
            None => serde_yaml::from_str(text).map_err(|e| syntax(e.to_string()))?,
        }
    };
    keep_paths(&mut value, prefix);
    if let Some((pointer, message)) = plain::check_yaml(&value) {
        return Err(parse_error(pointer, message));
    }
    if let Some((pointer, message)) = plain::check_schemas(&value) {
        return Err(parse_error(pointer, message));
    }
    let api = match OpenAPI::deserialize(&value) {
        Ok(api) => api,
        Err(first) => {
            let (pointer, message) = serde_json::to_value(&value)
                .ok()
                .and_then(|doc| refine(&doc))
                .unwrap_or_else(
                    || match serde_path_to_error::deserialize::<_, OpenAPI>(&value) {
                        Err(e) => (to_pointer(e.path()), e.into_inner().to_string()),
                        Ok(_) => (Pointer::root(), first.to_string()),
                    },
                );
            return Err(parse_error(pointer, message));
        }
    };
    if !api.openapi.starts_with("3.0.") {
        return Err(parse_error(
            Pointer::root().push("openapi"),
            format!(
                "OpenAPI version {:?} is not supported (3.0.x is)",
                api.openapi
            ),
        ));
    }
    Ok(api)
}

/// Where a document that is not even well-formed JSON or YAML breaks, as a pointer.
fn syntax_error(text: &str, json: bool) -> Option<(Pointer, String)> {
    let result: Result<OpenAPI, _> = if json {
        let mut de = serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize(&mut de)
            .map_err(|e| (to_pointer(e.path()), e.into_inner().to_string()))
    } else {
        let de = serde_yaml::Deserializer::from_str(text);
        serde_path_to_error::deserialize(de)
            .map_err(|e| (to_pointer(e.path()), e.into_inner().to_string()))
    };
    result.err()
}

/// openapiv3 flattens most of its types (path items, operations, responses, schemas), which
/// hides the path below them from `serde_path_to_error`. This parses the document as plain
/// JSON and checks each part on its own, innermost first, so the error names the deepest part
/// that fails. Schemas are not among the parts: `plain::check_schemas` has read them all.
fn refine(doc: &Value) -> Option<(Pointer, String)> {
    let root = Pointer::root();
    let paths = entries(doc.get("paths")).find_map(|(path, item)| {
        let at = root.push("paths").push(path);
        entries(Some(item))
            .find_map(|(key, value)| {
                let at = at.push(key);
                match key.as_str() {
                    "parameters" => items(value).find_map(|(i, p)| parameter(p, &at.push(i))),
                    "get" | "put" | "post" | "delete" | "options" | "head" | "patch" | "trace" => {
                        operation(value, &at)
                    }
                    _ => None,
                }
            })
            .or_else(|| check::<oa::ReferenceOr<oa::PathItem>>(item, &at))
    });
    let components = doc.get("components");
    let part = |name: &str| components.and_then(|c| c.get(name));
    let at = root.push("components");
    // Schemas are not walked here: `plain::check_schemas` has read every one already.
    paths
        .or_else(|| {
            entries(part("parameters"))
                .find_map(|(n, v)| parameter(v, &at.push("parameters").push(n)))
        })
        .or_else(|| {
            entries(part("responses")).find_map(|(n, v)| response(v, &at.push("responses").push(n)))
        })
        .or_else(|| {
            entries(part("requestBodies"))
                .find_map(|(n, v)| request_body(v, &at.push("requestBodies").push(n)))
        })
}

type Found = Option<(Pointer, String)>;

fn check<T: serde::de::DeserializeOwned>(value: &Value, at: &Pointer) -> Found {
    serde_path_to_error::deserialize::<_, T>(value)
        .err()
        .map(|e| (to_pointer_from(at, e.path()), e.into_inner().to_string()))
}

fn entries(value: Option<&Value>) -> impl Iterator<Item = (&String, &Value)> {
    value.and_then(Value::as_object).into_iter().flatten()
}

fn items(value: &Value) -> impl Iterator<Item = (String, &Value)> {
    value
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(i, v)| (i.to_string(), v))
}

fn operation(op: &Value, at: &Pointer) -> Found {
    entries(Some(op))
        .find_map(|(key, value)| {
            let at = at.push(key);
            match key.as_str() {
                "parameters" => items(value).find_map(|(i, p)| parameter(p, &at.push(i))),
                "requestBody" => request_body(value, &at),
                "responses" => {
                    entries(Some(value)).find_map(|(code, r)| response(r, &at.push(code)))
                }
                _ => None,
            }
        })
        .or_else(|| check::<oa::Operation>(op, at))
}

fn parameter(p: &Value, at: &Pointer) -> Found {
    p.get("content")
        .and_then(|c| content(c, &at.push("content")))
        .or_else(|| check::<oa::ReferenceOr<oa::Parameter>>(p, at))
}

fn request_body(b: &Value, at: &Pointer) -> Found {
    b.get("content")
        .and_then(|c| content(c, &at.push("content")))
        .or_else(|| check::<oa::ReferenceOr<oa::RequestBody>>(b, at))
}

fn response(r: &Value, at: &Pointer) -> Found {
    r.get("content")
        .and_then(|c| content(c, &at.push("content")))
        .or_else(|| check::<oa::ReferenceOr<oa::Response>>(r, at))
}

fn content(c: &Value, at: &Pointer) -> Found {
    if !c.is_object() {
        return check::<indexmap::IndexMap<String, oa::MediaType>>(c, at);
    }
    entries(Some(c)).find_map(|(media, m)| check::<oa::MediaType>(m, &at.push(media)))
}

fn to_pointer_from(base: &Pointer, path: &serde_path_to_error::Path) -> Pointer {
    use serde_path_to_error::Segment;
    path.iter().fold(base.clone(), |p, segment| match segment {
        Segment::Seq { index } => p.push(index.to_string()),
        Segment::Map { key } => p.push(key),
        Segment::Enum { variant } => p.push(variant),
        Segment::Unknown => p,
    })
}

fn to_pointer(path: &serde_path_to_error::Path) -> Pointer {
    to_pointer_from(&Pointer::root(), path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_selected_paths_are_read() {
        let yaml = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  x-note: kept\n  /stages/a/:\n    get: {responses: {'200': {description: ok}}}\n  /core/b/:\n    get: {responses: 7}\n";
        // The whole document: the bad path is read, and named.
        let whole = parse(yaml, "a.yaml").unwrap_err().to_string();
        assert!(whole.contains("/paths/~1core~1b~1"), "{whole}");
        // `/stages/` alone: the other path is not read.
        let doc = parse_paths(yaml, "a.yaml", "/stages/").unwrap();
        let kept: Vec<&String> = doc.paths.paths.keys().collect();
        assert_eq!(kept, ["/stages/a/"]);
        assert!(doc.paths.extensions.contains_key("x-note"));
    }

    #[test]
    fn yaml_and_json_both_load() {
        let yaml = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n";
        let json = r#"{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}}"#;
        assert_eq!(
            parse(yaml, "a.yaml").unwrap(),
            parse(json, "a.json").unwrap()
        );
    }

    #[test]
    fn a_bad_field_is_named_by_pointer() {
        let yaml = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a/:\n    get:\n      responses:\n        '200':\n          description: 5\n          content: []\n";
        let err = parse(yaml, "a.yaml").unwrap_err().to_string();
        assert!(
            err.starts_with("a.yaml#/paths/~1a~1/get/responses/200/content: "),
            "{err}"
        );
    }

    #[test]
    fn openapi_31_is_refused() {
        let yaml = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n";
        let err = parse(yaml, "a.yaml").unwrap_err().to_string();
        assert!(
            err.contains("#/openapi: OpenAPI version \"3.1.0\" is not supported"),
            "{err}"
        );
    }
}
