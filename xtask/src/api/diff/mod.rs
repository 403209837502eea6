//! Two API surfaces → every change between them, each classified for clients and for servers
//! and told as its consequence in the generated Rust.
//!
//! "Breaking" means that hand-written code that compiled and worked against the old generated
//! crates may fail to compile against the new ones or, for changes the compiler cannot see
//! (constraints), may see requests or answers refused or values it never saw. Who is affected
//! follows the data: a type the client sends (a request body, a parameter) is produced by the
//! client and consumed by the server; a type in an answer is produced by the server and consumed
//! by the client. Adding to a struct breaks its producers' struct literals; adding to an enum
//! breaks nobody (the generated enums are `#[non_exhaustive]`, so every `match` on them has a
//! `_` arm), unless the enum's name changes with it; removing or retyping anything breaks both.

mod bodies;
mod constraints;
mod operations;
mod resource;
mod types;

use super::surface::{Shape, Surface};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Whether a change breaks one side's hand-written code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Impact {
    Breaking,
    Compatible,
}

impl Impact {
    fn from_breaks(breaks: bool) -> Impact {
        if breaks {
            Impact::Breaking
        } else {
            Impact::Compatible
        }
    }

    pub fn is_breaking(self) -> bool {
        self == Impact::Breaking
    }
}

/// The document a change's pointer points into.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Document {
    Old,
    New,
}

macro_rules! kinds {
    ($($kind:ident => $singular:literal, $plural:literal, $verb:literal;)*) => {
        /// What changed. Serialized in kebab-case (`field-added`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(rename_all = "kebab-case")]
        pub enum Kind {
            $($kind,)*
        }

        impl Kind {
            /// Every kind, in the order summaries list them.
            pub const ALL: &'static [Kind] = &[$(Kind::$kind,)*];

            /// How a summary counts it: `3 fields added`.
            pub fn phrase(self, n: usize) -> String {
                match self {
                    $(Kind::$kind => format!("{n} {} {}", if n == 1 { $singular } else { $plural }, $verb),)*
                }
            }
        }
    };
}

kinds! {
    ResourceAdded => "resource", "resources", "added";
    ResourceRemoved => "resource", "resources", "removed";
    ResourceChanged => "resource", "resources", "renamed";
    OperationAdded => "operation", "operations", "added";
    OperationRemoved => "operation", "operations", "removed";
    OperationChanged => "operation", "operations", "changed";
    ParameterAdded => "parameter", "parameters", "added";
    ParameterRemoved => "parameter", "parameters", "removed";
    ParameterRenamed => "parameter", "parameters", "renamed in Rust";
    ParameterTypeChanged => "parameter type", "parameter types", "changed";
    ParameterRequired => "parameter", "parameters", "made required";
    ParameterOptional => "parameter", "parameters", "made optional";
    ParameterConstraintChanged => "parameter constraint", "parameter constraints", "changed";
    RequestBodyAdded => "request body", "request bodies", "added";
    RequestBodyRemoved => "request body", "request bodies", "removed";
    RequestBodyChanged => "request body", "request bodies", "changed";
    RequestBodyRequiredChanged => "request body", "request bodies", "changed requiredness";
    ResponseAdded => "response", "responses", "added";
    ResponseRemoved => "response", "responses", "removed";
    ResponseChanged => "response", "responses", "changed";
    TypeAdded => "type", "types", "added";
    TypeRemoved => "type", "types", "removed";
    TypeKindChanged => "type", "types", "changed kind";
    TypeDefaultChanged => "struct", "structs", "gained or lost Default";
    AliasChanged => "type alias", "type aliases", "changed";
    TypeConstraintChanged => "alias constraint", "alias constraints", "changed";
    FieldAdded => "field", "fields", "added";
    FieldRemoved => "field", "fields", "removed";
    FieldRenamed => "field", "fields", "renamed in Rust";
    FieldTypeChanged => "field type", "field types", "changed";
    FieldNullabilityChanged => "field nullability", "field nullabilities", "changed";
    FieldRequired => "field", "fields", "made required";
    FieldOptional => "field", "fields", "made optional";
    FieldReadOnlyChanged => "readOnly flag", "readOnly flags", "changed";
    FieldWriteOnlyChanged => "writeOnly flag", "writeOnly flags", "changed";
    FieldDeprecatedChanged => "field deprecation", "field deprecations", "changed";
    FieldConstraintChanged => "field constraint", "field constraints", "changed";
    AdditionalPropertiesChanged => "additionalProperties", "additionalProperties", "changed";
    EnumValueAdded => "enum value", "enum values", "added";
    EnumValueRemoved => "enum value", "enum values", "removed";
    EnumValueRenamed => "enum value", "enum values", "renamed in Rust";
    UnionVariantAdded => "union variant", "union variants", "added";
    UnionVariantRemoved => "union variant", "union variants", "removed";
    UnionVariantChanged => "union variant", "union variants", "changed";
    UnionPropertyChanged => "union discriminator", "union discriminators", "changed";
}

impl Kind {
    /// `+` for additions, `-` for removals, `~` for the rest (the text report's margin).
    pub fn sign(self) -> char {
        let name = format!("{self:?}");
        if name.ends_with("Added") {
            '+'
        } else if name.ends_with("Removed") {
            '-'
        } else {
            '~'
        }
    }
}

/// One change between two surfaces.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Change {
    pub kind: Kind,
    /// Where in the schema: in the new document, or in the old one for what was removed.
    pub pointer: String,
    pub document: Document,
    pub client: Impact,
    pub server: Impact,
    /// The resource (module) the change belongs to, for operations and their parts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// The type the change belongs to, for types and their parts.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_name: Option<String>,
    /// The Rust item: `CaptchaStageRequest::flow_set`, `CaptchaApi::stages_captcha_create`.
    pub rust: String,
    /// What changed and what it does to code that uses the generated crates.
    pub message: String,
}

impl Change {
    pub fn is_breaking(&self) -> bool {
        self.client.is_breaking() || self.server.is_breaking()
    }
}

/// Every change from `old` to `new`: resources (by module) first, then types (by name).
pub fn diff(old: &Surface, new: &Surface) -> Vec<Change> {
    let flows = Flows::new(old, new);
    let mut out = Vec::new();
    operations::diff_resources(old, new, &mut out);
    types::diff_types(old, new, &flows, &mut out);
    out
}

/// Who produces and who consumes a value: which way it flows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Flow {
    /// The client sends it (request bodies, parameters).
    pub input: bool,
    /// The server answers with it.
    pub output: bool,
}

impl Flow {
    pub const INPUT: Flow = Flow {
        input: true,
        output: false,
    };

    /// (client, server) when a change breaks the side that makes the value (`producer`) and/or
    /// the side that reads it (`consumer`).
    pub fn impacts(self, producer: bool, consumer: bool) -> (Impact, Impact) {
        let client = (self.input && producer) || (self.output && consumer);
        let server = (self.input && consumer) || (self.output && producer);
        (Impact::from_breaks(client), Impact::from_breaks(server))
    }
}

/// Which way each type flows, in either surface: a type reached from a request body or a
/// parameter is input, one reached from a response is output, through fields, list items,
/// union variants and aliases.
pub(crate) struct Flows {
    input: BTreeSet<String>,
    output: BTreeSet<String>,
}

impl Flows {
    fn new(old: &Surface, new: &Surface) -> Flows {
        let mut input = BTreeSet::new();
        let mut output = BTreeSet::new();
        for surface in [old, new] {
            let mut ins: Vec<&str> = Vec::new();
            let mut outs: Vec<&str> = Vec::new();
            for op in surface
                .resources
                .values()
                .flat_map(|r| r.operations.values())
            {
                for p in &op.params {
                    ins.push(&p.ty);
                }
                if let Some(b) = &op.body {
                    ins.push(&b.ty);
                }
                for r in &op.responses {
                    outs.extend(r.ty.as_deref());
                }
            }
            reach(surface, ins, &mut input);
            reach(surface, outs, &mut output);
        }
        Flows { input, output }
    }

    /// How a type flows; a type no operation reaches counts as both.
    pub fn of(&self, name: &str) -> Flow {
        let flow = Flow {
            input: self.input.contains(name),
            output: self.output.contains(name),
        };
        if flow.input || flow.output {
            flow
        } else {
            Flow {
                input: true,
                output: true,
            }
        }
    }
}

/// Adds to `seen` every type of `surface` that the type texts `roots` name, and what those name.
fn reach(surface: &Surface, roots: Vec<&str>, seen: &mut BTreeSet<String>) {
    let mut queue: Vec<&str> = roots
        .into_iter()
        .flat_map(|t| super::surface::named_types(t, surface))
        .collect();
    let mut visited: BTreeMap<&str, ()> = BTreeMap::new();
    while let Some(name) = queue.pop() {
        if visited.insert(name, ()).is_some() {
            continue;
        }
        seen.insert(name.to_owned());
        let Some(def) = surface.types.get(name) else {
            continue;
        };
        let mut texts: Vec<&str> = Vec::new();
        match &def.shape {
            Shape::Struct(s) => {
                texts.extend(s.fields.iter().map(|f| f.ty.as_str()));
                texts.extend(s.additional.as_deref());
            }
            Shape::Union(u) => texts.extend(u.variants.iter().map(|v| v.model.as_str())),
            Shape::Alias(a) => texts.push(&a.ty),
            Shape::Enum(_) => {}
        }
        for text in texts {
            queue.extend(super::surface::named_types(text, surface));
        }
    }
}

/// Counts per kind, in [`Kind::ALL`] order.
pub fn counts(changes: &[Change]) -> Vec<(Kind, usize)> {
    let mut by_kind: BTreeMap<Kind, usize> = BTreeMap::new();
    for c in changes {
        *by_kind.entry(c.kind).or_default() += 1;
    }
    Kind::ALL
        .iter()
        .filter_map(|k| by_kind.get(k).map(|n| (*k, *n)))
        .collect()
}
