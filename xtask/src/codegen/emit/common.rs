//! What the server and client emitters share: operations grouped by resource, the names of
//! per-operation types, and which IR types parameters and bodies may have.

use super::{doc_with, type_tokens};
use crate::codegen::diag::{Diagnostic, Pointer};
use crate::codegen::ir::*;
use crate::codegen::naming;
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::{BTreeMap, BTreeSet};

/// How the server and client crates name the models crate.
pub fn models() -> TokenStream {
    quote!(::authentik_models)
}

/// Operations grouped by resource, in name order.
pub fn resources(api: &Api) -> BTreeMap<&str, Vec<&Operation>> {
    let mut out: BTreeMap<&str, Vec<&Operation>> = BTreeMap::new();
    for op in &api.operations {
        out.entry(op.resource.as_str()).or_default().push(op);
    }
    out
}

/// The trait a resource's operations form: `captcha` → `CaptchaApi`.
pub fn trait_name(resource: &str) -> String {
    format!("{}Api", naming::type_name(resource, "Root"))
}

pub fn type_base(op: &Operation) -> String {
    naming::type_name(&op.operation_id, "Operation")
}

/// A response variant's name, from its status.
pub fn status_variant(status: &Status) -> String {
    match status {
        Status::Code(200) => "Ok".into(),
        Status::Code(201) => "Created".into(),
        Status::Code(202) => "Accepted".into(),
        Status::Code(204) => "NoContent".into(),
        Status::Code(400) => "BadRequest".into(),
        Status::Code(401) => "Unauthorized".into(),
        Status::Code(403) => "Forbidden".into(),
        Status::Code(404) => "NotFound".into(),
        Status::Code(409) => "Conflict".into(),
        Status::Code(500) => "InternalServerError".into(),
        Status::Code(n) => format!("Status{n}"),
        Status::Default => "Default".into(),
    }
}

pub fn operation_doc(op: &Operation) -> String {
    doc_with(
        op.doc.as_deref(),
        &format!("`{} {}` (`{}`)", op.method, op.path, op.operation_id),
    )
}

/// The Rust type of a path or query value, or `None` when it is not a scalar the server's
/// `FromParam` parses and the models' `ToParam` writes. Models are named from outside the
/// models crate.
pub fn param_scalar(api: &Api, ty: &Type) -> Option<TokenStream> {
    param_scalar_in(api, ty, &models())
}

/// [`param_scalar`] with models reached through `models` (`crate` inside the models crate).
pub fn param_scalar_in(api: &Api, ty: &Type, models: &TokenStream) -> Option<TokenStream> {
    match ty {
        Type::String | Type::Any => Some(quote!(::std::string::String)),
        Type::Uuid | Type::DateTime | Type::Integer { .. } | Type::Number | Type::Boolean => {
            Some(type_tokens(ty, models))
        }
        Type::Named(n)
            if matches!(api.models.get(n).map(|m| &m.kind), Some(ModelKind::Enum(_))) =>
        {
            Some(type_tokens(ty, models))
        }
        Type::Nullable(inner) => param_scalar_in(api, inner, models),
        _ => None,
    }
}

/// The enums (by Rust name) that some parameter uses, alone or in a list.
pub fn param_enums(api: &Api) -> BTreeSet<String> {
    let mut enums = BTreeSet::new();
    for p in api.operations.iter().flat_map(|o| &o.params) {
        let mut ty = &p.ty;
        while let Type::Array(inner) | Type::Nullable(inner) = ty {
            ty = inner;
        }
        if let Type::Named(n) = ty {
            if matches!(api.models.get(n).map(|m| &m.kind), Some(ModelKind::Enum(_))) {
                enums.insert(n.clone());
            }
        }
    }
    enums
}

/// An operation's path parameters, in schema order.
pub fn path_params(op: &Operation) -> impl Iterator<Item = &Param> {
    op.params
        .iter()
        .filter(|p| p.location == ParamLocation::Path)
}

/// An operation's query parameters, in schema order.
pub fn query_params(op: &Operation) -> Vec<&Param> {
    op.params
        .iter()
        .filter(|p| p.location == ParamLocation::Query)
        .collect()
}

/// The name of an operation's query struct (in the models' `query` module).
pub fn query_name(op: &Operation) -> String {
    format!("{}Query", type_base(op))
}

pub fn status_doc(status: &Status) -> String {
    match status {
        Status::Code(n) => format!("`{n}`"),
        Status::Default => "Any other status (`default`).".to_owned(),
    }
}

pub fn unsupported(pointer: &Pointer, message: &str) -> Diagnostic {
    Diagnostic {
        pointer: pointer.clone(),
        message: message.to_owned(),
    }
}

/// Whether a body type has a `validate()` (structs and unions do).
pub fn validates(api: &Api, ty: &Type) -> bool {
    match ty {
        Type::Named(n) => matches!(
            api.models.get(n).map(|m| &m.kind),
            Some(ModelKind::Struct(_) | ModelKind::Union(_))
        ),
        _ => false,
    }
}
