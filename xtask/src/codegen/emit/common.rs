//! What the server and client emitters share: how they name the models crate, operation docs,
//! and the Rust types of parameter values.

use super::{doc_with, type_tokens};
use crate::codegen::ir::*;
use proc_macro2::TokenStream;
use quote::quote;

/// How the server and client crates name the models crate.
pub fn models() -> TokenStream {
    quote!(::authentik_models)
}

/// Each resource with its operations, in module order.
pub fn resources(api: &Api) -> impl Iterator<Item = (&Resource, Vec<&Operation>)> {
    api.resources.iter().map(|r| {
        let ops = r
            .operations
            .iter()
            .filter_map(|&i| api.operations.get(i))
            .collect();
        (r, ops)
    })
}

pub fn operation_doc(op: &Operation) -> String {
    doc_with(
        op.doc.as_deref(),
        &format!("`{} {}` (`{}`)", op.method, op.path, op.operation_id),
    )
}

/// The Rust type of one path or query value, with models reached through `models` (`crate`
/// inside the models crate).
pub fn param_value_tokens(value: &ParamValue, models: &TokenStream) -> TokenStream {
    match value {
        ParamValue::String => quote!(::std::string::String),
        other => type_tokens(&other.ty(), models),
    }
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

pub fn status_doc(status: &Status) -> String {
    match status {
        Status::Code(n) => format!("`{n}`"),
        Status::Default => "Any other status (`default`).".to_owned(),
    }
}

/// `use authentik_models as models;` where `items` name the models crate (an unused import
/// would fail the generated crates' lints).
pub fn models_import(items: &TokenStream) -> TokenStream {
    use_if(
        items,
        "models",
        quote!(
            use authentik_models as models;
        ),
    )
}

/// `impl Fields for X` (the models' `support::Fields`, which `field!` reads): the fields whose
/// Rust name (without `r#`) is not their JSON name, given as (Rust name, JSON name).
pub fn fields_impl<'a>(
    support: &TokenStream,
    name: &proc_macro2::Ident,
    fields: impl Iterator<Item = (&'a str, &'a str)>,
) -> TokenStream {
    let renamed: Vec<TokenStream> = fields
        .filter_map(|(rust, json)| {
            let bare = rust.strip_prefix("r#").unwrap_or(rust);
            (bare != json).then(|| quote!((#bare, #json)))
        })
        .collect();
    if renamed.is_empty() {
        quote!(impl #support::Fields for #name {})
    } else {
        quote! {
            impl #support::Fields for #name {
                const RENAMED: &'static [(&'static str, &'static str)] = &[#(#renamed),*];
            }
        }
    }
}

/// A status code as a person writes it (`200`, not `200u16`).
pub fn status_literal(n: u16) -> proc_macro2::Literal {
    proc_macro2::Literal::u16_unsuffixed(n)
}

/// Whether `tokens` name `ident` anywhere, inside groups too: how an emitter derives its
/// imports from what it emitted.
pub fn mentions(tokens: &TokenStream, ident: &str) -> bool {
    tokens.clone().into_iter().any(|tree| match tree {
        proc_macro2::TokenTree::Ident(i) => i == ident,
        proc_macro2::TokenTree::Group(g) => mentions(&g.stream(), ident),
        _ => false,
    })
}

/// `import` where `tokens` name `ident`, else nothing (an unused import would fail the
/// generated crates' lints).
pub fn use_if(tokens: &TokenStream, ident: &str, import: TokenStream) -> TokenStream {
    if mentions(tokens, ident) {
        import
    } else {
        quote!()
    }
}
