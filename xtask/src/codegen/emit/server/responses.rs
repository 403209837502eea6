//! Server, responses: the `responses` module, one enum per distinct set of documented answers
//! ([`ResponseSet`]), generic over its JSON bodies' types.

use crate::codegen::emit::rust::*;
use crate::codegen::ir::*;
use proc_macro2::TokenStream;
use quote::quote;

/// The `responses` module: one enum per distinct set of documented responses, generic over its
/// JSON bodies' types, and how each answers.
pub fn emit_responses(api: &Api) -> TokenStream {
    let enums: TokenStream = api.response_sets.iter().map(response_enum).collect();
    // Each import only where the enums name it (an unused import fails the crate's lints).
    let support_use = match (
        names_path(&enums, "support"),
        mentions(&enums, "json_response"),
    ) {
        (true, true) => quote!(
            use crate::support::{self, json_response};
        ),
        (true, false) => quote!(
            use crate::support;
        ),
        (false, true) => quote!(
            use crate::support::json_response;
        ),
        (false, false) => quote!(),
    };
    let status_use = use_if(
        &enums,
        "StatusCode",
        quote!(
            use axum::http::StatusCode;
        ),
    );
    let response_use = use_if(
        &enums,
        "IntoResponse",
        quote!(
            use axum::response::{IntoResponse, Response};
        ),
    );
    let serialize_use = use_if(
        &enums,
        "Serialize",
        quote!(
            use serde::Serialize;
        ),
    );
    quote! {
        //! The answers the operations document: one enum per distinct set of statuses, generic
        //! over its JSON bodies' types. Each operation's `...Response` (in its resource's module)
        //! is one of them with its own bodies' types.

        #support_use
        #status_use
        #response_use
        #serialize_use

        #enums
    }
}

/// One response set's enum, generic over its JSON bodies' types, and how each variant answers.
fn response_enum(set: &ResponseSet) -> TokenStream {
    let name = ident(&set.rust_name);
    let params: Vec<proc_macro2::Ident> = set
        .variants
        .iter()
        .filter_map(|v| match &v.body {
            SetBody::Json(param) => Some(ident(param)),
            SetBody::None | SetBody::Other(_) => None,
        })
        .collect();
    let (generics, bounds) = if params.is_empty() {
        (quote!(), quote!())
    } else {
        (quote!(<#(#params),*>), quote!(<#(#params: Serialize),*>))
    };
    let statuses: Vec<String> = set.variants.iter().map(|v| status_doc(&v.status)).collect();
    let doc = if statuses.is_empty() {
        " An operation that documents no answer.".to_owned()
    } else {
        format!(" The answers {}.", statuses.join(", "))
    };
    let (variants, arms): (Vec<TokenStream>, Vec<TokenStream>) =
        set.variants.iter().map(response_variant).unzip();
    let body = if arms.is_empty() {
        quote!(match self {})
    } else {
        quote!(match self { #(#arms)* })
    };
    quote! {
        #[doc = #doc]
        #[derive(Clone, Debug, PartialEq)]
        pub enum #name #generics {
            #(#variants)*
        }

        impl #bounds IntoResponse for #name #generics {
            fn into_response(self) -> Response {
                #body
            }
        }
    }
}

/// A response enum's variant and its arm of `into_response`. A `default` answer carries its
/// status.
fn response_variant(v: &SetVariant) -> (TokenStream, TokenStream) {
    let vname = ident(&v.name);
    let vdoc = format!(" {}", status_doc(&v.status));
    let default = matches!(v.status, Status::Default);
    let status = match v.status {
        Status::Code(n) => status_code(n),
        Status::Default => quote!(status),
    };
    let (payload, pattern, answer) = match (&v.body, default) {
        (SetBody::None, true) => (
            quote!((StatusCode)),
            quote!((status)),
            quote!(support::empty_response(#status)),
        ),
        (SetBody::None, false) => (quote!(), quote!(), quote!(support::empty_response(#status))),
        (SetBody::Json(param), true) => {
            let param = ident(param);
            (
                quote!((StatusCode, #param)),
                quote!((status, body)),
                quote!(json_response(#status, &body)),
            )
        }
        (SetBody::Json(param), false) => {
            let param = ident(param);
            (
                quote!((#param)),
                quote!((body)),
                quote!(json_response(#status, &body)),
            )
        }
        (SetBody::Other(ct), true) => (
            quote!((StatusCode, Vec<u8>)),
            quote!((status, body)),
            quote!(support::bytes_response(#status, #ct, body)),
        ),
        (SetBody::Other(ct), false) => (
            quote!((Vec<u8>)),
            quote!((body)),
            quote!(support::bytes_response(#status, #ct, body)),
        ),
    };
    (
        quote!(#[doc = #vdoc] #vname #payload,),
        quote!(Self::#vname #pattern => #answer,),
    )
}
