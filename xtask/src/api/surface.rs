//! IR → API surface: what the generated crates expose, in Rust terms (resources → operations →
//! parameters, bodies and responses; types → fields and enum values), each item with the JSON
//! pointer it came from. `cargo xtask codegen` writes it as `api.json` beside the generated
//! crates; `cargo xtask api-diff` compares two of them.
//!
//! The surface is plain data (serde), so a manifest written by an earlier run reads back into
//! the same model the diff works on.

use crate::codegen::diag::Pointer;
use crate::codegen::ir;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The manifest's format; a manifest of another format is not compared with.
pub const FORMAT: u32 = 1;

/// The API as the generated crates expose it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Surface {
    /// JSON has no comments: the marker that says the file is generated is a key.
    #[serde(rename = "@generated")]
    pub generated: String,
    pub format: u32,
    pub title: String,
    pub version: String,
    /// The selected paths (`/stages/`).
    pub paths: String,
    /// By module name (`captcha`).
    pub resources: BTreeMap<String, Resource>,
    /// By Rust name (`CaptchaStageRequest`).
    pub types: BTreeMap<String, TypeDef>,
}

/// One resource: a trait in the server and in the client.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Resource {
    /// The trait both crates name it by (`CaptchaApi`).
    #[serde(rename = "trait")]
    pub trait_name: String,
    /// By Rust method name (`stages_captcha_create`).
    pub operations: BTreeMap<String, Operation>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Operation {
    pub operation_id: String,
    pub method: String,
    pub path: String,
    pub pointer: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub deprecated: bool,
    /// The operation's own types: `request` and `response` in the server, `error` (and
    /// `success`, with several successes) in the client, `query` in the models.
    pub rust_types: OperationTypes,
    /// The client's page stream (`stages_captcha_list_all`), for paginated lists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<Param>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Body>,
    pub responses: Vec<Response>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OperationTypes {
    pub request: String,
    pub response: String,
    pub error: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Location {
    Path,
    Query,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Param {
    /// The name the path or query uses.
    pub name: String,
    pub rust: String,
    #[serde(rename = "in")]
    pub location: Location,
    /// The Rust type of the argument (path) or of the query struct's field (query).
    #[serde(rename = "type")]
    pub ty: String,
    pub required: bool,
    #[serde(default, skip_serializing_if = "Constraints::is_empty")]
    pub constraints: Constraints,
    pub pointer: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Body {
    pub content_type: String,
    #[serde(rename = "type")]
    pub ty: String,
    pub required: bool,
    pub pointer: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Response {
    /// `200`, or `default`.
    pub status: String,
    /// The variant of the server's response enum and of the client's error or success enum.
    pub variant: String,
    pub success: bool,
    /// The Rust type of the body; `None` without one.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub ty: Option<String>,
    pub pointer: String,
}

/// A named Rust type of the models crate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TypeDef {
    /// The schema's own name, or the name made for an inline schema.
    pub schema: String,
    pub pointer: String,
    #[serde(flatten)]
    pub shape: Shape,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Shape {
    Struct(StructDef),
    Enum(EnumDef),
    Union(UnionDef),
    Alias(AliasDef),
}

impl Shape {
    pub fn name(&self) -> &'static str {
        match self {
            Shape::Struct(_) => "struct",
            Shape::Enum(_) => "enum",
            Shape::Union(_) => "union",
            Shape::Alias(_) => "alias",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StructDef {
    /// Whether it derives `Default` (nothing in it is required).
    pub default: bool,
    pub fields: Vec<Field>,
    /// The value type of `additional_properties` (`additionalProperties`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Field {
    pub json: String,
    pub rust: String,
    /// The field's whole Rust type: `String`, `Option<String>`, `Maybe<Uuid>`.
    #[serde(rename = "type")]
    pub ty: String,
    pub required: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub nullable: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub read_only: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub write_only: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub deprecated: bool,
    #[serde(default, skip_serializing_if = "Constraints::is_empty")]
    pub constraints: Constraints,
    pub pointer: String,
}

impl Field {
    /// The type without what presence adds (`Option`, `Maybe`): `Maybe<Uuid>` → `Uuid`.
    pub fn base(&self) -> &str {
        let wrapped = match (self.required, self.nullable) {
            (true, false) => None,
            (true, true) | (false, false) => Some("Option<"),
            (false, true) => Some("Maybe<"),
        };
        match wrapped {
            Some(prefix) => self
                .ty
                .strip_prefix(prefix)
                .and_then(|t| t.strip_suffix('>'))
                .unwrap_or(&self.ty),
            None => &self.ty,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EnumDef {
    pub values: Vec<EnumValue>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EnumValue {
    pub json: String,
    pub rust: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UnionDef {
    /// The discriminator property.
    pub property: String,
    pub variants: Vec<UnionVariant>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UnionVariant {
    pub tag: String,
    pub rust: String,
    /// The struct the variant holds.
    pub model: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AliasDef {
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(default, skip_serializing_if = "Constraints::is_empty")]
    pub constraints: Constraints,
}

/// The constraints `validate()` checks, as the schema states them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Constraints {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum: Option<Limit>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum: Option<Limit>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_items: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_items: Option<u64>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub email: bool,
    /// The constraints on each item of a list (or value of a map).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Box<Constraints>>,
}

impl Constraints {
    pub fn is_empty(&self) -> bool {
        *self == Constraints::default()
    }
}

/// A bound of `minimum` or `maximum`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Limit {
    pub value: serde_json::Number,
    #[serde(default, skip_serializing_if = "is_false")]
    pub exclusive: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Surface {
    /// The surface of a lowered API; `schema_label` names the schema in the `@generated` marker.
    pub fn from_api(api: &ir::Api, schema_label: &str, paths: &str) -> Surface {
        let mut resources = BTreeMap::new();
        for r in &api.resources {
            let operations = r
                .operations
                .iter()
                .filter_map(|&i| api.operations.get(i))
                .map(|op| (op.rust_name.clone(), operation(op)))
                .collect();
            resources.insert(
                r.module.clone(),
                Resource {
                    trait_name: r.trait_name.clone(),
                    operations,
                },
            );
        }
        let types = api
            .models
            .values()
            .map(|m| (m.rust_name.clone(), type_def(m)))
            .collect();
        Surface {
            generated: format!("by cargo xtask codegen from {schema_label}; do not edit."),
            format: FORMAT,
            title: api.title.clone(),
            version: api.version.clone(),
            paths: paths.to_owned(),
            resources,
            types,
        }
    }

    /// The manifest's text: pretty-printed JSON with a final newline, the same bytes for the same
    /// surface.
    pub fn to_json(&self) -> String {
        // Serializing plain data with string keys into a string cannot fail.
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Reads a manifest; the error says why it is not one this version understands.
    pub fn from_json(text: &str) -> Result<Surface, String> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        match value.get("format").and_then(serde_json::Value::as_u64) {
            Some(n) if n == u64::from(FORMAT) => {}
            Some(n) => return Err(format!("manifest format {n}, this version reads {FORMAT}")),
            None => return Err("not an API manifest (no `format`)".to_owned()),
        }
        let mut de = serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            format!("at {path}: {}", e.into_inner())
        })
    }
}

fn operation(op: &ir::Operation) -> Operation {
    let has_query = op
        .params
        .iter()
        .any(|p| p.location == ir::ParamLocation::Query);
    let successes = op.responses.iter().filter(|r| r.success).count();
    Operation {
        operation_id: op.operation_id.clone(),
        method: op.method.clone(),
        path: op.path.clone(),
        pointer: op.pointer.to_string(),
        deprecated: op.deprecated,
        rust_types: OperationTypes {
            request: op.names.request.clone(),
            response: op.names.response.clone(),
            error: op.names.error.clone(),
            success: (successes > 1).then(|| op.names.success.clone()),
            query: has_query.then(|| op.names.query.clone()),
        },
        stream: op.names.all.clone(),
        params: op.params.iter().map(param).collect(),
        body: op.body.as_ref().map(|b| Body {
            content_type: b.content_type.clone(),
            ty: match b.kind {
                ir::BodyKind::Json => rust_type(&b.ty),
                ir::BodyKind::Multipart | ir::BodyKind::Form => "Vec<u8>".to_owned(),
            },
            required: b.required,
            pointer: b.pointer.to_string(),
        }),
        responses: op
            .responses
            .iter()
            .map(|r| Response {
                status: match r.status {
                    ir::Status::Code(n) => n.to_string(),
                    ir::Status::Default => "default".to_owned(),
                },
                variant: r.variant.clone(),
                success: r.success,
                ty: match &r.body {
                    ir::ResponseBody::None => None,
                    ir::ResponseBody::Json(t) => Some(rust_type(t)),
                    ir::ResponseBody::Other(_) => Some("Vec<u8>".to_owned()),
                },
                pointer: r.pointer.to_string(),
            })
            .collect(),
    }
}

fn param(p: &ir::Param) -> Param {
    let value = match &p.value {
        ir::ParamValue::String => "String".to_owned(),
        other => rust_type(&other.ty()),
    };
    let value = if p.many {
        format!("Vec<{value}>")
    } else {
        value
    };
    let ty = if p.required || p.location == ir::ParamLocation::Path {
        value
    } else {
        format!("Option<{value}>")
    };
    Param {
        name: p.name.clone(),
        rust: p.rust_name.clone(),
        location: match p.location {
            ir::ParamLocation::Path => Location::Path,
            ir::ParamLocation::Query => Location::Query,
        },
        ty,
        required: p.required,
        constraints: constraints(&p.constraints),
        pointer: p.pointer.to_string(),
    }
}

fn type_def(m: &ir::Model) -> TypeDef {
    let shape = match &m.kind {
        ir::ModelKind::Struct(s) => Shape::Struct(StructDef {
            default: s.fields.iter().all(|f| {
                matches!(
                    f.presence,
                    ir::Presence::Optional | ir::Presence::OptionalNullable
                )
            }),
            fields: s.fields.iter().map(field).collect(),
            additional: s.additional.as_ref().map(|a| rust_type(&a.ty)),
        }),
        ir::ModelKind::Enum(e) => Shape::Enum(EnumDef {
            values: e
                .values
                .iter()
                .map(|v| EnumValue {
                    json: v.json.clone(),
                    rust: v.rust_name.clone(),
                })
                .collect(),
        }),
        ir::ModelKind::Union(u) => Shape::Union(UnionDef {
            property: u.property.clone(),
            variants: u
                .variants
                .iter()
                .map(|v| UnionVariant {
                    tag: v.tag.clone(),
                    rust: v.rust_name.clone(),
                    model: v.model.clone(),
                })
                .collect(),
        }),
        ir::ModelKind::Alias(ty, c) => Shape::Alias(AliasDef {
            ty: rust_type(ty),
            constraints: constraints(c),
        }),
    };
    TypeDef {
        schema: m.name.clone(),
        pointer: m.pointer.to_string(),
        shape,
    }
}

fn field(f: &ir::Field) -> Field {
    let mut ty = rust_type(&f.ty);
    if f.boxed {
        ty = format!("Box<{ty}>");
    }
    let (required, nullable) = match f.presence {
        ir::Presence::Required => (true, false),
        ir::Presence::RequiredNullable => (true, true),
        ir::Presence::Optional => (false, false),
        ir::Presence::OptionalNullable => (false, true),
    };
    let ty = match f.presence {
        ir::Presence::Required => ty,
        ir::Presence::RequiredNullable | ir::Presence::Optional => format!("Option<{ty}>"),
        ir::Presence::OptionalNullable => format!("Maybe<{ty}>"),
    };
    Field {
        json: f.json_name.clone(),
        rust: f.rust_name.clone(),
        ty,
        required,
        nullable,
        read_only: f.read_only,
        write_only: f.write_only,
        deprecated: f.deprecated,
        constraints: constraints(&f.constraints),
        pointer: f.pointer.to_string(),
    }
}

fn constraints(c: &ir::Constraints) -> Constraints {
    let limit = |b: &Option<(ir::Bound, bool)>| {
        b.map(|(bound, exclusive)| Limit {
            value: match bound {
                ir::Bound::Int(n) => n.into(),
                // `load` refuses non-finite numbers, so there is always a number here.
                ir::Bound::Float(x) => serde_json::Number::from_f64(x).unwrap_or_else(|| 0.into()),
            },
            exclusive,
        })
    };
    Constraints {
        min_length: c.min_length.map(|n| n as u64),
        max_length: c.max_length.map(|n| n as u64),
        pattern: c.pattern.clone(),
        minimum: limit(&c.minimum),
        maximum: limit(&c.maximum),
        min_items: c.min_items.map(|n| n as u64),
        max_items: c.max_items.map(|n| n as u64),
        email: c.email,
        items: c.items.as_deref().map(|i| Box::new(constraints(i))),
    }
}

/// A type as a person writes it in code that uses the models crate (`Vec<FlowSetRequest>`).
pub fn rust_type(ty: &ir::Type) -> String {
    match ty {
        ir::Type::String => "String".to_owned(),
        ir::Type::Uuid => "Uuid".to_owned(),
        ir::Type::DateTime => "DateTime<FixedOffset>".to_owned(),
        ir::Type::Date => "NaiveDate".to_owned(),
        ir::Type::Binary => "Binary".to_owned(),
        ir::Type::Integer { bits: 32 } => "i32".to_owned(),
        ir::Type::Integer { .. } => "i64".to_owned(),
        ir::Type::Number => "f64".to_owned(),
        ir::Type::Boolean => "bool".to_owned(),
        ir::Type::Any => "Value".to_owned(),
        ir::Type::Named(name) => name.clone(),
        ir::Type::Array(inner) => format!("Vec<{}>", rust_type(inner)),
        ir::Type::Map(inner) => format!("BTreeMap<String, {}>", rust_type(inner)),
        ir::Type::Nullable(inner) => format!("Option<{}>", rust_type(inner)),
    }
}

/// The names in a type's text that are types of `surface` (`Vec<FlowSet>` → `FlowSet`).
pub fn named_types<'a>(ty: &'a str, surface: &'a Surface) -> impl Iterator<Item = &'a str> + 'a {
    ty.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(move |word| surface.types.contains_key(*word))
}

/// An enum value's pointer: the type's own, then `enum` and the value's place in the list.
pub fn enum_value_pointer(type_pointer: &str, index: usize) -> String {
    format!("{type_pointer}/enum/{index}")
}

/// A pointer extended by one token (RFC 6901 escaping).
pub fn pointer_push(pointer: &str, token: &str) -> String {
    Pointer::from_ref(pointer)
        .map(|p| p.push(token).to_string())
        .unwrap_or_else(|| format!("{pointer}/{token}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codegen::lower;

    const SCHEMA: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /stages/a/{id}/:\n    patch:\n      operationId: stages_a_partial_update\n      parameters:\n      - {name: id, in: path, required: true, schema: {type: integer}}\n      - {name: tags, in: query, schema: {type: array, items: {type: string}}}\n      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/A'}}}}\n      responses:\n        '200': {description: '', content: {application/json: {schema: {$ref: '#/components/schemas/A'}}}}\n        '204': {description: ''}\ncomponents:\n  schemas:\n    A:\n      type: object\n      properties:\n        id: {type: integer, format: int32, readOnly: true, maximum: 10, exclusiveMaximum: true}\n        note: {type: string, nullable: true, maxLength: 5}\n        kind: {type: string, enum: [x, y]}\n        list: {type: array, items: {type: string, minLength: 1}, nullable: true}\n      required: [id, list]\n";

    fn surface() -> Surface {
        let api = lower::lower_text(SCHEMA, "/stages/");
        Surface::from_api(&api, "a.yaml", "/stages/")
    }

    #[test]
    fn fields_params_and_responses_are_in_rust_terms_with_pointers() {
        let s = surface();
        let Shape::Struct(a) = &s.types["A"].shape else {
            panic!("{:?}", s.types["A"]);
        };
        assert!(!a.default);
        let field = |name: &str| a.fields.iter().find(|f| f.json == name).unwrap();
        assert_eq!(field("id").ty, "i32");
        assert!(field("id").read_only);
        assert_eq!(field("note").ty, "Maybe<String>");
        assert_eq!(field("note").base(), "String");
        assert_eq!(field("list").ty, "Option<Vec<String>>");
        assert_eq!(field("list").base(), "Vec<String>");
        assert_eq!(
            field("note").pointer,
            "#/components/schemas/A/properties/note"
        );
        let Some(items) = &field("list").constraints.items else {
            panic!("no item constraints");
        };
        assert_eq!(items.min_length, Some(1));
        let op = &s.resources["a"].operations["stages_a_partial_update"];
        assert_eq!(op.pointer, "#/paths/~1stages~1a~1{id}~1/patch");
        assert_eq!(op.params[0].ty, "i64");
        assert_eq!(op.params[1].ty, "Option<Vec<String>>");
        assert_eq!(
            op.rust_types.success.as_deref(),
            Some("StagesAPartialUpdateSuccess")
        );
        assert!(op.body.as_ref().is_some_and(|b| !b.required && b.ty == "A"));
        assert_eq!(op.responses[1].ty, None);
    }

    #[test]
    fn a_manifest_reads_back_as_the_surface_it_was_written_from() {
        let s = surface();
        let text = s.to_json();
        assert!(text.starts_with("{\n  \"@generated\": \"by cargo xtask codegen from a.yaml; do not edit.\",\n  \"format\": 1,"), "{text}");
        assert_eq!(Surface::from_json(&text), Ok(s));
        assert!(Surface::from_json("{\"format\": 99}")
            .unwrap_err()
            .contains("format 99"));
        let broken = text.replace("\"required\": true", "\"required\": 1");
        assert!(Surface::from_json(&broken)
            .unwrap_err()
            .contains("required"));
    }
}
