//! The intermediate representation: what the emitters need to know about an API, with every
//! `$ref` resolved and every name chosen. No `openapiv3` type appears here; each node keeps the
//! JSON pointer it came from, so later passes can point back into the schema.

mod operations;
mod types;

pub use operations::*;
pub use types::*;

use std::collections::{BTreeMap, BTreeSet};

/// The selected part of one OpenAPI document.
#[derive(Clone, Debug, PartialEq)]
pub struct Api {
    pub title: String,
    pub version: String,
    /// The path prefix of the first server URL (`/api/v3`), without a trailing `/`.
    pub base_path: String,
    /// Every model the selected operations reach, by Rust name (sorted, so output is stable).
    pub models: BTreeMap<String, Model>,
    /// The selected operations, in document order.
    pub operations: Vec<Operation>,
    /// The operations grouped by resource, in module-name order.
    pub resources: Vec<Resource>,
    /// How many of the models are `#/components/schemas` entries (the rest were inline schemas).
    pub component_models: usize,
    /// The string enums (by Rust name) some parameter uses, alone or in a list.
    pub param_enums: BTreeSet<String>,
    /// Every `pattern` a model checks, by its text: the static that holds it compiled and the
    /// message a value that does not match gets.
    pub patterns: BTreeMap<String, Pattern>,
    /// Each distinct set of documented error responses, in order of first use: the client's
    /// error enums, shared by every operation that documents the same errors.
    pub error_sets: Vec<ErrorSet>,
    /// Each distinct set of documented responses, in order of first use: the server's response
    /// enums, generic over their bodies' types, which each operation's `...Response` names.
    pub response_sets: Vec<ResponseSet>,
    /// The generated crates' cargo features: which one compiles each model and error enum.
    pub features: Features,
    /// Which file of the models crate holds each model.
    pub model_files: ModelFiles,
    /// Every model a JSON request body reaches, through fields, items, union variants and
    /// aliases (by Rust name): the models the server reads, so the ones it has a `Shape` for.
    pub request_models: BTreeSet<String>,
    /// The models that are the JSON body of a `PATCH` (by Rust name): an absent field leaves
    /// the stored value as it is, and `null` clears it.
    pub patch_bodies: BTreeSet<String>,
    /// The models (by Rust name) whose values can be invalid: constraints of their own, a
    /// string enum (a value it does not list), or a model they hold that can
    /// ([`Api::validates`]).
    pub validating: BTreeSet<String>,
}

impl Api {
    /// Whether the model named `name` can be invalid: for a struct or a union, whether its
    /// `validate()` can find anything.
    pub fn validates(&self, name: &str) -> bool {
        self.validating.contains(name)
    }

    /// Each resource with its operations, in module order.
    pub fn resource_operations(&self) -> impl Iterator<Item = (&Resource, Vec<&Operation>)> {
        self.resources.iter().map(|r| {
            let ops = r
                .operations
                .iter()
                .filter_map(|&i| self.operations.get(i))
                .collect();
            (r, ops)
        })
    }

    /// How the schema names a type, in JSON terms, for messages: `UsedBy`, `array of UsedBy`,
    /// `object of string values`, `string or null`.
    pub fn type_label(&self, ty: &Type) -> String {
        match ty {
            Type::Named(n) => self
                .models
                .get(n)
                .map_or_else(|| n.clone(), |m| m.name.clone()),
            Type::Array(inner) => format!("array of {}", self.type_label(inner)),
            Type::Map(inner) => format!("object of {} values", self.type_label(inner)),
            Type::Nullable(inner) => format!("{} or null", self.type_label(inner)),
            Type::String => "string".into(),
            Type::Uuid => "uuid".into(),
            Type::DateTime => "date-time".into(),
            Type::Date => "date".into(),
            Type::Binary => "binary".into(),
            Type::Integer { .. } => "integer".into(),
            Type::Number => "number".into(),
            Type::Boolean => "boolean".into(),
            Type::Any => "JSON value".into(),
        }
    }

    /// The models named, in order.
    pub fn models_named<'a>(&'a self, names: &'a [String]) -> Vec<&'a Model> {
        names.iter().filter_map(|n| self.models.get(n)).collect()
    }

    /// Whether a value of type `ty` has a `validate()` of its own: a struct or a union does
    /// (whether or not it can find anything); an enum is checked by what holds it.
    pub fn has_validate(&self, ty: &Type) -> bool {
        match ty {
            Type::Named(n) => matches!(
                self.models.get(n).map(|m| &m.kind),
                Some(ModelKind::Struct(_) | ModelKind::Union(_))
            ),
            _ => false,
        }
    }
}

/// A `pattern` some model checks.
#[derive(Clone, Debug, PartialEq)]
pub struct Pattern {
    /// The name of the static that holds it compiled (`FLOW_SET_SLUG`).
    pub static_name: String,
    /// What a value that does not match is told: Django REST Framework's message for its slug
    /// pattern, its generic one for any other.
    pub message: &'static str,
}

impl Pattern {
    /// DRF's message for a value that does not match a pattern (a `RegexValidator`'s).
    pub const GENERIC_MESSAGE: &'static str = "This value does not match the required pattern.";
}

/// The generated crates' cargo features. Each resource has one, named after its module, which
/// compiles its operations and the models they reach; `full`, the default, turns on all. A model
/// (or a client error enum) one resource reaches is compiled by that resource's feature; one
/// several reach but not all, by a shared feature of its own (`_FlowSet`) that each of them
/// enables; one every resource reaches, always.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Features {
    /// The shared features each resource enables, by resource module, in module order.
    pub resources: BTreeMap<String, BTreeSet<String>>,
    /// The feature that compiles each model (by Rust name); absent: always compiled.
    pub models: BTreeMap<String, String>,
    /// The feature that compiles each client error enum (by Rust name); absent: always.
    pub error_sets: BTreeMap<String, String>,
}

impl Features {
    /// The umbrella feature, on by default: every resource.
    pub const FULL: &'static str = "full";

    /// The feature a model needs, if any.
    pub fn model(&self, rust_name: &str) -> Option<&str> {
        self.models.get(rust_name).map(String::as_str)
    }

    /// The feature an error enum needs, if any.
    pub fn error_set(&self, rust_name: &str) -> Option<&str> {
        self.error_sets.get(rust_name).map(String::as_str)
    }

    /// Whether `feature` is a resource's (rather than a shared one).
    pub fn is_resource(&self, feature: &str) -> bool {
        self.resources.contains_key(feature)
    }

    /// The shared features of models (not of error enums), sorted.
    pub fn shared_models(&self) -> BTreeSet<&str> {
        self.models
            .values()
            .filter(|f| !self.is_resource(f))
            .map(String::as_str)
            .collect()
    }

    /// The shared features of error enums, sorted.
    pub fn shared_error_sets(&self) -> BTreeSet<&str> {
        self.error_sets
            .values()
            .filter(|f| !self.is_resource(f))
            .map(String::as_str)
            .collect()
    }
}

/// The models crate's files of models, each a list of Rust names in name order: `types.rs`
/// holds the models several resources (or all) reach; a model one resource alone reaches is in
/// that resource's own module (`captcha.rs`), which its feature compiles.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ModelFiles {
    pub shared: Vec<String>,
    /// By resource module.
    pub by_resource: BTreeMap<String, Vec<String>>,
}

/// Documented error responses that several operations share (`400` with a `ValidationError`,
/// `403` with a `GenericError`): one enum in the client's `errors` module.
#[derive(Clone, Debug, PartialEq)]
pub struct ErrorSet {
    /// The enum's name (`BadRequestOrForbiddenError`).
    pub rust_name: String,
    /// The error responses, as the first operation to use the set documents them.
    pub responses: Vec<Response>,
}

/// Responses that several operations document alike (`200`, `400` and `403`, each with a JSON
/// body): one enum in the server's `responses` module, whose type parameters are the bodies'
/// types, so that each operation's `...Response` is that enum with its own bodies' types.
#[derive(Clone, Debug, PartialEq)]
pub struct ResponseSet {
    /// The enum's name (`OkOrBadRequestOrForbidden`).
    pub rust_name: String,
    pub variants: Vec<SetVariant>,
}

/// One variant of a [`ResponseSet`].
#[derive(Clone, Debug, PartialEq)]
pub struct SetVariant {
    /// The variant's name, as the operations' [`Response::variant`] (`Ok`).
    pub name: String,
    pub status: Status,
    pub body: SetBody,
}

/// What a [`SetVariant`] carries.
#[derive(Clone, Debug, PartialEq)]
pub enum SetBody {
    None,
    /// A JSON body whose type is the enum's type parameter of this name (`T200`).
    Json(String),
    /// Raw bytes of another media type.
    Other(String),
}

/// The operations of one resource (`/stages/captcha/...`): a module and a trait in the server and
/// the client.
#[derive(Clone, Debug, PartialEq)]
pub struct Resource {
    /// The resource as its paths name it (`captcha`, `authenticator_duo`).
    pub key: String,
    /// The module (and file) name in the server and client crates.
    pub module: String,
    /// The trait its operations form (`CaptchaApi`).
    pub trait_name: String,
    /// Its operations, as indices into [`Api::operations`], in document order.
    pub operations: Vec<usize>,
    /// Its paths, each with the operations at it, in path order.
    pub routes: Vec<Route>,
    /// The description every one of its operations shares (drf-spectacular gives each operation
    /// of a viewset the viewset's docstring), said once for the trait; the operations' own
    /// `doc` is then `None`.
    pub doc: Option<String>,
    /// How the server asks whether the object a path names exists, before it refuses a request
    /// to it; `None` when no operation needs it or they do not share one path parameter.
    pub lookup: Option<Lookup>,
}

/// The server trait's optional question "does this object exist?", asked when a request to one
/// of the resource's detail operations is refused, so that an unknown object answers 404 first,
/// as authentik (DRF's `get_object()`) looks the object up before it reads the request.
#[derive(Clone, Debug, PartialEq)]
pub struct Lookup {
    /// The trait method's name (`object_exists`).
    pub method: String,
    /// The one path parameter every such operation takes (`stage_uuid`), as the path names it.
    pub param: String,
    /// Its value's type.
    pub value: ParamValue,
}
