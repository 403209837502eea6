//! Checks on the document as plain data, before openapiv3 reads it: each is one linear walk.

use crate::codegen::diag::Pointer;
use openapiv3 as oa;
use serde::Deserialize;
use serde_yaml::{Mapping, Value};

/// A problem and where it is.
pub(super) type Found = Option<(Pointer, String)>;

/// Numbers must be finite (YAML's `.nan` and `.inf` have no JSON form, and openapiv3 panics on
/// them) and mapping keys must be strings, numbers or booleans.
pub(super) fn check_yaml(value: &Value) -> Found {
    check_yaml_at(value, &Pointer::root())
}

fn check_yaml_at(value: &serde_yaml::Value, at: &Pointer) -> Found {
    use serde_yaml::Value as Y;
    match value {
        Y::Number(n) if n.as_f64().is_some_and(|f| !f.is_finite()) => Some((
            at.clone(),
            format!("{n} is not a finite number; only finite numbers are supported"),
        )),
        Y::Sequence(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| check_yaml_at(item, &at.push(i.to_string()))),
        Y::Mapping(map) => map.iter().find_map(|(key, item)| {
            let key = match key {
                Y::String(s) => s.clone(),
                Y::Number(n) if n.as_f64().is_some_and(f64::is_finite) => n.to_string(),
                Y::Bool(b) => b.to_string(),
                other => {
                    return Some((
                        at.clone(),
                        format!("a mapping key must be a string, not {}", yaml_kind(other)),
                    ))
                }
            };
            check_yaml_at(item, &at.push(key))
        }),
        Y::Tagged(tagged) => check_yaml_at(&tagged.value, at),
        _ => None,
    }
}

fn yaml_kind(value: &serde_yaml::Value) -> &'static str {
    use serde_yaml::Value as Y;
    match value {
        Y::Null => "null",
        Y::Bool(_) => "a boolean",
        Y::Number(_) => "a non-finite number",
        Y::String(_) => "a string",
        Y::Sequence(_) => "a list",
        Y::Mapping(_) => "a mapping",
        Y::Tagged(_) => "a tagged value",
    }
}

/// Every schema in the document, each checked on its own keywords (its nested schemas stood in
/// for by `{}`), so the error names the schema that is wrong however deep it is.
pub(super) fn check_schemas(doc: &Value) -> Found {
    let root = Pointer::root();
    let components = get(doc, "components")
        .and_then(|c| get(c, "schemas"))
        .and_then(Value::as_mapping)
        .into_iter()
        .flatten()
        .find_map(|(name, schema)| {
            check_schema(
                schema,
                &root.push("components").push("schemas").push(key_text(name)),
            )
        });
    components.or_else(|| {
        ["paths", "components"].iter().find_map(|key| {
            get(doc, key)
                .and_then(|part| find_schema_positions(part, &root.push(key), *key == "components"))
        })
    })
}

fn get<'v>(value: &'v Value, key: &str) -> Option<&'v Value> {
    value.as_mapping()?.get(key)
}

/// A mapping key as a pointer token (`check_yaml` has made sure it is a scalar).
fn key_text(key: &Value) -> String {
    match key {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => String::new(),
    }
}

/// Walks the parts of the document that are not schemas and checks every `schema` found there
/// (parameters, media types, headers). Extensions and examples are not walked.
fn find_schema_positions(value: &Value, at: &Pointer, top_of_components: bool) -> Found {
    match value {
        Value::Mapping(map) => map.iter().find_map(|(key, item)| {
            let key = key_text(key);
            if key.starts_with("x-") || key == "example" || key == "examples" {
                return None;
            }
            // `#/components/schemas` was checked as schemas already.
            if top_of_components && key == "schemas" {
                return None;
            }
            let at = at.push(&key);
            if key == "schema" {
                check_schema(item, &at)
            } else {
                find_schema_positions(item, &at, false)
            }
        }),
        Value::Sequence(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| find_schema_positions(item, &at.push(i.to_string()), false)),
        _ => None,
    }
}

/// The keywords whose values are schemas themselves, one or a list or a map of them.
const ONE: &[&str] = &["items", "not", "additionalProperties"];
const LIST: &[&str] = &["allOf", "oneOf", "anyOf"];
const MAP: &str = "properties";

/// Checks the schema at `at`, its nested schemas first (so the deepest problem is named).
fn check_schema(schema: &Value, at: &Pointer) -> Found {
    let Some(map) = schema.as_mapping() else {
        return shallow(schema, at);
    };
    // A reference: openapiv3 reads `$ref` and ignores the rest.
    if map.contains_key("$ref") {
        return shallow(schema, at);
    }
    let nested = ONE
        .iter()
        .filter_map(|key| {
            map.get(*key)
                .filter(|v| v.is_mapping())
                .map(|v| (v, at.push(key)))
        })
        .chain(LIST.iter().flat_map(|key| {
            map.get(*key)
                .and_then(Value::as_sequence)
                .into_iter()
                .flatten()
                .enumerate()
                .map(move |(i, v)| (v, at.push(key).push(i.to_string())))
        }))
        .chain(
            map.get(MAP)
                .and_then(Value::as_mapping)
                .into_iter()
                .flatten()
                .map(|(name, v)| (v, at.push(MAP).push(key_text(name)))),
        )
        .find_map(|(v, at)| check_schema(v, &at));
    nested.or_else(|| shallow(&stand_ins(map), at))
}

/// The schema with each nested schema replaced by `{}`.
fn stand_ins(map: &Mapping) -> Value {
    let empty = || Value::Mapping(Mapping::new());
    let mut out = Mapping::with_capacity(map.len());
    for (key, value) in map {
        let name = key.as_str().unwrap_or_default();
        let replaced = if ONE.contains(&name) && value.is_mapping() {
            empty()
        } else if LIST.contains(&name) && value.is_sequence() {
            Value::Sequence(
                value
                    .as_sequence()
                    .into_iter()
                    .flatten()
                    .map(|_| empty())
                    .collect(),
            )
        } else if name == MAP && value.is_mapping() {
            Value::Mapping(
                value
                    .as_mapping()
                    .into_iter()
                    .flatten()
                    .map(|(k, _)| (k.clone(), empty()))
                    .collect(),
            )
        } else {
            value.clone()
        };
        out.insert(key.clone(), replaced);
    }
    Value::Mapping(out)
}

/// Reads one schema with openapiv3; on failure, names the keyword that failed where it can.
fn shallow(schema: &Value, at: &Pointer) -> Found {
    let reads = |v: &Value| oa::ReferenceOr::<oa::Schema>::deserialize(v).is_ok();
    if reads(schema) {
        return None;
    }
    let error = serde_path_to_error::deserialize::<_, oa::ReferenceOr<oa::Schema>>(schema).err()?;
    // openapiv3's untagged enums hide which keyword failed: the first one whose removal makes
    // the schema readable is it.
    let keyword = schema.as_mapping().and_then(|map| {
        map.keys().find(|key| {
            let mut without = map.clone();
            without.remove(*key);
            reads(&Value::Mapping(without))
        })
    });
    let at = match keyword {
        Some(key) => at.push(key_text(key)),
        None => at.clone(),
    };
    Some((at, error.into_inner().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_finite_numbers_are_named() {
        let yaml: serde_yaml::Value =
            serde_yaml::from_str("a:\n  b: [1, .nan]\n  c: -.inf\n").unwrap();
        let (pointer, message) = check_yaml(&yaml).unwrap();
        assert_eq!(pointer.as_str(), "#/a/b/1");
        assert!(message.contains("not a finite number"), "{message}");
    }

    #[test]
    fn a_deep_bad_schema_is_found_in_linear_time() {
        // 60 objects deep around a `type` that is not a string: openapiv3 alone takes time
        // exponential in the depth to refuse it.
        let mut schema = serde_json::json!({"type": {"x": 1}});
        for _ in 0..60 {
            schema = serde_json::json!({"type": "object", "properties": {"p": schema}});
        }
        let doc = serde_json::json!({"components": {"schemas": {"X": schema}}});
        let doc: Value = serde_json::from_value(doc).unwrap();
        let start = std::time::Instant::now();
        let (pointer, _) = check_schemas(&doc).unwrap();
        assert!(start.elapsed() < std::time::Duration::from_secs(1));
        assert_eq!(pointer.as_str().matches("/properties/p").count(), 60);
        assert!(
            pointer.as_str().ends_with("/properties/p/type"),
            "{pointer}"
        );
    }
}
