//! The models crate's `query` module: one struct per operation with query parameters, shared by
//! the client (which writes it with `to_pairs`) and the server (which parses it).

use crate::codegen::emit::rust::*;
use crate::codegen::ir::*;
use proc_macro2::TokenStream;
use quote::quote;

/// The whole `query.rs` of the models crate.
pub fn emit_queries(api: &Api) -> TokenStream {
    let structs = api
        .operations
        .iter()
        .filter(|op| !op.query_params().is_empty())
        .map(|op| gate(Some(&op.resource), emit_query(op)));
    let enums = api.param_enums.iter().map(|n| {
        let ty = ident(n);
        gate(
            api.features.model(n),
            quote! {
                impl crate::support::ToParam for crate::#ty {
                    fn to_param(&self) -> ::std::string::String {
                        self.as_str().to_owned()
                    }
                }
            },
        )
    });
    quote! {
        //! Each operation's query parameters, as one struct: the client writes it as a query
        //! string (`to_pairs`), the server parses a query string into it.
        #(#structs)*
        #(#enums)*
    }
}

/// A query struct's field (optional unless required; a list when the parameter takes several
/// values) and its line of `to_pairs`.
fn query_field(p: &Param) -> (TokenStream, TokenStream) {
    let name = ident(&p.rust_name);
    let key = &p.name;
    let docs = param_doc(p);
    let value = param_value_tokens(&p.value, &quote!(crate));
    let ty = if p.many {
        quote!(::std::vec::Vec<#value>)
    } else {
        value
    };
    let explode = p.explode;
    // One short line per parameter: the support's `Pairs` does the rest.
    let push = match (p.many, p.required) {
        (false, true) => quote!(pairs.one(#key, &self.#name);),
        (false, false) => quote!(pairs.opt(#key, &self.#name);),
        (true, true) => quote!(pairs.many(#key, &self.#name, #explode);),
        (true, false) => quote!(pairs.opt_many(#key, &self.#name, #explode);),
    };
    let field = if p.required {
        quote!(#docs pub #name: #ty,)
    } else {
        quote!(#docs pub #name: ::std::option::Option<#ty>,)
    };
    (field, push)
}

/// The query struct of an operation, with `to_pairs`.
fn emit_query(op: &Operation) -> TokenStream {
    let params = op.query_params();
    let query_ident = ident(&op.names.query);
    let (fields, pushes): (Vec<TokenStream>, Vec<TokenStream>) =
        params.iter().map(|p| query_field(p)).unzip();
    let any_required = params.iter().any(|p| p.required);
    let default = if any_required {
        quote!()
    } else {
        quote!(Default,)
    };
    let doc = format!(
        " Query parameters of `{} {}`; `None` leaves a parameter out.",
        op.method, op.path
    );
    let fields_impl = fields_impl(
        &quote!(crate::support),
        &query_ident,
        params
            .iter()
            .map(|p| (p.rust_name.as_str(), p.name.as_str())),
    );
    quote! {
        #[doc = #doc]
        #[derive(Clone, Debug, #default PartialEq)]
        pub struct #query_ident {
            #(#fields)*
        }

        #fields_impl

        impl #query_ident {
            /// The parameters as key-value pairs, in schema order, before percent-encoding.
            pub fn to_pairs(&self) -> ::std::vec::Vec<(&'static str, ::std::string::String)> {
                let mut pairs = crate::support::Pairs::default();
                #(#pushes)*
                pairs.finish()
            }
        }
    }
}
