//! Pass 1, load: schema file (YAML or JSON) → `openapiv3::OpenAPI`.
//!
//! Parsing goes through `serde_path_to_error`, so a document that does not match OpenAPI 3.0
//! names the place that failed as a JSON pointer.

use super::diag::{Error, Pointer};
use openapiv3::OpenAPI;
use std::path::Path;

/// Reads and parses the document at `path`.
pub fn load(path: &Path) -> Result<OpenAPI, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: path.display().to_string(),
        source,
    })?;
    parse(&text, &path.display().to_string())
}

/// Parses a document; JSON when it starts with `{` (after white space), YAML otherwise.
pub fn parse(text: &str, name: &str) -> Result<OpenAPI, Error> {
    let parse_error = |pointer: Pointer, message: String| Error::Parse {
        path: name.to_owned(),
        pointer: pointer.to_string(),
        message,
    };
    let api: OpenAPI = if text.trim_start().starts_with('{') {
        let mut de = serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize(&mut de)
            .map_err(|e| parse_error(to_pointer(e.path()), e.into_inner().to_string()))?
    } else {
        let de = serde_yaml::Deserializer::from_str(text);
        serde_path_to_error::deserialize(de)
            .map_err(|e| parse_error(to_pointer(e.path()), e.into_inner().to_string()))?
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

fn to_pointer(path: &serde_path_to_error::Path) -> Pointer {
    use serde_path_to_error::Segment;
    path.iter()
        .fold(Pointer::root(), |p, segment| match segment {
            Segment::Seq { index } => p.push(index.to_string()),
            Segment::Map { key } => p.push(key),
            Segment::Enum { variant } => p.push(variant),
            Segment::Unknown => p,
        })
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
            err.starts_with("a.yaml#/paths/~1a~1/get/responses/200"),
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
