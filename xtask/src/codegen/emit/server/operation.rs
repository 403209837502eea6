//! Server, one operation's types in its resource's module: the query parser (the struct is the
//! models crate's), the parsed request and the response type.

use crate::codegen::emit::rust::*;
use crate::codegen::ir::*;
use proc_macro2::TokenStream;
use quote::quote;

pub(super) fn emit_operation_types(op: &Operation) -> TokenStream {
    let query = query_parser(op);
    let request = request_struct(op);
    let response = response_alias(op);
    quote! {
        #query

        #request

        #response
    }
}

/// The query struct's re-export (it is in the models crate, shared with the client) and its
/// parser. Each value's type is the struct field's, inferred.
fn query_parser(op: &Operation) -> TokenStream {
    let query_params = op.query_params();
    if query_params.is_empty() {
        return quote!();
    }
    let query_ident = ident(&op.names.query);
    let mut parse = Vec::new();
    let mut init = Vec::new();
    let mut required = Vec::new();
    for p in &query_params {
        let name = ident(&p.rust_name);
        let key = &p.name;
        let read = if p.many {
            let explode = if p.explode {
                quote!(support::Explode::Repeat)
            } else {
                quote!(support::Explode::Commas)
            };
            quote!(reader.many(#key, #explode))
        } else {
            quote!(reader.one(#key))
        };
        if p.required {
            // Every missing or bad required value adds a message; the values are taken below.
            parse.push(quote! {
                let #name = #read;
                let #name = reader.required(#name, #key);
            });
            required.push(name.clone());
            init.push(quote!(#name,));
        } else {
            // Optional values are read in the struct literal, in the fields' order.
            init.push(quote!(#name: #read,));
        }
    }
    let take_required = if required.is_empty() {
        quote!()
    } else {
        quote! {
            let (#(Some(#required),)*) = (#(#required,)*) else {
                return Err(reader.into_errors());
            };
        }
    };
    quote! {
        pub use authentik_models::query::#query_ident;

        impl support::FromQuery for #query_ident {
            fn from_query(query: Option<&str>) -> Result<Self, support::ValidationErrors> {
                let mut reader = support::QueryReader::new(query);
                #(#parse)*
                #take_required
                let value = Self { #(#init)* };
                reader.finish(value)
            }
        }
    }
}

/// The parsed, validated request the trait's method takes: path values, the query, the body.
fn request_struct(op: &Operation) -> TokenStream {
    let request = ident(&op.names.request);
    let mut fields = Vec::new();
    for p in op.path_params() {
        let name = ident(&p.rust_name);
        let docs = param_doc(p);
        let ty = local_type(&p.value.ty());
        fields.push(quote!(#docs pub #name: #ty,));
    }
    if !op.query_params().is_empty() {
        let query_ident = ident(&op.names.query);
        fields.push(quote!(#[doc = " Query parameters."] pub query: #query_ident,));
    }
    if let Some(body) = &op.body {
        let ty = match body.kind {
            BodyKind::Json => local_type(&body.ty),
            BodyKind::Multipart | BodyKind::Form => quote!(support::RawBody),
        };
        let (ty, doc) = if body.required {
            (ty, " The request body.")
        } else {
            (
                quote!(Option<#ty>),
                " The request body; `None` when the request has none.",
            )
        };
        fields.push(quote!(#[doc = #doc] pub body: #ty,));
    }
    let doc = format!(
        " A parsed, validated request to `{} {}`.",
        op.method, op.path
    );
    let docs = doc_attrs(Some(&doc_with(Some(&doc), &operation_doc(op))), "");
    quote! {
        #docs
        #[derive(Clone, Debug, PartialEq)]
        pub struct #request {
            #(#fields)*
        }
    }
}

/// The response type: the operation's response set with its bodies' types, documented with
/// each answer's description.
fn response_alias(op: &Operation) -> TokenStream {
    let response = ident(&op.names.response);
    let set = ident(&op.names.response_set);
    let bodies: Vec<TokenStream> = op
        .responses
        .iter()
        .filter_map(|r| match &r.body {
            ResponseBody::Json(ty) => Some(local_type(ty)),
            ResponseBody::None | ResponseBody::Other(_) => None,
        })
        .collect();
    let args = if bodies.is_empty() {
        quote!()
    } else {
        quote!(<#(#bodies),*>)
    };
    let mut doc = format!(
        "Every answer the schema documents for `{} {}`; anything else goes through [`crate::ApiError`].",
        op.method, op.path
    );
    let described: Vec<String> = op
        .responses
        .iter()
        .filter_map(|r| {
            // One list item each: the description on one line.
            let text = r.doc.as_ref()?.split_whitespace().collect::<Vec<_>>();
            let status = status_doc(&r.status);
            Some(format!(
                "- {}: {}",
                status.trim_end_matches('.'),
                text.join(" ")
            ))
        })
        .collect();
    if !described.is_empty() {
        doc = format!("{doc}\n\n{}", described.join("\n"));
    }
    let docs = doc_attrs(Some(&doc), "");
    quote! {
        #docs
        pub type #response = responses::#set #args;
    }
}
