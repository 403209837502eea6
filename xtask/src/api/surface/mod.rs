//! IR → API surface: what the generated crates expose, in Rust terms (resources → operations →
//! parameters, bodies and responses; types → fields and enum values), each item with the JSON
//! pointer it came from. `cargo xtask codegen` writes it as `api.json` beside the generated
//! crates; `cargo xtask api-diff` compares two of them.
//!
//! The surface is plain data (serde), so a manifest written by an earlier run reads back into
//! the same model the diff works on; `build` makes it from the IR.

mod build;
mod prior;

pub use build::rust_type;

use crate::codegen::diag::Pointer;
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
