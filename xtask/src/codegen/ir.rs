//! The intermediate representation: what the emitters need to know about an API, with every
//! `$ref` resolved and every name chosen. No `openapiv3` type appears here; each node keeps the
//! JSON pointer it came from, so later passes can point back into the schema.

use super::diag::Pointer;
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
    /// Every `pattern` a model checks, with the name of the static that holds it compiled.
    pub patterns: BTreeMap<String, String>,
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

/// An operation's HTTP method.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Method {
    Get,
    Put,
    Post,
    Delete,
    Options,
    Head,
    Patch,
    Trace,
}

impl Method {
    /// The method as a path item's key names it (`get`), if it is one.
    pub fn from_key(key: &str) -> Option<Method> {
        Some(match key {
            "get" => Method::Get,
            "put" => Method::Put,
            "post" => Method::Post,
            "delete" => Method::Delete,
            "options" => Method::Options,
            "head" => Method::Head,
            "patch" => Method::Patch,
            "trace" => Method::Trace,
            _ => return None,
        })
    }

    /// As HTTP writes it: `GET`.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Head => "HEAD",
            Method::Patch => "PATCH",
            Method::Trace => "TRACE",
        }
    }

    /// As a path item's key writes it, and axum's `MethodRouter` method: `get`.
    pub fn key(self) -> &'static str {
        match self {
            Method::Get => "get",
            Method::Put => "put",
            Method::Post => "post",
            Method::Delete => "delete",
            Method::Options => "options",
            Method::Head => "head",
            Method::Patch => "patch",
            Method::Trace => "trace",
        }
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A path as the schema writes it (`/stages/captcha/{stage_uuid}/`), parsed once into the fixed
/// text and the path parameters between it.
#[derive(Clone, Debug, PartialEq)]
pub struct PathTemplate {
    pub text: String,
    pub parts: Vec<PathPart>,
}

/// A piece of a [`PathTemplate`].
#[derive(Clone, Debug, PartialEq)]
pub enum PathPart {
    /// Fixed text (`/stages/captcha/`).
    Literal(String),
    /// A path parameter (`{stage_uuid}`): its name as the path writes it, and its index in the
    /// operation's [`Operation::params`].
    Param { name: String, index: usize },
}

impl PathTemplate {
    /// Whether the path has no parameter.
    pub fn is_fixed(&self) -> bool {
        self.parts.iter().all(|p| matches!(p, PathPart::Literal(_)))
    }
}

impl std::fmt::Display for PathTemplate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// One path of a resource as the router mounts it: the operations at it, and what a `405`
/// answer's `Allow` names.
#[derive(Clone, Debug, PartialEq)]
pub struct Route {
    pub path: PathTemplate,
    /// Its operations, as indices into [`Api::operations`], in document order.
    pub operations: Vec<usize>,
    /// The methods it answers: its operations' and, beside a `GET`, `HEAD` (which axum answers
    /// for a `GET` route).
    pub allow: Vec<Method>,
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

/// A named Rust type: a component schema, or an inline schema that needs a name of its own.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    /// The schema's own name (`CaptchaStage`) or, for an inline schema, the name made for it.
    pub name: String,
    pub rust_name: String,
    pub pointer: Pointer,
    pub doc: Option<String>,
    pub deprecated: bool,
    pub kind: ModelKind,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ModelKind {
    Struct(Struct),
    Enum(StringEnum),
    Union(Union),
    /// A schema that is just another type (`type: array`, a primitive, `allOf` of one `$ref`).
    Alias(Type, Constraints),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Struct {
    pub fields: Vec<Field>,
    /// `additionalProperties` beside `properties`: the other keys of the object, by name.
    pub additional: Option<AdditionalField>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AdditionalField {
    pub rust_name: String,
    pub ty: Type,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub json_name: String,
    pub rust_name: String,
    pub pointer: Pointer,
    pub doc: Option<String>,
    pub ty: Type,
    pub presence: Presence,
    pub read_only: bool,
    pub write_only: bool,
    pub deprecated: bool,
    pub constraints: Constraints,
    /// The field holds a model that holds the field's own model again without a `Vec` or map in
    /// between: it is boxed, or the type would have infinite size.
    pub boxed: bool,
}

/// How a field may appear in the JSON object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presence {
    /// Always present, never null: `T`.
    Required,
    /// Always present, may be null: `Option<T>`, serialized as `null` when unset.
    RequiredNullable,
    /// May be absent, never null: `Option<T>`, left out when unset.
    Optional,
    /// May be absent or null: three states (absent, null, value).
    OptionalNullable,
}

impl Presence {
    pub fn new(required: bool, nullable: bool) -> Self {
        match (required, nullable) {
            (true, false) => Presence::Required,
            (true, true) => Presence::RequiredNullable,
            (false, false) => Presence::Optional,
            (false, true) => Presence::OptionalNullable,
        }
    }
}

/// A string enum. Values the schema does not list decode too, kept as text.
#[derive(Clone, Debug, PartialEq)]
pub struct StringEnum {
    pub values: Vec<EnumValue>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EnumValue {
    pub json: String,
    pub rust_name: String,
}

/// `oneOf` with a `discriminator`: the property's value picks the variant.
#[derive(Clone, Debug, PartialEq)]
pub struct Union {
    pub property: String,
    pub variants: Vec<UnionVariant>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct UnionVariant {
    pub tag: String,
    pub rust_name: String,
    /// The Rust name of the struct model this variant carries.
    pub model: String,
    /// The variant's schema does not list the discriminator property, so serializing adds it.
    pub add_tag: bool,
}

/// A value's type, as the emitters map it to Rust.
#[derive(Clone, Debug, PartialEq)]
pub enum Type {
    String,
    Uuid,
    DateTime,
    Date,
    Binary,
    Integer {
        bits: u8,
    },
    Number,
    Boolean,
    /// Free-form JSON.
    Any,
    /// A model, by Rust name.
    Named(String),
    Array(Box<Type>),
    /// An object with free keys: `additionalProperties`.
    Map(Box<Type>),
    /// `nullable` inside an array or map.
    Nullable(Box<Type>),
}

impl Type {
    /// Whether a value of this type holds a `number` (an `f64`), alone or in lists and maps.
    pub fn holds_number(&self) -> bool {
        match self {
            Type::Number => true,
            Type::Array(inner) | Type::Map(inner) | Type::Nullable(inner) => inner.holds_number(),
            _ => false,
        }
    }
}

/// A numeric bound as the schema states it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Bound {
    Int(i64),
    Float(f64),
}

/// The constraints `validate()` checks.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Constraints {
    pub min_length: Option<usize>,
    pub max_length: Option<usize>,
    pub pattern: Option<String>,
    pub minimum: Option<(Bound, bool)>,
    pub maximum: Option<(Bound, bool)>,
    pub min_items: Option<usize>,
    pub max_items: Option<usize>,
    pub email: bool,
    /// Constraints on each item of an array, or each value of a map.
    pub items: Option<Box<Constraints>>,
}

impl Constraints {
    pub fn is_empty(&self) -> bool {
        *self == Constraints::default()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Operation {
    pub operation_id: String,
    /// `snake_case` method name, unique across the API (the client implements every trait).
    pub rust_name: String,
    /// The names of the operation's own types, each unique where it is declared.
    pub names: OperationNames,
    pub method: Method,
    /// The path as the schema writes it, without the base path (`/stages/captcha/{stage_uuid}/`).
    pub path: PathTemplate,
    pub pointer: Pointer,
    pub doc: Option<String>,
    pub deprecated: bool,
    /// The module of the resource this operation belongs to (`captcha`), from its path.
    pub resource: String,
    pub params: Vec<Param>,
    pub body: Option<Body>,
    pub responses: Vec<Response>,
    /// The security schemes any one of which the operation accepts; empty when it is open.
    pub security: Vec<String>,
    /// How to walk the pages of a paginated list; `None` for anything else.
    pub paging: Option<Paging>,
    /// The server asks its resource's [`Lookup`] before it refuses a request to this operation.
    pub lookup: bool,
}

/// The names an operation's types and extra methods get.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OperationNames {
    /// The server's parsed request (`StagesCaptchaCreateRequest`).
    pub request: String,
    /// The server's response type (`StagesCaptchaCreateResponse`): its [`ResponseSet`] with
    /// the operation's bodies' types.
    pub response: String,
    /// That [`ResponseSet`]'s name (`OkOrBadRequestOrForbidden`).
    pub response_set: String,
    /// The query struct in the models' `query` module (`StagesCaptchaListQuery`).
    pub query: String,
    /// The client's error enum, shared by the operations documenting the same errors
    /// (`BadRequestOrForbiddenError`, see [`ErrorSet`]).
    pub error: String,
    /// The client's enum of successes, when several are documented (`StagesCaptchaCreateSuccess`).
    pub success: String,
    /// The client's page stream method (`stages_captcha_list_all`), for paginated lists.
    pub all: Option<String>,
}

/// authentik's page-number pagination: a `GET` whose 200 answer holds `results` (a list) and
/// `pagination.next`, with an optional integer `page` query parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Paging {
    /// The Rust name of the `page` field in the query struct.
    pub page_field: String,
    /// The width of the page number (32 or 64).
    pub page_bits: u8,
    /// The type of one item of `results`.
    pub item: Type,
    /// The Rust names of the list's `results` and `pagination` fields, and of `pagination.next`.
    pub results_field: String,
    pub pagination_field: String,
    pub next_field: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamLocation {
    Path,
    Query,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub name: String,
    pub rust_name: String,
    pub location: ParamLocation,
    pub pointer: Pointer,
    pub doc: Option<String>,
    pub ty: Type,
    pub required: bool,
    /// For arrays in the query: `true` repeats the key, `false` joins the values with commas.
    pub explode: bool,
    pub constraints: Constraints,
    /// The value as the query or the path carries it, checked by `lower`.
    pub value: ParamValue,
    /// A list of values (query parameters only).
    pub many: bool,
}

/// The scalar types a path or query value may have.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParamValue {
    String,
    Uuid,
    DateTime,
    Integer {
        bits: u8,
    },
    Number,
    Boolean,
    /// A string enum, by Rust name.
    Enum(String),
}

impl ParamValue {
    /// The IR type of one value.
    pub fn ty(&self) -> Type {
        match self {
            ParamValue::String => Type::String,
            ParamValue::Uuid => Type::Uuid,
            ParamValue::DateTime => Type::DateTime,
            ParamValue::Integer { bits } => Type::Integer { bits: *bits },
            ParamValue::Number => Type::Number,
            ParamValue::Boolean => Type::Boolean,
            ParamValue::Enum(name) => Type::Named(name.clone()),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyKind {
    Json,
    Multipart,
    Form,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Body {
    pub kind: BodyKind,
    pub content_type: String,
    pub ty: Type,
    pub required: bool,
    pub pointer: Pointer,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    Code(u16),
    Default,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ResponseBody {
    None,
    Json(Type),
    /// Another media type (`application/yaml`, ...): raw bytes.
    Other(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Response {
    pub status: Status,
    /// The variant this status gets in response and error enums (`Ok`, `BadRequest`, `Status418`).
    pub variant: String,
    /// The status code when it is a success (`2xx`): the client returns the answer as the
    /// success value. `None` for the rest (and for `default`): they are errors.
    pub success: Option<u16>,
    pub doc: Option<String>,
    pub body: ResponseBody,
    pub pointer: Pointer,
}
