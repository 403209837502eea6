//! Pass 1, load: schema file (YAML or JSON) → `openapiv3::OpenAPI`.
//!
//! Parsing goes through `serde_path_to_error`, so a document that does not match OpenAPI 3.0
//! names the place that failed as a JSON pointer.

use super::diag::{Error, Pointer};
use openapiv3::OpenAPI;
use std::path::Path;

/// Reads and parses the document at `path`; errors name it `label`.
pub fn load(path: &Path, label: &str) -> Result<OpenAPI, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: label.to_owned(),
        source,
    })?;
    parse(&text, label)
}

/// Parses a document; JSON when it starts with `{` (after white space), YAML otherwise.
pub fn parse(text: &str, name: &str) -> Result<OpenAPI, Error> {
    let parse_error = |pointer: Pointer, message: String| Error::Parse {
        path: name.to_owned(),
        pointer: pointer.to_string(),
        message,
    };
    let json = text.trim_start().starts_with('{');
    // The plain parse is the fast path; only a document that fails is parsed again with path
    // tracking, to say where.
    let fast: Option<OpenAPI> = if json {
        serde_json::from_str(text).ok()
    } else {
        serde_yaml::from_str(text).ok()
    };
    let parsed: Result<OpenAPI, _> = if let Some(api) = fast {
        Ok(api)
    } else if json {
        let mut de = serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize(&mut de)
            .map_err(|e| (to_pointer(e.path()), e.into_inner().to_string()))
    } else {
        let de = serde_yaml::Deserializer::from_str(text);
        serde_path_to_error::deserialize(de)
            .map_err(|e| (to_pointer(e.path()), e.into_inner().to_string()))
    };
    let api = match parsed {
        Ok(api) => api,
        Err((pointer, message)) => {
            let (pointer, message) = refine(text, json).unwrap_or((pointer, message));
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

/// openapiv3 flattens path items, operations and responses, which hides the path below them from
/// `serde_path_to_error`. This parses the document as plain JSON and deserializes each such
/// part on its own, so the error names the deepest part that fails.
fn refine(text: &str, json: bool) -> Option<(Pointer, String)> {
    use openapiv3 as oa;
    use serde_json::Value;
    fn check<T: serde::de::DeserializeOwned>(
        value: &Value,
        at: &Pointer,
    ) -> Option<(Pointer, String)> {
        serde_path_to_error::deserialize::<_, T>(value)
            .err()
            .map(|e| (to_pointer_from(at, e.path()), e.into_inner().to_string()))
    }
    let doc: Value = if json {
        serde_json::from_str(text).ok()?
    } else {
        serde_yaml::from_str(text).ok()?
    };
    let root = Pointer::root();
    for (path, item) in doc.get("paths")?.as_object()? {
        let at = root.push("paths").push(path);
        let Some(item) = item.as_object() else {
            return check::<oa::ReferenceOr<oa::PathItem>>(&Value::Null, &at);
        };
        for (key, value) in item {
            let at = at.push(key);
            let found = match key.as_str() {
                "parameters" => check::<Vec<oa::ReferenceOr<oa::Parameter>>>(value, &at),
                "get" | "put" | "post" | "delete" | "options" | "head" | "patch" | "trace" => value
                    .as_object()
                    .into_iter()
                    .flatten()
                    .find_map(|(k, v)| {
                        let at = at.push(k);
                        match k.as_str() {
                            "responses" => {
                                v.as_object().into_iter().flatten().find_map(|(code, r)| {
                                    check::<oa::ReferenceOr<oa::Response>>(r, &at.push(code))
                                })
                            }
                            "parameters" => check::<Vec<oa::ReferenceOr<oa::Parameter>>>(v, &at),
                            "requestBody" => check::<oa::ReferenceOr<oa::RequestBody>>(v, &at),
                            _ => None,
                        }
                    })
                    .or_else(|| check::<oa::Operation>(value, &at)),
                _ => None,
            };
            if found.is_some() {
                return found;
            }
        }
    }
    let schemas = doc.get("components")?.get("schemas")?.as_object()?;
    schemas.iter().find_map(|(name, schema)| {
        check::<oa::ReferenceOr<oa::Schema>>(
            schema,
            &root.push("components").push("schemas").push(name),
        )
    })
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
