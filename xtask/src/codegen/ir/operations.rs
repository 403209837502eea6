//! Operations: their method, path, parameters, bodies and responses.

use super::{Constraints, Type};
use crate::codegen::diag::Pointer;

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
    /// Its operations, as indices into [`Api::operations`](super::Api::operations), in document
    /// order.
    pub operations: Vec<usize>,
    /// The methods it answers: its operations' and, beside a `GET`, `HEAD` (which axum answers
    /// for a `GET` route).
    pub allow: Vec<Method>,
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
    /// The server asks its resource's [`Lookup`](super::Lookup) before it refuses a request to
    /// this operation.
    pub lookup: bool,
}

impl Operation {
    /// Its path parameters, in schema order.
    pub fn path_params(&self) -> impl Iterator<Item = &Param> {
        self.params
            .iter()
            .filter(|p| p.location == ParamLocation::Path)
    }

    /// Its query parameters, in schema order.
    pub fn query_params(&self) -> Vec<&Param> {
        self.params
            .iter()
            .filter(|p| p.location == ParamLocation::Query)
            .collect()
    }
}

/// The names an operation's types and extra methods get.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OperationNames {
    /// The server's parsed request (`StagesCaptchaCreateRequest`).
    pub request: String,
    /// The server's response type (`StagesCaptchaCreateResponse`): its
    /// [`ResponseSet`](super::ResponseSet) with the operation's bodies' types.
    pub response: String,
    /// That [`ResponseSet`](super::ResponseSet)'s name (`OkOrBadRequestOrForbidden`).
    pub response_set: String,
    /// The query struct in the models' `query` module (`StagesCaptchaListQuery`).
    pub query: String,
    /// The client's error enum, shared by the operations documenting the same errors
    /// (`BadRequestOrForbiddenError`, see [`ErrorSet`](super::ErrorSet)).
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
